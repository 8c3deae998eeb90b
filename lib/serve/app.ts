import { STATUS_CODES } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { AggregatorRegistry } from 'prom-client';

import { parseProductCsv } from '../classify/index';
import { fieldOf, httpError, jsonProblem } from './http';
import { serviceMetrics } from './metrics';
import { eventRoutes } from './routes/events';
import { healthRoutes } from './routes/health';
import { modelRoutes } from './routes/models';
import { predictRoutes } from './routes/predict';
import { recommendRoutes } from './routes/recommend';
import { type ServeOptions, Service } from './service';

export type { ServeOptions } from './service';
export { MAX_BATCH, MAX_RECOMMENDATIONS } from './schemas';

/**
 * The prediction service: a Fastify app over a data folder's production models (lib/serve/service.ts
 * holds them), with one plugin per route group under lib/serve/routes/ and the request and response
 * schemas of lib/serve/schemas.ts. Every body is checked against its schema; bad input gets a 4xx
 * JSON error naming the field, never a 500.
 */
export async function buildApp(options: ServeOptions): Promise<FastifyInstance> {
  return (await buildService(options)).app;
}

/** The app and the service it serves (a worker of a multi-process service hands the service to the primary's channel). */
export async function buildService(options: ServeOptions): Promise<{ app: FastifyInstance; service: Service }> {
  const service = await Service.open(options);
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1 << 20,
    // Unknown fields are errors, not silently dropped; types are never coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
  });
  app.addHook('onClose', async () => service.close());

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

  // Products to classify may come as CSV (a header, then up to MAX_BATCH rows): they become the JSON body's products.
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (request, body, done) => {
    if (request.url.split('?')[0] !== '/v1/predict/category') {
      done(
        httpError(415, 'text/csv bodies are accepted by /v1/predict/category only; send application/json'),
        undefined,
      );
      return;
    }
    try {
      done(null, { products: parseProductCsv(body as string) });
    } catch (e) {
      done(httpError(400, (e as Error).message), undefined);
    }
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

  const metrics = serviceMetrics(app, service);
  if (options.channel) {
    // A worker reports these metrics to the primary, which sums every worker's, and names itself in each answer.
    AggregatorRegistry.setRegistries([metrics.registry]);
    const worker = String(process.pid);
    app.addHook('onSend', async (_request, reply) => {
      void reply.header('x-shoplab-worker', worker);
    });
  }
  await app.register(swagger, { openapi: { info: { title: 'shoplab prediction service', version: '1' } } });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  for (const routes of [healthRoutes, modelRoutes, predictRoutes, eventRoutes, recommendRoutes]) {
    await app.register(routes, { service, metrics });
  }
  return { app, service };
}
