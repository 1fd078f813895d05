import { now, nsToMs } from '@llm-lens/core-timing';
import { Agent, request } from 'undici';
import { type ExpositionFormat, parseExposition } from './exposition-parser.js';
import { KNOWN_METRICS } from './known-metrics.js';
import { MetricsRecorder } from './metrics-recorder.js';
import { BoundedSeries } from './series-trackers.js';
import { ServerMetricsError } from './server-metrics-error.js';
import {
  SCRAPE_FAILURE_KINDS,
  type ScrapeFailureKind,
  type ServerMetricsReport,
} from './server-metrics-report.js';

/** Options of {@link startServerMetrics}. */
export interface ServerMetricsOptions {
  /** The Prometheus endpoint, e.g. `http://127.0.0.1:8000/metrics`; a URL without a path gets `/metrics`. */
  url: string;
  /** Time between scrapes, ms (integer ≥ 10). Default 1000. */
  intervalMs?: number | undefined;
  /** Limit on one scrape (connect, headers and body), ms. Default max(1000, intervalMs). */
  timeoutMs?: number | undefined;
  /** Extra request headers (e.g. `authorization`); never printed. */
  headers?: Readonly<Record<string, string>> | undefined;
  /**
   * Family names kept besides the known ones (KNOWN_METRICS); `prefix*` keeps every family
   * starting with the prefix, `*` keeps everything (within maxSeries). Default none.
   */
  select?: readonly string[] | undefined;
  /** Label sets kept across all raw metrics (the roles are always kept). Default 200. */
  maxSeries?: number | undefined;
  /** Points kept per series; past it the series is thinned evenly. Default 600. */
  maxPointsPerSeries?: number | undefined;
  /** Bodies above this many bytes are a `too_large` failure. Default 16 MiB. */
  maxBodyBytes?: number | undefined;
}

/** How one scrape went. */
export type ScrapeOutcome = { ok: true } | { ok: false; kind: ScrapeFailureKind; message: string };

/** A running scrape of a server's metrics endpoint. */
export interface ServerMetricsScrape {
  /** The URL as reported (no credentials, no query values). */
  readonly url: string;
  /** Monotonic start (core-timing's `now()`): every series' `t` counts from here. */
  readonly startedNs: bigint;
  /** The scrape made at start: await it to warn before the run when the endpoint is unreachable. */
  readonly firstScrape: Promise<ScrapeOutcome>;
  /** The report so far, without a final scrape. */
  report(): ServerMetricsReport;
  /** Makes one last scrape, stops, closes the connection and returns the report; idempotent. */
  stop(): Promise<ServerMetricsReport>;
}

const DEFAULT_INTERVAL_MS = 1000;
const DEFAULT_MAX_SERIES = 200;
const DEFAULT_MAX_POINTS = 600;
const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
const MAX_MESSAGE_CHARS = 300;
const SELECT_PATTERN = /^(?:[a-zA-Z_:][a-zA-Z0-9_:]*\*?|\*)$/;
// The plain text format is asked for first: it is what every server in KNOWN_METRICS
// writes by default, and the reader's home ground.
const ACCEPT =
  'text/plain;version=0.0.4;q=1.0, application/openmetrics-text;version=1.0.0;q=0.5, */*;q=0.1';

interface ResolvedOptions {
  requestUrl: string;
  displayUrl: string;
  intervalMs: number;
  timeoutMs: number;
  headers: Record<string, string>;
  select: readonly string[];
  maxSeries: number;
  maxPointsPerSeries: number;
  maxBodyBytes: number;
}

function invalidOption(message: string): ServerMetricsError {
  return new ServerMetricsError('LENS_SERVER_METRICS_OPTION_INVALID', message);
}

function integerOption(value: unknown, name: string, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalidOption(
      `server metrics option ${name}: expected an integer ≥ ${min}, got ${String(value)}`,
    );
  }
  return value;
}

/** The URL without user info and with query values masked: safe to print. */
export function displayableUrl(url: URL): string {
  const query =
    url.search === ''
      ? ''
      : `?${[...url.searchParams.keys()].map((key) => `${key}=***`).join('&')}`;
  return `${url.protocol}//${url.host}${url.pathname}${query}`;
}

/** Percent-decoding that keeps a malformed sequence as written instead of throwing. */
function decodeUserInfo(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function resolveOptions(options: ServerMetricsOptions): ResolvedOptions {
  if (typeof options.url !== 'string') {
    throw new ServerMetricsError(
      'LENS_SERVER_METRICS_URL_INVALID',
      `server metrics URL: expected a string such as http://127.0.0.1:8000/metrics, got ${typeof options.url}`,
    );
  }
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    const shown = options.url.includes('@') ? 'the URL given' : JSON.stringify(options.url);
    throw new ServerMetricsError(
      'LENS_SERVER_METRICS_URL_INVALID',
      `server metrics URL: ${shown} is not an absolute URL; give the server's Prometheus endpoint, e.g. http://127.0.0.1:8000/metrics`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ServerMetricsError(
      'LENS_SERVER_METRICS_URL_INVALID',
      `server metrics URL: ${displayableUrl(url)} uses ${url.protocol}; expected http: or https:, e.g. http://127.0.0.1:8000/metrics`,
    );
  }
  if (url.pathname === '/') url.pathname = '/metrics';
  const headers: Record<string, string> = { accept: ACCEPT, 'accept-encoding': 'identity' };
  if (url.username !== '' || url.password !== '') {
    const credentials = `${decodeUserInfo(url.username)}:${decodeUserInfo(url.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (typeof value !== 'string') {
      throw invalidOption(`server metrics option headers.${name}: expected a string value`);
    }
    headers[name.toLowerCase()] = value;
  }
  const select = options.select ?? [];
  if (!Array.isArray(select)) {
    throw invalidOption('server metrics option select: expected an array of metric names');
  }
  for (const name of select) {
    if (typeof name !== 'string' || !SELECT_PATTERN.test(name)) {
      throw invalidOption(
        `server metrics option select: ${JSON.stringify(name)} is not a metric name; expected names like vllm:num_requests_running, a prefix ending in * (vllm:*) or *`,
      );
    }
  }
  const intervalMs = integerOption(options.intervalMs, 'intervalMs', 10, DEFAULT_INTERVAL_MS);
  return {
    requestUrl: url.href,
    displayUrl: displayableUrl(url),
    intervalMs,
    timeoutMs: integerOption(options.timeoutMs, 'timeoutMs', 1, Math.max(1000, intervalMs)),
    headers,
    select,
    maxSeries: integerOption(options.maxSeries, 'maxSeries', 0, DEFAULT_MAX_SERIES),
    maxPointsPerSeries: integerOption(
      options.maxPointsPerSeries,
      'maxPointsPerSeries',
      2,
      DEFAULT_MAX_POINTS,
    ),
    maxBodyBytes: integerOption(options.maxBodyBytes, 'maxBodyBytes', 1, DEFAULT_MAX_BODY_BYTES),
  };
}

/** Which families a scrape keeps: the known ones and the selected ones, counters in both spellings. */
function familyFilter(select: readonly string[]): (familyName: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const name of [...KNOWN_METRICS, ...select]) {
    if (name.endsWith('*')) {
      prefixes.push(name.slice(0, -1));
      continue;
    }
    exact.add(name);
    // OpenMetrics names a counter's family without `_total`; users may too.
    if (name.endsWith('_total')) exact.add(name.slice(0, -'_total'.length));
    else exact.add(`${name}_total`);
  }
  return (familyName) =>
    exact.has(familyName) || prefixes.some((prefix) => familyName.startsWith(prefix));
}

function clip(message: string): string {
  return message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  const causeCode = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof causeCode === 'string' ? causeCode : undefined;
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

function classifyError(
  error: unknown,
  timeoutMs: number,
): { kind: ScrapeFailureKind; reason: string } {
  const code = errorCode(error);
  const name = (error as { name?: unknown } | null)?.name;
  if (code === 'ECONNREFUSED') {
    return {
      kind: 'refused',
      reason:
        'connection refused (is the server running with its metrics endpoint on, and are host and port right?)',
    };
  }
  if (
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    (code !== undefined && TIMEOUT_CODES.has(code))
  ) {
    return { kind: 'timeout', reason: `no complete answer within ${timeoutMs} ms` };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return { kind: 'network', reason: 'unknown host (check the host name)' };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'network', reason: code === undefined ? message : `${message} (${code})` };
}

class ScrapeFailure {
  constructor(
    readonly kind: ScrapeFailureKind,
    readonly reason: string,
  ) {}
}

function mediaFormat(contentType: string | undefined): ExpositionFormat | undefined {
  if (contentType === undefined || contentType === '') return 'prometheus';
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  if (media === 'text/plain') return 'prometheus';
  if (media === 'application/openmetrics-text') return 'openmetrics';
  return undefined;
}

class ServerMetricsScraper implements ServerMetricsScrape {
  readonly url: string;
  readonly startedNs: bigint;
  readonly firstScrape: Promise<ScrapeOutcome>;
  readonly #options: ResolvedOptions;
  readonly #agent: Agent;
  readonly #keepFamily: (familyName: string) => boolean;
  readonly #recorder: MetricsRecorder;
  readonly #startWallMs: number;
  readonly #failures: Record<ScrapeFailureKind, number>;
  #attempts = 0;
  #succeeded = 0;
  #failed = 0;
  #firstError: string | undefined;
  #skippedLines = 0;
  #firstSkippedLine: string | undefined;
  #firstOkTMs: number | undefined;
  #lastOkTMs: number | undefined;
  readonly #scrapeTimes: BoundedSeries;
  #durationSumMs = 0;
  #durationMaxMs = 0;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<ScrapeOutcome> | undefined;
  #isStopping = false;
  #stopped: Promise<ServerMetricsReport> | undefined;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.url = options.displayUrl;
    this.#keepFamily = familyFilter(options.select);
    this.#recorder = new MetricsRecorder({
      maxSeries: options.maxSeries,
      maxPointsPerSeries: options.maxPointsPerSeries,
    });
    this.#scrapeTimes = new BoundedSeries(options.maxPointsPerSeries);
    this.#failures = Object.fromEntries(SCRAPE_FAILURE_KINDS.map((kind) => [kind, 0])) as Record<
      ScrapeFailureKind,
      number
    >;
    // A pool of its own: scrapes never queue behind, or reuse a socket of, the measured requests.
    this.#agent = new Agent({
      connections: 1,
      keepAliveTimeout: Math.max(4000, 2 * options.intervalMs),
      keepAliveMaxTimeout: Math.max(10_000, 4 * options.intervalMs),
      connect: { timeout: options.timeoutMs },
    });
    this.startedNs = now();
    this.#startWallMs = Date.now();
    this.firstScrape = this.#scrapeThenSchedule();
  }

  report(): ServerMetricsReport {
    return this.#buildReport(Date.now());
  }

  stop(): Promise<ServerMetricsReport> {
    this.#stopped ??= (async () => {
      this.#isStopping = true;
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
      await this.#inFlight;
      await this.#scrape();
      await this.#agent.close().catch(() => this.#agent.destroy());
      return this.#buildReport(Date.now());
    })();
    return this.#stopped;
  }

  #scrapeThenSchedule(): Promise<ScrapeOutcome> {
    const scrape = this.#scrape().then((outcome) => {
      this.#inFlight = undefined;
      if (!this.#isStopping) this.#scheduleNext();
      return outcome;
    });
    this.#inFlight = scrape;
    return scrape;
  }

  /** The next slot of the start-aligned grid after now: a slow scrape skips slots, never piles up. */
  #scheduleNext(): void {
    const intervalNs = BigInt(this.#options.intervalMs) * 1_000_000n;
    const elapsedNs = now() - this.startedNs;
    const nextNs = (elapsedNs / intervalNs + 1n) * intervalNs;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        void this.#scrapeThenSchedule();
      },
      nsToMs(nextNs - elapsedNs),
    );
    this.#timer.unref();
  }

  async #scrape(): Promise<ScrapeOutcome> {
    this.#attempts++;
    const sentNs = now();
    let outcome: ScrapeOutcome;
    try {
      await this.#fetchAndRecord();
      this.#succeeded++;
      outcome = { ok: true };
    } catch (error) {
      const { kind, reason } =
        error instanceof ScrapeFailure ? error : classifyError(error, this.#options.timeoutMs);
      const message = clip(`GET ${this.#options.displayUrl}: ${reason}`);
      this.#failed++;
      this.#failures[kind]++;
      this.#firstError ??= message;
      outcome = { ok: false, kind, message };
    }
    const durationMs = nsToMs(now() - sentNs);
    this.#durationSumMs += durationMs;
    if (durationMs > this.#durationMaxMs) this.#durationMaxMs = durationMs;
    return outcome;
  }

  async #fetchAndRecord(): Promise<void> {
    const { requestUrl, timeoutMs, maxBodyBytes } = this.#options;
    const response = await request(requestUrl, {
      method: 'GET',
      dispatcher: this.#agent,
      headers: this.#options.headers,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The server computes its exposition when it answers: the headers' arrival is the sample time.
    const atNs = now();
    const atWallMs = Date.now();
    const { statusCode, headers, body } = response;
    if (statusCode !== 200) {
      await body.dump().catch(() => undefined);
      throw new ScrapeFailure(
        'http_status',
        `HTTP ${statusCode} (expected 200 with Prometheus text)`,
      );
    }
    const rawType = headers['content-type'];
    const contentType = Array.isArray(rawType) ? rawType[0] : rawType;
    const format = mediaFormat(contentType);
    if (format === undefined) {
      await body.dump().catch(() => undefined);
      throw new ScrapeFailure(
        'not_prometheus',
        `the answer is ${contentType}, not Prometheus text (text/plain) or OpenMetrics text (application/openmetrics-text)`,
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > maxBodyBytes) {
        body.destroy();
        throw new ScrapeFailure('too_large', `the body is larger than ${maxBodyBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const parsed = parseExposition(text, { format, keepFamily: this.#keepFamily, maxProblems: 1 });
    if (parsed.sampleLines === 0) {
      const why =
        parsed.problems[0] === undefined
          ? 'the body holds no sample'
          : `no line is a sample (${parsed.problems[0]})`;
      throw new ScrapeFailure('not_prometheus', `not Prometheus text: ${why}`);
    }
    this.#skippedLines += parsed.skippedLines;
    this.#firstSkippedLine ??= parsed.problems[0];
    const tMs = Math.round(nsToMs(atNs - this.startedNs));
    this.#recorder.record(tMs, parsed.families);
    this.#firstOkTMs ??= tMs;
    this.#lastOkTMs = tMs;
    this.#scrapeTimes.add(tMs, atWallMs);
  }

  #buildReport(endWallMs: number): ServerMetricsReport {
    return {
      url: this.#options.displayUrl,
      server: this.#recorder.server ?? null,
      interval_ms: this.#options.intervalMs,
      started_at: new Date(this.#startWallMs).toISOString(),
      ended_at: new Date(endWallMs).toISOString(),
      clock: { start_wall_ms: this.#startWallMs, start_monotonic_ms: nsToMs(this.startedNs) },
      window_s:
        this.#firstOkTMs === undefined || this.#lastOkTMs === undefined
          ? null
          : (this.#lastOkTMs - this.#firstOkTMs) / 1000,
      scrape_times: this.#scrapeTimes.points(),
      scrapes: {
        attempts: this.#attempts,
        succeeded: this.#succeeded,
        failed: this.#failed,
        failures: { ...this.#failures },
        first_error: this.#firstError ?? null,
        skipped_lines: this.#skippedLines,
        first_skipped_line: this.#firstSkippedLine ?? null,
        dropped_series: this.#recorder.droppedSeries,
        duration_ms:
          this.#attempts === 0
            ? null
            : { mean: this.#durationSumMs / this.#attempts, max: this.#durationMaxMs },
      },
      roles: this.#recorder.roleReports(),
      metrics: this.#recorder.metricReports(),
    };
  }
}

/**
 * Starts scraping a server's Prometheus endpoint: once now, then every `intervalMs` on a
 * grid aligned to the start, once more at `stop()`. Throws ServerMetricsError only for bad
 * options; a failing endpoint is counted in the report, never thrown.
 */
export function startServerMetrics(options: ServerMetricsOptions): ServerMetricsScrape {
  return new ServerMetricsScraper(resolveOptions(options));
}
