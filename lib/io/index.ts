export * from './duckdb';
export * from './fingerprint';
export * from './matrix';
export * from './tables';
