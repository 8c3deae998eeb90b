import { mkdirSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Scratch space for benchmark files, outside the project's data. */
export function benchDir(): string {
  const dir = join(tmpdir(), 'shoplab-bench');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Prints a benchmark's figures: a readable line on stderr, one JSON object on stdout. */
export function report(name: string, figures: Record<string, number>): void {
  const rounded = Object.fromEntries(
    Object.entries(figures).map(([k, v]) => [k, Number.isInteger(v) ? v : Math.round(v * 10000) / 10000]),
  );
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`;
  process.stderr.write(
    `${name}: ${Object.entries(rounded)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}\n`,
  );
  process.stdout.write(
    `${JSON.stringify({ bench: name, date: new Date().toISOString().slice(0, 10), machine, node: process.version, ...rounded })}\n`,
  );
}
