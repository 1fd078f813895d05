import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { estimateChatPromptTokens } from '../token-text.js';
import {
  type ParsedExchange,
  type ProtocolErrorResponse,
  type ProtocolRoute,
  REJECTED_CREDENTIAL,
  type SimulatedErrorKind,
  type SimulatedRequest,
  type StaticResponse,
  type StreamEncoder,
  type UsageCounts,
  type WireProtocol,
} from './wire-protocol.js';

// Wire format: Ollama's REST API (https://github.com/ollama/ollama/blob/main/docs/api.md,
// "Generate a chat completion" and "List Local Models"). A stream is NDJSON: one JSON object
// per line, `done: false` while tokens arrive, then one `done: true` line with the counts and
// durations (nanoseconds). Errors are `{"error": "<text>"}`, as a body or as a stream line.

/** The media type of a streamed chat response. */
export const OLLAMA_STREAM_CONTENT_TYPE = 'application/x-ndjson';

/** The version `GET /api/version` reports: not an Ollama release, so no client mistakes it for one. */
export const SIMULATED_OLLAMA_VERSION = '0.0.0-llm-lens-simulator';

const OLLAMA_ERROR_STATUS: Record<SimulatedErrorKind, number> = {
  invalid_request: 400,
  unauthorized: 401,
  request_too_large: 413,
  rate_limit: 429,
  server_error: 500,
};

/** Serialises an Ollama error: `{"error": "<message>"}`. */
export function ollamaErrorJson(message: string): string {
  return JSON.stringify({ error: message });
}

/** An Ollama-shaped error response of the given kind. */
export function ollamaError(kind: SimulatedErrorKind, message: string): ProtocolErrorResponse {
  return { status: OLLAMA_ERROR_STATUS[kind], body: ollamaErrorJson(message) };
}

/** The `think` values Ollama accepts besides booleans (gpt-oss style effort levels). */
const THINK_LEVELS: ReadonlySet<unknown> = new Set(['low', 'medium', 'high']);

export type ParsedOllamaRequest =
  | { ok: true; request: SimulatedRequest }
  | { ok: false; message: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why `messages` is not a non-empty list of chat messages, or undefined. */
function messagesProblem(messages: unknown): string | undefined {
  // Real Ollama treats a request without messages as "load the model" (done_reason "load");
  // the simulator has no model to load, so it says so instead of inventing that response.
  if (
    messages === undefined ||
    messages === null ||
    (Array.isArray(messages) && messages.length === 0)
  ) {
    return 'messages is required: the simulator does not simulate load-only requests (an empty messages list)';
  }
  if (!Array.isArray(messages)) return 'messages must be a list of {"role", "content"} objects';
  for (const [index, message] of messages.entries()) {
    if (!isObject(message) || typeof message.role !== 'string') {
      return `messages[${index}] must be an object with a string "role"`;
    }
    if (message.content !== undefined && typeof message.content !== 'string') {
      return `messages[${index}].content must be a string`;
    }
  }
  return undefined;
}

/**
 * The output cap from `options.num_predict`, or why it is invalid. Ollama reads 0 and the
 * negative values (-1 "no limit", -2 "fill the context") as no cap of its own.
 */
function numPredictCap(options: unknown): number | undefined | { problem: string } {
  if (options === undefined || options === null) return undefined;
  if (!isObject(options)) return { problem: 'options must be an object of model parameters' };
  const numPredict = options.num_predict;
  if (numPredict === undefined || numPredict === null) return undefined;
  if (typeof numPredict !== 'number' || !Number.isInteger(numPredict)) {
    return { problem: 'option "num_predict" must be an integer' };
  }
  return numPredict > 0 ? numPredict : undefined;
}

/** Parses and checks an `/api/chat` body the way Ollama rejects bad ones (400). */
export function parseOllamaChatRequest(rawBody: string): ParsedOllamaRequest {
  if (rawBody.trim() === '') return { ok: false, message: 'missing request body' };
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return { ok: false, message: 'the request body is not valid JSON' };
  }
  if (!isObject(body)) return { ok: false, message: 'the request body must be a JSON object' };

  const { model, messages, stream, think } = body;
  if (typeof model !== 'string' || model === '') return { ok: false, message: 'model is required' };
  const messagesInvalid = messagesProblem(messages);
  if (messagesInvalid !== undefined) return { ok: false, message: messagesInvalid };
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') {
    return { ok: false, message: 'stream must be true or false' };
  }
  if (
    think !== undefined &&
    think !== null &&
    typeof think !== 'boolean' &&
    !THINK_LEVELS.has(think)
  ) {
    return { ok: false, message: 'think must be true, false, "low", "medium" or "high"' };
  }
  const cap = numPredictCap(body.options);
  if (typeof cap === 'object') return { ok: false, message: cap.problem };

  return {
    ok: true,
    request: {
      model,
      // Ollama streams unless the body says `"stream": false`.
      stream: stream !== false,
      // The done line (or the non-streaming body) always carries the counts.
      includeUsage: true,
      continuousUsage: false,
      maxTokens: cap,
      minTokens: undefined,
      ignoreEos: false,
      promptTokens: estimateChatPromptTokens(messages as unknown[]),
      // Thinking goes to message.thinking, and only when asked for.
      supportsReasoning: think === true || THINK_LEVELS.has(think),
    },
  };
}

/** The durations of a done line, nanoseconds; a zero one is left out, as Ollama's omitempty does. */
interface OllamaDurations {
  totalNs: bigint;
  loadNs: bigint;
  promptEvalNs: bigint;
  evalNs: bigint;
}

function durationField(name: string, ns: bigint): string {
  return ns > 0n ? `,"${name}":${ns}` : '';
}

/** `,"done_reason":…,"done":true,` and the counts and durations, without the closing brace. */
function doneFields(
  finishReason: 'stop' | 'length',
  usage: UsageCounts,
  durations: OllamaDurations,
): string {
  return (
    `,"done_reason":"${finishReason}","done":true` +
    durationField('total_duration', durations.totalNs) +
    durationField('load_duration', durations.loadNs) +
    `,"prompt_eval_count":${usage.promptTokens}` +
    durationField('prompt_eval_duration', durations.promptEvalNs) +
    `,"eval_count":${usage.completionTokens}` +
    durationField('eval_duration', durations.evalNs)
  );
}

const hrtime = process.hrtime.bigint;

const CONTENT_HEAD = '","message":{"role":"assistant","content":"';
const THINKING_HEAD = '","message":{"role":"assistant","content":"","thinking":"';
const TOKEN_TAIL = '"},"done":false}\n';

/**
 * Builds the NDJSON lines of one streamed chat response: nothing before the first token; one
 * `done: false` line per token event with the text in `message.content` (or
 * `message.thinking` for reasoning); then the `done: true` line with `done_reason`, the counts
 * (`eval_count` includes thinking, as Ollama's does) and durations measured on the simulator's
 * own clock: load_duration from the request's parse to the response head, prompt_eval_duration
 * from there to the first token, eval_duration from the first token to the done line, and
 * total_duration their sum. A token line costs a few concatenations: the JSON around the text
 * is built once, simulated text needs no escaping, and `created_at` is formatted at most once
 * per millisecond.
 */
export class OllamaStreamEncoder implements StreamEncoder {
  readonly contentType = OLLAMA_STREAM_CONTENT_TYPE;
  /** `{"model":"…","created_at":"` */
  readonly #lineHead: string;
  readonly #startNs: bigint;
  #headNs = 0n;
  #firstTokenNs = 0n;
  #stampMs = -1;
  #stamp = '';

  constructor(model: string, startNs: bigint = hrtime()) {
    this.#lineHead = `{"model":${JSON.stringify(model)},"created_at":"`;
    this.#startNs = startNs;
  }

  #createdAt(): string {
    const nowMs = Date.now();
    if (nowMs !== this.#stampMs) {
      this.#stampMs = nowMs;
      this.#stamp = new Date(nowMs).toISOString();
    }
    return this.#stamp;
  }

  head(): string {
    this.#headNs = hrtime();
    return '';
  }

  token(
    event: { isReasoning: boolean },
    text: string,
    _finishReason: 'stop' | 'length' | null,
    _completionTokens: number,
  ): string {
    if (this.#firstTokenNs === 0n) this.#firstTokenNs = hrtime();
    return (
      this.#lineHead +
      this.#createdAt() +
      (event.isReasoning ? THINKING_HEAD : CONTENT_HEAD) +
      text +
      TOKEN_TAIL
    );
  }

  end(usage: UsageCounts, finishReason: 'stop' | 'length'): string {
    const endNs = hrtime();
    const headNs = this.#headNs === 0n ? this.#startNs : this.#headNs;
    const firstTokenNs = this.#firstTokenNs === 0n ? endNs : this.#firstTokenNs;
    const durations: OllamaDurations = {
      totalNs: endNs - this.#startNs,
      loadNs: headNs - this.#startNs,
      promptEvalNs: firstTokenNs - headNs,
      evalNs: endNs - firstTokenNs,
    };
    return `${this.#lineHead}${this.#createdAt()}${CONTENT_HEAD}"}${doneFields(finishReason, usage, durations)}}\n`;
  }

  error(message: string): string {
    return `${ollamaErrorJson(message)}\n`;
  }
}

/**
 * The body of a non-streaming chat response. The simulator does not see when a non-streamed
 * response's first token was due, so the measured time from parse to body is all
 * `eval_duration` (and `total_duration`); load and prompt-eval durations, zero, are left out.
 */
export function ollamaChatBody(
  model: string,
  text: { reasoning: string; content: string },
  finishReason: 'stop' | 'length',
  usage: UsageCounts,
  elapsedNs: bigint,
): string {
  const message =
    text.reasoning === ''
      ? { role: 'assistant', content: text.content }
      : { role: 'assistant', content: text.content, thinking: text.reasoning };
  const durations: OllamaDurations = {
    totalNs: elapsedNs,
    loadNs: 0n,
    promptEvalNs: 0n,
    evalNs: elapsedNs,
  };
  return (
    `{"model":${JSON.stringify(model)},"created_at":"${new Date().toISOString()}",` +
    `"message":${JSON.stringify(message)}${doneFields(finishReason, usage, durations)}}`
  );
}

const CHAT_ROUTE: ProtocolRoute = {
  // Ollama's native API has no response ids; the prefix only names the simulator's own.
  responseIdPrefix: 'ollama-',
  parse(rawBody: string, headers: IncomingHttpHeaders): ParsedExchange {
    // Plain Ollama takes no credential; behind a proxy or on ollama.com it is a bearer token.
    if (headers.authorization === `Bearer ${REJECTED_CREDENTIAL}`) {
      return { ok: false, error: ollamaError('unauthorized', 'unauthorized (simulated)') };
    }
    const parsedAtNs = hrtime();
    const parsed = parseOllamaChatRequest(rawBody);
    if (!parsed.ok) return { ok: false, error: ollamaError('invalid_request', parsed.message) };
    const request = parsed.request;
    return {
      ok: true,
      exchange: {
        request,
        streamEncoder: () => new OllamaStreamEncoder(request.model, parsedAtNs),
        body: (_responseId, _created, text, finishReason, usage) => ({
          contentType: 'application/json; charset=utf-8',
          body: ollamaChatBody(request.model, text, finishReason, usage, hrtime() - parsedAtNs),
        }),
      },
    };
  },
  error: ollamaError,
};

// The simulator's models have no history or weights: a fixed date, no size.
const MODEL_MODIFIED_AT = '2025-01-01T00:00:00Z';

/** Ollama names every model `name:tag`; an untagged name means `:latest`. */
function taggedName(id: string): string {
  return id.includes(':') ? id : `${id}:latest`;
}

function tagsBody(models: readonly string[]): string {
  return JSON.stringify({
    models: models.map((id) => {
      const name = taggedName(id);
      return {
        name,
        model: name,
        modified_at: MODEL_MODIFIED_AT,
        size: 0,
        digest: createHash('sha256').update(name).digest('hex'),
        details: {
          parent_model: '',
          format: 'gguf',
          family: 'llm-lens-simulator',
          families: ['llm-lens-simulator'],
          parameter_size: '0B',
          quantization_level: 'none',
        },
      };
    }),
  });
}

/**
 * Ollama's native chat API (`POST /api/chat`, NDJSON stream by default, or one JSON body with
 * `"stream": false`), its model list (`GET /api/tags`) and `GET /api/version`.
 */
export const ollamaProtocol: WireProtocol = {
  name: 'ollama',
  routes: ['POST /api/chat', 'GET /api/tags', 'GET /api/version'],
  match(method: string, path: string): ProtocolRoute | undefined {
    return method === 'POST' && path === '/api/chat' ? CHAT_ROUTE : undefined;
  },
  serveStatic(
    method: string,
    path: string,
    _headers: IncomingHttpHeaders,
    models: readonly string[],
  ): StaticResponse | undefined {
    if (method !== 'GET') return undefined;
    if (path === '/api/tags') return { status: 200, body: tagsBody(models) };
    if (path === '/api/version') {
      return { status: 200, body: JSON.stringify({ version: SIMULATED_OLLAMA_VERSION }) };
    }
    return undefined;
  },
};
