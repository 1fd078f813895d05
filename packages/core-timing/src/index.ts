export type { WallClockAnchor } from './clock.js';
export { createWallClockAnchor, msToNs, now, nsToMs, wallMsAt } from './clock.js';
export type { EventLoopMonitorOptions, EventLoopSnapshot } from './event-loop-monitor.js';
export { DEFAULT_EVENT_LOOP_RESOLUTION_MS, EventLoopMonitor } from './event-loop-monitor.js';
export type {
  ConnectionPhases,
  ErrorClass,
  RequestRecord,
  RequestStatus,
  RetryGaveUp,
  TokenCountSource,
} from './record.js';
export { ERROR_CLASSES } from './record.js';
export type { StreamTimings } from './stream-timer.js';
export { StreamTimer, tpotNs } from './stream-timer.js';
