import type { ExporterFactory } from '@llm-lens/metrics';
import { RunFileError } from './run-file-error.js';
import { MsgpackRunWriter } from './run-file-writer.js';

/** `msgpack`: the whole run (records as they finish, then the summary) in one file. */
export const runMsgpackFormat: ExporterFactory = {
  format: 'msgpack',
  description:
    'the whole run in one MessagePack file: every record exactly (token events included), then the summary',
  extensions: ['.msgpack', '.mpk'],
  createRunExporter: (target) => {
    if (target.path === undefined || target.path === '') {
      throw new RunFileError(
        'LENS_EXPORT_MSGPACK_PATH',
        'the msgpack export needs a file: give one with `--export msgpack=FILE.msgpack` (or an `--output` path ending in .msgpack or .mpk)',
      );
    }
    return new MsgpackRunWriter(target.path, { runId: target.runId });
  },
};

/** The formats of this package, as the CLI discovers them. */
export const exporterFactories: readonly ExporterFactory[] = [runMsgpackFormat];
