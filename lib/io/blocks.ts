import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';

import { InputError } from '../errors';

/**
 * A blocks file: named typed arrays and a JSON header, read back in one pass as views on one
 * buffer (no parsing per value). Layout: the magic `SHOPLABB`, the header's byte length (uint32
 * little-endian), the header (UTF-8 JSON: `meta` and each block's name, type, offset and length),
 * then the blocks, each starting at a multiple of 8 bytes. Values are little-endian, as every
 * machine the project runs on is.
 */
export type Block = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array;

const MAGIC = 'SHOPLABB';
const TYPES = { Float64Array, Float32Array, Int32Array, Uint32Array, Uint8Array } as const;
type TypeName = keyof typeof TYPES;

interface Header {
  meta: unknown;
  blocks: { name: string; type: TypeName; offset: number; length: number }[];
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** Writes `meta` and `blocks` to `path` atomically: a temporary file, fsynced, then renamed over it. */
export function writeBlocks(path: string, meta: unknown, blocks: Record<string, Block>): void {
  const entries: Header['blocks'] = [];
  let offset = 0;
  for (const [name, block] of Object.entries(blocks)) {
    const type = block.constructor.name as TypeName;
    if (!(type in TYPES)) throw new Error(`writeBlocks: block '${name}' is a ${type}, not a supported typed array`);
    entries.push({ name, type, offset, length: block.length });
    offset = align8(offset + block.byteLength);
  }
  const header = Buffer.from(JSON.stringify({ meta, blocks: entries } satisfies Header), 'utf8');
  const start = align8(MAGIC.length + 4 + header.length);
  const prefix = Buffer.alloc(start);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(header.length, MAGIC.length);
  header.copy(prefix, MAGIC.length + 4);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, prefix);
    for (const [i, block] of Object.values(blocks).entries()) {
      writeSync(fd, new Uint8Array(block.buffer, block.byteOffset, block.byteLength));
      const pad = align8(entries[i].offset + block.byteLength) - (entries[i].offset + block.byteLength);
      if (pad) writeSync(fd, new Uint8Array(pad));
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Reads a blocks file: its meta and its blocks as typed-array views on the file's bytes. */
export function readBlocks(path: string): { meta: unknown; blocks: Record<string, Block> } {
  const file = readFileSync(path);
  const bad = (why: string) =>
    new InputError(`${path}: not a readable blocks file (${why}); run the stage that writes it again`);
  if (file.length < MAGIC.length + 4 || file.toString('latin1', 0, MAGIC.length) !== MAGIC)
    throw bad('no SHOPLABB header');
  const headerLength = file.readUInt32LE(MAGIC.length);
  const start = align8(MAGIC.length + 4 + headerLength);
  if (start > file.length) throw bad('its header runs past the end');
  let header: Header;
  try {
    header = JSON.parse(file.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + headerLength)) as Header;
  } catch (e) {
    throw bad(`its header is not JSON: ${(e as Error).message}`);
  }
  // Typed views need aligned offsets: a small file read into Node's shared pool may not start at one.
  const bytes = file.byteOffset % 8 === 0 ? file : Buffer.from(file);
  const blocks: Record<string, Block> = {};
  for (const { name, type, offset, length } of header.blocks) {
    const Type = TYPES[type];
    if (!Type) throw bad(`block '${name}' has unknown type '${type}'`);
    const at = bytes.byteOffset + start + offset;
    if (start + offset + length * Type.BYTES_PER_ELEMENT > bytes.length) throw bad(`block '${name}' is cut short`);
    blocks[name] = new Type(bytes.buffer, at, length);
  }
  return { meta: header.meta, blocks };
}

// Lists of different lengths as two blocks (where each starts, and the values): lib/columns.ts.
export { flattenLists, unflattenLists } from '../columns';
