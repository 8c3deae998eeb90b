// The public names of lib/sessions: what code outside the folder (and its tests) imports.
export { DEFAULT_GAP_MINUTES, EVENT_ORDER, sessionize, summariseSessions } from './sessionize';
