// A minimal OTLP/HTTP JSON receiver for the tests: records every POST to /v1/traces and
// /v1/metrics (gunzipped when the exporter compresses) and answers as told.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface ReceivedExport {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface OtlpReceiver {
  url: string;
  received: ReceivedExport[];
  /** Answer with this status and body instead of 200 `{}`. */
  answer: { status: number; body: string };
  /** While set, requests wait for `release()` before they are answered. */
  isHolding: boolean;
  release(): void;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  let held: Array<() => void> = [];
  const receiver: OtlpReceiver = {
    url: '',
    received: [],
    answer: { status: 200, body: '{}' },
    isHolding: false,
    release() {
      const waiting = held;
      held = [];
      for (const answer of waiting) answer();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      receiver.received.push({
        path: request.url ?? '',
        headers: request.headers,
        body: JSON.parse(raw.toString('utf8')) as Record<string, unknown>,
      });
      const answer = () => {
        response.writeHead(receiver.answer.status, { 'content-type': 'application/json' });
        response.end(receiver.answer.body);
      };
      if (receiver.isHolding) held.push(answer);
      else answer();
    });
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

/** A loopback port nothing listens on (taken from the OS, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// Decoding what was received, in the OTLP/JSON shape.
export interface OtlpSpanJson {
  traceId: string;
  spanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
  events: Array<{
    name: string;
    timeUnixNano: string;
    attributes: Array<{ key: string; value: Record<string, unknown> }>;
  }>;
  status: { code: number; message?: string };
}

export interface OtlpHistogramPointJson {
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
  count: number;
  sum: number;
  bucketCounts: number[];
  explicitBounds: number[];
  timeUnixNano: string;
}

export interface OtlpMetricJson {
  name: string;
  unit: string;
  histogram: { aggregationTemporality: number; dataPoints: OtlpHistogramPointJson[] };
}

type ResourceSpans = {
  resourceSpans: Array<{
    resource: { attributes: unknown[] };
    scopeSpans: Array<{ spans: OtlpSpanJson[] }>;
  }>;
};
type ResourceMetricsJson = {
  resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: OtlpMetricJson[] }> }>;
};

export function spansOf(bodies: readonly Record<string, unknown>[]): OtlpSpanJson[] {
  return bodies.flatMap((body) =>
    (body as ResourceSpans).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)),
  );
}

export function metricsOf(body: Record<string, unknown>): OtlpMetricJson[] {
  return (body as ResourceMetricsJson).resourceMetrics.flatMap((rm) =>
    rm.scopeMetrics.flatMap((sm) => sm.metrics),
  );
}

/** An attribute list as a plain object of its values (`intValue`, `stringValue`, ...). */
export function attributesOf(
  attributes: ReadonlyArray<{ key: string; value: Record<string, unknown> }>,
): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const { key, value } of attributes) plain[key] = Object.values(value)[0];
  return plain;
}
