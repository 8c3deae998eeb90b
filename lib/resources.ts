import { totalmem } from 'node:os';

/**
 * How much memory and which spill directory the process's DuckDBs get: set once per process from
 * its flags (lib/cli.ts: --memory-limit, --data) or make's MEMORY=, through the environment, so
 * child processes and worker threads get the same. No heavy imports: every script loads this.
 */

/** The environment variable a stage's --memory-limit (and make's MEMORY=) sets: every DuckDB of the process and its children. */
export const MEMORY_LIMIT_ENV = 'SHOPLAB_MEMORY_LIMIT';
/** The environment variable a stage's --data sets: where its DuckDBs spill (DATA/.tmp/duckdb). */
export const SPILL_DIR_ENV = 'SHOPLAB_SPILL_DIR';

/**
 * A memory size as DuckDB reads it (a number and a unit: KB, MB, GB, TB, KiB, MiB, GiB, TiB), in
 * bytes; null when it is not one.
 */
export function memoryBytes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$/i.exec(text);
  if (!m) return null;
  const unit = m[2].toLowerCase();
  const power = { k: 1, m: 2, g: 3, t: 4 }[unit[0] as 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(m[1]) * (unit.includes('i') ? 1024 : 1000) ** power);
}

/**
 * What a DuckDB of this process may use when its caller does not say: the memory limit from
 * SHOPLAB_MEMORY_LIMIT (a stage's --memory-limit, make's MEMORY=), else half the machine's memory
 * (the rest is the JS heap's, XGBoost's and the other stage make may run beside it); the spill
 * directory from SHOPLAB_SPILL_DIR (a stage's DATA/.tmp/duckdb), else DuckDB's own (.tmp here).
 */
export function duckDBResources(env: NodeJS.ProcessEnv = process.env): { memoryLimit: string; tempDirectory?: string } {
  const set = env[MEMORY_LIMIT_ENV];
  const memoryLimit = set && memoryBytes(set) !== null ? set : `${Math.floor(totalmem() / 2 / 2 ** 20)}MiB`;
  return { memoryLimit, ...(env[SPILL_DIR_ENV] ? { tempDirectory: env[SPILL_DIR_ENV] } : {}) };
}
