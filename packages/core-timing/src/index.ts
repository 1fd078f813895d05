export { now, nsToMs, msToNs, createWallClockAnchor, wallMsAt } from './clock.js';
export type { WallClockAnchor } from './clock.js';
export { StreamTimer } from './stream-timer.js';
export type { StreamTimings } from './stream-timer.js';
export { ERROR_CLASSES } from './record.js';
export type {
  ErrorClass,
  TokenCountSource,
  ConnectionPhases,
  RequestStatus,
  RequestRecord,
} from './record.js';
