import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { flattenLists, readBlocks, unflattenLists, writeBlocks } from './blocks';

const dir = mkdtempSync(join(tmpdir(), 'shoplab-blocks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('blocks files', () => {
  it('read back every block with its type, values and the meta, each block 8-byte aligned', () => {
    const path = join(dir, 'a.bin');
    const blocks = {
      f64: Float64Array.of(1.5, NaN, -0, Number.MAX_VALUE),
      odd: Uint8Array.of(1, 2, 3),
      i32: Int32Array.of(-1, 2 ** 31 - 1),
      f32: Float32Array.of(Math.fround(0.1)),
      empty: new Float64Array(0),
      u32: Uint32Array.of(4_000_000_000),
    };
    writeBlocks(path, { names: ['ü', 'x'], n: 3 }, blocks);
    const back = readBlocks(path);
    expect(back.meta).toEqual({ names: ['ü', 'x'], n: 3 });
    for (const [name, block] of Object.entries(blocks)) {
      expect(back.blocks[name].constructor, name).toBe(block.constructor);
      expect(Array.from(back.blocks[name]), name).toEqual(Array.from(block));
    }
    expect(Object.is(back.blocks.f64[2], -0)).toBe(true);
    for (const block of Object.values(back.blocks)) expect(block.byteOffset % 8).toBe(0);
    // The header is 8 + 4 bytes plus its JSON; the 3 bytes of `odd` are padded to 8 before `i32`.
    const headerLength = readFileSync(path).readUInt32LE(8);
    const start = Math.ceil((12 + headerLength) / 8) * 8;
    expect(readFileSync(path).length).toBe(start + 32 + 8 + 8 + 8 + 0 + 8);
    // No temporary file is left beside it.
    expect(readdirSync(dir).filter((f) => f.startsWith('a.bin'))).toEqual(['a.bin']);
  });

  it('refuse a file that is not one, or is cut short, naming the file', () => {
    const other = join(dir, 'other.bin');
    writeFileSync(other, 'PAR1 not ours');
    expect(() => readBlocks(other)).toThrow(`${other}: not a readable blocks file (no SHOPLABB header)`);
    const cut = join(dir, 'cut.bin');
    writeBlocks(cut, null, { v: new Float64Array(100) });
    writeFileSync(cut, readFileSync(cut).subarray(0, 200));
    expect(() => readBlocks(cut)).toThrow(`${cut}: not a readable blocks file (block 'v' is cut short)`);
  });

  it('store lists of different lengths as offsets and values, and give them back as views', () => {
    const { start, values } = flattenLists([[4, 5], [], [6], [7, 8, 9]]);
    expect(Array.from(start)).toEqual([0, 2, 2, 3, 6]);
    expect(Array.from(values)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(values).toBeInstanceOf(Int32Array);
    const weights = flattenLists([[0.5], [1.25, -2]], Float64Array);
    expect(weights.values).toBeInstanceOf(Float64Array);
    expect(unflattenLists(weights.start, weights.values).map((l) => Array.from(l))).toEqual([[0.5], [1.25, -2]]);
    const back = unflattenLists(start, values);
    expect(back.map((l) => Array.from(l))).toEqual([[4, 5], [], [6], [7, 8, 9]]);
    expect(back[3].buffer).toBe(values.buffer);
  });
});
