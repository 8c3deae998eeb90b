// The public names of lib/sessions: what code outside the folder (and its tests) imports.
export {
  continuedSessionDays,
  DEFAULT_GAP_MINUTES,
  EVENT_ORDER,
  FUNNEL_RANK,
  mergedGroupsSql,
  mergedSessionsSql,
  NO_GROUPS_BEFORE,
  numberedSessionsSql,
  SESSIONIZED_COLUMNS,
  sessionGroups,
  sessionize,
  summariseSessions,
  writeSessionGroups,
} from './sessionize';
