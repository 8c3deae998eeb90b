import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataCatalog } from '../catalog';
import { queryRows, withDuckDB } from '../io/duckdb';
import { runStages, tempDir } from '../testing';
import { readCutoffs, SPLITS, visibleToSplitSql } from './cutoffs';

describe('split stage on a generated world', () => {
  it('puts each session in the split where it starts, with disjoint ordered windows and nothing later visible', async () => {
    const data = join(tempDir('shoplab-split-'), 'data');
    runStages(data, [
      ['generate', ['--events', '20000', '--seed', '3']],
      ['sessionize', []],
      ['split', []],
    ]);
    const catalog = dataCatalog(data);
    const cutoffs = readCutoffs(catalog.interim.splits);
    expect(cutoffs.train.to).toBe(cutoffs.valid.from);
    expect(cutoffs.valid.to).toBe(cutoffs.test.from);
    const rows = await withDuckDB((con) =>
      queryRows(
        con,
        `
      SELECT sp.split, count(*) AS n, epoch_ms(min(s.start_time)) AS first_start, epoch_ms(max(s.start_time)) AS last_start
      FROM read_parquet('${catalog.interim.sessions}') s JOIN read_parquet('${catalog.interim.sessionSplits}') sp USING (session_id)
      GROUP BY sp.split`,
      ),
    );
    const bySplit = Object.fromEntries(rows.map((r) => [r.split, r]));
    for (const s of SPLITS) {
      expect(bySplit[s].n).toBeGreaterThan(0);
      expect(bySplit[s].first_start).toBeGreaterThanOrEqual(cutoffs[s].from);
      expect(bySplit[s].last_start).toBeLessThan(cutoffs[s].to);
    }
    const [{ sessions }] = await withDuckDB((con) =>
      queryRows(con, `SELECT count(*) AS sessions FROM read_parquet('${catalog.interim.sessions}')`),
    );
    expect(rows.reduce((a, r) => a + (r.n as number), 0)).toBe(sessions);
    // What work on train may see ends before validation starts; same for valid and test.
    const visible = await withDuckDB((con) =>
      queryRows(
        con,
        `SELECT
      epoch_ms(max(event_time) FILTER (${visibleToSplitSql('train', cutoffs)})) AS train_last,
      epoch_ms(max(event_time) FILTER (${visibleToSplitSql('valid', cutoffs)})) AS valid_last
      FROM read_parquet('${catalog.interim.events}')`,
      ),
    );
    expect(visible[0].train_last).toBeLessThan(cutoffs.valid.from);
    expect(visible[0].valid_last).toBeLessThan(cutoffs.test.from);
  });
});
