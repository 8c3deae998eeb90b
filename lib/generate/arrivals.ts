import { cumulative, drawIndex, Rng } from '../random';
import type { SessionPlan } from './simulate';

/** Relative traffic by UTC hour: quiet nights, a lunch bump and an evening peak. */
export const HOURLY = [
  0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.55, 0.75, 0.85, 0.9, 1.0, 1.15, 1.1, 0.95, 0.9, 0.95, 1.05, 1.25, 1.45,
  1.55, 1.4, 1.0, 0.55,
];
/** Relative traffic by weekday, Monday first: weekends are busier. */
export const WEEKLY = [0.95, 0.92, 0.93, 0.97, 1.05, 1.25, 1.2];
/** Traffic grows by this share from the first hour of the period to the last. */
export const GROWTH = 0.25;

/** Cumulative hourly intensity over `days` days from `startMs`. */
export function hourlyIntensity(startMs: number, days: number): Float64Array {
  const weights = new Float64Array(days * 24);
  for (let h = 0; h < weights.length; h++) {
    const date = new Date(startMs + h * 3_600_000);
    const weekday = (date.getUTCDay() + 6) % 7;
    weights[h] = HOURLY[date.getUTCHours()] * WEEKLY[weekday] * (1 + (GROWTH * h) / weights.length);
  }
  return cumulative(weights);
}

/**
 * Plans `count` sessions: start times (whole seconds) drawn from the seasonal intensity and
 * sorted, each given a shopper drawn in proportion to activity.
 */
export function planSessions(
  rng: Rng,
  count: number,
  startMs: number,
  days: number,
  activity: Float64Array,
): SessionPlan {
  const intensity = hourlyIntensity(startMs, days);
  const start = new Float64Array(count);
  for (let s = 0; s < count; s++) start[s] = startMs + drawIndex(rng, intensity) * 3_600_000 + rng.int(3_600) * 1000;
  start.sort();
  const userCum = cumulative(activity);
  const user = new Int32Array(count);
  for (let s = 0; s < count; s++) user[s] = drawIndex(rng, userCum);
  return { start, user };
}
