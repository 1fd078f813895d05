export { exporterFactories, runMsgpackFormat } from './exporter-factories.js';
export type { RunFileHeader, RunFileSummaryValue } from './run-file-codec.js';
export {
  asRunHeader,
  asRunRecord,
  asRunSummary,
  encodeRunHeader,
  encodeRunRecord,
  encodeRunSummary,
  RUN_FILE_CODEC_OPTIONS,
  RUN_FILE_FORMAT,
  RUN_FILE_VERSION,
  SUMMARY_KIND,
} from './run-file-codec.js';
export type { RunFileErrorCode } from './run-file-error.js';
export { RunFileError } from './run-file-error.js';
export type { ReadRunFileOptions, RunFileContents, RunFileEntry } from './run-file-reader.js';
export { readRunEntries, readRunFile } from './run-file-reader.js';
export { MsgpackRunWriter } from './run-file-writer.js';
