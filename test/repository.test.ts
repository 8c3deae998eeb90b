/**
 * The repository stands alone and stays clean: nothing reads outside it, and committed notebooks
 * carry no outputs and only the metadata the kernel itself reports (so opening one changes nothing).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
/** Files in the repository: tracked ones and new ones git does not ignore. */
const files = git('ls-files', '--cached', '--others', '--exclude-standard', '-z')
  .split('\0')
  .filter((f) => f !== '');
const TEXT = /\.(ts|mts|mjs|js|json|ipynb|py|sh|md)$|(^|\/)(Makefile|run)$/;

describe('the repository is self-contained', () => {
  it('no code, test, notebook, bench, script or document names a path beside the repository', () => {
    // The team's sibling folder of reference data, named in pieces so this test does not name it
    // itself: a path up out of the clone into it, in any of the ways code spells one.
    const sibling = ['sha', 'red'].join('');
    const up = '.'.repeat(2);
    const outside = [`${up}/${sibling}`, `'${up}', '${sibling}'`, `/work/${sibling}`];
    const offenders: string[] = [];
    for (const file of files.filter((f) => TEXT.test(f))) {
      let text: string;
      try {
        text = readFileSync(join(ROOT, file), 'utf8');
      } catch {
        continue; // deleted in the working tree
      }
      text.split('\n').forEach((line, i) => {
        if (outside.some((p) => line.includes(p))) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('every reference file the tests read is in the repository, with its source in test/NOTICE.md', () => {
    const notice = readFileSync(join(ROOT, 'test', 'NOTICE.md'), 'utf8');
    const references = files.filter((f) => f.startsWith('test/reference/') || f.startsWith('test/datasets/'));
    expect(references.length).toBeGreaterThanOrEqual(10);
    for (const f of references) expect(notice, f).toContain(f.replace(/^test\//, ''));
  });
});

/** What the kernel reports when a notebook starts: its spec as `make setup` registered it, and tslab's kernel_info reply. */
function kernelMetadata() {
  const spec = JSON.parse(
    readFileSync(join(ROOT, '.jupyter', 'share', 'jupyter', 'kernels', 'tslab', 'kernel.json'), 'utf8'),
  );
  const { JupyterHandlerImpl } = createRequire(import.meta.url)('tslab/dist/jupyter');
  return {
    kernelspec: { display_name: spec.display_name, language: spec.language, name: 'tslab' },
    language_info: new JupyterHandlerImpl(null, false).handleKernel().language_info,
  };
}

describe('committed notebooks are output-free', () => {
  const notebooks = files.filter((f) => f.startsWith('notebooks/') && f.endsWith('.ipynb'));
  it.each(notebooks)("%s: no outputs, no execution counts, the kernel's own metadata", (file) => {
    // The index holds what is committed; the git filter set up by `make setup` strips outputs there
    // even when the working copy has them. A file not yet added is read from the working tree.
    let text: string;
    try {
      text = git('show', `:${file}`);
    } catch {
      text = readFileSync(join(ROOT, file), 'utf8');
    }
    const nb = JSON.parse(text);
    expect(nb.metadata).toEqual(kernelMetadata());
    for (const [i, cell] of nb.cells.entries()) {
      expect(cell.metadata, `cell ${i} metadata`).toEqual({});
      if (cell.cell_type !== 'code') continue;
      expect(cell.outputs, `cell ${i} outputs`).toEqual([]);
      expect(cell.execution_count, `cell ${i} execution_count`).toBeNull();
    }
  });
});
