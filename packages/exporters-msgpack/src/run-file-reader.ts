import { createReadStream } from 'node:fs';
import type { RequestRecord } from '@llm-lens/core-timing';
import type { RunSummary } from '@llm-lens/metrics';
import { Decoder } from '@msgpack/msgpack';
import {
  asRunHeader,
  asRunRecord,
  asRunSummary,
  RUN_FILE_CODEC_OPTIONS,
  RUN_FILE_FORMAT,
  RUN_FILE_VERSION,
  type RunFileHeader,
} from './run-file-codec.js';
import { RunFileError } from './run-file-error.js';

/** One value of a run file, as {@link readRunEntries} yields it. */
export type RunFileEntry =
  | { kind: 'header'; header: RunFileHeader }
  | { kind: 'record'; record: RequestRecord }
  | { kind: 'summary'; summary: RunSummary };

const READ_CHUNK_BYTES = 64 * 1024;

const notRunFile = (path: string, what: string) =>
  new RunFileError(
    'LENS_EXPORT_MSGPACK_NOT_RUN_FILE',
    `${path} is not an llm-lens run file: ${what}. A run file starts with a MessagePack map {format: "${RUN_FILE_FORMAT}", version: ${RUN_FILE_VERSION}}, as \`llm-lens benchmark --export msgpack=FILE.msgpack\` writes it.`,
  );

/**
 * Reads a run file value by value, in 64 KB chunks, so a file of millions of records never
 * sits in memory: the header first, then each record, then the summary when the run
 * finished. A file cut short (a crash mid-run) yields every whole record and no summary; a
 * file that does not start with the header throws `LENS_EXPORT_MSGPACK_NOT_RUN_FILE`, and a
 * value in it that is neither a record nor the summary `LENS_EXPORT_MSGPACK_CORRUPT`, both
 * naming the path.
 */
export async function* readRunEntries(path: string): AsyncGenerator<RunFileEntry> {
  const decoder = new Decoder(RUN_FILE_CODEC_OPTIONS);
  const input = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  let index = 0;
  let hasSummary = false;
  const values = decoder.decodeStream(input);
  try {
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await values.next();
      } catch (error) {
        if (index === 0 && !isFileSystemError(error)) {
          throw notRunFile(
            path,
            `its first bytes are not MessagePack (${(error as Error).message})`,
          );
        }
        throw readError(path, error, index);
      }
      if (next.done === true) break;
      const value = next.value;
      if (index === 0) {
        const header = asRunHeader(value);
        if (header === undefined) throw notRunFile(path, 'its first value is not the header');
        if (header.version > RUN_FILE_VERSION) {
          throw notRunFile(
            path,
            `it is version ${header.version}, newer than this reader (${RUN_FILE_VERSION}); update llm-lens to read it`,
          );
        }
        index++;
        yield { kind: 'header', header };
        continue;
      }
      if (hasSummary) {
        throw corrupt(path, index, 'a value follows the summary, which is the last value');
      }
      const summary = asRunSummary(value);
      if (summary !== undefined) {
        hasSummary = true;
        index++;
        yield { kind: 'summary', summary };
        continue;
      }
      const record = asRunRecord(value);
      if (record === undefined)
        throw corrupt(path, index, 'it is neither a record nor the summary');
      index++;
      yield { kind: 'record', record };
    }
    if (index === 0) throw notRunFile(path, 'it is empty or ends before its first value');
  } finally {
    // Also on an early `break` by the caller: stop decoding and close the file.
    await values.return(undefined);
    input.destroy();
  }
}

function corrupt(path: string, index: number, what: string): RunFileError {
  return new RunFileError(
    'LENS_EXPORT_MSGPACK_CORRUPT',
    `${path}: value ${index} (0 is the header) is not part of a run file: ${what}. The file may have been edited or joined with another; the values before it are intact.`,
  );
}

const isFileSystemError = (error: unknown): boolean =>
  typeof (error as NodeJS.ErrnoException | undefined)?.syscall === 'string';

function readError(path: string, error: unknown, index?: number): RunFileError {
  if (error instanceof RunFileError) return error;
  const where = index === undefined || index === 0 ? '' : ` after value ${index - 1}`;
  if (isFileSystemError(error)) {
    return new RunFileError(
      'LENS_EXPORT_MSGPACK_READ',
      `cannot read the run file ${path}${where}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return new RunFileError(
    'LENS_EXPORT_MSGPACK_CORRUPT',
    `${path}: the bytes${where} are not valid MessagePack (${(error as Error).message}); the values before them are intact.`,
    { cause: error },
  );
}

export interface ReadRunFileOptions {
  /** Called for each record, in file (completion) order, as it is read. */
  onRecord?: (record: RequestRecord) => void;
}

export interface RunFileContents {
  header: RunFileHeader;
  /** The run's summary; undefined when the file was cut short (the run did not finish). */
  summary: RunSummary | undefined;
  /** Records read (and given to `onRecord`). */
  records: number;
}

/**
 * Reads a whole run file with bounded memory, handing each record to `onRecord` and keeping
 * only the header and the summary. Errors as {@link readRunEntries}.
 */
export async function readRunFile(
  path: string,
  options: ReadRunFileOptions = {},
): Promise<RunFileContents> {
  let header: RunFileHeader | undefined;
  let summary: RunSummary | undefined;
  let records = 0;
  for await (const entry of readRunEntries(path)) {
    if (entry.kind === 'header') header = entry.header;
    else if (entry.kind === 'summary') summary = entry.summary;
    else {
      records++;
      options.onRecord?.(entry.record);
    }
  }
  // readRunEntries yields the header first or throws, so it is set here.
  return { header: header!, summary, records };
}
