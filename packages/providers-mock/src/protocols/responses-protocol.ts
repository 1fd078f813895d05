import type { IncomingHttpHeaders } from 'node:http';
import { errorJson } from '../openai-chunks.js';
import { estimateChatPromptTokens } from '../token-text.js';
import { openAiError } from './openai-protocol.js';
import {
  type ParsedExchange,
  type ProtocolRoute,
  REJECTED_CREDENTIAL,
  type SimulatedRequest,
  type StreamEncoder,
  type UsageCounts,
  type WireProtocol,
} from './wire-protocol.js';

// Wire format: https://platform.openai.com/docs/api-reference/responses/create (request),
// https://platform.openai.com/docs/api-reference/responses/object (response object) and
// https://platform.openai.com/docs/api-reference/responses-streaming (events, each
// `event: <type>\ndata: <json>\n\n` with a `sequence_number`; no [DONE]). Errors before the
// stream have the Chat Completions shape.

const RESPONSE_ID_PREFIX = 'resp_';

/** The smallest `max_output_tokens` the Responses API accepts. */
export const MIN_MAX_OUTPUT_TOKENS = 16;

/** The parts of a Responses request the simulator acts on or echoes. */
export interface ResponsesRequest extends SimulatedRequest {
  instructions: string | null;
  /** Echoed; a `reasoning` object (any effort) makes the response open with a reasoning item. */
  reasoning: { effort: string | null; summary: string | null };
  temperature: number;
}

/** Why a body was rejected: an HTTP 400 in OpenAI's error shape. */
export interface ResponsesRequestProblem {
  message: string;
  param: string | null;
  code: string | null;
}

export type ParsedResponsesRequest =
  | { ok: true; request: ResponsesRequest }
  | { ok: false; problem: ResponsesRequestProblem };

function problem(
  message: string,
  param: string | null,
  code: string | null,
): ParsedResponsesRequest {
  return { ok: false, problem: { message, param, code } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  return `a ${typeof value}`;
}

function invalidType(param: string, expected: string, value: unknown): ParsedResponsesRequest {
  return problem(
    `Invalid type for '${param}': expected ${expected}, but got ${typeName(value)} instead.`,
    param,
    'invalid_type',
  );
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Parses and checks a Responses body the way the API rejects bad ones (400). */
export function parseResponsesRequest(rawBody: string): ParsedResponsesRequest {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return problem(
      'We could not parse the JSON body of your request. Send a JSON object with content-type: application/json.',
      null,
      null,
    );
  }
  if (!isObject(body)) return problem('The request body must be a JSON object.', null, null);

  if (typeof body.model !== 'string' || body.model === '') {
    return problem("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  }
  const input = body.input;
  if (input === undefined || input === null) {
    return problem("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  }
  if (typeof input !== 'string' && !Array.isArray(input)) {
    return invalidType('input', 'a string or an array of input items', input);
  }
  const instructions = body.instructions ?? null;
  if (instructions !== null && typeof instructions !== 'string') {
    return invalidType('instructions', 'a string', instructions);
  }
  const stream = body.stream ?? false;
  if (typeof stream !== 'boolean') return invalidType('stream', 'a boolean', stream);
  const maxOutputTokens = body.max_output_tokens ?? undefined;
  if (maxOutputTokens !== undefined) {
    if (typeof maxOutputTokens !== 'number' || !Number.isInteger(maxOutputTokens)) {
      return invalidType('max_output_tokens', 'an integer', maxOutputTokens);
    }
    if (maxOutputTokens < MIN_MAX_OUTPUT_TOKENS) {
      return problem(
        `Invalid 'max_output_tokens': integer below minimum value. Expected a value >= ${MIN_MAX_OUTPUT_TOKENS}, but got ${maxOutputTokens} instead.`,
        'max_output_tokens',
        'integer_below_min_value',
      );
    }
  }
  const reasoning = body.reasoning ?? null;
  if (reasoning !== null && !isObject(reasoning)) {
    return invalidType('reasoning', 'an object', reasoning);
  }
  const temperature = body.temperature ?? 1;
  if (typeof temperature !== 'number') return invalidType('temperature', 'a number', temperature);

  // A string input is one user message; instructions count as one more message.
  const messages: unknown[] = typeof input === 'string' ? [{ content: input }] : [...input];
  if (instructions !== null) messages.push({ content: instructions });
  return {
    ok: true,
    request: {
      model: body.model,
      stream,
      // response.completed always carries the usage.
      includeUsage: true,
      continuousUsage: false,
      maxTokens: maxOutputTokens,
      minTokens: undefined,
      ignoreEos: false,
      promptTokens: estimateChatPromptTokens(messages),
      supportsReasoning: reasoning !== null,
      instructions,
      reasoning: {
        effort: stringOrNull(reasoning?.effort) ?? (reasoning === null ? null : 'medium'),
        summary: stringOrNull(reasoning?.summary),
      },
      temperature,
    },
  };
}

/** The `usage` of a response object; output tokens include the reasoning tokens. */
function usageObject(usage: UsageCounts): object {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
}

type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** A response object: what response.created/completed carry and a non-streaming body is. */
function responseObject(
  request: ResponsesRequest,
  responseId: string,
  created: number,
  state: {
    status: ResponseStatus;
    output: readonly object[];
    usage: object | null;
    error?: { code: string; message: string };
  },
): object {
  return {
    id: responseId,
    object: 'response',
    created_at: created,
    status: state.status,
    background: false,
    error: state.error ?? null,
    incomplete_details: state.status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: request.instructions,
    max_output_tokens: request.maxTokens ?? null,
    model: request.model,
    output: state.output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: request.reasoning,
    service_tier: 'default',
    // Nothing is kept: GET /v1/responses/{id} is not served.
    store: false,
    temperature: request.temperature,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: state.usage,
    user: null,
    metadata: {},
  };
}

function reasoningItem(id: string, text: string): object {
  return { id, type: 'reasoning', summary: [{ type: 'summary_text', text }] };
}

function outputTextPart(text: string): object {
  return { type: 'output_text', annotations: [], logprobs: [], text };
}

function messageItem(id: string, status: 'in_progress' | 'completed' | 'incomplete', text: string) {
  return {
    id,
    type: 'message',
    status,
    content: status === 'in_progress' ? [] : [outputTextPart(text)],
    role: 'assistant',
  };
}

/** The item ids of one response: the response id's suffix after `resp_`. */
function itemIds(responseId: string): { reasoning: string; message: string } {
  const suffix = responseId.startsWith(RESPONSE_ID_PREFIX)
    ? responseId.slice(RESPONSE_ID_PREFIX.length)
    : responseId;
  return { reasoning: `rs_${suffix}`, message: `msg_${suffix}` };
}

/**
 * Writes the events of one streamed response: response.created and response.in_progress
 * first; then, with reasoning, a reasoning item whose summary text streams as deltas;
 * then a message item with output_text deltas; then the done events and
 * response.completed (or response.incomplete when the output cap was hit) with the whole
 * response and its usage. Each item's opening events are written with its first delta and
 * its closing events with the next item's first delta or the end. Every event's JSON up to
 * the delta text is built once per item, so a token costs a few string concatenations.
 */
class ResponsesStreamEncoder implements StreamEncoder {
  readonly contentType = 'text/event-stream';
  readonly #request: ResponsesRequest;
  readonly #responseId: string;
  readonly #created: number;
  readonly #ids: { reasoning: string; message: string };
  #sequence = 0;
  #phase: 'none' | 'reasoning' | 'message' = 'none';
  #hasReasoningItem = false;
  #reasoningText = '';
  #messageText = '';
  /** The open item's delta event up to the delta's opening quote. */
  #deltaHead = '';

  constructor(request: ResponsesRequest, responseId: string, created: number) {
    this.#request = request;
    this.#responseId = responseId;
    this.#created = created;
    this.#ids = itemIds(responseId);
  }

  head(): string {
    const response = this.#response({ status: 'in_progress', output: [], usage: null });
    return (
      this.#event('response.created', { response }) +
      this.#event('response.in_progress', { response })
    );
  }

  token(event: { isReasoning: boolean }, text: string): string {
    let opening = '';
    if (event.isReasoning) {
      if (this.#phase === 'none') opening = this.#openReasoning();
      this.#reasoningText += text;
    } else {
      if (this.#phase === 'reasoning') opening = this.#closeReasoning();
      if (this.#phase !== 'message') opening += this.#openMessage();
      this.#messageText += text;
    }
    // Simulated token text is plain ASCII words: it needs no JSON escaping.
    return `${opening}${this.#deltaHead}${text}","sequence_number":${this.#sequence++}}\n\n`;
  }

  end(usage: UsageCounts, finishReason: 'stop' | 'length'): string {
    const status = finishReason === 'length' ? 'incomplete' : 'completed';
    const closing = this.#closeOpenItem(status);
    const response = this.#response({
      status,
      output: this.#output(status),
      usage: usageObject(usage),
    });
    return (
      closing +
      this.#event(status === 'completed' ? 'response.completed' : 'response.incomplete', {
        response,
      })
    );
  }

  /**
   * An `error` event, then `response.failed`, as OpenAI ends a stream that fails after the
   * headers. The error event nests its fields in an `error` object, as recorded OpenAI
   * streams do (the reference shows them at the top level; clients read both).
   */
  error(message: string): string {
    const error = { type: 'server_error', code: 'server_error', message, param: null };
    const response = this.#response({
      status: 'failed',
      output: this.#output('incomplete'),
      usage: null,
      error: { code: 'server_error', message },
    });
    return this.#event('error', { error }) + this.#event('response.failed', { response });
  }

  #event(type: string, fields: Record<string, unknown>): string {
    const data = JSON.stringify({ type, ...fields, sequence_number: this.#sequence++ });
    return `event: ${type}\ndata: ${data}\n\n`;
  }

  #deltaEventHead(type: string, fields: Record<string, unknown>): string {
    // The object's closing brace and sequence_number are written per token.
    const data = JSON.stringify({ type, ...fields });
    return `event: ${type}\ndata: ${data.slice(0, -1)},"delta":"`;
  }

  #response(state: Parameters<typeof responseObject>[3]): object {
    return responseObject(this.#request, this.#responseId, this.#created, state);
  }

  #openReasoning(): string {
    this.#phase = 'reasoning';
    this.#hasReasoningItem = true;
    const itemId = this.#ids.reasoning;
    const location = { item_id: itemId, output_index: 0, summary_index: 0 };
    this.#deltaHead = this.#deltaEventHead('response.reasoning_summary_text.delta', location);
    return (
      this.#event('response.output_item.added', {
        output_index: 0,
        item: { id: itemId, type: 'reasoning', summary: [] },
      }) +
      this.#event('response.reasoning_summary_part.added', {
        ...location,
        part: { type: 'summary_text', text: '' },
      })
    );
  }

  #closeReasoning(): string {
    const text = this.#reasoningText;
    const location = { item_id: this.#ids.reasoning, output_index: 0, summary_index: 0 };
    return (
      this.#event('response.reasoning_summary_text.done', { ...location, text }) +
      this.#event('response.reasoning_summary_part.done', {
        ...location,
        part: { type: 'summary_text', text },
      }) +
      this.#event('response.output_item.done', {
        output_index: 0,
        item: reasoningItem(this.#ids.reasoning, text),
      })
    );
  }

  #openMessage(): string {
    this.#phase = 'message';
    const outputIndex = this.#messageOutputIndex();
    const itemId = this.#ids.message;
    this.#deltaHead = this.#deltaEventHead('response.output_text.delta', {
      item_id: itemId,
      output_index: outputIndex,
      content_index: 0,
      logprobs: [],
    });
    return (
      this.#event('response.output_item.added', {
        output_index: outputIndex,
        item: messageItem(itemId, 'in_progress', ''),
      }) +
      this.#event('response.content_part.added', {
        item_id: itemId,
        output_index: outputIndex,
        content_index: 0,
        part: outputTextPart(''),
      })
    );
  }

  #closeOpenItem(status: 'completed' | 'incomplete'): string {
    if (this.#phase === 'reasoning') return this.#closeReasoning();
    if (this.#phase !== 'message') return '';
    const text = this.#messageText;
    const location = {
      item_id: this.#ids.message,
      output_index: this.#messageOutputIndex(),
      content_index: 0,
    };
    return (
      this.#event('response.output_text.done', { ...location, text, logprobs: [] }) +
      this.#event('response.content_part.done', { ...location, part: outputTextPart(text) }) +
      this.#event('response.output_item.done', {
        output_index: location.output_index,
        item: messageItem(this.#ids.message, status, text),
      })
    );
  }

  #messageOutputIndex(): number {
    return this.#hasReasoningItem ? 1 : 0;
  }

  /** The items written so far, as the final response lists them. */
  #output(messageStatus: 'completed' | 'incomplete'): object[] {
    const output: object[] = [];
    if (this.#hasReasoningItem)
      output.push(reasoningItem(this.#ids.reasoning, this.#reasoningText));
    if (this.#phase === 'message') {
      output.push(messageItem(this.#ids.message, messageStatus, this.#messageText));
    }
    return output;
  }
}

/** The complete non-streaming response object. */
function responseBody(
  request: ResponsesRequest,
  responseId: string,
  created: number,
  text: { reasoning: string; content: string },
  finishReason: 'stop' | 'length',
  usage: UsageCounts,
): string {
  const status = finishReason === 'length' ? 'incomplete' : 'completed';
  const ids = itemIds(responseId);
  const output: object[] = [];
  if (text.reasoning !== '') output.push(reasoningItem(ids.reasoning, text.reasoning));
  if (text.content !== '') output.push(messageItem(ids.message, status, text.content));
  return JSON.stringify(
    responseObject(request, responseId, created, { status, output, usage: usageObject(usage) }),
  );
}

const RESPONSES_ROUTE: ProtocolRoute = {
  responseIdPrefix: RESPONSE_ID_PREFIX,
  parse(rawBody: string, headers: IncomingHttpHeaders): ParsedExchange {
    if (headers.authorization === `Bearer ${REJECTED_CREDENTIAL}`) {
      return {
        ok: false,
        error: openAiError(
          'unauthorized',
          'Incorrect API key provided. You can find your API key in your account settings (simulated).',
        ),
      };
    }
    const parsed = parseResponsesRequest(rawBody);
    if (!parsed.ok) {
      return {
        ok: false,
        error: {
          status: 400,
          body: errorJson({ ...parsed.problem, type: 'invalid_request_error' }),
        },
      };
    }
    const request = parsed.request;
    return {
      ok: true,
      exchange: {
        request,
        streamEncoder: (responseId, created) =>
          new ResponsesStreamEncoder(request, responseId, created),
        body: (responseId, created, text, finishReason, usage) => ({
          contentType: 'application/json',
          body: responseBody(request, responseId, created, text, finishReason, usage),
        }),
      },
    };
  },
  error: openAiError,
};

/** OpenAI's Responses API: `POST /v1/responses`, streamed as typed events or one body. */
export const responsesProtocol: WireProtocol = {
  name: 'responses',
  routes: ['POST /v1/responses'],
  match(method: string, path: string): ProtocolRoute | undefined {
    return method === 'POST' && path === '/v1/responses' ? RESPONSES_ROUTE : undefined;
  },
};
