import type { IncomingHttpHeaders } from 'node:http';
import type { PlannedEvent } from '../generation-plan.js';
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
  type WireProtocol,
} from './wire-protocol.js';

// Wire format: Cohere Chat v2 (https://docs.cohere.com/v2/reference/chat-stream). Every
// event is `event: <type>\ndata: <json with the same type>\n\n`; after `message-end` the
// API writes `data: [DONE]`, which the cohere-ai SDK takes as its stream terminator.

/** What the API ends every stream with, after `message-end`. */
const DONE_EVENT = 'data: [DONE]\n\n';

const COHERE_ERROR_STATUS: Record<SimulatedErrorKind, number> = {
  invalid_request: 400,
  unauthorized: 401,
  request_too_large: 413,
  rate_limit: 429,
  server_error: 500,
};

/** A Cohere-shaped error response: `{"message": …}` with the kind's status. */
export function cohereError(kind: SimulatedErrorKind, message: string): ProtocolErrorResponse {
  return { status: COHERE_ERROR_STATUS[kind], body: JSON.stringify({ message }) };
}

type Refusal = { ok: false; error: ProtocolErrorResponse };

function invalid(message: string): Refusal {
  return { ok: false, error: cohereError('invalid_request', `invalid request: ${message}`) };
}

/** The chat request fields the simulator acts on, beyond {@link SimulatedRequest}. */
export interface CohereChatRequest extends SimulatedRequest {
  /** `usage.billed_units.input_tokens`: the prompt's own words, without per-message framing. */
  billedInputTokens: number;
}

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

/** Parses and checks a `POST /v2/chat` body the way the API refuses bad ones (400). */
export function parseCohereChatRequest(
  rawBody: string,
): { ok: true; request: CohereChatRequest } | Refusal {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return invalid('the body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalid('the body must be a JSON object');
  }
  const fields = body as Record<string, unknown>;
  if (typeof fields.model !== 'string' || fields.model === '') {
    return invalid('model is required and must be a non-empty string');
  }
  const messages = fields.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return invalid('messages is required and must be a non-empty list');
  }
  for (const [index, message] of messages.entries()) {
    const role = (message as { role?: unknown } | null)?.role;
    if (typeof role !== 'string' || !ROLES.has(role)) {
      return invalid(`messages[${index}].role must be one of system, user, assistant, tool`);
    }
  }
  if (fields.stream !== undefined && fields.stream !== null && typeof fields.stream !== 'boolean') {
    return invalid('stream must be a boolean');
  }
  const maxTokens = fields.max_tokens;
  if (
    maxTokens !== undefined &&
    maxTokens !== null &&
    !(typeof maxTokens === 'number' && Number.isInteger(maxTokens) && maxTokens >= 1)
  ) {
    return invalid('max_tokens must be a positive integer');
  }
  const temperature = fields.temperature;
  if (
    temperature !== undefined &&
    temperature !== null &&
    !(typeof temperature === 'number' && temperature >= 0)
  ) {
    return invalid('temperature must be a number >= 0');
  }
  // Reasoning models think unless told `{"type": "disabled"}` (https://docs.cohere.com/docs/reasoning).
  let supportsReasoning = true;
  const thinking = fields.thinking;
  if (thinking !== undefined && thinking !== null) {
    const { type, token_budget: budget } =
      typeof thinking === 'object' ? (thinking as { type?: unknown; token_budget?: unknown }) : {};
    if (type !== 'enabled' && type !== 'disabled') {
      return invalid('thinking.type must be "enabled" or "disabled"');
    }
    if (
      budget !== undefined &&
      budget !== null &&
      !(typeof budget === 'number' && Number.isInteger(budget) && budget >= 1)
    ) {
      return invalid('thinking.token_budget must be a positive integer');
    }
    supportsReasoning = type === 'enabled';
  }
  const promptTokens = estimateChatPromptTokens(messages);
  return {
    ok: true,
    request: {
      model: fields.model,
      stream: fields.stream === true,
      includeUsage: true,
      continuousUsage: false,
      maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
      minTokens: undefined,
      ignoreEos: false,
      promptTokens,
      supportsReasoning,
      // The real API bills far fewer input tokens than it processes (the chat template is
      // not billed); the estimate's 4 framing tokens per message stand in for it.
      billedInputTokens: promptTokens - 4 * messages.length,
    },
  };
}

function finishReasonOf(finishReason: 'stop' | 'length'): string {
  return finishReason === 'length' ? 'MAX_TOKENS' : 'COMPLETE';
}

/** `usage` of a response: what was billed and what the model processed. */
function usageJson(request: CohereChatRequest, usage: UsageCounts): string {
  return (
    `{"billed_units":{"input_tokens":${request.billedInputTokens},"output_tokens":${usage.completionTokens}},` +
    `"tokens":{"input_tokens":${usage.promptTokens},"output_tokens":${usage.completionTokens}}}`
  );
}

function sseEvent(type: string, json: string): string {
  return `event: ${type}\ndata: ${json}\n\n`;
}

type BlockKind = 'thinking' | 'text';

/**
 * Writes one response's events in the API's order: message-start; a thinking content block
 * (index 0) when reasoning, then the text block; each block opened by content-start, filled
 * by content-delta and closed by content-end; message-end with the finish reason and usage;
 * `[DONE]`. The JSON around a token's text is built once per block.
 */
class CohereStreamEncoder implements StreamEncoder {
  readonly contentType = 'text/event-stream';
  readonly #request: CohereChatRequest;
  readonly #responseId: string;
  #openBlock: BlockKind | undefined;
  #blockIndex = -1;
  #deltaHead = '';
  #deltaTail = '';

  constructor(request: CohereChatRequest, responseId: string) {
    this.#request = request;
    this.#responseId = responseId;
  }

  head(): string {
    return sseEvent(
      'message-start',
      `{"id":${JSON.stringify(this.#responseId)},"type":"message-start","delta":{"message":` +
        '{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}',
    );
  }

  token(event: PlannedEvent, text: string): string {
    const kind: BlockKind = event.isReasoning ? 'thinking' : 'text';
    const opening = kind === this.#openBlock ? '' : this.#openBlockOf(kind);
    return opening + this.#deltaHead + text + this.#deltaTail;
  }

  end(usage: UsageCounts, finishReason: 'stop' | 'length'): string {
    return (
      this.#closeBlock() +
      sseEvent(
        'message-end',
        `{"type":"message-end","delta":{"finish_reason":"${finishReasonOf(finishReason)}",` +
          `"usage":${usageJson(this.#request, usage)}}}`,
      ) +
      DONE_EVENT
    );
  }

  /** As the API reports a generation that failed after the headers: a message-end with ERROR. */
  error(message: string): string {
    return (
      this.#closeBlock() +
      sseEvent(
        'message-end',
        `{"type":"message-end","delta":{"finish_reason":"ERROR","usage":{},"error":${JSON.stringify(message)}}}`,
      ) +
      DONE_EVENT
    );
  }

  #openBlockOf(kind: BlockKind): string {
    const closing = this.#closeBlock();
    this.#openBlock = kind;
    this.#blockIndex++;
    const index = this.#blockIndex;
    this.#deltaHead =
      `event: content-delta\ndata: {"type":"content-delta","index":${index},` +
      `"delta":{"message":{"content":{"${kind}":"`;
    this.#deltaTail = '"}}}}\n\n';
    return (
      closing +
      sseEvent(
        'content-start',
        `{"type":"content-start","index":${index},"delta":{"message":{"content":{"type":"${kind}","${kind}":""}}}}`,
      )
    );
  }

  #closeBlock(): string {
    if (this.#openBlock === undefined) return '';
    this.#openBlock = undefined;
    return sseEvent('content-end', `{"type":"content-end","index":${this.#blockIndex}}`);
  }
}

/** The non-streaming `POST /v2/chat` body. */
function chatBody(
  request: CohereChatRequest,
  responseId: string,
  text: { reasoning: string; content: string },
  finishReason: 'stop' | 'length',
  usage: UsageCounts,
): string {
  const content: Array<Record<string, string>> = [];
  if (text.reasoning.length > 0) content.push({ type: 'thinking', thinking: text.reasoning });
  content.push({ type: 'text', text: text.content });
  return (
    `{"id":${JSON.stringify(responseId)},` +
    `"message":${JSON.stringify({ role: 'assistant', content })},` +
    `"finish_reason":"${finishReasonOf(finishReason)}","usage":${usageJson(request, usage)}}`
  );
}

const COHERE_CHAT_ROUTE: ProtocolRoute = {
  // Cohere's ids are bare UUIDs; the simulator's are its request ids.
  responseIdPrefix: '',
  parse(rawBody: string, headers: IncomingHttpHeaders): ParsedExchange {
    if (headers.authorization === `Bearer ${REJECTED_CREDENTIAL}`) {
      return { ok: false, error: cohereError('unauthorized', 'invalid api token (simulated)') };
    }
    const parsed = parseCohereChatRequest(rawBody);
    if (!parsed.ok) return parsed;
    const request = parsed.request;
    return {
      ok: true,
      exchange: {
        request,
        streamEncoder: (responseId) => new CohereStreamEncoder(request, responseId),
        body: (responseId, _created, text, finishReason, usage) => ({
          contentType: 'application/json',
          body: chatBody(request, responseId, text, finishReason, usage),
        }),
      },
    };
  },
  error: cohereError,
};

/** Cohere's Chat v2 API (`POST /v2/chat`), streaming and not. */
export const cohereProtocol: WireProtocol = {
  name: 'cohere',
  routes: ['POST /v2/chat'],
  match(method: string, path: string): ProtocolRoute | undefined {
    return method === 'POST' && path === '/v2/chat' ? COHERE_CHAT_ROUTE : undefined;
  },
};
