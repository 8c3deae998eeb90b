import { Agent, request } from 'node:http';

/** One request of an open-loop run: its kind (figures are reported per kind), method, path and JSON body. */
export interface PacedRequest {
  kind: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

/** Connections kept open across runs, so a measured run does not pay for opening them (the warm-up does). */
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** Closes the kept connections (at the end of a benchmark). */
export const closeConnections = () => agent.destroy();

/**
 * An evenly paced open loop: request i is due at start + i / rate whatever the answers do (as
 * independent visitors arrive), and its latency runs from that scheduled time, so a slow answer or
 * a late send cannot hide delay (no coordinated omission). Percentiles per kind and over all.
 */
export async function openLoop(
  base: string,
  next: (i: number) => PacedRequest,
  rate: number,
  seconds: number,
  /** Each answer's latency, by request number (for a timeline). */
  onAnswer?: (i: number, ms: number) => void,
): Promise<Record<string, Record<string, number>>> {
  const latencies = new Map<string, number[]>();
  const failures = new Map<string, number>();
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    // A timer that fires late makes the request late: that delay counts, as it would for a visitor.
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const r = next(i);
    const body = r.body === undefined ? undefined : JSON.stringify(r.body);
    pending.push(
      new Promise<void>((resolve) => {
        const done = (ok: boolean) => {
          if (!ok) failures.set(r.kind, (failures.get(r.kind) ?? 0) + 1);
          let list = latencies.get(r.kind);
          if (!list) latencies.set(r.kind, (list = []));
          list.push(performance.now() - due);
          onAnswer?.(i, list.at(-1)!);
          resolve();
        };
        const req = request(
          `${base}${r.path}`,
          {
            agent,
            method: r.method,
            headers:
              body === undefined
                ? {}
                : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            res.on('end', () => done(res.statusCode === 200));
          },
        );
        req.on('error', () => done(false));
        req.end(body);
      }),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  const figures = (list: number[], failed: number) => {
    const sorted = [...list].sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    return {
      requests: list.length,
      per_second: list.length / elapsed,
      p50_ms: q(0.5),
      p90_ms: q(0.9),
      p99_ms: q(0.99),
      max_ms: sorted.at(-1)!,
      failed,
    };
  };
  const all = [...latencies.values()].flat();
  const failedAll = [...failures.values()].reduce((a, b) => a + b, 0);
  return {
    all: figures(all, failedAll),
    ...Object.fromEntries([...latencies].map(([kind, list]) => [kind, figures(list, failures.get(kind) ?? 0)])),
  };
}
