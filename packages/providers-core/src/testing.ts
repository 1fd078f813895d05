// Test aids for code built on the Provider contract (exported as
// `@llm-lens/providers-core/testing`): a provider with a wire format of its own, a transport
// that plays scripted responses on timers, and a factory that registers both. Nothing here
// speaks any real provider's protocol, so a component tested with them is known to depend
// only on the contract.
import {
  nonNegativeInt,
  nonNegativeNumber,
  oneOf,
  positiveInt,
  strictObject,
} from '@llm-lens/config-fields';
import { now } from '@llm-lens/core-timing';
import { classifyHttpStatus } from './error-classification.js';
import type {
  DecoderOptions,
  ErrorClassification,
  HttpRequestSpec,
  Provider,
  ProviderRequestInput,
  ResponseDecoder,
  ResponseHeaders,
  StreamEvent,
} from './provider.js';
import type { ProviderFactory, ProviderSettings } from './provider-factory.js';
import type { InFlightRequest, ResponseSink, Transport } from './transport.js';
import { abortError } from './transport.js';
import {
  checkMaxEventBytes,
  DEFAULT_MAX_EVENT_BYTES,
  eventSizeError,
  tokenCountProblem,
} from './wire-limits.js';

/** The media type of the fake wire format, as {@link FakeTransport} sends it by default. */
const FAKE_CONTENT_TYPE = 'text/plain';

/**
 * The fake wire format, one line per event: `t <text>` (answer text), `r <text>`
 * (reasoning text), `u <output tokens>` (usage), `e <message>` (an error event) and `.`
 * (the end marker). The request body is `{"model", "prompt", "max_tokens"}`. A line longer
 * than `maxEventBytes` characters throws the protocol error real decoders throw; a usage
 * line whose count is not a token count gives a usage with only `ignoredReason`.
 */
export class FakeDecoder implements ResponseDecoder {
  readonly expectedContentType = FAKE_CONTENT_TYPE;
  readonly #maxEventBytes: number;
  /** Text of a line whose end has not arrived yet. */
  #buffer = '';
  #sawEnd = false;

  constructor(options: DecoderOptions = {}) {
    this.#maxEventBytes = checkMaxEventBytes(options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES);
  }

  get sawEndMarker(): boolean {
    return this.#sawEnd;
  }

  push(chunk: Uint8Array, emit: (event: StreamEvent) => void): void {
    const text = Buffer.from(chunk).toString('utf8');
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      this.#checkSize(this.#buffer.length + newline - start);
      const line = this.#buffer + text.slice(start, newline);
      this.#buffer = '';
      this.#line(line, emit);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.#checkSize(this.#buffer.length + text.length - start);
    this.#buffer += text.slice(start);
  }

  #checkSize(lineLength: number): void {
    if (lineLength <= this.#maxEventBytes) return;
    this.#buffer = '';
    throw eventSizeError('a fake-format line', this.#maxEventBytes);
  }

  end(emit: (event: StreamEvent) => void): void {
    if (this.#buffer.length > 0) this.#line(this.#buffer, emit);
    this.#buffer = '';
  }

  #line(line: string, emit: (event: StreamEvent) => void): void {
    const kind = line.slice(0, 1);
    const rest = line.slice(2);
    const event: StreamEvent = { text: '', reasoningText: '', toolText: '' };
    if (kind === 't') event.text = rest;
    else if (kind === 'r') event.reasoningText = rest;
    else if (kind === 'u') {
      const count = rest.trim() === '' ? Number.NaN : Number(rest);
      const problem = tokenCountProblem('output tokens', count);
      event.usage =
        problem === undefined
          ? { outputTokens: count }
          : { ignoredReason: `usage ignored: ${problem}` };
    } else if (kind === 'e') event.error = { message: rest };
    else if (kind === '.') {
      this.#sawEnd = true;
      return;
    } else return;
    emit(event);
  }
}

/** A provider speaking the fake wire format to `baseUrl`. */
export function createFakeProvider(name = 'fake', baseUrl = 'http://fake.invalid'): Provider {
  return {
    id: 'fake',
    name,
    buildRequest(input: ProviderRequestInput): HttpRequestSpec {
      const prompt =
        typeof input.prompt === 'string'
          ? input.prompt
          : input.prompt.map((m) => m.content).join('\n');
      return {
        url: `${baseUrl}/generate`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: input.model, prompt, max_tokens: input.maxTokens ?? null }),
      };
    },
    createDecoder: (_input, options) => new FakeDecoder(options),
    classifyHttpError: (status, headers, body): ErrorClassification =>
      classifyHttpStatus(status, headers, body, { providerLabel: name }),
    classifyStreamError: (error): ErrorClassification => ({
      errorClass: 'server_error',
      message: `stream error: ${error.message}`,
    }),
  };
}

/** One scripted response of {@link FakeTransport}. */
export interface FakeResponse {
  /** HTTP status; default 200. */
  status?: number;
  /** Response headers; default `{ 'content-type': 'text/plain' }`, the fake format's type. */
  headers?: ResponseHeaders;
  /** Delay before the headers, ms; default 0. */
  headersAfterMs?: number;
  /** Body pieces, each `afterMs` after the previous one (the first after the headers). */
  chunks?: ReadonlyArray<{ afterMs: number; data: string }>;
  /** Fail instead of answering: the error the sink hears, before the headers. */
  error?: Error;
}

/**
 * A transport that answers every request with a scripted response on real timers, stamping
 * each piece like the HTTP transport does. `requests` keeps every spec it was sent.
 */
export class FakeTransport implements Transport {
  readonly requests: HttpRequestSpec[] = [];
  #closed = false;

  constructor(private readonly script: (spec: HttpRequestSpec, index: number) => FakeResponse) {}

  send(spec: HttpRequestSpec, sink: ResponseSink): InFlightRequest {
    const response = this.script(spec, this.requests.length);
    this.requests.push(spec);
    const timers: NodeJS.Timeout[] = [];
    let isDone = false;
    const finish = (outcome: () => void) => {
      if (isDone) return;
      isDone = true;
      for (const timer of timers) clearTimeout(timer);
      outcome();
    };
    if (this.#closed) {
      queueMicrotask(() => finish(() => sink.onError(new Error('transport closed'), now())));
      return { cancel: () => {} };
    }
    // Written at once, as a reused connection would be.
    queueMicrotask(() => {
      if (isDone) return;
      sink.onConnection(undefined, now());
      if (response.error !== undefined) {
        const error = response.error;
        finish(() => sink.onError(error, now()));
        return;
      }
      let at = response.headersAfterMs ?? 0;
      timers.push(
        setTimeout(() => {
          if (!isDone) {
            const headers = response.headers ?? { 'content-type': FAKE_CONTENT_TYPE };
            sink.onHeaders(response.status ?? 200, headers, now());
          }
        }, at),
      );
      for (const chunk of response.chunks ?? []) {
        at += chunk.afterMs;
        timers.push(
          setTimeout(() => {
            if (!isDone) sink.onChunk(Buffer.from(chunk.data), now());
          }, at),
        );
      }
      timers.push(setTimeout(() => finish(() => sink.onComplete(now())), at));
    });
    return {
      cancel: (reason?: unknown) => finish(() => sink.onError(abortError(reason), now())),
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}

/** A fake stream: `tokens` answer events `itlMs` apart after `ttftMs`, usage, then the end marker. */
export function fakeStream(options: {
  tokens: number;
  ttftMs: number;
  itlMs: number;
}): FakeResponse {
  const chunks: Array<{ afterMs: number; data: string }> = [];
  for (let i = 0; i < options.tokens; i++) {
    chunks.push({ afterMs: i === 0 ? options.ttftMs : options.itlMs, data: `t  word${i}\n` });
  }
  chunks.push({ afterMs: 0, data: `u ${options.tokens}\n.\n` });
  return { chunks };
}

const fakeSettingsSchema = strictObject(
  {
    tokens: positiveInt().default(4),
    ttft_ms: nonNegativeNumber().default(5),
    itl_ms: nonNegativeNumber().default(1),
    fail: oneOf(['none', 'refused', 'http_500', 'http_401']).default('none'),
    fail_first: nonNegativeInt().default(0),
  },
  'an object of fake provider settings',
);

/**
 * A registered provider type, `fake`, that needs no network: its requests go through a
 * {@link FakeTransport} playing {@link fakeStream}s. `fail` makes every request (or only the
 * first `fail_first`, when set) fail as refused, HTTP 500 or HTTP 401.
 */
export const fakeProviderFactory: ProviderFactory = {
  type: 'fake',
  description: 'a fake provider for tests: scripted streams, no network',
  configSchema: fakeSettingsSchema,
  envVars: [],
  credentials: () => [],
  async create(settings: ProviderSettings) {
    const tokens = settings.tokens as number;
    const ttftMs = settings.ttft_ms as number;
    const itlMs = settings.itl_ms as number;
    const fail = settings.fail as string;
    const failFirst = settings.fail_first as number;
    const transport = new FakeTransport((_spec, index) => {
      const failing = fail !== 'none' && (failFirst === 0 || index < failFirst);
      if (!failing) return fakeStream({ tokens, ttftMs, itlMs });
      if (fail === 'refused') {
        const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
          code: 'ECONNREFUSED',
        });
        return { error };
      }
      const status = fail === 'http_401' ? 401 : 500;
      return {
        status,
        chunks: [{ afterMs: 1, data: JSON.stringify({ error: { message: `fake ${status}` } }) }],
      };
    });
    return {
      provider: createFakeProvider(settings.name),
      endpoint: 'a fake transport (no network)',
      secrets: [],
      createTransport: () => transport,
    };
  },
};

/** What {@link exchangeOnce} saw of one request. */
export interface ExchangeResult {
  /** HTTP status; 0 when no response head arrived. */
  status: number;
  headers: ResponseHeaders;
  /** Every event the decoder emitted, in order (empty for an HTTP error). */
  events: StreamEvent[];
  /** The decoder's end marker, read after the body ended. */
  sawEndMarker: boolean;
  /** The provider's classification of an HTTP error status (credentials redacted). */
  httpError?: ErrorClassification;
  /** The provider's classification of each error event in the body. */
  streamErrors: ErrorClassification[];
  /** The transport's error (connection dropped or refused) or the decoder's throw. */
  failure?: Error;
}

/**
 * Sends one request of `provider` through `transport` the way the executor does (decoding
 * each chunk as it arrives, classifying HTTP and in-stream errors) and resolves with what
 * was seen; it never rejects. For adapters' integration tests against the simulator or a
 * local server: no timing, only what the adapter made of the bytes.
 */
export function exchangeOnce(
  transport: Transport,
  provider: Provider,
  input: ProviderRequestInput,
  options: { secrets?: readonly string[]; decoderOptions?: DecoderOptions } = {},
): Promise<ExchangeResult> {
  const decoder = provider.createDecoder(input, options.decoderOptions);
  const result: ExchangeResult = {
    status: 0,
    headers: {},
    events: [],
    sawEndMarker: false,
    streamErrors: [],
  };
  const redact = (classification: ErrorClassification): ErrorClassification => {
    let message = classification.message;
    for (const secret of options.secrets ?? []) message = message.split(secret).join('[redacted]');
    return { ...classification, message };
  };
  const onEvent = (event: StreamEvent): void => {
    result.events.push(event);
    if (event.error !== undefined) {
      result.streamErrors.push(redact(provider.classifyStreamError(event.error)));
    }
  };
  const errorBody: Buffer[] = [];
  return new Promise((resolve) => {
    transport.send(provider.buildRequest(input), {
      onConnection() {},
      onHeaders(status, headers) {
        result.status = status;
        result.headers = headers;
      },
      onChunk(chunk) {
        if (result.status >= 300) errorBody.push(chunk);
        else decoder.push(chunk, onEvent);
      },
      onComplete() {
        if (result.status >= 300) {
          const body = Buffer.concat(errorBody).toString('utf8');
          result.httpError = redact(
            provider.classifyHttpError(result.status, result.headers, body),
          );
        } else {
          try {
            decoder.end(onEvent);
          } catch (error) {
            result.failure = error instanceof Error ? error : new Error(String(error));
          }
          result.sawEndMarker = decoder.sawEndMarker;
        }
        resolve(result);
      },
      onError(error) {
        result.failure = error;
        result.sawEndMarker = decoder.sawEndMarker;
        resolve(result);
      },
    });
  });
}
