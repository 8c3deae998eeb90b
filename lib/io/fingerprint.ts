import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** sha256 of a file's bytes, hex: what the registry and the data manifest record about an input. */
export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
