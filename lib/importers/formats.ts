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
  /** SQL predicate over the source columns (text) that is true when the row fails. */
  fails: string;
}

export interface FormatSpec {
  name: FormatName;
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
  /** Product attributes the log carries, as SQL over source columns; the rest are null. */
  products: { category_id?: string; category_path?: string; brand?: string };
  checks: RowCheck[];
}

const id = (col: string) => `TRY_CAST(NULLIF(trim("${col}"), '') AS BIGINT)`;
const missingId = (col: string): RowCheck => ({ reason: 'missing_id', field: col, fails: `${id(col)} IS NULL` });
const text = (col: string) => `NULLIF(trim("${col}"), '')`;
const eventMap = (col: string, map: Record<string, string>) =>
  `CASE trim("${col}") ${Object.entries(map).map(([from, to]) => `WHEN '${from}' THEN '${to}'`).join(' ')} END`;
const eventCheck = (col: string, map: Record<string, string>): RowCheck => ({ reason: 'unknown_event_type', field: col, fails: `${eventMap(col, map)} IS NULL` });
/** Event times outside these years are taken as unparseable: they are corrupt, not history. */
const plausibleTime = (expr: string) => `(${expr}) BETWEEN TIMESTAMP '1990-01-01' AND TIMESTAMP '2100-01-01'`;

const REES46_EVENTS = { view: 'view', cart: 'add_to_cart', remove_from_cart: 'remove_from_cart', purchase: 'purchase' };
const REES46_TIME = `try_strptime(trim("event_time"), '%Y-%m-%d %H:%M:%S UTC')`;
const RETAILROCKET_EVENTS = { view: 'view', addtocart: 'add_to_cart', transaction: 'purchase' };
const RETAILROCKET_TIME = `make_timestamp(TRY_CAST(trim("timestamp") AS BIGINT) * 1000)`;
const DIGINETICA_TIME = `try_strptime(trim("eventdate"), '%Y-%m-%d') + to_milliseconds(TRY_CAST(trim("timeframe") AS BIGINT))`;

export const FORMATS: Record<FormatName, FormatSpec> = {
  rees46: {
    name: 'rees46',
    description: 'REES46 e-commerce behaviour CSV',
    delimiter: ',',
    columns: ['event_time', 'event_type', 'product_id', 'category_id', 'category_code', 'brand', 'price', 'user_id', 'user_session'],
    events: {
      event_time: REES46_TIME,
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
      missingId('user_id'),
      missingId('product_id'),
      { reason: 'unparseable_time', field: 'event_time', fails: `${REES46_TIME} IS NULL OR NOT ${plausibleTime(REES46_TIME)}` },
      eventCheck('event_type', REES46_EVENTS),
      { reason: 'unparseable_price', field: 'price', fails: `NULLIF(trim("price"), '') IS NOT NULL AND (TRY_CAST(trim("price") AS DOUBLE) IS NULL OR NOT isfinite(TRY_CAST(trim("price") AS DOUBLE)))` },
      { reason: 'negative_price', field: 'price', fails: `TRY_CAST(trim("price") AS DOUBLE) < 0` },
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
    products: {},
    checks: [
      missingId('visitorid'),
      missingId('itemid'),
      // Milliseconds since 1970, within 1990-2100.
      { reason: 'unparseable_time', field: 'timestamp', fails: `COALESCE(TRY_CAST(trim("timestamp") AS BIGINT) NOT BETWEEN 631152000000 AND 4102444800000, true)` },
      eventCheck('event', RETAILROCKET_EVENTS),
    ],
  },
  diginetica: {
    name: 'diginetica',
    description: 'Diginetica train-item-views.csv',
    delimiter: ';',
    columns: ['session_id', 'user_id', 'item_id', 'timeframe', 'eventdate'],
    events: {
      event_time: DIGINETICA_TIME,
      user_id: `TRY_CAST(NULLIF(NULLIF(trim("user_id"), ''), 'NA') AS BIGINT)`,
      session_id: text('session_id'),
      event_type: `'view'`,
      product_id: id('item_id'),
      price: 'CAST(NULL AS DOUBLE)',
    },
    products: {},
    checks: [
      missingId('session_id'),
      missingId('item_id'),
      { reason: 'bad_id', field: 'user_id', fails: `NULLIF(NULLIF(trim("user_id"), ''), 'NA') IS NOT NULL AND TRY_CAST(trim("user_id") AS BIGINT) IS NULL` },
      { reason: 'unparseable_time', field: 'timeframe', fails: `TRY_CAST(trim("timeframe") AS BIGINT) IS NULL OR TRY_CAST(trim("timeframe") AS BIGINT) < 0 OR TRY_CAST(trim("timeframe") AS BIGINT) > 31536000000` },
      { reason: 'unparseable_time', field: 'eventdate', fails: `try_strptime(trim("eventdate"), '%Y-%m-%d') IS NULL OR NOT ${plausibleTime(`try_strptime(trim("eventdate"), '%Y-%m-%d')`)}` },
    ],
  },
};

export const FORMAT_NAMES = Object.keys(FORMATS) as FormatName[];

/** Source-column-count errors found by the CSV reader share this reason. */
export const WRONG_COLUMN_COUNT = 'wrong_column_count';
