import type { ExporterFactory } from '@llm-lens/metrics';
import { TimelineExportError } from './timeline-error.js';
import { TimelineWriter } from './timeline-writer.js';

/** `timeline`: a Chrome trace of every request, streamed as requests finish. */
export const timelineFormat: ExporterFactory = {
  format: 'timeline',
  description:
    'a Chrome trace of every request (one track per concurrency slot, a span per phase), for ui.perfetto.dev or chrome://tracing',
  extensions: ['.trace.json'],
  options: {
    'timeline-tokens': {
      type: 'boolean',
      describe:
        'timeline: draw every token event as an instant (--no-timeline-tokens: spans only, a file about 100 bytes per token event smaller)',
      default: true,
    },
  },
  createRecordSink: (target) => {
    if (target.path === undefined || target.path === '') {
      throw new TimelineExportError(
        'LENS_EXPORT_TIMELINE_PATH',
        'the timeline export needs a file: give one with `--export timeline=FILE.trace.json` (or a `--records` path ending in .trace.json)',
      );
    }
    return new TimelineWriter(target.path, {
      tokenEvents: target.options?.['timeline-tokens'] !== false,
    });
  },
};

/** The formats of this package, as the CLI discovers them. */
export const exporterFactories: readonly ExporterFactory[] = [timelineFormat];
