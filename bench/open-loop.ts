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
/** Sends one request on the kept connections; resolves with whether it answered 200. */
function send(base: string, r: PacedRequest): Promise<boolean> {
  const body = r.body === undefined ? undefined : JSON.stringify(r.body);
  return new Promise<boolean>((resolve) => {
    const req = request(
      `${base}${r.path}`,
      {
        agent,
        method: r.method,
        headers:
          body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
      },
    );
    req.on('error', () => resolve(false));
    req.end(body);
  });
}

/** Requests, rate, latency percentiles and failures of one kind of request. */
function figures(list: number[], failed: number, elapsed: number) {
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
}

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
    pending.push(
      send(base, r).then((ok) => {
        if (!ok) failures.set(r.kind, (failures.get(r.kind) ?? 0) + 1);
        let list = latencies.get(r.kind);
        if (!list) latencies.set(r.kind, (list = []));
        list.push(performance.now() - due);
        onAnswer?.(i, list.at(-1)!);
      }),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  const failedAll = [...failures.values()].reduce((a, b) => a + b, 0);
  return {
    all: figures([...latencies.values()].flat(), failedAll, elapsed),
    ...Object.fromEntries(
      [...latencies].map(([kind, list]) => [kind, figures(list, failures.get(kind) ?? 0, elapsed)]),
    ),
  };
}

/**
 * A closed loop, flat out: `connections` clients each send their next request as soon as the last
 * is answered, for `seconds`. Its rate is the service's throughput; its latencies are per request
 * (from send), not a visitor's.
 */
export async function closedLoop(
  base: string,
  next: (i: number) => PacedRequest,
  connections: number,
  seconds: number,
): Promise<Record<string, number>> {
  const latencies: number[] = [];
  let failed = 0;
  let i = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const sent = performance.now();
        if (!(await send(base, next(i++)))) failed++;
        latencies.push(performance.now() - sent);
      }
    }),
  );
  return figures(latencies, failed, (performance.now() - started) / 1000);
}
