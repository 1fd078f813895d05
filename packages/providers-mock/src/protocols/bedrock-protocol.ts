import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { crc32 } from 'node:zlib';
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { estimateChatPromptTokens } from '../token-text.js';
import {
  type ParsedExchange,
  type ProtocolErrorResponse,
  type ProtocolRoute,
  REJECTED_CREDENTIAL,
  type SimulatedErrorKind,
  type SimulatedRequest,
  type StreamEncoder,
  type UsageCounts,
  type WireChunk,
  type WireProtocol,
} from './wire-protocol.js';

// Wire format: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html,
// API_runtime_Converse.html, API_runtime_InvokeModelWithResponseStream.html and
// API_runtime_InvokeModel.html; the binary framing is AWS's application/vnd.amazon.eventstream
// (prelude with total and header lengths and a CRC32, headers, JSON payload, CRC32). Errors
// are `{"message": …}` with the type in `x-amzn-errortype`, as AWS's restJson1 services send
// them; InvokeModel bodies of Anthropic models follow
// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html.

/** The media type of an AWS event stream. */
export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

/** The `anthropic_version` InvokeModel bodies of Anthropic models carry on Bedrock. */
export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

/** The four Bedrock Runtime operations the simulator serves. */
export type BedrockOperation =
  | 'converse'
  | 'converse-stream'
  | 'invoke'
  | 'invoke-with-response-stream';

const ERROR_TYPE_NAMESPACE = ':http://internal.amazon.com/coral/com.amazon.bedrock/';

const BEDROCK_ERRORS: Record<SimulatedErrorKind, { status: number; type: string }> = {
  invalid_request: { status: 400, type: 'ValidationException' },
  unauthorized: { status: 403, type: 'UnrecognizedClientException' },
  request_too_large: { status: 400, type: 'ValidationException' },
  rate_limit: { status: 429, type: 'ThrottlingException' },
  server_error: { status: 500, type: 'InternalServerException' },
};

/** A Bedrock error response: `{"message"}` and the type in `x-amzn-errortype`. */
export function bedrockError(kind: SimulatedErrorKind, message: string): ProtocolErrorResponse {
  const { status, type } = BEDROCK_ERRORS[kind];
  return {
    status,
    body: JSON.stringify({ message }),
    headers: { 'x-amzn-errortype': type + ERROR_TYPE_NAMESPACE },
  };
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function frameHeaders(headers: Record<string, string>): Uint8Array {
  const tagged: MessageHeaders = {};
  for (const [name, value] of Object.entries(headers)) tagged[name] = { type: 'string', value };
  return codec.formatHeaders(tagged);
}

function eventHeaders(eventType: string): Uint8Array {
  return frameHeaders({
    ':event-type': eventType,
    ':content-type': 'application/json',
    ':message-type': 'event',
  });
}

// Header blocks are the same in every frame of a type: formatted once.
const HEADERS = {
  messageStart: eventHeaders('messageStart'),
  contentBlockDelta: eventHeaders('contentBlockDelta'),
  contentBlockStop: eventHeaders('contentBlockStop'),
  messageStop: eventHeaders('messageStop'),
  metadata: eventHeaders('metadata'),
  chunk: eventHeaders('chunk'),
  modelStreamError: frameHeaders({
    ':exception-type': 'modelStreamErrorException',
    ':content-type': 'application/json',
    ':message-type': 'exception',
  }),
};

/**
 * One event-stream frame: prelude (total length, headers length, CRC32 of both), the
 * prebuilt headers, the UTF-8 payload and the CRC32 of everything before it. Written by
 * hand around headers @smithy/eventstream-codec formatted, with zlib's native CRC32: the
 * codec's own encoder re-formats the headers and checksums in JavaScript on every token.
 */
export function encodeFrame(headers: Uint8Array, payload: string): Buffer {
  const total = 16 + headers.byteLength + Buffer.byteLength(payload);
  const frame = Buffer.allocUnsafe(total);
  frame.writeUInt32BE(total, 0);
  frame.writeUInt32BE(headers.byteLength, 4);
  frame.writeUInt32BE(crc32(frame.subarray(0, 8)), 8);
  frame.set(headers, 12);
  frame.write(payload, 12 + headers.byteLength, 'utf8');
  frame.writeUInt32BE(crc32(frame.subarray(0, total - 4)), total - 4);
  return frame;
}

// Bedrock pads every event with a `p` field of varying length so that frame sizes do not
// reveal token lengths; clients must ignore it. Sliced from one constant.
const PADDING = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function padding(contentLength: number): string {
  return PADDING.slice(0, PADDING.length - (contentLength % 32));
}

/**
 * Stands in for the opaque signature that closes a reasoning block (clients send it back on
 * the next turn); base64 like a real one, but of a fixed text.
 */
export const SIMULATED_REASONING_SIGNATURE = Buffer.from(
  'llm-lens simulator: this reasoning was generated, not signed',
).toString('base64');

/** The parts of a Bedrock request the simulator acts on. */
export interface BedrockRequest extends SimulatedRequest {
  operation: BedrockOperation;
  /** Whether the request asked for reasoning: the answer opens with a reasoning block. */
  isReasoningEnabled: boolean;
}

export type ParsedBedrockRequest =
  | { ok: true; request: BedrockRequest }
  | { ok: false; message: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

/** Claude's `thinking` (enabled or adaptive) or Nova's `reasoningConfig` (enabled). */
function asksForReasoning(fields: Record<string, unknown> | undefined): boolean {
  if (fields === undefined) return false;
  const thinking = fields.thinking;
  if (isObject(thinking) && (thinking.type === 'enabled' || thinking.type === 'adaptive')) {
    return true;
  }
  const reasoningConfig = fields.reasoningConfig;
  return isObject(reasoningConfig) && reasoningConfig.type === 'enabled';
}

function memberNull(path: string): string {
  return `1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`;
}

function parseJsonObject(rawBody: string): Record<string, unknown> | undefined {
  try {
    const body: unknown = JSON.parse(rawBody);
    return isObject(body) ? body : undefined;
  } catch {
    return undefined;
  }
}

function systemTokens(system: unknown): number {
  return system === undefined || system === null
    ? 0
    : estimateChatPromptTokens([{ content: system }]);
}

/**
 * Parses a Converse / ConverseStream body the way Bedrock rejects bad ones (400
 * ValidationException): `messages` is required, `inferenceConfig.maxTokens` is an integer ≥ 1
 * when given. Reasoning is on when `additionalModelRequestFields` holds Claude's
 * `thinking` (`enabled` or `adaptive`) or Nova's `reasoningConfig` (`enabled`).
 */
export function parseConverseRequest(
  rawBody: string,
  model: string,
  operation: 'converse' | 'converse-stream',
): ParsedBedrockRequest {
  const body = parseJsonObject(rawBody);
  if (body === undefined) {
    return {
      ok: false,
      message: 'Malformed input request, please reformat your input and try again.',
    };
  }
  const { messages, system, inferenceConfig } = body;
  if (messages === undefined || messages === null)
    return { ok: false, message: memberNull('messages') };
  if (!Array.isArray(messages) || messages.length === 0) {
    return {
      ok: false,
      message:
        'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
    };
  }
  if (system !== undefined && !Array.isArray(system)) {
    return {
      ok: false,
      message:
        "1 validation error detected: Value at 'system' failed to satisfy constraint: Member must be a list of system content blocks",
    };
  }
  let maxTokens: number | undefined;
  if (inferenceConfig !== undefined && inferenceConfig !== null) {
    if (!isObject(inferenceConfig)) {
      return {
        ok: false,
        message:
          "1 validation error detected: Value at 'inferenceConfig' failed to satisfy constraint: Member must be an object",
      };
    }
    const value = inferenceConfig.maxTokens;
    if (value !== undefined && value !== null) {
      if (!isPositiveInteger(value)) {
        return {
          ok: false,
          message:
            "1 validation error detected: Value at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1",
        };
      }
      maxTokens = value;
    }
  }
  const additional = body.additionalModelRequestFields;
  const isReasoningEnabled = asksForReasoning(isObject(additional) ? additional : undefined);
  return {
    ok: true,
    request: {
      operation,
      model,
      stream: operation === 'converse-stream',
      // Converse always reports usage: the metadata event, or the body's.
      includeUsage: true,
      continuousUsage: false,
      maxTokens,
      minTokens: undefined,
      ignoreEos: false,
      promptTokens: estimateChatPromptTokens(messages) + systemTokens(system),
      supportsReasoning: isReasoningEnabled,
      isReasoningEnabled,
    },
  };
}

const MALFORMED = 'Malformed input request: #: ';
const PLEASE_REFORMAT = ', please reformat your input and try again.';

/**
 * Parses an InvokeModel / InvokeModelWithResponseStream body of an Anthropic model the way
 * Bedrock rejects bad ones: `anthropic_version`, `max_tokens` and `messages` are required,
 * and `model` or `stream` (the path and the operation say those) are extraneous keys.
 */
export function parseInvokeRequest(
  rawBody: string,
  model: string,
  operation: 'invoke' | 'invoke-with-response-stream',
): ParsedBedrockRequest {
  const body = parseJsonObject(rawBody);
  if (body === undefined)
    return { ok: false, message: `${MALFORMED}expected type: JSONObject${PLEASE_REFORMAT}` };
  for (const key of ['anthropic_version', 'max_tokens', 'messages']) {
    if (body[key] === undefined)
      return {
        ok: false,
        message: `${MALFORMED}required key [${key}] not found${PLEASE_REFORMAT}`,
      };
  }
  for (const key of ['model', 'stream']) {
    if (body[key] !== undefined)
      return {
        ok: false,
        message: `${MALFORMED}extraneous key [${key}] is not permitted${PLEASE_REFORMAT}`,
      };
  }
  if (typeof body.anthropic_version !== 'string') {
    return {
      ok: false,
      message: `${MALFORMED}anthropic_version: expected type: String${PLEASE_REFORMAT}`,
    };
  }
  if (!isPositiveInteger(body.max_tokens)) {
    return {
      ok: false,
      message: `${MALFORMED}max_tokens: ${String(body.max_tokens)} is not greater or equal to 1${PLEASE_REFORMAT}`,
    };
  }
  if (!Array.isArray(body.messages)) {
    return {
      ok: false,
      message: `${MALFORMED}messages: expected type: JSONArray${PLEASE_REFORMAT}`,
    };
  }
  const isReasoningEnabled = asksForReasoning(body);
  return {
    ok: true,
    request: {
      operation,
      model,
      stream: operation === 'invoke-with-response-stream',
      includeUsage: true,
      continuousUsage: false,
      maxTokens: body.max_tokens,
      minTokens: undefined,
      ignoreEos: false,
      promptTokens: estimateChatPromptTokens(body.messages) + systemTokens(body.system),
      supportsReasoning: isReasoningEnabled,
      isReasoningEnabled,
    },
  };
}

/** Converse's `stopReason` (and Anthropic's `stop_reason`) for a finish reason. */
function stopReason(finishReason: 'stop' | 'length'): 'end_turn' | 'max_tokens' {
  return finishReason === 'stop' ? 'end_turn' : 'max_tokens';
}

function elapsedMs(sinceMs: number): number {
  return Math.max(0, Math.round(performance.now() - sinceMs));
}

const MESSAGE_START_FRAME = encodeFrame(
  HEADERS.messageStart,
  `{"p":"${PADDING.slice(0, 18)}","role":"assistant"}`,
);

function converseTextHead(index: number): string {
  return `{"contentBlockIndex":${index},"delta":{"text":"`;
}

const REASONING_HEAD = '{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"';
const REASONING_TAIL = '"}},"p":"';
const TEXT_TAIL = '"},"p":"';

function contentBlockStop(index: number): Buffer {
  return encodeFrame(
    HEADERS.contentBlockStop,
    `{"contentBlockIndex":${index},"p":"${PADDING.slice(0, 24)}"}`,
  );
}

// The reasoning block is always index 0: with reasoning on, it comes first.
const REASONING_BLOCK_END = Buffer.concat([
  encodeFrame(
    HEADERS.contentBlockDelta,
    `{"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"${SIMULATED_REASONING_SIGNATURE}"}},"p":"${PADDING.slice(0, 8)}"}`,
  ),
  contentBlockStop(0),
]);

function exceptionFrame(message: string): Buffer {
  return encodeFrame(HEADERS.modelStreamError, JSON.stringify({ message }));
}

/**
 * Writes a ConverseStream: messageStart up front; with reasoning on, reasoningContent deltas
 * in block 0, closed by a signature delta and contentBlockStop before the text (block 1);
 * text deltas; then the open block's stop, messageStop with the stop reason, and the
 * metadata event with usage and `metrics.latencyMs` (time since the request arrived).
 * A token event costs one frame: the headers are prebuilt, the JSON around the text is
 * concatenated, and simulated text needs no escaping.
 */
export class ConverseStreamEncoder implements StreamEncoder {
  readonly contentType = EVENT_STREAM_CONTENT_TYPE;
  readonly #startedAtMs: number;
  readonly #textIndex: number;
  readonly #textHead: string;
  #isReasoningOpen: boolean;
  #sawToken = false;

  constructor(request: BedrockRequest, startedAtMs: number) {
    this.#startedAtMs = startedAtMs;
    this.#isReasoningOpen = request.isReasoningEnabled;
    this.#textIndex = request.isReasoningEnabled ? 1 : 0;
    this.#textHead = converseTextHead(this.#textIndex);
  }

  head(): WireChunk {
    return MESSAGE_START_FRAME;
  }

  token(event: { isReasoning: boolean }, text: string): WireChunk {
    this.#sawToken = true;
    if (event.isReasoning) {
      return encodeFrame(
        HEADERS.contentBlockDelta,
        REASONING_HEAD + text + REASONING_TAIL + padding(text.length) + '"}',
      );
    }
    const frame = encodeFrame(
      HEADERS.contentBlockDelta,
      this.#textHead + text + TEXT_TAIL + padding(text.length) + '"}',
    );
    if (!this.#isReasoningOpen) return frame;
    this.#isReasoningOpen = false;
    return Buffer.concat([REASONING_BLOCK_END, frame]);
  }

  end(usage: UsageCounts, finishReason: 'stop' | 'length'): WireChunk {
    const frames: Buffer[] = [];
    if (this.#isReasoningOpen) frames.push(REASONING_BLOCK_END);
    else if (this.#sawToken) frames.push(contentBlockStop(this.#textIndex));
    this.#isReasoningOpen = false;
    frames.push(
      encodeFrame(
        HEADERS.messageStop,
        `{"p":"${PADDING.slice(0, 12)}","stopReason":"${stopReason(finishReason)}"}`,
      ),
      encodeFrame(
        HEADERS.metadata,
        `{"metrics":{"latencyMs":${elapsedMs(this.#startedAtMs)}},"p":"${PADDING.slice(0, 20)}",` +
          `"usage":{"inputTokens":${usage.promptTokens},"outputTokens":${usage.completionTokens},` +
          `"totalTokens":${usage.promptTokens + usage.completionTokens}}}`,
      ),
    );
    return Buffer.concat(frames);
  }

  error(message: string): WireChunk {
    return exceptionFrame(message);
  }
}

/** A `chunk` frame holding one Anthropic stream event, base64 in `bytes`. */
function chunkFrame(anthropicEventJson: string): Buffer {
  const bytes = Buffer.from(anthropicEventJson).toString('base64');
  return encodeFrame(HEADERS.chunk, `{"bytes":"${bytes}","p":"${padding(bytes.length)}"}`);
}

function anthropicUsageJson(usage: UsageCounts): string {
  return `{"input_tokens":${usage.promptTokens},"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":${usage.completionTokens}}`;
}

const THINKING_BLOCK_START =
  '{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}';
const THINKING_BLOCK_END = Buffer.concat([
  chunkFrame(
    `{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"${SIMULATED_REASONING_SIGNATURE}"}}`,
  ),
  chunkFrame('{"type":"content_block_stop","index":0}'),
]);
const THINKING_DELTA_HEAD =
  '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"';
const DELTA_TAIL = '"}}';

function textBlockStart(index: number): string {
  return `{"type":"content_block_start","index":${index},"content_block":{"type":"text","text":""}}`;
}

/**
 * Writes an InvokeModelWithResponseStream of an Anthropic model: `chunk` frames whose
 * `bytes` are Anthropic's stream events (message_start and the first block's start up
 * front; thinking deltas in block 0 when reasoning is on, closed by a signature before the
 * text block; text deltas; the block's stop, message_delta and message_stop), the last one
 * carrying `amazon-bedrock-invocationMetrics` with Bedrock's token counts and latencies.
 */
export class InvokeStreamEncoder implements StreamEncoder {
  readonly contentType = EVENT_STREAM_CONTENT_TYPE;
  readonly #request: BedrockRequest;
  readonly #messageId: string;
  readonly #startedAtMs: number;
  readonly #textIndex: number;
  readonly #textDeltaHead: string;
  #isThinkingOpen: boolean;
  #firstByteLatencyMs: number | undefined;

  constructor(request: BedrockRequest, messageId: string, startedAtMs: number) {
    this.#request = request;
    this.#messageId = messageId;
    this.#startedAtMs = startedAtMs;
    this.#isThinkingOpen = request.isReasoningEnabled;
    this.#textIndex = request.isReasoningEnabled ? 1 : 0;
    this.#textDeltaHead = `{"type":"content_block_delta","index":${this.#textIndex},"delta":{"type":"text_delta","text":"`;
  }

  head(): WireChunk {
    const message = JSON.stringify({
      id: this.#messageId,
      type: 'message',
      role: 'assistant',
      model: this.#request.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: this.#request.promptTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 1,
      },
    });
    return Buffer.concat([
      chunkFrame(`{"type":"message_start","message":${message}}`),
      chunkFrame(this.#isThinkingOpen ? THINKING_BLOCK_START : textBlockStart(0)),
    ]);
  }

  token(event: { isReasoning: boolean }, text: string): WireChunk {
    this.#firstByteLatencyMs ??= elapsedMs(this.#startedAtMs);
    if (event.isReasoning) return chunkFrame(THINKING_DELTA_HEAD + text + DELTA_TAIL);
    const frame = chunkFrame(this.#textDeltaHead + text + DELTA_TAIL);
    if (!this.#isThinkingOpen) return frame;
    this.#isThinkingOpen = false;
    return Buffer.concat([THINKING_BLOCK_END, chunkFrame(textBlockStart(this.#textIndex)), frame]);
  }

  end(usage: UsageCounts, finishReason: 'stop' | 'length'): WireChunk {
    const closeBlock = this.#isThinkingOpen
      ? THINKING_BLOCK_END
      : chunkFrame(`{"type":"content_block_stop","index":${this.#textIndex}}`);
    this.#isThinkingOpen = false;
    const invocationLatency = elapsedMs(this.#startedAtMs);
    const metrics =
      `{"inputTokenCount":${usage.promptTokens},"outputTokenCount":${usage.completionTokens},` +
      `"invocationLatency":${invocationLatency},"firstByteLatency":${this.#firstByteLatencyMs ?? invocationLatency}}`;
    return Buffer.concat([
      closeBlock,
      chunkFrame(
        `{"type":"message_delta","delta":{"stop_reason":"${stopReason(finishReason)}","stop_sequence":null},` +
          `"usage":{"output_tokens":${usage.completionTokens}}}`,
      ),
      chunkFrame(`{"type":"message_stop","amazon-bedrock-invocationMetrics":${metrics}}`),
    ]);
  }

  error(message: string): WireChunk {
    return exceptionFrame(message);
  }
}

/** The body of a non-streaming Converse response. */
export function converseBody(
  request: BedrockRequest,
  text: { reasoning: string; content: string },
  finishReason: 'stop' | 'length',
  usage: UsageCounts,
  latencyMs: number,
): string {
  const content: object[] = [];
  if (request.isReasoningEnabled) {
    content.push({
      reasoningContent: {
        reasoningText: { text: text.reasoning, signature: SIMULATED_REASONING_SIGNATURE },
      },
    });
  }
  if (text.content !== '' || !request.isReasoningEnabled) content.push({ text: text.content });
  return JSON.stringify({
    metrics: { latencyMs },
    output: { message: { content, role: 'assistant' } },
    stopReason: stopReason(finishReason),
    usage: {
      inputTokens: usage.promptTokens,
      outputTokens: usage.completionTokens,
      totalTokens: usage.promptTokens + usage.completionTokens,
    },
  });
}

/** The body of a non-streaming InvokeModel response of an Anthropic model. */
export function invokeBody(
  request: BedrockRequest,
  messageId: string,
  text: { reasoning: string; content: string },
  finishReason: 'stop' | 'length',
  usage: UsageCounts,
): string {
  const content: object[] = [];
  if (request.isReasoningEnabled) {
    content.push({
      type: 'thinking',
      thinking: text.reasoning,
      signature: SIMULATED_REASONING_SIGNATURE,
    });
  }
  if (text.content !== '' || !request.isReasoningEnabled)
    content.push({ type: 'text', text: text.content });
  return (
    `{"id":${JSON.stringify(messageId)},"type":"message","role":"assistant",` +
    `"model":${JSON.stringify(request.model)},"content":${JSON.stringify(content)},` +
    `"stop_reason":"${stopReason(finishReason)}","stop_sequence":null,"usage":${anthropicUsageJson(usage)}}`
  );
}

/**
 * The access key id of a SigV4 `Authorization` header (`AWS4-HMAC-SHA256
 * Credential=<key id>/<date>/<region>/<service>/aws4_request, …`) or the token of a bearer
 * one; undefined for anything else.
 */
export function credentialOf(authorization: string): string | undefined {
  const bearer = /^Bearer\s+(\S+)/i.exec(authorization);
  if (bearer !== null) return bearer[1];
  return /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
}

function authorizationProblem(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  // Signatures are not verified: any signed or bearer request is accepted, except with the
  // one rejected credential.
  if (authorization === undefined || authorization === '') {
    return 'The security token included in the request is invalid. (simulated: the request had no Authorization header)';
  }
  if (credentialOf(authorization) === REJECTED_CREDENTIAL) {
    return 'The security token included in the request is invalid. (simulated)';
  }
  return undefined;
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
 * The route of one request: the model id comes from its path. Created when the request's
 * headers arrive, which is where Bedrock's reported latencies start.
 */
function bedrockRoute(model: string, operation: BedrockOperation): ProtocolRoute {
  const startedAtMs = performance.now();
  return {
    responseIdPrefix: 'msg_bdrk_',
    parse(rawBody: string, headers: IncomingHttpHeaders): ParsedExchange {
      const problem = authorizationProblem(headers);
      if (problem !== undefined) return { ok: false, error: bedrockError('unauthorized', problem) };
      const parsed =
        operation === 'converse' || operation === 'converse-stream'
          ? parseConverseRequest(rawBody, model, operation)
          : parseInvokeRequest(rawBody, model, operation);
      if (!parsed.ok) return { ok: false, error: bedrockError('invalid_request', parsed.message) };
      const request = parsed.request;
      const isConverse = operation === 'converse' || operation === 'converse-stream';
      return {
        ok: true,
        exchange: {
          request,
          streamEncoder: (responseId) =>
            isConverse
              ? new ConverseStreamEncoder(request, startedAtMs)
              : new InvokeStreamEncoder(request, responseId, startedAtMs),
          body: (responseId, _created, text, finishReason, usage) => ({
            contentType: 'application/json',
            body: isConverse
              ? converseBody(request, text, finishReason, usage, elapsedMs(startedAtMs))
              : invokeBody(request, responseId, text, finishReason, usage),
          }),
        },
      };
    },
    error: bedrockError,
  };
}

const ROUTE_PATH = /^\/model\/(.+)\/(converse-stream|converse|invoke-with-response-stream|invoke)$/;

/**
 * Amazon Bedrock Runtime: Converse and ConverseStream (any model id), InvokeModel and
 * InvokeModelWithResponseStream with an Anthropic Messages body. The model id is the
 * URL-decoded path segment (ARNs and inference profiles arrive percent-encoded).
 */
export const bedrockProtocol: WireProtocol = {
  name: 'bedrock',
  routes: [
    'POST /model/{modelId}/converse',
    'POST /model/{modelId}/converse-stream',
    'POST /model/{modelId}/invoke',
    'POST /model/{modelId}/invoke-with-response-stream',
  ],
  match(method: string, path: string): ProtocolRoute | undefined {
    if (method !== 'POST') return undefined;
    const matched = ROUTE_PATH.exec(path);
    if (matched === null) return undefined;
    return bedrockRoute(decodePathSegment(matched[1]!), matched[2] as BedrockOperation);
  },
};
