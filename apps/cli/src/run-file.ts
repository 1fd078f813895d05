import type { RequestRecord } from '@llm-lens/core-timing';
import { readRunEntries } from '@llm-lens/exporters-msgpack';
import type { RunSummary } from '@llm-lens/metrics';

const RUN_FILE_EXTENSIONS = ['.msgpack', '.mpk'];

/** Whether `path` names a MessagePack run file (records and summary in one), by its name. */
export function runFileKind(path: string): boolean {
  const lower = path.toLowerCase();
  return RUN_FILE_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/**
 * Streams a run file's records to `onRecord` (awaiting it, so a slow writer holds the read
 * back) and returns its summary, or undefined when the run was cut short before it had one.
 */
export async function readRunRecords(
  path: string,
  onRecord: (record: RequestRecord) => Promise<void> | void,
): Promise<RunSummary | undefined> {
  let summary: RunSummary | undefined;
  for await (const entry of readRunEntries(path)) {
    if (entry.kind === 'record') await onRecord(entry.record);
    else if (entry.kind === 'summary') summary = entry.summary;
  }
  return summary;
}

/** The run id a run file's header carries (written since run ids exist), without reading on. */
export async function runFileRunId(path: string): Promise<string | undefined> {
  for await (const entry of readRunEntries(path)) {
    return entry.kind === 'header' ? entry.header.run_id : undefined;
  }
  return undefined;
}
