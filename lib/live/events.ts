import {
  closeSync,
  existsSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

import { EVENT_TYPES, type EventType } from '../events';

/**
 * Milliseconds since the epoch of an event time (`YYYY-MM-DD[T ]hh:mm:ss[.ffffff][Z|±hh:mm]`);
 * a time without a zone is UTC, as the data is. NaN when the text is not a real calendar time
 * (Date.parse would roll 30 February over into March).
 */
export function eventTimeMs(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?$/i.exec(text);
  if (!m) return NaN;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return NaN;
  return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}${m[8] ?? 'Z'}`);
}

/** An event posted to `/v1/events`: the canonical event shape, with the session required (anonymous: no user). */
export interface LiveEvent {
  event_time: string;
  user_id: number | null;
  session_id: string;
  event_type: EventType;
  product_id: number | null;
  price: number | null;
  search_id: number | null;
}

export interface EventProblem {
  /** Position in the batch (0 for a single event). */
  index: number;
  field: string;
  message: string;
}

const FIELDS = ['event_time', 'user_id', 'session_id', 'event_type', 'product_id', 'price', 'search_id'];
const isId = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Checks one event and returns it in canonical form, or every problem it has. The session is
 * required; the user is optional (anonymous visitors have none). A product is required for every
 * type but `search`; price and search_id are optional.
 */
export function checkEvent(
  raw: unknown,
  index: number,
  prefix: string,
): { event: LiveEvent | null; problems: EventProblem[] } {
  const problems: EventProblem[] = [];
  const bad = (field: string, message: string) =>
    problems.push({ index, field: `${prefix}${field}`, message: `${prefix}${field}: ${message}` });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push({
      index,
      field: prefix.replace(/\.$/, '') || '(body)',
      message: `${prefix.replace(/\.$/, '') || '(body)'}: an event must be a JSON object`,
    });
    return { event: null, problems };
  }
  const e = raw as Record<string, unknown>;
  for (const key of Object.keys(e)) if (!FIELDS.includes(key)) bad(key, 'unknown field');
  if (typeof e.event_time !== 'string') bad('event_time', 'required: an ISO 8601 date-time string');
  else if (e.event_time.length > 40 || Number.isNaN(eventTimeMs(e.event_time)))
    bad('event_time', `not a date-time: ${JSON.stringify(e.event_time.slice(0, 40))}`);
  const user = e.user_id ?? null;
  if (user !== null && !isId(user))
    bad('user_id', 'must be a non-negative integer, or null (or left out) for an anonymous visitor');
  if (typeof e.session_id !== 'string' || e.session_id.length === 0 || e.session_id.length > 200)
    bad('session_id', 'required: a string of 1 to 200 characters');
  if (!EVENT_TYPES.includes(e.event_type as EventType)) bad('event_type', `must be one of ${EVENT_TYPES.join(', ')}`);
  const product = e.product_id ?? null;
  if (e.event_type === 'search') {
    if (product !== null && !isId(product)) bad('product_id', 'must be a non-negative integer or null');
  } else if (!isId(product))
    bad(
      'product_id',
      `required for ${typeof e.event_type === 'string' ? e.event_type : 'this event type'}: a non-negative integer`,
    );
  const price = e.price ?? null;
  if (price !== null && !(typeof price === 'number' && Number.isFinite(price) && price >= 0))
    bad('price', 'must be a number ≥ 0 or null');
  const search = e.search_id ?? null;
  if (search !== null && !isId(search)) bad('search_id', 'must be a non-negative integer or null');
  if (problems.length) return { event: null, problems };
  return {
    event: {
      event_time: e.event_time as string,
      user_id: user as number | null,
      session_id: e.session_id as string,
      event_type: e.event_type as EventType,
      product_id: product as number | null,
      price: price as number | null,
      search_id: search as number | null,
    },
    problems,
  };
}

/**
 * A `/v1/events` body: one event, or an array of 1 to `maxBatch` events. All or nothing: when any
 * event is bad, `problems` lists every bad event's fields and none of the batch may be applied.
 */
export function checkEventBody(
  body: unknown,
  maxBatch: number,
): { events: LiveEvent[]; problems: EventProblem[]; tooMany: boolean } {
  const batch = Array.isArray(body);
  const items = batch ? body : [body];
  if (batch && (items.length === 0 || items.length > maxBatch)) {
    return {
      events: [],
      tooMany: items.length > maxBatch,
      problems: [
        { index: 0, field: '(body)', message: `(body): a batch holds 1 to ${maxBatch} events, got ${items.length}` },
      ],
    };
  }
  const events: LiveEvent[] = [];
  const problems: EventProblem[] = [];
  items.forEach((item, i) => {
    const checked = checkEvent(item, i, batch ? `[${i}].` : '');
    if (checked.event) events.push(checked.event);
    problems.push(...checked.problems);
  });
  return { events: problems.length ? [] : events, problems, tooMany: false };
}

/**
 * The service's durable event log: JSON lines appended and flushed to disk (fdatasync) before an
 * event is acknowledged, and read back at start. A line cut short by a crash mid-write was never
 * acknowledged; `open` truncates it away.
 */
/** What `open` says when it cut off an unfinished last line. */
export const droppedLine = (path: string, bytes: number) =>
  `serve: ${path}: dropped an unfinished last line (${bytes} bytes) left by a crash mid-write; it was never acknowledged`;

export class EventLog {
  private constructor(
    private fd: number | null,
    readonly path: string,
  ) {}

  /** Opens (creating) the log and returns the events already in it, in order; an unfinished last line is cut off. */
  static open(path: string): { log: EventLog; events: LiveEvent[]; droppedBytes: number } {
    mkdirSync(dirname(path), { recursive: true });
    let droppedBytes = 0;
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      const end = text.lastIndexOf('\n') + 1;
      if (end < text.length) {
        droppedBytes = Buffer.byteLength(text.slice(end));
        truncateSync(path, Buffer.byteLength(text.slice(0, end)));
      }
    }
    return { log: new EventLog(openSync(path, 'a'), path), events: EventLog.read(path), droppedBytes };
  }

  /** The complete lines of a log, checked, in order. */
  static read(path: string): LiveEvent[] {
    return EventLog.readRange(path).events;
  }

  /**
   * The complete lines between byte offsets `from` and `to` (default: the end of the file), checked,
   * in order, and the offset after the last of them: where the next read starts.
   */
  static readRange(path: string, from = 0, to?: number): { events: LiveEvent[]; end: number } {
    const events: LiveEvent[] = [];
    if (!existsSync(path)) return { events, end: from };
    const fd = openSync(path, 'r');
    let bytes: Buffer;
    try {
      const stop = to ?? fstatSync(fd).size;
      bytes = Buffer.alloc(Math.max(0, stop - from));
      let got = 0;
      while (got < bytes.length) {
        const n = readSync(fd, bytes, got, bytes.length - got, from + got);
        if (n === 0) break;
        got += n;
      }
      bytes = bytes.subarray(0, got);
    } finally {
      closeSync(fd);
    }
    const complete = bytes.lastIndexOf(10) + 1;
    const text = bytes.toString('utf8', 0, complete);
    // Line numbers count from the start of the read: the file's own when it starts at byte 0.
    const where = (i: number) => `line ${i + 1}${from ? ` after byte ${from}` : ''}`;
    text.split('\n').forEach((line, i) => {
      if (!line) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new Error(`${path}: ${where(i)} is not JSON; the log is damaged`);
      }
      const { event, problems } = checkEvent(parsed, i, '');
      if (!event) throw new Error(`${path}: ${where(i)}: ${problems[0].message}`);
      events.push(event);
    });
    return { events, end: from + complete };
  }

  /** The log's size in bytes: where the next append lands. */
  get size(): number {
    if (this.fd === null) throw new Error(`${this.path}: the event log is closed`);
    return fstatSync(this.fd).size;
  }

  /** Appends events as one write, then waits for the disk; on failure the log is cut back to where it was. */
  append(events: readonly LiveEvent[]): void {
    this.appendBatches([events]);
  }

  /**
   * Appends several batches as one write and one flush (a group commit: concurrent posts share the
   * wait for the disk); returns the byte offset where each batch ends. On failure none is kept.
   */
  appendBatches(batches: readonly (readonly LiveEvent[])[]): number[] {
    const { size, ends } = this.write(batches);
    try {
      fdatasyncSync(this.fd!);
    } catch (error) {
      ftruncateSync(this.fd!, size);
      throw error;
    }
    return ends;
  }

  /**
   * `appendBatches` with the flush on a background thread, so the caller keeps serving while the
   * disk works. Calls must not overlap (the next waits for this one).
   */
  appendBatchesAsync(batches: readonly (readonly LiveEvent[])[]): Promise<number[]> {
    const { size, ends } = this.write(batches);
    const fd = this.fd!;
    return new Promise((resolve, reject) =>
      fdatasync(fd, (error) => {
        if (!error) return resolve(ends);
        try {
          ftruncateSync(fd, size);
        } finally {
          reject(error);
        }
      }),
    );
  }

  /** Writes the batches (not yet flushed); the size before and each batch's end. */
  private write(batches: readonly (readonly LiveEvent[])[]): { size: number; ends: number[] } {
    const fd = this.fd;
    if (fd === null) throw new Error(`${this.path}: the event log is closed`);
    const parts = batches.map((events) => Buffer.from(events.map((e) => `${JSON.stringify(e)}\n`).join('')));
    const buffer = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    const size = fstatSync(fd).size;
    try {
      let written = 0;
      while (written < buffer.length) written += writeSync(fd, buffer, written);
    } catch (error) {
      ftruncateSync(fd, size);
      throw error;
    }
    let end = size;
    return { size, ends: parts.map((part) => (end += part.length)) };
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
