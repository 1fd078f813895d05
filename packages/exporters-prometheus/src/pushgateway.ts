// Pushes exposition text to a Prometheus Pushgateway: one HTTP PUT that replaces every
// metric of its group (https://github.com/prometheus/pushgateway#url). node:http rather
// than fetch: fetch refuses URLs with credentials, and a Pushgateway behind basic auth is
// common (`http://user:pass@host:9091`).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { PrometheusExportError } from './prometheus-error.js';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus-serializer.js';

/** How long a push may take before it is abandoned, ms. */
export const DEFAULT_PUSH_TIMEOUT_MS = 30_000;

/** One push: where, under which grouping key, what. */
export interface PushgatewayPush {
  /** The Pushgateway's base URL (`http://localhost:9091`); a path prefix is kept. */
  url: string;
  /** The `job` of the grouping key. */
  job: string;
  /** Further grouping labels, in order (`{ run_id: '…' }`): one group per distinct key. */
  groupingKey?: Readonly<Record<string, string>>;
  /** Exposition text. */
  body: string;
  /** Default {@link DEFAULT_PUSH_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/** The URL for display: scheme, host and path only, never credentials or a query. */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * The group's URL: `<base>/metrics/job/<job>/<label>/<value>…`. A value with a `/` (or an
 * empty one) is written in the `<label>@base64/<base64url>` form the Pushgateway documents.
 */
export function pushgatewayUrl(
  base: string,
  job: string,
  groupingKey: Readonly<Record<string, string>> = {},
): URL {
  const url = parseGatewayUrl(base);
  const segments = [['job', job], ...Object.entries(groupingKey)].map(([name, value]) =>
    value === '' || value!.includes('/')
      ? `${name}@base64/${value === '' ? '=' : Buffer.from(value!).toString('base64url')}`
      : `${name}/${encodeURIComponent(value!)}`,
  );
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/metrics/${segments.join('/')}`;
  return url;
}

/** Validates a `--pushgateway` value; throws a PrometheusExportError naming what is valid. */
export function parseGatewayUrl(base: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw targetError(`--pushgateway ${JSON.stringify(base)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw targetError(`--pushgateway ${redactUrl(url)} has scheme ${url.protocol}`);
  }
  return url;
}

function targetError(what: string): PrometheusExportError {
  return new PrometheusExportError(
    'LENS_EXPORT_PROMETHEUS_TARGET',
    `${what}: give the Pushgateway's base URL with http or https, e.g. --pushgateway http://localhost:9091`,
  );
}

/**
 * PUTs the text to the group's URL, replacing what the group held. Resolves on a 2xx;
 * rejects with LENS_EXPORT_PROMETHEUS_PUSH naming the URL (without credentials) and the
 * status and the Pushgateway's reason, or the network error.
 */
export function pushToGateway(push: PushgatewayPush): Promise<void> {
  const url = pushgatewayUrl(push.url, push.job, push.groupingKey);
  const shown = redactUrl(url);
  const headers: Record<string, string | number> = {
    'content-type': PROMETHEUS_CONTENT_TYPE,
    'content-length': Buffer.byteLength(push.body),
  };
  if (url.username !== '' || url.password !== '') {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const timeoutMs = push.timeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS;
  return new Promise<void>((resolve, reject) => {
    const req = send(
      url,
      // Credentials travel in the header built above, never in the request line.
      { method: 'PUT', headers, auth: null, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (cause) => reject(networkError(shown, cause)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolve();
            return;
          }
          const reason = Buffer.concat(chunks).toString('utf8').trim().slice(0, 300);
          reject(
            new PrometheusExportError(
              'LENS_EXPORT_PROMETHEUS_PUSH',
              `the Pushgateway at ${shown} refused the push with HTTP ${status}${reason === '' ? '' : `: ${reason}`}. Check that --pushgateway is the Pushgateway's base URL (e.g. http://localhost:9091), that --job is a plain name, and that its credentials, if it needs any, are right`,
            ),
          );
        });
      },
    );
    req.on('timeout', () => {
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    });
    req.on('error', (cause) => reject(networkError(shown, cause)));
    req.end(push.body);
  });
}

function networkError(shown: string, cause: unknown): PrometheusExportError {
  const code = (cause as { code?: unknown }).code;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new PrometheusExportError(
    'LENS_EXPORT_PROMETHEUS_PUSH',
    `could not push metrics to the Pushgateway at ${shown}: ${typeof code === 'string' && !reason.includes(code) ? `${code} ` : ''}${reason}. Check that a Pushgateway listens there (--pushgateway http://HOST:9091)`,
    { cause },
  );
}
