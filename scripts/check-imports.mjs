#!/usr/bin/env node
// Checks the shape of the code's imports (make test runs it):
//   1. no import cycle between lib folders (lib/<folder>/ or a single lib/<file>.ts), and none between files;
//   2. code outside a lib folder (notebooks included) imports it only through its index.ts, and each
//      index.ts names what it exports (no `export *`): the folder's public names, listed.
// Test files are left out: a test may reach into what it tests.
//   node scripts/check-imports.mjs        prints every problem and exits 1 if there is one
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

// --root DIR checks another tree (the test builds small ones with each kind of problem).
const rootAt = process.argv.indexOf('--root');
const ROOT =
  rootAt >= 0 ? resolve(process.argv[rootAt + 1]) : resolve(dirname(new URL(import.meta.url).pathname), '..');
const SPECIFIERS = [/\bfrom\s+['"](\.[^'"]+)['"]/g, /\bimport\s*\(\s*['"](\.[^'"]+)['"]\s*\)/g];

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : files(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

function resolveSpecifier(from, specifier) {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')])
    if (existsSync(candidate) && candidate.endsWith('.ts')) return candidate;
  return null;
}

/** The lib folder a file belongs to ('lib/train'), or the file itself for lib's top-level files, or null outside lib. */
function unit(file) {
  const parts = relative(ROOT, file).split(sep);
  if (parts[0] !== 'lib') return null;
  return parts.length > 2 ? `lib/${parts[1]}` : relative(ROOT, file);
}

const sources = ['lib', 'pipelines', 'bench']
  .filter((d) => existsSync(join(ROOT, d)))
  .flatMap((d) => files(join(ROOT, d)));
// A notebook's code stands as a file at the project root (the kernel's working directory).
const notebooks = (existsSync(join(ROOT, 'notebooks')) ? readdirSync(join(ROOT, 'notebooks')) : [])
  .filter((f) => f.endsWith('.ipynb'))
  .map((f) => {
    const cells = JSON.parse(readFileSync(join(ROOT, 'notebooks', f), 'utf8')).cells;
    const code = cells
      .filter((c) => c.cell_type === 'code')
      .map((c) => [].concat(c.source).join(''))
      .join('\n');
    return [join(ROOT, `${f}.ts`), code];
  });
const texts = new Map([...sources.map((f) => [f, readFileSync(f, 'utf8')]), ...notebooks]);
const edges = new Map(sources.map((f) => [f, []]));
const problems = [];
for (const [file, text] of texts) {
  for (const pattern of SPECIFIERS) {
    for (const m of text.matchAll(pattern)) {
      const target = resolveSpecifier(file, m[1]);
      if (!target) {
        problems.push(`${relative(ROOT, file)}: cannot resolve '${m[1]}'`);
        continue;
      }
      edges.get(file)?.push(target);
      const to = unit(target);
      if (
        to &&
        to.startsWith('lib/') &&
        !to.endsWith('.ts') &&
        unit(file) !== to &&
        !target.endsWith(`${sep}index.ts`)
      ) {
        problems.push(
          `${relative(ROOT, file)}: imports ${relative(ROOT, target)} directly; import it through ${to}/index.ts`,
        );
      }
    }
  }
}

for (const file of sources.filter((f) => /lib\/[^/]+\/index\.ts$/.test(relative(ROOT, f)))) {
  if (/export \*/.test(texts.get(file))) {
    problems.push(
      `${relative(ROOT, file)}: \`export *\`; list the folder's public names (export { name } from './file')`,
    );
  }
}

/** Cycles of a graph (Tarjan's strongly connected components with more than one node, or a self-loop). */
function cycles(graph) {
  let index = 0;
  const stack = [];
  const info = new Map();
  const found = [];
  const visit = (v) => {
    info.set(v, { index, low: index, on: true });
    index++;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!info.has(w)) {
        visit(w);
        info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
      } else if (info.get(w).on) info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
    }
    if (info.get(v).low === info.get(v).index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        info.get(w).on = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!info.has(v)) visit(v);
  return found;
}

const folders = new Map();
for (const [file, targets] of edges) {
  const from = unit(file);
  if (!from) continue;
  if (!folders.has(from)) folders.set(from, new Set());
  for (const t of targets) {
    const to = unit(t);
    if (to && to !== from) folders.get(from).add(to);
  }
}
for (const c of cycles(new Map([...folders].map(([k, v]) => [k, [...v]]))))
  problems.push(`import cycle between lib folders: ${c.join(' ↔ ')}`);
for (const c of cycles(edges))
  problems.push(`import cycle between files: ${c.map((f) => relative(ROOT, f)).join(' ↔ ')}`);

if (problems.length) {
  process.stderr.write(`check-imports: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(
  `check-imports: ${sources.length} files, ${folders.size} lib folders and files, no cycle, every cross-folder import through an index\n`,
);
