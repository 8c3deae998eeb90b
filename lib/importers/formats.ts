/**
 * The real-log formats shoplab imports, each mapped onto the canonical tables. Every mapping is
 * SQL over the file's columns read as text, so DuckDB parses and checks millions of rows without
 * JS objects; `checks` name the reasons a row is rejected, first match wins.
 */
export type FormatName = 'rees46' | 'retailrocket' | 'diginetica';

export interface RowCheck {
  reason: string;
  /** The source field named in the report. */
  field: string;
  /**
   * SQL predicate that is true when the row fails, over the canonical columns computed by
   * `events` (event_time, user_id, ...) and the source columns as text, prefixed `src_`.
   */
  fails: string;
}

/** How one CSV file of a format maps onto canonical events. */
export interface FileSpec {
  description: string;
  delimiter: ',' | ';';
  /** The header line, exactly. */
  columns: string[];
  /** Canonical event columns as SQL expressions over the source columns. */
  events: {
    event_time: string;
    user_id: string;
    session_id: string;
    event_type: string;
    product_id: string;
    price: string;
  };
  /** Product attributes the file carries, as SQL over source columns; the rest are null. */
  products?: { category_id?: string; category_path?: string; brand?: string };
  checks: RowCheck[];
}

export interface FormatSpec extends FileSpec {
  name: FormatName;
  /** A separate purchases file the format is published with (`--buys`), mapped the same way. */
  purchases?: FileSpec;
}

const id = (col: string) => `TRY_CAST(NULLIF(trim("${col}"), '') AS BIGINT)`;
const text = (col: string) => `NULLIF(trim("${col}"), '')`;
const eventMap = (col: string, map: Record<string, string>) =>
  `CASE trim("${col}") ${Object.entries(map)
    .map(([from, to]) => `WHEN '${from}' THEN '${to}'`)
    .join(' ')} END`;
const missingId = (field: string, column: string): RowCheck => ({
  reason: 'missing_id',
  field,
  fails: `${column} IS NULL`,
});
const unknownEvent = (field: string): RowCheck => ({
  reason: 'unknown_event_type',
  field,
  fails: 'event_type IS NULL',
});
/** Event times outside 1990-2100 are taken as unparseable: they are corrupt, not history. */
const badTime = (field: string): RowCheck => ({
  reason: 'unparseable_time',
  field,
  fails: `event_time IS NULL OR event_time NOT BETWEEN TIMESTAMP '1990-01-01' AND TIMESTAMP '2100-01-01'`,
});

/**
 * A text time as a UTC TIMESTAMP, in the forms logs are published in: `2019-10-01 00:00:00 UTC`
 * (REES46), ISO 8601 with `T`, `Z` or an offset such as `+02:00` (YooChoose, re-exports through
 * pandas or Spark), with or without fractional seconds, or no zone at all (taken as UTC).
 */
function utcTimeSql(col: string): string {
  const base = ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S.%f'];
  const utc = [...base.map((f) => `${f} UTC`), ...base.map((f) => `${f}Z`), ...base];
  const list = (formats: string[]) => `[${formats.map((f) => `'${f}'`).join(', ')}]`;
  return `COALESCE(try_strptime(trim("${col}"), ${list(utc)}), timezone('UTC', try_strptime(trim("${col}"), ${list(base.map((f) => `${f}%z`))})))`;
}

const REES46_EVENTS = { view: 'view', cart: 'add_to_cart', remove_from_cart: 'remove_from_cart', purchase: 'purchase' };
const RETAILROCKET_EVENTS = { view: 'view', addtocart: 'add_to_cart', transaction: 'purchase' };
/** Milliseconds since 1970, taken only within 1990-2100 so the timestamp cannot overflow. */
const RETAILROCKET_TIME = `CASE WHEN TRY_CAST(trim("timestamp") AS BIGINT) BETWEEN 631152000000 AND 4102444800000
  THEN make_timestamp(TRY_CAST(trim("timestamp") AS BIGINT) * 1000) END`;
/** Diginetica's timeframe is milliseconds since the session's first event; taken within a year. */
const DIGINETICA_TIME = `try_strptime(trim("eventdate"), '%Y-%m-%d') + to_milliseconds(CASE WHEN TRY_CAST(trim("timeframe") AS BIGINT) BETWEEN 0 AND 31536000000 THEN TRY_CAST(trim("timeframe") AS BIGINT) END)`;

/** Diginetica's views and purchases share their columns but for the purchases' `ordernumber`. */
const digineticaEvents = (type: 'view' | 'purchase'): FileSpec['events'] => ({
  event_time: DIGINETICA_TIME,
  user_id: `TRY_CAST(NULLIF(NULLIF(trim("user_id"), ''), 'NA') AS BIGINT)`,
  session_id: text('session_id'),
  event_type: `'${type}'`,
  product_id: id('item_id'),
  price: 'CAST(NULL AS DOUBLE)',
});
const DIGINETICA_CHECKS: RowCheck[] = [
  missingId('session_id', 'session_id'),
  missingId('item_id', 'product_id'),
  {
    reason: 'bad_id',
    field: 'user_id',
    fails: `user_id IS NULL AND NULLIF(NULLIF(trim(src_user_id), ''), 'NA') IS NOT NULL`,
  },
  {
    reason: 'unparseable_time',
    field: 'timeframe',
    fails: `TRY_CAST(trim(src_timeframe) AS BIGINT) IS NULL OR NOT TRY_CAST(trim(src_timeframe) AS BIGINT) BETWEEN 0 AND 31536000000`,
  },
  badTime('eventdate'),
];

export const FORMATS: Record<FormatName, FormatSpec> = {
  rees46: {
    name: 'rees46',
    description: 'REES46 e-commerce behaviour CSV',
    delimiter: ',',
    columns: [
      'event_time',
      'event_type',
      'product_id',
      'category_id',
      'category_code',
      'brand',
      'price',
      'user_id',
      'user_session',
    ],
    events: {
      event_time: utcTimeSql('event_time'),
      user_id: id('user_id'),
      session_id: text('user_session'),
      event_type: eventMap('event_type', REES46_EVENTS),
      product_id: id('product_id'),
      price: `TRY_CAST(NULLIF(trim("price"), '') AS DOUBLE)`,
    },
    products: {
      category_id: text('category_id'),
      category_path: `replace(${text('category_code')}, '.', ' > ')`,
      brand: text('brand'),
    },
    checks: [
      missingId('user_id', 'user_id'),
      missingId('product_id', 'product_id'),
      badTime('event_time'),
      unknownEvent('event_type'),
      {
        reason: 'unparseable_price',
        field: 'price',
        fails: `NULLIF(trim(src_price), '') IS NOT NULL AND (price IS NULL OR NOT isfinite(price))`,
      },
      { reason: 'negative_price', field: 'price', fails: 'price < 0' },
    ],
  },
  retailrocket: {
    name: 'retailrocket',
    description: 'RetailRocket events.csv',
    delimiter: ',',
    columns: ['timestamp', 'visitorid', 'event', 'itemid', 'transactionid'],
    events: {
      event_time: RETAILROCKET_TIME,
      user_id: id('visitorid'),
      session_id: 'CAST(NULL AS VARCHAR)',
      event_type: eventMap('event', RETAILROCKET_EVENTS),
      product_id: id('itemid'),
      price: 'CAST(NULL AS DOUBLE)',
    },
    checks: [
      missingId('visitorid', 'user_id'),
      missingId('itemid', 'product_id'),
      badTime('timestamp'),
      unknownEvent('event'),
    ],
  },
  diginetica: {
    name: 'diginetica',
    description: 'Diginetica train-item-views.csv',
    delimiter: ';',
    columns: ['session_id', 'user_id', 'item_id', 'timeframe', 'eventdate'],
    events: digineticaEvents('view'),
    checks: DIGINETICA_CHECKS,
    purchases: {
      description: 'Diginetica train-purchases.csv',
      delimiter: ';',
      columns: ['session_id', 'user_id', 'timeframe', 'eventdate', 'ordernumber', 'item_id'],
      events: digineticaEvents('purchase'),
      checks: DIGINETICA_CHECKS,
    },
  },
};

export const FORMAT_NAMES = Object.keys(FORMATS) as FormatName[];

/** Source-column-count errors found by the CSV reader share this reason. */
export const WRONG_COLUMN_COUNT = 'wrong_column_count';
