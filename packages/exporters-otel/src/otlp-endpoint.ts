import { OtelExportError } from './otel-export-error.js';

/** Where an OTLP/HTTP receiver takes each signal. */
export interface OtlpEndpoint {
  tracesUrl: string;
  metricsUrl: string;
  /** The base URL without user info, query or fragment: safe to print. */
  display: string;
}

/** The base URL without user info, query or fragment, which may hold credentials. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * The signal URLs of an OTLP/HTTP base URL (`http://localhost:4318` → `/v1/traces` and
 * `/v1/metrics`), as the `OTEL_EXPORTER_OTLP_ENDPOINT` convention appends them: a base with
 * a path (`https://gateway/otlp`) keeps it in front.
 */
export function otlpEndpoint(base: string): OtlpEndpoint {
  let url: URL | undefined;
  try {
    url = new URL(base);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    // The value itself is not quoted whole: it may hold a user and password.
    const given = url === undefined ? 'text that is no URL' : displayUrl(url);
    throw new OtelExportError(
      'LENS_EXPORT_OTEL_OPTIONS',
      `--otlp-endpoint must be the http(s) base URL of an OTLP/HTTP receiver, such as http://localhost:4318 (the signal paths /v1/traces and /v1/metrics are appended); got ${given}`,
    );
  }
  const prefix = url.pathname.replace(/\/+$/, '');
  const signalUrl = (signal: string) => {
    const signalUrl = new URL(url.href);
    signalUrl.pathname = `${prefix}/v1/${signal}`;
    return signalUrl.href;
  };
  return {
    tracesUrl: signalUrl('traces'),
    metricsUrl: signalUrl('metrics'),
    display: displayUrl(url).replace(/\/+$/, ''),
  };
}
