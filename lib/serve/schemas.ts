import { type Static, type TSchema, Type } from '@sinclair/typebox';

import { EVENT_TYPES, type EventType } from '../events';

/**
 * Every request and response schema of the service, with the TypeScript type of each body derived
 * from it (TypeBox): the OpenAPI document, the validation and the handlers' types come from one
 * source. Nullable fields keep JSON Schema's `type: [..., 'null']` (not anyOf), so a bad value is
 * reported once, naming the field.
 */

/** Most items in one batch request; more is 413. */
export const MAX_BATCH = 1000;
/** Most recommendations one request may ask for. */
export const MAX_RECOMMENDATIONS = 100;

const nullable = <T>(type: 'integer' | 'number' | 'string', options: Record<string, unknown> = {}) =>
  Type.Unsafe<T | null>({ type: [type, 'null'], ...options });
const Id = () => Type.Integer({ minimum: 0 });
const NullableId = () => nullable<number>('integer', { minimum: 0 });

export const ErrorBody = Type.Object({
  error: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});

const eventTime = Type.String({
  maxLength: 40,
  pattern: '^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?(Z|[+-]\\d{2}:\\d{2})?$',
});

/** An event in the canonical shape, as a session's history for /v1/predict/purchase. */
export const Event = Type.Object(
  {
    event_time: eventTime,
    event_type: Type.Unsafe<EventType>({ type: 'string', enum: [...EVENT_TYPES] }),
    user_id: Type.Optional(NullableId()),
    session_id: Type.Optional(nullable<string>('string', { maxLength: 200 })),
    product_id: Type.Optional(NullableId()),
    price: Type.Optional(nullable<number>('number', { minimum: 0 })),
    search_id: Type.Optional(NullableId()),
  },
  { additionalProperties: false },
);

/** An event posted to /v1/events: the same shape, with the session required (checkEventBody enforces it); no user_id for an anonymous visitor. */
export const LiveEventBody = Type.Object(
  {
    ...Event.properties,
    session_id: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const EventsBody = Type.Union([LiveEventBody, Type.Array(LiveEventBody, { minItems: 1, maxItems: MAX_BATCH })]);

export const EventsAnswer = Type.Object({
  accepted: Type.Integer(),
  unknown_products: Type.Integer(),
  users: Type.Integer(),
  sessions: Type.Integer(),
});

export const EventsProblem = Type.Object({
  ...ErrorBody.properties,
  problems: Type.Optional(
    Type.Array(Type.Object({ index: Type.Integer(), field: Type.String(), message: Type.String() })),
  ),
});

export const PurchaseBody = Type.Object(
  {
    sessions: Type.Array(
      Type.Object({ events: Type.Array(Event, { minItems: 1, maxItems: 500 }) }, { additionalProperties: false }),
      { minItems: 1, maxItems: MAX_BATCH },
    ),
  },
  { additionalProperties: false },
);
export type PurchaseBody = Static<typeof PurchaseBody>;

export const PurchaseAnswer = Type.Object({
  model_version: Type.Integer(),
  probabilities: Type.Array(Type.Number()),
});

export const RankBody = Type.Object(
  {
    query: Type.String({ minLength: 1, maxLength: 500 }),
    user_id: Type.Optional(NullableId()),
    product_ids: Type.Array(Id(), { minItems: 1, maxItems: MAX_BATCH, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type RankBody = Static<typeof RankBody>;

export const RankAnswer = Type.Object({
  model_version: Type.Integer(),
  results: Type.Array(
    Type.Object({
      product_id: Type.Integer(),
      score: Type.Number(),
      position: Type.Integer(),
      cold_start: Type.Boolean(),
    }),
  ),
});

export const CategoryBody = Type.Object(
  {
    products: Type.Array(
      Type.Object(
        {
          id: Type.Optional(nullable<string>('string', { maxLength: 200 })),
          title: Type.String({ maxLength: 2000 }),
          brand: Type.Optional(nullable<string>('string', { maxLength: 200 })),
          seller: Type.Optional(nullable<string>('string', { maxLength: 200 })),
          seller_id: Type.Optional(NullableId()),
          price: Type.Optional(nullable<number>('number', { minimum: 0 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_BATCH },
    ),
  },
  { additionalProperties: false },
);
export type CategoryBody = Static<typeof CategoryBody>;

export const CategoryAnswer = Type.Object({
  model_version: Type.Integer(),
  predictions: Type.Array(Type.Array(Type.Object({ category: Type.String(), probability: Type.Number() }))),
});

export const RecommendParams = Type.Object({ user_id: Type.String({ pattern: '^[0-9]{1,15}$' }) });
export type RecommendParams = Static<typeof RecommendParams>;
export const RecommendQuery = Type.Object(
  { k: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$' })) },
  { additionalProperties: false },
);
export type RecommendQuery = Static<typeof RecommendQuery>;

export const RecommendAnswer = Type.Object({
  model_version: Type.Integer(),
  user_id: Type.Integer(),
  cold_start: Type.Boolean(),
  known_user: Type.Boolean(),
  recent_items: Type.Integer(),
  items: Type.Array(
    Type.Object({
      product_id: Type.Integer(),
      score: Type.Number(),
      sources: Type.Record(Type.String(), Type.Number()),
    }),
  ),
});

export type RecommendAnswer = Static<typeof RecommendAnswer>;

export const SessionParams = Type.Object({ session_id: Type.String({ minLength: 1, maxLength: 200 }) });
export type SessionParams = Static<typeof SessionParams>;

export const SessionAnswer = Type.Object({
  model_version: Type.Integer(),
  session_id: Type.String(),
  cold_start: Type.Boolean(),
  known_session: Type.Boolean(),
  clicks: Type.Integer(),
  from_user_history: Type.Boolean(),
  items: Type.Array(Type.Object({ product_id: Type.Integer(), score: nullable<number>('number') })),
});

export const HealthAnswer = Type.Object({ status: Type.String() });

/** A route's response schemas: its 200 answer and the error shape of every 4xx. */
export const answers = <T extends TSchema, E extends TSchema = typeof ErrorBody>(ok: T, error?: E) => ({
  200: ok,
  '4xx': error ?? ErrorBody,
});
