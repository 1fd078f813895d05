/**
 * The OpenAI Responses API stream (`POST /v1/responses` with `stream: true`, the `openai` and
 * `openai-compatible` adapters with `api: responses`), as the fuzz suite sees it: valid base
 * streams, the mutations worth making to them, hand-written hostile responses, and the
 * reference decoder that says what llm-lens must report for any response. Written from the
 * wire format (OpenAI's streaming-events reference; the recorded streams in
 * shared/real-streams read for their shape) and the adapter's documented reading (the
 * Responses section of packages/providers-openai/README.md), never from the product's
 * parsing code.
 *
 * The contract its reference decoder encodes (HTTP and the event-stream rules as in the
 * README: WHATWG framing, the 8 MiB line and event cap, 2xx statuses only):
 * - Kind. An event is what its JSON `type` says when that is a string (the empty string
 *   included: the adapter's reading, "the JSON `type` decides"), else what its `event:` name
 *   says ('' when it has none). Data that is exactly `[DONE]` is passed over wherever it
 *   comes (proxies append chat's end marker): it neither ends the stream nor counts as an
 *   event. Any other data must parse as a JSON object, else `protocol`, final whatever
 *   follows, unless the end came first.
 * - Tokens. The `delta` string of `response.output_text.delta` and `response.refusal.delta`
 *   (answer), `response.reasoning_summary_text.delta` and `response.reasoning_text.delta`
 *   (reasoning), `response.function_call_arguments.delta`,
 *   `response.custom_tool_call_input.delta`, `response.mcp_call_arguments.delta` and
 *   `response.code_interpreter_call_code.delta` (tool text). An empty or non-string `delta`,
 *   `*.done` events (which repeat the whole text), `*.added`, annotations, `keepalive` and
 *   unknown kinds carry no token.
 * - End. `response.completed`, `response.incomplete` (a complete response, e.g.
 *   max_output_tokens reached) and `response.failed` are terminal: what follows is ignored,
 *   a second terminal event and malformed data included. There is no `[DONE]`. A terminal
 *   event that the body ends on without its closing blank line (the adapter documents this
 *   exception) still ends the stream when its data is a whole JSON object, whether the body
 *   ended cleanly or the connection was cut; a cut one, and any other event left open at the
 *   end, is discarded.
 * - Usage. Only the terminal event's `response.usage` (a JSON object) counts: a present
 *   `input_tokens`, `input_tokens_details.cached_tokens`, `output_tokens` or
 *   `output_tokens_details.reasoning_tokens` that is not a whole number from 0 to 1e9 drops
 *   the report (`usage_ignored`). Output tokens are `output_tokens`, which include the
 *   reasoning tokens; where `total_tokens` says a compatible server left them out
 *   (input + output + reasoning), or with no such total more reasoning than output tokens,
 *   the reasoning tokens are added back, as for chat. Without a valid `output_tokens` the
 *   tokenizer counts, as for chat; no text and no count is no count (null).
 * - Errors. An `error` event, or an event with no kind (no string `type`, no `event:` name,
 *   or a `type` of '') whose `error` member is not null, is an error the server reported: a
 *   nested `error` object gives its `type` and `code`, an `error` string its `error_type`
 *   (chat's TGI form, which the adapter reads here too), and otherwise the event's
 *   top-level `code` (OpenAI's reference shape) decides; classified as chat errors are
 *   (429 or `rate_limit_exceeded`/`insufficient_quota`/... → `rate_limited`, 401/403 or
 *   auth types → `auth`, other 4xx or invalid-request types → `client_error`, anything
 *   else, prototype names such as `constructor` included, → `server_error`).
 *   `response.failed` is an error too, from `response.error` (server_error without one), and
 *   ends the stream. The first error decides, unless a protocol error follows; an error
 *   after the terminal event is ignored.
 * - Not a stream. Without a terminal event: a body that never ends is a timeout; when the
 *   connection was cut mid-body (a reset or close before the declared length or chunked
 *   end) it is `stream_interrupted` whatever the headers say; otherwise an unrequested
 *   Content-Encoding, or a media type other than text/event-stream with no event decoded,
 *   is `protocol`, and the rest `stream_interrupted`.
 *
 * Where the documents leave a reading open the module takes the adapter's: an `event:` name
 * is compared as written, so the suite never sends the name `message`, which WHATWG reads as
 * no name and the adapter as a name.
 */
import { gzipSync } from 'node:zlib';
import { buildResponse, encodeChunked, responseHead } from '../http-wire.mjs';
import {
  countsProblem,
  isCloseDelimited,
  isPlainObject,
  MAX_EXACT_WORD_CHARS,
  okOutcome,
  readStreamingResponse,
  snippet,
  unrequestedEncoding,
} from '../reference-outcome.mjs';
import { DEFAULT_MAX_EVENT_BYTES, readEventStream } from '../sse-reference.mjs';
import {
  applyByteOperators,
  asciiJson,
  byteOperatorCount,
  clip,
  cutAtMarkedPlace,
  mutatedStream,
  textPiece,
} from '../stream-mutation.mjs';
import { classOfReportedError } from './openai-chat.mjs';

// The classes of reported errors are chat's.

const SSE_TYPE = 'text/event-stream';

// ---------------------------------------------------------------------------------------
// Reference decoder
// ---------------------------------------------------------------------------------------

/** Events whose `delta` string is generated text, by the kind of text. */
export const DELTA_EVENTS = new Map([
  ['response.output_text.delta', 'answer'],
  ['response.refusal.delta', 'answer'],
  ['response.reasoning_summary_text.delta', 'reasoning'],
  ['response.reasoning_text.delta', 'reasoning'],
  ['response.function_call_arguments.delta', 'tool'],
  ['response.custom_tool_call_input.delta', 'tool'],
  ['response.mcp_call_arguments.delta', 'tool'],
  ['response.code_interpreter_call_code.delta', 'tool'],
]);
/** The events that end a response. */
export const TERMINAL_EVENTS = new Set([
  'response.completed',
  'response.incomplete',
  'response.failed',
]);

// A usage object or its details: any non-null object (an array has none of the counts).
const isObjectLike = (value) => value !== null && typeof value === 'object';

/**
 * What an event is: its JSON `type` when that is a string, else its `event:` name. The
 * event-stream reader names an event without a name `message` (WHATWG's default type); the
 * suite never sends that name itself, so `message` is read back as no name.
 */
export function eventKind(payload, sseType) {
  if (typeof payload.type === 'string') return payload.type;
  return sseType === 'message' ? '' : sseType;
}

/** Whether an event of `kind` reports an error. */
export function isErrorEvent(kind, payload) {
  return kind === 'error' || (kind === '' && payload.error !== undefined && payload.error !== null);
}

/** The `{ type, code }` an error event reports. */
export function reportedErrorOf(payload) {
  const raw = payload.error;
  if (typeof raw === 'string') return { type: payload.error_type, code: undefined };
  if (isPlainObject(raw)) return { type: raw.type, code: raw.code };
  return { type: undefined, code: payload.code };
}

/** The `{ type, code }` of a `response.failed` event: its `response.error`. */
export function failedErrorOf(payload) {
  const response = payload.response;
  if (!isPlainObject(response)) return { type: undefined, code: undefined };
  const raw = response.error;
  if (typeof raw === 'string') return { type: response.error_type, code: undefined };
  if (isPlainObject(raw)) return { type: raw.type, code: raw.code };
  return { type: undefined, code: undefined };
}

/** Why a Responses usage object must be ignored, or undefined when every count is usable. */
export function usageProblem(usage) {
  const counts = {
    input_tokens: usage.input_tokens,
    output_tokens: usage.output_tokens,
    'input_tokens_details.cached_tokens': isObjectLike(usage.input_tokens_details)
      ? usage.input_tokens_details.cached_tokens
      : undefined,
    'output_tokens_details.reasoning_tokens': isObjectLike(usage.output_tokens_details)
      ? usage.output_tokens_details.reasoning_tokens
      : undefined,
  };
  return countsProblem(counts);
}

/**
 * Generated tokens of a valid usage report: `output_tokens`, with the reasoning tokens added
 * back where `total_tokens` shows they were left out (input + output + reasoning) or, with
 * no total that says either way, where there are more reasoning than output tokens.
 */
export function outputTokensOf(usage) {
  const output = usage.output_tokens;
  const reasoning = isObjectLike(usage.output_tokens_details)
    ? usage.output_tokens_details.reasoning_tokens
    : undefined;
  if (typeof reasoning !== 'number' || reasoning === 0) return output;
  const input = usage.input_tokens;
  const total = usage.total_tokens;
  if (typeof total === 'number' && typeof input === 'number') {
    if (total === input + output) return output;
    if (total === input + output + reasoning) return output + reasoning;
  }
  return reasoning > output ? output + reasoning : output;
}

/** A JSON object, or undefined when `data` is not one. */
function parseObject(data) {
  try {
    const value = JSON.parse(data);
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The outcome llm-lens must report for a streaming Responses request answered with `bytes`,
 * after which the server left the connection as `ending` says. Same Outcome shape as
 * openai-chat.mjs.
 * @param {{ bytes: Buffer, ending: import('../http-reference.mjs').Ending, maxEventBytes?: number }} served
 * @returns {import('./openai-chat.mjs').Outcome}
 */
export function referenceOutcome({ bytes, ending, maxEventBytes = DEFAULT_MAX_EVENT_BYTES }) {
  const response = readStreamingResponse(bytes, ending);
  if (response.outcome !== undefined) return response.outcome;
  const { http, mediaType } = response;
  // The body ended as a body ends: its declared end, or a close-delimited body's end of
  // connection (FIN or RST). Otherwise the connection was cut, or the chunk framing broke.
  const isCleanEnd =
    http.bodyEnd === 'complete' || (http.bodyEnd === 'eof' && isCloseDelimited(http));

  const stream = readEventStream(http.body, { maxEventBytes });
  let protocolError;
  let firstError;
  let terminal;
  let decodedEvents = 0;
  let tokenEvents = 0;
  let answer = '';
  let reasoning = '';
  let tool = '';
  let outputTokens;
  let usageIgnored;

  /** Reads one JSON event; true when it ended the stream. */
  const handle = (payload, sseType) => {
    decodedEvents++;
    const kind = eventKind(payload, sseType);
    const textKind = DELTA_EVENTS.get(kind);
    if (textKind !== undefined) {
      const delta = typeof payload.delta === 'string' ? payload.delta : '';
      if (delta.length > 0) {
        tokenEvents++;
        if (textKind === 'answer') answer += delta;
        else if (textKind === 'reasoning') reasoning += delta;
        else tool += delta;
      }
      return false;
    }
    if (TERMINAL_EVENTS.has(kind)) {
      terminal = kind;
      const response = payload.response;
      const usage = isPlainObject(response) ? response.usage : undefined;
      if (isObjectLike(usage)) {
        const problem = usageProblem(usage);
        if (problem !== undefined) usageIgnored = problem;
        else if (typeof usage.output_tokens === 'number') outputTokens = outputTokensOf(usage);
      }
      if (kind === 'response.failed') {
        const { type, code } = failedErrorOf(payload);
        firstError ??= {
          errorClass: classOfReportedError(type, code),
          reason: `response.failed (type ${type}, code ${code})`,
        };
      }
      return true;
    }
    if (isErrorEvent(kind, payload)) {
      const { type, code } = reportedErrorOf(payload);
      firstError ??= {
        errorClass: classOfReportedError(type, code),
        reason: `an error event (type ${type}, code ${code})`,
      };
    }
    return false;
  };

  for (const event of stream.events) {
    if (event.data === '[DONE]') continue;
    const payload = parseObject(event.data);
    if (payload === undefined) {
      protocolError = `data that is not a JSON object ${snippet(event.data)}`;
      break;
    }
    if (handle(payload, event.type)) break;
  }

  if (terminal === undefined && protocolError === undefined) {
    if (stream.overflow !== undefined) protocolError = stream.overflow;
    else if (http.bodyEnd === 'framing')
      protocolError = `broken chunk framing: ${http.framingError}`;
    else if (http.bodyEnd !== 'open' && stream.pendingAtEnd !== undefined) {
      // The event the body ended in: read only when it is a whole terminal event.
      const payload = parseObject(stream.pendingAtEnd.data);
      if (
        payload !== undefined &&
        TERMINAL_EVENTS.has(eventKind(payload, stream.pendingAtEnd.type))
      ) {
        handle(payload, stream.pendingAtEnd.type);
      }
    }
  }
  if (protocolError !== undefined) return { errorClass: 'protocol', reason: protocolError };
  if (firstError !== undefined)
    return { errorClass: firstError.errorClass, reason: firstError.reason };
  if (terminal === undefined) {
    if (http.bodyEnd === 'open') {
      return {
        errorClass: 'timeout_total',
        reason: 'the body neither ends nor reaches a terminal event',
      };
    }
    if (!isCleanEnd) {
      return {
        errorClass: 'stream_interrupted',
        reason: 'the connection was cut before a terminal event',
      };
    }
    const encodingOutcome = unrequestedEncoding(http);
    if (encodingOutcome !== undefined) return encodingOutcome;
    if (decodedEvents === 0 && mediaType !== SSE_TYPE) {
      return {
        errorClass: 'protocol',
        reason: `expected ${SSE_TYPE}, got ${mediaType || 'no Content-Type'}`,
      };
    }
    return { errorClass: 'stream_interrupted', reason: 'the body ended without a terminal event' };
  }

  return okOutcome({
    reason: `${terminal} seen`,
    tokenEvents,
    outputTokens,
    usageIgnored,
    texts: [answer, reasoning, tool],
  });
}

// ---------------------------------------------------------------------------------------
// Valid base streams
// ---------------------------------------------------------------------------------------

// Text pieces: ASCII, 2-, 3- and 4-byte UTF-8, a ZWJ sequence, JSON-escaped characters and
// text that looks like SSE fields or terminal events.
const PIECES = [
  'Hello',
  ' world',
  ',',
  ' the',
  ' harbour',
  ' pilot',
  ' café',
  ' naïve',
  ' Ωμέγα',
  ' 中文',
  ' 日本語',
  ' 🦀',
  ' 👩‍💻',
  ' ∑x²',
  '\n',
  '\n\n',
  ' "quoted"',
  ' back\\slash',
  '\ttab',
  ' event: response.completed',
  ' data: {"type":"response.completed"}',
  ' data: [DONE]',
  ' }{',
  '.',
];
const REASONING_PIECES = [
  '**Weighing',
  ' the tide**',
  '\n\nFirst,',
  ' the wind',
  ' — then',
  ' 潮',
  '?',
];
const TOOL_PIECES = ['{"city":', ' "Zürich"', ', "unit": "c"}', '{}', '"東京"', '[1, 2', '\\"'];
const REFUSALS = ["I'm sorry,", ' but I', ' can’t help', ' with that.'];
const MODELS = ['fuzz-model', 'gpt-5-mini-2025-08-07', 'gpt-4o-2024-08-06', 'o4-mini'];

/** Builds the body while remembering where its parts are, in bytes. */
class StreamWriter {
  parts = [];
  length = 0;
  marks = {
    /** Offsets of the first byte of each `data` field name. */
    dataLines: [],
    /** [start, end) of each `event:` line, its line end included. */
    eventLines: [],
    /** [start, end) of each `event:` field's value. */
    eventNames: [],
    /** [start, end) of each JSON payload (one per data line). */
    json: [],
    /** Offsets where an event starts (after the previous event's blank line). */
    boundaries: [],
    /** Offsets strictly inside a multi-byte UTF-8 character of a payload. */
    multibyte: [],
    /** The terminal event: its start, its JSON, the end of its data line, its end. */
    terminal: undefined,
    /** The same, when the terminal event completes the response (not response.failed). */
    done: undefined,
  };

  constructor(lineEnd, dataPrefix, eventPrefix) {
    this.lineEnd = lineEnd;
    this.dataPrefix = dataPrefix;
    this.eventPrefix = eventPrefix;
  }

  write(text) {
    const bytes = Buffer.from(text, 'utf8');
    this.parts.push(bytes);
    const start = this.length;
    this.length += bytes.length;
    return { start, bytes };
  }

  line(text) {
    return this.write(text + this.lineEnd);
  }

  #eventLine(name) {
    const { start, bytes } = this.line(`${this.eventPrefix}${name}`);
    const valueStart = start + Buffer.byteLength(this.eventPrefix);
    this.marks.eventLines.push([start, start + bytes.length]);
    this.marks.eventNames.push([valueStart, valueStart + Buffer.byteLength(name)]);
  }

  /**
   * One event: an optional comment and id, the `event:` line (none when `name` is
   * undefined) before or after the data, the JSON over one or two data lines, padding after
   * it, and the blank line.
   */
  event(name, json, { comment, id, splitData, dataFirst, padding = '' }) {
    this.marks.boundaries.push(this.length);
    const eventStart = this.length;
    if (comment !== undefined) this.line(comment);
    if (id !== undefined) this.line(`id: ${id}`);
    if (!dataFirst && name !== undefined) this.#eventLine(name);
    const cut = splitData ? json.indexOf(',') + 1 : 0;
    const pieces = cut > 0 ? [json.slice(0, cut), json.slice(cut)] : [json];
    let jsonStart;
    let jsonEnd;
    for (const [index, piece] of pieces.entries()) {
      this.marks.dataLines.push(this.length);
      const isLast = index === pieces.length - 1;
      const { start, bytes } = this.write(
        `${this.dataPrefix}${piece}${isLast ? padding : ''}${this.lineEnd}`,
      );
      const pieceStart = start + Buffer.byteLength(this.dataPrefix);
      const pieceEnd = pieceStart + Buffer.byteLength(piece);
      this.marks.json.push([pieceStart, pieceEnd]);
      jsonStart ??= pieceStart;
      jsonEnd = pieceEnd;
      for (let i = pieceStart; i < pieceEnd; i++) {
        const byte = bytes[i - start];
        const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
        for (let k = 1; k < size; k++) this.marks.multibyte.push(i + k);
      }
    }
    if (dataFirst && name !== undefined) this.#eventLine(name);
    const lineEnd = this.length;
    this.write(this.lineEnd);
    return { eventStart, jsonStart, jsonEnd, lineEnd, eventEnd: this.length };
  }

  body() {
    return Buffer.concat(this.parts);
  }
}

const FAILURES = [
  { code: 'server_error', message: 'The model failed to generate a response.' },
  { code: 'rate_limit_exceeded', message: 'Rate limit reached for requests' },
  { code: 'invalid_prompt', message: 'Invalid prompt: flagged' },
  { code: 'vector_store_timeout', message: 'Timed out' },
];
const ERROR_EVENTS = [
  { type: 'insufficient_quota', code: 'insufficient_quota', message: 'You exceeded your quota' },
  { type: 'server_error', code: 'server_error', message: 'The server had an error' },
  { type: 'invalid_request_error', code: 'context_length_exceeded', message: 'Too long' },
  { type: 'rate_limit_error', code: 'rate_limit_exceeded', message: 'Slow down' },
];

/**
 * A valid stream as the Responses API sends it: response.created and response.in_progress
 * (usage null), a reasoning item (hidden, a streamed summary, or raw reasoning text), a
 * message with text (or refusal) deltas and their `.done` events, a function call's
 * argument deltas, keepalives and annotations now and then, and the terminal event with the
 * usage; or, now and then, `error` then `response.failed`, `response.failed` alone, an
 * `error` event as the last word, a stray `[DONE]` after the end, or a gateway that strips
 * usage.
 * @param {import('../prng.mjs').Rng} rng
 */
export function buildBaseStream(rng) {
  const lineEnd = rng.weighted({ '\n': 82, '\r\n': 13, '\r': 5 });
  const writer = new StreamWriter(
    lineEnd,
    rng.chance(0.9) ? 'data: ' : 'data:',
    rng.chance(0.9) ? 'event: ' : 'event:',
  );
  // Compatible servers that send only `data:` lines, typed by their JSON.
  const withEventLines = rng.chance(0.92);
  const withComments = rng.chance(0.12);
  const withIds = rng.chance(0.06);
  const dataFirst = rng.chance(0.06);
  const padded = rng.chance(0.1);
  const escapeNonAscii = rng.chance(0.15);
  const keepaliveRate = rng.pick([0, 0, 0.05, 0.2]);
  const ending = rng.weighted({
    completed: 76,
    incomplete: 8,
    'error then failed': 6,
    failed: 4,
    'error only': 3,
    'completed, [DONE]': 3,
  });
  const stripsUsage = rng.chance(0.04);
  // A compatible server whose output_tokens leave the reasoning out (xAI's convention).
  const excludesReasoning = rng.chance(0.05);
  const reasoningMode = rng.weighted({ none: 45, hidden: 20, summary: 25, raw: 10 });
  const answerMode = rng.weighted({ text: 80, refusal: 5, none: 15 });
  const hasTool = answerMode === 'none' || rng.chance(0.15);
  const responseId = `resp_fz${rng.int(1e8, 9e8)}`;
  const model = rng.pick(MODELS);
  const createdAt = 1_760_000_000 + rng.int(0, 1e7);
  const inputTokens = rng.int(5, 4000);
  const cachedTokens = rng.chance(0.2) ? rng.int(1, inputTokens) : 0;
  let outputTokens = 0;
  let reasoningTokens = 0;
  let sequence = 0;
  const output = [];

  const responseObject = (status, extra = {}) => ({
    id: responseId,
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model,
    output: [],
    parallel_tool_calls: true,
    reasoning: { effort: reasoningMode === 'none' ? null : 'low', summary: null },
    store: true,
    temperature: 1.0,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    usage: null,
    metadata: {},
    ...extra,
  });

  const emit = (value) => {
    const payload = { ...value, sequence_number: sequence++ };
    const json = escapeNonAscii ? asciiJson(payload) : JSON.stringify(payload);
    return writer.event(withEventLines ? payload.type : undefined, json, {
      comment:
        withComments && rng.chance(0.3) ? rng.pick([': keep-alive', ':', ': proxy']) : undefined,
      id: withIds ? String(sequence) : undefined,
      splitData: rng.chance(0.05),
      dataFirst,
      padding: padded ? ' '.repeat(rng.int(1, 12)) : '',
    });
  };
  const maybeKeepalive = () => {
    if (rng.chance(keepaliveRate)) emit({ type: 'keepalive' });
  };

  emit({ type: 'response.created', response: responseObject('in_progress') });
  emit({ type: 'response.in_progress', response: responseObject('in_progress') });

  if (reasoningMode !== 'none') {
    const itemId = `rs_fz${rng.int(1e6, 9e6)}`;
    const outputIndex = output.length;
    emit({
      type: 'response.output_item.added',
      output_index: outputIndex,
      item: { id: itemId, type: 'reasoning', summary: [] },
    });
    let text = '';
    if (reasoningMode === 'summary' || reasoningMode === 'raw') {
      const isSummary = reasoningMode === 'summary';
      const where = isSummary
        ? { item_id: itemId, output_index: outputIndex, summary_index: 0 }
        : { item_id: itemId, output_index: outputIndex, content_index: 0 };
      if (isSummary) {
        emit({
          type: 'response.reasoning_summary_part.added',
          ...where,
          part: { type: 'summary_text', text: '' },
        });
      }
      const count = rng.int(1, 10);
      for (let i = 0; i < count; i++) {
        const delta = textPiece(rng, REASONING_PIECES);
        text += delta;
        const tokens = rng.int(1, 3);
        outputTokens += tokens;
        reasoningTokens += tokens;
        emit({
          type: isSummary
            ? 'response.reasoning_summary_text.delta'
            : 'response.reasoning_text.delta',
          ...where,
          delta,
          obfuscation: 'x'.repeat(rng.int(0, 12)),
        });
        maybeKeepalive();
      }
      emit({
        type: isSummary ? 'response.reasoning_summary_text.done' : 'response.reasoning_text.done',
        ...where,
        text,
      });
      if (isSummary) {
        emit({
          type: 'response.reasoning_summary_part.done',
          ...where,
          part: { type: 'summary_text', text },
        });
      }
    }
    // Reasoning the model did not show: only the usage counts it.
    const hidden = rng.int(0, reasoningMode === 'hidden' ? 900 : 200);
    outputTokens += hidden;
    reasoningTokens += hidden;
    const item = {
      id: itemId,
      type: 'reasoning',
      summary: reasoningMode === 'summary' ? [{ type: 'summary_text', text }] : [],
      ...(reasoningMode === 'raw' ? { content: [{ type: 'reasoning_text', text }] } : {}),
    };
    output.push(item);
    emit({ type: 'response.output_item.done', output_index: outputIndex, item });
  }

  if (answerMode !== 'none') {
    const itemId = `msg_fz${rng.int(1e6, 9e6)}`;
    const outputIndex = output.length;
    const isRefusal = answerMode === 'refusal';
    const where = { item_id: itemId, output_index: outputIndex, content_index: 0 };
    emit({
      type: 'response.output_item.added',
      output_index: outputIndex,
      item: { id: itemId, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
    });
    emit({
      type: 'response.content_part.added',
      ...where,
      part: isRefusal
        ? { type: 'refusal', refusal: '' }
        : { type: 'output_text', annotations: [], logprobs: [], text: '' },
    });
    let text = '';
    const count = isRefusal ? REFUSALS.length : rng.int(1, 16);
    for (let i = 0; i < count; i++) {
      const delta = isRefusal ? REFUSALS[i] : textPiece(rng, PIECES);
      text += delta;
      outputTokens += rng.int(1, 3);
      emit({
        type: isRefusal ? 'response.refusal.delta' : 'response.output_text.delta',
        ...where,
        delta,
        ...(isRefusal ? {} : { logprobs: [] }),
        obfuscation: 'y'.repeat(rng.int(0, 14)),
      });
      maybeKeepalive();
    }
    if (!isRefusal && rng.chance(0.05)) {
      emit({
        type: 'response.output_text.annotation.added',
        ...where,
        annotation_index: 0,
        annotation: { type: 'url_citation', url: 'https://example.com', title: 'x' },
      });
    }
    const part = isRefusal
      ? { type: 'refusal', refusal: text }
      : { type: 'output_text', annotations: [], logprobs: [], text };
    emit({
      type: isRefusal ? 'response.refusal.done' : 'response.output_text.done',
      ...where,
      ...(isRefusal ? { refusal: text } : { text, logprobs: [] }),
    });
    emit({ type: 'response.content_part.done', ...where, part });
    const item = {
      id: itemId,
      type: 'message',
      status: 'completed',
      content: [part],
      role: 'assistant',
    };
    output.push(item);
    emit({ type: 'response.output_item.done', output_index: outputIndex, item });
  }

  if (hasTool) {
    const itemId = `fc_fz${rng.int(1e6, 9e6)}`;
    const outputIndex = output.length;
    const callId = `call_fz${rng.int(1e6, 9e6)}`;
    emit({
      type: 'response.output_item.added',
      output_index: outputIndex,
      item: {
        id: itemId,
        type: 'function_call',
        status: 'in_progress',
        arguments: '',
        call_id: callId,
        name: 'get_weather',
      },
    });
    let args = '';
    const count = rng.int(1, 8);
    for (let i = 0; i < count; i++) {
      const delta = rng.pick(TOOL_PIECES);
      args += delta;
      outputTokens += rng.int(1, 3);
      emit({
        type: 'response.function_call_arguments.delta',
        item_id: itemId,
        output_index: outputIndex,
        delta,
        obfuscation: 'z'.repeat(rng.int(0, 10)),
      });
    }
    emit({
      type: 'response.function_call_arguments.done',
      item_id: itemId,
      output_index: outputIndex,
      arguments: args,
    });
    const item = {
      id: itemId,
      type: 'function_call',
      status: 'completed',
      arguments: args,
      call_id: callId,
      name: 'get_weather',
    };
    output.push(item);
    emit({ type: 'response.output_item.done', output_index: outputIndex, item });
  }

  const reported = excludesReasoning ? outputTokens - reasoningTokens : outputTokens;
  const usage = stripsUsage
    ? null
    : {
        input_tokens: inputTokens,
        input_tokens_details: { cached_tokens: cachedTokens },
        output_tokens: reported,
        output_tokens_details: { reasoning_tokens: reasoningTokens },
        total_tokens: inputTokens + outputTokens,
      };

  if (ending === 'error then failed' || ending === 'error only') {
    const error = rng.pick(ERROR_EVENTS);
    emit({ type: 'error', error: { ...error, param: null } });
  }
  if (ending === 'error only') return { body: writer.body(), marks: writer.marks, lineEnd };
  if (ending === 'error then failed' || ending === 'failed') {
    writer.marks.terminal = emit({
      type: 'response.failed',
      response: responseObject('failed', { error: rng.pick(FAILURES), output, usage }),
    });
    return { body: writer.body(), marks: writer.marks, lineEnd };
  }
  const type = ending === 'incomplete' ? 'response.incomplete' : 'response.completed';
  const done = emit({
    type,
    response: responseObject(ending === 'incomplete' ? 'incomplete' : 'completed', {
      ...(ending === 'incomplete'
        ? { incomplete_details: { reason: 'max_output_tokens' }, max_output_tokens: 64 }
        : {}),
      output,
      usage,
    }),
  });
  writer.marks.terminal = done;
  writer.marks.done = done;
  // A proxy that appends chat's end marker: passed over, and after the end anyway.
  if (ending === 'completed, [DONE]') {
    writer.marks.boundaries.push(writer.length);
    writer.write(`data: [DONE]${lineEnd}${lineEnd}`);
  }
  return { body: writer.body(), marks: writer.marks, lineEnd };
}

// ---------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------

/** Where a truncation can land, by the part of the stream it cuts into. */
const TRUNCATION_CLASSES = {
  'inside a field name': 12,
  'inside JSON': 16,
  'between events': 12,
  'inside a multi-byte character': 12,
  'just before the terminal event': 10,
  'inside the terminal event': 14,
  'after the terminal data line, before its blank line': 14,
  'inside the terminal blank line': 4,
  anywhere: 6,
};

function truncationOffset(rng, base, label) {
  const { marks, body } = base;
  const terminal = marks.terminal;
  switch (label) {
    case 'inside a field name':
      return rng.chance(0.5) || marks.eventNames.length === 0
        ? rng.pick(marks.dataLines) + rng.int(1, 4)
        : rng.pick(marks.eventNames)[0] - rng.int(1, 5);
    case 'inside JSON': {
      const [start, end] = rng.pick(marks.json);
      return rng.int(start + 1, end - 1);
    }
    case 'between events':
      return rng.pick(marks.boundaries.slice(1));
    case 'inside a multi-byte character':
      return marks.multibyte.length > 0 ? rng.pick(marks.multibyte) : undefined;
    case 'just before the terminal event':
      return terminal?.eventStart;
    case 'inside the terminal event':
      return terminal === undefined
        ? undefined
        : rng.int(terminal.eventStart + 1, terminal.lineEnd - 1);
    case 'after the terminal data line, before its blank line':
      return terminal?.lineEnd;
    case 'inside the terminal blank line':
      // Between the CR and LF of a CRLF blank line, or after it when there is no CRLF.
      return terminal === undefined ? undefined : terminal.eventEnd - 1;
    default:
      return rng.int(1, body.length - 1);
  }
}

/** An offset worth mutating at: anywhere, or an event boundary, JSON, a field, the end. */
function mutationOffset(rng, base, length) {
  const { marks } = base;
  const where = rng.weighted({
    anywhere: 55,
    boundary: 10,
    json: 15,
    dataLine: 6,
    eventName: 6,
    terminal: 8,
  });
  let offset;
  if (where === 'boundary') offset = rng.pick(marks.boundaries) - rng.int(0, 2);
  else if (where === 'json') {
    const [start, end] = rng.pick(marks.json);
    offset = rng.int(start, end);
  } else if (where === 'dataLine') offset = rng.pick(marks.dataLines) + rng.int(0, 5);
  else if (where === 'eventName' && marks.eventNames.length > 0) {
    const [start, end] = rng.pick(marks.eventNames);
    offset = rng.int(start - 3, end);
  } else if (where === 'terminal' && marks.terminal !== undefined)
    offset = rng.int(marks.terminal.eventStart, marks.terminal.lineEnd);
  else offset = rng.int(0, length - 1);
  return Math.max(0, Math.min(length - 1, offset));
}

// Values a token count must be refused for, and a few it must be accepted for (0, 1e9, null).
const COUNT_VALUES = [1e300, 1e20, 2 ** 53, 26.5, -1, '12', true, [], {}, null, 0, 1e9, 1e9 + 1];
const USAGE_FIELDS = [
  ['input_tokens'],
  ['output_tokens'],
  ['input_tokens_details', 'cached_tokens'],
  ['output_tokens_details', 'reasoning_tokens'],
];
// Error types and codes, documented and not, numeric and not, and names an object lookup
// must not mistake for a known one.
const ERROR_NAMES = [
  'rate_limit_exceeded',
  'rate_limit_error',
  'insufficient_quota',
  'requests',
  'tokens',
  'authentication_error',
  'permission_error',
  'invalid_api_key',
  'invalid_request_error',
  'context_length_exceeded',
  'BadRequestError',
  'NotFoundError',
  'server_error',
  'invalid_prompt',
  'a_future_error',
  'constructor',
  'toString',
  '__proto__',
  'hasOwnProperty',
  '',
];
const ERROR_CODES = [
  ...ERROR_NAMES,
  429,
  401,
  403,
  404,
  400,
  500,
  503,
  '429',
  '401',
  '403',
  '418',
  '503',
  '4290',
  ' 429',
  499.5,
  -429,
  1e300,
  0,
  true,
  null,
  [],
  {},
  undefined,
];
// Event kinds a payload's type or an event's name can be changed to.
const EVENT_KINDS = [
  'response.completed',
  'response.incomplete',
  'response.failed',
  'error',
  'response.output_text.delta',
  'response.refusal.delta',
  'response.reasoning_summary_text.delta',
  'response.reasoning_text.delta',
  'response.function_call_arguments.delta',
  'response.custom_tool_call_input.delta',
  'response.mcp_call_arguments.delta',
  'response.code_interpreter_call_code.delta',
  'response.output_text.done',
  'response.in_progress',
  'response.created',
  'keepalive',
  'Response.Completed',
  'response.completed ',
  'response.output_text.delta.',
  'a_future_event',
  '',
];
const TYPE_VALUES = [...EVENT_KINDS, 7, null, true, ['error'], { type: 'error' }];

// Returned by a rewrite that swaps the whole payload for one of NOT_OBJECTS.
const REPLACE_WITH_NON_OBJECT = Symbol('not an object');
const NOT_OBJECTS = [
  '[]',
  '1',
  '"s"',
  'null',
  'true',
  '',
  '[DONE] ',
  'DONE',
  '[{"type":"response.completed"}]',
  '{"type":"response.completed"',
];

/** The `response` object of a payload, created when missing, so a rewrite can change it. */
function responseOf(payload) {
  if (!isPlainObject(payload.response)) payload.response = {};
  return payload.response;
}

/** An error event's payload, in one of the shapes servers send, with odd types and codes. */
function errorPayload(rng) {
  const shape = rng.weighted({ nested: 45, 'top-level': 30, string: 10, odd: 15 });
  const type = rng.pick(ERROR_NAMES);
  const code = rng.pick(ERROR_CODES);
  if (shape === 'nested') {
    const error = { message: 'm', param: null };
    if (rng.chance(0.8)) error.type = type;
    if (code !== undefined) error.code = code;
    return { type: 'error', error };
  }
  if (shape === 'top-level') {
    return { type: 'error', ...(code === undefined ? {} : { code }), message: 'm', param: null };
  }
  if (shape === 'string') return { type: 'error', error: 'text', error_type: type };
  return {
    type: 'error',
    error: rng.pick([null, 5, [], {}, true, '']),
    ...(code === undefined ? {} : { code }),
  };
}

/**
 * Rewrites of one event's payload that keep it valid JSON but change what it means: another
 * kind, no kind, deltas of other types, absurd usage, error payloads, a failed response.
 * Byte mutations mostly break the JSON; these reach the decisions behind it.
 */
const PAYLOAD_REWRITES = {
  'another type': (rng, payload) => {
    payload.type = rng.pick(TYPE_VALUES);
  },
  'no type (the event name decides)': (_, payload) => {
    delete payload.type;
  },
  'a delta of another kind': (rng, payload) => {
    payload.type = rng.pick([...DELTA_EVENTS.keys()]);
    payload.delta = rng.chance(0.8) ? textPiece(rng, PIECES) : '';
  },
  'delta not a string': (rng, payload) => {
    payload.delta = rng.pick([42, null, ['a'], { text: 'a' }, true, '']);
  },
  'a usage count that is not a count': (rng, payload) => {
    const response = responseOf(payload);
    const usage = isPlainObject(response.usage) ? response.usage : { output_tokens: 5 };
    const [field, detail] = rng.pick(USAGE_FIELDS);
    const value = rng.pick(COUNT_VALUES);
    if (detail === undefined) usage[field] = value;
    else usage[field] = { ...(isPlainObject(usage[field]) ? usage[field] : {}), [detail]: value };
    response.usage = usage;
  },
  'usage not an object': (rng, payload) => {
    responseOf(payload).usage = rng.pick([[], 'x', 5, true, null, [{ output_tokens: 3 }]]);
  },
  'usage removed': (_, payload) => {
    delete responseOf(payload).usage;
  },
  'an odd total_tokens': (rng, payload) => {
    const response = responseOf(payload);
    const usage = isPlainObject(response.usage)
      ? response.usage
      : { input_tokens: 10, output_tokens: 5 };
    usage.output_tokens_details = {
      reasoning_tokens: rng.pick([0, 3, 5, 9, usage.output_tokens ?? 1]),
    };
    const input = typeof usage.input_tokens === 'number' ? usage.input_tokens : 0;
    const output = typeof usage.output_tokens === 'number' ? usage.output_tokens : 0;
    const reasoning = usage.output_tokens_details.reasoning_tokens;
    usage.total_tokens = rng.pick([
      input + output,
      input + output + reasoning,
      input + output + reasoning + 1,
      '99',
      null,
      1e300,
    ]);
    response.usage = usage;
  },
  'response not an object': (rng, payload) => {
    payload.response = rng.pick([null, 'r', [], 3]);
  },
  'an error event': (rng, payload) => {
    for (const key of Object.keys(payload)) delete payload[key];
    Object.assign(payload, errorPayload(rng));
  },
  'an error member on another event': (rng, payload) => {
    payload.error = errorPayload(rng).error ?? { type: rng.pick(ERROR_NAMES), message: 'm' };
  },
  'a failed response': (rng, payload) => {
    payload.type = 'response.failed';
    const response = responseOf(payload);
    response.status = 'failed';
    response.error = rng.pick([
      { code: rng.pick(ERROR_CODES), message: 'm' },
      { type: rng.pick(ERROR_NAMES), code: rng.pick(ERROR_CODES), message: 'm' },
      'text',
      null,
      [],
    ]);
    if (typeof response.error === 'string') response.error_type = rng.pick(ERROR_NAMES);
  },
  'a lone surrogate in the delta': (rng, payload) => {
    payload.delta = rng.pick(['\ud800', 'a\udc00b', '\ud83e']);
  },
  'not an object at all': () => REPLACE_WITH_NON_OBJECT,
};

const USAGE_REWRITES = new Set([
  'a usage count that is not a count',
  'usage not an object',
  'usage removed',
  'an odd total_tokens',
  'response not an object',
]);

/** Moves every mark at or after `to` by `delta` bytes; drops multi-byte marks inside [from, to). */
function shiftMarks(marks, from, to, delta) {
  const move = (offset) => (offset >= to ? offset + delta : offset);
  const outside = (offset) => offset < from || offset >= to;
  const moveRange = ([start, end]) => [move(start), move(end)];
  const moveEvent = (where) =>
    where === undefined
      ? undefined
      : Object.fromEntries(Object.entries(where).map(([key, value]) => [key, move(value)]));
  return {
    dataLines: marks.dataLines.map(move),
    eventLines: marks.eventLines.map(moveRange),
    eventNames: marks.eventNames.map(moveRange),
    json: marks.json.map(moveRange),
    boundaries: marks.boundaries.map(move),
    multibyte: marks.multibyte.filter(outside).map(move),
    terminal: moveEvent(marks.terminal),
    done: moveEvent(marks.done),
  };
}

/** Replaces bytes [start, end) of `base` with `text`, keeping the marks in place. */
function replaceRange(base, start, end, text) {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  return {
    ...base,
    body: Buffer.concat([base.body.subarray(0, start), bytes, base.body.subarray(end)]),
    marks: shiftMarks(base.marks, start, end, bytes.length - (end - start)),
  };
}

/** The payloads of `base` that parse whole, with their ranges. */
function wholePayloads(base) {
  const payloads = [];
  for (const [start, end] of base.marks.json) {
    try {
      const payload = JSON.parse(base.body.subarray(start, end).toString('utf8'));
      if (isPlainObject(payload)) payloads.push({ start, end, payload });
    } catch {
      // Half of a payload split over two data lines.
    }
  }
  return payloads;
}

/**
 * Rewrites one whole-line payload of `base`; a usage rewrite mostly lands on the terminal
 * event, which carries the only usage. Undefined when no payload parses.
 */
function rewritePayload(rng, base) {
  const name = rng.pick(Object.keys(PAYLOAD_REWRITES));
  const payloads = wholePayloads(base);
  const terminals = payloads.filter(({ payload }) => TERMINAL_EVENTS.has(payload.type));
  const deltas = payloads.filter(({ payload }) => DELTA_EVENTS.has(payload.type));
  let pool = payloads;
  if (USAGE_REWRITES.has(name) && terminals.length > 0 && rng.chance(0.85)) pool = terminals;
  else if (name.includes('delta') && deltas.length > 0 && rng.chance(0.7)) pool = deltas;
  if (pool.length === 0) return undefined;
  const { start, end, payload } = rng.pick(pool);
  const replaced =
    PAYLOAD_REWRITES[name](rng, payload) === REPLACE_WITH_NON_OBJECT
      ? rng.pick(NOT_OBJECTS)
      : JSON.stringify(payload);
  return {
    base: replaceRange(base, start, end, replaced),
    description: `rewrite the payload at ${start}: ${name} (${clip(replaced)})`,
  };
}

/** Renames one event (its `event:` value), sometimes also dropping the payload's own type. */
function renameEvent(rng, base) {
  if (base.marks.eventNames.length === 0) return undefined;
  const index = rng.int(0, base.marks.eventNames.length - 1);
  const [start, end] = base.marks.eventNames[index];
  const name = rng.pick(EVENT_KINDS);
  let next = replaceRange(base, start, end, name);
  let description = `rename the event at ${start} to ${JSON.stringify(name)}`;
  if (rng.chance(0.6)) {
    // The payload after the renamed line: the name alone decides its kind.
    const json = next.marks.json.find(([from]) => from > start);
    if (json !== undefined) {
      const text = next.body.subarray(json[0], json[1]).toString('utf8');
      const payload = parseObject(text);
      if (payload !== undefined) {
        delete payload.type;
        next = replaceRange(next, json[0], json[1], JSON.stringify(payload));
        description += ' and drop its JSON type';
      }
    }
  }
  return { base: next, description };
}

/** Drops one event's `event:` line: its JSON type alone decides. */
function dropEventLine(rng, base) {
  if (base.marks.eventLines.length === 0) return undefined;
  const [start, end] = rng.pick(base.marks.eventLines);
  return {
    base: replaceRange(base, start, end, ''),
    description: `drop the event line at ${start}`,
  };
}

/** An event in the stream's own line ends. */
function eventText(base, name, data) {
  const lineEnd = base.lineEnd;
  return `${name === undefined ? '' : `event: ${name}${lineEnd}`}data: ${data}${lineEnd}${lineEnd}`;
}

/** The body's event starts and its end: where a whole event can be inserted. */
function insertionPoints(base) {
  return [...base.marks.boundaries, base.body.length];
}

/** Inserts a whole event at an event boundary. */
function insertEvent(base, at, name, data, what) {
  return {
    base: replaceRange(base, at, at, eventText(base, name, data)),
    description: `insert ${what} at ${at}`,
  };
}

const words = (chars) => 'word '.repeat(Math.ceil(chars / 5)).slice(0, chars);

/**
 * The terminal event missing, early or twice; an early `response.failed`; an error event, a
 * stray `[DONE]`, non-JSON data or a huge event between two events.
 */
function eventMutation(rng, base) {
  const terminal = base.marks.terminal;
  const terminalJson =
    terminal === undefined
      ? undefined
      : base.body.subarray(terminal.jsonStart, terminal.jsonEnd).toString('utf8');
  const at = rng.pick(insertionPoints(base));
  const kind = rng.weighted({
    'drop the terminal event': terminal === undefined ? 0 : 14,
    'an early terminal event': terminal === undefined ? 0 : 12,
    'the terminal event twice': terminal === undefined ? 0 : 10,
    'an early response.failed': 6,
    'a terminal event named only': 5,
    'an error event': 16,
    'a stray [DONE]': 8,
    'non-JSON data': 8,
    'a huge delta': 3,
    'a huge event without text': 2,
    'a long word': 3,
  });
  switch (kind) {
    case 'drop the terminal event': {
      const next = replaceRange(base, terminal.eventStart, terminal.eventEnd, '');
      next.marks.terminal = undefined;
      next.marks.done = undefined;
      return { base: next, description: `${kind} (${terminal.eventStart})` };
    }
    case 'an early terminal event': {
      const early = rng.pick(
        base.marks.boundaries.filter((offset) => offset < terminal.eventStart),
      );
      const payload = parseObject(terminalJson);
      if (payload !== undefined && rng.chance(0.5) && isPlainObject(payload.response)) {
        payload.response.usage = { input_tokens: 3, output_tokens: rng.int(0, 40) };
      }
      const json = payload === undefined ? terminalJson : JSON.stringify(payload);
      return insertEvent(base, early, payload?.type, json, kind);
    }
    case 'the terminal event twice': {
      const payload = parseObject(terminalJson);
      const second = rng.chance(0.5) ? 'response.completed' : rng.pick([...TERMINAL_EVENTS]);
      if (payload !== undefined) {
        payload.type = second;
        if (isPlainObject(payload.response))
          payload.response.usage = { output_tokens: rng.int(0, 99) };
      }
      return insertEvent(
        base,
        terminal.eventEnd,
        second,
        payload === undefined ? terminalJson : JSON.stringify(payload),
        kind,
      );
    }
    case 'an early response.failed': {
      const error = rng.pick([
        { code: rng.pick(ERROR_CODES), message: 'm' },
        { type: rng.pick(ERROR_NAMES), message: 'm' },
        null,
      ]);
      return insertEvent(
        base,
        at,
        'response.failed',
        JSON.stringify({ type: 'response.failed', response: { status: 'failed', error } }),
        kind,
      );
    }
    case 'a terminal event named only': {
      const name = rng.pick([...TERMINAL_EVENTS]);
      const usage = rng.chance(0.5) ? { output_tokens: rng.int(0, 30) } : rng.pick(COUNT_VALUES);
      return insertEvent(base, at, name, JSON.stringify({ response: { usage } }), kind);
    }
    case 'an error event': {
      const payload = errorPayload(rng);
      const named = rng.weighted({ error: 60, none: 25, other: 15 });
      if (named !== 'error' && rng.chance(0.5)) delete payload.type;
      const name =
        named === 'error' ? 'error' : named === 'none' ? undefined : rng.pick(EVENT_KINDS);
      return insertEvent(base, at, name || undefined, JSON.stringify(payload), kind);
    }
    case 'a stray [DONE]':
      return insertEvent(base, at, rng.chance(0.3) ? 'done' : undefined, '[DONE]', kind);
    case 'non-JSON data':
      return insertEvent(
        base,
        at,
        rng.chance(0.7) ? rng.pick(EVENT_KINDS) || undefined : undefined,
        rng.pick(NOT_OBJECTS),
        kind,
      );
    // Huge next to a stream's ~500-byte events, yet small enough to reach the client before
    // a reset ending: the server resets 25 ms after its last write, and bytes still queued in
    // its kernel then (a busy client reads a megabyte slower than that) are lost, which no
    // reference can foresee. The megabyte events are edge cases, on kept connections.
    case 'a huge delta': {
      const size = rng.pick([16_000, 30_000, 48_000]);
      return insertEvent(
        base,
        at,
        'response.output_text.delta',
        JSON.stringify({ type: 'response.output_text.delta', delta: words(size) }),
        `${kind} of ${size} characters`,
      );
    }
    case 'a huge event without text': {
      const size = rng.pick([10_000, 25_000]);
      return insertEvent(
        base,
        at,
        'response.in_progress',
        JSON.stringify({
          type: 'response.in_progress',
          response: { instructions: 'é'.repeat(size) },
        }),
        `${kind} of ${size} characters`,
      );
    }
    default: {
      const word = 'x'.repeat(rng.int(MAX_EXACT_WORD_CHARS - 2, MAX_EXACT_WORD_CHARS + 40));
      return insertEvent(
        base,
        at,
        'response.output_text.delta',
        JSON.stringify({ type: 'response.output_text.delta', delta: word }),
        `${kind} of ${word.length} characters`,
      );
    }
  }
}

/**
 * Splits one data line inside its JSON (a token boundary, a string, a multi-byte
 * character): continued on a second `data:` line (joined with a line feed), or broken by a
 * line end or a blank line.
 */
function splitInsideJson(rng, base) {
  const [start, end] = rng.pick(base.marks.json);
  if (end - start < 2) return undefined;
  const inside = base.marks.multibyte.filter((offset) => offset > start && offset < end);
  const at = inside.length > 0 && rng.chance(0.3) ? rng.pick(inside) : rng.int(start + 1, end - 1);
  const lineEnd = base.lineEnd;
  const how = rng.weighted({ 'a second data line': 60, 'a line end': 20, 'a blank line': 20 });
  const text =
    how === 'a second data line'
      ? `${lineEnd}${rng.pick(['data: ', 'data:'])}`
      : how === 'a line end'
        ? lineEnd
        : `${lineEnd}${lineEnd}data: `;
  return {
    base: replaceRange(base, at, at, text),
    description: `split the JSON at ${at} with ${how}`,
  };
}

const STREAM_MUTATIONS = {
  rewrite: [rewritePayload, 40],
  event: [eventMutation, 30],
  split: [splitInsideJson, 12],
  rename: [renameEvent, 12],
  'drop event line': [dropEventLine, 6],
};

/**
 * One or two protocol mutations (payload rewrites, terminal and error events moved, added
 * or dropped, JSON split, events renamed) now and then, one to three byte mutations of a
 * valid base stream, and (sometimes) a truncation. Returns the mutated body and, when
 * truncated, the bytes the server would have sent after the cut.
 * @param {import('../prng.mjs').Rng} rng
 * @param {ReturnType<typeof buildBaseStream>} original
 */
export function mutateStream(rng, original) {
  const steps = [];
  let base = original;
  if (rng.chance(0.5)) {
    const count = rng.chance(0.25) ? 2 : 1;
    const weights = Object.fromEntries(
      Object.entries(STREAM_MUTATIONS).map(([name, [, weight]]) => [name, weight]),
    );
    for (let i = 0; i < count; i++) {
      const [mutation] = STREAM_MUTATIONS[rng.weighted(weights)];
      const mutated = mutation(rng, base);
      if (mutated === undefined) continue;
      base = mutated.base;
      steps.push(mutated.description);
    }
  }
  let body = base.body;
  let tail = Buffer.alloc(0);
  if (rng.chance(0.3)) {
    ({ body, tail } = cutAtMarkedPlace(rng, body, steps, TRUNCATION_CLASSES, (label) =>
      truncationOffset(rng, base, label),
    ));
  }
  const count = byteOperatorCount(rng, body, { 0: steps.length > 0 ? 50 : 6, 1: 60, 2: 20, 3: 10 });
  body = applyByteOperators(rng, body, count, steps, {
    offsetFor: (length) => mutationOffset(rng, base, length),
  });
  return mutatedStream(body, tail, steps);
}

// ---------------------------------------------------------------------------------------
// Edge cases
// ---------------------------------------------------------------------------------------

const SSE_HEADERS = [
  ['Content-Type', SSE_TYPE],
  ['Cache-Control', 'no-cache'],
];

const event = (name, payload) =>
  `${name === undefined ? '' : `event: ${name}\n`}data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
/** An event named after its own JSON type. */
const typed = (type, fields = {}) => event(type, { type, ...fields });
const responseObject = (status, extra = {}) => ({
  id: 'resp_edge',
  object: 'response',
  created_at: 1_765_000_000,
  status,
  model: 'fuzz-model',
  output: [],
  usage: null,
  ...extra,
});
const USAGE = {
  input_tokens: 12,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 9,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 21,
};
const CREATED = typed('response.created', { response: responseObject('in_progress') });
const IN_PROGRESS = typed('response.in_progress', { response: responseObject('in_progress') });
const delta = (type, text) => typed(type, { item_id: 'item_edge', output_index: 0, delta: text });
const textDelta = (text) => delta('response.output_text.delta', text);
const completed = (usage = USAGE) =>
  typed('response.completed', { response: responseObject('completed', { usage }) });
const failed = (error, usage = null) =>
  typed('response.failed', { response: responseObject('failed', { error, usage }) });
const errorEvent = (error) => event('error', { type: 'error', ...error });
const nestedError = (type, code) =>
  errorEvent({ error: { type, code, message: 'm', param: null } });

/** The start of a short response: three answer deltas (9 tokens by its usage). */
const shortResponse = () =>
  CREATED +
  IN_PROGRESS +
  typed('response.output_item.added', {
    output_index: 0,
    item: {
      id: 'msg_edge',
      type: 'message',
      status: 'in_progress',
      content: [],
      role: 'assistant',
    },
  }) +
  textDelta('The pilot') +
  textDelta(' took the helm') +
  textDelta(' at dawn.') +
  typed('response.output_text.done', { text: 'The pilot took the helm at dawn.' });
const validBody = () => shortResponse() + completed();
const sseResponse = (body, framing = 'length', headers = SSE_HEADERS) =>
  buildResponse(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), { headers, framing });
const jsonResponse = (status, body, extraHeaders = []) =>
  buildResponse(Buffer.from(JSON.stringify(body)), {
    status,
    headers: [['Content-Type', 'application/json'], ...extraHeaders],
    framing: 'length',
  });

/**
 * The lowered --max-event-bytes of the size-cap cases (one CLI run for all of them): under
 * the 4 KiB slices the client parses a body in, above every line of a base stream (the run's
 * control case is one; their longest lines are under 2 KB).
 */
const SMALL_CAP = 3_072;

/**
 * Hand-written hostile responses for this protocol, with the same members as openai-chat's
 * (`expect`, `build(rng)` and the optional checks). Broken HTTP itself is the OpenAI chat
 * module's to cover: the framing is shared.
 */
export function edgeCases() {
  const cases = [];
  const add = (name, expect, build, checks = {}) => cases.push({ name, expect, build, ...checks });
  const stream =
    (body, ending = 'keep', framing = 'length') =>
    () => ({ bytes: sseResponse(body, framing), ending });

  // Sound streams.
  add('text-completed', 'ok', stream(validBody()), { tokenEvents: 3 });
  add(
    'reasoning-summary-then-text',
    'ok',
    stream(
      CREATED +
        delta('response.reasoning_summary_text.delta', '**Tides**') +
        delta('response.reasoning_summary_text.delta', ' first.') +
        typed('response.reasoning_summary_text.done', { text: '**Tides** first.' }) +
        textDelta('Wait for the tide.') +
        completed({ ...USAGE, output_tokens: 40, output_tokens_details: { reasoning_tokens: 30 } }),
    ),
    { tokenEvents: 3 },
  );
  add(
    'raw-reasoning-text',
    'ok',
    stream(
      CREATED +
        delta('response.reasoning_text.delta', 'Hmm, the tide') +
        delta('response.reasoning_text.delta', ' turns.') +
        textDelta('Now.') +
        completed(),
    ),
    { tokenEvents: 3 },
  );
  add(
    'every-tool-delta-kind',
    'ok',
    stream(
      CREATED +
        delta('response.function_call_arguments.delta', '{"port":') +
        delta('response.custom_tool_call_input.delta', 'raw input') +
        delta('response.mcp_call_arguments.delta', '{"q":1}') +
        delta('response.code_interpreter_call_code.delta', 'print(1)') +
        typed('response.function_call_arguments.done', { arguments: '{"port":"Kiel"}' }) +
        completed(),
    ),
    { tokenEvents: 4 },
  );
  add(
    'refusal-deltas',
    'ok',
    stream(
      CREATED +
        delta('response.refusal.delta', "I'm sorry,") +
        delta('response.refusal.delta', ' no.') +
        typed('response.refusal.done', { refusal: "I'm sorry, no." }) +
        completed(),
    ),
    { tokenEvents: 2 },
  );
  add(
    'hidden-reasoning-usage-only',
    'ok',
    stream(
      CREATED +
        typed('response.output_item.added', { item: { type: 'reasoning', summary: [] } }) +
        typed('response.output_item.done', { item: { type: 'reasoning', summary: [] } }) +
        textDelta('3') +
        completed({
          input_tokens: 32,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: 647,
          output_tokens_details: { reasoning_tokens: 640 },
          total_tokens: 679,
        }),
    ),
    { tokenEvents: 1 },
  );
  add(
    'reasoning-left-out-of-output-tokens',
    'ok',
    stream(
      shortResponse() +
        completed({
          input_tokens: 291,
          output_tokens: 26,
          output_tokens_details: { reasoning_tokens: 196 },
          total_tokens: 513,
        }),
    ),
    { tokenEvents: 3 },
  );
  add(
    'incomplete-max-output-tokens',
    'ok',
    stream(
      shortResponse() +
        typed('response.incomplete', {
          response: responseObject('incomplete', {
            incomplete_details: { reason: 'max_output_tokens' },
            usage: USAGE,
          }),
        }),
    ),
    { tokenEvents: 3 },
  );
  add(
    'empty-and-non-string-deltas',
    'ok',
    stream(
      CREATED +
        textDelta('') +
        textDelta('x') +
        delta('response.output_text.delta', 42) +
        delta('response.reasoning_text.delta', null) +
        typed('response.function_call_arguments.delta', { delta: { text: 'a' } }) +
        completed(),
    ),
    { tokenEvents: 1 },
  );
  add(
    'keepalive-annotation-and-unknown-events',
    'ok',
    stream(
      CREATED +
        typed('keepalive') +
        textDelta('Kept.') +
        typed('response.output_text.annotation.added', { annotation: { type: 'url_citation' } }) +
        typed('response.a_future_event', { delta: 'not a token' }) +
        typed('response.output_text.done', { text: 'Kept.' }) +
        completed(),
    ),
    { tokenEvents: 1 },
  );
  add('no-content-at-all', 'ok', stream(CREATED + completed({ output_tokens: 0 })), {
    tokenEvents: 0,
  });
  add('usage-null-tokenizer-counts', 'ok', stream(shortResponse() + completed(null)), {
    tokenEvents: 3,
  });
  add(
    'usage-without-output-tokens',
    'ok',
    stream(shortResponse() + completed({ input_tokens: 12 })),
    { tokenEvents: 3 },
  );
  add(
    'usage-on-created-is-not-read',
    'ok',
    stream(
      typed('response.created', {
        response: responseObject('in_progress', { usage: { output_tokens: 1e300 } }),
      }) +
        textDelta('a b') +
        completed(null),
    ),
    { tokenEvents: 1 },
  );
  add(
    'terminal-response-not-an-object',
    'ok',
    stream(shortResponse() + typed('response.completed', { response: [USAGE] })),
    { tokenEvents: 3 },
  );

  // [DONE], which the Responses API never sends.
  add(
    'stray-done-before-terminal',
    'ok',
    stream(`${CREATED}${textDelta('a')}data: [DONE]\n\n${textDelta('b')}${completed()}`),
    { tokenEvents: 2 },
  );
  add('stray-done-after-terminal', 'ok', stream(`${validBody()}data: [DONE]\n\n`), {
    tokenEvents: 3,
  });
  add(
    'done-named-error-is-passed-over',
    'ok',
    stream(`${CREATED}event: error\ndata: [DONE]\n\n${completed()}`),
    { tokenEvents: 0 },
  );
  add(
    'done-without-terminal',
    'stream_interrupted',
    stream(`${shortResponse()}data: [DONE]\n\n`, 'close', 'close'),
  );
  add(
    'done-with-trailing-space-is-not-json',
    'protocol',
    stream(`${shortResponse()}data: [DONE] \n\n${completed()}`),
  );

  // Event names and JSON types.
  add(
    'json-type-wins-over-event-name',
    'ok',
    stream(
      CREATED +
        event('response.completed', { type: 'response.output_text.delta', delta: 'counted' }) +
        event('response.output_text.delta', { type: 'response.in_progress', delta: 'not' }) +
        event('error', { type: 'keepalive', code: 'rate_limit_exceeded' }) +
        completed(),
    ),
    { tokenEvents: 1 },
  );
  add(
    'event-name-decides-without-a-type',
    'ok',
    stream(
      `${CREATED}${event('response.output_text.delta', { delta: 'x' })}${event('response.completed', { response: { usage: { output_tokens: 4 } } })}`,
    ),
    { tokenEvents: 1 },
  );
  add(
    'non-string-type-event-name-decides',
    'ok',
    stream(
      `${CREATED}${event('response.output_text.delta', { type: 7, delta: 'x' })}${event('response.incomplete', { type: null })}`,
    ),
    { tokenEvents: 1 },
  );
  add(
    'empty-type-hides-the-event-name',
    'stream_interrupted',
    stream(`${shortResponse()}${event('response.completed', { type: '', response: {} })}`),
  );
  add(
    'no-event-lines-at-all',
    'ok',
    stream(
      validBody()
        .split('\n')
        .filter((line) => !line.startsWith('event:'))
        .join('\n'),
    ),
    { tokenEvents: 3 },
  );
  add(
    'data-line-before-event-line',
    'ok',
    stream(
      validBody().replace(
        /event: ([\w.]+)\ndata: (.*)\n/g,
        (_, name, data) => `data: ${data}\nevent: ${name}\n`,
      ),
    ),
    { tokenEvents: 3 },
  );
  add(
    'completed-named-error',
    'ok',
    stream(shortResponse() + event('error', { type: 'response.completed', response: {} })),
    { tokenEvents: 3 },
  );
  add(
    'error-named-completed',
    'rate_limited',
    stream(
      shortResponse() + event('response.completed', { type: 'error', code: 'rate_limit_exceeded' }),
    ),
  );
  add(
    'proxy-error-without-type-or-name',
    'rate_limited',
    stream(
      `${CREATED}${event(undefined, { error: { type: 'rate_limit_exceeded', message: 'm' } })}`,
    ),
  );
  add(
    'error-member-on-a-named-event-is-no-error',
    'ok',
    stream(
      `${CREATED}${event('response.in_progress', { error: { type: 'server_error' } })}${textDelta('a')}${completed()}`,
    ),
    { tokenEvents: 1 },
  );
  add(
    'empty-type-with-error-member',
    'auth',
    stream(`${CREATED}${event('keepalive', { type: '', error: { code: 'invalid_api_key' } })}`),
  );

  // The end.
  add('no-terminal-clean-close', 'stream_interrupted', stream(shortResponse(), 'close', 'close'));
  add('no-terminal-complete-length', 'stream_interrupted', stream(shortResponse()));
  add('terminal-without-blank-line', 'ok', stream(validBody().slice(0, -1), 'close', 'close'), {
    tokenEvents: 3,
  });
  add('terminal-unterminated-line', 'ok', stream(validBody().slice(0, -2), 'close', 'close'), {
    tokenEvents: 3,
  });
  add(
    'terminal-data-line-ends-in-cr-no-blank-line',
    'ok',
    stream(validBody().replaceAll('\n', '\r\n').slice(0, -3), 'close', 'close'),
    { tokenEvents: 3 },
  );
  add(
    'terminal-cut-inside-json',
    'stream_interrupted',
    stream(validBody().slice(0, -12), 'close', 'close'),
  );
  add(
    'terminal-without-blank-line-reset-before-declared-length',
    'ok',
    () => ({
      bytes: buildResponse(Buffer.from(validBody().slice(0, -1)), {
        headers: SSE_HEADERS,
        framing: 'length',
        declaredLength: validBody().length + 300,
      }),
      ending: 'reset',
    }),
    { tokenEvents: 3 },
  );
  add(
    'terminal-then-connection-kept-open',
    'ok',
    () => ({ bytes: sseResponse(validBody(), 'close'), ending: 'open' }),
    { tokenEvents: 3, maxE2eMs: 2000 },
  );
  add(
    'terminal-then-chunked-never-terminated',
    'ok',
    () => ({
      bytes: Buffer.concat([
        responseHead(200, [...SSE_HEADERS, ['Transfer-Encoding', 'chunked']]),
        encodeChunked(Buffer.from(validBody()), [90], false).bytes,
      ]),
      ending: 'open',
    }),
    { tokenEvents: 3, maxE2eMs: 2000 },
  );
  add(
    'terminal-twice-the-first-counts',
    'ok',
    stream(validBody() + completed({ output_tokens: 50 }) + failed({ code: 'server_error' })),
    { tokenEvents: 3 },
  );
  add(
    'early-terminal-then-more-deltas',
    'ok',
    stream(CREATED + textDelta('one') + completed({ output_tokens: 1 }) + textDelta(' two')),
    { tokenEvents: 1 },
  );
  add(
    'events-and-garbage-after-terminal',
    'ok',
    (rng) => ({
      bytes: Buffer.concat([
        sseResponse(
          `${validBody()}${textDelta(' late')}${nestedError('server_error', 'server_error')}data: {broken\n\n`,
          'close',
        ),
        rng.bytes(200),
      ]),
      ending: 'close',
    }),
    { tokenEvents: 3 },
  );
  add(
    'unterminated-error-event-at-end',
    'stream_interrupted',
    stream(
      `${shortResponse()}event: error\ndata: {"type":"error","code":"rate_limit_exceeded"}\n`,
      'close',
      'close',
    ),
  );
  add(
    'unterminated-failed-at-end',
    'rate_limited',
    stream(failed({ code: 'rate_limit_exceeded', message: 'm' }).slice(0, -1), 'close', 'close'),
  );

  // Errors the server reports.
  const errorCase = (name, expect, body) =>
    add(name, expect, stream(CREATED + body, 'close', 'close'));
  errorCase(
    'insufficient-quota-then-failed',
    'rate_limited',
    nestedError('insufficient_quota', 'insufficient_quota') +
      failed({ code: 'insufficient_quota', message: 'quota' }),
  );
  errorCase(
    'error-top-level-code',
    'rate_limited',
    errorEvent({ code: 'rate_limit_exceeded', message: 'm', param: null }),
  );
  errorCase('error-code-429-number', 'rate_limited', errorEvent({ code: 429, message: 'm' }));
  errorCase('error-code-401-string', 'auth', errorEvent({ code: '401', message: 'm' }));
  errorCase('error-code-403-nested', 'auth', nestedError(undefined, 403));
  errorCase('error-code-404', 'client_error', errorEvent({ code: '404', message: 'm' }));
  errorCase(
    'error-context-length',
    'client_error',
    nestedError('invalid_request_error', 'context_length_exceeded'),
  );
  errorCase('error-server-error', 'server_error', nestedError('server_error', 'server_error'));
  errorCase(
    'error-code-constructor',
    'server_error',
    errorEvent({ code: 'constructor', message: 'm' }),
  );
  errorCase('error-type-constructor', 'server_error', nestedError('constructor', 'constructor'));
  errorCase('error-code-proto', 'server_error', errorEvent({ code: '__proto__', message: 'm' }));
  errorCase('error-type-to-string', 'server_error', nestedError('toString', 'hasOwnProperty'));
  errorCase('error-code-4290', 'server_error', errorEvent({ code: '4290', message: 'm' }));
  errorCase('error-code-boolean', 'server_error', errorEvent({ code: true, message: 'm' }));
  errorCase('error-without-anything', 'server_error', event('error', {}));
  errorCase(
    'error-string-with-error-type',
    'rate_limited',
    errorEvent({ error: 'Too many requests', error_type: 'rate_limit_error' }),
  );
  errorCase(
    'error-member-not-an-object-top-level-code',
    'auth',
    errorEvent({ error: 5, code: 'invalid_api_key' }),
  );
  errorCase(
    'nested-error-wins-over-top-level-code',
    'server_error',
    errorEvent({ error: {}, code: 'rate_limit_exceeded' }),
  );
  errorCase('failed-without-error-object', 'server_error', failed(null));
  errorCase(
    'failed-response-not-an-object',
    'server_error',
    typed('response.failed', { response: 'failed' }),
  );
  errorCase('failed-with-auth-code', 'auth', failed({ code: 'invalid_api_key', message: 'm' }));
  errorCase(
    'failed-after-another-error-the-first-decides',
    'client_error',
    nestedError('invalid_request_error', 'x') + failed({ code: 'rate_limit_exceeded' }),
  );
  add(
    'error-then-completed',
    'server_error',
    stream(shortResponse() + nestedError('server_error', null) + completed()),
  );
  add(
    'completed-then-error',
    'ok',
    stream(validBody() + nestedError('rate_limit_error', 'rate_limit_exceeded')),
    { tokenEvents: 3 },
  );
  add(
    'two-errors-the-first-decides',
    'auth',
    stream(CREATED + errorEvent({ code: 'invalid_api_key' }) + nestedError('server_error', 500)),
  );
  add(
    'error-then-malformed-json',
    'protocol',
    stream(`${CREATED}${nestedError('server_error', 500)}event: keepalive\ndata: {oops\n\n`),
  );
  add(
    'huge-error-message',
    'server_error',
    stream(CREATED + errorEvent({ code: 'server_error', message: 'E'.repeat(2_000_000) })),
    { maxErrorMessageChars: 2000 },
  );

  // Data that is not a JSON object.
  add(
    'malformed-json',
    'protocol',
    stream(`${CREATED}event: keepalive\ndata: {"type":\n\n${completed()}`),
  );
  add(
    'array-data',
    'protocol',
    stream(`${CREATED}data: [${JSON.stringify(USAGE)}]\n\n${completed()}`),
  );
  add('null-data', 'protocol', stream(`${CREATED}event: response.completed\ndata: null\n\n`));
  add('empty-data', 'protocol', stream(`${CREATED}event: keepalive\ndata:\n\n${completed()}`));
  add(
    'event-line-without-data-is-no-event',
    'ok',
    stream(`${CREATED}event: response.failed\n\n${textDelta('a')}${completed()}`),
    { tokenEvents: 1 },
  );
  add(
    'malformed-json-after-terminal',
    'ok',
    stream(`${validBody()}event: keepalive\ndata: {oops\n\n`),
    { tokenEvents: 3 },
  );
  add(
    'json-split-inside-a-string',
    'protocol',
    stream(
      `${CREATED}event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"ab\ndata: cd"}\n\n${completed()}`,
    ),
  );
  add(
    'json-split-between-members',
    'ok',
    stream(
      `${CREATED}event: response.output_text.delta\ndata: {"type":"response.output_text.delta",\ndata: "delta":"joined"}\n\n${completed()}`,
    ),
    { tokenEvents: 1 },
  );
  add('json-split-inside-a-multibyte-character', 'protocol', () => {
    const text = `${CREATED}event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"中"}\n\n${completed()}`;
    const bytes = Buffer.from(text);
    const at = bytes.indexOf(Buffer.from('中')) + 1;
    const body = Buffer.concat([
      bytes.subarray(0, at),
      Buffer.from('\ndata: '),
      bytes.subarray(at),
    ]);
    return { bytes: sseResponse(body), ending: 'keep' };
  });

  // Usage.
  const absurd = (name, usage) =>
    add(name, 'ok', stream(shortResponse() + completed(usage)), {
      tokenEvents: 3,
      usageIgnored: true,
    });
  absurd('usage-output-1e300', { ...USAGE, output_tokens: 1e300 });
  absurd('usage-output-fractional', { ...USAGE, output_tokens: 8.5 });
  absurd('usage-output-string', { ...USAGE, output_tokens: '9' });
  absurd('usage-input-2pow53', { ...USAGE, input_tokens: 2 ** 53 });
  absurd('usage-cached-negative', { ...USAGE, input_tokens_details: { cached_tokens: -1 } });
  absurd('usage-reasoning-boolean', {
    ...USAGE,
    output_tokens_details: { reasoning_tokens: true },
  });
  absurd('usage-output-over-1e9', { ...USAGE, output_tokens: 1e9 + 1 });
  add(
    'usage-output-1e9-accepted',
    'ok',
    stream(shortResponse() + completed({ output_tokens: 1e9 })),
    {
      tokenEvents: 3,
    },
  );
  add(
    'usage-in-failed-response',
    'server_error',
    stream(shortResponse() + failed({ code: 'server_error' }, { output_tokens: 1e300 })),
  );

  // Framing variants of a sound stream.
  add('bom', 'ok', stream(`\ufeff${validBody()}`), { tokenEvents: 3 });
  add('crlf-line-ends', 'ok', stream(validBody().replaceAll('\n', '\r\n'), 'keep', 'chunked'), {
    tokenEvents: 3,
  });
  add('cr-only-line-ends', 'ok', stream(validBody().replaceAll('\n', '\r')), { tokenEvents: 3 });
  add(
    'comments-ids-and-retry',
    'ok',
    stream(
      `: hello\n\nretry: 3000\n\n${validBody().replaceAll('event: ', ': keep-alive\nid: 7\nevent: ')}`,
    ),
    { tokenEvents: 3 },
  );
  add('padded-json', 'ok', stream(validBody().replace(/^(data: .*)$/gm, '$1        ')), {
    tokenEvents: 3,
  });
  add(
    'split-utf8-one-byte-writes',
    'ok',
    () => ({
      bytes: sseResponse(
        `${CREATED}${textDelta('中文 🦀 café')}${textDelta(' 👩‍💻')}${completed({ output_tokens: 9 })}`,
        'chunked',
      ),
      ending: 'keep',
      writes: 'bytewise',
    }),
    { tokenEvents: 2 },
  );
  add(
    'text-plain-full-stream',
    'ok',
    () => ({
      bytes: sseResponse(validBody(), 'length', [['Content-Type', 'text/plain']]),
      ending: 'keep',
    }),
    { tokenEvents: 3 },
  );

  // HTTP statuses in OpenAI's error shape, and bodies that are not event streams.
  const apiError = (type, code, message = 'm') => ({ error: { message, type, param: null, code } });
  add('status-401', 'auth', () => ({
    bytes: jsonResponse(401, apiError('invalid_request_error', 'invalid_api_key')),
    ending: 'keep',
  }));
  add('status-429', 'rate_limited', () => ({
    bytes: jsonResponse(429, apiError('requests', 'rate_limit_exceeded'), [['Retry-After', '2']]),
    ending: 'keep',
  }));
  add('status-400', 'client_error', () => ({
    bytes: jsonResponse(400, apiError('invalid_request_error', 'integer_below_min_value')),
    ending: 'keep',
  }));
  add('status-500', 'server_error', () => ({
    bytes: jsonResponse(500, apiError('server_error', null)),
    ending: 'keep',
  }));
  add(
    'json-response-object-with-status-200',
    'protocol',
    () => ({
      bytes: jsonResponse(200, responseObject('completed', { usage: USAGE })),
      ending: 'keep',
    }),
    { messageIncludes: 'application/json' },
  );
  add('empty-200-event-stream', 'stream_interrupted', stream('', 'close', 'close'));
  add('gzip-stream', 'protocol', () => ({
    bytes: buildResponse(gzipSync(Buffer.from(validBody())), {
      headers: [...SSE_HEADERS, ['Content-Encoding', 'gzip']],
    }),
    ending: 'keep',
  }));

  // Sizes: a large event under the default cap, and the cap lowered with --max-event-bytes.
  add('delta-of-one-mib', 'ok', stream(CREATED + textDelta(words(1_048_576)) + completed(null)), {
    tokenEvents: 1,
  });
  add(
    'event-of-three-mib-without-text',
    'ok',
    stream(
      CREATED +
        typed('response.in_progress', { response: { instructions: 'é'.repeat(1_572_864) } }) +
        textDelta('small') +
        completed(),
    ),
    { tokenEvents: 1 },
  );
  add(
    'max-event-bytes-line-over',
    'protocol',
    stream(CREATED + textDelta(words(5_000)) + completed()),
    { maxEventBytes: SMALL_CAP },
  );
  add(
    'max-event-bytes-many-data-lines-over',
    'protocol',
    stream(
      `${CREATED}event: keepalive\n${'data: {}\n'.repeat(2)}${`data: ${'x'.repeat(1000)}\n`.repeat(4)}\n${completed()}`,
    ),
    { maxEventBytes: SMALL_CAP },
  );
  add('max-event-bytes-under', 'ok', stream(CREATED + textDelta(words(2_500)) + completed()), {
    maxEventBytes: SMALL_CAP,
    tokenEvents: 1,
  });
  add(
    'max-event-bytes-terminal-over',
    'protocol',
    stream(shortResponse() + completed({ ...USAGE, padding: 'p'.repeat(4_000) })),
    { maxEventBytes: SMALL_CAP },
  );
  // What follows the terminal event is ignored, an over-long line included: in a later
  // 4 KiB parse slice of the body, and in the same one (the whole body is under 4 KiB).
  add(
    'max-event-bytes-line-over-after-terminal',
    'ok',
    stream(`${validBody()}event: keepalive\ndata: ${'x'.repeat(6_000)}\n\n`),
    { maxEventBytes: SMALL_CAP, tokenEvents: 3 },
  );
  add(
    'max-event-bytes-line-over-right-after-terminal',
    'ok',
    stream(
      `${textDelta('hi')}${event('response.completed', { type: 'response.completed' })}data: ${'x'.repeat(3_200)}\n\n`,
    ),
    { maxEventBytes: SMALL_CAP, tokenEvents: 1 },
  );

  return cases;
}

// ---------------------------------------------------------------------------------------
// The protocol, as the fuzz runner uses it
// ---------------------------------------------------------------------------------------

/** The OpenAI Responses API streaming protocol module. */
export const openaiResponses = {
  name: 'openai-responses',
  cliArgs: (baseUrl) => [
    '--provider',
    'openai-compatible',
    '--api',
    'responses',
    '--base-url',
    `${baseUrl}/v1`,
    '-m',
    'fuzz-model',
  ],
  requestPath: '/v1/responses',
  contentType: SSE_TYPE,
  buildBaseStream,
  mutateStream,
  edgeCases,
  referenceOutcome,
};
