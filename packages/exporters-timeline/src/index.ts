export { exporterFactories, timelineFormat } from './exporter-factories.js';
export { SlotAssigner } from './slot-assigner.js';
export type { TimelineExportErrorCode } from './timeline-error.js';
export { TimelineExportError } from './timeline-error.js';
export { TimelineWriter } from './timeline-writer.js';
export type { TraceEvent, TraceOptions } from './trace-events.js';
export {
  formatMicros,
  formatTraceEvent,
  requestSpanNs,
  requestTraceEvents,
  SPAN_NAMES,
  TraceSerializer,
} from './trace-events.js';
