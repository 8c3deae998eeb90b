import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { isDaysFolder } from './days';

/** sha256 of a file's bytes, hex: what the registry and the data manifest record about an input. */
export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Files a data folder's manifest leaves out: run metadata (times, hosts), the service's live event log, the manifest itself, and temporary files. */
const OUTSIDE_MANIFEST = (path: string) =>
  ['meta', 'live', '.tmp'].includes(path.split(sep)[0]) ||
  path === 'MANIFEST.sha256' ||
  /\.tmp-[^/]*(\/|$)|(^|\/)\.partial-/.test(path);

/**
 * `sha256sum`-style lines (hash, two spaces, path relative to `dir`) for every artifact of a data
 * folder, sorted by path: two runs made the same artifacts exactly when these lines are equal.
 */
export function dataManifest(dir: string): string {
  const files = (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)))
    .filter((path) => !OUTSIDE_MANIFEST(path))
    .sort((a, b) => (a < b ? -1 : 1));
  return files.map((path) => `${fileSha256(join(dir, path))}  ${path.split(sep).join('/')}\n`).join('');
}

/** Whether `path` names a table that exists: a file, or a day-partitioned folder's glob (`lib/io/days.ts`) with its files written. */
export function tableExists(path: string): boolean {
  return path.endsWith('*.parquet') ? isDaysFolder(dirname(path)) : existsSync(path);
}

/**
 * sha256 of a table's bytes: a file's, or for a day-partitioned folder's glob, of its files' names
 * and sha256s in order, so any change to any day changes it.
 */
export function tableSha256(path: string): string {
  if (!path.endsWith('*.parquet')) return fileSha256(path);
  const hash = createHash('sha256');
  for (const file of tableFiles(path)) hash.update(`${fileSha256(file)}  ${basename(file)}\n`);
  return hash.digest('hex');
}

/** The files a table path reads: the file itself, or the Parquet files a folder's glob matches, in name order (as DuckDB lists them). */
function tableFiles(path: string): string[] {
  if (!path.endsWith('*.parquet')) return [path];
  const dir = dirname(path);
  return readdirSync(dir)
    .filter((n) => n.endsWith('.parquet'))
    .sort()
    .map((n) => join(dir, n));
}

/** A cheap stamp of a table's files (names, sizes, modification times): it changes whenever a file is rewritten. */
export function tableStat(path: string): string {
  return tableFiles(path)
    .map((f) => {
      const { size, mtimeMs } = statSync(f);
      return `${f}:${size}:${mtimeMs}`;
    })
    .join('\n');
}
