// The public names of lib/sessions: what code outside the folder (and its tests) imports.
export { DEFAULT_GAP_MINUTES, EVENT_ORDER, numberedSessionsSql, sessionize, summariseSessions } from './sessionize';
