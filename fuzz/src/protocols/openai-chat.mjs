/**
 * The OpenAI Chat Completions streaming protocol (`POST /v1/chat/completions` with
 * `stream: true`), as the fuzz suite sees it: valid base streams, the mutations worth making
 * to them, hand-written hostile responses, and the reference decoder that says what llm-lens
 * must report for any response. Written from the wire format (see /work/shared/PROTOCOLS.md
 * and the OpenAI API reference), never from the product's parsing code.
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
  cutAtMarkedPlace,
  mutatedStream,
  textPiece,
} from '../stream-mutation.mjs';

// ---------------------------------------------------------------------------------------
// Reference decoder
// ---------------------------------------------------------------------------------------

// Error types and codes by class, as the contract lists them.
const RATE_LIMITED = new Set([
  'rate_limit_exceeded',
  'rate_limit_error',
  'requests',
  'tokens',
  'insufficient_quota',
]);
const AUTH = new Set(['authentication_error', 'permission_error', 'invalid_api_key']);
const CLIENT = new Set([
  'invalid_request_error',
  'context_length_exceeded',
  'BadRequestError',
  'NotFoundError',
]);

/** The error class of a server-reported error's type and code. */
export function classOfReportedError(type, code) {
  const names = [type, code].filter((value) => typeof value === 'string');
  const numeric =
    typeof code === 'number'
      ? code
      : typeof code === 'string' && /^\d{3}$/.test(code)
        ? Number(code)
        : undefined;
  if (numeric === 429 || names.some((name) => RATE_LIMITED.has(name))) return 'rate_limited';
  if (numeric === 401 || numeric === 403 || names.some((name) => AUTH.has(name))) return 'auth';
  if (
    (numeric !== undefined && numeric >= 400 && numeric <= 499) ||
    names.some((name) => CLIENT.has(name))
  ) {
    return 'client_error';
  }
  return 'server_error';
}

/**
 * The error a chunk reports, if it does: `{"error": {...}}`, `{"error": "text"}` (TGI, with
 * an optional `error_type`), `{"object": "error", ...}` (older vLLM), or any object sent as
 * an SSE event of type `error`.
 */
function reportedError(chunk, eventType) {
  const raw = chunk.error;
  if (typeof raw === 'string') return { type: chunk.error_type, code: undefined };
  if (isPlainObject(raw)) return { type: raw.type, code: raw.code };
  if (chunk.object === 'error' || eventType === 'error')
    return { type: chunk.type, code: chunk.code };
  return undefined;
}

/** Why a usage object must be ignored, or undefined when every count in it is usable. */
export function usageProblem(usage) {
  const counts = {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    'completion_tokens_details.reasoning_tokens': isPlainObject(usage.completion_tokens_details)
      ? usage.completion_tokens_details.reasoning_tokens
      : undefined,
    'prompt_tokens_details.cached_tokens': isPlainObject(usage.prompt_tokens_details)
      ? usage.prompt_tokens_details.cached_tokens
      : undefined,
  };
  return countsProblem(counts);
}

/**
 * The generated text of one chunk: `choices[0].delta` content (and refusal) as answer text,
 * `reasoning` or, when that is empty, `reasoning_content` (vLLM sends both with the same
 * text), and every `tool_calls[].function.arguments` string.
 */
export function generatedText(chunk) {
  const none = { answer: '', reasoning: '', tool: '' };
  if (!Array.isArray(chunk.choices) || !isPlainObject(chunk.choices[0])) return none;
  const delta = chunk.choices[0].delta;
  if (!isPlainObject(delta)) return none;
  let tool = '';
  if (Array.isArray(delta.tool_calls)) {
    for (const call of delta.tool_calls) {
      if (isPlainObject(call) && isPlainObject(call.function))
        tool += stringOr(call.function.arguments);
    }
  }
  const reasoning = stringOr(delta.reasoning);
  const content = contentText(delta.content);
  return {
    answer: content.answer + stringOr(delta.refusal),
    reasoning:
      (reasoning.length > 0 ? reasoning : stringOr(delta.reasoning_content)) + content.reasoning,
    tool,
  };
}

/**
 * `content` as a string, or as a list of typed parts (Mistral): `{type: "text", text}` is
 * answer text, `{type: "thinking", thinking}` (a string or a list of `{text}` parts)
 * reasoning; other parts carry no text.
 */
function contentText(content) {
  if (typeof content === 'string') return { answer: content, reasoning: '' };
  if (!Array.isArray(content)) return { answer: '', reasoning: '' };
  let answer = '';
  let reasoning = '';
  for (const part of content) {
    if (!isPlainObject(part)) continue;
    if (part.type === 'text') answer += stringOr(part.text);
    else if (part.type === 'thinking') {
      if (typeof part.thinking === 'string') reasoning += part.thinking;
      else if (Array.isArray(part.thinking)) {
        for (const inner of part.thinking)
          if (isPlainObject(inner)) reasoning += stringOr(inner.text);
      }
    }
  }
  return { answer, reasoning };
}

/**
 * Generated tokens of a valid usage report, reasoning included: where `total_tokens` shows
 * that `completion_tokens` left reasoning out (prompt + completion + reasoning, xAI's way),
 * or, with no such total, where reasoning exceeds completion, it is added back.
 */
function outputTokensOf(usage) {
  const completion = usage.completion_tokens;
  const details = isPlainObject(usage.completion_tokens_details)
    ? usage.completion_tokens_details
    : {};
  const reasoning = typeof details.reasoning_tokens === 'number' ? details.reasoning_tokens : 0;
  if (reasoning === 0) return completion;
  const input = usage.prompt_tokens;
  const total = usage.total_tokens;
  if (typeof total === 'number' && typeof input === 'number') {
    if (total === input + completion) return completion;
    if (total === input + completion + reasoning) return completion + reasoning;
  }
  return reasoning > completion ? completion + reasoning : completion;
}

/**
 * @typedef {object} Outcome
 * @property {string} errorClass 'ok' or the record's error class
 * @property {string} reason why, in words
 * @property {number} [tokenEvents] for 'ok': token-bearing events before the end marker
 * @property {number | undefined} [outputTokens] for 'ok': the output token count, undefined
 *   when the product may estimate it (a word longer than MAX_EXACT_WORD_CHARS)
 * @property {string} [outputTokensSource] 'usage' or 'tokenizer'
 * @property {string | undefined} [usageIgnored] the first usage report that had to be ignored
 */

/**
 * The outcome llm-lens must report for a streaming chat request answered with `bytes`, after
 * which the server left the connection as `ending` says.
 * @param {{ bytes: Buffer, ending: import('../http-reference.mjs').Ending, maxEventBytes?: number }} served
 * @returns {Outcome}
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
  let sawEndMarker = false;
  let tokenEvents = 0;
  let answer = '';
  let reasoning = '';
  let tool = '';
  let completion;
  let usageIgnored;

  for (const event of stream.events) {
    if (event.data === '[DONE]') {
      sawEndMarker = true;
      break;
    }
    let chunk;
    try {
      chunk = JSON.parse(event.data);
    } catch {
      protocolError = `malformed JSON ${JSON.stringify(event.data.slice(0, 60))}`;
      break;
    }
    if (!isPlainObject(chunk)) {
      protocolError = `a chunk that is not a JSON object ${JSON.stringify(event.data.slice(0, 60))}`;
      break;
    }
    const error = reportedError(chunk, event.type);
    if (error !== undefined) {
      firstError ??= {
        errorClass: classOfReportedError(error.type, error.code),
        type: error.type,
        code: error.code,
      };
      continue;
    }
    const text = generatedText(chunk);
    if (text.answer.length > 0 || text.reasoning.length > 0 || text.tool.length > 0) {
      tokenEvents++;
      answer += text.answer;
      reasoning += text.reasoning;
      tool += text.tool;
    }
    if (isPlainObject(chunk.usage)) {
      const problem = usageProblem(chunk.usage);
      // The last valid report wins for each count it carries: a final report without
      // completion_tokens says nothing about them, so an earlier count still stands.
      if (problem !== undefined) usageIgnored ??= problem;
      else if (typeof chunk.usage.completion_tokens === 'number')
        completion = outputTokensOf(chunk.usage);
    }
  }

  const isCleanEnd = http.bodyEnd === 'complete' || http.bodyEnd === 'eof';
  if (!sawEndMarker && protocolError === undefined) {
    if (stream.overflow !== undefined) protocolError = stream.overflow;
    else if (isCleanEnd && stream.pendingAtEnd?.data === '[DONE]') sawEndMarker = true;
    else if (http.bodyEnd === 'framing')
      protocolError = `broken chunk framing: ${http.framingError}`;
  }
  if (protocolError !== undefined) return { errorClass: 'protocol', reason: protocolError };
  if (firstError !== undefined) {
    return {
      errorClass: firstError.errorClass,
      reason: `error in stream (type ${firstError.type}, code ${firstError.code})`,
    };
  }
  if (!sawEndMarker) {
    if (http.bodyEnd === 'open') {
      return { errorClass: 'timeout_total', reason: 'the body neither ends nor reaches [DONE]' };
    }
    if (stream.events.length === 0 && mediaType !== 'text/event-stream') {
      return {
        errorClass: 'protocol',
        reason: `expected text/event-stream, got ${mediaType || 'no Content-Type'}`,
      };
    }
    return { errorClass: 'stream_interrupted', reason: 'the body ended without [DONE]' };
  }

  return okOutcome({
    reason: '[DONE] seen',
    tokenEvents,
    outputTokens: completion,
    usageIgnored,
    texts: [answer, reasoning, tool],
  });
}

// ---------------------------------------------------------------------------------------
// Valid base streams
// ---------------------------------------------------------------------------------------

// Text pieces: ASCII, 2-, 3- and 4-byte UTF-8, a ZWJ sequence, JSON-escaped characters.
const PIECES = [
  'Hello',
  ' world',
  ',',
  ' the',
  ' lighthouse',
  ' keeper',
  ' café',
  ' naïve',
  ' résumé',
  ' Ωμέγα',
  ' 中文',
  '字',
  ' 日本語',
  ' 🦀',
  ' 👩‍💻',
  ' ∑x²',
  '\n',
  ' "quoted"',
  ' back\\slash',
  '\ttab',
  ' data: not a field',
  ' [DONE]',
  ' }{',
  '.',
];

/** Builds the body while remembering where its parts are, in bytes. */
class StreamWriter {
  parts = [];
  length = 0;
  marks = {
    /** Offsets of the first byte of each data line's field name. */
    dataLines: [],
    /** [start, end) of each JSON payload. */
    json: [],
    /** Offsets where an event starts (after the previous event's blank line). */
    boundaries: [],
    /** Offsets strictly inside a multi-byte UTF-8 character. */
    multibyte: [],
    /** Offsets around the end marker line, when there is one. */
    done: undefined,
  };

  constructor(lineEnd) {
    this.lineEnd = lineEnd;
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

  /** One event whose data is `json`, over one or two data lines. */
  event(json, { prefix, splitData, comment, id }) {
    this.marks.boundaries.push(this.length);
    if (comment !== undefined) this.line(comment);
    if (id !== undefined) this.line(`id: ${id}`);
    const cut = splitData ? json.indexOf(',') + 1 : 0;
    const pieces = cut > 0 ? [json.slice(0, cut), json.slice(cut)] : [json];
    for (const piece of pieces) {
      this.marks.dataLines.push(this.length);
      const { start, bytes } = this.write(`${prefix}${piece}${this.lineEnd}`);
      const jsonStart = start + Buffer.byteLength(prefix);
      const jsonEnd = start + bytes.length - this.lineEnd.length;
      this.marks.json.push([jsonStart, jsonEnd]);
      for (let i = jsonStart; i < jsonEnd; i++) {
        const byte = bytes[i - start];
        const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
        for (let k = 1; k < size; k++) this.marks.multibyte.push(i + k);
      }
    }
    this.write(this.lineEnd);
  }

  done(prefix) {
    this.marks.boundaries.push(this.length);
    const lineStart = this.length;
    const valueStart = lineStart + prefix.length;
    const valueEnd = valueStart + '[DONE]'.length;
    this.write(`${prefix}[DONE]${this.lineEnd}`);
    this.marks.done = { lineStart, valueStart, valueEnd, lineEnd: valueEnd + this.lineEnd.length };
    this.write(this.lineEnd);
  }

  body() {
    return Buffer.concat(this.parts);
  }
}

/**
 * A valid stream as a compatible server sends it: a role chunk, varied deltas (answer text
 * with multi-byte UTF-8, reasoning via `reasoning_content` or `reasoning`, tool-call
 * argument deltas, content-filter chunks with empty `choices`), a finish chunk, usage on
 * the final chunk only (or cumulative on every chunk, as vLLM's continuous usage does), and
 * `data: [DONE]` — or, now and then, an error event instead of the end.
 * @param {import('../prng.mjs').Rng} rng
 */
export function buildBaseStream(rng) {
  const lineEnd = rng.weighted({ '\n': 80, '\r\n': 15, '\r': 5 });
  const prefix = rng.chance(0.9) ? 'data: ' : 'data:';
  const usageNullOnChunks = rng.chance(0.5);
  const includeUsage = rng.chance(0.85);
  const continuousUsage = includeUsage && rng.chance(0.12);
  const withComments = rng.chance(0.2);
  const withIds = rng.chance(0.1);
  const endsWithError = rng.chance(0.06);
  const escapeNonAscii = rng.chance(0.15);
  const writer = new StreamWriter(lineEnd);
  const id = `chatcmpl-fz${rng.int(100000, 999999)}`;
  const promptTokens = rng.int(5, 3000);
  let completionTokens = 0;
  let eventNumber = 0;

  const chunk = (choices, extra = {}) => {
    const value = {
      id,
      object: 'chat.completion.chunk',
      created: 1733000000,
      model: 'fuzz-model',
      choices,
    };
    if (rng.chance(0.1)) value.obfuscation = 'x'.repeat(rng.int(1, 12));
    Object.assign(value, extra);
    if (continuousUsage) {
      value.usage = {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      };
    } else if (usageNullOnChunks && value.usage === undefined) {
      value.usage = null;
    }
    return value;
  };
  const emit = (value) => {
    const json = escapeNonAscii ? asciiJson(value) : JSON.stringify(value);
    writer.event(json, {
      prefix,
      splitData: rng.chance(0.05),
      comment:
        withComments && rng.chance(0.3)
          ? rng.pick([': keep-alive', ':', ': OPENROUTER PROCESSING'])
          : undefined,
      id: withIds ? String(eventNumber) : undefined,
    });
    eventNumber++;
  };
  const choice = (delta, finishReason = null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finishReason,
  });

  emit(chunk([choice({ role: 'assistant', content: '' })]));
  const deltas = rng.int(1, 24);
  let toolStarted = false;
  for (let i = 0; i < deltas; i++) {
    const kind = rng.weighted({ content: 60, reasoning: 18, tool: 14, filter: 5, empty: 3 });
    if (kind !== 'filter' && kind !== 'empty') completionTokens += rng.int(1, 3);
    if (kind === 'content') {
      emit(chunk([choice({ content: textPiece(rng, PIECES) })]));
    } else if (kind === 'reasoning') {
      const text = textPiece(rng, PIECES);
      const field = rng.weighted({ reasoning_content: 50, reasoning: 25, both: 25 });
      const delta =
        field === 'both' ? { reasoning: text, reasoning_content: text } : { [field]: text };
      emit(chunk([choice(delta)]));
    } else if (kind === 'tool') {
      const args = rng.pick(['{"city":', ' "Zürich"', ', "unit": "c"}', '{}', '"東京"']);
      const call = toolStarted
        ? { index: 0, function: { arguments: args } }
        : {
            index: 0,
            id: 'call_fz1',
            type: 'function',
            function: { name: 'get_weather', arguments: args },
          };
      toolStarted = true;
      emit(chunk([choice({ tool_calls: [call] })]));
    } else if (kind === 'filter') {
      emit(chunk([], { prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] }));
    } else {
      emit(chunk([choice({ content: '' })]));
    }
  }
  if (endsWithError) {
    const [type, code] = rng.pick([
      ['server_error', null],
      ['rate_limit_exceeded', 'rate_limit_exceeded'],
      ['invalid_request_error', 'context_length_exceeded'],
      ['authentication_error', 401],
      [undefined, 503],
    ]);
    emit({
      error: { message: 'The server had an error while processing your request.', type, code },
    });
    return { body: writer.body(), marks: writer.marks, lineEnd };
  }
  emit(chunk([choice({}, toolStarted ? 'tool_calls' : 'stop')]));
  if (includeUsage && !continuousUsage) {
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    if (rng.chance(0.5)) {
      usage.prompt_tokens_details = { cached_tokens: rng.int(0, promptTokens) };
      usage.completion_tokens_details = { reasoning_tokens: rng.int(0, completionTokens) };
    }
    emit(chunk([], { usage }));
  }
  writer.done(prefix);
  return { body: writer.body(), marks: writer.marks, lineEnd };
}

// ---------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------

/** Where a truncation can land, by the part of the stream it cuts into. */
const TRUNCATION_CLASSES = {
  'inside a data field name': 14,
  'inside JSON': 18,
  'between events': 14,
  'inside a multi-byte character': 12,
  'just before [DONE]': 8,
  'inside [DONE]': 10,
  'just after [DONE]': 10,
  'before the final blank line': 8,
  anywhere: 6,
};

function truncationOffset(rng, base, label) {
  const { marks, body, lineEnd } = base;
  const done = marks.done;
  switch (label) {
    case 'inside a data field name':
      return rng.pick(marks.dataLines) + rng.int(1, 5);
    case 'inside JSON': {
      const [start, end] = rng.pick(marks.json);
      return rng.int(start + 1, end - 1);
    }
    case 'between events':
      return rng.pick(marks.boundaries.slice(1));
    case 'inside a multi-byte character':
      return marks.multibyte.length > 0 ? rng.pick(marks.multibyte) : undefined;
    case 'just before [DONE]':
      return done?.lineStart;
    case 'inside [DONE]':
      return done === undefined ? undefined : rng.int(done.lineStart + 1, done.valueEnd - 1);
    case 'just after [DONE]':
      return done === undefined ? undefined : rng.pick([done.valueEnd, done.lineEnd]);
    case 'before the final blank line':
      return body.length - lineEnd.length;
    default:
      return rng.int(1, body.length - 1);
  }
}

/** An offset worth mutating at: anywhere, or a line end, an event boundary, JSON, [DONE]. */
function mutationOffset(rng, base, length) {
  const { marks } = base;
  const where = rng.weighted({ anywhere: 60, boundary: 10, json: 15, dataLine: 8, done: 7 });
  let offset;
  if (where === 'boundary') offset = rng.pick(marks.boundaries) - rng.int(0, 2);
  else if (where === 'json') {
    const [start, end] = rng.pick(marks.json);
    offset = rng.int(start, end);
  } else if (where === 'dataLine') offset = rng.pick(marks.dataLines) + rng.int(0, 6);
  else if (where === 'done' && marks.done !== undefined)
    offset = rng.int(marks.done.lineStart, marks.done.lineEnd);
  else offset = rng.int(0, length - 1);
  return Math.max(0, Math.min(length - 1, offset));
}

// Values a token count must be refused for, and a few it must be accepted for (0, 1e9).
const COUNT_VALUES = [
  1e300,
  1e20,
  2 ** 53,
  2 ** 53 - 1,
  26.5,
  -1,
  '12',
  true,
  null,
  0,
  1e9,
  1e9 + 1,
];
const USAGE_FIELDS = [
  ['prompt_tokens'],
  ['completion_tokens'],
  ['total_tokens'],
  ['completion_tokens_details', 'reasoning_tokens'],
  ['prompt_tokens_details', 'cached_tokens'],
];
const ERROR_TYPES = [
  'rate_limit_exceeded',
  'insufficient_quota',
  'invalid_api_key',
  'permission_error',
  'invalid_request_error',
  'context_length_exceeded',
  'server_error',
  'overloaded_error',
  undefined,
];
const ERROR_CODES = [
  429,
  401,
  403,
  400,
  404,
  500,
  503,
  '429',
  '401',
  '404',
  'tokens',
  null,
  undefined,
];

// Returned by a rewrite that swaps the whole chunk for one of NOT_OBJECTS.
const REPLACE_WITH_NON_OBJECT = Symbol('not an object');
const NOT_OBJECTS = ['[]', '1', '"s"', 'null', 'true', '[{"choices":[]}]'];

/** The first choice's delta of a chunk, created when missing, so a rewrite can change it. */
function deltaOf(chunk) {
  if (!Array.isArray(chunk.choices) || !isPlainObject(chunk.choices[0])) {
    chunk.choices = [{ index: 0, delta: {} }];
  }
  if (!isPlainObject(chunk.choices[0].delta)) chunk.choices[0].delta = {};
  return chunk.choices[0].delta;
}

/**
 * Rewrites of one chunk that keep it valid JSON but change what it means: the fields the
 * contract reads get other types, absurd counts, error members, odd tool calls. Byte
 * mutations mostly break the JSON; these reach the decisions behind it.
 */
const CHUNK_REWRITES = {
  'content not a string': (rng, chunk) => {
    deltaOf(chunk).content = rng.pick([42, null, ['a'], { text: 'a' }, true]);
  },
  'delta not an object': (rng, chunk) => {
    deltaOf(chunk);
    chunk.choices[0].delta = rng.pick([null, 'text', ['a'], 7]);
  },
  'choices not a list of objects': (rng, chunk) => {
    chunk.choices = rng.pick([{}, null, 'x', [null], [1], [[]], [{ index: 0 }]]);
  },
  'a usage count that is not a count': (rng, chunk) => {
    const usage = isPlainObject(chunk.usage)
      ? chunk.usage
      : { prompt_tokens: 10, completion_tokens: 5 };
    const [field, detail] = rng.pick(USAGE_FIELDS);
    const value = rng.pick(COUNT_VALUES);
    if (detail === undefined) usage[field] = value;
    else usage[field] = { ...(isPlainObject(usage[field]) ? usage[field] : {}), [detail]: value };
    chunk.usage = usage;
  },
  'usage not an object': (rng, chunk) => {
    chunk.usage = rng.pick([[], 'x', 5, true, [1, 2]]);
  },
  'an error member': (rng, chunk) => {
    chunk.error = rng.pick([
      { message: 'm', type: rng.pick(ERROR_TYPES), code: rng.pick(ERROR_CODES) },
      { message: 'm', type: rng.pick(ERROR_TYPES), code: rng.pick(ERROR_CODES) },
      'text',
      '',
      null,
      0,
      false,
      [],
      {},
    ]);
  },
  'an older vLLM error object': (rng, chunk) => {
    chunk.object = 'error';
    chunk.message = 'm';
    chunk.type = rng.pick(ERROR_TYPES);
    chunk.code = rng.pick(ERROR_CODES);
  },
  'reasoning fields that disagree': (rng, chunk) => {
    const delta = deltaOf(chunk);
    delta.reasoning = rng.pick(['', 'r one', 5, null]);
    delta.reasoning_content = rng.pick(['', 'r two', null]);
  },
  'odd tool calls': (rng, chunk) => {
    deltaOf(chunk).tool_calls = rng.pick([
      [{ function: { arguments: 5 } }],
      { function: { arguments: 'x' } },
      [{ function: 'x' }],
      [{ function: { arguments: '{"a"' } }, { function: { arguments: ':1}' } }],
      [null],
      [],
    ]);
  },
  'a refusal': (rng, chunk) => {
    deltaOf(chunk).refusal = rng.pick(['I cannot help with that.', '']);
  },
  'a lone surrogate in the text': (rng, chunk) => {
    deltaOf(chunk).content = rng.pick(['\ud800', 'a\udc00b', '\ud83e']);
  },
  'not an object at all': () => REPLACE_WITH_NON_OBJECT,
};

/** Moves every mark at or after `from` by `delta` bytes; drops those inside [from, to). */
function shiftMarks(marks, from, to, delta) {
  const move = (offset) => (offset >= to ? offset + delta : offset);
  const outside = (offset) => offset < from || offset >= to;
  return {
    dataLines: marks.dataLines.map(move),
    json: marks.json.map(([start, end]) =>
      start === from ? [start, end + delta] : [move(start), move(end)],
    ),
    boundaries: marks.boundaries.map(move),
    multibyte: marks.multibyte.filter(outside).map(move),
    done:
      marks.done === undefined
        ? undefined
        : Object.fromEntries(Object.entries(marks.done).map(([key, value]) => [key, move(value)])),
  };
}

/** Rewrites one whole-line chunk of `base`; undefined when none parses (all split, say). */
function rewriteChunk(rng, base) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const [start, end] = rng.pick(base.marks.json);
    let chunk;
    try {
      chunk = JSON.parse(base.body.subarray(start, end).toString('utf8'));
    } catch {
      continue;
    }
    if (!isPlainObject(chunk)) continue;
    const name = rng.pick(Object.keys(CHUNK_REWRITES));
    const replaced =
      CHUNK_REWRITES[name](rng, chunk) === REPLACE_WITH_NON_OBJECT
        ? rng.pick(NOT_OBJECTS)
        : JSON.stringify(chunk);
    const json = Buffer.from(replaced, 'utf8');
    const body = Buffer.concat([base.body.subarray(0, start), json, base.body.subarray(end)]);
    return {
      base: {
        ...base,
        body,
        marks: shiftMarks(base.marks, start, end, json.length - (end - start)),
      },
      description: `rewrite the chunk at ${start}: ${name} (${replaced.length > 120 ? `${replaced.slice(0, 120)}…` : replaced})`,
    };
  }
  return undefined;
}

/**
 * A chunk rewrite now and then, one to three byte mutations of a valid base stream, and
 * (sometimes) a truncation. Returns
 * the mutated body and, when truncated, the bytes the server would have sent after the cut
 * (so a framing can declare the full length and then cut the connection).
 * @param {import('../prng.mjs').Rng} rng
 * @param {ReturnType<typeof buildBaseStream>} base
 */
export function mutateStream(rng, original) {
  const steps = [];
  let base = original;
  if (rng.chance(0.3)) {
    const rewritten = rewriteChunk(rng, base);
    if (rewritten !== undefined) {
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

const sseChunk = (delta, extra = {}) =>
  JSON.stringify({
    id: 'chatcmpl-edge',
    object: 'chat.completion.chunk',
    created: 1733000000,
    model: 'fuzz-model',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
    ...extra,
  });
const usageChunk = (usage) =>
  JSON.stringify({
    id: 'chatcmpl-edge',
    object: 'chat.completion.chunk',
    created: 1733000000,
    model: 'fuzz-model',
    choices: [],
    usage,
  });

/** Events of a short valid stream: role, three answer deltas, a finish chunk. */
function shortStreamEvents() {
  return [
    sseChunk({ role: 'assistant', content: '' }),
    sseChunk({ content: 'The keeper' }),
    sseChunk({ content: ' lit the lamp' }),
    sseChunk({ content: ' at dusk.' }),
    JSON.stringify({
      id: 'chatcmpl-edge',
      object: 'chat.completion.chunk',
      created: 1733000000,
      model: 'fuzz-model',
      choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
    }),
  ];
}

const sse = (events, lineEnd = '\n') =>
  events.map((data) => `data: ${data}${lineEnd}${lineEnd}`).join('');
const DONE = 'data: [DONE]\n\n';
const validBody = () => sse(shortStreamEvents()) + DONE;
const sseResponse = (body, framing = 'length', headers = SSE_HEADERS) =>
  buildResponse(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), { headers, framing });
const errorBody = (type, message) =>
  JSON.stringify({ error: { message, type, param: null, code: null } });
const jsonResponse = (status, body, extraHeaders = []) =>
  buildResponse(Buffer.from(body), {
    status,
    headers: [['Content-Type', 'application/json'], ...extraHeaders],
    framing: 'length',
  });

/**
 * Hand-written hostile responses. Each has its exact bytes, how the server leaves the
 * connection, the outcome the contract requires (`expect`, checked against the reference
 * decoder by the suite's own tests), and optional extra checks:
 * `isolated` (own CLI run, so its memory and time are its own), `maxRssGrowthBytes`,
 * `maxWallMs`, `maxStallMs` (the run's longest event-loop stall, from its summary),
 * `maxE2eMs`, `maxErrorMessageChars`, `messageIncludes`, `maxEventBytes` (run
 * with `--max-event-bytes`, and the reference with the same cap), and the hand-counted
 * `tokenEvents` and `usageIgnored` the reference must agree with. `build(rng)` makes the
 * bytes; cases that need randomness draw it from the `rng` they are given.
 */
export function edgeCases() {
  const cases = [];
  const add = (name, expect, build, checks = {}) => cases.push({ name, expect, build, ...checks });
  const raw = (text) => () => ({ bytes: Buffer.from(text, 'latin1'), ending: 'close' });

  // Not HTTP at all.
  add('ssh-banner', 'protocol', raw('SSH-2.0-OpenSSH_9.6p1 Debian-3\r\n'));
  add('http2-preface', 'protocol', raw('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
  add('http2-settings-and-goaway', 'protocol', () => ({
    // A server that only speaks HTTP/2 (prior knowledge) answers with SETTINGS and GOAWAY.
    bytes: Buffer.from([
      0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100, 0, 0, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      1,
    ]),
    ending: 'close',
  }));
  add('random-binary', 'protocol', (rng) => {
    const bytes = rng.bytes(4096);
    bytes[0] = 0x8f; // never 'H': the first byte alone already says it is not HTTP
    return { bytes, ending: 'close' };
  });
  // Broken HTTP heads.
  add(
    'garbage-status-line',
    'protocol',
    raw(`HTTP/1.1 OK 200\r\nContent-Type: text/event-stream\r\n\r\n${validBody()}`),
  );
  add(
    'status-code-four-digits',
    'protocol',
    raw(`HTTP/1.1 2000 OK\r\nContent-Type: text/event-stream\r\n\r\n${validBody()}`),
  );
  // llhttp takes HTTP/2.0 (and 0.9) on a status line and reads the rest as HTTP/1.1.
  add(
    'http-version-2-status-line',
    'ok',
    raw(`HTTP/2.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\n${validBody()}`),
    { tokenEvents: 3 },
  );
  add(
    'http-version-1.2-status-line',
    'protocol',
    raw(`HTTP/1.2 200 OK\r\nContent-Type: text/event-stream\r\n\r\n${validBody()}`),
  );
  add(
    'header-without-colon',
    'protocol',
    raw(`HTTP/1.1 200 OK\r\nContent-Type text/event-stream\r\n\r\n${validBody()}`),
  );
  add(
    'space-before-header-colon',
    'protocol',
    raw(`HTTP/1.1 200 OK\r\nContent-Type : text/event-stream\r\n\r\n${validBody()}`),
  );
  add(
    'bogus-chunk-size',
    'protocol',
    raw(
      `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${validBody()}\r\n0\r\n\r\n`,
    ),
  );
  add(
    'negative-chunk-size',
    'protocol',
    raw(
      `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n`,
    ),
  );
  add('bogus-chunk-size-after-events', 'protocol', () => {
    const events = Buffer.from(sse(shortStreamEvents()));
    const good = encodeChunked(events, [40, 97], false).bytes;
    return {
      bytes: Buffer.concat([
        responseHead(200, [...SSE_HEADERS, ['Transfer-Encoding', 'chunked']]),
        good,
        Buffer.from('0x1g\r\nxx\r\n'),
      ]),
      ending: 'close',
    };
  });
  add(
    'bogus-chunk-size-after-done',
    'ok',
    () => {
      const good = encodeChunked(Buffer.from(validBody()), [64], false).bytes;
      return {
        bytes: Buffer.concat([
          responseHead(200, [...SSE_HEADERS, ['Transfer-Encoding', 'chunked']]),
          good,
          Buffer.from('nope\r\n'),
        ]),
        ending: 'close',
      };
    },
    { tokenEvents: 3 },
  );
  add(
    'chunk-data-without-crlf',
    'protocol',
    raw(
      `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n5\r\ndata:XX\r\n0\r\n\r\n`,
    ),
  );
  add('header-overflow', 'protocol', () => {
    const pad = Array.from({ length: 128 }, (_, i) => `X-Pad-${i}: ${'p'.repeat(1000)}\r\n`).join(
      '',
    );
    return {
      bytes: Buffer.from(
        `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n${pad}Content-Length: 12\r\n\r\ndata: x\n\n\n\n`,
      ),
      ending: 'close',
    };
  });
  add('conflicting-content-length', 'protocol', () => {
    const body = validBody();
    return {
      bytes: Buffer.from(
        `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: ${body.length}\r\nContent-Length: ${body.length + 10}\r\n\r\n${body}`,
      ),
      ending: 'close',
    };
  });
  add('duplicate-content-length', 'protocol', () => {
    const body = validBody();
    return {
      bytes: Buffer.from(
        `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: ${body.length}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      ),
      ending: 'close',
    };
  });
  add('chunked-and-content-length', 'protocol', () => {
    const body = Buffer.from(validBody());
    const chunked = encodeChunked(body, [100]).bytes;
    return {
      bytes: Buffer.concat([
        responseHead(200, [
          ...SSE_HEADERS,
          ['Content-Length', String(body.length)],
          ['Transfer-Encoding', 'chunked'],
        ]),
        chunked,
      ]),
      ending: 'close',
    };
  });
  add('closed-before-any-byte', 'network', () => ({ bytes: Buffer.alloc(0), ending: 'close' }));
  add('closed-mid-status-line', 'network', raw('HTTP/1.1 20'));
  add('closed-mid-headers', 'network', raw('HTTP/1.1 200 OK\r\nContent-Type: text/event-st'));
  add('reset-mid-headers', 'network', () => ({
    bytes: Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n'),
    ending: 'reset',
  }));

  // Statuses.
  add('status-429', 'rate_limited', () => ({
    bytes: jsonResponse(429, errorBody('requests', 'Rate limit reached for requests'), [
      ['Retry-After', '1'],
    ]),
    ending: 'keep',
  }));
  add('status-401', 'auth', () => ({
    bytes: jsonResponse(401, errorBody('invalid_request_error', 'Incorrect API key provided')),
    ending: 'keep',
  }));
  add('status-403', 'auth', () => ({
    bytes: jsonResponse(403, errorBody('permission_error', 'Forbidden')),
    ending: 'keep',
  }));
  add('status-408', 'timeout_total', () => ({
    bytes: jsonResponse(408, errorBody('timeout', 'Request timed out')),
    ending: 'keep',
  }));
  add('status-400', 'client_error', () => ({
    bytes: jsonResponse(400, errorBody('invalid_request_error', 'Unsupported parameter')),
    ending: 'keep',
  }));
  add('status-404', 'client_error', () => ({
    bytes: jsonResponse(404, errorBody('invalid_request_error', 'The model does not exist')),
    ending: 'keep',
  }));
  add('status-422', 'client_error', () => ({
    bytes: jsonResponse(422, '{"detail":"unprocessable"}'),
    ending: 'keep',
  }));
  add('status-500', 'server_error', () => ({
    bytes: jsonResponse(500, errorBody('server_error', 'The server had an error')),
    ending: 'keep',
  }));
  add('status-502-html', 'server_error', () => ({
    bytes: buildResponse(Buffer.from('<html><body><h1>502 Bad Gateway</h1></body></html>'), {
      status: 502,
      headers: [['Content-Type', 'text/html']],
      framing: 'close',
    }),
    ending: 'close',
  }));
  add('status-503-chunked', 'server_error', () => ({
    bytes: buildResponse(Buffer.from(errorBody('overloaded', 'Overloaded')), {
      status: 503,
      headers: [['Content-Type', 'application/json']],
      framing: 'chunked',
      chunkSizes: [7],
    }),
    ending: 'keep',
  }));
  add('status-302-redirect', 'protocol', () => ({
    bytes: buildResponse(Buffer.alloc(0), {
      status: 302,
      headers: [['Location', 'http://127.0.0.1:1/login']],
      framing: 'length',
    }),
    ending: 'keep',
  }));

  // 2xx that is not an event stream.
  add(
    'html-login-page-200',
    'protocol',
    () => ({
      bytes: buildResponse(
        Buffer.from(
          '<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n<body><form method="post" action="/login"><input name="user"><input name="password" type="password"></form></body></html>\n',
        ),
        { headers: [['Content-Type', 'text/html; charset=utf-8']], framing: 'length' },
      ),
      ending: 'keep',
    }),
    { messageIncludes: 'text/html' },
  );
  add(
    'json-object-200',
    'protocol',
    () => ({
      bytes: jsonResponse(
        200,
        JSON.stringify({
          id: 'chatcmpl-edge',
          object: 'chat.completion',
          model: 'fuzz-model',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: 'Not streamed.' },
              finish_reason: 'stop',
            },
          ],
          usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
        }),
      ),
      ending: 'keep',
    }),
    { messageIncludes: 'application/json' },
  );
  add('empty-200-event-stream', 'stream_interrupted', () => ({
    bytes: sseResponse(''),
    ending: 'keep',
  }));
  add('empty-200-event-stream-uppercase-type', 'stream_interrupted', () => ({
    // Media types compare case-insensitively: this is an event stream that ended empty.
    bytes: sseResponse('', 'close', [['Content-Type', 'Text/Event-Stream; Charset=UTF-8']]),
    ending: 'close',
  }));
  add('empty-200-without-content-type', 'protocol', () => ({
    bytes: sseResponse('', 'length', []),
    ending: 'keep',
  }));
  add(
    'event-stream-served-as-text-plain',
    'ok',
    () => ({
      bytes: sseResponse(validBody(), 'length', [['Content-Type', 'text/plain']]),
      ending: 'keep',
    }),
    { tokenEvents: 3 },
  );
  add('gzip-valid-stream', 'protocol', () => ({
    bytes: sseResponse(gzipSync(Buffer.from(validBody())), 'length', [
      ...SSE_HEADERS,
      ['Content-Encoding', 'gzip'],
    ]),
    ending: 'keep',
  }));
  add('gzip-garbage', 'protocol', (rng) => ({
    bytes: sseResponse(rng.bytes(512), 'close', [...SSE_HEADERS, ['Content-Encoding', 'gzip']]),
    ending: 'close',
  }));

  // Errors inside the stream.
  add(
    'in-stream-error-2mb-message',
    'server_error',
    () => ({
      bytes: sseResponse(
        sse([
          sseChunk({ role: 'assistant', content: '' }),
          sseChunk({ content: 'Hi' }),
          JSON.stringify({
            error: {
              message: `boom ${'m'.repeat(2 * 1024 * 1024)}`,
              type: 'server_error',
              code: null,
            },
          }),
        ]),
        'close',
      ),
      ending: 'close',
    }),
    { maxErrorMessageChars: 1024 },
  );
  const inStreamError = (name, expect, errorJson, eventType) =>
    add(name, expect, () => ({
      bytes: sseResponse(
        sse([sseChunk({ role: 'assistant', content: '' }), sseChunk({ content: 'Partial' })]) +
          (eventType === undefined ? '' : `event: ${eventType}\n`) +
          `data: ${errorJson}\n\n`,
        'chunked',
      ),
      ending: 'keep',
    }));
  inStreamError(
    'in-stream-error-rate-limit',
    'rate_limited',
    JSON.stringify({
      error: { message: 'slow down', type: 'rate_limit_exceeded', code: 'rate_limit_exceeded' },
    }),
  );
  inStreamError(
    'in-stream-error-code-429-number',
    'rate_limited',
    JSON.stringify({ error: { message: 'busy', type: 'x', code: 429 } }),
  );
  inStreamError(
    'in-stream-error-auth',
    'auth',
    JSON.stringify({ error: { message: 'bad key', type: 'invalid_api_key', code: null } }),
  );
  inStreamError(
    'in-stream-error-context-length',
    'client_error',
    JSON.stringify({
      error: {
        message: 'too long',
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
      },
    }),
  );
  inStreamError(
    'in-stream-error-code-404-string',
    'client_error',
    JSON.stringify({ error: { message: 'gone', code: '404' } }),
  );
  inStreamError(
    'in-stream-error-unknown-type',
    'server_error',
    JSON.stringify({ error: { message: 'odd', type: 'something_new' } }),
  );
  inStreamError(
    'in-stream-error-string',
    'server_error',
    JSON.stringify({ error: 'Input validation error', error_type: 'validation' }),
  );
  inStreamError(
    'in-stream-error-event-type',
    'server_error',
    JSON.stringify({ message: 'upstream failed' }),
    'error',
  );
  inStreamError(
    'in-stream-error-event-type-rate-limit',
    'rate_limited',
    JSON.stringify({ type: 'rate_limit_error', message: 'slow' }),
    'error',
  );
  add('error-then-malformed-json', 'protocol', () => ({
    bytes: sseResponse(
      `${sse([JSON.stringify({ error: { message: 'x', type: 'server_error' } })])}data: {not json\n\n`,
    ),
    ending: 'keep',
  }));
  add('two-errors-the-first-decides', 'rate_limited', () => ({
    bytes: sseResponse(
      sse([
        JSON.stringify({ error: { message: 'slow down', type: 'rate_limit_exceeded' } }),
        JSON.stringify({ error: { message: 'bad key', type: 'invalid_api_key' } }),
      ]),
    ),
    ending: 'keep',
  }));
  add('error-then-done', 'server_error', () => ({
    bytes: sseResponse(
      `${sse([sseChunk({ content: 'a' }), JSON.stringify({ error: { message: 'x', type: 'server_error' } })])}${DONE}`,
    ),
    ending: 'keep',
  }));
  add('malformed-json-then-done', 'protocol', () => ({
    bytes: sseResponse(`data: {"choices":[{"delta":{"content":"a"}}\n\n${DONE}`),
    ending: 'keep',
  }));
  add('array-chunk', 'protocol', () => ({
    bytes: sseResponse(`data: [1,2,3]\n\n${DONE}`),
    ending: 'keep',
  }));
  add('null-chunk', 'protocol', () => ({
    bytes: sseResponse(`data: null\n\n${DONE}`),
    ending: 'keep',
  }));
  add('string-chunk', 'protocol', () => ({
    bytes: sseResponse(`data: "text"\n\n${DONE}`),
    ending: 'keep',
  }));

  // Interim responses.
  // RFC 9110 §15.2 wants a client to skip a 1xx it did not expect; undici 7 fails the
  // request instead (a documented limitation of providers-core), which is classified protocol.
  add('unsolicited-100-continue', 'protocol', () => ({
    bytes: Buffer.concat([Buffer.from('HTTP/1.1 100 Continue\r\n\r\n'), sseResponse(validBody())]),
    ending: 'keep',
  }));
  add(
    'http-1.0-close-delimited',
    'ok',
    () => ({
      bytes: Buffer.from(
        `HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\n${validBody()}`,
      ),
      ending: 'close',
    }),
    { tokenEvents: 3 },
  );

  // Usage that cannot be a token count: the stream is fine, its usage is ignored.
  const absurdUsage = (name, usageJson) =>
    add(
      name,
      'ok',
      () => ({
        bytes: sseResponse(
          sse(shortStreamEvents()) +
            `data: ${usageChunk('USAGE').replace('"USAGE"', usageJson)}\n\n${DONE}`,
        ),
        ending: 'keep',
      }),
      { tokenEvents: 3, usageIgnored: true },
    );
  absurdUsage('usage-1e300', '{"prompt_tokens":12,"completion_tokens":1e300,"total_tokens":1e300}');
  absurdUsage(
    'usage-1e20',
    '{"prompt_tokens":12,"completion_tokens":100000000000000000000,"total_tokens":100000000000000000012}',
  );
  absurdUsage(
    'usage-2pow53',
    `{"prompt_tokens":12,"completion_tokens":${2 ** 53},"total_tokens":${2 ** 53 + 12}}`,
  );
  absurdUsage(
    'usage-fractional',
    '{"prompt_tokens":12,"completion_tokens":26.5,"total_tokens":38.5}',
  );
  absurdUsage('usage-negative', '{"prompt_tokens":12,"completion_tokens":-1,"total_tokens":11}');
  absurdUsage(
    'usage-string-count',
    '{"prompt_tokens":12,"completion_tokens":"12","total_tokens":24}',
  );
  absurdUsage(
    'usage-reasoning-1e300',
    '{"prompt_tokens":12,"completion_tokens":5,"completion_tokens_details":{"reasoning_tokens":1e300}}',
  );
  add(
    'usage-prompt-1e308-three-times',
    'ok',
    () => {
      const absurd = usageChunk('USAGE').replace(
        '"USAGE"',
        '{"prompt_tokens":1e308,"completion_tokens":4,"total_tokens":1e308}',
      );
      return {
        bytes: sseResponse(sse([...shortStreamEvents(), absurd, absurd, absurd]) + DONE),
        ending: 'keep',
      };
    },
    { tokenEvents: 3, usageIgnored: true },
  );
  add(
    'continuous-usage-jumps-to-1e10',
    'ok',
    () => {
      const events = [];
      let completion = 0;
      for (let i = 0; i < 8; i++) {
        completion = i < 5 ? completion + 1 : 1e10 + i;
        events.push(
          sseChunk(
            { content: ` word${i}` },
            {
              usage: {
                prompt_tokens: 9,
                completion_tokens: completion,
                total_tokens: 9 + completion,
              },
            },
          ),
        );
      }
      return { bytes: sseResponse(sse(events) + DONE), ending: 'keep' };
    },
    { tokenEvents: 8, usageIgnored: true },
  );

  // End-marker placement.
  add(
    'done-then-connection-kept-open',
    'ok',
    () => ({ bytes: sseResponse(validBody(), 'close'), ending: 'open' }),
    {
      tokenEvents: 3,
      maxE2eMs: 2000,
    },
  );
  add(
    'done-then-chunked-never-terminated',
    'ok',
    () => ({
      bytes: Buffer.concat([
        responseHead(200, [...SSE_HEADERS, ['Transfer-Encoding', 'chunked']]),
        encodeChunked(Buffer.from(validBody()), [50], false).bytes,
      ]),
      ending: 'open',
    }),
    { tokenEvents: 3, maxE2eMs: 2000 },
  );
  add(
    'done-without-final-blank-line',
    'ok',
    () => ({
      bytes: sseResponse(`${sse(shortStreamEvents())}data: [DONE]\n`, 'close'),
      ending: 'close',
    }),
    { tokenEvents: 3 },
  );
  add(
    'done-unterminated-last-line',
    'ok',
    () => ({
      bytes: sseResponse(`${sse(shortStreamEvents())}data: [DONE]`, 'close'),
      ending: 'close',
    }),
    { tokenEvents: 3 },
  );
  add(
    'done-no-space-unterminated',
    'ok',
    () => ({
      bytes: sseResponse(`${sse(shortStreamEvents())}data:[DONE]`, 'length'),
      ending: 'keep',
    }),
    { tokenEvents: 3 },
  );
  add(
    'done-then-reset',
    'ok',
    () => ({ bytes: sseResponse(validBody(), 'close'), ending: 'reset' }),
    { tokenEvents: 3 },
  );
  add(
    'done-then-reset-before-declared-length',
    'ok',
    () => ({
      bytes: buildResponse(Buffer.from(validBody()), {
        headers: SSE_HEADERS,
        framing: 'length',
        declaredLength: validBody().length + 500,
      }),
      ending: 'reset',
    }),
    { tokenEvents: 3 },
  );
  add(
    'done-pending-then-comment-at-eof',
    'ok',
    () => ({
      // The open event's only data is [DONE]; a comment after it changes nothing.
      bytes: sseResponse(`${sse(shortStreamEvents())}data: [DONE]\n: bye\n`, 'close'),
      ending: 'close',
    }),
    { tokenEvents: 3 },
  );
  add(
    'events-after-done',
    'ok',
    () => ({
      bytes: sseResponse(`${validBody()}${sse([sseChunk({ content: ' late' }), '{broken'])}`),
      ending: 'keep',
    }),
    { tokenEvents: 3 },
  );
  add(
    'garbage-after-done',
    'ok',
    (rng) => ({
      bytes: Buffer.concat([sseResponse(validBody(), 'close').subarray(0), rng.bytes(300)]),
      ending: 'close',
    }),
    { tokenEvents: 3 },
  );
  add('cut-inside-done', 'stream_interrupted', () => ({
    bytes: sseResponse(`${sse(shortStreamEvents())}data: [DON`, 'close'),
    ending: 'close',
  }));
  add('no-done-clean-close', 'stream_interrupted', () => ({
    bytes: sseResponse(sse(shortStreamEvents()), 'close'),
    ending: 'close',
  }));
  add('no-done-complete-length', 'stream_interrupted', () => ({
    bytes: sseResponse(sse(shortStreamEvents())),
    ending: 'keep',
  }));

  // Framing variants of a valid stream.
  add('bom', 'ok', () => ({ bytes: sseResponse(`\ufeff${validBody()}`), ending: 'keep' }), {
    tokenEvents: 3,
  });
  add(
    'double-bom',
    'ok',
    () => ({
      // Only one BOM is stripped: the second makes the first line's field "\ufeffdata", unknown.
      bytes: sseResponse(`\ufeff\ufeffdata: ${sseChunk({ content: 'lost' })}\n\n${validBody()}`),
      ending: 'keep',
    }),
    { tokenEvents: 3 },
  );
  add(
    'cr-only-line-ends',
    'ok',
    () => ({
      bytes: sseResponse(sse(shortStreamEvents(), '\r') + 'data: [DONE]\r\r'),
      ending: 'keep',
    }),
    { tokenEvents: 3 },
  );
  add(
    'crlf-line-ends',
    'ok',
    () => ({
      bytes: sseResponse(sse(shortStreamEvents(), '\r\n') + 'data: [DONE]\r\n\r\n', 'chunked'),
      ending: 'keep',
    }),
    { tokenEvents: 3 },
  );
  add(
    'comments-and-keepalives',
    'ok',
    () => ({
      bytes: sseResponse(
        `: connected\n\n${shortStreamEvents()
          .map((data) => `:ping\ndata: ${data}\n: keep-alive\n\n:\n\n`)
          .join('')}retry: 1000\n\nevent: ping\n\n${DONE}`,
        'chunked',
      ),
      ending: 'keep',
    }),
    { tokenEvents: 3 },
  );
  add(
    'multi-line-data',
    'ok',
    () => ({
      bytes: sseResponse(
        `data: {"choices":[{"index":0,\ndata: "delta":{"content":"joined"}}]}\n\n${DONE}`,
      ),
      ending: 'keep',
    }),
    { tokenEvents: 1 },
  );
  add(
    'empty-choices-content-filter',
    'ok',
    () => ({
      bytes: sseResponse(
        sse([
          JSON.stringify({
            id: '',
            object: '',
            created: 0,
            model: '',
            choices: [],
            prompt_filter_results: [
              {
                prompt_index: 0,
                content_filter_results: { hate: { filtered: false, severity: 'safe' } },
              },
            ],
          }),
          ...shortStreamEvents(),
          JSON.stringify({
            id: 'x',
            choices: [
              {
                index: 0,
                finish_reason: null,
                content_filter_offsets: { check_offset: 0, start_offset: 0, end_offset: 30 },
                content_filter_results: {},
              },
            ],
          }),
        ]) + DONE,
      ),
      ending: 'keep',
    }),
    { tokenEvents: 3 },
  );
  add(
    'reasoning-both-fields',
    'ok',
    () => ({
      bytes: sseResponse(
        sse([
          sseChunk({ role: 'assistant', content: '' }),
          sseChunk({ reasoning: 'Let me think', reasoning_content: 'Let me think' }),
          sseChunk({ reasoning_content: ' about it.' }),
          sseChunk({ content: 'Answer.' }),
          sseChunk({
            tool_calls: [
              {
                index: 0,
                id: 'call_1',
                type: 'function',
                function: { name: 'f', arguments: '{"a":' },
              },
            ],
          }),
          sseChunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
        ]) + DONE,
      ),
      ending: 'keep',
    }),
    { tokenEvents: 5 },
  );
  add(
    'role-only-and-empty-deltas',
    'ok',
    () => ({
      bytes: sseResponse(
        sse([
          sseChunk({ role: 'assistant', content: '' }),
          sseChunk({ content: '' }),
          sseChunk({}),
          sseChunk({ content: 'x' }),
        ]) + DONE,
      ),
      ending: 'keep',
    }),
    { tokenEvents: 1 },
  );
  add(
    'event-line-without-data',
    'ok',
    () => ({
      bytes: sseResponse(`event: error\n\n${validBody()}`),
      ending: 'keep',
    }),
    { tokenEvents: 3 },
  );
  add(
    'split-utf8-one-byte-writes',
    'ok',
    () => ({
      bytes: sseResponse(
        sse([sseChunk({ content: '中文 🦀 café' }), sseChunk({ content: ' 👩‍💻' })]) + DONE,
        'chunked',
      ),
      ending: 'keep',
      writes: 'bytewise',
    }),
    { tokenEvents: 2 },
  );
  add(
    'invalid-utf8-in-string',
    'ok',
    () => ({
      // Invalid bytes inside a JSON string decode to U+FFFD: still valid JSON, still text.
      bytes: sseResponse(
        Buffer.concat([
          Buffer.from('data: {"choices":[{"delta":{"content":"a'),
          Buffer.from([0xff, 0xc3, 0x28, 0xe2, 0x82]),
          Buffer.from('b"}}]}\n\n' + DONE),
        ]),
      ),
      ending: 'keep',
    }),
    { tokenEvents: 1 },
  );

  // The size cap, lowered with --max-event-bytes.
  const words = (chars) => 'word '.repeat(Math.ceil(chars / 5)).slice(0, chars);
  add(
    'max-event-bytes-line-over',
    'protocol',
    () => ({
      bytes: sseResponse(sse([sseChunk({ content: words(100_000) })]) + DONE),
      ending: 'keep',
    }),
    { maxEventBytes: 65_536 },
  );
  add(
    'max-event-bytes-event-over',
    'protocol',
    () => ({
      // Two data lines of 40 KB: each line fits, the event they make does not.
      bytes: sseResponse(
        `data: {"choices":[{"delta":{"content":"${words(40_000)}\ndata: ${words(40_000)}"}}]}\n\n${DONE}`,
      ),
      ending: 'keep',
    }),
    { maxEventBytes: 65_536 },
  );
  add(
    'max-event-bytes-under',
    'ok',
    () => ({
      bytes: sseResponse(sse([sseChunk({ content: words(60_000) })]) + DONE),
      ending: 'keep',
    }),
    { maxEventBytes: 65_536, tokenEvents: 1 },
  );

  // Size and volume.
  add(
    'long-word-300k',
    'ok',
    () => ({
      bytes: sseResponse(
        sse([
          sseChunk({ role: 'assistant', content: '' }),
          sseChunk({ content: 'a'.repeat(150_000) }),
          sseChunk({ content: 'b'.repeat(150_000) }),
        ]) + DONE,
        'chunked',
      ),
      ending: 'keep',
    }),
    { tokenEvents: 2, isolated: true, maxWallMs: 10_000, maxStallMs: 1000 },
  );
  add(
    'tiny-events-100k',
    'ok',
    () => {
      const event = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: ' a' } }] })}\n\n`;
      return { bytes: sseResponse(event.repeat(100_000) + DONE, 'chunked'), ending: 'keep' };
    },
    { tokenEvents: 100_000, isolated: true, maxWallMs: 30_000 },
  );
  add(
    'endless-data-line-256mib',
    'protocol',
    () => {
      // 256 MiB in 1 MiB writes, with no line end anywhere: far past any cap, so a client
      // that buffers it all shows in its RSS.
      const head = Buffer.concat([
        responseHead(200, [...SSE_HEADERS, ['Connection', 'close']]),
        Buffer.from('data: {"choices":[{"delta":{"content":"', 'latin1'),
      ]);
      return {
        bytes: head,
        repeat: { bytes: Buffer.alloc(1024 * 1024, 0x61), times: 256 },
        ending: 'close',
      };
    },
    { isolated: true, maxRssGrowthBytes: 48 * 1024 * 1024, maxWallMs: 30_000 },
  );
  add(
    'endless-comment-line-256mib',
    'protocol',
    () => {
      // 256 MiB in 1 MiB writes, with no line end anywhere: far past any cap, so a client
      // that buffers it all shows in its RSS.
      const head = Buffer.concat([
        responseHead(200, [...SSE_HEADERS, ['Connection', 'close']]),
        Buffer.from(': ', 'latin1'),
      ]);
      return {
        bytes: head,
        repeat: { bytes: Buffer.alloc(1024 * 1024, 0x62), times: 256 },
        ending: 'close',
      };
    },
    { isolated: true, maxRssGrowthBytes: 48 * 1024 * 1024, maxWallMs: 30_000 },
  );

  return cases;
}

// ---------------------------------------------------------------------------------------
// The protocol, as the fuzz runner uses it
// ---------------------------------------------------------------------------------------

/** The OpenAI chat-completions streaming protocol module. */
export const openaiChat = {
  name: 'openai-chat',
  /** How the CLI is pointed at the hostile server. */
  cliArgs: (baseUrl) => [
    '-p',
    'openai-compatible',
    '--base-url',
    `${baseUrl}/v1`,
    '-m',
    'fuzz-model',
  ],
  requestPath: '/v1/chat/completions',
  contentType: 'text/event-stream',
  buildBaseStream,
  mutateStream,
  edgeCases,
  referenceOutcome,
};
