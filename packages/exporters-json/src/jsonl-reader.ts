import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { RequestRecord } from '@llm-lens/core-timing';
import { parseRecordLine, recordFromJson } from './record-from-json.js';

/**
 * Reads a records file written by {@link JsonlRecordWriter} one line at a time, so a file of
 * millions of records never sits in memory. Blank lines are skipped; a line that is not a
 * record throws a `RecordJsonError` naming the file and line number. A last line cut short
 * (a run killed mid-write) is skipped, since everything before it is whole.
 */
export async function* readRecordsJsonl(path: string): AsyncGenerator<RequestRecord> {
  const lines = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let number = 0;
  let pending: { line: string; number: number } | undefined;
  for await (const line of lines) {
    number++;
    if (line.trim() === '') continue;
    if (pending !== undefined) {
      yield recordFromJson(parseRecordLine(pending.line, `${path}:${pending.number}`));
    }
    pending = { line, number };
  }
  if (pending === undefined) return;
  try {
    yield recordFromJson(parseRecordLine(pending.line, `${path}:${pending.number}`));
  } catch (error) {
    // A cut-short last line is the normal end of an interrupted write; only a whole line
    // that is not a record is an error.
    if (pending.line.trimEnd().endsWith('}')) throw error;
  }
}
