#!/usr/bin/env node
// Strips a notebook to what is committed: no outputs, no execution counts, no per-cell state, and
// the metadata the tslab kernel reports, written the way Jupyter writes (sorted keys, indent 1).
//   node scripts/notebook-clean.mjs < in.ipynb > out.ipynb     (the git clean filter `make setup` installs)
//   node scripts/notebook-clean.mjs notebooks/*.ipynb          (rewrites the files in place)
import { createRequire } from 'node:module';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

// The metadata a notebook gets when the kernel starts: our kernel spec (the Makefile registers it)
// and the language_info tslab itself sends in its kernel_info reply.
const { JupyterHandlerImpl } = createRequire(import.meta.url)('tslab/dist/jupyter');
const METADATA = {
  kernelspec: { display_name: 'TypeScript (shoplab)', language: 'typescript', name: 'tslab' },
  language_info: new JupyterHandlerImpl(null, false).handleKernel().language_info,
};

const sorted = (value) =>
  Array.isArray(value)
    ? value.map(sorted)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, sorted(value[k])]),
        )
      : value;

function clean(text, name) {
  let nb;
  try {
    nb = JSON.parse(text);
  } catch (error) {
    process.stderr.write(`notebook-clean: ${name} is not JSON (${error.message})\n`);
    process.exit(2);
  }
  nb.metadata = METADATA;
  for (const cell of nb.cells ?? []) {
    cell.metadata = {};
    if (cell.cell_type === 'code') {
      cell.outputs = [];
      cell.execution_count = null;
    }
  }
  return `${JSON.stringify(sorted(nb), null, 1)}\n`;
}

const paths = process.argv.slice(2);
if (paths.length === 0) {
  process.stdout.write(clean(readFileSync(0, 'utf8'), 'standard input'));
} else {
  for (const path of paths) {
    const out = clean(readFileSync(path, 'utf8'), path);
    writeFileSync(`${path}.tmp`, out);
    renameSync(`${path}.tmp`, path);
  }
}
