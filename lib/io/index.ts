export * from './duckdb';
export * from './import';
export * from './world';
export * from './fingerprint';
