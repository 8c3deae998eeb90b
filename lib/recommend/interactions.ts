/**
 * Events as typed columns for the offline models, sorted by session then time. `product` is the
 * dense product index (-1 for searches and products outside the catalogue), `user` the user_id
 * (NaN when anonymous), `session` a dense session number.
 */
export interface Interactions {
  time: Float64Array;
  user: Float64Array;
  session: Int32Array;
  type: Uint8Array;
  product: Int32Array;
}

/** Rows [from, to) of each session, in order. */
export function* sessionRanges(x: Pick<Interactions, 'session'>): Generator<[number, number]> {
  const n = x.session.length;
  let from = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || x.session[i] !== x.session[from]) {
      yield [from, i];
      from = i;
    }
  }
}

/** Rows whose time is before `end` (ms). */
export function before(x: Interactions, end: number): Interactions {
  let n = 0;
  for (let i = 0; i < x.time.length; i++) if (x.time[i] < end) n++;
  const pick = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
    const out = new (a.constructor as new (n: number) => T)(n);
    for (let i = 0, o = 0; i < a.length; i++) if (x.time[i] < end) out[o++] = a[i];
    return out;
  };
  return {
    time: pick(x.time),
    user: pick(x.user),
    session: pick(x.session),
    type: pick(x.type),
    product: pick(x.product),
  };
}
