/**
 * Cohere's Chat v2 stream (`POST /v2/chat` with `stream: true`), as the fuzz suite sees it:
 * valid base streams, the mutations worth making to them, hand-written hostile responses,
 * and the reference decoder that says what llm-lens must report for any response. Written
 * from the wire format (Cohere's Chat v2 streaming and error documentation, the recorded
 * streams in shared/real-streams read for their shape, /work/shared/PROTOCOLS.md) and the
 * adapter's documented reading (packages/providers-cohere/README.md), never from the
 * product's parsing code.
 *
 * The contract its reference decoder encodes (HTTP and event-stream framing as in the
 * README: WHATWG rules, the 8 MiB / --max-event-bytes cap on a line or an event):
 * - Statuses. As the shared contract, except Cohere's own: 402 Payment Required and 498
 *   (invalid token) → `auth`, 499 (cancelled on Cohere's side) → `server_error`.
 * - Data. An event whose data is exactly `[DONE]` is skipped wherever it is: never JSON,
 *   never an end marker (the adapter: "a [DONE] without message-end does not complete a
 *   stream"). Any other data must parse as a JSON object, else `protocol`, final whatever
 *   follows; `[DONE] ` with a space is malformed JSON.
 * - Kind. An event is what its payload's `type` says when that is a non-empty string, else
 *   what its `event:` name says (reading taken: the docs give both and say they agree; the
 *   payload is what Cohere's SDKs dispatch on, as for Anthropic).
 * - Tokens. `content-delta`: `delta.message.content.text` (answer) and `.thinking`
 *   (reasoning), one token event when either is a non-empty string. `tool-plan-delta`:
 *   `delta.message.tool_plan` (reasoning). `tool-call-start` and `tool-call-delta`:
 *   `delta.message.tool_calls.function.arguments` (tool text), `tool_calls` being one call
 *   object as Cohere streams it (an array, OpenAI's shape, carries nothing). Members of
 *   another type carry nothing. `message-start`, `content-start`, `content-end`,
 *   `tool-call-end`, `citation-start`, `citation-end`, `debug` and unknown kinds are never
 *   tokens, whatever text they hold (the adapter's README and decoder doc both say
 *   `content-start` is never a token; the reading follows them).
 * - End. The first `message-end` is the end marker: what follows it (a second message-end,
 *   deltas, broken JSON, a line past the cap) is ignored. A message-end the body ends inside
 *   (no blank line after it) is discarded, as WHATWG and the adapter say: the adapter has no
 *   exception for an unterminated last event.
 * - Failure. A message-end whose `delta` has `finish_reason` exactly `"ERROR"`, or a
 *   non-empty string `error` whatever the finish reason (reading taken: the README describes
 *   the ERROR case; a message-end that names an error is read as one), is an error the
 *   server reported, classed by `delta.error_type`: `INVALID_TOOL_GENERATION` →
 *   `client_error`; any other string, none, a non-string or a name every JavaScript object
 *   has (`constructor`, `__proto__`) → `server_error`. An `error` that is not a string is no
 *   message.
 * - Usage. Only message-end's `delta.usage`, when an object: `tokens.output_tokens` is the
 *   output count. A report whose `tokens.input_tokens`, `tokens.output_tokens` or
 *   `cached_tokens` is present (not null) and not a whole number from 0 to 1e9 is ignored
 *   whole (`usage_ignored`). `billed_units` is never read (the README: it is not recorded),
 *   so odd values there change nothing. Output tokens: the valid `tokens.output_tokens`,
 *   else the tokenizer as for OpenAI (answer, reasoning and tool text counted apart and
 *   summed), else `null` when there was no token event.
 * - Not a stream. Without message-end: a body that never ends is a timeout; an unrequested
 *   Content-Encoding, or a 2xx that is not `text/event-stream` and sent no token event, is
 *   `protocol`; the rest is `stream_interrupted` (a clean close included). With message-end
 *   seen the media type does not matter.
 */
import { gzipSync } from 'node:zlib';
import { buildResponse, encodeChunked, responseHead } from '../http-wire.mjs';
import {
  classOfStatus,
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

/** The data Cohere writes after message-end; skipped, never parsed. */
const DONE_DATA = '[DONE]';
/** The finish reason of a generation that failed after the response started. */
const FAILED_FINISH_REASON = 'ERROR';

/** Statuses Cohere gives a meaning of its own (https://docs.cohere.com/reference/errors). */
const COHERE_STATUS_CLASSES = new Map([
  [402, 'auth'],
  [498, 'auth'],
  [499, 'server_error'],
]);

/**
 * The kinds whose `delta.message.content` text is a token. The adapter's README and decoder
 * doc say content-start never is; should that reading change, it changes here alone.
 */
// content-start normally holds empty text; text a server puts there was generated (README).
const CONTENT_TOKEN_KINDS = new Set(['content-start', 'content-delta']);

/** Classes of a failed generation's `error_type`; any other is a server error. */
const GENERATION_ERROR_CLASSES = new Map([['INVALID_TOOL_GENERATION', 'client_error']]);

/** `holder[key]` when holder is a plain object, else undefined. */
const memberOf = (holder, key) => (isPlainObject(holder) ? holder[key] : undefined);

/** The error class of a non-2xx status, Cohere's own statuses first. */
export function classOfCohereStatus(status) {
  return COHERE_STATUS_CLASSES.get(status) ?? classOfStatus(status);
}

/**
 * What an event is: the payload's own `type` when it is a non-empty string, else the SSE
 * event name. The two say the same on a sound stream.
 */
export function eventKind(payload, sseType) {
  return typeof payload.type === 'string' && payload.type !== '' ? payload.type : sseType;
}

/**
 * The generated text an event of `kind` carries: content-delta's `text` (answer) and
 * `thinking` (reasoning), tool-plan-delta's `tool_plan` (reasoning), tool-call-start and
 * tool-call-delta's `tool_calls.function.arguments` (tool text). Other kinds carry none.
 */
export function eventText(kind, payload) {
  const text = { answer: '', reasoning: '', tool: '' };
  const message = memberOf(payload.delta, 'message');
  if (CONTENT_TOKEN_KINDS.has(kind)) {
    const content = memberOf(message, 'content');
    text.answer = stringOr(memberOf(content, 'text'));
    text.reasoning = stringOr(memberOf(content, 'thinking'));
  } else if (kind === 'tool-plan-delta') {
    text.reasoning = stringOr(memberOf(message, 'tool_plan'));
  } else if (kind === 'tool-call-start' || kind === 'tool-call-delta') {
    const call = memberOf(message, 'tool_calls');
    text.tool = stringOr(memberOf(memberOf(call, 'function'), 'arguments'));
  }
  return text;
}

/** Why a usage object must be ignored, or undefined when every count it has is usable. */
export function usageProblem(usage) {
  const counts = {
    'tokens.output_tokens': memberOf(usage.tokens, 'output_tokens'),
    'tokens.input_tokens': memberOf(usage.tokens, 'input_tokens'),
    cached_tokens: usage.cached_tokens,
  };
  return countsProblem(counts);
}

/**
 * The failure a message-end's `delta` reports, or undefined: finish reason ERROR, or an
 * error message whatever the finish reason, classed by `error_type` (own names only).
 */
export function generationError(delta) {
  if (!isPlainObject(delta)) return undefined;
  const message = stringOr(delta.error);
  if (delta.finish_reason !== FAILED_FINISH_REASON && message === '') return undefined;
  const type = delta.error_type;
  const errorClass =
    (typeof type === 'string' && GENERATION_ERROR_CLASSES.get(type)) || 'server_error';
  return { errorClass, type };
}

/**
 * The outcome llm-lens must report for a streaming Chat v2 request answered with `bytes`,
 * after which the server left the connection as `ending` says. Same Outcome shape as
 * openai-chat.mjs.
 * @param {{ bytes: Buffer, ending: import('../http-reference.mjs').Ending, maxEventBytes?: number }} served
 * @returns {import('./openai-chat.mjs').Outcome}
 */
export function referenceOutcome({ bytes, ending, maxEventBytes = DEFAULT_MAX_EVENT_BYTES }) {
  const response = readStreamingResponse(bytes, ending, classOfCohereStatus);
  if (response.outcome !== undefined) return response.outcome;
  const { http, mediaType } = response;

  const stream = readEventStream(http.body, { maxEventBytes });
  let protocolError;
  let sawMessageEnd = false;
  let failure;
  let tokenEvents = 0;
  let answer = '';
  let reasoning = '';
  let tool = '';
  let outputTokens;
  let usageIgnored;

  for (const event of stream.events) {
    if (event.data === DONE_DATA) continue;
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
    if (kind === 'message-end') {
      sawMessageEnd = true;
      const usage = memberOf(payload.delta, 'usage');
      if (isPlainObject(usage)) {
        const problem = usageProblem(usage);
        const output = memberOf(usage.tokens, 'output_tokens');
        if (problem !== undefined) usageIgnored = problem;
        else if (typeof output === 'number') outputTokens = output;
      }
      failure = generationError(payload.delta);
      break;
    }
    const text = eventText(kind, payload);
    if (text.answer !== '' || text.reasoning !== '' || text.tool !== '') {
      tokenEvents++;
      answer += text.answer;
      reasoning += text.reasoning;
      tool += text.tool;
    }
  }

  if (!sawMessageEnd && protocolError === undefined) {
    if (stream.overflow !== undefined) protocolError = stream.overflow;
    else if (http.bodyEnd === 'framing')
      protocolError = `broken chunk framing: ${http.framingError}`;
  }
  if (protocolError !== undefined) return { errorClass: 'protocol', reason: protocolError };
  if (failure !== undefined) {
    return {
      errorClass: failure.errorClass,
      reason: `message-end reports a failed generation (error_type ${JSON.stringify(failure.type)})`,
    };
  }
  if (!sawMessageEnd) {
    if (http.bodyEnd === 'open') {
      return {
        errorClass: 'timeout_total',
        reason: 'the body neither ends nor reaches message-end',
      };
    }
    const encodingOutcome = unrequestedEncoding(http);
    if (encodingOutcome !== undefined) return encodingOutcome;
    if (tokenEvents === 0 && mediaType !== 'text/event-stream') {
      return {
        errorClass: 'protocol',
        reason: `expected text/event-stream, got ${mediaType || 'no Content-Type'}`,
      };
    }
    // An event still open when the body ends is discarded (WHATWG), message-end included.
    return { errorClass: 'stream_interrupted', reason: 'the body ended without message-end' };
  }

  return okOutcome({
    reason: 'message-end seen',
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
// text that looks like SSE fields or Cohere events.
const PIECES = [
  'The',
  ' tide',
  ' turns',
  ' at',
  ' noon',
  ',',
  ' über',
  ' façade',
  ' Δέλτα',
  ' 北京',
  ' 한국어',
  ' 🌊',
  ' 🧑‍🚀',
  ' ≈½',
  '\n',
  '\n\n',
  ' "said"',
  ' C:\\path',
  '\tindent',
  ' event: message-end',
  ' data: {"type":"message-end"}',
  ' data: [DONE]',
  ' ][',
  '!',
];
const TOOL_PIECES = ['{\n    "', 'location', '":', ' "', 'Zürich', '"', '\n', '}', '{}', '"東京"'];
const TOOL_NAMES = ['get_weather', 'get_time', 'query_db'];

/** Builds the body while remembering where its parts are, in bytes. */
class StreamWriter {
  parts = [];
  length = 0;
  marks = {
    /** Offsets of the first byte of each `data` field name. */
    dataLines: [],
    /** [start, end) of each `event:` field's value. */
    eventNames: [],
    /** [start, end) of each JSON payload (or payload piece, when split over data lines). */
    json: [],
    /** Offsets where an event starts (after the previous event's blank line). */
    boundaries: [],
    /** Offsets strictly inside a multi-byte UTF-8 character of a payload. */
    multibyte: [],
    /** Where the message-end event is: its start, its JSON, its last line end, its end. */
    end: undefined,
    /** The same, only when the stream is a success (the control case needs one). */
    done: undefined,
    /** Where `data: [DONE]` is: its start and the end of its line. */
    doneData: undefined,
  };

  constructor({ lineEnd, dataPrefix, eventPrefix, withEventLines }) {
    this.lineEnd = lineEnd;
    this.dataPrefix = dataPrefix;
    this.eventPrefix = eventPrefix;
    this.withEventLines = withEventLines;
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
    if (!this.withEventLines) return;
    const { start } = this.line(`${this.eventPrefix}${name}`);
    const valueStart = start + Buffer.byteLength(this.eventPrefix);
    this.marks.eventNames.push([valueStart, valueStart + Buffer.byteLength(name)]);
  }

  /**
   * One event: an optional comment and id, the `event:` line before (or, now and then,
   * after) the data, the JSON over one or two data lines, padding after the JSON, and the
   * blank line. Returns where its JSON and its last data line end, and where it ends.
   */
  event(name, json, { comment, id, splitData, dataFirst, padding = '' }) {
    this.marks.boundaries.push(this.length);
    const eventStart = this.length;
    if (comment !== undefined) this.line(comment);
    if (id !== undefined) this.line(`id: ${id}`);
    if (!dataFirst) this.#eventLine(name);
    // Split after the first comma: JSON whitespace between members, so the joined data
    // (with its '\n') is the same object.
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
    return { eventStart, jsonStart, jsonEnd, lineEnd, eventEnd: this.length };
  }

  /** The `data: [DONE]` event the API writes after message-end. */
  doneEvent() {
    this.marks.boundaries.push(this.length);
    this.marks.dataLines.push(this.length);
    const { start } = this.line(`${this.dataPrefix}${DONE_DATA}`);
    this.marks.doneData = { start, lineEnd: this.length - Buffer.byteLength(this.lineEnd) };
    this.write(this.lineEnd);
  }

  body() {
    return Buffer.concat(this.parts);
  }
}

// Failed generations: the documented type, one Cohere could add, none.
const GENERATION_FAILURES = [
  [
    'INVALID_TOOL_GENERATION',
    'your request resulted in an invalid tool generation. Try updating the messages or tool definitions',
  ],
  ['INTERNAL_ERROR', 'internal server error, this has been reported to our developers'],
  [undefined, 'the generation was interrupted'],
];

/**
 * A valid stream as Chat v2 sends it: message-start; then a thinking block, text blocks
 * (with citations now and then), or a tool plan and tool calls; message-end with usage (or,
 * now and then, a failed generation or a gateway that strips the usage); `data: [DONE]`
 * mostly. Line ends, `data:` spacing, event lines, comments, ids, escaping and padding vary.
 * @param {import('../prng.mjs').Rng} rng
 */
export function buildBaseStream(rng) {
  const lineEnd = rng.weighted({ '\n': 80, '\r\n': 14, '\r': 6 });
  const writer = new StreamWriter({
    lineEnd,
    dataPrefix: rng.chance(0.85) ? 'data: ' : 'data:',
    eventPrefix: rng.chance(0.9) ? 'event: ' : 'event:',
    // A proxy that drops the event lines leaves the payload's type to go by.
    withEventLines: rng.chance(0.92),
  });
  const dataFirst = rng.chance(0.08);
  const withComments = rng.chance(0.15);
  const withIds = rng.chance(0.1);
  const escapeNonAscii = rng.chance(0.2);
  const padded = rng.chance(0.08);
  const shape = rng.weighted({ text: 35, thinking: 25, tools: 22, citations: 18 });
  const ending = rng.weighted({ complete: 84, failed: 8, noUsage: 8 });
  let outputTokens = 0;
  let eventNumber = 0;

  const emit = (value) => {
    const json = escapeNonAscii ? asciiJson(value) : JSON.stringify(value);
    const where = writer.event(value.type, json, {
      comment:
        withComments && rng.chance(0.3) ? rng.pick([': keep-alive', ':', ': proxy']) : undefined,
      id: withIds ? String(eventNumber) : undefined,
      splitData: rng.chance(0.05),
      dataFirst,
      padding: padded ? ' '.repeat(rng.int(1, 12)) : '',
    });
    eventNumber++;
    return where;
  };
  const contentEvent = (type, index, content) =>
    emit({ type, index, delta: { message: { content } } });

  emit({
    id: `fz-${rng.int(100000, 999999)}-${rng.int(1000, 9999)}`,
    type: 'message-start',
    delta: {
      message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] },
    },
  });
  let index = 0;
  const block = (kind, deltas) => {
    contentEvent('content-start', index, { type: kind, [kind]: '' });
    for (let i = 0; i < deltas; i++) {
      outputTokens += rng.int(1, 3);
      contentEvent('content-delta', index, { [kind]: textPiece(rng, PIECES) });
    }
    // Now and then an empty delta: no token.
    if (rng.chance(0.1)) contentEvent('content-delta', index, { [kind]: '' });
    emit({ type: 'content-end', index });
    index++;
  };
  if (shape === 'thinking') block('thinking', rng.int(1, 10));
  if (shape === 'tools') {
    const planPieces = rng.int(1, 8);
    for (let i = 0; i < planPieces; i++) {
      outputTokens += rng.int(1, 2);
      emit({ type: 'tool-plan-delta', delta: { message: { tool_plan: textPiece(rng, PIECES) } } });
    }
    const calls = rng.int(1, 2);
    for (let call = 0; call < calls; call++) {
      // The API opens a call with empty arguments: no token (now and then a first piece).
      const first = rng.chance(0.15) ? rng.pick(TOOL_PIECES) : '';
      emit({
        type: 'tool-call-start',
        index: call,
        delta: {
          message: {
            tool_calls: {
              id: `${rng.pick(TOOL_NAMES)}_${rng.int(1e6, 9e6)}`,
              type: 'function',
              function: { name: rng.pick(TOOL_NAMES), arguments: first },
            },
          },
        },
      });
      const pieces = rng.int(1, 8);
      for (let i = 0; i < pieces; i++) {
        outputTokens += 1;
        emit({
          type: 'tool-call-delta',
          index: call,
          delta: { message: { tool_calls: { function: { arguments: rng.pick(TOOL_PIECES) } } } },
        });
      }
      emit({ type: 'tool-call-end', index: call });
    }
  } else {
    const textBlocks = rng.int(1, 2);
    for (let b = 0; b < textBlocks; b++) {
      contentEvent('content-start', index, { type: 'text', text: '' });
      const count = rng.int(1, 14);
      for (let i = 0; i < count; i++) {
        outputTokens += rng.int(1, 3);
        contentEvent('content-delta', index, { text: textPiece(rng, PIECES) });
      }
      if (rng.chance(0.1)) contentEvent('content-delta', index, { text: '' });
      if (shape === 'citations') {
        // Cohere sends a block's citations after its text: never tokens, text inside or not.
        const citations = rng.int(1, 2);
        for (let c = 0; c < citations; c++) {
          emit({
            type: 'citation-start',
            index: c,
            delta: {
              message: {
                citations: {
                  start: c * 4,
                  end: c * 4 + 3,
                  text: textPiece(rng, PIECES),
                  sources: [
                    {
                      type: 'document',
                      id: `doc:${c}`,
                      document: { id: `doc:${c}`, text: textPiece(rng, PIECES) },
                    },
                  ],
                  type: 'TEXT_CONTENT',
                },
              },
            },
          });
          emit({ type: 'citation-end', index: c });
        }
      }
      emit({ type: 'content-end', index });
      index++;
    }
  }

  let delta;
  if (ending === 'failed') {
    const [errorType, message] = rng.pick(GENERATION_FAILURES);
    delta = { finish_reason: FAILED_FINISH_REASON, usage: {}, error: message };
    if (errorType !== undefined) delta.error_type = errorType;
  } else {
    const finishReason =
      shape === 'tools' ? 'TOOL_CALL' : rng.pick(['COMPLETE', 'COMPLETE', 'MAX_TOKENS']);
    const inputTokens = rng.int(4, 3000);
    const usage = {
      billed_units: { input_tokens: rng.int(1, inputTokens), output_tokens: outputTokens },
      tokens: { input_tokens: inputTokens, output_tokens: outputTokens + rng.int(0, 6) },
    };
    if (rng.chance(0.2)) usage.cached_tokens = rng.int(0, inputTokens);
    delta = { finish_reason: finishReason };
    if (ending === 'complete') delta.usage = usage;
    // A gateway that strips the counts: no usage, an empty one, or billed units only.
    else if (rng.chance(0.5)) delta.usage = rng.pick([{}, { billed_units: usage.billed_units }]);
  }
  const end = emit({ type: 'message-end', delta });
  writer.marks.end = end;
  if (ending !== 'failed') writer.marks.done = end;
  // The recorded API streams end with `data: [DONE]`; SDK fixtures do without.
  if (rng.chance(0.8)) writer.doneEvent();
  return { body: writer.body(), marks: writer.marks, lineEnd };
}

// ---------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------

/** Where a truncation can land, by the part of the stream it cuts into. */
const TRUNCATION_CLASSES = {
  'inside a field name': 14,
  'inside JSON': 18,
  'between events': 12,
  'inside a multi-byte character': 12,
  'just before message-end': 10,
  'inside message-end': 12,
  'after message-end, before its blank line': 10,
  'inside data: [DONE]': 6,
  anywhere: 6,
};

function truncationOffset(rng, base, label) {
  const { marks, body } = base;
  const end = marks.end;
  switch (label) {
    case 'inside a field name':
      return rng.chance(0.6) || marks.eventNames.length === 0
        ? rng.pick(marks.dataLines) + rng.int(1, 4)
        : rng.pick(marks.eventNames)[0] - rng.int(1, 5);
    case 'inside JSON': {
      const [start, stop] = rng.pick(marks.json);
      return rng.int(start + 1, stop - 1);
    }
    case 'between events':
      return rng.pick(marks.boundaries.slice(1));
    case 'inside a multi-byte character':
      return marks.multibyte.length > 0 ? rng.pick(marks.multibyte) : undefined;
    case 'just before message-end':
      return end?.eventStart;
    case 'inside message-end':
      return end === undefined ? undefined : rng.int(end.eventStart + 1, end.lineEnd - 1);
    case 'after message-end, before its blank line':
      return end?.lineEnd;
    case 'inside data: [DONE]': {
      const done = marks.doneData;
      return done === undefined ? undefined : rng.int(done.start + 1, done.lineEnd);
    }
    default:
      return rng.int(1, body.length - 1);
  }
}

/** An offset worth mutating at: anywhere, a boundary, JSON, a field, a character, message-end. */
function mutationOffset(rng, base, length) {
  const { marks } = base;
  const where = rng.weighted({
    anywhere: 50,
    boundary: 10,
    json: 15,
    dataLine: 6,
    eventName: 5,
    multibyte: 6,
    end: 8,
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
  } else if (where === 'multibyte' && marks.multibyte.length > 0) {
    offset = rng.pick(marks.multibyte) - rng.int(0, 1);
  } else if (where === 'end' && marks.end !== undefined)
    offset = rng.int(marks.end.eventStart, marks.end.lineEnd);
  else offset = rng.int(0, length - 1);
  return Math.max(0, Math.min(length - 1, offset));
}

// Values a token count must be refused for, and a few it must be accepted for (0, 1e9, null).
const COUNT_VALUES = [1e300, 1e20, 2 ** 53, 26.5, -1, '12', true, {}, [], null, 0, 1e9, 1e9 + 1];
const USAGE_FIELDS = [
  ['tokens', 'output_tokens'],
  ['tokens', 'output_tokens'],
  ['tokens', 'input_tokens'],
  ['cached_tokens'],
  ['billed_units', 'output_tokens'],
  ['billed_units', 'input_tokens'],
];
// Error types, documented and not, and names an object lookup must not mistake for a type.
const ERROR_TYPES = [
  'INVALID_TOOL_GENERATION',
  'INVALID_TOOL_GENERATION',
  'invalid_tool_generation',
  'INTERNAL_ERROR',
  'A_FUTURE_ERROR',
  'constructor',
  'toString',
  '__proto__',
  'hasOwnProperty',
  'valueOf',
  '',
  7,
  null,
  undefined,
];
const ERROR_MESSAGES = ['boom', 'internal server error', '', 42, null, { message: 'm' }, undefined];
const FINISH_REASONS = [
  'ERROR',
  'error',
  'Error',
  'ERROR ',
  'ERROR_TOXIC',
  'COMPLETE',
  'MAX_TOKENS',
  'TOOL_CALL',
  '',
  null,
  5,
];
const EVENT_KINDS = [
  'message-end',
  'message-end',
  'message-start',
  'content-start',
  'content-delta',
  'content-end',
  'tool-plan-delta',
  'tool-call-start',
  'tool-call-delta',
  'tool-call-end',
  'citation-start',
  'citation-end',
  'debug',
  'message_end',
  'MESSAGE-END',
  'message-end ',
  'content_delta',
  'stream-end',
  'text-generation',
  'a-future-event',
  '',
  5,
  null,
];
const CONTENT_SHAPES = [
  () => [{ type: 'text', text: 'x' }],
  () => 'text',
  () => null,
  () => ({ text: 42 }),
  () => ({ text: ['a'] }),
  () => ({ text: { text: 'a' } }),
  () => ({ thinking: true }),
  () => ({ text: '', thinking: '' }),
  (rng) => ({ text: textPiece(rng, PIECES), thinking: textPiece(rng, PIECES) }),
  (rng) => ({ thinking: textPiece(rng, PIECES) }),
  (rng) => ({ type: 'text', text: textPiece(rng, PIECES) }),
];
const TOOL_CALL_SHAPES = [
  (rng) => [{ function: { arguments: rng.pick(TOOL_PIECES) } }],
  () => ({ function: 'f' }),
  () => ({ function: { arguments: 42 } }),
  () => ({ function: { arguments: { city: 'Oslo' } } }),
  () => ({ function: { arguments: '' } }),
  () => ({ function: null }),
  () => null,
  (rng) => ({ function: { name: 'f', arguments: rng.pick(TOOL_PIECES) } }),
];
const NON_STRINGS = [42, null, ['a'], { text: 'a' }, true, ''];

// Data a rewrite puts in place of a whole payload.
const NOT_OBJECTS = ['[]', '1', '"s"', 'null', 'true', '[{"type":"message-end"}]'];
const NOT_JSON = ['{oops', '[DONE] ', ' [DONE]', 'DONE', '', 'NaN', "{'type':'x'}", '{"type":'];

function deltaOf(payload) {
  if (!isPlainObject(payload.delta)) payload.delta = {};
  return payload.delta;
}

function messageOf(payload) {
  const delta = deltaOf(payload);
  if (!isPlainObject(delta.message)) delta.message = {};
  return delta.message;
}

function usageOf(payload) {
  const delta = deltaOf(payload);
  if (!isPlainObject(delta.usage)) delta.usage = {};
  return delta.usage;
}

/**
 * Rewrites of one event's payload that keep it valid JSON but change what it means: another
 * kind, deltas of other shapes, absurd counts, failed generations with odd types. Byte
 * mutations mostly break the JSON; these reach the decisions behind it. Each returns the
 * replacement data, or nothing to keep the (changed) payload.
 */
const PAYLOAD_REWRITES = {
  'another event kind': (rng, payload) => {
    payload.type = rng.pick(EVENT_KINDS);
  },
  'no type (the event name decides)': (_, payload) => {
    delete payload.type;
  },
  'delta not an object': (rng, payload) => {
    payload.delta = rng.pick([null, 'text', ['a'], 7]);
  },
  'message not an object': (rng, payload) => {
    deltaOf(payload).message = rng.pick([null, 'm', [], 3]);
  },
  'content of another shape': (rng, payload) => {
    messageOf(payload).content = rng.pick(CONTENT_SHAPES)(rng);
  },
  'tool_calls of another shape': (rng, payload) => {
    messageOf(payload).tool_calls = rng.pick(TOOL_CALL_SHAPES)(rng);
  },
  'tool_plan of another type': (rng, payload) => {
    messageOf(payload).tool_plan = rng.chance(0.3) ? textPiece(rng, PIECES) : rng.pick(NON_STRINGS);
  },
  'text in a payload of any kind': (rng, payload) => {
    messageOf(payload).content = { type: 'text', text: textPiece(rng, PIECES) };
  },
  'a usage count that is not a count': (rng, payload) => {
    const usage = usageOf(payload);
    const [field, detail] = rng.pick(USAGE_FIELDS);
    const value = rng.pick(COUNT_VALUES);
    if (detail === undefined) usage[field] = value;
    else usage[field] = { ...(isPlainObject(usage[field]) ? usage[field] : {}), [detail]: value };
  },
  'usage of another shape': (rng, payload) => {
    const delta = deltaOf(payload);
    if (rng.chance(0.5)) delta.usage = rng.pick([[], 'x', 5, true, null]);
    else usageOf(payload).tokens = rng.pick([[5, 6], 'x', 5, null, {}]);
  },
  'usage removed': (_, payload) => {
    delete deltaOf(payload).usage;
  },
  'a failed generation': (rng, payload) => {
    const delta = deltaOf(payload);
    delta.finish_reason = FAILED_FINISH_REASON;
    delta.error = rng.pick(ERROR_MESSAGES);
    delta.error_type = rng.pick(ERROR_TYPES);
    if (rng.chance(0.5)) delta.usage = {};
  },
  'an error message without the ERROR finish reason': (rng, payload) => {
    deltaOf(payload).error = rng.pick(ERROR_MESSAGES);
    if (rng.chance(0.5)) deltaOf(payload).error_type = rng.pick(ERROR_TYPES);
  },
  'another finish reason': (rng, payload) => {
    deltaOf(payload).finish_reason = rng.pick(FINISH_REASONS);
  },
  'a lone surrogate in the text': (rng, payload) => {
    const message = messageOf(payload);
    const content = isPlainObject(message.content) ? message.content : {};
    content[rng.pick(['text', 'thinking'])] = rng.pick(['\ud800', 'a\udc00b', '\ud83e']);
    message.content = content;
  },
  'an odd index': (rng, payload) => {
    payload.index = rng.pick([-1, 1e9, 'a', null, 2.5]);
  },
  'not an object at all': (rng) => rng.pick(NOT_OBJECTS),
  'not JSON at all': (rng) => rng.pick(NOT_JSON),
};

// Rewrites that mean something on message-end: they land there most of the time.
const END_REWRITES = new Set([
  'a usage count that is not a count',
  'usage of another shape',
  'usage removed',
  'a failed generation',
  'an error message without the ERROR finish reason',
  'another finish reason',
]);

const EVENT_NAMES = [
  'message-end',
  'content-delta',
  'tool-call-delta',
  'message',
  'error',
  'stream-end',
  '',
  'x',
];

/** Moves every mark at or after `to` by `delta` bytes; drops marks inside a removed [from, to). */
function shiftMarks(marks, from, to, delta) {
  const move = (offset) => (offset >= to ? offset + delta : offset);
  const isRemoved = (offset) => offset >= from && offset < to;
  // A range that is the replaced range (a rewritten payload) is kept and resized.
  const keepRange = ([start, end]) => !isRemoved(start) || (start === from && end === to);
  // An insertion right after an event leaves that event's end where it was.
  const moveKey = (key, value) =>
    key === 'eventEnd' && from === to && value === to ? value : move(value);
  const moveObject = (object) =>
    object === undefined || (from < to && isRemoved(object.start ?? object.eventStart))
      ? undefined
      : Object.fromEntries(
          Object.entries(object).map(([key, value]) => [key, moveKey(key, value)]),
        );
  return {
    dataLines: marks.dataLines.filter((offset) => !isRemoved(offset)).map(move),
    eventNames: marks.eventNames.filter(keepRange).map(([start, end]) => [move(start), move(end)]),
    json: marks.json.filter(keepRange).map(([start, end]) => [move(start), move(end)]),
    boundaries: marks.boundaries.filter((offset) => !isRemoved(offset)).map(move),
    multibyte: marks.multibyte.filter((offset) => offset < from || offset >= to).map(move),
    end: moveObject(marks.end),
    done: moveObject(marks.done),
    doneData: moveObject(marks.doneData),
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
 * Rewrites one whole-line payload of `base`; a rewrite that means something on message-end
 * mostly lands there. Undefined when no payload parses.
 */
function rewritePayload(rng, base) {
  const name = rng.pick(Object.keys(PAYLOAD_REWRITES));
  const payloads = wholePayloads(base);
  const ends = payloads.filter(({ payload }) => payload.type === 'message-end');
  const pool = END_REWRITES.has(name) && ends.length > 0 && rng.chance(0.85) ? ends : payloads;
  if (pool.length === 0) return undefined;
  const { start, end, payload } = rng.pick(pool);
  const result = PAYLOAD_REWRITES[name](rng, payload);
  const replaced = typeof result === 'string' ? result : JSON.stringify(payload);
  return {
    base: replaceRange(base, start, end, replaced),
    description: `rewrite the payload at ${start}: ${name} (${clip(replaced)})`,
  };
}

/** Renames one event (its `event:` value), or drops the name. */
function renameEvent(rng, base) {
  if (base.marks.eventNames.length === 0) return undefined;
  const [start, end] = rng.pick(base.marks.eventNames);
  const name = rng.pick(EVENT_NAMES);
  return {
    base: replaceRange(base, start, end, name),
    description: `rename the event at ${start} to ${JSON.stringify(name)}`,
  };
}

/** One SSE event in the stream's line ends. */
function sseEvent(base, name, data) {
  const lineEnd = base.lineEnd;
  const head = name === undefined ? '' : `event: ${name}${lineEnd}`;
  return `${head}data: ${data}${lineEnd}${lineEnd}`;
}

/** A boundary before message-end (after message-start), or undefined. */
function boundaryBeforeEnd(rng, base) {
  const endAt = base.marks.end?.eventStart ?? base.body.length;
  const inside = base.marks.boundaries.filter((at) => at > 0 && at <= endAt);
  return inside.length > 0 ? rng.pick(inside) : undefined;
}

/** Some words, or now and then one long run without whitespace. */
function longText(rng, chars) {
  if (rng.chance(0.2)) return 'ü'.repeat(Math.ceil(chars / 2));
  return 'swell '.repeat(Math.ceil(chars / 6)).slice(0, chars);
}

/** Other message-ends a mutation inserts: a copy, a failure, an absurd report, a bare one. */
function otherMessageEnd(rng, base) {
  const end = base.marks.end;
  const copy =
    end === undefined ? undefined : base.body.subarray(end.jsonStart, end.jsonEnd).toString('utf8');
  return rng.pick([
    copy ?? '{"type":"message-end","delta":{"finish_reason":"COMPLETE"}}',
    JSON.stringify({
      type: 'message-end',
      delta: { finish_reason: 'ERROR', error: 'late', error_type: rng.pick(ERROR_TYPES) },
    }),
    JSON.stringify({
      type: 'message-end',
      delta: {
        finish_reason: 'COMPLETE',
        usage: { tokens: { output_tokens: rng.pick(COUNT_VALUES) } },
      },
    }),
    '{"type":"message-end"}',
  ]);
}

/**
 * Changes to the stream's structure: message-end removed, early or twice, `[DONE]` moved
 * or removed, unknown events, non-JSON data, a data line split inside its JSON, a huge
 * content delta. Undefined when the stream has no place for the change.
 */
export const STRUCTURE_REWRITES = {
  'remove message-end': (_, base) => {
    const end = base.marks.end;
    if (end === undefined) return undefined;
    return replaceRange(base, end.eventStart, end.eventEnd, '');
  },
  'message-end early': (rng, base) => {
    const at = boundaryBeforeEnd(rng, base);
    if (at === undefined) return undefined;
    return replaceRange(base, at, at, sseEvent(base, 'message-end', otherMessageEnd(rng, base)));
  },
  'message-end twice': (rng, base) => {
    const end = base.marks.end;
    if (end === undefined) return undefined;
    const at = rng.chance(0.5) ? end.eventEnd : base.body.length;
    return replaceRange(base, at, at, sseEvent(base, 'message-end', otherMessageEnd(rng, base)));
  },
  'remove data: [DONE]': (_, base) => {
    const done = base.marks.doneData;
    if (done === undefined) return undefined;
    return replaceRange(base, done.start, base.body.length, '');
  },
  'data: [DONE] before message-end': (rng, base) => {
    const at = boundaryBeforeEnd(rng, base);
    if (at === undefined) return undefined;
    return replaceRange(
      base,
      at,
      at,
      sseEvent(base, rng.pick([undefined, 'message-end']), DONE_DATA),
    );
  },
  'an unknown event': (rng, base) => {
    const at = rng.pick(base.marks.boundaries);
    const type = rng.pick(['debug', 'a-future-event', 'stream-start', 'citation-start', 'ping']);
    const payload = { type };
    if (rng.chance(0.6)) payload.delta = { message: { content: { text: textPiece(rng, PIECES) } } };
    return replaceRange(base, at, at, sseEvent(base, type, JSON.stringify(payload)));
  },
  'non-JSON data': (rng, base) => {
    const at = boundaryBeforeEnd(rng, base) ?? 0;
    return replaceRange(base, at, at, sseEvent(base, 'content-delta', rng.pick(NOT_JSON)));
  },
  'a data line split inside its JSON': (rng, base) => {
    // Inside a string the joined data holds a raw '\n' (not JSON); between tokens it is
    // whitespace; inside a multi-byte character both halves decode to U+FFFD.
    const insideCharacter = base.marks.multibyte.length > 0 && rng.chance(0.3);
    let at;
    if (insideCharacter) at = rng.pick(base.marks.multibyte);
    else {
      const [start, end] = rng.pick(base.marks.json);
      if (end - start < 2) return undefined;
      at = rng.int(start + 1, end - 1);
    }
    return replaceRange(base, at, at, `${base.lineEnd}${rng.chance(0.7) ? 'data: ' : 'data:'}`);
  },
  'a huge content delta': (rng, base) => {
    const at = boundaryBeforeEnd(rng, base);
    if (at === undefined) return undefined;
    const text = longText(rng, rng.int(20_000, 250_000));
    const payload = { type: 'content-delta', index: 0, delta: { message: { content: { text } } } };
    return replaceRange(base, at, at, sseEvent(base, 'content-delta', JSON.stringify(payload)));
  },
};

function rewriteStructure(rng, base) {
  const name = rng.pick(Object.keys(STRUCTURE_REWRITES));
  const rewritten = STRUCTURE_REWRITES[name](rng, base);
  if (rewritten === undefined) return undefined;
  return { base: rewritten, description: name };
}

/**
 * Now and then one or two payload rewrites, structure changes or event renames; one to
 * three byte mutations of the stream; and (sometimes) a truncation. Returns the mutated
 * body and, when truncated, the bytes the server would have sent after the cut (so a
 * framing can declare the full length and then cut the connection).
 * @param {import('../prng.mjs').Rng} rng
 * @param {ReturnType<typeof buildBaseStream>} original
 */
export function mutateStream(rng, original) {
  const steps = [];
  let base = original;
  if (rng.chance(0.45)) {
    const rewrites = rng.chance(0.25) ? 2 : 1;
    for (let i = 0; i < rewrites; i++) {
      const how = rng.weighted({ payload: 55, structure: 35, rename: 10 });
      const rewritten =
        how === 'payload'
          ? rewritePayload(rng, base)
          : how === 'structure'
            ? rewriteStructure(rng, base)
            : renameEvent(rng, base);
      if (rewritten === undefined) continue;
      base = rewritten.base;
      steps.push(rewritten.description);
    }
  }
  let body = base.body;
  let tail = Buffer.alloc(0);
  // The cut is placed on the stream whose structure is known, then the other mutations
  // land in what is left.
  if (rng.chance(0.3)) {
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
const typed = (type, fields = {}) => event(type, { type, ...fields });
const MESSAGE_START = typed('message-start', {
  id: 'edge-0000',
  delta: {
    message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] },
  },
});
const contentSse = (type, index, content) =>
  typed(type, { index, delta: { message: { content } } });
const textStart = (index = 0) => contentSse('content-start', index, { type: 'text', text: '' });
const textDelta = (text, index = 0) => contentSse('content-delta', index, { text });
const thinkingDelta = (thinking, index = 0) => contentSse('content-delta', index, { thinking });
const contentEnd = (index = 0) => typed('content-end', { index });
const planDelta = (plan) => typed('tool-plan-delta', { delta: { message: { tool_plan: plan } } });
const callStart = (index, name, args = '') =>
  typed('tool-call-start', {
    index,
    delta: {
      message: {
        tool_calls: {
          id: `${name}_edge${index}`,
          type: 'function',
          function: { name, arguments: args },
        },
      },
    },
  });
const callDelta = (index, args) =>
  typed('tool-call-delta', {
    index,
    delta: { message: { tool_calls: { function: { arguments: args } } } },
  });
const callEnd = (index) => typed('tool-call-end', { index });
const USAGE = {
  billed_units: { input_tokens: 3, output_tokens: 9 },
  tokens: { input_tokens: 70, output_tokens: 9 },
};
const messageEnd = (delta = { finish_reason: 'COMPLETE', usage: USAGE }) =>
  typed('message-end', { delta });
/** A failed generation's message-end; `error: undefined` leaves the message out. */
const failedEnd = (errorType, { error = 'the generation failed' } = {}) => {
  const delta = { finish_reason: 'ERROR', usage: {}, error };
  if (errorType !== undefined) delta.error_type = errorType;
  return messageEnd(delta);
};
const DONE = 'data: [DONE]\n\n';
const MESSAGE_END = messageEnd();

/** A short text answer up to (not including) message-end: three text deltas. */
const TEXT = `${MESSAGE_START}${textStart()}${textDelta('The pilot')}${textDelta(' took the helm')}${textDelta(' at dawn.')}${contentEnd()}`;
const validBody = () => TEXT + MESSAGE_END + DONE;
const sseResponse = (body, framing = 'length', headers = SSE_HEADERS) =>
  buildResponse(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), { headers, framing });
const errorResponse = (status, message, extraHeaders = []) =>
  buildResponse(Buffer.from(JSON.stringify({ id: 'edge-err', message })), {
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
    (body, ending = 'keep', framing = 'length', headers = SSE_HEADERS) =>
    () => ({ bytes: sseResponse(body, framing, headers), ending });

  // Sound streams.
  add('text-then-done', 'ok', stream(validBody()), { tokenEvents: 3 });
  add('text-without-done-line', 'ok', stream(TEXT + MESSAGE_END), { tokenEvents: 3 });
  add(
    'thinking-then-text',
    'ok',
    stream(
      MESSAGE_START +
        contentSse('content-start', 0, { type: 'thinking', thinking: '' }) +
        thinkingDelta('Tides first,') +
        thinkingDelta(' then wind.') +
        contentEnd(0) +
        textStart(1) +
        textDelta('Wait for the tide.', 1) +
        contentEnd(1) +
        messageEnd({
          finish_reason: 'COMPLETE',
          usage: {
            ...USAGE,
            tokens: { input_tokens: 1394, output_tokens: 54 },
            cached_tokens: 1360,
          },
        }) +
        DONE,
    ),
    { tokenEvents: 3 },
  );
  add(
    'tool-plan-and-parallel-calls',
    'ok',
    stream(
      MESSAGE_START +
        planDelta('I will look') +
        planDelta(' up the weather.') +
        callStart(0, 'get_weather') +
        callDelta(0, '{\n    "') +
        callDelta(0, 'location') +
        callDelta(0, '": "Oslo"\n}') +
        callEnd(0) +
        callStart(1, 'get_time', '{"tz": ') +
        callDelta(1, '"CET"}') +
        callEnd(1) +
        messageEnd({ finish_reason: 'TOOL_CALL', usage: USAGE }) +
        DONE,
    ),
    { tokenEvents: 7 },
  );
  add(
    'citations-and-debug-are-not-tokens',
    'ok',
    stream(
      TEXT +
        typed('citation-start', {
          index: 0,
          delta: {
            message: {
              citations: {
                start: 0,
                end: 9,
                text: 'The pilot',
                sources: [{ type: 'document', id: 'doc:0', document: { text: 'x' } }],
              },
            },
          },
        }) +
        typed('citation-end', { index: 0 }) +
        typed('debug', { prompt: 'raw prompt text' }) +
        MESSAGE_END +
        DONE,
    ),
    { tokenEvents: 3 },
  );
  add(
    'unknown-event-kinds',
    'ok',
    stream(
      MESSAGE_START +
        typed('a-future-event', { delta: { message: { content: { text: 'not counted' } } } }) +
        typed('stream-start', { generation_id: 'x' }) +
        textDelta('Kept.') +
        typed('text-generation', { text: 'v1 event, not counted' }) +
        MESSAGE_END,
    ),
    { tokenEvents: 1 },
  );
  add(
    'empty-deltas-are-not-tokens',
    'ok',
    stream(
      MESSAGE_START +
        textDelta('') +
        textDelta('x') +
        thinkingDelta('') +
        planDelta('') +
        callStart(0, 'f') +
        callDelta(0, '') +
        MESSAGE_END,
    ),
    { tokenEvents: 1 },
  );
  add(
    'text-and-thinking-in-one-delta-is-one-event',
    'ok',
    stream(
      MESSAGE_START + contentSse('content-delta', 0, { text: 'a', thinking: 'b' }) + MESSAGE_END,
    ),
    { tokenEvents: 1 },
  );
  add(
    'no-content-at-all',
    'ok',
    stream(
      MESSAGE_START +
        messageEnd({
          finish_reason: 'COMPLETE',
          usage: { tokens: { input_tokens: 5, output_tokens: 0 } },
        }),
    ),
    { tokenEvents: 0 },
  );
  add('nothing-but-message-end', 'ok', stream(typed('message-end', {})), { tokenEvents: 0 });
  // The README: text in a content-start was generated, so it is a token like a delta's.
  add(
    'content-start-with-text-is-a-token',
    'ok',
    stream(
      MESSAGE_START +
        contentSse('content-start', 0, { type: 'text', text: 'Hello' }) +
        textDelta(' there') +
        contentEnd() +
        MESSAGE_END,
    ),
    { tokenEvents: 2 },
  );

  // Event names and payload types.
  add(
    'payload-type-wins-over-event-name',
    'ok',
    stream(
      MESSAGE_START +
        event('message-end', {
          type: 'content-delta',
          delta: { message: { content: { text: 'counted' } } },
        }) +
        event('content-delta', {
          type: 'content-end',
          delta: { message: { content: { text: 'not' } } },
        }) +
        MESSAGE_END,
    ),
    { tokenEvents: 1 },
  );
  add(
    'event-name-decides-without-a-type',
    'ok',
    stream(
      MESSAGE_START +
        event('content-delta', { delta: { message: { content: { text: 'x' } } } }) +
        event('tool-plan-delta', { type: '', delta: { message: { tool_plan: 'y' } } }) +
        event('message-end', { type: null, delta: { finish_reason: 'COMPLETE' } }),
    ),
    { tokenEvents: 2 },
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
        /event: ([\w-]+)\ndata: (.*)\n/g,
        (_, name, data) => `data: ${data}\nevent: ${name}\n`,
      ),
    ),
    { tokenEvents: 3 },
  );
  add(
    'end-kinds-spelled-otherwise-are-not-the-end',
    'stream_interrupted',
    stream(
      TEXT +
        typed('message_end', { delta: { finish_reason: 'COMPLETE' } }) +
        typed('MESSAGE-END', { delta: { finish_reason: 'COMPLETE' } }) +
        typed('stream-end', { finish_reason: 'COMPLETE' }) +
        DONE,
    ),
  );

  // The end.
  add('no-message-end-clean-close', 'stream_interrupted', stream(TEXT, 'close', 'close'));
  add('no-message-end-complete-length', 'stream_interrupted', stream(TEXT));
  add('done-without-message-end', 'stream_interrupted', stream(TEXT + DONE));
  add(
    'message-end-without-blank-line',
    'stream_interrupted',
    stream(TEXT + MESSAGE_END.slice(0, -1), 'close', 'close'),
  );
  add(
    'message-end-unterminated-line',
    'stream_interrupted',
    stream(TEXT + MESSAGE_END.slice(0, -2), 'close', 'close'),
  );
  add(
    'message-end-then-connection-kept-open',
    'ok',
    () => ({ bytes: sseResponse(TEXT + MESSAGE_END, 'close'), ending: 'open' }),
    { tokenEvents: 3, maxE2eMs: 2000 },
  );
  add(
    'message-end-then-reset-before-declared-length',
    'ok',
    () => ({
      bytes: buildResponse(Buffer.from(validBody()), {
        headers: SSE_HEADERS,
        framing: 'length',
        declaredLength: Buffer.byteLength(validBody()) + 300,
      }),
      ending: 'reset',
    }),
    { tokenEvents: 3 },
  );
  add(
    'message-end-then-chunked-never-terminated',
    'ok',
    () => ({
      bytes: Buffer.concat([
        responseHead(200, [...SSE_HEADERS, ['Transfer-Encoding', 'chunked']]),
        encodeChunked(Buffer.from(TEXT + MESSAGE_END), [70], false).bytes,
      ]),
      ending: 'open',
    }),
    { tokenEvents: 3, maxE2eMs: 2000 },
  );
  add(
    'events-and-garbage-after-message-end',
    'ok',
    (rng) => ({
      bytes: Buffer.concat([
        sseResponse(
          `${validBody()}${textDelta(' late')}${failedEnd('INTERNAL_ERROR')}data: {broken\n\n`,
          'close',
        ),
        rng.bytes(200),
      ]),
      ending: 'close',
    }),
    { tokenEvents: 3 },
  );
  add(
    'message-end-twice-the-first-decides',
    'ok',
    stream(TEXT + MESSAGE_END + failedEnd('constructor') + DONE),
    { tokenEvents: 3 },
  );
  add(
    'message-end-early-later-deltas-ignored',
    'ok',
    stream(
      `${MESSAGE_START}${textDelta('one')}${MESSAGE_END}${textDelta('two')}${textDelta('three')}`,
    ),
    { tokenEvents: 1 },
  );
  add(
    'failed-end-then-clean-end',
    'client_error',
    stream(TEXT + failedEnd('INVALID_TOOL_GENERATION') + MESSAGE_END),
  );
  add(
    'done-before-message-end-is-skipped',
    'ok',
    stream(
      `${MESSAGE_START}${textDelta('a')}${DONE}${textDelta('b')}event: message-end\ndata: [DONE]\n\n${MESSAGE_END}`,
    ),
    { tokenEvents: 2 },
  );
  add('done-with-a-trailing-space', 'protocol', stream(`${TEXT}data: [DONE] \n\n${MESSAGE_END}`));

  // Failed generations.
  const failed = (name, expect, errorType, options) =>
    add(name, expect, stream(TEXT + failedEnd(errorType, options) + DONE));
  failed('failed-invalid-tool-generation', 'client_error', 'INVALID_TOOL_GENERATION');
  failed('failed-unknown-type', 'server_error', 'A_FUTURE_ERROR');
  failed('failed-type-lower-case', 'server_error', 'invalid_tool_generation');
  failed('failed-without-a-type', 'server_error', undefined);
  failed('failed-type-not-a-string', 'server_error', 7);
  // Names every JavaScript object has: a type lookup must not take them for known types.
  failed('failed-type-constructor', 'server_error', 'constructor');
  failed('failed-type-to-string', 'server_error', 'toString');
  failed('failed-type-proto', 'server_error', '__proto__');
  failed('failed-type-has-own-property', 'server_error', 'hasOwnProperty');
  add(
    'failed-without-a-message',
    'client_error',
    stream(TEXT + messageEnd({ finish_reason: 'ERROR', error_type: 'INVALID_TOOL_GENERATION' })),
  );
  failed('failed-message-not-a-string', 'server_error', 'INTERNAL_ERROR', {
    error: { message: 'm' },
  });
  add(
    'error-message-with-complete-finish',
    'server_error',
    stream(
      TEXT + messageEnd({ finish_reason: 'COMPLETE', usage: USAGE, error: 'partial failure' }),
    ),
  );
  add(
    'error-object-with-complete-finish-is-no-failure',
    'ok',
    stream(
      TEXT +
        messageEnd({
          finish_reason: 'COMPLETE',
          usage: USAGE,
          error: { message: 'x' },
          error_type: 'X',
        }),
    ),
    { tokenEvents: 3 },
  );
  add(
    'finish-reason-error-lower-case-is-no-failure',
    'ok',
    stream(TEXT + messageEnd({ finish_reason: 'error', usage: USAGE })),
    { tokenEvents: 3 },
  );
  add(
    'failed-message-2mb',
    'server_error',
    stream(TEXT + failedEnd('INTERNAL_ERROR', { error: 'e'.repeat(2_000_000) })),
    { maxErrorMessageChars: 2000 },
  );
  add(
    'failed-type-2mb',
    'server_error',
    stream(TEXT + failedEnd('T'.repeat(2_000_000), { error: 'boom' })),
    { maxErrorMessageChars: 2000 },
  );

  // Data that is not a JSON object.
  add(
    'malformed-json',
    'protocol',
    stream(`${TEXT}event: content-delta\ndata: {"type":\n\n${MESSAGE_END}`),
  );
  add(
    'array-payload',
    'protocol',
    stream(`${TEXT}event: content-delta\ndata: []\n\n${MESSAGE_END}`),
  );
  add('empty-data', 'protocol', stream(`${TEXT}event: content-delta\ndata:\n\n${MESSAGE_END}`));
  add(
    'malformed-json-then-message-end-still-protocol',
    'protocol',
    stream(`${MESSAGE_START}data: {oops\n\n${MESSAGE_END}`),
  );
  add('event-without-data-line', 'ok', stream(`${TEXT}event: content-delta\n\n${MESSAGE_END}`), {
    tokenEvents: 3,
  });

  // Usage.
  const absurd = (name, usage) =>
    add(name, 'ok', stream(TEXT + messageEnd({ finish_reason: 'COMPLETE', usage })), {
      tokenEvents: 3,
      usageIgnored: true,
    });
  absurd('usage-output-1e300', { tokens: { input_tokens: 70, output_tokens: 1e300 } });
  absurd('usage-output-fractional', { tokens: { input_tokens: 70, output_tokens: 8.5 } });
  absurd('usage-output-string', { tokens: { input_tokens: 70, output_tokens: '9' } });
  absurd('usage-output-over-1e9', { tokens: { input_tokens: 70, output_tokens: 1e9 + 1 } });
  absurd('usage-input-negative', { tokens: { input_tokens: -1, output_tokens: 9 } });
  absurd('usage-input-object', { tokens: { input_tokens: {}, output_tokens: 9 } });
  absurd('usage-cached-2pow53', {
    tokens: { input_tokens: 70, output_tokens: 9 },
    cached_tokens: 2 ** 53,
  });
  add(
    'usage-output-1e9-is-a-count',
    'ok',
    stream(
      TEXT + messageEnd({ finish_reason: 'COMPLETE', usage: { tokens: { output_tokens: 1e9 } } }),
    ),
    { tokenEvents: 3 },
  );
  add(
    'usage-null-counts',
    'ok',
    stream(
      TEXT +
        messageEnd({
          finish_reason: 'COMPLETE',
          usage: { tokens: { input_tokens: null, output_tokens: null }, cached_tokens: null },
        }),
    ),
    { tokenEvents: 3 },
  );
  add(
    'billed-units-are-not-read',
    'ok',
    stream(
      TEXT +
        messageEnd({
          finish_reason: 'COMPLETE',
          usage: {
            billed_units: { input_tokens: -5, output_tokens: 1e300 },
            tokens: { input_tokens: 70, output_tokens: 9 },
          },
        }),
    ),
    { tokenEvents: 3 },
  );
  add(
    'usage-without-tokens',
    'ok',
    stream(
      TEXT +
        messageEnd({
          finish_reason: 'COMPLETE',
          usage: { billed_units: { input_tokens: 3, output_tokens: 9 } },
        }),
    ),
    { tokenEvents: 3 },
  );
  add(
    'usage-and-tokens-of-other-shapes',
    'ok',
    stream(
      MESSAGE_START +
        textDelta('one') +
        messageEnd({ finish_reason: 'COMPLETE', usage: [{ tokens: { output_tokens: 4 } }] }),
    ),
    { tokenEvents: 1 },
  );
  add(
    'tokens-not-an-object',
    'ok',
    stream(TEXT + messageEnd({ finish_reason: 'COMPLETE', usage: { tokens: [9, 9] } })),
    { tokenEvents: 3 },
  );

  // Deltas of unexpected shapes.
  add(
    'deltas-of-unexpected-shapes',
    'ok',
    stream(
      MESSAGE_START +
        contentSse('content-delta', 0, [{ type: 'text', text: 'array' }]) +
        contentSse('content-delta', 0, 'bare string') +
        contentSse('content-delta', 0, { text: 42, thinking: ['a'] }) +
        contentSse('content-delta', 0, { text: { text: 'nested' } }) +
        typed('content-delta', { delta: null }) +
        typed('content-delta', { delta: { message: 'text' } }) +
        typed('content-delta', { delta: { content: { text: 'no message level' } } }) +
        typed('tool-plan-delta', { delta: { message: { tool_plan: 5 } } }) +
        typed('tool-call-delta', {
          delta: { message: { tool_calls: [{ function: { arguments: 'array' } }] } },
        }) +
        typed('tool-call-delta', {
          delta: { message: { tool_calls: { function: { arguments: {} } } } },
        }) +
        typed('tool-call-delta', { delta: { message: { tool_calls: { function: 'f' } } } }) +
        textDelta('kept') +
        MESSAGE_END,
    ),
    { tokenEvents: 1 },
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
      `: hi\n\nretry: 3000\n\n${validBody().replaceAll('event: ', ': keep-alive\nid: 7\nevent: ')}`,
    ),
    { tokenEvents: 3 },
  );
  add(
    'multi-line-data',
    'ok',
    stream(
      `${MESSAGE_START}event: content-delta\ndata: {"type":"content-delta","index":0,\ndata: "delta":{"message":{"content":{"text":"joined"}}}}\n\n${MESSAGE_END}`,
    ),
    { tokenEvents: 1 },
  );
  add(
    'data-split-inside-a-string',
    'protocol',
    stream(
      `${MESSAGE_START}event: content-delta\ndata: {"type":"content-delta","delta":{"message":{"content":{"text":"jo\ndata: ined"}}}}\n\n${MESSAGE_END}`,
    ),
  );
  add('padded-json', 'ok', stream(validBody().replace(/^(data: \{.*)$/gm, '$1          ')), {
    tokenEvents: 3,
  });
  // Without usage, so the tokenizer counts what the decoders made of the bytes.
  const END_WITHOUT_USAGE = messageEnd({ finish_reason: 'COMPLETE' });
  add(
    'split-utf8-one-byte-writes',
    'ok',
    () => ({
      bytes: sseResponse(
        MESSAGE_START + textDelta('北京 🌊 façade') + thinkingDelta(' 🧑‍🚀') + END_WITHOUT_USAGE,
        'chunked',
      ),
      ending: 'keep',
      writes: 'bytewise',
    }),
    { tokenEvents: 2 },
  );
  add(
    'invalid-utf8-in-text',
    'ok',
    () => {
      // A cut 3-byte character, a byte never valid in UTF-8, a cut 4-byte one: U+FFFD each.
      const [before, middle, after] = textDelta('a#b#c').split('#');
      return {
        bytes: sseResponse(
          Buffer.concat([
            Buffer.from(MESSAGE_START + before),
            Buffer.from([0xe5, 0x8c]),
            Buffer.from(middle),
            Buffer.from([0xff, 0xf0, 0x9f]),
            Buffer.from(after + END_WITHOUT_USAGE),
          ]),
        ),
        ending: 'keep',
      };
    },
    { tokenEvents: 1 },
  );

  // HTTP statuses with Cohere's error bodies, and bodies that are not event streams.
  const status = (name, code, expect, message, headers) =>
    add(name, expect, () => ({ bytes: errorResponse(code, message, headers), ending: 'keep' }));
  status('status-400', 400, 'client_error', 'invalid request: message must not be empty');
  status('status-401', 401, 'auth', 'invalid api token');
  status('status-402-payment-required', 402, 'auth', 'please add a payment method');
  status('status-404', 404, 'client_error', "model 'fuzz-model' not found");
  status('status-422', 422, 'client_error', 'unprocessable entity');
  status('status-429-retry-after', 429, 'rate_limited', 'trial key rate limit', [
    ['Retry-After', '2'],
  ]);
  status('status-498-invalid-token', 498, 'auth', 'invalid token');
  status('status-499-cancelled', 499, 'server_error', 'request cancelled');
  status('status-500', 500, 'server_error', 'internal server error');
  status('status-503', 503, 'server_error', 'service unavailable');
  add(
    'non-streaming-json-200',
    'protocol',
    () => ({
      bytes: buildResponse(
        Buffer.from(
          JSON.stringify({
            id: 'x',
            finish_reason: 'COMPLETE',
            message: { role: 'assistant', content: [{ type: 'text', text: 'Hi' }] },
            usage: USAGE,
          }),
        ),
        { headers: [['Content-Type', 'application/json']] },
      ),
      ending: 'keep',
    }),
    { messageIncludes: 'application/json' },
  );
  add(
    'html-200',
    'protocol',
    () => ({
      bytes: buildResponse(Buffer.from('<!doctype html><html><body>Sign in</body></html>\n'), {
        headers: [['Content-Type', 'text/html; charset=utf-8']],
      }),
      ending: 'keep',
    }),
    { messageIncludes: 'text/html' },
  );
  add(
    'text-plain-with-message-end',
    'ok',
    stream(validBody(), 'keep', 'length', [['Content-Type', 'text/plain']]),
    { tokenEvents: 3 },
  );
  add(
    'text-plain-tokens-without-message-end',
    'stream_interrupted',
    stream(TEXT, 'keep', 'length', [['Content-Type', 'text/plain']]),
  );
  add(
    'text-plain-only-done',
    'protocol',
    stream(MESSAGE_START + DONE, 'keep', 'length', [['Content-Type', 'text/plain']]),
  );
  add('gzip-stream', 'protocol', () => ({
    bytes: buildResponse(gzipSync(Buffer.from(validBody())), {
      headers: [...SSE_HEADERS, ['Content-Encoding', 'gzip']],
    }),
    ending: 'keep',
  }));

  // Sizes: the cap lowered with --max-event-bytes, huge events under the default cap, and
  // lines that never end.
  const words = (chars) => 'word '.repeat(Math.ceil(chars / 5)).slice(0, chars);
  add(
    'max-event-bytes-line-over',
    'protocol',
    stream(TEXT + textDelta(words(100_000)) + MESSAGE_END),
    {
      maxEventBytes: 65_536,
    },
  );
  add('max-event-bytes-under', 'ok', stream(TEXT + textDelta(words(60_000)) + MESSAGE_END), {
    maxEventBytes: 65_536,
    tokenEvents: 4,
  });
  add(
    'max-event-bytes-many-data-lines-over',
    'protocol',
    stream(`${TEXT}event: content-delta\n${'data: {}\n'.repeat(30_000)}\n${MESSAGE_END}`),
    { maxEventBytes: 65_536 },
  );
  add(
    'max-event-bytes-line-after-message-end',
    'ok',
    stream(`${TEXT}${MESSAGE_END}: ${'c'.repeat(100_000)}\n\n`),
    { maxEventBytes: 65_536, tokenEvents: 3 },
  );
  add('long-word-300k', 'ok', stream(TEXT + textDelta('w'.repeat(300_000)) + MESSAGE_END), {
    tokenEvents: 4,
  });
  add('huge-event-2mib', 'ok', stream(TEXT + textDelta(words(2 * 1024 * 1024)) + MESSAGE_END), {
    tokenEvents: 4,
  });
  add(
    'event-over-the-default-cap-9mib',
    'protocol',
    stream(TEXT + textDelta('a'.repeat(9 * 1024 * 1024)) + MESSAGE_END),
  );
  add(
    'tiny-events-20k',
    'ok',
    stream(MESSAGE_START + textDelta('x').repeat(20_000) + MESSAGE_END),
    { tokenEvents: 20_000 },
  );
  add(
    'endless-data-line-64mib',
    'protocol',
    () => ({
      // 64 MiB in 1 MiB writes with no line end: a client that buffers it shows in its RSS.
      bytes: Buffer.concat([
        responseHead(200, [...SSE_HEADERS, ['Connection', 'close']]),
        Buffer.from(
          `${MESSAGE_START}event: content-delta\ndata: {"type":"content-delta","delta":{"message":{"content":{"text":"`,
          'latin1',
        ),
      ]),
      repeat: { bytes: Buffer.alloc(1024 * 1024, 0x61), times: 64 },
      ending: 'close',
    }),
    { isolated: true, maxRssGrowthBytes: 48 * 1024 * 1024, maxWallMs: 30_000 },
  );

  return cases;
}

// ---------------------------------------------------------------------------------------
// The protocol, as the fuzz runner uses it
// ---------------------------------------------------------------------------------------

/** The variable the CLI reads the (dummy) API key from. */
const API_KEY_ENV = 'LLM_LENS_FUZZ_COHERE_KEY';

/** The Cohere Chat v2 streaming protocol module. */
export const cohereChat = {
  name: 'cohere-chat',
  /**
   * How the CLI is pointed at the hostile server: its root (the adapter appends /v2/chat).
   * The key is set here, before the CLI is spawned: the runner passes the suite's
   * environment on to it.
   */
  cliArgs: (baseUrl) => {
    process.env[API_KEY_ENV] ??= 'co-fuzz-not-a-key';
    return [
      '-p',
      'cohere',
      '--base-url',
      baseUrl,
      '--api-key-env',
      API_KEY_ENV,
      '-m',
      'fuzz-model',
    ];
  },
  requestPath: '/v2/chat',
  contentType: 'text/event-stream',
  buildBaseStream,
  mutateStream,
  edgeCases,
  referenceOutcome,
};
