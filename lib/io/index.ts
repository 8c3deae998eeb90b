// The public names of lib/io: what code outside the folder (and its tests) imports.
export {
  AtomicBatch,
  copyToParquet,
  copyToParquetFile,
  openDuckDB,
  parquetSql,
  queryRows,
  registerColumnScan,
  registerSegmentScan,
  type ScanSegment,
  sqlString,
  toNumber,
  typedArrayFor,
  withDuckDB,
  type DuckDBOptions,
} from './duckdb';
export {
  copyDaysToParquet,
  dayFiles,
  daysGlob,
  daysOf,
  dayFile,
  dayStart,
  emptyDayFile,
  rowsByDay,
  isDaysFolder,
  onDay,
  parquetFilesSql,
  splitIntoDays,
} from './days';
export { type Block, flattenLists, readBlocks, unflattenLists, writeBlocks } from './blocks';
export { dataManifest, fileSha256, tableExists, tableSha256, tableStat } from './fingerprint';
export { readColumns, readMatrix, readNumbers, readStrings, type ColumnTypeName } from './matrix';
export { requireTables, type TableContract } from './tables';
