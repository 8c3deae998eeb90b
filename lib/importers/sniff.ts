import type { FormatSpec } from './formats';

/** A column name as publishers vary it: quotes, case, spaces, `_` and `-` do not matter (`sessionId` is `session_id`). */
const normalise = (name: string) =>
  name
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .toLowerCase()
    .replace(/[\s_-]/g, '');

/** Separators a re-published file may use instead of the format's own. */
const DELIMITERS = [',', ';', '\t', '|'];

/**
 * Reads the start of a file as the named format: not empty, not binary, and a header line whose
 * columns are the format's, in order, however they are spelled (see `normalise`) and with whichever
 * common separator. Returns that separator, or a one-line reason the file is not the format.
 */
export function sniffHeader(
  head: Uint8Array,
  spec: Pick<FormatSpec, 'columns' | 'delimiter' | 'description'>,
): { delimiter: string; problem: null } | { delimiter: null; problem: string } {
  const fail = (problem: string) => ({ delimiter: null, problem });
  if (head.length === 0) return fail('the file is empty');
  if (head.includes(0)) return fail('the file is binary (it contains NUL bytes), not CSV text');
  let text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const end = text.search(/\r?\n/);
  if (end < 0 && head.length >= 65536) return fail('the first line is longer than 64 KiB: not a CSV header');
  const line = end < 0 ? text : text.slice(0, end);
  if (line.trim() === '') return fail('the first line is empty: expected the header');
  const expected = spec.columns.map(normalise).join('\u0000');
  for (const delimiter of [spec.delimiter, ...DELIMITERS.filter((d) => d !== spec.delimiter)]) {
    if (line.split(delimiter).map(normalise).join('\u0000') === expected) return { delimiter, problem: null };
  }
  return fail(
    `the header is not ${spec.description}: expected '${spec.columns.join(spec.delimiter)}', found '${line.slice(0, 200)}'`,
  );
}
