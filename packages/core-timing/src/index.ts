export type { WallClockAnchor } from './clock.js';
export { createWallClockAnchor, msToNs, now, nsToMs, wallMsAt } from './clock.js';
export type { TimedConnectorOptions } from './connection-phases.js';
export {
  consumeConnectionPhases,
  createTimedConnector,
  DEFAULT_CONNECT_TIMEOUT_MS,
} from './connection-phases.js';
export type { EventLoopMonitorOptions, EventLoopSnapshot } from './event-loop-monitor.js';
export {
  DEFAULT_CLIENT_BOUND_P99_MS,
  DEFAULT_EVENT_LOOP_RESOLUTION_MS,
  EventLoopMonitor,
  isClientBound,
} from './event-loop-monitor.js';
export type {
  ConnectionPhases,
  ErrorClass,
  RequestRecord,
  RequestStatus,
  TokenCountSource,
} from './record.js';
export { ERROR_CLASSES } from './record.js';
export type { StreamTimings } from './stream-timer.js';
export { StreamTimer } from './stream-timer.js';
