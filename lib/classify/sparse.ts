/** A sparse matrix in compressed sparse row form (scikit-learn's and XGBoost's CSR layout). */
export interface Csr {
  rows: number;
  cols: number;
  /** Row r's entries are indices/values[indptr[r] .. indptr[r + 1]), columns ascending. */
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/** Builds a CSR matrix row by row; each row's columns are sorted and repeated columns summed. */
export class CsrBuilder {
  private readonly indptr: number[] = [0];
  private indices = new Int32Array(1024);
  private values = new Float64Array(1024);
  private nnz = 0;

  constructor(readonly cols: number) {}

  /** Appends a row from parallel arrays of columns and values (any order, repeats summed). */
  push(columns: ArrayLike<number>, values: ArrayLike<number>): void {
    const order = Array.from({ length: columns.length }, (_, i) => i).sort((a, b) => columns[a] - columns[b]);
    this.reserve(order.length);
    const start = this.nnz;
    for (const i of order) {
      const c = columns[i];
      if (!(c >= 0 && c < this.cols)) throw new RangeError(`column ${c} outside 0..${this.cols - 1}`);
      if (this.nnz > start && this.indices[this.nnz - 1] === c) this.values[this.nnz - 1] += values[i];
      else {
        this.indices[this.nnz] = c;
        this.values[this.nnz++] = values[i];
      }
    }
    this.indptr.push(this.nnz);
  }

  /** Appends a row whose columns are already ascending and distinct (no sort, no merge). */
  pushSorted(columns: ArrayLike<number>, values: ArrayLike<number>): void {
    const n = columns.length;
    this.reserve(n);
    for (let i = 0; i < n; i++) {
      const c = columns[i];
      if (!(c >= 0 && c < this.cols) || (i > 0 && c <= columns[i - 1]))
        throw new RangeError(`pushSorted: column ${c} out of range or order`);
      this.indices[this.nnz] = c;
      this.values[this.nnz++] = values[i];
    }
    this.indptr.push(this.nnz);
  }

  /** Room for `n` more entries (the arrays double when full). */
  private reserve(n: number): void {
    if (this.nnz + n <= this.indices.length) return;
    const size = Math.max(this.indices.length * 2, this.nnz + n);
    const indices = new Int32Array(size);
    indices.set(this.indices.subarray(0, this.nnz));
    const values = new Float64Array(size);
    values.set(this.values.subarray(0, this.nnz));
    this.indices = indices;
    this.values = values;
  }

  build(): Csr {
    return {
      rows: this.indptr.length - 1,
      cols: this.cols,
      indptr: Int32Array.from(this.indptr),
      indices: this.indices.slice(0, this.nnz),
      values: this.values.slice(0, this.nnz),
    };
  }
}

/** Side by side: the columns of `blocks` one after another (scikit-learn's `hstack`), rows aligned. */
export function hstack(blocks: readonly Csr[]): Csr {
  if (blocks.length === 0) throw new Error('hstack: no blocks');
  const rows = blocks[0].rows;
  for (const b of blocks) if (b.rows !== rows) throw new Error(`hstack: blocks have ${rows} and ${b.rows} rows`);
  const nnz = blocks.reduce((n, b) => n + b.indices.length, 0);
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let at = 0;
  for (let r = 0; r < rows; r++) {
    let offset = 0;
    for (const b of blocks) {
      for (let k = b.indptr[r]; k < b.indptr[r + 1]; k++) {
        indices[at] = b.indices[k] + offset;
        values[at++] = b.values[k];
      }
      offset += b.cols;
    }
    indptr[r + 1] = at;
  }
  return { rows, cols: blocks.reduce((n, b) => n + b.cols, 0), indptr, indices, values };
}

/** The rows `which` of `m`, in that order. */
export function takeRows(m: Csr, which: ArrayLike<number>): Csr {
  let nnz = 0;
  for (let i = 0; i < which.length; i++) nnz += m.indptr[which[i] + 1] - m.indptr[which[i]];
  const indptr = new Int32Array(which.length + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let at = 0;
  for (let i = 0; i < which.length; i++) {
    const r = which[i];
    indices.set(m.indices.subarray(m.indptr[r], m.indptr[r + 1]), at);
    values.set(m.values.subarray(m.indptr[r], m.indptr[r + 1]), at);
    at += m.indptr[r + 1] - m.indptr[r];
    indptr[i + 1] = at;
  }
  return { rows: which.length, cols: m.cols, indptr, indices, values };
}

/** The dense form (tests and tiny matrices only). */
export function toDense(m: Csr): number[][] {
  return Array.from({ length: m.rows }, (_, r) => {
    const row = new Array<number>(m.cols).fill(0);
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) row[m.indices[k]] = m.values[k];
    return row;
  });
}
