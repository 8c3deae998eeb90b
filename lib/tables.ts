/**
 * The canonical raw tables every data folder holds (`raw/*.parquet`), whoever wrote them: the
 * generator (lib/generate/write.ts) and every importer (lib/importers/import.ts) select through
 * `canonicalSelect`, so both write these columns, in this order, with these DuckDB types; a contract
 * test reads both back and compares them with this module. Later stages may rely on nothing else.
 */
export const RAW_TABLES = {
  products: {
    product_id: 'BIGINT',
    title: 'VARCHAR',
    category_id: 'VARCHAR',
    category_path: 'VARCHAR',
    brand: 'VARCHAR',
    seller_id: 'BIGINT',
    price: 'DOUBLE',
    base_price: 'DOUBLE',
  },
  users: { user_id: 'BIGINT', persona: 'VARCHAR', first_seen: 'TIMESTAMP' },
  events: {
    event_time: 'TIMESTAMP',
    user_id: 'BIGINT',
    session_id: 'VARCHAR',
    event_type: 'VARCHAR',
    product_id: 'BIGINT',
    price: 'DOUBLE',
    search_id: 'BIGINT',
  },
  /** Generated worlds only: every product each search showed, in order, with what happened to it. */
  impressions: {
    search_id: 'BIGINT',
    event_time: 'TIMESTAMP',
    user_id: 'BIGINT',
    session_id: 'VARCHAR',
    query: 'VARCHAR',
    product_id: 'BIGINT',
    position: 'INTEGER',
    clicked: 'BOOLEAN',
    carted: 'BOOLEAN',
    purchased: 'BOOLEAN',
  },
} as const;

export type RawTable = keyof typeof RAW_TABLES;

/**
 * The SELECT list writing canonical table `table` from `sql` (an expression per column; a column
 * left out is NULL): every column in order, each cast to its type.
 */
export function canonicalSelect<T extends RawTable>(
  table: T,
  sql: Partial<Record<keyof (typeof RAW_TABLES)[T], string>>,
): string {
  const columns = RAW_TABLES[table] as Record<string, string>;
  return Object.entries(columns)
    .map(
      ([column, type]) =>
        `CAST(${(sql as Record<string, string | undefined>)[column] ?? 'NULL'} AS ${type}) AS ${column}`,
    )
    .join(', ');
}
