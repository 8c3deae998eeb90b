import { describe, expect, it } from 'vitest';
import { FORMATS } from './formats';
import { linesOfAcceptedRows, RecordLines } from './lines';
import { sniffHeader } from './sniff';

const checkHeader = (head: Uint8Array, spec: (typeof FORMATS)[keyof typeof FORMATS]) => sniffHeader(head, spec).problem;
const bytes = (s: string) => new TextEncoder().encode(s);

describe('checkHeader', () => {
  const spec = FORMATS.rees46;
  const header = spec.columns.join(',');
  it('accepts the exact header, with a BOM or CRLF too', () => {
    expect(checkHeader(bytes(`${header}\nrow`), spec)).toBeNull();
    expect(checkHeader(bytes(`\uFEFF${header}\r\nrow`), spec)).toBeNull();
  });
  it('names what is wrong: empty, binary, other header', () => {
    expect(checkHeader(bytes(''), spec)).toMatch(/empty/);
    expect(checkHeader(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), spec)).toMatch(/binary/);
    expect(checkHeader(bytes('a,b,c\n1,2,3'), spec)).toMatch(/expected 'event_time,event_type/);
    expect(checkHeader(bytes(FORMATS.rees46.columns.join(';')), FORMATS.diginetica)).toMatch(/not Diginetica/);
    expect(checkHeader(bytes('session_id;user_id;item_id;timeframe'), FORMATS.diginetica)).toMatch(/not Diginetica/);
  });
});

describe('RecordLines', () => {
  it('finds record start lines across blank lines, quoted newlines and chunk borders', () => {
    const text = 'h1,h2\n1,2\n\n"a\nb",3\r\n4,5';
    const whole = new RecordLines();
    whole.feed(bytes(text));
    expect(whole.finish()).toEqual([1, 2, 4, 6]);
    // DuckDB counts the blank line 3 but not the newline inside "a\nb": the last record is its line 5.
    expect(whole.readerLines).toEqual([1, 2, 4, 5]);
    const split = new RecordLines();
    for (const ch of text) split.feed(bytes(ch));
    expect(split.finish()).toEqual([1, 2, 4, 6]);
    expect(split.readerLines).toEqual([1, 2, 4, 5]);
  });
  it('maps accepted row indices to lines, skipping records the reader refused', () => {
    // Records start on lines 1 (header), 2, 3, 5, 6 (the reader's 1, 2, 3, 4, 5: line 3's record
    // spans two lines); the reader refused its record 3.
    expect([...linesOfAcceptedRows([0, 1, 2], [1, 2, 3, 5, 6], [1, 2, 3, 4, 5], new Set([3])).entries()]).toEqual([
      [0, 2],
      [1, 5],
      [2, 6],
    ]);
  });
});
