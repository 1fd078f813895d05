import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunSummary } from '@llm-lens/metrics';

/** The summary as pretty-printed JSON text, ending in a newline. */
export function formatSummaryJson(summary: RunSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}

/** Writes the summary atomically (temp file + rename): a reader never sees half a file. */
export function writeSummaryJson(path: string, summary: RunSummary): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, formatSummaryJson(summary));
  renameSync(temp, path);
}
