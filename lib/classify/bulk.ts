import { closeSync, createReadStream, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';

import Papa from 'papaparse';

import { InputError } from '../errors';
import { namedTopClasses } from './model';
import { checkHeader, predictionsCsv, predictionsHeader, type ProductColumns, productFromRecord } from './csv';
import type { CategoryInput } from './products';

/** What scores products: class names, and each batch's k best classes with probabilities (rows × min(k, classes)). */
export interface ProductScorer {
  classes: string[];
  topK(products: CategoryInput[]): Promise<{ classes: Int32Array; probabilities: Float64Array }>;
}

export interface BulkOptions {
  columns: ProductColumns;
  /** Flags the user gave for optional columns: those must be in the header. */
  asked: (keyof ProductColumns)[];
  k: number;
  /** Products scored at once. */
  batch: number;
  /** Batches being scored at once (the reader waits beyond): the threads' count times two keeps them busy. */
  inFlight: number;
  /** Bytes of the input read so far, of its size. */
  onProgress?: (bytes: number, total: number) => void;
}

export interface BulkResult {
  rows_read: number;
  rows_scored: number;
  rows_rejected: number;
  rejected_by_reason: Record<string, number>;
  /** The first bad rows: row number (the header not counted), field and reason. */
  examples: { row: number; field: string; reason: string; value: string }[];
  seconds: number;
  products_per_second: number;
}

/**
 * Scores a CSV or TSV product file of any size (papaparse, streaming; the header names the columns)
 * into a CSV of each product's id (or row number) and its k best categories with probabilities.
 * Bad rows (no title, a price that is not one, the wrong number of fields) are counted by reason
 * and left out. The output appears whole, by rename, or not at all.
 */
export async function scoreProductFile(
  input: string,
  output: string,
  model: ProductScorer,
  options: BulkOptions,
): Promise<BulkResult> {
  let size: number;
  try {
    const stat = statSync(input);
    if (!stat.isFile()) throw new Error();
    size = stat.size;
  } catch {
    throw new InputError(`${input}: no such file`);
  }
  const started = performance.now();
  const temp = `${output}.tmp-${process.pid}`;
  const fd = openSync(temp, 'w');
  const result: BulkResult = {
    rows_read: 0,
    rows_scored: 0,
    rows_rejected: 0,
    rejected_by_reason: {},
    examples: [],
    seconds: 0,
    products_per_second: 0,
  };
  const reject = (row: number, field: string, reason: string, value: string) => {
    result.rows_rejected++;
    result.rejected_by_reason[reason] = (result.rejected_by_reason[reason] ?? 0) + 1;
    if (result.examples.length < 5) result.examples.push({ row, field, reason, value });
  };
  // Batches go to the scorer as they fill, at most `inFlight` at a time (the parser waits), and
  // are written in file order.
  const pending: Promise<string>[] = [];
  let products: CategoryInput[] = [];
  let ids: string[] = [];
  const dispatch = () => {
    if (products.length === 0) return;
    const batch = products;
    const batchIds = ids;
    products = [];
    ids = [];
    result.rows_scored += batch.length;
    const scored = model
      .topK(batch)
      .then((top) => predictionsCsv(batchIds, namedTopClasses(model.classes, top, batch.length, options.k), options.k));
    // Handled here as well as where it is awaited, in order: a batch may fail before its turn.
    scored.catch(() => {});
    pending.push(scored);
  };
  const drain = async (limit: number) => {
    while (pending.length > limit) writeSync(fd, await pending.shift()!);
  };
  try {
    writeSync(fd, predictionsHeader(options.k));
    await new Promise<void>((resolve, fail) => {
      let headerChecked = false;
      let failed = false;
      const stop = (e: unknown, parser?: Papa.Parser) => {
        failed = true;
        parser?.abort();
        fail(e);
      };
      const stream = createReadStream(input);
      stream.on('error', (e) => stop(new InputError(`${input}: ${e.message}`)));
      Papa.parse<Record<string, string>>(stream as never, {
        header: true,
        skipEmptyLines: 'greedy',
        transformHeader: (h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim(),
        chunk(chunk, parser) {
          if (failed) return;
          try {
            if (!headerChecked) {
              const problem = checkHeader(chunk.meta.fields ?? [], options.columns, options.asked);
              if (problem) throw new InputError(`${input} ${problem}`);
              headerChecked = true;
            }
            const mismatched = new Map(
              chunk.errors.filter((e) => e.type === 'FieldMismatch').map((e) => [e.row ?? -1, e.message]),
            );
            chunk.data.forEach((record, i) => {
              const row = ++result.rows_read;
              const mismatch = mismatched.get(i);
              if (mismatch !== undefined) return reject(row, '(row)', 'wrong_column_count', mismatch);
              const r = productFromRecord(record, options.columns);
              if ('problem' in r) return reject(row, r.problem.field, r.problem.reason, r.problem.value);
              products.push(r.product);
              ids.push(r.product.id ?? String(row));
              if (products.length >= options.batch) dispatch();
            });
            options.onProgress?.(chunk.meta.cursor, size);
            if (pending.length >= options.inFlight) {
              parser.pause();
              drain(options.inFlight - 1).then(
                () => parser.resume(),
                (e) => stop(e, parser),
              );
            }
          } catch (e) {
            stop(e, parser);
          }
        },
        complete: () => {
          if (!failed) resolve();
        },
        error: (e: Error) => stop(new InputError(`${input}: ${e.message}`)),
      });
    });
    dispatch();
    await drain(0);
    closeSync(fd);
    if (result.rows_read === 0) throw new InputError(`${input}: no product rows (only a header, or nothing)`);
    if (result.rows_scored === 0) {
      const first = result.examples[0];
      throw new InputError(
        `${input}: no product could be scored (${result.rows_rejected} rejected; first at row ${first.row}, ${first.field}: ${first.reason})`,
      );
    }
    renameSync(temp, output);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(temp, { force: true });
    throw e;
  }
  options.onProgress?.(size, size);
  result.seconds = (performance.now() - started) / 1000;
  result.products_per_second = result.rows_scored / Math.max(result.seconds, 1e-9);
  return result;
}
