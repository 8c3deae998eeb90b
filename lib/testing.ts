/** Test support: running stage scripts and building small DuckDB tables. Not used by stages. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';

import { fileSha256 } from './io/index';
import { RAW_TABLES } from './tables';

export const ROOT = resolve(import.meta.dirname, '..');

export interface StageRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The last stdout line parsed as JSON, or null. */
  summary: Record<string, any> | null;
}

/** Runs `npx tsx pipelines/<stage>.ts args` from the project root. */
export function runStageScript(stage: string, args: string[]): StageRun {
  const result = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'pipelines', `${stage}.ts`), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  const lastLine = result.stdout.trim().split('\n').pop() ?? '';
  let summary: Record<string, any> | null = null;
  try {
    summary = JSON.parse(lastLine);
  } catch {
    summary = null;
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, summary };
}

/** Runs stages in order on one data folder, each with its flags; throws with the stage's stderr on the first that fails. */
export function runStages(
  data: string,
  stages: readonly (readonly [string, readonly string[]])[],
): ReturnType<typeof runStageScript>[] {
  return stages.map(([stage, args]) => {
    const run = runStageScript(stage, [...args, '--data', data]);
    if (run.status !== 0) throw new Error(`${stage} exited ${run.status}:\n${run.stderr}`);
    return run;
  });
}

/**
 * Starts `pipelines/serve.ts` on a free port in one process (node with tsx's loader, so its CPU
 * time is the server's own) and resolves with its base URL. `env` replaces the environment.
 */
export function startServer(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
  /** A bundle of the service (scripts/bundle-serve.mjs), run with plain node, instead of pipelines/serve.ts with tsx. */
  bundle?: string,
): Promise<{ child: ChildProcess; url: string }> {
  const entry = bundle ? [bundle] : ['--import', 'tsx', join(ROOT, 'pipelines/serve.ts')];
  const child = spawn(process.execPath, [...entry, '--data', dataDir], {
    cwd: ROOT,
    env: { ...env, PORT: '0' },
    detached: true,
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (chunk) => {
      err += chunk;
      const m = /serve: (http:\/\/\S+)/.exec(err);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

/** A function that puts these environment variables back as they are now (a test's `afterEach`). */
export function savedEnv(...names: string[]): () => void {
  const saved = names.map((name) => [name, process.env[name]] as const);
  return () => {
    for (const [name, value] of saved)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5), counted from the state field (3): utime and stime in clock ticks.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The processes a process started, from /proc (empty once it is gone). */
export function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** CPU seconds a process and every process under it have used so far (a multi-process service's total). */
export function treeCpuSeconds(pid: number): number {
  let total = 0;
  try {
    total = processCpuSeconds(pid);
  } catch {
    return 0;
  }
  for (const child of childPids(pid)) total += treeCpuSeconds(child);
  return total;
}

/** A new folder under the test run's temporary root (test/global-setup.ts removes it at the end). */
export const tempDir = (prefix = 'shoplab-') => mkdtempSync(join(tmpdir(), prefix));

/** The reference files the tests compare against, copied into the repository (see test/NOTICE.md). */
export const TEST_FILES = join(ROOT, 'test');
export const referenceJson = (name: 'metric-cases' | 'xgboost-lightgbm-examples') =>
  JSON.parse(readFileSync(join(TEST_FILES, 'reference', `${name}.json`), 'utf8'));
export const lightgbmExamplePath = (name: string) => join(TEST_FILES, 'datasets', 'lightgbm-examples', name);
export const lightgbmExample = (name: string) => readFileSync(lightgbmExamplePath(name), 'utf8');

/** sha256 of every file in a folder, by name. */
export function folderHashes(dir: string): Record<string, string> {
  return Object.fromEntries(
    (readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => statSync(join(dir, f)).isFile())
      .sort()
      .map((f) => [f, fileSha256(join(dir, f))]),
  );
}

type Cell = string | number | boolean | null | Date;

const literal = (v: Cell): string => {
  if (v === null) return 'NULL';
  if (v instanceof Date) return `TIMESTAMP '${v.toISOString().replace('T', ' ').replace('Z', '')}'`;
  if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`;
  return String(v);
};

/** Creates a table from a few rows, with explicit column types (VALUES cannot infer NULL columns). */
export async function tableFromRows(
  con: DuckDBConnection,
  name: string,
  types: Record<string, string>,
  rows: Record<string, Cell>[],
): Promise<void> {
  const cols = Object.keys(types);
  await con.run(`CREATE TABLE ${name} (${cols.map((c) => `${c} ${types[c]}`).join(', ')})`);
  if (rows.length === 0) return;
  await con.run(
    `INSERT INTO ${name} VALUES ${rows.map((r) => `(${cols.map((c) => literal(r[c] ?? null)).join(', ')})`).join(', ')}`,
  );
}

/** The canonical events table's columns and types (lib/tables.ts), for tables built by hand in tests. */
export const EVENT_COLUMNS = RAW_TABLES.events;

/**
 * Writes a synthetic world's raw events as a real log format, so importers and the pipelines after
 * them can be run on logs with structure: REES46 (clicks become views, carts `cart`, searches
 * dropped), RetailRocket (views, carts, purchases; epoch ms) or Diginetica (views; `;`-separated,
 * timeframe in ms since the session's first event).
 */
export async function exportWorldAs(
  con: DuckDBConnection,
  rawDir: string,
  format: 'rees46' | 'retailrocket' | 'diginetica',
  path: string,
): Promise<void> {
  const events = `read_parquet('${join(rawDir, 'events', '*.parquet')}')`;
  const products = `read_parquet('${join(rawDir, 'products.parquet')}')`;
  const select = {
    rees46: `SELECT strftime(e.event_time, '%Y-%m-%d %H:%M:%S') || ' UTC' AS event_time,
        CASE e.event_type WHEN 'add_to_cart' THEN 'cart' WHEN 'click' THEN 'view' ELSE e.event_type END AS event_type,
        e.product_id, p.category_id, replace(lower(p.category_path), ' > ', '.') AS category_code, lower(p.brand) AS brand, e.price, e.user_id, e.session_id AS user_session
      FROM ${events} e JOIN ${products} p USING (product_id) WHERE e.event_type <> 'search' ORDER BY e.event_time, e.session_id`,
    retailrocket: `SELECT epoch_ms(event_time) AS timestamp, user_id AS visitorid,
        CASE event_type WHEN 'add_to_cart' THEN 'addtocart' WHEN 'purchase' THEN 'transaction' ELSE 'view' END AS event, product_id AS itemid, NULL AS transactionid
      FROM ${events} WHERE event_type IN ('view', 'add_to_cart', 'purchase') ORDER BY event_time, session_id`,
    diginetica: `SELECT session_id, coalesce(CAST(user_id AS VARCHAR), 'NA') AS user_id, product_id AS item_id,
        epoch_ms(event_time) - epoch_ms(min(event_time) OVER (PARTITION BY session_id)) AS timeframe,
        strftime(min(event_time) OVER (PARTITION BY session_id), '%Y-%m-%d') AS eventdate
      FROM ${events} WHERE event_type = 'view' ORDER BY session_id, event_time`,
  }[format];
  await con.run(`COPY (${select}) TO '${path}' (HEADER, DELIMITER '${format === 'diginetica' ? ';' : ','}')`);
}
