import type { FastifyPluginAsync } from 'fastify';

import type { RouteOptions } from './context';

/** The production models, and swapping them for the registry's current production versions. */
export const modelRoutes: FastifyPluginAsync<RouteOptions> = async (app, { service }) => {
  app.get('/v1/models', async () =>
    Object.values(service.models).map((m) => ({
      family: m.family,
      version: m.version,
      metrics: m.metrics,
      features: m.features,
      classes: m.classes,
    })),
  );
  // Requests in flight keep the set they started with; new ones see the new set.
  app.post('/v1/models/reload', async () => service.reloadEverywhere());
};
