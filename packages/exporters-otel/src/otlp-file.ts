import { createWriteStream, type WriteStream } from 'node:fs';
import { createParentDirectories } from '@llm-lens/metrics';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OtelExportError } from './otel-export-error.js';
import { encodeMetricsRequest, encodeTraceRequest } from './otlp-json.js';

/**
 * An OTLP JSON Lines file, the layout of the OpenTelemetry Collector's file exporter: one
 * export request per line, `{"resourceSpans":[...]}` or `{"resourceMetrics":[...]}`. Lines
 * are appended as exports happen, so the file streams with the run; a failed write fails
 * that export and every later one.
 */
export class OtlpJsonLinesFile {
  private readonly stream: WriteStream;
  private failure: OtelExportError | undefined;

  constructor(readonly path: string) {
    createParentDirectories(path);
    this.stream = createWriteStream(path, { flags: 'w' });
    this.stream.on('error', (error) => {
      this.failure ??= this.writeError(error);
    });
  }

  private writeError(cause: unknown): OtelExportError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new OtelExportError(
      'LENS_EXPORT_OTEL_WRITE',
      `cannot write the OTLP JSON Lines file ${this.path}: ${reason}. Give a path in a writable directory with --export otel=FILE.`,
      { cause },
    );
  }

  /** Appends one line; resolves once the text is handed to the file system. */
  appendLine(line: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.stream.write(`${line}\n`, (error) => {
        if (error) {
          this.failure ??= this.writeError(error);
          reject(this.failure);
        } else resolve();
      });
    });
  }

  /** Flushes and closes the file; rejects if a write failed. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.stream.closed || this.stream.destroyed) {
        if (this.failure) reject(this.failure);
        else resolve();
        return;
      }
      this.stream.end(() => (this.failure ? reject(this.failure) : resolve()));
    });
  }
}

function resultOf(written: Promise<void>, callback: (result: ExportResult) => void): void {
  written.then(
    () => callback({ code: ExportResultCode.SUCCESS }),
    (error: unknown) =>
      callback({
        code: ExportResultCode.FAILED,
        error: error instanceof Error ? error : new Error(String(error)),
      }),
  );
}

/** A span exporter that appends each batch to an {@link OtlpJsonLinesFile} as one line. */
export class OtlpFileSpanExporter implements SpanExporter {
  constructor(private readonly file: OtlpJsonLinesFile) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    resultOf(this.file.appendLine(encodeTraceRequest(spans)), resultCallback);
  }

  /** The file is closed by its owner, once spans and metrics are both written. */
  async shutdown(): Promise<void> {}
}

/** A metric exporter that appends each collection to an {@link OtlpJsonLinesFile} as one line. */
export class OtlpFileMetricExporter implements PushMetricExporter {
  constructor(private readonly file: OtlpJsonLinesFile) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    resultOf(this.file.appendLine(encodeMetricsRequest(metrics)), resultCallback);
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
