import { existsSync, readFileSync, statSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

import { dataCatalog } from '../catalog';
import type { FeatureOptions } from '../features/index';
import { openDuckDB } from '../io/index';
import { predictCategories } from './category';
import { fieldOf, httpError, jsonProblem } from './http';
import { type LoadedModel, loadProductionModels } from './models';
import { eventTimeMs, predictPurchases, type SessionEvent } from './purchase';
import { loadServingStore, type RankRequest } from './rank';
import { buildRankingIndex, rankWithIndex } from './rank-index';
import { loadInteractions, loadRecommendModel, RECOMMENDER_FILE } from '../recommend/index';
import { versionDir } from '../registry/index';
import { checkEventBody, EventLog, type LiveEvent } from './events';
import { LiveRecommender } from './recommend';

export interface ServeOptions {
  /** The data folder whose production models and features are served. */
  dataDir: string;
  logger?: boolean;
  /** Largest request body in bytes (413 above). */
  bodyLimit?: number;
  /** The log posted events are appended to and replayed from (default: the data folder's live/events.jsonl). */
  eventLog?: string;
}

/** Most items in one batch request; more is 413. */
export const MAX_BATCH = 1000;
/** Most recommendations one request may ask for. */
export const MAX_RECOMMENDATIONS = 100;

const error = {
  type: 'object',
  properties: { error: { type: 'string' }, field: { type: 'string' }, message: { type: 'string' } },
};

const event = {
  type: 'object',
  additionalProperties: false,
  required: ['event_time', 'event_type'],
  properties: {
    event_time: {
      type: 'string',
      maxLength: 40,
      pattern: '^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?(Z|[+-]\\d{2}:\\d{2})?$',
    },
    event_type: { type: 'string', enum: ['view', 'click', 'add_to_cart', 'remove_from_cart', 'purchase', 'search'] },
    user_id: { type: ['integer', 'null'], minimum: 0 },
    session_id: { type: ['string', 'null'], maxLength: 200 },
    product_id: { type: ['integer', 'null'], minimum: 0 },
    price: { type: ['number', 'null'], minimum: 0 },
    search_id: { type: ['integer', 'null'], minimum: 0 },
  },
};

/** An event posted to /v1/events: the same shape, with the user and the session required (checkEventBody enforces it). */
const liveEvent = {
  ...event,
  required: [...event.required, 'user_id', 'session_id'],
  properties: {
    ...event.properties,
    user_id: { type: 'integer', minimum: 0 },
    session_id: { type: 'string', minLength: 1, maxLength: 200 },
  },
};

const purchaseBody = {
  type: 'object',
  additionalProperties: false,
  required: ['sessions'],
  properties: {
    sessions: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_BATCH,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['events'],
        properties: { events: { type: 'array', minItems: 1, maxItems: 500, items: event } },
      },
    },
  },
};

const rankBody = {
  type: 'object',
  additionalProperties: false,
  required: ['query', 'product_ids'],
  properties: {
    query: { type: 'string', minLength: 1, maxLength: 500 },
    user_id: { type: ['integer', 'null'], minimum: 0 },
    product_ids: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_BATCH,
      uniqueItems: true,
      items: { type: 'integer', minimum: 0 },
    },
  },
};

const categoryBody = {
  type: 'object',
  additionalProperties: false,
  required: ['products'],
  properties: {
    products: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_BATCH,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['title'],
        properties: {
          title: { type: 'string', maxLength: 2000 },
          brand: { type: ['string', 'null'], maxLength: 200 },
          seller_id: { type: ['integer', 'null'], minimum: 0 },
          price: { type: ['number', 'null'], minimum: 0 },
        },
      },
    },
  },
};

/**
 * The prediction service: a Fastify app over a data folder's production models. Every body is
 * checked against a schema; bad input gets a 4xx JSON error naming the field, never a 500.
 */
export async function buildApp(options: ServeOptions): Promise<FastifyInstance> {
  const catalog = dataCatalog(options.dataDir);
  let models = loadProductionModels(catalog);
  // The serving feature store, on a connection whose queries run one at a time.
  const store = await openDuckDB();
  const loaded = existsSync(catalog.raw.products)
    ? await loadServingStore(store.con, catalog)
    : { tables: new Set<string>(), snapshotDay: null, idf: null };
  const storeReady = loaded.tables.has('user_totals');
  const rankReady =
    [
      'product_days',
      'category_days',
      'user_category_totals',
      'query_ids',
      'query_product_totals',
      'query_category_totals',
    ].every((t) => loaded.tables.has(t)) && loaded.idf !== null;
  const featureOptions = existsSync(catalog.features.manifest)
    ? (JSON.parse(readFileSync(catalog.features.manifest, 'utf8')) as { options: FeatureOptions }).options
    : null;
  // Ranking's request-independent features, computed once by the training SQL: a search only assembles them.
  const rankingIndex =
    rankReady && featureOptions && loaded.snapshotDay && loaded.idf
      ? await buildRankingIndex(store.con, loaded.snapshotDay, loaded.idf, featureOptions)
      : null;
  // Live recommendations: users' states from the event history, then from the service's own log of posted events.
  const eventLogPath = options.eventLog ?? catalog.live.events;
  const opened = EventLog.open(eventLogPath);
  if (opened.droppedBytes)
    process.stderr.write(
      `serve: ${eventLogPath}: dropped an unfinished last line (${opened.droppedBytes} bytes) left by a crash mid-write; it was never acknowledged\n`,
    );
  const eventLog = opened.log;
  // `logged` is called after the history is loaded, so a rebuild also replays events posted while it loaded.
  const buildRecommender = async (set: typeof models, logged: () => LiveEvent[]): Promise<LiveRecommender | null> => {
    const reranker = set.recommend;
    if (!reranker) return null;
    const dir = versionDir(catalog.models.family('recommend'), reranker.version);
    if (!existsSync(`${dir}/${RECOMMENDER_FILE}`)) return null;
    let model;
    try {
      model = loadRecommendModel(dir);
    } catch (e) {
      // A damaged or older-format version leaves recommendations unavailable (503), not the service down.
      process.stderr.write(
        `serve: recommend v${reranker.version} cannot be loaded, /v1/recommend answers 503: ${(e as Error).message}\n`,
      );
      return null;
    }
    const live = new LiveRecommender(model, reranker);
    if (existsSync(catalog.interim.events))
      live.replayHistory(await loadInteractions(store.con, catalog.interim.events, live.model.products));
    live.apply(logged());
    return live;
  };
  let recommender = await buildRecommender(models, () => opened.events);
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  };
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1 << 20,
    // Unknown fields are errors, not silently dropped; types are never coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
  });

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    let value: unknown;
    try {
      value = JSON.parse(body as string);
    } catch (e) {
      done(httpError(400, `invalid JSON: ${(e as Error).message}`), undefined);
      return;
    }
    // 1e400 parses to Infinity (JSON has no NaN or Infinity, so no field may hold one); deep nesting is refused before validation walks it.
    const problem = jsonProblem(value);
    if (problem) done(httpError(400, `${problem.field}: ${problem.message}`, problem.field), undefined);
    else done(null, value);
  });

  app.setErrorHandler((err, request, reply) => {
    const validation = (
      err as {
        validation?: { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string }[];
      }
    ).validation;
    if (validation?.length) {
      const v = validation[0];
      const field = fieldOf(v);
      const status = v.keyword === 'maxItems' ? 413 : 400;
      void reply.code(status).send({
        error: STATUS_CODES[status],
        field,
        message: `${field}: ${v.keyword === 'additionalProperties' ? 'unknown field' : v.message}`,
      });
      return;
    }
    const code = (err as { statusCode?: number }).statusCode;
    // Client errors keep their status, as does 503 (no model loaded); anything else is ours: 500, logged, no details out.
    const status = code !== undefined && ((code >= 400 && code < 500) || code === 503) ? code : 500;
    if (status === 500) request.log.error(err);
    const field = (err as { field?: string }).field;
    void reply.code(status).send({
      error: STATUS_CODES[status] ?? 'Error',
      ...(field ? { field } : {}),
      message: status === 500 ? 'internal error' : (err as Error).message,
    });
  });

  // Metrics: per app, so several apps (tests) do not share counters.
  const registry = new Registry();
  const requests = new Counter({
    name: 'shoplab_http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'shoplab_http_request_duration_seconds',
    help: 'HTTP request latency by route, method and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  new Gauge({
    name: 'shoplab_model_version',
    help: 'Registry version of the production model loaded, by family',
    labelNames: ['family'],
    registers: [registry],
    collect() {
      this.reset();
      for (const m of Object.values(models)) this.set({ family: m.family }, m.version);
    },
  });
  new Gauge({
    name: 'shoplab_feature_store_age_seconds',
    help: 'Seconds since the feature store (features/manifest.json) was written',
    registers: [registry],
    collect() {
      if (existsSync(catalog.features.manifest))
        this.set((Date.now() - statSync(catalog.features.manifest).mtimeMs) / 1000);
    },
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

  await app.register(swagger, { openapi: { info: { title: 'shoplab prediction service', version: '1' } } });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const need = (family: keyof typeof models): LoadedModel => {
    const model = models[family];
    if (!model) throw httpError(503, `no production ${family} model: run make models`);
    return model;
  };

  app.get(
    '/health',
    { schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } },
    async () => ({ status: 'ok' }),
  );
  app.addHook('onClose', async () => store.close());

  app.get('/ready', async (_request, reply) => {
    const families = Object.keys(models);
    const ready =
      families.length > 0 &&
      existsSync(catalog.features.manifest) &&
      (!models.purchase || storeReady) &&
      (!models.ranking || rankReady);
    return reply.code(ready ? 200 : 503).send({ ready, models: families });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/v1/models', async () =>
    Object.values(models).map((m) => ({
      family: m.family,
      version: m.version,
      metrics: m.metrics,
      features: m.features,
      classes: m.classes,
    })),
  );
  app.post('/v1/models/reload', async () => {
    const before = Object.fromEntries(Object.values(models).map((m) => [m.family, m.version]));
    // Requests in flight keep the set they started with; new ones see the new set.
    const next = loadProductionModels(catalog);
    if (next.recommend?.version !== models.recommend?.version)
      recommender = await serially(() => buildRecommender(next, () => EventLog.read(eventLogPath)));
    models = next;
    return { before, after: Object.fromEntries(Object.values(models).map((m) => [m.family, m.version])) };
  });

  app.post(
    '/v1/predict/category',
    {
      schema: {
        description:
          'Top-3 leaf categories with probabilities for 1 to 1000 products, from title, brand, seller and price.',
        body: categoryBody,
        response: {
          200: {
            type: 'object',
            properties: {
              model_version: { type: 'integer' },
              predictions: {
                type: 'array',
                items: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: { category: { type: 'string' }, probability: { type: 'number' } },
                  },
                },
              },
            },
          },
          '4xx': error,
        },
      },
    },
    async (request) => {
      const model = need('category');
      const { products } = request.body as {
        products: { title: string; brand?: string | null; seller_id?: number | null; price?: number | null }[];
      };
      const predictions = predictCategories(
        model,
        products.map((p) => ({
          title: p.title,
          brand: p.brand ?? null,
          seller_id: p.seller_id ?? null,
          price: p.price ?? null,
        })),
      );
      return { model_version: model.version, predictions };
    },
  );

  app.post(
    '/v1/rank',
    {
      schema: {
        description:
          "Orders a search's candidate products (in the order the search engine returned them) by the ranking model; unknown products are ranked on cold-start features and flagged.",
        body: rankBody,
        response: {
          200: {
            type: 'object',
            properties: {
              model_version: { type: 'integer' },
              results: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    product_id: { type: 'integer' },
                    score: { type: 'number' },
                    position: { type: 'integer' },
                    cold_start: { type: 'boolean' },
                  },
                },
              },
            },
          },
          '4xx': error,
        },
      },
    },
    async (request) => {
      const model = need('ranking');
      if (!rankingIndex)
        throw httpError(
          503,
          `the serving feature store under ${catalog.features.dir}/store is incomplete: run make data`,
        );
      const { results } = rankWithIndex(rankingIndex, model, request.body as RankRequest);
      return { model_version: model.version, results };
    },
  );

  app.post(
    '/v1/predict/purchase',
    {
      schema: {
        description:
          "Purchase probability of 1 to 1000 sessions right after their last event, from the training set's own session-prefix features.",
        body: purchaseBody,
        response: {
          200: {
            type: 'object',
            properties: {
              model_version: { type: 'integer' },
              probabilities: { type: 'array', items: { type: 'number' } },
            },
          },
          '4xx': error,
        },
      },
    },
    async (request) => {
      const model = need('purchase');
      if (!storeReady)
        throw httpError(503, `no serving feature store at ${catalog.features.store('user_totals')}: run make data`);
      const { sessions } = request.body as { sessions: { events: SessionEvent[] }[] };
      sessions.forEach((session, s) =>
        session.events.forEach((e, i) => {
          if (Number.isNaN(eventTimeMs(e.event_time)))
            throw httpError(
              400,
              `sessions[${s}].events[${i}].event_time: not a date-time`,
              `sessions[${s}].events[${i}].event_time`,
            );
        }),
      );
      const { probabilities } = await serially(() => predictPurchases(store.con, model, sessions));
      return { model_version: model.version, probabilities };
    },
  );

  const eventsIngested = new Counter({
    name: 'shoplab_events_ingested_total',
    help: 'Events accepted by /v1/events and written to the event log',
    registers: [registry],
  });
  app.post(
    '/v1/events',
    {
      // The schema documents the body; the handler checks it itself so that a batch's answer names every bad event.
      attachValidation: true,
      schema: {
        description:
          `Records one event or a batch of 1 to ${MAX_BATCH} in the canonical event shape (user_id and session_id required; product_id required except for searches). ` +
          'All or nothing: if any event in a batch is invalid, none is recorded and the 400 answer lists every bad event by index and field. ' +
          "Accepted events are appended to the event log on disk before the answer, and update the user's live state at once.",
        body: { oneOf: [liveEvent, { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: liveEvent }] },
        response: {
          200: {
            type: 'object',
            properties: {
              accepted: { type: 'integer' },
              unknown_products: { type: 'integer' },
              users: { type: 'integer' },
            },
          },
          '4xx': {
            type: 'object',
            properties: {
              ...error.properties,
              problems: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { index: { type: 'integer' }, field: { type: 'string' }, message: { type: 'string' } },
                },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { events, problems, tooMany } = checkEventBody(request.body, MAX_BATCH);
      if (problems.length) {
        const status = tooMany ? 413 : 400;
        const bad = new Set(problems.map((p) => p.index)).size;
        const message =
          Array.isArray(request.body) && !tooMany
            ? `${bad} of ${(request.body as unknown[]).length} events are invalid, so none was recorded: ${problems[0].message}`
            : problems[0].message;
        return reply.code(status).send({ error: STATUS_CODES[status], field: problems[0].field, message, problems });
      }
      try {
        eventLog.append(events);
      } catch (e) {
        throw httpError(
          503,
          `could not write the event log ${eventLogPath}: ${(e as Error).message}; nothing was recorded`,
        );
      }
      eventsIngested.inc(events.length);
      const live = recommender;
      const unknownBefore = live?.unknownProducts ?? 0;
      live?.apply(events);
      return {
        accepted: events.length,
        unknown_products: (live?.unknownProducts ?? 0) - unknownBefore,
        users: new Set(events.map((e) => e.user_id)).size,
      };
    },
  );

  app.get(
    '/v1/recommend/:user_id',
    {
      schema: {
        description:
          `The top k (default 20, at most ${MAX_RECOMMENDATIONS}) products for a user from their live state: co-visitation, item2vec, category, trending and popular candidates re-ranked by the production model. ` +
          'A user with no touched product yet gets trending and popular products (cold_start: true).',
        params: {
          type: 'object',
          properties: { user_id: { type: 'string', pattern: '^[0-9]{1,15}$' } },
          required: ['user_id'],
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { k: { type: 'string', pattern: '^[0-9]{1,6}$' } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              model_version: { type: 'integer' },
              user_id: { type: 'integer' },
              cold_start: { type: 'boolean' },
              known_user: { type: 'boolean' },
              recent_items: { type: 'integer' },
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    product_id: { type: 'integer' },
                    score: { type: 'number' },
                    sources: { type: 'object', additionalProperties: { type: 'number' } },
                  },
                },
              },
            },
          },
          '4xx': error,
        },
      },
    },
    async (request) => {
      const live = recommender;
      if (!live)
        throw httpError(
          503,
          `no production recommend model under ${catalog.models.family('recommend')}: run make models`,
        );
      const { user_id: user } = request.params as { user_id: string };
      const { k: kText } = request.query as { k?: string };
      const k = kText === undefined ? 20 : Number(kText);
      if (!(k >= 1 && k <= MAX_RECOMMENDATIONS))
        throw httpError(400, `k: must be from 1 to ${MAX_RECOMMENDATIONS}, got ${kText}`, 'k');
      return { model_version: live.reranker.version, user_id: Number(user), ...live.recommend(Number(user), k) };
    },
  );

  app.addHook('onClose', async () => eventLog.close());

  return app;
}
