import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { withDuckDB } from '../io/duckdb';
import { exportWorldAs, runStageScript, runStages, tempDir } from '../testing';

/** The recommendation pipeline on imported logs: a synthetic world written in each real format, imported, and trained on. */
const root = tempDir('shoplab-recommend-import-');
const world = join(root, 'world');

beforeAll(() => {
  const run = runStageScript('generate', ['--events', '40000', '--seed', '5', '--data', world]);
  expect(run.status, run.stderr).toBe(0);
}, 60_000);

describe('recommend on imported logs', () => {
  it.each(['rees46', 'retailrocket', 'diginetica'] as const)(
    '%s: import, sessionize, split, features, train --family recommend',
    async (format) => {
      const file = join(root, `${format}.csv`);
      await withDuckDB((con) => exportWorldAs(con, join(world, 'raw'), format, file));
      const data = join(root, `data-${format}`);
      runStages(data, [
        ['import', ['--format', format, '--input', file]],
        ['sessionize', []],
        ['split', []],
        ['features', []],
      ]);
      const run = runStageScript('train', ['--family', 'recommend', '--data', data]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toContain('no truth: imported data, so no oracle');
      const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
      expect(summary.metrics.oracle).toBeNull();
      expect(summary.gap_closed).toBeNull();
      expect(Object.keys(summary.lists)).toEqual([
        'covisit',
        'embedding',
        'category',
        'trending',
        'popular',
        'blend',
        'reranked',
        'random',
      ]);
      // The imported log keeps the world's structure: the re-ranked list beats random by far.
      expect(summary.metrics.model['recall@20']).toBeGreaterThan(3 * summary.metrics.random['recall@20']);
    },
    120_000,
  );
});
