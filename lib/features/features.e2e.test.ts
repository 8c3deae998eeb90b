import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataCatalog } from '../catalog';
import { rocAuc } from '../eval';
import { queryRows, sqlString, withDuckDB } from '../io/duckdb';
import { readMatrix } from '../io/matrix';
import { fitLogistic, predictLogistic } from '../models';
import { Rng, shuffle } from '../random';
import { type Cutoffs, readCutoffs } from '../split';
import { runStages, tempDir } from '../testing';
import { buildTrainingSets, DEFAULT_FEATURE_OPTIONS, familyFeatures, type HistoryRule } from '.';

const data = join(tempDir('shoplab-features-'), 'data');
const catalog = dataCatalog(data);
let cutoffs: Cutoffs;

beforeAll(() => {
  runStages(data, [
    ['generate', ['--events', '40000', '--seed', '5']],
    ['sessionize', []],
    ['split', []],
    ['features', []],
  ]);
  cutoffs = readCutoffs(catalog.interim.splits);
});

const ts = (ms: number) => `make_timestamp(${ms * 1000})`;

/** Loads the world into tables, lets `mutate` change them, and builds the training sets. */
async function build(
  con: DuckDBConnection,
  rule: HistoryRule,
  mutate?: (con: DuckDBConnection) => Promise<void>,
): Promise<void> {
  await con.run(`CREATE TABLE events AS SELECT * FROM read_parquet(${sqlString(catalog.interim.events)})`);
  await con.run(`CREATE TABLE impressions AS SELECT * FROM read_parquet(${sqlString(catalog.raw.impressions)})`);
  await con.run(`CREATE VIEW products AS SELECT * FROM read_parquet(${sqlString(catalog.raw.products)})`);
  await con.run(
    `CREATE VIEW session_splits AS SELECT * FROM read_parquet(${sqlString(catalog.interim.sessionSplits)})`,
  );
  if (mutate) await mutate(con);
  await buildTrainingSets(con, cutoffs, rule, { ...DEFAULT_FEATURE_OPTIONS, seed: 5, hasImpressions: true });
}

/** Deletes, retypes and adds events at or after t, and flips outcomes of impressions at or after t. */
async function rewriteFrom(con: DuckDBConnection, t: number): Promise<void> {
  const after = `event_time >= ${ts(t)}`;
  await con.run(`DELETE FROM events WHERE ${after} AND hash(session_id, event_time) % 3 = 0`);
  await con.run(
    `UPDATE events SET event_type = 'purchase' WHERE ${after} AND product_id IS NOT NULL AND hash(session_id, event_time) % 5 = 1`,
  );
  await con.run(`INSERT INTO events SELECT ${ts(t)} + (event_time - (SELECT min(event_time) FROM events)), user_id, session_id || '-copy', event_type, product_id, price * 2, search_id
    FROM events WHERE event_time < ${ts(t)} AND hash(session_id) % 4 = 0`);
  await con.run(`UPDATE impressions SET clicked = NOT clicked, purchased = NOT purchased WHERE ${after}`);
}

/** Feature rows of examples made before t, by key, without labels (labels look ahead by design). */
async function featuresBefore(
  con: DuckDBConnection,
  family: 'ranking' | 'purchase',
  t: number,
  exclude: string[] = [],
) {
  const key = family === 'ranking' ? `search_id || ':' || position` : `session_id || ':' || cut`;
  const rows = await queryRows(
    con,
    `SELECT ${key} AS key, * EXCLUDE (label${exclude.map((c) => `, ${c}`).join('')}) FROM ${family}_set WHERE as_of < ${ts(t)}`,
  );
  return new Map(rows.map((r) => [r.key as string, JSON.stringify(r)]));
}

function expectSameWhereBothExist(before: Map<string, string>, after: Map<string, string>) {
  let compared = 0;
  for (const [key, row] of before) {
    const other = after.get(key);
    if (other === undefined) continue;
    if (other !== row) {
      const a = JSON.parse(row);
      const b = JSON.parse(other);
      const differing = Object.keys(a)
        .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
        .map((k) => `${k}: ${JSON.stringify(a[k])} → ${JSON.stringify(b[k])}`);
      expect.fail(`features of example ${key} changed: ${differing.join('; ')}`);
    }
    compared++;
  }
  return compared;
}

describe('features are point-in-time', () => {
  it('changing, adding or deleting events at or after t leaves every feature as of t unchanged (random t)', async () => {
    const rng = new Rng(17);
    const first = cutoffs.train.from + 3 * 86_400_000;
    const times = Array.from({ length: 3 }, () => Math.round(first + rng.next() * (cutoffs.test.to - first)));
    for (const t of times) {
      // The TF-IDF vocabulary is fitted on the whole training period by design; it is checked on its own below.
      const exclude = t < cutoffs.train.to ? ['tfidf_cosine'] : [];
      const [orig, changed] = await Promise.all(
        [false, true].map((mutated) =>
          withDuckDB(async (con) => {
            await build(con, 'asOfExample', mutated ? (c) => rewriteFrom(c, t) : undefined);
            return {
              ranking: await featuresBefore(con, 'ranking', t, exclude),
              purchase: await featuresBefore(con, 'purchase', t),
            };
          }),
        ),
      );
      expect(
        expectSameWhereBothExist(orig.ranking, changed.ranking),
        `ranking examples before ${new Date(t).toISOString()}`,
      ).toBeGreaterThan(100);
      expect(
        expectSameWhereBothExist(orig.purchase, changed.purchase),
        `purchase examples before ${new Date(t).toISOString()}`,
      ).toBeGreaterThan(50);
    }
  }, 300_000);

  it('with history frozen, validation and test features use only history from before their split', async () => {
    for (const split of ['valid', 'test'] as const) {
      const t = cutoffs[split].from;
      const history = familyFeatures(DEFAULT_FEATURE_OPTIONS).ranking.map((s) => s.name);
      const pick = async (mutated: boolean) =>
        withDuckDB(async (con) => {
          await build(con, 'frozen', mutated ? (c) => rewriteFrom(c, t) : undefined);
          const rows = await queryRows(
            con,
            `SELECT search_id || ':' || position AS key, ${history.join(', ')} FROM ranking_set WHERE split = '${split}'`,
          );
          return new Map(rows.map((r) => [r.key as string, JSON.stringify(r)]));
        });
      const [orig, changed] = [await pick(false), await pick(true)];
      expect(expectSameWhereBothExist(orig, changed)).toBeGreaterThan(1000);
    }
  }, 300_000);

  it('fits the TF-IDF vocabulary on the training period only', async () => {
    const novel = async (when: number) =>
      withDuckDB(async (con) => {
        await build(con, 'frozen', async (c) => {
          await c.run(
            `UPDATE impressions SET query = 'qwxz ' || query WHERE search_id IN (SELECT search_id FROM impressions WHERE event_time >= ${ts(when)} LIMIT 50)`,
          );
        });
        const [r] = await queryRows(con, `SELECT avg(tfidf_cosine) AS cos FROM ranking_set WHERE query LIKE 'qwxz %'`);
        return r.cos as number;
      });
    const base = await withDuckDB(async (con) => {
      await build(con, 'frozen');
      const [r] = await queryRows(con, 'SELECT avg(tfidf_cosine) AS cos FROM ranking_set');
      return r.cos as number;
    });
    // A word first typed after training is unknown to the vocabulary: the similarity ignores it.
    const afterTraining = await novel(cutoffs.valid.from);
    expect(afterTraining).toBeCloseTo(base, 1);
    // The same word typed during training joins the vocabulary and, absent from titles, lowers the similarity.
    const duringTraining = await novel(cutoffs.train.from);
    expect(duringTraining).toBeLessThan(afterTraining - 0.02);
  }, 300_000);
});

describe('features carry signal, and none of it from the labels', () => {
  it('a logistic fit on ranking features scores above 0.6 on test, and 0.5 ± 0.03 (mean of 20 fits) with training labels permuted', async () => {
    const features = familyFeatures(DEFAULT_FEATURE_OPTIONS).ranking.map((s) => s.name);
    const [train, test] = await withDuckDB(async (con) =>
      Promise.all(
        ['train', 'test'].map((split) =>
          readMatrix(
            con,
            `SELECT *, (label > 0)::INTEGER AS relevant FROM read_parquet(${sqlString(catalog.features.set('ranking', split))})`,
            features,
            'relevant',
          ),
        ),
      ),
    );
    const real = rocAuc(test.labels, predictLogistic(fitLogistic(train.matrix, train.labels), test.matrix));
    // AUC ignores the weights' size, so one fit on permuted labels lands wherever its random
    // direction points (±0.05 with a feature as strong as shown_position); over 20 permutations
    // the directions cancel and the mean must sit at chance.
    const rng = new Rng(99);
    let chance = 0;
    for (let k = 0; k < 20; k++)
      chance +=
        rocAuc(
          test.labels,
          predictLogistic(fitLogistic(train.matrix, shuffle(rng, Array.from(train.labels))), test.matrix),
        ) / 20;
    expect(real).toBeGreaterThan(0.6);
    expect(Math.abs(chance - 0.5)).toBeLessThan(0.03);
  }, 120_000);
});

describe('the features stage', () => {
  it('writes a manifest naming every feature column of every set', async () => {
    const manifest = JSON.parse(readFileSync(catalog.features.manifest, 'utf8'));
    for (const family of ['ranking', 'purchase'] as const) {
      const [cols] = await withDuckDB((con) =>
        queryRows(
          con,
          `SELECT list(column_name) AS names FROM (DESCRIBE SELECT * FROM read_parquet(${sqlString(catalog.features.set(family, 'train'))}))`,
        ),
      );
      const names = cols.names as string[];
      for (const feature of manifest.families[family] as string[]) {
        expect(names.includes(feature), `${family}.${feature}`).toBe(true);
      }
      for (const entry of manifest.features[family]) expect(entry.description.length).toBeGreaterThan(5);
    }
  });
});
