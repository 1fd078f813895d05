import type { ExporterFactory, ExportTarget } from '@llm-lens/metrics';
import { INFLUX_OPTIONS, resolveInfluxTarget } from './influx-options.js';
import { InfluxRunExporter } from './influx-run-exporter.js';

/**
 * The run's id, when the caller passes one with the target. `ExportTarget` has no such field
 * yet; until it does, request points get an id of their own (see InfluxRunExporterOptions).
 */
function runIdOf(target: ExportTarget): string | undefined {
  const runId = (target as ExportTarget & { runId?: unknown }).runId;
  return typeof runId === 'string' && runId !== '' ? runId : undefined;
}

/**
 * `influxdb`: InfluxDB line protocol, an `llm_request` point per request and an
 * `llm_summary` point per group, to a `.lp` file, to InfluxDB over HTTP (`--influx-url`), or
 * both.
 */
export const influxdbFormat: ExporterFactory = {
  format: 'influxdb',
  description:
    'InfluxDB line protocol: a point per request and per group, to a .lp file and/or InfluxDB 1.x/2.x/3.x over HTTP (--influx-url)',
  extensions: ['.lp'],
  options: INFLUX_OPTIONS,
  createRunExporter: (target) =>
    new InfluxRunExporter({
      path: target.path,
      http: resolveInfluxTarget(target.options ?? {}),
      runId: runIdOf(target),
    }),
};

/** The formats of this package, as the CLI discovers them. */
export const exporterFactories: readonly ExporterFactory[] = [influxdbFormat];
