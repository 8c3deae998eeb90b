import { existsSync, readFileSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';

import type { DataCatalog } from '../catalog';
import { compareNullsFirst, countDistinct, SortedLookup, sortRuns } from '../columns';
import { InputError } from '../errors';
import { EVENT_TYPES } from '../events';
import { queryRows, readColumns, sqlString, tableExists, toNumber } from '../io/index';
import { FUNNEL_RANK, numberedSessionsSql } from '../sessions/index';
import { type Cutoffs, readCutoffs } from '../split/index';
import type { RequirementCounts } from '../train/index';
import { type Interactions, sessionRanges } from './interactions';
import { shopTruth, type ShopTruth } from './oracle';
import { type ProductIndex, productIndex } from './products';

/** A recommendation example: a session of a known user, at its start, and the products it touched. */
export interface RecommendExample {
  user: number;
  asOf: number;
  /** Dense product indices (products outside the catalogue are dropped). */
  targets: number[];
}

const parquet = (path: string) => `read_parquet(${sqlString(path)})`;

export async function loadProducts(con: DuckDBConnection, path: string): Promise<ProductIndex> {
  const rows = await queryRows(con, `SELECT product_id, category_id, category_path, price FROM ${parquet(path)}`);
  return productIndex(
    rows.map((r) => ({
      product_id: toNumber(r.product_id),
      category_id: (r.category_id as string | null) ?? null,
      category_path: (r.category_path as string | null) ?? null,
      price: r.price === null ? null : Number(r.price),
    })),
  );
}

/**
 * Events as typed columns sorted by session, then `EVENT_ORDER` (the sessionizer's), products mapped to
 * `products`' dense indices (-1 when not in it). Sessions are numbered from 0 in session_id order,
 * from the sessions file beside the events.
 */
export async function loadInteractions(
  con: DuckDBConnection,
  eventsPath: string,
  sessionsPath: string,
  products: ProductIndex,
): Promise<Interactions> {
  if (!tableExists(sessionsPath))
    throw new InputError(`${sessionsPath}: no such file; run pipelines/sessionize.ts first`);
  const code = `CASE event_type ${EVENT_TYPES.map((t, i) => `WHEN '${t}' THEN ${i}`).join(' ')} END`;
  const { rows: n, columns } = await readColumns(
    con,
    `
    SELECT epoch_ms(event_time) AS t, user_id AS u, n.session_number - 1 AS s, ${code} AS c, product_id AS p
    FROM ${parquet(eventsPath)} JOIN (${numberedSessionsSql(sessionsPath)}) n USING (session_id)
    ORDER BY n.session_number, event_time`,
    { t: 'DOUBLE', u: 'DOUBLE', s: 'INTEGER', c: 'UTINYINT', p: 'DOUBLE' },
    // In shared memory: the live states' worker threads read the events without a copy.
    { shared: true },
  );
  // The database sorts on the session and time alone (on every key of EVENT_ORDER a month's 42 M
  // events took 38-52 s, on these 31 s); here the events of an instant go into EVENT_ORDER's funnel
  // rank and product order. Its last keys, price and search_id, are not read: rows equal up to them
  // are equal in every column read but the user (a source session over several users), which
  // orders them instead.
  const { t, u, c, p } = columns;
  sortRuns(
    columns.s,
    [t, u, columns.s, c, p],
    (a, b) =>
      t[a] - t[b] ||
      FUNNEL_RANK[c[a]] - FUNNEL_RANK[c[b]] ||
      compareNullsFirst(p[a], p[b]) ||
      compareNullsFirst(u[a], u[b]),
  );
  const x: Interactions = {
    time: columns.t,
    user: columns.u,
    session: columns.s,
    type: columns.c,
    product: new Int32Array(new SharedArrayBuffer(n * Int32Array.BYTES_PER_ELEMENT)),
  };
  // The catalogue's ids are sorted: a guide table finds them faster than the Map (a month's 42 M ids: 4.6 s → 2.0 s).
  const ids = columns.p;
  const lookup = new SortedLookup(products.ids);
  for (let i = 0; i < n; i++) x.product[i] = lookup.indexOf(ids[i]);
  return x;
}

/**
 * A split's recommendation examples in (as_of, session_id) order, targets mapped to `products`'
 * dense indices (those outside it dropped, in their order otherwise), examples left with no target
 * dropped. Read as columns (the users, times and target counts, then every target in one typed
 * column) instead of an object per row, and without the sessions' ids, which nothing uses: a
 * month's 1.8 M examples of a split in 5-6 s (10-12 s with the ids, 17-22 s as objects).
 */
export async function loadExamples(
  con: DuckDBConnection,
  path: string,
  products: ProductIndex,
): Promise<RecommendExample[]> {
  if (!existsSync(path)) throw new InputError(`${path}: no such file; run pipelines/features.ts first`);
  const order = 'ORDER BY as_of, session_id';
  const { rows: n, columns } = await readColumns(
    con,
    `SELECT user_id AS u, epoch_ms(as_of) AS a, len(targets) AS l FROM ${parquet(path)} ${order}`,
    { u: 'DOUBLE', a: 'DOUBLE', l: 'INTEGER' },
  );
  const { columns: flat } = await readColumns(
    con,
    `SELECT p FROM (SELECT as_of, session_id, unnest(targets) AS p, generate_subscripts(targets, 1) AS i
       FROM ${parquet(path)}) ${order}, i`,
    { p: 'DOUBLE' },
  );
  const total = columns.l.reduce((a, b) => a + b, 0);
  if (flat.p.length !== total) throw new Error(`${path}: read ${n} rows and ${flat.p.length} targets of ${total}`);
  const examples: RecommendExample[] = [];
  for (let r = 0, at = 0; r < n; r++) {
    const targets: number[] = [];
    for (const end = at + columns.l[r]; at < end; at++) {
      const p = products.indexOf.get(flat.p[at]);
      if (p !== undefined) targets.push(p);
    }
    if (targets.length > 0) examples.push({ user: columns.u[r], asOf: columns.a[r], targets });
  }
  return examples;
}

/** Everything the recommend family trains on, read from a data folder, and the files it read (for fingerprints). */
export interface RecommendData {
  products: ProductIndex;
  events: Interactions;
  valid: RecommendExample[];
  test: RecommendExample[];
  cutoffs: Cutoffs;
  /** Synthetic worlds only: the generator's truth, for the oracle. */
  truth: ShopTruth | null;
  inputs: string[];
}

export async function loadRecommendData(con: DuckDBConnection, catalog: DataCatalog): Promise<RecommendData> {
  for (const path of [catalog.raw.products, catalog.interim.events, catalog.interim.sessions]) {
    if (!tableExists(path)) throw new InputError(`${path}: no such file; run the data stages first (make data)`);
  }
  const cutoffs = readCutoffs(catalog.interim.splits);
  const products = await loadProducts(con, catalog.raw.products);
  const events = await loadInteractions(con, catalog.interim.events, catalog.interim.sessions, products);
  const valid = await loadExamples(con, catalog.features.set('recommend', 'valid'), products);
  const test = await loadExamples(con, catalog.features.set('recommend', 'test'), products);
  const source = existsSync(catalog.raw.source) ? JSON.parse(readFileSync(catalog.raw.source, 'utf8')) : {};
  const truth = source.kind === 'synthetic' ? shopTruth(source) : null;
  return {
    products,
    events,
    valid,
    test,
    cutoffs,
    truth,
    inputs: [
      catalog.raw.products,
      catalog.interim.events,
      catalog.interim.sessions,
      catalog.interim.splits,
      catalog.features.set('recommend', 'valid'),
      catalog.features.set('recommend', 'test'),
    ],
  };
}

/**
 * The recommend family's examples and positives per split, for its data requirements: training
 * sessions of known users before validation starts and the catalogue's products; validation and
 * test sessions (known users, with a product in the catalogue) and the distinct products they touch.
 */
export function countRecommendExamples(
  data: Pick<RecommendData, 'events' | 'cutoffs' | 'products' | 'valid' | 'test'>,
): RequirementCounts {
  // Rows come by session, so a session is counted once, at its first qualifying row.
  let trainSessions = 0;
  for (const [from, to] of sessionRanges(data.events)) {
    for (let i = from; i < to; i++)
      if (data.events.time[i] < data.cutoffs.valid.from && !Number.isNaN(data.events.user[i])) {
        trainSessions++;
        break;
      }
  }
  // Targets are dense indices below the catalogue's size.
  const products = (examples: RecommendExample[]) =>
    countDistinct(
      examples.map((e) => e.targets),
      data.products.ids.length,
    );
  return {
    train: { examples: trainSessions, positives: data.products.ids.length },
    valid: { examples: data.valid.length, positives: products(data.valid) },
    test: { examples: data.test.length, positives: products(data.test) },
  };
}
