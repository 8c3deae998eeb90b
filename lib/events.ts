/** The canonical event types, in funnel order; their index is the code used in typed-array columns. */
export const EVENT_TYPES = ['view', 'click', 'add_to_cart', 'remove_from_cart', 'purchase', 'search'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_CODE: Record<EventType, number> = Object.fromEntries(EVENT_TYPES.map((t, i) => [t, i])) as Record<
  EventType,
  number
>;

export const PERSONAS = ['browser', 'researcher', 'deal_hunter', 'loyal_buyer'] as const;
export type Persona = (typeof PERSONAS)[number];
