/**
 * The Anthropic Messages streaming protocol (`POST /v1/messages` with `stream: true`), as the
 * fuzz suite sees it: valid base streams, the mutations worth making to them, hand-written
 * hostile responses, and the reference decoder that says what llm-lens must report for any
 * response. Written from the wire format (Anthropic's streaming and error documentation,
 * /work/shared/PROTOCOLS.md) and the adapter's documented reading (its README), never from
 * the product's parsing code.
 */
import { gzipSync } from 'node:zlib';
import { buildResponse, encodeChunked, responseHead } from '../http-wire.mjs';
import {
  countsProblem,
  isPlainObject,
  okOutcome,
  readStreamingResponse,
  stringOr,
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

// ---------------------------------------------------------------------------------------
// Reference decoder
// ---------------------------------------------------------------------------------------

/**
 * Classes of Anthropic's error types (https://docs.anthropic.com/en/api/errors), as the
 * adapter's README documents them; any other type, or none, is a server error.
 */
const ERROR_CLASSES = new Map([
  ['invalid_request_error', 'client_error'],
  ['not_found_error', 'client_error'],
  ['request_too_large', 'client_error'],
  ['authentication_error', 'auth'],
  ['permission_error', 'auth'],
  ['billing_error', 'auth'],
  ['rate_limit_error', 'rate_limited'],
  ['timeout_error', 'timeout_total'],
  ['api_error', 'server_error'],
  ['overloaded_error', 'server_error'],
]);

/** The error class of an `error` event's payload: by `error.type` when `error` is an object. */
export function classOfAnthropicError(payload) {
  const type = isPlainObject(payload.error) ? payload.error.type : undefined;
  return (typeof type === 'string' && ERROR_CLASSES.get(type)) || 'server_error';
}

/**
 * What an event is: the payload's own `type` when it is a non-empty string, else the SSE
 * event name. The two say the same on a sound stream; the payload is what SDKs dispatch on.
 */
export function eventKind(payload, sseType) {
  return typeof payload.type === 'string' && payload.type !== '' ? payload.type : sseType;
}

/** Why a usage object must be ignored, or undefined when every count in it is usable. */
export function usageProblem(usage) {
  const counts = {
    input_tokens: usage.input_tokens,
    output_tokens: usage.output_tokens,
    cache_read_input_tokens: usage.cache_read_input_tokens,
    cache_creation_input_tokens: usage.cache_creation_input_tokens,
    'output_tokens_details.thinking_tokens': isPlainObject(usage.output_tokens_details)
      ? usage.output_tokens_details.thinking_tokens
      : undefined,
  };
  return countsProblem(counts);
}

/**
 * The generated text of a `content_block_delta`: `text` of a `text_delta` (answer),
 * `thinking` of a `thinking_delta` (reasoning), `partial_json` of an `input_json_delta`
 * (tool input). Other deltas (`signature_delta`, `citations_delta`, new kinds) carry none.
 */
export function deltaText(payload) {
  const delta = payload.delta;
  const text = { answer: '', reasoning: '', tool: '' };
  if (!isPlainObject(delta)) return text;
  if (delta.type === 'text_delta') text.answer = stringOr(delta.text);
  else if (delta.type === 'thinking_delta') text.reasoning = stringOr(delta.thinking);
  else if (delta.type === 'input_json_delta') text.tool = stringOr(delta.partial_json);
  return text;
}

/** The usage object an event carries: `message.usage` of message_start, `usage` of message_delta. */
function usageOf(kind, payload) {
  if (kind === 'message_start')
    return isPlainObject(payload.message) ? payload.message.usage : undefined;
  if (kind === 'message_delta') return payload.usage;
  return undefined;
}

/**
 * The outcome llm-lens must report for a streaming Messages request answered with `bytes`,
 * after which the server left the connection as `ending` says. Same Outcome shape as
 * openai-chat.mjs.
 * @param {{ bytes: Buffer, ending: import('../http-reference.mjs').Ending, maxEventBytes?: number }} served
 * @returns {import('./openai-chat.mjs').Outcome}
 */
export function referenceOutcome({ bytes, ending, maxEventBytes = DEFAULT_MAX_EVENT_BYTES }) {
  const response = readStreamingResponse(bytes, ending);
  if (response.outcome !== undefined) return response.outcome;
  const { http, mediaType } = response;
  const encodingOutcome = unrequestedEncoding(http);
  if (encodingOutcome !== undefined) return encodingOutcome;

  const stream = readEventStream(http.body, { maxEventBytes });
  let protocolError;
  let firstError;
  let sawMessageStop = false;
  // Events that told the client something: a token, a usage report or an error.
  let informativeEvents = 0;
  let tokenEvents = 0;
  let answer = '';
  let reasoning = '';
  let tool = '';
  let outputTokens;
  let usageIgnored;

  for (const event of stream.events) {
    let payload;
    try {
      payload = JSON.parse(event.data);
    } catch {
      protocolError = `malformed JSON ${JSON.stringify(event.data.slice(0, 60))}`;
      break;
    }
    if (!isPlainObject(payload)) {
      protocolError = `an event that is not a JSON object ${JSON.stringify(event.data.slice(0, 60))}`;
      break;
    }
    const kind = eventKind(payload, event.type);
    if (kind === 'message_stop') {
      sawMessageStop = true;
      break;
    }
    if (kind === 'error') {
      informativeEvents++;
      firstError ??= {
        errorClass: classOfAnthropicError(payload),
        type: isPlainObject(payload.error) ? payload.error.type : undefined,
      };
      continue;
    }
    if (kind === 'content_block_delta') {
      const text = deltaText(payload);
      if (text.answer.length > 0 || text.reasoning.length > 0 || text.tool.length > 0) {
        informativeEvents++;
        tokenEvents++;
        answer += text.answer;
        reasoning += text.reasoning;
        tool += text.tool;
      }
      continue;
    }
    const usage = usageOf(kind, payload);
    if (isPlainObject(usage)) {
      informativeEvents++;
      const problem = usageProblem(usage);
      // The last valid report wins for each count it carries: message_start's output count
      // (1) stands until message_delta brings the cumulative one.
      if (problem !== undefined) usageIgnored ??= problem;
      else if (typeof usage.output_tokens === 'number') outputTokens = usage.output_tokens;
    }
    // ping, content_block_start, content_block_stop and unknown kinds tell nothing.
  }

  if (!sawMessageStop && protocolError === undefined) {
    if (stream.overflow !== undefined) protocolError = stream.overflow;
    else if (http.bodyEnd === 'framing')
      protocolError = `broken chunk framing: ${http.framingError}`;
  }
  if (protocolError !== undefined) return { errorClass: 'protocol', reason: protocolError };
  if (firstError !== undefined) {
    return {
      errorClass: firstError.errorClass,
      reason: `error event (type ${JSON.stringify(firstError.type)})`,
    };
  }
  if (!sawMessageStop) {
    if (http.bodyEnd === 'open') {
      return {
        errorClass: 'timeout_total',
        reason: 'the body neither ends nor reaches message_stop',
      };
    }
    if (informativeEvents === 0 && mediaType !== 'text/event-stream') {
      return {
        errorClass: 'protocol',
        reason: `expected text/event-stream, got ${mediaType || 'no Content-Type'}`,
      };
    }
    // An event still open when the body ends is discarded (WHATWG), message_stop included.
    return { errorClass: 'stream_interrupted', reason: 'the body ended without message_stop' };
  }

  return okOutcome({
    reason: 'message_stop seen',
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
// text that looks like SSE fields or events.
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
  ' event: message_stop',
  ' data: {"type":"message_stop"}',
  ' }{',
  '.',
];
const TOOL_PIECES = ['{"city":', ' "Zürich"', ', "unit": "c"}', '{}', '"東京"', '[1, 2'];

/** Builds the body while remembering where its parts are, in bytes. */
class StreamWriter {
  parts = [];
  length = 0;
  marks = {
    /** Offsets of the first byte of each `data` field name. */
    dataLines: [],
    /** [start, end) of each `event:` field's value. */
    eventNames: [],
    /** [start, end) of each JSON payload. */
    json: [],
    /** Offsets where an event starts (after the previous event's blank line). */
    boundaries: [],
    /** Offsets strictly inside a multi-byte UTF-8 character. */
    multibyte: [],
    /** Where the message_stop event is: its start, its JSON, the end of its data line. */
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
    const { start } = this.line(`${this.eventPrefix}${name}`);
    const valueStart = start + Buffer.byteLength(this.eventPrefix);
    this.marks.eventNames.push([valueStart, valueStart + Buffer.byteLength(name)]);
  }

  /**
   * One event: an optional comment and id, the `event:` line before (or, now and then,
   * after) the data, the JSON over one or two data lines, padding after the JSON, and the
   * blank line. Returns where its JSON and its last data line end.
   */
  event(name, json, { comment, id, splitData, dataFirst, padding = '' }) {
    this.marks.boundaries.push(this.length);
    const eventStart = this.length;
    if (comment !== undefined) this.line(comment);
    if (id !== undefined) this.line(`id: ${id}`);
    if (!dataFirst) this.#eventLine(name);
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
    if (dataFirst) this.#eventLine(name);
    const lineEnd = this.length;
    this.write(this.lineEnd);
    return { eventStart, jsonStart, jsonEnd, lineEnd };
  }

  body() {
    return Buffer.concat(this.parts);
  }
}

const ERROR_EVENT_TYPES = [
  ['overloaded_error', 'Overloaded'],
  ['api_error', 'Internal server error'],
  ['rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'],
  ['invalid_request_error', 'prompt is too long'],
  ['authentication_error', 'invalid x-api-key'],
];

/**
 * A valid stream as the Messages API sends it: message_start (input, cache and a first
 * output count), then content blocks — thinking deltas closed by a signature, text deltas,
 * tool input as `input_json_delta` (the first often empty) — each between its
 * content_block_start and content_block_stop, pings anywhere, message_delta with the stop
 * reason and the cumulative output, and message_stop; or, now and then, an error event
 * instead of the end.
 * @param {import('../prng.mjs').Rng} rng
 */
export function buildBaseStream(rng) {
  const lineEnd = rng.weighted({ '\n': 80, '\r\n': 15, '\r': 5 });
  const writer = new StreamWriter(
    lineEnd,
    rng.chance(0.9) ? 'data: ' : 'data:',
    rng.chance(0.9) ? 'event: ' : 'event:',
  );
  const pingRate = rng.pick([0, 0.1, 0.3]);
  const withComments = rng.chance(0.15);
  const withIds = rng.chance(0.08);
  const dataFirst = rng.chance(0.08);
  const padded = rng.chance(0.15);
  const escapeNonAscii = rng.chance(0.15);
  const endsWithError = rng.chance(0.06);
  const hasThinking = rng.chance(0.35);
  const hasTool = rng.chance(0.25);
  // A gateway that strips usage: the client must count the tokens itself.
  const stripsUsage = rng.chance(0.04);
  const inputTokens = rng.int(5, 3000);
  const cacheRead = rng.chance(0.2) ? rng.int(1, 2000) : 0;
  let outputTokens = 0;
  let thinkingTokens = 0;
  let eventNumber = 0;

  const emit = (value) => {
    const json = escapeNonAscii ? asciiJson(value) : JSON.stringify(value);
    const where = writer.event(value.type, json, {
      comment:
        withComments && rng.chance(0.3) ? rng.pick([': keep-alive', ':', ': proxy']) : undefined,
      id: withIds ? String(eventNumber) : undefined,
      splitData: rng.chance(0.05),
      dataFirst,
      // Some servers pad the JSON with spaces, as the recorded Anthropic streams show.
      padding: padded ? ' '.repeat(rng.int(1, 15)) : '',
    });
    eventNumber++;
    return where;
  };
  const maybePing = () => {
    if (rng.chance(pingRate)) emit({ type: 'ping' });
  };
  const delta = (index, value) => emit({ type: 'content_block_delta', index, delta: value });

  emit({
    type: 'message_start',
    message: {
      id: `msg_fz${rng.int(100000, 999999)}`,
      type: 'message',
      role: 'assistant',
      model: 'fuzz-model',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      ...(stripsUsage
        ? {}
        : {
            usage: {
              input_tokens: inputTokens,
              cache_creation_input_tokens: 0,
              cache_read_input_tokens: cacheRead,
              output_tokens: rng.int(1, 4),
            },
          }),
    },
  });
  let index = 0;
  let isFirstBlock = true;
  const block = (contentBlock, writeDeltas) => {
    emit({ type: 'content_block_start', index, content_block: contentBlock });
    // The API sends a ping right after the first block starts.
    if (isFirstBlock) emit({ type: 'ping' });
    isFirstBlock = false;
    writeDeltas();
    emit({ type: 'content_block_stop', index });
    maybePing();
    index++;
  };
  if (hasThinking) {
    block({ type: 'thinking', thinking: '', signature: '' }, () => {
      const count = rng.int(1, 10);
      for (let i = 0; i < count; i++) {
        const tokens = rng.int(1, 3);
        outputTokens += tokens;
        thinkingTokens += tokens;
        delta(index, { type: 'thinking_delta', thinking: textPiece(rng, PIECES) });
        maybePing();
      }
      if (rng.chance(0.5)) delta(index, { type: 'thinking_delta', thinking: '' });
      delta(index, { type: 'signature_delta', signature: `Eq${rng.int(1e8, 9e8)}fz==` });
    });
  }
  const textBlocks = rng.int(hasTool ? 0 : 1, 2);
  for (let b = 0; b < textBlocks; b++) {
    block({ type: 'text', text: '' }, () => {
      const count = rng.int(1, 14);
      for (let i = 0; i < count; i++) {
        outputTokens += rng.int(1, 3);
        delta(index, { type: 'text_delta', text: textPiece(rng, PIECES) });
        maybePing();
      }
    });
  }
  if (hasTool) {
    block(
      { type: 'tool_use', id: `toolu_fz${rng.int(1000, 9999)}`, name: 'get_weather', input: {} },
      () => {
        // The API opens tool input with an empty partial_json: no token.
        if (rng.chance(0.7)) delta(index, { type: 'input_json_delta', partial_json: '' });
        const count = rng.int(1, 5);
        for (let i = 0; i < count; i++) {
          outputTokens += rng.int(1, 3);
          delta(index, { type: 'input_json_delta', partial_json: rng.pick(TOOL_PIECES) });
        }
      },
    );
  }
  if (endsWithError) {
    const [type, message] = rng.pick(ERROR_EVENT_TYPES);
    emit({ type: 'error', error: { type, message } });
    return { body: writer.body(), marks: writer.marks, lineEnd };
  }
  const usage = { output_tokens: outputTokens };
  if (rng.chance(0.6)) {
    // The current API repeats the input and cache counts in message_delta.
    Object.assign(usage, {
      input_tokens: inputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: cacheRead,
    });
  }
  if (hasThinking && rng.chance(0.5))
    usage.output_tokens_details = { thinking_tokens: thinkingTokens };
  emit({
    type: 'message_delta',
    delta: {
      stop_reason: hasTool ? 'tool_use' : rng.pick(['end_turn', 'max_tokens']),
      stop_sequence: null,
    },
    ...(stripsUsage ? {} : { usage }),
  });
  writer.marks.done = emit({ type: 'message_stop' });
  return { body: writer.body(), marks: writer.marks, lineEnd };
}

// ---------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------

/** Where a truncation can land, by the part of the stream it cuts into. */
const TRUNCATION_CLASSES = {
  'inside a field name': 14,
  'inside JSON': 18,
  'between events': 14,
  'inside a multi-byte character': 12,
  'just before message_stop': 10,
  'inside message_stop': 12,
  'after message_stop, before its blank line': 12,
  anywhere: 8,
};

function truncationOffset(rng, base, label) {
  const { marks, body } = base;
  const done = marks.done;
  switch (label) {
    case 'inside a field name':
      return rng.chance(0.5)
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
    case 'just before message_stop':
      return done?.eventStart;
    case 'inside message_stop':
      return done === undefined ? undefined : rng.int(done.eventStart + 1, done.lineEnd - 1);
    case 'after message_stop, before its blank line':
      return done?.lineEnd;
    default:
      return rng.int(1, body.length - 1);
  }
}

/** An offset worth mutating at: anywhere, or an event boundary, JSON, a field, message_stop. */
function mutationOffset(rng, base, length) {
  const { marks } = base;
  const where = rng.weighted({
    anywhere: 55,
    boundary: 10,
    json: 15,
    dataLine: 6,
    eventName: 6,
    done: 8,
  });
  let offset;
  if (where === 'boundary') offset = rng.pick(marks.boundaries) - rng.int(0, 2);
  else if (where === 'json') {
    const [start, end] = rng.pick(marks.json);
    offset = rng.int(start, end);
  } else if (where === 'dataLine') offset = rng.pick(marks.dataLines) + rng.int(0, 5);
  else if (where === 'eventName') {
    const [start, end] = rng.pick(marks.eventNames);
    offset = rng.int(start - 3, end);
  } else if (where === 'done' && marks.done !== undefined)
    offset = rng.int(marks.done.eventStart, marks.done.lineEnd);
  else offset = rng.int(0, length - 1);
  return Math.max(0, Math.min(length - 1, offset));
}

// Values a token count must be refused for, and a few it must be accepted for (0, 1e9, null).
const COUNT_VALUES = [1e300, 1e20, 2 ** 53, 26.5, -1, '12', true, null, 0, 1e9, 1e9 + 1];
const USAGE_FIELDS = [
  ['input_tokens'],
  ['output_tokens'],
  ['cache_read_input_tokens'],
  ['cache_creation_input_tokens'],
  ['output_tokens_details', 'thinking_tokens'],
];
// Error types, documented and not, and names an object lookup must not mistake for a type.
const ERROR_TYPES = [
  'overloaded_error',
  'api_error',
  'rate_limit_error',
  'authentication_error',
  'permission_error',
  'billing_error',
  'invalid_request_error',
  'not_found_error',
  'request_too_large',
  'timeout_error',
  'a_future_error',
  'constructor',
  'toString',
  '',
  7,
  null,
  undefined,
];
const EVENT_KINDS = [
  'message_stop',
  'error',
  'ping',
  'content_block_delta',
  'content_block_start',
  'content_block_stop',
  'message_start',
  'message_delta',
  'MESSAGE_STOP',
  'message_stop ',
  'a_future_event',
  '',
  5,
  null,
];
const DELTA_KINDS = [
  'text_delta',
  'thinking_delta',
  'input_json_delta',
  'signature_delta',
  'citations_delta',
  'TEXT_DELTA',
  '',
  7,
];
const TEXT_FIELDS = ['text', 'thinking', 'partial_json'];

// Returned by a rewrite that swaps the whole payload for one of NOT_OBJECTS.
const REPLACE_WITH_NON_OBJECT = Symbol('not an object');
const NOT_OBJECTS = ['[]', '1', '"s"', 'null', 'true', '[{"type":"message_stop"}]'];

function deltaOf(payload) {
  if (!isPlainObject(payload.delta)) payload.delta = {};
  return payload.delta;
}

/** The usage object a payload carries, created where its kind would carry one. */
function usageHolder(payload) {
  if (payload.type === 'message_start') {
    if (!isPlainObject(payload.message)) payload.message = {};
    return payload.message;
  }
  return payload;
}

/**
 * Rewrites of one event's payload that keep it valid JSON but change what it means: another
 * kind, a delta of another kind, texts of other types, absurd counts, error payloads. Byte
 * mutations mostly break the JSON; these reach the decisions behind it.
 */
const PAYLOAD_REWRITES = {
  'another event kind': (rng, payload) => {
    payload.type = rng.pick(EVENT_KINDS);
  },
  'no type (the event name decides)': (_, payload) => {
    delete payload.type;
  },
  'a delta of another kind': (rng, payload) => {
    const delta = deltaOf(payload);
    delta.type = rng.pick(DELTA_KINDS);
    if (rng.chance(0.6)) delta[rng.pick(TEXT_FIELDS)] = textPiece(rng, PIECES);
  },
  'delta text not a string': (rng, payload) => {
    const delta = deltaOf(payload);
    delta.type ??= rng.pick(DELTA_KINDS);
    delta[rng.pick(TEXT_FIELDS)] = rng.pick([42, null, ['a'], { text: 'a' }, true, '']);
  },
  'delta not an object': (rng, payload) => {
    payload.delta = rng.pick([null, 'text', ['a'], 7]);
  },
  'a usage count that is not a count': (rng, payload) => {
    const holder = usageHolder(payload);
    const usage = isPlainObject(holder.usage) ? holder.usage : { output_tokens: 5 };
    const [field, detail] = rng.pick(USAGE_FIELDS);
    const value = rng.pick(COUNT_VALUES);
    if (detail === undefined) usage[field] = value;
    else usage[field] = { ...(isPlainObject(usage[field]) ? usage[field] : {}), [detail]: value };
    holder.usage = usage;
  },
  'usage not an object': (rng, payload) => {
    usageHolder(payload).usage = rng.pick([[], 'x', 5, true, null]);
  },
  'usage removed': (_, payload) => {
    delete usageHolder(payload).usage;
  },
  'message not an object': (rng, payload) => {
    payload.message = rng.pick([null, 'm', [], 3]);
  },
  'an error event': (rng, payload) => {
    for (const key of Object.keys(payload)) delete payload[key];
    payload.type = 'error';
    payload.error = rng.pick([
      { type: rng.pick(ERROR_TYPES), message: 'm' },
      { type: rng.pick(ERROR_TYPES), message: 'm' },
      { message: 'm' },
      'text',
      null,
      {},
      [],
    ]);
  },
  'an error member on another event': (rng, payload) => {
    payload.error = { type: rng.pick(ERROR_TYPES), message: 'm' };
  },
  'a lone surrogate in the text': (rng, payload) => {
    const delta = deltaOf(payload);
    delta.type ??= 'text_delta';
    delta[rng.pick(TEXT_FIELDS)] = rng.pick(['\ud800', 'a\udc00b', '\ud83e']);
  },
  'an odd block index': (rng, payload) => {
    payload.index = rng.pick([-1, 1e9, 'a', null, 2.5]);
  },
  'not an object at all': () => REPLACE_WITH_NON_OBJECT,
};

const EVENT_NAMES = [
  'message_stop',
  'error',
  'ping',
  'content_block_delta',
  'message',
  'message_delta',
  '',
  'x',
];

/** Moves every mark at or after `to` by `delta` bytes; drops multi-byte marks inside [from, to). */
function shiftMarks(marks, from, to, delta) {
  const move = (offset) => (offset >= to ? offset + delta : offset);
  const outside = (offset) => offset < from || offset >= to;
  const moveRange = ([start, end]) => [move(start), move(end)];
  return {
    dataLines: marks.dataLines.map(move),
    eventNames: marks.eventNames.map(moveRange),
    json: marks.json.map(moveRange),
    boundaries: marks.boundaries.map(move),
    multibyte: marks.multibyte.filter(outside).map(move),
    done:
      marks.done === undefined
        ? undefined
        : Object.fromEntries(Object.entries(marks.done).map(([key, value]) => [key, move(value)])),
  };
}

/** Replaces bytes [start, end) of `base` with `text`, keeping the marks in place. */
function replaceRange(base, start, end, text) {
  const bytes = Buffer.from(text, 'utf8');
  return {
    ...base,
    body: Buffer.concat([base.body.subarray(0, start), bytes, base.body.subarray(end)]),
    marks: shiftMarks(base.marks, start, end, bytes.length - (end - start)),
  };
}

const USAGE_REWRITES = new Set([
  'a usage count that is not a count',
  'usage not an object',
  'usage removed',
]);

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
 * Rewrites one whole-line payload of `base`; a usage rewrite mostly lands on an event that
 * carries usage (there are two in a stream of dozens). Undefined when no payload parses.
 */
function rewritePayload(rng, base) {
  const name = rng.pick(Object.keys(PAYLOAD_REWRITES));
  const payloads = wholePayloads(base);
  const usageBearing = payloads.filter(
    ({ payload }) => payload.type === 'message_start' || payload.type === 'message_delta',
  );
  const pool =
    USAGE_REWRITES.has(name) && usageBearing.length > 0 && rng.chance(0.8)
      ? usageBearing
      : payloads;
  if (pool.length > 0) {
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
  return undefined;
}

/** Renames one event (its `event:` value), or drops the name. */
function renameEvent(rng, base) {
  const [start, end] = rng.pick(base.marks.eventNames);
  const name = rng.pick(EVENT_NAMES);
  return {
    base: replaceRange(base, start, end, name),
    description: `rename the event at ${start} to ${JSON.stringify(name)}`,
  };
}

/**
 * One or two payload rewrites or event renames now and then, one to three byte mutations
 * of a valid base stream, and (sometimes) a truncation. Returns the mutated body and, when
 * truncated, the bytes the server would have sent after the cut (so a framing can declare
 * the full length and then cut the connection).
 * @param {import('../prng.mjs').Rng} rng
 * @param {ReturnType<typeof buildBaseStream>} original
 */
export function mutateStream(rng, original) {
  const steps = [];
  let base = original;
  if (rng.chance(0.35)) {
    const rewrites = rng.chance(0.25) ? 2 : 1;
    for (let i = 0; i < rewrites; i++) {
      const rewritten = rng.chance(0.75) ? rewritePayload(rng, base) : renameEvent(rng, base);
      if (rewritten === undefined) continue;
      base = rewritten.base;
      steps.push(rewritten.description);
    }
  }
  let body = base.body;
  let tail = Buffer.alloc(0);
  // The cut is placed on the base stream, whose structure is known, then the other
  // mutations land in what is left.
  if (rng.chance(0.32)) {
    ({ body, tail } = cutAtMarkedPlace(rng, body, steps, TRUNCATION_CLASSES, (label) =>
      truncationOffset(rng, base, label),
    ));
  }
  // A rewrite or a cut is a mutation already: more often left alone, so its own effect shows.
  const count = byteOperatorCount(rng, body, { 0: steps.length > 0 ? 45 : 6, 1: 62, 2: 20, 3: 10 });
  body = applyByteOperators(rng, body, count, steps, {
    offsetFor: (length) => mutationOffset(rng, base, length),
  });
  return mutatedStream(body, tail, steps);
}

// ---------------------------------------------------------------------------------------
// Edge cases
// ---------------------------------------------------------------------------------------

const SSE_HEADERS = [
  ['Content-Type', 'text/event-stream'],
  ['Cache-Control', 'no-cache'],
];

const event = (name, payload, lineEnd = '\n') =>
  `event: ${name}${lineEnd}data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}${lineEnd}${lineEnd}`;
const messageStart = (
  usage = {
    input_tokens: 9,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: 1,
  },
) =>
  event('message_start', {
    type: 'message_start',
    message: {
      id: 'msg_edge',
      type: 'message',
      role: 'assistant',
      model: 'fuzz-model',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage,
    },
  });
const blockStart = (index, contentBlock) =>
  event('content_block_start', { type: 'content_block_start', index, content_block: contentBlock });
const blockDelta = (index, delta) =>
  event('content_block_delta', { type: 'content_block_delta', index, delta });
const textDelta = (index, text) => blockDelta(index, { type: 'text_delta', text });
const blockStop = (index) => event('content_block_stop', { type: 'content_block_stop', index });
const PING = event('ping', { type: 'ping' });
const messageDelta = (usage = { output_tokens: 9 }) =>
  event('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage,
  });
const MESSAGE_STOP = event('message_stop', { type: 'message_stop' });
const errorEvent = (type, message = 'm') =>
  event('error', { type: 'error', error: { type, message } });

/** A short valid message up to message_stop: three text deltas, 9 output tokens. */
const shortMessage = (usage) =>
  messageStart() +
  blockStart(0, { type: 'text', text: '' }) +
  PING +
  textDelta(0, 'The pilot') +
  textDelta(0, ' took the helm') +
  textDelta(0, ' at dawn.') +
  blockStop(0) +
  messageDelta(usage);
const validBody = () => shortMessage() + MESSAGE_STOP;
const sseResponse = (body, framing = 'length', headers = SSE_HEADERS) =>
  buildResponse(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), { headers, framing });
const errorResponse = (status, type, message, extraHeaders = []) =>
  buildResponse(Buffer.from(JSON.stringify({ type: 'error', error: { type, message } })), {
    status,
    headers: [['Content-Type', 'application/json'], ...extraHeaders],
    framing: 'length',
  });

/**
 * Hand-written hostile responses for this protocol, with the same members as openai-chat's
 * (`expect`, `build(rng)` and the optional checks). Broken HTTP itself is the OpenAI
 * module's to cover: the framing is shared.
 */
export function edgeCases() {
  const cases = [];
  const add = (name, expect, build, checks = {}) => cases.push({ name, expect, build, ...checks });
  const stream =
    (body, ending = 'keep', framing = 'length') =>
    () => ({
      bytes: sseResponse(body, framing),
      ending,
    });

  // Sound streams.
  add('text-with-pings', 'ok', stream(validBody()), { tokenEvents: 3 });
  add(
    'thinking-signature-then-text',
    'ok',
    stream(
      messageStart() +
        blockStart(0, { type: 'thinking', thinking: '', signature: '' }) +
        PING +
        blockDelta(0, { type: 'thinking_delta', thinking: 'Tides first,' }) +
        blockDelta(0, { type: 'thinking_delta', thinking: ' then wind.' }) +
        blockDelta(0, { type: 'thinking_delta', thinking: '' }) +
        blockDelta(0, { type: 'signature_delta', signature: 'RWRnZUNhc2U=' }) +
        blockStop(0) +
        blockStart(1, { type: 'text', text: '' }) +
        textDelta(1, 'Wait for the tide.') +
        blockStop(1) +
        messageDelta({ output_tokens: 14, output_tokens_details: { thinking_tokens: 8 } }) +
        MESSAGE_STOP,
    ),
    { tokenEvents: 3 },
  );
  add(
    'tool-input-first-partial-json-empty',
    'ok',
    stream(
      messageStart() +
        blockStart(0, { type: 'tool_use', id: 'toolu_edge', name: 'tide', input: {} }) +
        blockDelta(0, { type: 'input_json_delta', partial_json: '' }) +
        blockDelta(0, { type: 'input_json_delta', partial_json: '{"port":' }) +
        blockDelta(0, { type: 'input_json_delta', partial_json: ' "Kiel"}' }) +
        blockStop(0) +
        messageDelta({ output_tokens: 11 }) +
        MESSAGE_STOP,
    ),
    { tokenEvents: 2 },
  );
  add(
    'unknown-block-and-event-kinds',
    'ok',
    stream(
      messageStart() +
        blockStart(0, { type: 'redacted_thinking', data: 'c2VjcmV0' }) +
        blockStop(0) +
        event('a_future_event', { type: 'a_future_event', detail: 1 }) +
        blockStart(1, { type: 'text', text: '' }) +
        blockDelta(1, { type: 'citations_delta', citation: { cited_text: 'x' } }) +
        textDelta(1, 'Kept.') +
        blockStop(1) +
        messageDelta() +
        MESSAGE_STOP,
    ),
    { tokenEvents: 1 },
  );
  add(
    'empty-deltas-are-not-tokens',
    'ok',
    stream(
      messageStart() +
        blockStart(0, { type: 'text', text: '' }) +
        textDelta(0, '') +
        textDelta(0, 'x') +
        textDelta(0, '') +
        blockStop(0) +
        messageDelta() +
        MESSAGE_STOP,
    ),
    { tokenEvents: 1 },
  );
  add(
    'no-content-at-all',
    'ok',
    stream(messageStart() + messageDelta({ output_tokens: 0 }) + MESSAGE_STOP),
    { tokenEvents: 0 },
  );

  // Event names and payload types.
  add(
    'payload-type-wins-over-event-name',
    'ok',
    stream(
      messageStart() +
        event('ping', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: 'counted' },
        }) +
        event('message_stop', { type: 'ping' }) +
        messageDelta() +
        MESSAGE_STOP,
    ),
    { tokenEvents: 1 },
  );
  add(
    'event-name-decides-without-a-type',
    'ok',
    stream(
      messageStart() +
        event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'x' } }) +
        event('message_stop', {}),
    ),
    { tokenEvents: 1 },
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
        /event: (\w+)\ndata: (.*)\n/g,
        (_, name, data) => `data: ${data}\nevent: ${name}\n`,
      ),
    ),
    { tokenEvents: 3 },
  );
  add(
    'message-stop-named-differently',
    'ok',
    stream(shortMessage() + event('done', { type: 'message_stop' })),
    { tokenEvents: 3 },
  );

  // The end.
  add(
    'no-message-stop-clean-close',
    'stream_interrupted',
    stream(shortMessage(), 'close', 'close'),
  );
  add('no-message-stop-complete-length', 'stream_interrupted', stream(shortMessage()));
  add(
    'message-stop-without-blank-line',
    'stream_interrupted',
    stream(
      `${shortMessage()}event: message_stop\ndata: {"type":"message_stop"}\n`,
      'close',
      'close',
    ),
  );
  add(
    'message-stop-unterminated-line',
    'stream_interrupted',
    stream(`${shortMessage()}event: message_stop\ndata: {"type":"message_stop"}`, 'close', 'close'),
  );
  add(
    'message-stop-then-connection-kept-open',
    'ok',
    () => ({ bytes: sseResponse(validBody(), 'close'), ending: 'open' }),
    { tokenEvents: 3, maxE2eMs: 2000 },
  );
  add(
    'message-stop-then-reset-before-declared-length',
    'ok',
    () => ({
      bytes: buildResponse(Buffer.from(validBody()), {
        headers: SSE_HEADERS,
        framing: 'length',
        declaredLength: validBody().length + 300,
      }),
      ending: 'reset',
    }),
    { tokenEvents: 3 },
  );
  add(
    'message-stop-then-chunked-never-terminated',
    'ok',
    () => ({
      bytes: Buffer.concat([
        responseHead(200, [...SSE_HEADERS, ['Transfer-Encoding', 'chunked']]),
        encodeChunked(Buffer.from(validBody()), [70], false).bytes,
      ]),
      ending: 'open',
    }),
    { tokenEvents: 3, maxE2eMs: 2000 },
  );
  add(
    'events-and-garbage-after-message-stop',
    'ok',
    (rng) => ({
      bytes: Buffer.concat([
        sseResponse(
          `${validBody()}${textDelta(0, ' late')}${errorEvent('overloaded_error')}data: {broken\n\n`,
          'close',
        ),
        rng.bytes(200),
      ]),
      ending: 'close',
    }),
    { tokenEvents: 3 },
  );

  // Errors the server reports in the stream.
  const errorCase = (name, type, expect) =>
    add(name, expect, stream(messageStart() + PING + errorEvent(type), 'close', 'close'));
  errorCase('error-overloaded', 'overloaded_error', 'server_error');
  errorCase('error-api', 'api_error', 'server_error');
  errorCase('error-rate-limit', 'rate_limit_error', 'rate_limited');
  errorCase('error-authentication', 'authentication_error', 'auth');
  errorCase('error-permission', 'permission_error', 'auth');
  errorCase('error-billing', 'billing_error', 'auth');
  errorCase('error-invalid-request', 'invalid_request_error', 'client_error');
  errorCase('error-not-found', 'not_found_error', 'client_error');
  errorCase('error-request-too-large', 'request_too_large', 'client_error');
  errorCase('error-timeout', 'timeout_error', 'timeout_total');
  errorCase('error-unknown-type', 'a_future_error', 'server_error');
  // Names every JavaScript object has: a type lookup must not take them for known types.
  errorCase('error-type-constructor', 'constructor', 'server_error');
  errorCase('error-type-to-string', 'toString', 'server_error');
  add(
    'error-without-error-member',
    'server_error',
    stream(`${messageStart()}event: error\ndata: {"type":"error"}\n\n`),
  );
  add(
    'error-named-by-event-only',
    'server_error',
    stream(`${messageStart()}event: error\ndata: {"message":"Overloaded"}\n\n`),
  );
  add(
    'error-then-message-stop',
    'rate_limited',
    stream(messageStart() + textDelta(0, 'a') + errorEvent('rate_limit_error') + MESSAGE_STOP),
  );
  add(
    'two-errors-the-first-decides',
    'auth',
    stream(messageStart() + errorEvent('authentication_error') + errorEvent('overloaded_error')),
  );
  add(
    'error-then-malformed-json',
    'protocol',
    stream(`${messageStart()}${errorEvent('overloaded_error')}event: ping\ndata: {oops\n\n`),
  );

  // Data that is not a JSON object.
  add(
    'malformed-json',
    'protocol',
    stream(`${messageStart()}event: ping\ndata: {"type":\n\n${MESSAGE_STOP}`),
  );
  add(
    'array-payload',
    'protocol',
    stream(`${messageStart()}event: ping\ndata: []\n\n${MESSAGE_STOP}`),
  );
  add(
    'empty-ping-data',
    'protocol',
    stream(`${messageStart()}event: ping\ndata:\n\n${MESSAGE_STOP}`),
  );
  add('ping-without-data-line', 'ok', stream(`${messageStart()}event: ping\n\n${MESSAGE_STOP}`), {
    tokenEvents: 0,
  });

  // Usage.
  const absurd = (name, usage, where = 'delta') =>
    add(
      name,
      'ok',
      stream(
        where === 'delta'
          ? shortMessage(usage) + MESSAGE_STOP
          : validBody().replace(messageStart(), messageStart(usage)),
      ),
      { tokenEvents: 3, usageIgnored: true },
    );
  absurd('usage-output-1e300', { output_tokens: 1e300 });
  absurd('usage-output-fractional', { output_tokens: 8.5 });
  absurd('usage-output-string', { output_tokens: '9' });
  absurd('usage-thinking-negative', {
    output_tokens: 9,
    output_tokens_details: { thinking_tokens: -3 },
  });
  absurd(
    'usage-cache-read-2pow53',
    { input_tokens: 9, cache_read_input_tokens: 2 ** 53, output_tokens: 1 },
    'start',
  );
  add(
    'usage-only-in-message-start',
    'ok',
    stream(
      messageStart({ input_tokens: 9, output_tokens: 7 }) +
        textDelta(0, 'one') +
        textDelta(0, ' two') +
        event('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' } }) +
        MESSAGE_STOP,
    ),
    { tokenEvents: 2 },
  );
  add(
    'message-delta-without-output-count',
    'ok',
    stream(shortMessage({ input_tokens: 9 }) + MESSAGE_STOP),
    { tokenEvents: 3 },
  );
  add(
    'no-usage-anywhere',
    'ok',
    stream(
      `${event('message_start', { type: 'message_start', message: { id: 'msg_edge' } })}${textDelta(0, 'Counted by')}${textDelta(0, ' the tokenizer.')}${MESSAGE_STOP}`,
    ),
    { tokenEvents: 2 },
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
  add(
    'multi-line-data',
    'ok',
    stream(
      `${messageStart()}event: content_block_delta\ndata: {"type":"content_block_delta","index":0,\ndata: "delta":{"type":"text_delta","text":"joined"}}\n\n${MESSAGE_STOP}`,
    ),
    { tokenEvents: 1 },
  );
  add('padded-json', 'ok', stream(validBody().replace(/^(data: .*)$/gm, '$1              ')), {
    tokenEvents: 3,
  });
  add(
    'split-utf8-one-byte-writes',
    'ok',
    () => ({
      bytes: sseResponse(
        messageStart() + textDelta(0, '中文 🦀 café') + textDelta(0, ' 👩‍💻') + MESSAGE_STOP,
        'chunked',
      ),
      ending: 'keep',
      writes: 'bytewise',
    }),
    { tokenEvents: 2 },
  );

  // HTTP statuses in Anthropic's error shape, and bodies that are not event streams.
  add('status-529-overloaded', 'server_error', () => ({
    bytes: errorResponse(529, 'overloaded_error', 'Overloaded'),
    ending: 'keep',
  }));
  add('status-429-retry-after', 'rate_limited', () => ({
    bytes: errorResponse(429, 'rate_limit_error', 'Rate limited', [['Retry-After', '3']]),
    ending: 'keep',
  }));
  add('status-401', 'auth', () => ({
    bytes: errorResponse(401, 'authentication_error', 'invalid x-api-key'),
    ending: 'keep',
  }));
  add('status-413', 'client_error', () => ({
    bytes: errorResponse(413, 'request_too_large', 'Request exceeds the maximum size'),
    ending: 'keep',
  }));
  add(
    'json-error-with-status-200',
    'protocol',
    () => ({
      bytes: buildResponse(
        Buffer.from('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'),
        { headers: [['Content-Type', 'application/json']] },
      ),
      ending: 'keep',
    }),
    { messageIncludes: 'application/json' },
  );
  add('gzip-stream', 'protocol', () => ({
    bytes: buildResponse(gzipSync(Buffer.from(validBody())), {
      headers: [...SSE_HEADERS, ['Content-Encoding', 'gzip']],
    }),
    ending: 'keep',
  }));

  // The size cap, lowered with --max-event-bytes.
  const words = (chars) => 'word '.repeat(Math.ceil(chars / 5)).slice(0, chars);
  add(
    'max-event-bytes-line-over',
    'protocol',
    stream(messageStart() + textDelta(0, words(100_000)) + MESSAGE_STOP),
    { maxEventBytes: 65_536 },
  );
  add(
    'max-event-bytes-under',
    'ok',
    stream(messageStart() + textDelta(0, words(60_000)) + MESSAGE_STOP),
    { maxEventBytes: 65_536, tokenEvents: 1 },
  );

  return cases;
}

// ---------------------------------------------------------------------------------------
// The protocol, as the fuzz runner uses it
// ---------------------------------------------------------------------------------------

/** The variable the CLI reads the (dummy) API key from; the adapter needs one to start. */
const API_KEY_ENV = 'LLM_LENS_FUZZ_ANTHROPIC_KEY';

/** The Anthropic Messages streaming protocol module. */
export const anthropicMessages = {
  name: 'anthropic-messages',
  /**
   * How the CLI is pointed at the hostile server. The anthropic provider refuses to start
   * without a key, and the runner passes the suite's environment on to the CLI, so the
   * variable is set here, before the CLI is spawned.
   */
  cliArgs: (baseUrl) => {
    process.env[API_KEY_ENV] ??= 'sk-ant-fuzz-not-a-key';
    return [
      '-p',
      'anthropic',
      '--base-url',
      baseUrl,
      '--api-key-env',
      API_KEY_ENV,
      '-m',
      'fuzz-model',
    ];
  },
  requestPath: '/v1/messages',
  contentType: 'text/event-stream',
  buildBaseStream,
  mutateStream,
  edgeCases,
  referenceOutcome,
};
