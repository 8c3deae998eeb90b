import type { FastifyPluginAsync } from 'fastify';

import { HealthAnswer } from '../schemas';
import type { RouteOptions } from './context';

/** Liveness, readiness, Prometheus metrics and the OpenAPI document. */
export const healthRoutes: FastifyPluginAsync<RouteOptions> = async (app, { service, metrics }) => {
  app.get('/health', { schema: { response: { 200: HealthAnswer } } }, async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) =>
    reply.code(service.ready ? 200 : 503).send({ ready: service.ready, models: Object.keys(service.models) }),
  );
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type(metrics.registry.contentType)
      .send(await (service.channel ? service.channel.metrics() : metrics.registry.metrics())),
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
