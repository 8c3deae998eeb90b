import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** sha256 of a file's bytes, hex: what the registry and the data manifest record about an input. */
export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Files a data folder's manifest leaves out: run metadata (times, hosts), the service's live event log, the manifest itself, and temporary files. */
const OUTSIDE_MANIFEST = (path: string) =>
  ['meta', 'live', '.tmp'].includes(path.split(sep)[0]) ||
  path === 'MANIFEST.sha256' ||
  /\.tmp-\d+$|(^|\/)\.partial-/.test(path);

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
