import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { createParentDirectories, type RunSummary, type SummaryExporter } from '@llm-lens/metrics';

/** The summary as pretty-printed JSON text, ending in a newline. */
export function formatSummaryJson(summary: RunSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}

/**
 * Writes the summary atomically (temp file + rename): a reader never sees half a file, and
 * a failed write leaves no temp file behind.
 */
export function writeSummaryJson(path: string, summary: RunSummary): void {
  createParentDirectories(path);
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, formatSummaryJson(summary));
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** The summary JSON exporter: {@link writeSummaryJson} to one path. */
export class SummaryJsonExporter implements SummaryExporter {
  constructor(readonly path: string) {}

  async export(summary: RunSummary): Promise<void> {
    writeSummaryJson(this.path, summary);
  }
}
