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

// Wire format: https://docs.anthropic.com/en/api/messages (request and message body),
// https://docs.anthropic.com/en/docs/build-with-claude/streaming (events, each
// `event: <type>\ndata: <json>\n\n`), https://docs.anthropic.com/en/api/errors (error shape)
// and https://docs.anthropic.com/en/api/models-list (model list).

/** The `anthropic-version` header every Messages request must carry. */
const VERSION_HEADER = 'anthropic-version';

/** Extended thinking's smallest `budget_tokens`, as the API enforces it. */
export const MIN_THINKING_BUDGET_TOKENS = 1024;

const ANTHROPIC_ERRORS: Record<SimulatedErrorKind, { status: number; type: string }> = {
  invalid_request: { status: 400, type: 'invalid_request_error' },
  unauthorized: { status: 401, type: 'authentication_error' },
  request_too_large: { status: 413, type: 'request_too_large' },
  rate_limit: { status: 429, type: 'rate_limit_error' },
  server_error: { status: 500, type: 'api_error' },
};

/** Serialises an Anthropic error body: `{"type":"error","error":{"type":…,"message":…}}`. */
export function anthropicErrorJson(type: string, message: string): string {
  return JSON.stringify({ type: 'error', error: { type, message } });
}

/** An Anthropic-shaped error response of the given kind. */
export function anthropicError(kind: SimulatedErrorKind, message: string): ProtocolErrorResponse {
  const { status, type } = ANTHROPIC_ERRORS[kind];
  return { status, body: anthropicErrorJson(type, message) };
}

/** The parts of a Messages request the simulator acts on. */
export interface AnthropicRequest extends SimulatedRequest {
  /** `thinking.type` is `enabled` or `adaptive`: the message opens with a thinking block. */
  isThinkingEnabled: boolean;
}

export type ParsedAnthropicRequest =
  | { ok: true; request: AnthropicRequest }
  | { ok: false; message: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

/** Why `system` is not a string or a list of text blocks, or undefined when it is one. */
function systemProblem(system: unknown): string | undefined {
  if (typeof system === 'string') return undefined;
  if (!Array.isArray(system)) return 'system: Input should be a string or a list of text blocks';
  for (const [index, block] of system.entries()) {
    if (!isObject(block) || block.type !== 'text' || typeof block.text !== 'string') {
      return `system.${index}: Input should be a text block ({"type": "text", "text": "..."})`;
    }
  }
  return undefined;
}

/** Why `messages` is not a non-empty list of user, assistant or system turns, or undefined. */
function messagesProblem(messages: unknown): string | undefined {
  if (messages === undefined || messages === null) return 'messages: Field required';
  if (!Array.isArray(messages)) return 'messages: Input should be a valid list';
  if (messages.length === 0) return 'messages: at least one message is required';
  for (const [index, message] of messages.entries()) {
    if (!isObject(message)) return `messages.${index}: Input should be an object`;
    if (message.role !== 'user' && message.role !== 'assistant' && message.role !== 'system') {
      return `messages.${index}.role: Input should be 'user', 'assistant' or 'system'`;
    }
    if (typeof message.content !== 'string' && !Array.isArray(message.content)) {
      return `messages.${index}.content: Input should be a string or a list of content blocks`;
    }
  }
  return undefined;
}

/** Whether the request asks for thinking, or why its `thinking` is invalid. */
function thinkingSetting(thinking: unknown, maxTokens: number): boolean | string {
  if (thinking === undefined || thinking === null) return false;
  if (!isObject(thinking)) return 'thinking: Input should be an object';
  if (thinking.type === 'disabled') return false;
  // Adaptive thinking lets the model choose its budget; it has no budget_tokens.
  if (thinking.type === 'adaptive') return true;
  if (thinking.type !== 'enabled') {
    return "thinking.type: Input should be 'enabled', 'adaptive' or 'disabled'";
  }
  const budget = thinking.budget_tokens;
  if (budget === undefined) return 'thinking.enabled.budget_tokens: Field required';
  if (
    typeof budget !== 'number' ||
    !Number.isInteger(budget) ||
    budget < MIN_THINKING_BUDGET_TOKENS
  ) {
    return `thinking.enabled.budget_tokens: Input should be an integer greater than or equal to ${MIN_THINKING_BUDGET_TOKENS}`;
  }
  if (budget >= maxTokens) {
    return '`max_tokens` must be greater than `thinking.budget_tokens`';
  }
  return true;
}

/** The first API version without the sampling parameters (temperature, top_p, top_k). */
export const SAMPLING_REMOVED_IN_VERSION = '2026-10-21';
const SAMPLING_PARAMETERS = ['temperature', 'top_p', 'top_k'] as const;

/**
 * Parses and checks a Messages body the way the API rejects bad ones (400). `apiVersion` is
 * the `anthropic-version` header: from 2026-10-21 on, a sampling parameter is an error.
 */
export function parseAnthropicRequest(
  rawBody: string,
  apiVersion = '2023-06-01',
): ParsedAnthropicRequest {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return { ok: false, message: 'The request body is not valid JSON.' };
  }
  if (!isObject(body)) return { ok: false, message: 'The request body must be a JSON object.' };

  const { model, messages, system, stream, thinking } = body;
  const maxTokens = body.max_tokens;
  if (model === undefined || model === null) return { ok: false, message: 'model: Field required' };
  if (typeof model !== 'string' || model === '') {
    return { ok: false, message: 'model: Input should be a non-empty string' };
  }
  const messagesInvalid = messagesProblem(messages);
  if (messagesInvalid !== undefined) return { ok: false, message: messagesInvalid };
  if (maxTokens === undefined || maxTokens === null) {
    return { ok: false, message: 'max_tokens: Field required' };
  }
  if (!isPositiveInteger(maxTokens)) {
    return {
      ok: false,
      message: 'max_tokens: Input should be an integer greater than or equal to 1',
    };
  }
  if (system !== undefined && system !== null) {
    const systemInvalid = systemProblem(system);
    if (systemInvalid !== undefined) return { ok: false, message: systemInvalid };
  }
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') {
    return { ok: false, message: 'stream: Input should be a valid boolean' };
  }
  const isThinkingEnabled = thinkingSetting(thinking, maxTokens);
  if (typeof isThinkingEnabled === 'string') return { ok: false, message: isThinkingEnabled };
  // Version dates are ISO dates, so they compare as strings.
  if (apiVersion >= SAMPLING_REMOVED_IN_VERSION) {
    const sampling = SAMPLING_PARAMETERS.find((name) => body[name] !== undefined);
    if (sampling !== undefined) {
      return {
        ok: false,
        message: `${sampling}: not supported from anthropic-version ${SAMPLING_REMOVED_IN_VERSION} on; remove it or send anthropic-version 2023-06-01`,
      };
    }
  }

  // The adapter moves system messages into `system`: counted as one more message, the same
  // prompt gets the same estimate here as through the OpenAI protocol.
  const systemTokens =
    system === undefined || system === null ? 0 : estimateChatPromptTokens([{ content: system }]);
  return {
    ok: true,
    request: {
      model,
      stream: stream === true,
      // Anthropic always reports usage: message_start and message_delta, or the body's.
      includeUsage: true,
      continuousUsage: false,
      maxTokens,
      minTokens: undefined,
      ignoreEos: false,
      promptTokens: estimateChatPromptTokens(messages as unknown[]) + systemTokens,
      supportsReasoning: isThinkingEnabled,
      isThinkingEnabled,
    },
  };
}

/** What a finish reason is called in Anthropic's `stop_reason`. */
function stopReason(finishReason: 'stop' | 'length'): 'end_turn' | 'max_tokens' {
  return finishReason === 'stop' ? 'end_turn' : 'max_tokens';
}

/**
 * The usage object of message_delta and of a non-streaming message. With thinking on, the
 * thinking share of the output is broken out in `output_tokens_details.thinking_tokens`.
 */
function usageJson(usage: UsageCounts, isThinkingEnabled: boolean): string {
  const details = isThinkingEnabled
    ? `,"output_tokens_details":{"thinking_tokens":${usage.reasoningTokens}}`
    : '';
  return (
    `{"input_tokens":${usage.promptTokens},"cache_creation_input_tokens":0,` +
    `"cache_read_input_tokens":0,"output_tokens":${usage.completionTokens}${details}}`
  );
}

/**
 * Stands in for the opaque signature that closes a thinking block (clients send it back with
 * the block on the next turn); base64 like a real one, but of a fixed text.
 */
export const SIMULATED_THINKING_SIGNATURE = Buffer.from(
  'llm-lens simulator: this thinking block was generated, not signed',
).toString('base64');

function sseEvent(type: string, json: string): string {
  return `event: ${type}\ndata: ${json}\n\n`;
}

const PING_EVENT = sseEvent('ping', '{"type":"ping"}');
const MESSAGE_STOP_EVENT = sseEvent('message_stop', '{"type":"message_stop"}');
const THINKING_BLOCK_START = sseEvent(
  'content_block_start',
  '{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}',
);
// The thinking block is always index 0: with thinking on, it comes first.
const THINKING_BLOCK_END =
  sseEvent(
    'content_block_delta',
    `{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"${SIMULATED_THINKING_SIGNATURE}"}}`,
  ) + sseEvent('content_block_stop', '{"type":"content_block_stop","index":0}');
const THINKING_DELTA_HEAD =
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"';
const DELTA_TAIL = '"}}\n\n';

function textBlockStart(index: number): string {
  return sseEvent(
    'content_block_start',
    `{"type":"content_block_start","index":${index},"content_block":{"type":"text","text":""}}`,
  );
}

function textDeltaHead(index: number): string {
  return `event: content_block_delta\ndata: {"type":"content_block_delta","index":${index},"delta":{"type":"text_delta","text":"`;
}

/**
 * Builds the events of one streamed message: message_start, the first content block's start
 * and a ping up front; then thinking_delta events in a thinking block (index 0) when thinking
 * is on, closed by its signature_delta before the text block (index 1) opens; text_delta
 * events; the open block's stop, message_delta with the stop reason and the cumulative
 * output, and message_stop. A token event costs two string concatenations: the JSON around
 * the text is built once, and simulated text needs no escaping.
 */
export class AnthropicStreamEncoder implements StreamEncoder {
  readonly contentType = 'text/event-stream';
  readonly #request: AnthropicRequest;
  readonly #messageId: string;
  readonly #textIndex: number;
  readonly #textDeltaHead: string;
  #isThinkingOpen: boolean;

  constructor(request: AnthropicRequest, messageId: string) {
    this.#request = request;
    this.#messageId = messageId;
    this.#isThinkingOpen = request.isThinkingEnabled;
    this.#textIndex = request.isThinkingEnabled ? 1 : 0;
    this.#textDeltaHead = textDeltaHead(this.#textIndex);
  }

  head(): string {
    const message = JSON.stringify({
      id: this.#messageId,
      type: 'message',
      role: 'assistant',
      model: this.#request.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // Like the API: the input is known, the output count starts at 1.
      usage: {
        input_tokens: this.#request.promptTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 1,
      },
    });
    const firstBlock = this.#isThinkingOpen ? THINKING_BLOCK_START : textBlockStart(0);
    return (
      sseEvent('message_start', `{"type":"message_start","message":${message}}`) +
      firstBlock +
      PING_EVENT
    );
  }

  token(
    event: { isReasoning: boolean },
    text: string,
    _finishReason: 'stop' | 'length' | null,
    _completionTokens: number,
  ): string {
    // Reasoning is only planned when thinking is on, so the thinking block is open then.
    if (event.isReasoning) return THINKING_DELTA_HEAD + text + DELTA_TAIL;
    if (this.#isThinkingOpen) {
      this.#isThinkingOpen = false;
      return (
        THINKING_BLOCK_END +
        textBlockStart(this.#textIndex) +
        this.#textDeltaHead +
        text +
        DELTA_TAIL
      );
    }
    return this.#textDeltaHead + text + DELTA_TAIL;
  }

  end(usage: UsageCounts, finishReason: 'stop' | 'length'): string {
    // A budget spent on thinking alone leaves no text block: the thinking block is closed.
    const closeBlock = this.#isThinkingOpen
      ? THINKING_BLOCK_END
      : sseEvent('content_block_stop', `{"type":"content_block_stop","index":${this.#textIndex}}`);
    this.#isThinkingOpen = false;
    const delta =
      `{"type":"message_delta","delta":{"stop_reason":"${stopReason(finishReason)}",` +
      `"stop_sequence":null},"usage":${usageJson(usage, this.#request.isThinkingEnabled)}}`;
    return closeBlock + sseEvent('message_delta', delta) + MESSAGE_STOP_EVENT;
  }

  error(message: string): string {
    return sseEvent('error', anthropicErrorJson('overloaded_error', message));
  }
}

/** The complete body of a non-streaming message. */
export function messageBody(
  request: AnthropicRequest,
  messageId: string,
  text: { reasoning: string; content: string },
  finishReason: 'stop' | 'length',
  usage: UsageCounts,
): string {
  const content: object[] = [];
  if (request.isThinkingEnabled) {
    content.push({
      type: 'thinking',
      thinking: text.reasoning,
      signature: SIMULATED_THINKING_SIGNATURE,
    });
  }
  if (text.content !== '' || !request.isThinkingEnabled) {
    content.push({ type: 'text', text: text.content });
  }
  return (
    `{"id":${JSON.stringify(messageId)},"type":"message","role":"assistant",` +
    `"model":${JSON.stringify(request.model)},"content":${JSON.stringify(content)},` +
    `"stop_reason":"${stopReason(finishReason)}","stop_sequence":null,` +
    `"usage":${usageJson(usage, request.isThinkingEnabled)}}`
  );
}

/** API keys go in x-api-key (2023-06-01 clients) or as a bearer token (the SDKs since API version 2026-10-21). */
function isRejected(headers: IncomingHttpHeaders): boolean {
  return (
    headers['x-api-key'] === REJECTED_CREDENTIAL ||
    headers.authorization === `Bearer ${REJECTED_CREDENTIAL}`
  );
}

const MESSAGES_ROUTE: ProtocolRoute = {
  responseIdPrefix: 'msg_',
  parse(rawBody: string, headers: IncomingHttpHeaders): ParsedExchange {
    if (isRejected(headers)) {
      return {
        ok: false,
        error: anthropicError('unauthorized', 'invalid API key: the key was rejected (simulated)'),
      };
    }
    const apiVersion = headers[VERSION_HEADER];
    if (typeof apiVersion !== 'string' || apiVersion === '') {
      return {
        ok: false,
        error: anthropicError('invalid_request', `${VERSION_HEADER}: header is required`),
      };
    }
    const parsed = parseAnthropicRequest(rawBody, apiVersion);
    if (!parsed.ok) return { ok: false, error: anthropicError('invalid_request', parsed.message) };
    const request = parsed.request;
    return {
      ok: true,
      exchange: {
        request,
        streamEncoder: (responseId) => new AnthropicStreamEncoder(request, responseId),
        body: (responseId, _created, text, finishReason, usage) => ({
          contentType: 'application/json',
          body: messageBody(request, responseId, text, finishReason, usage),
        }),
      },
    };
  },
  error: anthropicError,
};

// Model records carry a fixed creation time: the simulator's models have no history.
const MODEL_CREATED_AT = '2025-01-01T00:00:00Z';

function modelRecord(id: string): {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
} {
  return { type: 'model', id, display_name: id, created_at: MODEL_CREATED_AT };
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape is simply an id no model has.
    return segment;
  }
}

/**
 * Anthropic's Messages API (`POST /v1/messages`, streaming and not) and its model list. The
 * model list shares `GET /v1/models` with OpenAI's: a request with an `anthropic-version`
 * header (every Anthropic client sends one) gets Anthropic's shape.
 */
export const anthropicProtocol: WireProtocol = {
  name: 'anthropic',
  routes: ['POST /v1/messages', 'GET /v1/models (with anthropic-version)'],
  match(method: string, path: string): ProtocolRoute | undefined {
    return method === 'POST' && path === '/v1/messages' ? MESSAGES_ROUTE : undefined;
  },
  serveStatic(
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    models: readonly string[],
  ): StaticResponse | undefined {
    if (method !== 'GET' || headers[VERSION_HEADER] === undefined) return undefined;
    if (path !== '/v1/models' && !path.startsWith('/v1/models/')) return undefined;
    if (isRejected(headers)) {
      const { status, body } = anthropicError(
        'unauthorized',
        'invalid API key: the key was rejected (simulated)',
      );
      return { status, body };
    }
    if (path === '/v1/models') {
      return {
        status: 200,
        body: JSON.stringify({
          data: models.map(modelRecord),
          has_more: false,
          first_id: models[0] ?? null,
          last_id: models.at(-1) ?? null,
        }),
      };
    }
    if (!path.startsWith('/v1/models/')) return undefined;
    const id = decodePathSegment(path.slice('/v1/models/'.length));
    if (models.includes(id)) return { status: 200, body: JSON.stringify(modelRecord(id)) };
    return {
      status: 404,
      body: anthropicErrorJson(
        'not_found_error',
        `model: ${id} is not served; this simulator lists ${models.join(', ')}`,
      ),
    };
  },
};
