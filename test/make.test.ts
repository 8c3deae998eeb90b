/** Make's view of the project: what each stage depends on is computed from its imports. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { FAMILY_NAMES } from '../lib/families/index';

const ROOT = join(import.meta.dirname, '..');
const deps = Object.fromEntries(
  execFileSync('node', ['scripts/stage-deps.mjs'], { cwd: ROOT, encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter((l) => / := /.test(l))
    .map((l) => {
      const [name, files] = l.split(' := ');
      return [name, files.split(' ')];
    }),
);

describe('scripts/stage-deps.mjs', () => {
  it("lists each stage's script and the library files it imports, directly or through others", () => {
    expect(deps.DEPS_sessionize).toEqual(
      expect.arrayContaining([
        'pipelines/sessionize.ts',
        'lib/sessions/sessionize.ts',
        'lib/io/duckdb.ts',
        'lib/catalog.ts',
      ]),
    );
    // generate starts its shards as worker files named by URL, not by an import.
    expect(deps.DEPS_generate).toEqual(
      expect.arrayContaining(['pipelines/generate.ts', 'lib/generate/parallel.ts', 'lib/generate/shard-worker.ts']),
    );
    expect(deps.DEPS_train).toEqual(
      expect.arrayContaining(['pipelines/train.ts', 'lib/train/requirements.ts', 'lib/xgboost/native.ts']),
    );
    expect(deps.DEPS_serve).toEqual(expect.arrayContaining(['lib/serve/app.ts']));
  });

  it('leaves out what a stage does not import: the service reruns no data or training stage', () => {
    for (const stage of [
      'generate',
      'import',
      'sessionize',
      'split',
      'features',
      'train',
      'promote',
      'report',
      'manifest',
    ]) {
      expect(
        deps[`DEPS_${stage}`].filter((f: string) => f.startsWith('lib/serve/')),
        stage,
      ).toEqual([]);
      expect(
        deps[`DEPS_${stage}`].some((f: string) => f.endsWith('.test.ts')),
        stage,
      ).toBe(false);
    }
    expect(deps.DEPS_sessionize.some((f: string) => f.startsWith('lib/xgboost/'))).toBe(false);
  });

  it("takes the family list from lib/families, and trains each family on its own module, not the others'", () => {
    expect(deps.MODEL_FAMILIES).toEqual([...FAMILY_NAMES]);
    for (const name of FAMILY_NAMES) {
      const files = deps[`DEPS_TRAIN_${name}`];
      expect(files, name).toEqual(
        expect.arrayContaining([
          'pipelines/train.ts',
          'pipelines/promote.ts',
          'lib/families/index.ts',
          `lib/families/${name}.ts`,
        ]),
      );
      for (const other of FAMILY_NAMES.filter((n) => n !== name))
        expect(files, name).not.toContain(`lib/families/${other}.ts`);
    }
    // The recommender's code is none of ranking's business.
    expect(deps.DEPS_TRAIN_ranking.filter((f: string) => f.startsWith('lib/recommend/'))).toEqual([]);
  });

  it("follows a notebook's imports of ./lib from the project root", () => {
    expect(deps['DEPS_NB_06-serving']).toEqual(expect.arrayContaining(['lib/serve/app.ts', 'lib/catalog.ts']));
    expect(deps['DEPS_NB_01-data'].some((f: string) => f.startsWith('lib/serve/'))).toBe(false);
  });
});

describe('scripts/family-config.mjs', () => {
  const slice = (family: string) =>
    JSON.parse(execFileSync('node', ['scripts/family-config.mjs', family], { cwd: ROOT, encoding: 'utf8' }));
  it('gives a family the shared settings and its own section only', () => {
    const purchase = slice('purchase');
    expect(purchase.family.primary).toBe('pr_auc');
    expect(purchase.seed).toBe(42);
    expect(purchase.families).toBeUndefined();
    expect(slice('ranking').family.primary).toBe('ndcg@10');
  });
});

describe('scripts/check-imports.mjs', () => {
  const tree = (files: Record<string, string>) => {
    const root = mkdtempSync(join(tmpdir(), 'shoplab-imports-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return spawnSync('node', ['scripts/check-imports.mjs', '--root', root], { cwd: ROOT, encoding: 'utf8' });
  };

  it('passes a tree whose folders import each other through their index, one way', () => {
    const run = tree({
      'lib/a/index.ts': "export { f } from './f';",
      'lib/a/f.ts': "import { g } from '../b/index';\nexport const f = () => g();",
      'lib/b/index.ts': "export { g } from './g';",
      'lib/b/g.ts': 'export const g = () => 1;',
      'pipelines/p.ts': "import { f } from '../lib/a/index';\nf();",
    });
    expect(run.status, run.stderr).toBe(0);
  });

  it('names a folder cycle, a direct import into another folder, and an index exporting *', () => {
    const run = tree({
      'lib/a/index.ts': "export * from './f';",
      'lib/a/f.ts': "import { g } from '../b/g';\nexport const f = () => g();",
      'lib/b/index.ts': "export { g } from './g';",
      'lib/b/g.ts': "import { f } from '../a/index';\nexport const g = () => f();",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('lib/a/f.ts: imports lib/b/g.ts directly; import it through lib/b/index.ts');
    expect(run.stderr).toContain('import cycle between lib folders: lib/a ↔ lib/b');
    expect(run.stderr).toContain("lib/a/index.ts: `export *`; list the folder's public names");
  });
});

/** A data folder as an import leaves it for make: its import parameters and source description. */
function importedFolder(params: string): string {
  const data = mkdtempSync(join(tmpdir(), 'shoplab-make-'));
  mkdirSync(join(data, 'meta'));
  mkdirSync(join(data, 'raw'));
  writeFileSync(join(data, 'meta', 'params-import'), `${params}\n`);
  writeFileSync(join(data, 'raw', 'source.json'), '{"kind": "import"}\n');
  return data;
}

describe('make on a data folder an import wrote', () => {
  it('neither regenerates nor re-imports it when no INPUT is given, and a catalogue trains the category family only', () => {
    const data = importedFolder('--format catalog --input /nowhere/products.csv --title name');
    writeFileSync(join(data, 'raw', 'catalog.parquet'), '');
    const run = spawnSync('make', ['-n', 'models', `DATA=${data}`], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/pipelines\/(generate|import|sessionize|features)\.ts/);
    expect(run.stdout).toContain(`pipelines/train.ts --family category --data ${data}`);
    for (const other of FAMILY_NAMES.filter((n) => n !== 'category'))
      expect(run.stdout).not.toContain(`--family ${other}`);
  });
});

describe('make retrain', () => {
  it('appends the day to the imported folder, then rebuilds, trains and promotes from it without regenerating', () => {
    const data = importedFolder('--format rees46 --input /logs/2019-10-01.csv');
    const run = spawnSync('make', ['-n', 'retrain', 'FORMAT=rees46', 'INPUT=/logs/2019-10-02.csv', `DATA=${data}`], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    const at = (pattern: string) => lines.findIndex((l) => l.includes(pattern));
    expect(at('pipelines/import.ts --append --format rees46 --input /logs/2019-10-02.csv')).toBeGreaterThanOrEqual(0);
    expect(run.stdout).not.toMatch(/pipelines\/generate\.ts|import\.ts --format/);
    expect(at(`pipelines/sessionize.ts --data ${data}`)).toBeGreaterThan(at('import.ts --append'));
    for (const family of FAMILY_NAMES) {
      expect(at(`pipelines/train.ts --family ${family} --data ${data}`)).toBeGreaterThan(at('pipelines/features.ts'));
      expect(run.stdout).toContain(`pipelines/promote.ts --family ${family} --data ${data}`);
    }
    expect(at('pipelines/report.ts')).toBeGreaterThan(at('pipelines/train.ts'));
  });

  it('says what it needs when INPUT or FORMAT is missing', () => {
    const run = spawnSync('make', ['retrain', 'FORMAT=rees46', 'DATA=/nowhere'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('make: retrain needs INPUT=FILE (the new day) and FORMAT=');
  });
});
