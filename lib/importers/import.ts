import {
  closeSync,
  createReadStream,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';

import type { DataCatalog } from '../catalog';
import { InputError } from '../errors';
import { canonicalSelect } from '../tables';
import { type FileSpec, FORMATS, type FormatName, type FormatSpec, type RowCheck, WRONG_COLUMN_COUNT } from './formats';
import { linesOfAcceptedRows, RecordLines } from './lines';
import { sniffHeader } from './sniff';
import {
  AtomicBatch,
  copyDaysToParquet,
  copyToParquet,
  dayFiles,
  type DuckDBOptions,
  parquetSql,
  onDay,
  queryRows,
  splitIntoDays,
  sqlString,
  tableExists,
  withDuckDB,
} from '../io/index';

/** A rejected row, as reported: where it is, which field, why, and what the field held. */
export interface RejectExample {
  /** The file, when an import reads more than one. */
  file?: string;
  line: number;
  field: string | null;
  reason: string;
  value: string | null;
}

export interface ImportSummary {
  format: string;
  input: string;
  rows_read: number;
  rows_accepted: number;
  rows_rejected: number;
  rejected_by_reason: Record<string, number>;
  examples: RejectExample[];
  events: number;
  products: number;
  users: number;
  source_sessions: number;
}

/** How many rejected rows of each reason are reported in full. */
export const EXAMPLES_PER_REASON = 3;

/** DuckDB's CSV error types, as our reasons. */
const READER_REASONS: Record<string, string> = {
  'MISSING COLUMNS': WRONG_COLUMN_COUNT,
  'TOO MANY COLUMNS': WRONG_COLUMN_COUNT,
  'INVALID ENCODING': 'invalid_encoding',
  'INVALID UNICODE': 'invalid_encoding',
};

export function readHead(path: string, bytes = 65536): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buffer = new Uint8Array(bytes);
    const n = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** What reading one file found: accepted rows, rejects by reason, examples with their lines. */
export interface StagedFile {
  accepted: number;
  rejectedByReason: Record<string, number>;
  examples: RejectExample[];
}

/** Refuses a path that is not an existing file. */
export function checkIsFile(input: string): void {
  if (!existsSync(input)) throw new InputError(`${input}: no such file`);
  if (!statSync(input).isFile()) throw new InputError(`${input}: not a file`);
}

/** Checks that `input` is a readable file whose header is `spec`'s; returns the delimiter it uses. */
function checkFile(input: string, spec: Pick<FormatSpec, 'columns' | 'delimiter' | 'description'>): string {
  checkIsFile(input);
  const header = sniffHeader(readHead(input), spec);
  if (header.problem !== null) throw new InputError(`${input}: ${header.problem}`);
  return header.delimiter;
}

/** How to stage one file: its reader, its output columns as SQL over its columns, the checks. */
export interface StageSpec {
  /** The relation reading the file (`read_csv(...)` with rejects stored, or `read_parquet(...)`). */
  read: string;
  /** Output columns, as SQL over the source columns. */
  columns: Record<string, string>;
  /** First failing check per row gives its reason; `fields` are source columns, named in reports. */
  checks: RowCheck[];
  /** Whether the reader stored rejects in `<table>_rejects` (CSV); lines of a Parquet file are row numbers. */
  csv: boolean;
  /**
   * Whether `columns` use `rowid`, the file's order (a window such as counting earlier rows with
   * the same id): the file is then copied into a table first. Otherwise each row's columns and
   * checks are computed as the file is read, and the row is the staged table's own row number.
   */
  usesRowid?: boolean;
}

/**
 * Reads `input` into `table` on `con`: one row per source row, in file order, with its row number
 * `row`, the output columns, and the reason, field and source value of the first check it fails
 * (null when good). Returns the counts and up to EXAMPLES_PER_REASON examples per reason, each with
 * its line in the file. Without `spec.usesRowid`, `table` is a view over `<table>_rows`.
 */
export async function stageRows(
  con: DuckDBConnection,
  spec: StageSpec,
  input: string,
  table: string,
): Promise<StagedFile> {
  // Output columns are computed once; the first failing check per row gives its reason,
  // field and source value.
  const fields = [...new Set(spec.checks.map((c) => c.field))];
  const failed = spec.checks.length
    ? `CASE ${spec.checks.map((c, k) => `WHEN ${c.fails} THEN ${k + 1}`).join(' ')} END`
    : 'CAST(NULL AS INTEGER)';
  const list = (values: string[]) =>
    `(${values.length ? `[${values.map(sqlString).join(', ')}]` : 'CAST([] AS VARCHAR[])'})`;
  const value = spec.checks.length
    ? `CASE failed ${spec.checks.map((c, k) => `WHEN ${k + 1} THEN CAST("src_${c.field}" AS VARCHAR)`).join(' ')} END`
    : 'CAST(NULL AS VARCHAR)';
  const columns = Object.entries(spec.columns);
  const staged = (source: string, row: boolean) => `
    WITH typed AS (
      SELECT ${row ? 'rowid AS row, ' : ''}${fields.map((f) => `"${f}" AS "src_${f}", `).join('')}
        ${columns.map(([name, sql]) => `${sql} AS "${name}"`).join(', ')}
      FROM ${source}),
    checked AS (SELECT *, ${failed} AS failed FROM typed)
    SELECT ${row ? 'row, ' : ''}${list(spec.checks.map((c) => c.reason))}[failed] AS reason, ${list(spec.checks.map((c) => c.field))}[failed] AS field,
      ${value} AS value, ${columns.map(([name]) => `"${name}"`).join(', ')}
    FROM checked`;
  if (spec.usesRowid) {
    await con.run(`CREATE TABLE ${table}_src AS SELECT * FROM ${spec.read}`);
    await con.run(`CREATE TABLE ${table} AS ${staged(`${table}_src`, true)}`);
    await con.run(`DROP TABLE ${table}_src`);
  } else {
    // Read, typed and checked in one streaming pass; the insertion order is the file's.
    await con.run(`CREATE TABLE ${table}_rows AS ${staged(spec.read, false)}`);
    await con.run(`CREATE VIEW ${table} AS SELECT rowid AS row, * FROM ${table}_rows`);
  }

  const counts = await queryRows(con, `SELECT reason, count(*) AS n FROM ${table} GROUP BY reason`);
  const readerRejects = spec.csv
    ? await queryRows(con, `SELECT line, error_type, column_name, csv_line FROM ${table}_rejects ORDER BY line`)
    : [];
  const rejectedByReason: Record<string, number> = {};
  let accepted = 0;
  for (const { reason: r, n } of counts) {
    if (r === null) accepted = Number(n);
    else rejectedByReason[r as string] = Number(n);
  }
  const readerExamples: RejectExample[] = [];
  const rejectedLines = new Set<number>();
  for (const r of readerRejects) {
    const why = READER_REASONS[r.error_type as string] ?? 'malformed_csv';
    if (rejectedLines.has(Number(r.line))) continue;
    rejectedLines.add(Number(r.line));
    rejectedByReason[why] = (rejectedByReason[why] ?? 0) + 1;
    if (readerExamples.filter((x) => x.reason === why).length < EXAMPLES_PER_REASON) {
      readerExamples.push({
        line: Number(r.line),
        field: null,
        reason: why,
        value: String(r.csv_line ?? '')
          .trim()
          .slice(0, 200),
      });
    }
  }
  const valueExamples = await queryRows(
    con,
    `SELECT row, reason, field, value FROM
    (SELECT *, row_number() OVER (PARTITION BY reason ORDER BY row) AS k FROM ${table} WHERE reason IS NOT NULL) WHERE k <= ${EXAMPLES_PER_REASON} ORDER BY row`,
  );
  // The reader's line numbers skip newlines inside quoted fields: examples give the file's own lines.
  const found =
    spec.csv && (valueExamples.length > 0 || readerExamples.length > 0)
      ? await acceptedRowLines(
          input,
          valueExamples.map((x) => Number(x.row)),
          rejectedLines,
          readerExamples.map((x) => x.line),
        )
      : null;
  // A Parquet file has no header and no multi-line records: its rows are its lines.
  const lines = found ? found.accepted : new Map(valueExamples.map((x) => [Number(x.row), Number(x.row) + 1]));
  for (const x of readerExamples) x.line = found?.reader.get(x.line) ?? x.line;
  const examples = [
    ...readerExamples,
    ...valueExamples.map((x) => ({
      line: lines.get(Number(x.row)) ?? -1,
      field: x.field as string,
      reason: x.reason as string,
      value: x.value as string | null,
    })),
  ].sort((a, b) => a.line - b.line);
  return { accepted, rejectedByReason, examples };
}

/** The error for a file none of whose rows could be read, naming its first reject (`what`: row, product). */
export function nothingRead(input: string, staged: StagedFile, what: string): InputError {
  const first = staged.examples[0];
  const n = Object.values(staged.rejectedByReason).reduce((a, b) => a + b, 0);
  return new InputError(
    `${input}: no ${what} could be read (${n} rejected${first ? `; first at line ${first.line}, ${first.field ?? 'row'}: ${first.reason}` : ''})`,
  );
}

/**
 * Ends an import: writes the source description into the batch, commits every table at once, and
 * removes the tables only a synthetic world has (they would no longer match the imported data).
 */
export function commitImport(catalog: DataCatalog, batch: AtomicBatch, source: Record<string, unknown>): void {
  writeFileSync(batch.add(catalog.raw.source), `${JSON.stringify(source, null, 2)}\n`);
  batch.commit();
  // The tables only a synthetic world has, and the single events file of the layout before day files.
  for (const stale of [
    catalog.raw.impressions,
    catalog.raw.truthImpressions,
    catalog.raw.truthSessions,
    catalog.raw.legacyEvents,
  ])
    rmSync(stale, { force: true });
}

/** The CSV reader options every import uses: text columns, rejects stored per table. */
export const csvRejects = (table: string) =>
  `ignore_errors = true, store_rejects = true, rejects_table = '${table}_rejects', rejects_scan = '${table}_scans'`;

/** Reads an event file of `spec` into `table` (see `stageRows`): canonical event and product columns. */
async function stageFile(
  con: DuckDBConnection,
  spec: FileSpec,
  input: string,
  delimiter: string,
  table: string,
): Promise<StagedFile> {
  const columns = `{${spec.columns.map((c) => `'${c}': 'VARCHAR'`).join(', ')}}`;
  const p = spec.products ?? {};
  return stageRows(
    con,
    {
      read: `read_csv(${sqlString(input)}, header = true, auto_detect = false, columns = ${columns},
        delim = ${sqlString(delimiter)}, quote = '"', escape = '"', ${csvRejects(table)}, strict_mode = true)`,
      columns: {
        ...spec.events,
        category_id: p.category_id ?? 'CAST(NULL AS VARCHAR)',
        category_path: p.category_path ?? 'CAST(NULL AS VARCHAR)',
        brand: p.brand ?? 'CAST(NULL AS VARCHAR)',
      },
      checks: spec.checks,
      csv: true,
    },
    input,
    table,
  );
}

/** What staging an import's files found, over all of them. */
interface StagedLog {
  accepted: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  examples: RejectExample[];
}

/**
 * Stages each of `files` (spec, path, delimiter) into `rows<i>` on `con` and fails, naming the
 * file and its first reject, when one of them has no good row.
 */
async function stageLog(con: DuckDBConnection, files: [FileSpec, string, string][]): Promise<StagedLog> {
  const staged: StagedFile[] = [];
  for (const [i, [fileSpec, path, delimiter]] of files.entries())
    staged.push(await stageFile(con, fileSpec, path, delimiter, `rows${i}`));
  const rejectedByReason: Record<string, number> = {};
  for (const f of staged)
    for (const [reason, n] of Object.entries(f.rejectedByReason))
      rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + n;
  const examples = staged.flatMap((f, i) =>
    files.length > 1 ? f.examples.map((x) => ({ file: files[i][1], ...x })) : f.examples,
  );
  const problem = staged.findIndex((f) => f.accepted === 0);
  if (problem >= 0) throw nothingRead(files[problem][1], staged[problem], 'row');
  return {
    accepted: staged.reduce((n, f) => n + f.accepted, 0),
    rejected: Object.values(rejectedByReason).reduce((a, b) => a + b, 0),
    rejectedByReason,
    examples,
  };
}

/**
 * Creates the view `events` on `con` over the good rows of the staged `rows<i>` views, with
 * `file_order`: the rows' order in the files, one file after another.
 */
async function collectEvents(con: DuckDBConnection, files: number): Promise<void> {
  const columns = 'event_time, user_id, session_id, event_type, product_id, price, category_id, category_path, brand';
  await con.run(
    `CREATE VIEW events AS ${Array.from({ length: files }, (_, i) => `SELECT ${columns}, (CAST(${i} AS BIGINT) << 40) + row AS file_order FROM rows${i} WHERE reason IS NULL`).join(' UNION ALL ')}`,
  );
}

/**
 * Imports a real clickstream log into the canonical tables under `catalog.raw`. DuckDB reads
 * the file as text in a streaming scan; rows that cannot be read are counted by reason and never
 * reach the tables. Nothing is written unless the file is the named format and some rows are good.
 * `purchases` is the format's separate purchases file (Diginetica's `train-purchases.csv`), read
 * the same way; its rejects and examples name that file.
 */
export async function importLog(
  format: FormatName,
  input: string,
  catalog: DataCatalog,
  options: DuckDBOptions = {},
  onStep?: (step: string) => void,
  purchases?: string,
): Promise<ImportSummary> {
  const spec = FORMATS[format];
  if (purchases !== undefined && !spec.purchases)
    throw new InputError(`the ${format} format has no separate purchases file`);
  const files: [FileSpec, string, string][] = [[spec, input, checkFile(input, spec)]];
  if (purchases !== undefined) files.push([spec.purchases!, purchases, checkFile(purchases, spec.purchases!)]);

  const batch = new AtomicBatch();
  try {
    return await withDuckDB(async (con) => {
      onStep?.('reading');
      const log = await stageLog(con, files);
      onStep?.('writing');
      await collectEvents(con, files.length);
      const stats = await writeImportedTables(
        con,
        catalog,
        batch,
        {
          kind: 'import',
          format,
          input,
          ...(purchases !== undefined ? { purchases } : {}),
        },
        { order: 'file_order' },
      );
      return importSummary(format, input, log, stats);
    }, options);
  } finally {
    batch.discard();
  }
}

function importSummary(
  format: string,
  input: string,
  log: StagedLog,
  stats: Pick<ImportSummary, 'events' | 'products' | 'users' | 'source_sessions'>,
): ImportSummary {
  return {
    format,
    input,
    rows_read: log.accepted + log.rejected,
    rows_accepted: log.accepted,
    rows_rejected: log.rejected,
    rejected_by_reason: log.rejectedByReason,
    examples: log.examples,
    ...stats,
  };
}

/** What `appendLog` adds to an import's summary: the log's span before and after. */
export interface AppendSummary extends ImportSummary {
  appended_events: number;
  first_appended: string;
  log_ends: string;
}

/** The source description of an imported event log in `catalog`, or an error saying what the folder holds. */
function importedLogSource(catalog: DataCatalog, format: FormatName): { inputs?: string[]; input: string } {
  const what = catalog.raw.source;
  for (const path of [catalog.raw.source, catalog.raw.events])
    if (!tableExists(path))
      throw new InputError(
        `${path}: no such file; --append adds to an imported log: import the first days without --append`,
      );
  const source = JSON.parse(readFileSync(catalog.raw.source, 'utf8')) as Record<string, unknown>;
  if (source.kind !== 'import')
    throw new InputError(
      `${what}: the folder holds a ${source.kind === 'catalog' ? 'product catalogue' : 'generated world'}, not an imported log; --append adds to an imported log`,
    );
  if (source.format !== format)
    throw new InputError(
      `${what}: the folder holds a ${String(source.format)} log; --append needs the same --format, not ${format}`,
    );
  if (source.purchases !== undefined)
    throw new InputError(
      `${what}: the log was imported with a separate purchases file; --append takes single-file logs`,
    );
  return source as { inputs?: string[]; input: string };
}

/**
 * Adds a later part of a log (a new day's file, in the same format) to the log imported in
 * `catalog`: the raw events are the log's followed by the file's good rows, as if the two files had
 * been imported as one; each product's latest category, brand and price and each user's first
 * event are updated from the new rows. Every new event must be later than the log's last one (a
 * day already imported, or overlapping days, are refused). Nothing is written unless all is well.
 */
export async function appendLog(
  format: FormatName,
  input: string,
  catalog: DataCatalog,
  onStep?: (step: string) => void,
): Promise<AppendSummary> {
  const spec = FORMATS[format];
  // A folder an older shoplab wrote has its events in one file.
  await splitIntoDays(catalog.raw.legacyEvents, 'event_time', catalog.raw.eventDays);
  const source = importedLogSource(catalog, format);
  const files: [FileSpec, string, string][] = [[spec, input, checkFile(input, spec)]];
  const batch = new AtomicBatch();
  try {
    return await withDuckDB(async (con) => {
      onStep?.('reading');
      const log = await stageLog(con, files);
      await collectEvents(con, 1);
      const [span] = await queryRows(
        con,
        `SELECT (SELECT CAST(max(event_time) AS VARCHAR) FROM ${parquetSql(catalog.raw.events)}) AS log_ends,
          (SELECT CAST(min(event_time) AS VARCHAR) FROM events) AS first_new,
          (SELECT CAST(max(event_time) AS VARCHAR) FROM events) AS last_new,
          (SELECT count(*) FROM events) AS n,
          (SELECT min(event_time) FROM events) <= (SELECT max(event_time) FROM ${parquetSql(catalog.raw.events)}) AS overlaps`,
      );
      if (span.overlaps === true)
        throw new InputError(
          `${input}: its first event (${span.first_new}) is not later than the imported log's last (${span.log_ends}); --append adds the events after the log, such as the next day's file`,
        );
      onStep?.('writing');
      const stats = await writeImportedTables(
        con,
        catalog,
        batch,
        { kind: 'import', format, input: source.input, inputs: [...(source.inputs ?? [source.input]), input] },
        { append: true, order: 'file_order' },
      );
      return {
        ...importSummary(format, input, log, stats),
        appended_events: Number(span.n),
        first_appended: String(span.first_new),
        log_ends: String(span.last_new),
      };
    });
  } finally {
    batch.discard();
  }
}

/**
 * Writes the canonical raw tables from the table `events` on `con` (event_time, user_id, session_id,
 * event_type, product_id, price, category_id, category_path, brand) and the source description, all
 * or nothing through `batch`, and removes the tables only a synthetic world has. Returns the counts.
 * With `append`, `events` holds rows later than every raw event already in `catalog`: the raw
 * events become those followed by these (only the new days' files are written), each product's
 * columns the latest non-null value of either, each user's first event the earlier one; the same
 * tables an import of both logs as one gives. `order` is the column giving `events`' rows in the
 * log's order (the table's own rowid unless `events` is a view).
 */
export async function writeImportedTables(
  con: DuckDBConnection,
  catalog: DataCatalog,
  batch: AtomicBatch,
  source: Record<string, unknown>,
  { append = false, order = 'rowid' }: { append?: boolean; order?: string } = {},
): Promise<Pick<ImportSummary, 'events' | 'products' | 'users' | 'source_sessions'>> {
  const canonical = canonicalSelect('events', {
    event_time: 'event_time',
    user_id: 'user_id',
    session_id: 'session_id',
    event_type: 'event_type',
    product_id: 'product_id',
    price: 'price',
  });
  // One file per day, each day's rows in file order. Appending writes only the new days: the log's
  // last day is rewritten (its rows first, then the new ones) only when the new rows begin on it.
  const lastDay = append ? dayFiles(catalog.raw.eventDays).at(-1) : undefined;
  const sharesLastDay =
    lastDay !== undefined &&
    (await queryRows(con, `SELECT 1 FROM events WHERE ${onDay('event_time', lastDay.day)} LIMIT 1`)).length > 0;
  await copyDaysToParquet(
    con,
    sharesLastDay
      ? `(SELECT * EXCLUDE (file_row_number), 0 AS part, file_row_number AS row FROM read_parquet(${sqlString(lastDay.path)}, file_row_number = true)
          UNION ALL SELECT ${canonical}, 1 AS part, ${order} AS row FROM events)`
      : append
        ? `(SELECT ${canonical}, 1 AS part, ${order} AS row FROM events)`
        : 'events',
    'event_time',
    catalog.raw.eventDays,
    batch,
    append
      ? { replace: false, orderBy: 'part, row', columns: '* EXCLUDE (part, row)' }
      : { replace: true, orderBy: order, columns: canonical },
  );
  // The latest value the log shows for each product; what it never shows stays null.
  const latest = {
    product_id: 'product_id',
    category_id: 'arg_max(category_id, event_time)',
    category_path: 'arg_max(category_path, event_time)',
    brand: 'arg_max(brand, event_time)',
    price: 'arg_max(price, event_time)',
  };
  await copyToParquet(
    con,
    append
      ? `WITH latest AS (SELECT ${Object.entries(latest)
          .map(([c, sql]) => `${sql} AS ${c}`)
          .join(', ')} FROM events GROUP BY product_id)
        SELECT ${canonicalSelect(
          'products',
          Object.fromEntries(Object.keys(latest).map((c) => [c, `coalesce(l.${c}, o.${c})`])),
        )}
        FROM read_parquet(${sqlString(catalog.raw.products)}) o FULL OUTER JOIN latest l ON o.product_id = l.product_id
        ORDER BY product_id`
      : `SELECT ${canonicalSelect('products', latest)} FROM events GROUP BY product_id ORDER BY product_id`,
    catalog.raw.products,
    batch,
  );
  const firstSeen = `SELECT user_id, min(event_time) AS first_seen FROM events WHERE user_id IS NOT NULL GROUP BY user_id`;
  await copyToParquet(
    con,
    `SELECT ${canonicalSelect('users', { user_id: 'user_id', first_seen: 'min(first_seen)' })}
    FROM (${append ? `SELECT user_id, first_seen FROM read_parquet(${sqlString(catalog.raw.users)}) UNION ALL ` : ''}${firstSeen})
    GROUP BY user_id ORDER BY user_id`,
    catalog.raw.users,
    batch,
  );
  // Appending: the counts from the log's tables and the new rows (its products and users are
  // those of its events), reading only the session ids of the whole log.
  const fresh = `(SELECT ${canonical} FROM events)`;
  const [stats] = await queryRows(
    con,
    append
      ? `SELECT (SELECT count(*) FROM ${parquetSql(catalog.raw.events)}) + (SELECT count(*) FROM events) AS events,
        (SELECT count(*) FROM (SELECT product_id FROM ${parquetSql(catalog.raw.products)} UNION SELECT product_id FROM ${fresh})) AS products,
        (SELECT count(*) FROM (SELECT user_id FROM ${parquetSql(catalog.raw.users)} UNION SELECT user_id FROM ${fresh} WHERE user_id IS NOT NULL)) AS users,
        (SELECT count(DISTINCT session_id) FROM (SELECT session_id FROM ${parquetSql(catalog.raw.events)} UNION ALL SELECT session_id FROM ${fresh})) AS source_sessions`
      : `SELECT count(*) AS events, count(DISTINCT product_id) AS products, count(DISTINCT user_id) AS users,
        count(DISTINCT session_id) AS source_sessions FROM ${fresh}`,
  );
  commitImport(catalog, batch, source);

  return {
    events: Number(stats.events),
    products: Number(stats.products),
    users: Number(stats.users),
    source_sessions: Number(stats.source_sessions),
  };
}

/** Line numbers of accepted rows, found by scanning the file only as far as the last one needed. */
async function acceptedRowLines(
  input: string,
  rows: number[],
  rejectedLines: ReadonlySet<number>,
  readerExampleLines: number[],
): Promise<{ accepted: Map<number, number>; reader: Map<number, number> }> {
  // Scanned only as far as the last line an example needs.
  let needed = rejectedLines.size + 2;
  for (const r of rows) needed = Math.max(needed, r + rejectedLines.size + 2);
  for (const line of readerExampleLines) needed = Math.max(needed, line + 1);
  const scanner = new RecordLines();
  for await (const chunk of createReadStream(input, { highWaterMark: 1 << 20 })) {
    scanner.feed(chunk as Buffer);
    if (scanner.starts.length > needed) break;
  }
  const starts = scanner.finish();
  const reader = new Map(scanner.readerLines.map((line, k) => [line, starts[k]]));
  return { accepted: linesOfAcceptedRows(rows, starts, scanner.readerLines, rejectedLines), reader };
}
