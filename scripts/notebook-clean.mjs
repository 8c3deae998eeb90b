#!/usr/bin/env node
// Strips a notebook to what is committed: no outputs, no execution counts, no per-cell state, and
// the metadata the tslab kernel reports, written the way Jupyter writes (sorted keys, indent 1).
//   node scripts/notebook-clean.mjs < in.ipynb > out.ipynb     (the git clean filter `make setup` installs)
//   node scripts/notebook-clean.mjs notebooks/*.ipynb          (rewrites the files in place)
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const METADATA = {
  kernelspec: { display_name: 'TypeScript (shoplab)', language: 'typescript', name: 'tslab' },
  language_info: {
    codemirror_mode: { mode: 'typescript', name: 'javascript', typescript: true },
    file_extension: '.ts',
    mimetype: 'text/typescript',
    name: 'typescript',
    version: '3.7.2',
  },
};

const sorted = (value) => Array.isArray(value) ? value.map(sorted)
  : value && typeof value === 'object' ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted(value[k])]))
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
