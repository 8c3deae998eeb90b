/**
 * The dot product of one vector with every row of a matrix of float32 vectors, in WebAssembly
 * SIMD: the hot loop of every item2vec recommendation (166 k products × 32 dimensions a request on
 * a month of a shop). It computes exactly what the scalar loop `dotRows` does, bit for bit: each
 * product of two float32 values is exact in float64, and the four running sums (dimensions 0, 1,
 * 2, 3 mod 4) are two float64x2 lanes each, added in the same order, then summed left to right and
 * rounded to float32. Neither fuses a multiply and an add.
 */

/** The scalar reference: `out[p] = Σ_d unit[d] · vectors[p·dim + d]`, in four running sums (the order the kernel keeps). */
export function dotRows(vectors: Float32Array, dim: number, unit: Float32Array, out: Float32Array): void {
  const whole = dim - (dim % 4);
  for (let p = 0, o = 0; p < out.length; p++, o += dim) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let d = 0;
    for (; d < whole; d += 4) {
      s0 += unit[d] * vectors[o + d];
      s1 += unit[d + 1] * vectors[o + d + 1];
      s2 += unit[d + 2] * vectors[o + d + 2];
      s3 += unit[d + 3] * vectors[o + d + 3];
    }
    for (; d < dim; d++) s0 += unit[d] * vectors[o + d];
    out[p] = s0 + s1 + s2 + s3;
  }
}

/** LEB128 of an unsigned integer. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/**
 * The module: imports memory `env.memory` and exports `dots(vectors, unit, out, n, dimBytes)`
 * (byte offsets; dimBytes a multiple of 16), which writes n float32 dot products at `out`.
 */
function kernelBytes(): Uint8Array {
  const I32 = 0x7f;
  const V128 = 0x7b;
  const SIMD = 0xfd;
  // Locals: 0 vectors, 1 unit, 2 out, 3 n, 4 dimBytes (params); 5 p, 6 d (i32); 7 a, 8 b (v128); 9 s (f64).
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const load64 = (offset: number) => [SIMD, ...uleb(0x5d), 3, ...uleb(offset)]; // v128.load64_zero align=8
  const promote = [SIMD, ...uleb(0x5f)];
  const f64x2Add = [SIMD, ...uleb(0xf0)];
  const f64x2Mul = [SIMD, ...uleb(0xf2)];
  const lane = (l: number) => [SIMD, ...uleb(0x21), l];
  const i32Add = 0x6a;
  const zero2 = [0x44, 0, 0, 0, 0, 0, 0, 0, 0, SIMD, ...uleb(0x14)]; // f64.const 0; f64x2.splat
  // acc += promote(load64(unit + d + k)) * promote(load64(vectors + d + k)), k = 0 into a, k = 8 into b.
  const step = (acc: number, k: number) => [
    ...get(acc),
    ...get(1),
    ...get(6),
    i32Add,
    ...load64(k),
    ...promote,
    ...get(0),
    ...get(6),
    i32Add,
    ...load64(k),
    ...promote,
    ...f64x2Mul,
    ...f64x2Add,
    ...set(acc),
  ];
  const body = [
    ...vector([
      [2, I32],
      [2, V128],
      [1, 0x7c],
    ]),
    // if n > 0: loop over p
    ...get(3),
    0x04,
    0x40,
    0x03,
    0x40,
    ...zero2,
    ...set(7),
    ...zero2,
    ...set(8),
    0x41,
    0,
    ...set(6),
    0x03,
    0x40, // loop over d
    ...step(7, 0),
    ...step(8, 8),
    ...get(6),
    0x41,
    16,
    i32Add,
    0x22,
    6, // local.tee d
    ...get(4),
    0x49, // i32.lt_u
    0x0d,
    0, // br_if 0
    0x0b,
    // s = a0 + a1 + b0 + b1
    ...get(7),
    ...lane(0),
    ...get(7),
    ...lane(1),
    0xa0,
    ...get(8),
    ...lane(0),
    0xa0,
    ...get(8),
    ...lane(1),
    0xa0,
    ...set(9),
    ...get(2),
    ...get(9),
    0xb6, // f32.demote_f64
    0x38,
    2,
    0, // f32.store align=4 offset=0
    ...get(0),
    ...get(4),
    i32Add,
    ...set(0),
    ...get(2),
    0x41,
    4,
    i32Add,
    ...set(2),
    ...get(5),
    0x41,
    1,
    i32Add,
    0x22,
    5,
    ...get(3),
    0x49,
    0x0d,
    0,
    0x0b, // end loop p
    0x0b, // end if
    0x0b, // end function
  ];
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vector([[0x60, ...vector([[I32], [I32], [I32], [I32], [I32]]), 0]])),
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 1]])),
    ...section(3, vector([[0]])),
    ...section(7, vector([[...name('dots'), 0x00, 0]])),
    ...section(10, vector([[...uleb(body.length), ...body]])),
  ]);
}

/** What the kernel uses of the WebAssembly API (the project's TypeScript libs do not declare it as a value). */
interface Wasm {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}

const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;

let compiled: object | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD is not available. */
function kernelModule(): object | null {
  if (compiled === undefined) {
    const bytes = kernelBytes();
    compiled = wasm?.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

/**
 * Dot products of a unit vector with every row of `vectors` (rows of `dim` float32s), the same
 * as `dotRows` to the bit. The rows are copied once into the kernel's memory; where WebAssembly
 * SIMD is missing, or `dim` is not a multiple of 4, it runs `dotRows` itself.
 */
export class DotKernel {
  private readonly run: ((unit: Float32Array, out: Float32Array) => void) | null = null;

  constructor(
    private readonly vectors: Float32Array,
    private readonly dim: number,
  ) {
    const module = dim % 4 === 0 && dim > 0 ? kernelModule() : null;
    const rows = vectors.length / dim;
    const bytes = vectors.byteLength + dim * 4 + rows * 4;
    if (!module || !wasm || bytes > 2 ** 31) return;
    const memory = new wasm.Memory({ initial: Math.ceil(bytes / 65536) });
    const { dots } = new wasm.Instance(module, { env: { memory } }).exports as {
      dots: (vectors: number, unit: number, out: number, n: number, dimBytes: number) => void;
    };
    new Float32Array(memory.buffer, 0, vectors.length).set(vectors);
    const unitAt = vectors.byteLength;
    const outAt = unitAt + dim * 4;
    const unitView = new Float32Array(memory.buffer, unitAt, dim);
    const outView = new Float32Array(memory.buffer, outAt, rows);
    this.run = (unit, out) => {
      unitView.set(unit);
      dots(0, unitAt, outAt, rows, dim * 4);
      out.set(outView);
    };
  }

  /** Whether the WebAssembly kernel runs (else the scalar loop). */
  get simd(): boolean {
    return this.run !== null;
  }

  /** `out[p]` = the dot product of `unit` with row p (`out` holds a number per row). */
  dots(unit: Float32Array, out: Float32Array): void {
    if (this.run && out.length * this.dim === this.vectors.length && unit.length === this.dim) this.run(unit, out);
    else dotRows(this.vectors, this.dim, unit, out);
  }
}
