import { existsSync, statSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { Service } from './service';

/**
 * The service's Prometheus metrics, per app (so several apps, as in tests, do not share counters):
 * requests and latency by route, method and status; model versions; feature-store age; events ingested;
 * live sessions in memory and expired. In a multi-process service the primary sums the workers'
 * counters and histograms (lib/live/cluster.ts).
 */
export function serviceMetrics(app: FastifyInstance, service: Service) {
  const registry = new Registry();
  const labelNames = ['route', 'method', 'status'];
  const requests = new Counter({
    name: 'shoplab_http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'shoplab_http_request_duration_seconds',
    help: 'HTTP request latency by route, method and status',
    labelNames,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  new Gauge({
    name: 'shoplab_model_version',
    help: 'Registry version of the production model loaded, by family',
    labelNames: ['family'],
    // Every worker holds the same models and live state: one's value, not the sum.
    aggregator: 'first',
    registers: [registry],
    collect() {
      this.reset();
      for (const m of Object.values(service.models)) this.set({ family: m.family }, m.version);
    },
  });
  const manifest = service.catalog.features.manifest;
  new Gauge({
    name: 'shoplab_feature_store_age_seconds',
    help: 'Seconds since the feature store (features/manifest.json) was written',
    // Every worker holds the same models and live state: one's value, not the sum.
    aggregator: 'first',
    registers: [registry],
    collect() {
      if (existsSync(manifest)) this.set((Date.now() - statSync(manifest).mtimeMs) / 1000);
    },
  });
  new Gauge({
    name: 'shoplab_live_sessions',
    help: 'Sessions the session recommender holds in memory (those not idle longer than the session gap)',
    // Every worker holds the same models and live state: one's value, not the sum.
    aggregator: 'first',
    registers: [registry],
    collect() {
      this.set(service.sessions?.size ?? 0);
    },
  });
  new Gauge({
    name: 'shoplab_live_sessions_expired',
    help: 'Sessions that left memory after idling longer than the session gap, since the session model was loaded',
    // Every worker holds the same models and live state: one's value, not the sum.
    aggregator: 'first',
    registers: [registry],
    collect() {
      this.set(service.sessions?.expired ?? 0);
    },
  });
  const eventsIngested = new Counter({
    name: 'shoplab_events_ingested_total',
    help: 'Events accepted by /v1/events and written to the event log',
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status: String(reply.statusCode),
    };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
  });
  return { registry, eventsIngested };
}

export type ServiceMetrics = ReturnType<typeof serviceMetrics>;
