import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { createParentDirectories } from '@llm-lens/metrics';
import { PrometheusExportError } from './prometheus-error.js';

/**
 * Writes exposition text to `path` atomically (temp file + rename), so node_exporter's
 * textfile collector or any reader never sees half a file; creates missing parent
 * directories, and leaves no temp file behind on failure.
 */
export function writePrometheusFile(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    createParentDirectories(path);
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (cause) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // The temp file could not have been created either (a parent is not a directory).
    }
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new PrometheusExportError(
      'LENS_EXPORT_PROMETHEUS_WRITE',
      `could not write the Prometheus metrics file ${JSON.stringify(path)}: ${reason}. Give a path in a writable directory, e.g. --export prometheus=results/run.prom`,
      { cause },
    );
  }
}
