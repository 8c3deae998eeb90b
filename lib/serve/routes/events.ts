import { STATUS_CODES } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';

import { checkEventBody } from '../../live/index';
import { answers, EventsAnswer, EventsBody, EventsProblem, MAX_BATCH } from '../schemas';
import type { RouteOptions } from './context';

/** Posted events: appended to the event log (fsync before the answer), then applied to the users' and sessions' live states. */
export const eventRoutes: FastifyPluginAsync<RouteOptions> = async (app, { service, metrics }) => {
  app.post(
    '/v1/events',
    {
      // The schema documents the body; the handler checks it itself so that a batch's answer names every bad event.
      attachValidation: true,
      schema: {
        description:
          `Records one event or a batch of 1 to ${MAX_BATCH} in the canonical event shape (session_id required; user_id optional: an anonymous visitor has none; product_id required except for searches). ` +
          'All or nothing: if any event in a batch is invalid, none is recorded and the 400 answer lists every bad event by index and field. ' +
          "Accepted events are appended to the event log on disk before the answer, and update the user's and the session's live state at once.",
        body: EventsBody,
        response: answers(EventsAnswer, EventsProblem),
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
      const unknown = await service.record(events);
      metrics.eventsIngested.inc(events.length);
      return {
        accepted: events.length,
        unknown_products: unknown,
        users: new Set(events.filter((e) => e.user_id !== null).map((e) => e.user_id)).size,
        sessions: new Set(events.map((e) => e.session_id)).size,
      };
    },
  );
};
