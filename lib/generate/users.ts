import { PERSONAS } from '../events';
import { cumulative, drawIndex, Rng } from '../random';
import type { Catalog } from './catalog';
import { clamp } from './catalog';
import { PERSONA_PARAMS } from './personas';

export const FAVOURITE_BRANDS = 3;

/** Shoppers in columns (index i is user_id i + 1). */
export interface Users {
  count: number;
  persona: Uint8Array;
  /** Relative number of sessions. */
  activity: Float64Array;
  priceSensitivity: Float64Array;
  /** Category affinity at the start and at the end of the period, `count × tops` each, rows summing to 1. */
  affinityStart: Float64Array;
  affinityEnd: Float64Array;
  tops: number;
  favouriteBrands: Int32Array;
}

export function userCount(events: number): number {
  return clamp(Math.round(events / 60), 200, 400_000);
}

export function makeUsers(rng: Rng, events: number, catalog: Catalog): Users {
  const count = userCount(events);
  const tops = catalog.leavesByTop.length;
  const personaCum = cumulative(PERSONAS.map((p) => PERSONA_PARAMS[p].share));
  const persona = new Uint8Array(count);
  const activity = new Float64Array(count);
  const priceSensitivity = new Float64Array(count);
  const affinityStart = new Float64Array(count * tops);
  const affinityEnd = new Float64Array(count * tops);
  const favouriteBrands = new Int32Array(count * FAVOURITE_BRANDS);
  for (let u = 0; u < count; u++) {
    const p = drawIndex(rng, personaCum);
    const params = PERSONA_PARAMS[PERSONAS[p]];
    persona[u] = p;
    activity[u] = params.activity * Math.exp(0.8 * rng.normal());
    priceSensitivity[u] = params.priceSensitivity * Math.exp(0.3 * rng.normal());
    drawAffinity(rng, affinityStart.subarray(u * tops, (u + 1) * tops));
    // Tastes drift: the end-of-period affinity keeps part of the start and adds new interests.
    const fresh = new Float64Array(tops);
    drawAffinity(rng, fresh);
    const keep = rng.uniform(0.3, 0.9);
    for (let t = 0; t < tops; t++)
      affinityEnd[u * tops + t] = keep * affinityStart[u * tops + t] + (1 - keep) * fresh[t];
    const favouriteTop = argmax(affinityStart.subarray(u * tops, (u + 1) * tops));
    for (let f = 0; f < FAVOURITE_BRANDS; f++) {
      const candidates = catalog.brandsByTop[f === 0 ? favouriteTop : rng.int(tops)];
      favouriteBrands[u * FAVOURITE_BRANDS + f] = candidates[rng.int(Math.min(candidates.length, 5))];
    }
  }
  return { count, persona, activity, priceSensitivity, affinityStart, affinityEnd, tops, favouriteBrands };
}

/** Few strong interests and a little of everything else. */
function drawAffinity(rng: Rng, out: Float64Array): void {
  let total = 0;
  for (let t = 0; t < out.length; t++) {
    out[t] = 0.05 + (rng.bernoulli(0.2) ? 3 : 0.3) * rng.exponential(1);
    total += out[t];
  }
  for (let t = 0; t < out.length; t++) out[t] /= total;
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
