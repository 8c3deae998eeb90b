import type { FormatSpec } from './formats';

/**
 * Checks that the start of a file is the named format: not empty, not binary, and its header
 * line is exactly the format's. Returns a one-line reason, or null when it is.
 */
export function checkHeader(head: Uint8Array, spec: FormatSpec): string | null {
  if (head.length === 0) return 'the file is empty';
  if (head.includes(0)) return 'the file is binary (it contains NUL bytes), not CSV text';
  let text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const end = text.search(/\r?\n/);
  if (end < 0 && head.length >= 65536) return 'the first line is longer than 64 KiB: not a CSV header';
  const line = end < 0 ? text : text.slice(0, end);
  if (line.trim() === '') return 'the first line is empty: expected the header';
  const columns = line.split(spec.delimiter).map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
  const expected = spec.columns.join(spec.delimiter);
  if (columns.join(spec.delimiter) !== expected) {
    return `the header is not ${spec.description}: expected '${expected}', found '${line.slice(0, 200)}'`;
  }
  return null;
}
