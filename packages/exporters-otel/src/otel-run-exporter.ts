import { createRequire } from 'node:module';
import type { RequestRecord } from '@llm-lens/core-timing';
import type { RunExporter, RunSummary } from '@llm-lens/metrics';
import {
  type ExportResult,
  ExportResultCode,
  type InstrumentationScope,
} from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  MeterProvider,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import {
  createGenAiInstruments,
  type GenAiInstruments,
  isMeasured,
  recordRequestMetrics,
} from './genai-metrics.js';
import { OnDemandMetricReader } from './on-demand-metric-reader.js';
import { OtelExportError } from './otel-export-error.js';
import { otlpEndpoint } from './otlp-endpoint.js';
import { OtlpFileMetricExporter, OtlpFileSpanExporter, OtlpJsonLinesFile } from './otlp-file.js';
import { requestSpan, runSpan, type SpanSource } from './request-span.js';
import { ATTR_SERVICE_NAME, INSTRUMENTATION_SCOPE_NAME } from './semconv.js';

const PACKAGE_VERSION: string = createRequire(import.meta.url)('../package.json').version;

/** Default `service.name` of the resource. */
export const DEFAULT_SERVICE_NAME = 'llm-latency-lens';
/** Default time one OTLP/HTTP export may take, retries included, ms. */
export const DEFAULT_OTLP_TIMEOUT_MS = 10_000;
/** Default spans waiting for export before `write()` asks the caller to wait. */
export const DEFAULT_HIGH_WATER_MARK = 1024;
/** Spans per export request (the SDK's default). */
const MAX_EXPORT_BATCH_SIZE = 512;
/** How long finished spans may wait to fill a batch, ms. */
const SCHEDULED_DELAY_MS = 1000;
/**
 * The batch processor's queue, as a multiple of the high-water mark: room for the records
 * that finish while the caller reacts to `write()` returning false. The processor would
 * drop spans silently past its queue; the exporter stops offering them before that and
 * reports how many it left out.
 */
const QUEUE_PER_HIGH_WATER_MARK = 4;

export interface OtelRunExporterOptions {
  /** Base URL of an OTLP/HTTP receiver (`http://localhost:4318`); spans and metrics are POSTed to `/v1/traces` and `/v1/metrics`. */
  endpoint?: string | undefined;
  /** OTLP JSON Lines file to write the same export requests to, one per line. */
  path?: string | undefined;
  /** `service.name` of the resource. Default `llm-latency-lens`. */
  serviceName?: string | undefined;
  /** One span event per token-bearing stream event. Default false. */
  recordTokens?: boolean | undefined;
  /** Longest one export to the endpoint may take, retries included, ms. Default 10 000. */
  timeoutMs?: number | undefined;
  /** Spans waiting for export at which `write()` returns false. Default 1024. */
  highWaterMark?: number | undefined;
}

/**
 * Words for why an export to an endpoint failed, with nothing of the headers in them: the
 * values of `OTEL_EXPORTER_OTLP_*HEADERS` are cut out of anything a server sent back.
 */
function describePushFailure(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  const status = (error as { code?: unknown }).code;
  if (typeof status === 'number') {
    const body = (error as { data?: unknown }).data;
    const said =
      typeof body === 'string' && body.trim() !== ''
        ? `: ${redactHeaders(body.trim()).slice(0, 200)}`
        : '';
    return `the receiver answered HTTP ${status}${error.message ? ` ${error.message}` : ''}${said}`;
  }
  if (error.message === 'Export failed with retryable status') {
    return `the receiver kept answering 429, 502, 503 or 504 for ${timeoutMs} ms`;
  }
  if (error.message === 'Request timed out' || error.message === 'Timeout') {
    return `no answer within ${timeoutMs} ms`;
  }
  return `it could not be reached (${redactHeaders(error.message)})`;
}

function headerValues(): string[] {
  const values: string[] = [];
  for (const name of [
    'OTEL_EXPORTER_OTLP_HEADERS',
    'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
    'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
  ]) {
    for (const pair of (process.env[name] ?? '').split(',')) {
      const value = pair.slice(pair.indexOf('=') + 1).trim();
      if (pair.includes('=') && value.length >= 4) {
        values.push(value);
        try {
          values.push(decodeURIComponent(value));
        } catch {
          // Not percent-encoded: the raw value is cut out already.
        }
      }
    }
  }
  return values;
}

function redactHeaders(text: string): string {
  let safe = text;
  for (const value of headerValues()) safe = safe.split(value).join('[redacted]');
  return safe;
}

/** Where one copy of the run's telemetry goes (the endpoint, the file), and how it fared. */
class Destination {
  readonly processor: BatchSpanProcessor;
  readonly reader: OnDemandMetricReader;
  /** Spans handed to the processor, and those whose export finished (delivered or not). */
  offered = 0;
  settled = 0;
  failedSpans = 0;
  droppedSpans = 0;
  isMetricsFailed = false;
  /** The first failure; from then on nothing more is sent here. */
  failure: OtelExportError | undefined;

  constructor(
    readonly label: string,
    spanExporter: SpanExporter,
    metricExporter: PushMetricExporter,
    private readonly describeFailure: (error: unknown) => OtelExportError,
    private readonly maxQueued: number,
    timeoutMs: number,
  ) {
    this.processor = new BatchSpanProcessor(this.trackSpans(spanExporter), {
      maxQueueSize: maxQueued,
      maxExportBatchSize: MAX_EXPORT_BATCH_SIZE,
      scheduledDelayMillis: SCHEDULED_DELAY_MS,
      // Past the exporter's own timeout, so its error (which says more) comes first.
      exportTimeoutMillis: timeoutMs + 5000,
    });
    this.reader = new OnDemandMetricReader(this.trackMetrics(metricExporter), timeoutMs);
  }

  get pending(): number {
    return this.offered - this.settled;
  }

  offer(span: ReadableSpan): void {
    if (this.failure !== undefined) {
      this.failedSpans += 1;
      return;
    }
    if (this.pending >= this.maxQueued) {
      this.droppedSpans += 1;
      return;
    }
    this.offered += 1;
    this.processor.onEnd(span);
  }

  private fail(error: unknown): OtelExportError {
    this.failure ??= error instanceof OtelExportError ? error : this.describeFailure(error);
    return this.failure;
  }

  private trackSpans(inner: SpanExporter): SpanExporter {
    return {
      export: (spans, resultCallback) => {
        const settle = (result: ExportResult) => {
          this.settled += spans.length;
          if (result.code !== ExportResultCode.SUCCESS) {
            this.failedSpans += spans.length;
            this.fail(result.error);
          }
          resultCallback(result);
        };
        if (this.failure !== undefined) {
          settle({ code: ExportResultCode.FAILED, error: this.failure });
          return;
        }
        inner.export(spans, settle);
      },
      shutdown: () => inner.shutdown(),
    };
  }

  private trackMetrics(inner: PushMetricExporter): PushMetricExporter {
    return {
      export: (metrics: ResourceMetrics, resultCallback) => {
        if (this.failure !== undefined) {
          this.isMetricsFailed = true;
          resultCallback({ code: ExportResultCode.FAILED, error: this.failure });
          return;
        }
        inner.export(metrics, (result) => {
          if (result.code !== ExportResultCode.SUCCESS) {
            this.isMetricsFailed = true;
            this.fail(result.error);
          }
          resultCallback(result);
        });
      },
      forceFlush: () => inner.forceFlush(),
      shutdown: () => inner.shutdown(),
    };
  }

  /** Everything that went wrong here, as one error; undefined when all was delivered. */
  outcome(): OtelExportError | undefined {
    if (this.failure !== undefined) {
      const lost = [
        this.failedSpans > 0 ? `${this.failedSpans} span${this.failedSpans === 1 ? '' : 's'}` : '',
        this.isMetricsFailed ? 'the metrics' : '',
      ].filter((part) => part !== '');
      const what = lost.length > 0 ? ` (${lost.join(' and ')} not delivered)` : '';
      return new OtelExportError(this.failure.code, `${this.failure.message}${what}`, {
        cause: this.failure,
      });
    }
    if (this.droppedSpans > 0) {
      return new OtelExportError(
        'LENS_EXPORT_OTEL_DROPPED',
        `${this.droppedSpans} spans were left out of ${this.label}: more than ${this.maxQueued} waited for export because the caller kept writing after write() returned false; wait for drain() before writing more`,
      );
    }
    return undefined;
  }
}

/**
 * Exports a run as OpenTelemetry traces and GenAI metrics: a CLIENT span per request
 * (warm-up and cool-down too, told apart by `llm_lens.phase`) as records arrive, batched by
 * a BatchSpanProcessor, then with the summary a span of the whole run and the GenAI client
 * histograms of the measured requests, once. To an OTLP/HTTP endpoint (JSON), to an OTLP
 * JSON Lines file, or both. A {@link RunExporter}: `write()` returns false once
 * `highWaterMark` spans wait for export, and `drain()` resolves when they have gone.
 */
export class OtelRunExporter implements RunExporter {
  private readonly destinations: Destination[] = [];
  private readonly file: OtlpJsonLinesFile | undefined;
  private readonly spanSource: SpanSource;
  private readonly meterProvider: MeterProvider;
  private readonly instruments: GenAiInstruments;
  private readonly recordTokens: boolean;
  private readonly highWaterMark: number;
  private closing: Promise<void> | undefined;
  private isExported = false;
  /** Failures already thrown by `close()`, not thrown again by `export()`. */
  private readonly reported = new Set<Destination>();

  constructor(options: OtelRunExporterOptions) {
    if (options.endpoint === undefined && (options.path === undefined || options.path === '')) {
      throw new OtelExportError(
        'LENS_EXPORT_OTEL_OPTIONS',
        'the otel format needs somewhere to write: an OTLP/HTTP receiver with --otlp-endpoint URL (such as http://localhost:4318), or a file with --export otel=FILE (OTLP JSON Lines, .otlp.jsonl)',
      );
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_OTLP_TIMEOUT_MS;
    this.highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.recordTokens = options.recordTokens === true;
    const maxQueued = this.highWaterMark * QUEUE_PER_HIGH_WATER_MARK;
    const resource = defaultResource().merge(
      resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName ?? DEFAULT_SERVICE_NAME }),
    );
    const scope: InstrumentationScope = {
      name: INSTRUMENTATION_SCOPE_NAME,
      version: PACKAGE_VERSION,
    };
    this.spanSource = { resource, scope };

    if (options.endpoint !== undefined) {
      const endpoint = otlpEndpoint(options.endpoint);
      // Headers (authentication) come from OTEL_EXPORTER_OTLP_HEADERS, read by the exporters
      // themselves; they never pass through this code, and compression follows
      // OTEL_EXPORTER_OTLP_COMPRESSION.
      this.destinations.push(
        new Destination(
          `the OTLP endpoint ${endpoint.display}`,
          new OTLPTraceExporter({ url: endpoint.tracesUrl, timeoutMillis: timeoutMs }),
          new OTLPMetricExporter({ url: endpoint.metricsUrl, timeoutMillis: timeoutMs }),
          (error) =>
            new OtelExportError(
              'LENS_EXPORT_OTEL_PUSH',
              `OTLP export to ${endpoint.display} failed: ${describePushFailure(error, timeoutMs)}. Check that an OTLP/HTTP receiver (an OpenTelemetry Collector's otlp receiver, port 4318 by default) listens at --otlp-endpoint and that OTEL_EXPORTER_OTLP_HEADERS holds what it asks for, or write the run to a file with --export otel=FILE`,
              { cause: error },
            ),
          maxQueued,
          timeoutMs,
        ),
      );
    }
    if (options.path !== undefined && options.path !== '') {
      const file = new OtlpJsonLinesFile(options.path);
      this.file = file;
      this.destinations.push(
        new Destination(
          `the file ${options.path}`,
          new OtlpFileSpanExporter(file),
          new OtlpFileMetricExporter(file),
          (error) =>
            new OtelExportError(
              'LENS_EXPORT_OTEL_WRITE',
              `cannot write the OTLP JSON Lines file ${file.path}: ${error instanceof Error ? error.message : String(error)}`,
              { cause: error },
            ),
          maxQueued,
          timeoutMs,
        ),
      );
    }
    this.meterProvider = new MeterProvider({
      resource,
      readers: this.destinations.map((destination) => destination.reader),
    });
    this.instruments = createGenAiInstruments(
      this.meterProvider.getMeter(INSTRUMENTATION_SCOPE_NAME, PACKAGE_VERSION),
    );
  }

  /** Spans waiting for export, at the slowest destination. */
  get pending(): number {
    let most = 0;
    for (const destination of this.destinations) most = Math.max(most, destination.pending);
    return most;
  }

  /**
   * Takes one record: its span joins the export queue, its measurements the histograms (when
   * measured). False once `highWaterMark` spans wait. Throws once a destination has failed
   * (after still handing the span to the others): the run goes on, the caller knows.
   */
  write(record: RequestRecord): boolean {
    if (this.closing !== undefined) {
      throw new OtelExportError(
        'LENS_EXPORT_OTEL_OPTIONS',
        `a record (${record.requestId}) was written after close(); the otel exporter takes records only before it is closed`,
      );
    }
    const span = requestSpan(record, this.spanSource, { recordTokens: this.recordTokens });
    for (const destination of this.destinations) destination.offer(span);
    if (isMeasured(record)) recordRequestMetrics(this.instruments, record);
    const failed = this.destinations.find((destination) => destination.failure !== undefined);
    if (failed?.failure !== undefined) throw failed.failure;
    return this.pending < this.highWaterMark;
  }

  /** Resolves once the waiting spans have been exported (or have failed: `write` then throws). */
  async drain(): Promise<void> {
    if (this.pending < this.highWaterMark) return;
    await this.flushSpans();
  }

  private async flushSpans(): Promise<void> {
    // A failed export is kept by its destination and reported by close() or export().
    await Promise.allSettled(this.destinations.map((d) => d.processor.forceFlush()));
  }

  /** Exports every span written so far; rejects when one could not be delivered. */
  close(): Promise<void> {
    this.closing ??= this.flushSpans();
    return this.closing.then(() => {
      const failed = this.destinations.filter((d) => d.outcome() !== undefined);
      if (failed.length === 0) return;
      for (const destination of failed) this.reported.add(destination);
      throw failed[0]!.outcome();
    });
  }

  /**
   * Exports the run span and the metrics of the measured requests, then shuts everything down
   * (the file is closed). Rejects with what was not delivered, unless `close()` said it already.
   */
  async export(summary: RunSummary): Promise<void> {
    if (this.isExported) return;
    this.isExported = true;
    this.closing ??= this.flushSpans();
    await this.closing;
    const run = runSpan(summary, this.spanSource);
    for (const destination of this.destinations) destination.offer(run);
    await Promise.allSettled([this.flushSpans(), this.meterProvider.forceFlush()]);
    await Promise.allSettled([
      this.meterProvider.shutdown(),
      ...this.destinations.map((d) => d.processor.shutdown()),
    ]);
    let fileFailure: unknown;
    if (this.file !== undefined)
      await this.file.close().catch((error: unknown) => (fileFailure = error));
    for (const destination of this.destinations) {
      const outcome = destination.outcome();
      // close() threw this destination's failure; throw again only if it lost more since.
      if (
        outcome !== undefined &&
        (!this.reported.has(destination) || destination.isMetricsFailed)
      ) {
        throw outcome;
      }
    }
    if (fileFailure !== undefined) throw fileFailure;
  }
}
