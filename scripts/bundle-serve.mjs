#!/usr/bin/env node
// Bundles the prediction service (pipelines/serve.ts and the project code it imports) into plain
// JavaScript under build/serve/, which `make serve` runs with node. Loading TypeScript through tsx's
// loader costs each process about a second of CPU at start (once in the primary and once in every
// worker); the bundle starts them in a fraction of that. npm packages stay outside it, loaded from
// node_modules as usual. The primary's part (the event log and the workers) is its own chunk: the
// app is a second chunk only workers load. Takes a fraction of a second, so make runs it every time.
//   node scripts/bundle-serve.mjs [--outdir DIR]   (DIR inside the project, so node_modules resolve)
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--outdir');
const outdir = resolve(ROOT, at >= 0 ? process.argv[at + 1] : 'build/serve');
// Chunks are named by content: last build's would pile up.
rmSync(outdir, { recursive: true, force: true });
try {
  await build({
    absWorkingDir: ROOT,
    entryPoints: ['pipelines/serve.ts'],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
} catch (e) {
  // esbuild has printed what failed and where.
  console.error(`bundle-serve: could not bundle pipelines/serve.ts: ${e.message.split('\n')[0]}`);
  process.exit(1);
}
