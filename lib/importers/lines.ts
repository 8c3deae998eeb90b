/**
 * Finds the physical line on which each CSV record starts: blank lines are skipped, a quoted field
 * may span lines. DuckDB's reader numbers a record differently (its rejects' `line`): it counts
 * every line ending outside quotes, blank lines included, but not the newlines inside quoted
 * fields; `readerLines` holds each record's number in that count. Fed chunk by chunk, so a large
 * file is never held whole.
 */
export class RecordLines {
  private line = 1;
  private inQuotes = false;
  private atRecordStart = true;
  private recordHasContent = false;
  private recordLine = 1;
  /** Newlines inside quoted fields so far. */
  private quotedNewlines = 0;
  private recordQuotedNewlines = 0;
  /** Start lines of the non-blank records seen so far (the header included). */
  readonly starts: number[] = [];
  /** The same records' line numbers as DuckDB's reader reports them. */
  readonly readerLines: number[] = [];

  constructor(private readonly quote = 0x22) {}

  feed(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.atRecordStart) {
        this.recordLine = this.line;
        this.recordQuotedNewlines = this.quotedNewlines;
        this.atRecordStart = false;
        this.recordHasContent = false;
      }
      if (b === this.quote) this.inQuotes = !this.inQuotes;
      if (b === 0x0a) {
        this.line++;
        if (!this.inQuotes) {
          this.endRecord();
          continue;
        }
        this.quotedNewlines++;
      }
      if (b !== 0x0a && b !== 0x0d) this.recordHasContent = true;
    }
  }

  /** Call at end of input: a last record without a trailing newline counts too. */
  finish(): number[] {
    if (!this.atRecordStart) this.endRecord();
    return this.starts;
  }

  private endRecord(): void {
    if (this.recordHasContent) {
      this.starts.push(this.recordLine);
      this.readerLines.push(this.recordLine - this.recordQuotedNewlines);
    }
    this.atRecordStart = true;
  }
}

/**
 * Line numbers of accepted rows: `rows` are 0-based indices among the records the reader kept,
 * `starts` the start lines of all non-blank records (header first), `readerLines` their numbers as
 * DuckDB's reader counts them, `rejected` the reader's numbers of the records it refused.
 */
export function linesOfAcceptedRows(
  rows: readonly number[],
  starts: readonly number[],
  readerLines: readonly number[],
  rejected: ReadonlySet<number>,
): Map<number, number> {
  const wanted = new Set(rows);
  const out = new Map<number, number>();
  let accepted = 0;
  for (let r = 1; r < starts.length && out.size < wanted.size; r++) {
    if (rejected.has(readerLines[r])) continue;
    if (wanted.has(accepted)) out.set(accepted, starts[r]);
    accepted++;
  }
  return out;
}
