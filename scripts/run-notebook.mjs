#!/usr/bin/env node
// Executes a notebook headlessly with the tslab kernel and writes its HTML atomically: nbconvert
// writes into a .partial-<name> folder beside the target, renamed into place only when the whole
// notebook ran, so a failed or killed run leaves no HTML a later step could trust.
//   node scripts/run-notebook.mjs notebooks/03-ranking.ipynb reports/notebooks/03-ranking.html
// Jupyter runs on Debian's Python with the project-local Jupyter folders (the Makefile exports
// JUPYTER_CONFIG_DIR, JUPYTER_DATA_DIR and JUPYTER_RUNTIME_DIR); SHOPLAB_DATA names the data folder.
import { mkdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { $ } from 'zx';

const [notebook, target] = process.argv.slice(2);
if (!notebook || !target) {
  console.error('usage: node scripts/run-notebook.mjs NOTEBOOK.ipynb OUT.html');
  process.exit(2);
}
const name = basename(notebook, '.ipynb');
const partial = join(dirname(target), `.partial-${name}`);
rmSync(partial, { recursive: true, force: true });
mkdirSync(partial, { recursive: true });
console.error(`\n── notebook ${name} on ${process.env.SHOPLAB_DATA ?? 'data'} ──────────────────────────────`);
// Two kernels started at once can be handed the same ports by jupyter_client (it picks free ports,
// releases them, and the kernel binds them later): one then dies with EADDRINUSE or never answers.
// That is the kernel failing to start, not the notebook failing; it is retried with new ports.
const STARTUP_FAILURE = /Kernel didn't respond in \d+ seconds|Kernel died before replying to kernel_info|EADDRINUSE/;
for (let attempt = 1; ; attempt++) {
  let output = '';
  const run = $({
    stdio: ['inherit', 'inherit', 'pipe'],
    nothrow: true,
  })`/usr/bin/python3 -m nbconvert --to html --execute --ExecutePreprocessor.kernel_name=tslab --ExecutePreprocessor.timeout=1200 --output-dir ${partial} --log-level=WARN ${notebook}`;
  run.stderr.on('data', (chunk) => {
    output += chunk;
    process.stderr.write(chunk);
  });
  const result = await run;
  if (result.exitCode === 0) break;
  if (attempt < 3 && STARTUP_FAILURE.test(output)) {
    console.error(`notebook ${name}: the kernel did not start (a port clash with another kernel); starting it again`);
    continue;
  }
  rmSync(partial, { recursive: true, force: true });
  console.error(`notebook ${name} failed (exit ${result.exitCode ?? '?'}); the cell and its error are above`);
  process.exit(1);
}
renameSync(join(partial, `${name}.html`), target);
rmdirSync(partial);
