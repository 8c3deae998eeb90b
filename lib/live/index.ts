// The public names of lib/live: the service's event log and the processes that share it (what code outside the folder imports).
export {
  checkEvent,
  checkEventBody,
  droppedLine,
  EventLog,
  eventTimeMs,
  type EventProblem,
  type LiveEvent,
} from './events';
export { cluster, runPrimary, workerChannel, type PrimaryChannel, type ReloadAnswer } from './cluster';
