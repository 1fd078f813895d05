/**
 * Google Gemini's `streamGenerateContent?alt=sse` stream (`-p google`), as the fuzz suite sees
 * it: valid base streams, the mutations worth making to them, hand-written hostile responses,
 * and the reference decoder that says what llm-lens must report for any response. Written from
 * the wire format (Google's GenerateContentResponse reference, the recorded streams in
 * shared/real-streams read for their shape) and the adapter's documented reading (the README of
 * packages/providers-google), never from the product's parsing code.
 *
 * The contract its reference decoder encodes (HTTP and event-stream framing as in the README:
 * WHATWG rules, CRLF, LF or a lone CR ending a line, the 8 MiB cap):
 * - Events. Every dispatched event's data is one GenerateContentResponse: it must parse as a
 *   JSON object, else `protocol`, final whatever follows. Event names are ignored (Google
 *   sends none; the adapter reads `data` only), so `event: error` changes nothing.
 * - Tokens. Only `candidates[0]` is read (an object inside a `candidates` list); of its
 *   `content.parts` (a list), each part that is an object gives: `text` (a string) as answer
 *   text, or as reasoning when `thought` is `true` (the boolean); a `functionCall` object's
 *   `args` as JSON text (`JSON.stringify`; absent or null args are `{}`, as proto3 JSON reads
 *   a null); an `executableCode` object's `code` (a string). Those are tool text. Anything
 *   else (`thoughtSignature`, `inlineData`, `codeExecutionResult`, an empty text, members of
 *   another type) is no text. An event with any text is one token event.
 * - Usage. `usageMetadata`, when it is an object, is a report: one whose
 *   `promptTokenCount`, `candidatesTokenCount`, `thoughtsTokenCount` or
 *   `cachedContentTokenCount` is present (not null) and not a whole number from 0 to 1e9 is
 *   ignored whole (`usage_ignored`). The output count of a report is `candidatesTokenCount +
 *   thoughtsTokenCount` (a missing one is 0) when either is there, else the report has none;
 *   the last report with one wins (a later report without one, or an ignored one, erases
 *   nothing). Without any, the tokenizer counts the answer, reasoning and tool text, as for
 *   OpenAI; an ok stream with neither text nor count has none (`null`).
 * - End. There is no `[DONE]`: the first event whose `candidates[0].finishReason` or
 *   `promptFeedback.blockReason` is a non-empty string is the end marker, and what follows it
 *   is ignored (the README: that chunk "is the last one it sends"). The end marker must be
 *   dispatched: a last event the body ends inside (no blank line after it) is discarded, as
 *   the WHATWG rules say, so `stream_interrupted`; a blank line ended by a lone CR counts.
 * - Stopped without output. At the end marker, if no event up to and including it carried any
 *   text (answer, reasoning or tool: the README's "before any text", reasoning counted, since
 *   thought summaries were output the client saw) and that event has no error of its own: a
 *   `blockReason` (any non-empty string) or a `finishReason` other than `STOP` is a
 *   `client_error` (the README: "A prompt refused with promptFeedback.blockReason, or a
 *   generation that stopped for a reason other than STOP"). The README names no exception,
 *   so `BLOCK_REASON_UNSPECIFIED` and `FINISH_REASON_UNSPECIFIED` are no exceptions either.
 * - Errors. An `error` member that is an object (Google's google.rpc.Status, as the README
 *   shows it; a string, list or null is no error) is a reported error, classified by its
 *   `status` name as the README lists them: RESOURCE_EXHAUSTED → `rate_limited`;
 *   UNAUTHENTICATED, PERMISSION_DENIED → `auth`; INVALID_ARGUMENT, FAILED_PRECONDITION,
 *   NOT_FOUND, OUT_OF_RANGE, ALREADY_EXISTS, UNIMPLEMENTED → `client_error`;
 *   DEADLINE_EXCEEDED → `timeout_total`; INTERNAL, UNAVAILABLE, UNKNOWN, DATA_LOSS, ABORTED,
 *   CANCELLED → `server_error`. Any other name (names every JavaScript object has included),
 *   or none, goes by the `code` as Google maps its codes to HTTP: 429 → `rate_limited`, 401/403 →
 *   `auth`, 408 and 504 (DEADLINE_EXCEEDED's) → `timeout_total`, other 4xx → `client_error`,
 *   anything else or no whole-number code → `server_error`. An error is no end marker; the
 *   first error decides (a refusal at the end marker is one), unless a protocol error follows.
 * - HTTP errors: the README's statuses, and a non-2xx whose Google error body carries a
 *   `google.rpc.ErrorInfo` detail with reason `API_KEY_INVALID` is `auth` (the Gemini API's
 *   400 for a bad key).
 * - Not a stream, cuts and timeouts as for the other protocols: without the end marker, a body
 *   that never ends is `timeout_total`; a connection cut before the declared length or chunked
 *   end is `stream_interrupted`; an unrequested Content-Encoding, or a media type other than
 *   text/event-stream with no token, usage or error event, is `protocol`; the rest is
 *   `stream_interrupted`.
 */
import { gzipSync } from 'node:zlib';
import { buildResponse, encodeChunked, responseHead } from '../http-wire.mjs';
import {
  classOfStatus,
  countsProblem,
  isCloseDelimited,
  isPlainObject,
  okOutcome,
  readStreamingResponse,
  snippet,
  stringOr,
  unrequestedEncoding,
} from '../reference-outcome.mjs';
import { DEFAULT_MAX_EVENT_BYTES, readEventStream } from '../sse-reference.mjs';
import {
  applyByteOperators,
  byteOperatorCount,
  clip,
  cutAtMarkedPlace,
  mutatedStream,
  textPiece,
} from '../stream-mutation.mjs';

const SSE_TYPE = 'text/event-stream';

// ---------------------------------------------------------------------------------------
// Reference decoder
// ---------------------------------------------------------------------------------------

/** Classes of google.rpc status names, exactly as the adapter's README lists them; any other name goes by its code. */
export const STATUS_CLASSES = new Map([
  ['RESOURCE_EXHAUSTED', 'rate_limited'],
  ['UNAUTHENTICATED', 'auth'],
  ['PERMISSION_DENIED', 'auth'],
  ['INVALID_ARGUMENT', 'client_error'],
  ['FAILED_PRECONDITION', 'client_error'],
  ['NOT_FOUND', 'client_error'],
  ['OUT_OF_RANGE', 'client_error'],
  ['ALREADY_EXISTS', 'client_error'],
  ['UNIMPLEMENTED', 'client_error'],
  ['DEADLINE_EXCEEDED', 'timeout_total'],
  ['INTERNAL', 'server_error'],
  ['UNAVAILABLE', 'server_error'],
  ['UNKNOWN', 'server_error'],
  ['DATA_LOSS', 'server_error'],
  ['ABORTED', 'server_error'],
  ['CANCELLED', 'server_error'],
]);

/** The class of an in-stream `error` object: its listed status name, else its code (the README). */
export function classOfGeminiError(error) {
  const status = stringOr(error.status);
  const named = STATUS_CLASSES.get(status);
  if (named !== undefined) return named;
  const code = error.code;
  if (!Number.isSafeInteger(code)) return 'server_error';
  if (code === 429) return 'rate_limited';
  if (code === 401 || code === 403) return 'auth';
  if (code === 408 || code === 504) return 'timeout_total';
  if (code >= 400 && code <= 499) return 'client_error';
  return 'server_error';
}

/** The class of a non-2xx response: its status, unless Google's body says the key is bad. */
export function classOfGeminiStatus(status, body) {
  const byStatus = classOfStatus(status);
  if (status < 400 || status > 599) return byStatus;
  let parsed;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return byStatus;
  }
  const error = isPlainObject(parsed) ? parsed.error : undefined;
  const details = isPlainObject(error) && Array.isArray(error.details) ? error.details : [];
  const badKey = details.some(
    (detail) =>
      isPlainObject(detail) &&
      stringOr(detail['@type']).endsWith('google.rpc.ErrorInfo') &&
      detail.reason === 'API_KEY_INVALID',
  );
  return badKey ? 'auth' : byStatus;
}

/** The first candidate of a response, when there is one to read. */
function firstCandidate(payload) {
  const candidates = payload.candidates;
  return Array.isArray(candidates) && isPlainObject(candidates[0]) ? candidates[0] : undefined;
}

/**
 * The generated text of one GenerateContentResponse, from `candidates[0].content.parts`:
 * answer text, reasoning (`thought: true` parts) and tool text (`functionCall.args` as JSON,
 * `executableCode.code`).
 */
export function generatedText(payload) {
  const text = { answer: '', reasoning: '', tool: '' };
  const content = firstCandidate(payload)?.content;
  const parts = isPlainObject(content) ? content.parts : undefined;
  if (!Array.isArray(parts)) return text;
  for (const part of parts) {
    if (!isPlainObject(part)) continue;
    if (typeof part.text === 'string') {
      if (part.thought === true) text.reasoning += part.text;
      else text.answer += part.text;
    }
    if (isPlainObject(part.functionCall)) {
      const args = part.functionCall.args;
      text.tool += JSON.stringify(args === undefined || args === null ? {} : args);
    }
    if (isPlainObject(part.executableCode)) text.tool += stringOr(part.executableCode.code);
  }
  return text;
}

/** `candidates[0].finishReason` and `promptFeedback.blockReason`, '' when absent. */
export function endReasons(payload) {
  const feedback = payload.promptFeedback;
  return {
    finishReason: stringOr(firstCandidate(payload)?.finishReason),
    blockReason: isPlainObject(feedback) ? stringOr(feedback.blockReason) : '',
  };
}

const USAGE_FIELDS = [
  'promptTokenCount',
  'candidatesTokenCount',
  'thoughtsTokenCount',
  'cachedContentTokenCount',
];

/** Why a `usageMetadata` object must be ignored, or undefined when every count is usable. */
export function usageProblem(usage) {
  return countsProblem(Object.fromEntries(USAGE_FIELDS.map((field) => [field, usage[field]])));
}

/** The output count of a usable report: candidates + thoughts, undefined with neither. */
export function reportedOutput(usage) {
  const candidates =
    typeof usage.candidatesTokenCount === 'number' ? usage.candidatesTokenCount : 0;
  const thoughts = typeof usage.thoughtsTokenCount === 'number' ? usage.thoughtsTokenCount : 0;
  const hasCount =
    typeof usage.candidatesTokenCount === 'number' || typeof usage.thoughtsTokenCount === 'number';
  return hasCount ? candidates + thoughts : undefined;
}

/** Why an end-marker event with no text before it is a refusal, or undefined for a normal end. */
export function refusalOf({ finishReason, blockReason }) {
  if (blockReason !== '') return `the prompt was blocked (blockReason ${blockReason})`;
  if (finishReason !== '' && finishReason !== 'STOP')
    return `stopped before any output (finishReason ${finishReason})`;
  return undefined;
}

/**
 * The outcome llm-lens must report for a `streamGenerateContent?alt=sse` request answered
 * with `bytes`, after which the server left the connection as `ending` says. Same Outcome
 * shape as openai-chat.mjs.
 * @param {{ bytes: Buffer, ending: import('../http-reference.mjs').Ending, maxEventBytes?: number }} served
 * @returns {import('./openai-chat.mjs').Outcome}
 */
export function referenceOutcome({ bytes, ending, maxEventBytes = DEFAULT_MAX_EVENT_BYTES }) {
  const response = readStreamingResponse(bytes, ending, (status, http) =>
    classOfGeminiStatus(status, http.body),
  );
  if (response.outcome !== undefined) return response.outcome;
  const { http, mediaType } = response;
  const encodingOutcome = unrequestedEncoding(http);
  if (encodingOutcome !== undefined) return encodingOutcome;
  const stream = readEventStream(http.body, { maxEventBytes });

  let protocolError;
  let firstError;
  let sawEnd = false;
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
      protocolError = `malformed JSON ${snippet(event.data)}`;
      break;
    }
    if (!isPlainObject(payload)) {
      protocolError = `an event that is not a JSON object ${snippet(event.data)}`;
      break;
    }
    let isInformative = false;
    const ownError = isPlainObject(payload.error) ? payload.error : undefined;
    if (ownError !== undefined) {
      isInformative = true;
      firstError ??= {
        errorClass: classOfGeminiError(ownError),
        reason: `an error object (status ${JSON.stringify(ownError.status)}, code ${JSON.stringify(ownError.code)})`,
      };
    }
    const text = generatedText(payload);
    if (text.answer.length > 0 || text.reasoning.length > 0 || text.tool.length > 0) {
      isInformative = true;
      tokenEvents++;
      answer += text.answer;
      reasoning += text.reasoning;
      tool += text.tool;
    }
    const usage = payload.usageMetadata;
    if (isPlainObject(usage)) {
      isInformative = true;
      const problem = usageProblem(usage);
      if (problem !== undefined) usageIgnored ??= problem;
      else outputTokens = reportedOutput(usage) ?? outputTokens;
    }
    if (isInformative) informativeEvents++;
    const reasons = endReasons(payload);
    if (reasons.finishReason !== '' || reasons.blockReason !== '') {
      sawEnd = true;
      const refusal = tokenEvents === 0 && ownError === undefined ? refusalOf(reasons) : undefined;
      if (refusal !== undefined) firstError ??= { errorClass: 'client_error', reason: refusal };
      break;
    }
  }

  if (!sawEnd && protocolError === undefined) {
    if (stream.overflow !== undefined) protocolError = stream.overflow;
    else if (http.bodyEnd === 'framing')
      protocolError = `broken chunk framing: ${http.framingError}`;
  }
  if (protocolError !== undefined) return { errorClass: 'protocol', reason: protocolError };
  if (firstError !== undefined)
    return { errorClass: firstError.errorClass, reason: firstError.reason };
  if (!sawEnd) {
    if (http.bodyEnd === 'open') {
      return {
        errorClass: 'timeout_total',
        reason: 'the body neither ends nor reaches a finishReason',
      };
    }
    const isCut = http.bodyEnd === 'eof' && !isCloseDelimited(http);
    if (!isCut && informativeEvents === 0 && mediaType !== SSE_TYPE) {
      return {
        errorClass: 'protocol',
        reason: `expected ${SSE_TYPE}, got ${mediaType || 'no Content-Type'}`,
      };
    }
    return {
      errorClass: 'stream_interrupted',
      reason: isCut
        ? 'the connection was cut before a finishReason'
        : 'the body ended without a finishReason',
    };
  }

  return okOutcome({
    reason: 'finishReason seen',
    tokenEvents,
    outputTokens,
    usageIgnored,
    texts: [answer, reasoning, tool],
  });
}

// ---------------------------------------------------------------------------------------
// Writing streams: JSON in Google's style, events, and where their parts are
// ---------------------------------------------------------------------------------------

/**
 * JSON as Google's front end writes it: a space after every key's colon, none after commas
 * (`{"candidates": [{"content": {"parts": [{"text": "The"}],"role": "model"}}]`).
 */
export function googleJson(value) {
  if (Array.isArray(value)) return `[${value.map((item) => googleJson(item) ?? 'null').join(',')}]`;
  if (isPlainObject(value)) {
    const members = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => `${JSON.stringify(key)}: ${googleJson(item)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** JSON text of `value` with every non-ASCII character escaped as \uXXXX. */
function asciiEscaped(json) {
  return json.replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * One SSE event of a stream, as a model the mutations can change before it is written:
 * `lines` written before the data (comments, `event:`, `id:`), the JSON split over two data
 * lines at `split` (a character index) when set, every line ended by `eol`, and `blank`, the
 * blank line that dispatches it (with its own line end; '' when it is missing).
 * @typedef {object} EventModel
 * @property {string} json
 * @property {number | undefined} split
 * @property {string[]} lines
 * @property {string} prefix `data: ` or `data:`
 * @property {string} eol
 * @property {string} blank
 * @property {boolean} isEnd the stream's last event in the base stream
 */

/** An event model around `json`, in the stream's style. */
function eventModel(json, style, extra = {}) {
  return {
    json,
    split: undefined,
    lines: [],
    prefix: style.prefix,
    eol: style.eol,
    blank: style.eol,
    isEnd: false,
    ...extra,
  };
}

/**
 * Writes `events` and says where their parts are, in bytes: `dataLines` (the first byte of
 * each `data` field name), `json` ([start, end) of each data line's JSON), `events` (each
 * event's start, JSON start and end, the end of its last data line, its end), `boundaries`
 * (event starts), `multibyte` (offsets strictly inside a multi-byte UTF-8 character of a
 * JSON text), `end` (the base stream's last event, wherever it is now) and `done` (the same,
 * when the base stream ends well).
 */
export function renderEvents(events, isOk) {
  const parts = [];
  let length = 0;
  const marks = {
    dataLines: [],
    json: [],
    events: [],
    boundaries: [],
    multibyte: [],
    end: undefined,
    done: undefined,
  };
  const write = (text) => {
    const bytes = Buffer.from(text, 'utf8');
    parts.push(bytes);
    const start = length;
    length += bytes.length;
    return { start, bytes };
  };
  for (const event of events) {
    const eventStart = length;
    marks.boundaries.push(eventStart);
    for (const line of event.lines) write(line + event.eol);
    const pieces =
      event.split === undefined
        ? [event.json]
        : [event.json.slice(0, event.split), event.json.slice(event.split)];
    let jsonStart;
    let jsonEnd;
    let lineEnd;
    for (const piece of pieces) {
      marks.dataLines.push(length);
      const { start, bytes } = write(event.prefix + piece);
      const pieceStart = start + Buffer.byteLength(event.prefix);
      marks.json.push([pieceStart, length]);
      jsonStart ??= pieceStart;
      jsonEnd = length;
      for (let i = pieceStart; i < length; i++) {
        const byte = bytes[i - start];
        const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
        for (let k = 1; k < size; k++) marks.multibyte.push(i + k);
      }
      lineEnd = length;
      write(event.eol);
    }
    write(event.blank);
    const where = { eventStart, jsonStart, jsonEnd, lineEnd, end: length };
    marks.events.push(where);
    if (event.isEnd) {
      marks.end = where;
      if (isOk) marks.done = where;
    }
  }
  return { body: Buffer.concat(parts), marks };
}

// ---------------------------------------------------------------------------------------
// Valid base streams
// ---------------------------------------------------------------------------------------

// Text pieces: ASCII, 2-, 3- and 4-byte UTF-8, a ZWJ sequence, JSON escapes, and text that
// looks like SSE fields, separators or an end.
const PIECES = [
  'The',
  ' capital',
  ' of France',
  ' is Paris.',
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
  '\r\n\r\n',
  ' "quoted"',
  ' back\\slash',
  '\ttab',
  ' **bold**',
  ' data: {"finishReason": "STOP"}',
  ' }{',
  '.',
];
const THOUGHTS = [
  '**Analyzing the question**\n\n',
  'I need to list the ports first,',
  ' then weigh the tides.',
  ' Zürich is inland, so',
  ' 東京 comes next.',
  ' Checking 79, 179 and 379.',
];
const FUNCTION_ARGS = [
  {},
  { city: 'Zürich' },
  { city: '東京', unit: 'c' },
  { query: 'tide "tables"', limit: 3 },
  { nested: { list: [1, 2, 3], flag: true } },
];
const MODELS = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.0-flash', 'gemini-3-pro-preview'];

// google.rpc errors as Gemini ends a failed stream with them.
const STREAM_ERRORS = [
  { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' },
  { code: 500, message: 'An internal error has occurred.', status: 'INTERNAL' },
  {
    code: 429,
    message: 'Resource has been exhausted (e.g. check quota).',
    status: 'RESOURCE_EXHAUSTED',
  },
  { code: 400, message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' },
  {
    code: 504,
    message: 'Deadline expired before operation could complete.',
    status: 'DEADLINE_EXCEEDED',
  },
];
const BLOCK_REASONS = ['SAFETY', 'OTHER', 'BLOCKLIST', 'PROHIBITED_CONTENT'];
const STOP_REASONS = [
  'MAX_TOKENS',
  'SAFETY',
  'RECITATION',
  'PROHIBITED_CONTENT',
  'MALFORMED_FUNCTION_CALL',
];

const signature = (rng) => `Ep${rng.int(1e8, 9e8)}fuzzSig${rng.int(1e3, 9e3)}==`;

/**
 * A valid stream as the Gemini API sends it: `data: <GenerateContentResponse>` events
 * separated by CRLF CRLF (now and then LF or CR, `data:` without its space, a comment, a data
 * field split over two lines at a member boundary, escaped non-ASCII); thought parts first
 * (reasoning, with `thoughtsTokenCount` and no `candidatesTokenCount` while they last, in some
 * streams to the end), then answer text, function calls with thought signatures or code
 * execution, and the last chunk with `finishReason` (after a function call, with an empty text
 * part) and the final usage, whose prompt count may differ from the earlier ones. Now and then
 * the stream ends otherwise: an `error` object, a blocked prompt, or a finish reason other
 * than STOP before any text (`marks.done` is then undefined).
 * @param {import('../prng.mjs').Rng} rng
 */
export function buildBaseStream(rng) {
  const eol = rng.weighted({ '\r\n': 70, '\n': 25, '\r': 5 });
  const style = { eol, prefix: rng.chance(0.92) ? 'data: ' : 'data:' };
  const format = rng.chance(0.6) ? googleJson : JSON.stringify;
  const escapeNonAscii = rng.chance(0.1);
  const withComments = rng.chance(0.06);
  const splitRate = rng.chance(0.1) ? 0.3 : 0;
  const ending = rng.weighted({ finish: 84, error: 6, blocked: 5, stopped: 5 });
  const usageStyle = rng.weighted({
    every: 50,
    'prompt first': 15,
    'final only': 14,
    'thoughts only': 8,
    none: 7,
    'prompt only': 6,
  });
  const model = rng.pick(MODELS);
  const responseId = `fz${rng.int(1e8, 9e8)}`;
  const prompt = rng.int(3, 4000);
  const cached = rng.chance(0.15) ? rng.int(1, prompt) : undefined;
  const hasThoughts = ending !== 'blocked' && rng.chance(0.35);
  const hiddenThoughts = rng.chance(0.25) ? rng.int(10, 3000) : 0;
  const hasTool = ending !== 'blocked' && rng.chance(0.2);
  const hasCode = !hasTool && rng.chance(0.04);
  let candidates = 0;
  let thoughts = hiddenThoughts;

  const usageOf = (isFinal) => {
    if (usageStyle === 'none') return undefined;
    if (usageStyle === 'final only' && !isFinal) return undefined;
    const promptCount = isFinal && rng.chance(0.2) ? Math.max(0, prompt - rng.int(1, 3)) : prompt;
    const usage = { promptTokenCount: promptCount };
    if (usageStyle === 'prompt only' || (usageStyle === 'prompt first' && !isFinal)) {
      usage.totalTokenCount = promptCount;
      usage.promptTokensDetails = [{ modality: 'TEXT', tokenCount: promptCount }];
      return usage;
    }
    if (candidates > 0 && usageStyle !== 'thoughts only') usage.candidatesTokenCount = candidates;
    usage.totalTokenCount = promptCount + candidates + thoughts;
    if (cached !== undefined) usage.cachedContentTokenCount = cached;
    usage.promptTokensDetails = [{ modality: 'TEXT', tokenCount: promptCount }];
    if (thoughts > 0) usage.thoughtsTokenCount = thoughts;
    return usage;
  };
  const response = (parts, { finishReason, isFinal = false, candidateExtra = {} } = {}) => ({
    candidates: [
      {
        content: parts === undefined ? { role: 'model' } : { parts, role: 'model' },
        ...(finishReason === undefined ? {} : { finishReason }),
        index: 0,
        ...candidateExtra,
      },
    ],
    usageMetadata: usageOf(isFinal),
    modelVersion: model,
    responseId,
  });

  const events = [];
  const emit = (payload) => {
    let json = format(payload);
    if (escapeNonAscii) json = asciiEscaped(json);
    const event = eventModel(json, style);
    if (withComments && rng.chance(0.3)) event.lines.push(rng.pick([': keep-alive', ':']));
    const member = json.search(/,"(usageMetadata|modelVersion)"/);
    if (rng.chance(splitRate) && member > 0) event.split = member + 1;
    events.push(event);
    return event;
  };

  if (ending === 'blocked') {
    const blockReason = rng.pick(BLOCK_REASONS);
    emit({
      promptFeedback: {
        blockReason,
        ...(rng.chance(0.5)
          ? {
              safetyRatings: [
                { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true },
              ],
            }
          : {}),
      },
      usageMetadata:
        usageStyle === 'none' ? undefined : { promptTokenCount: prompt, totalTokenCount: prompt },
      modelVersion: model,
      responseId,
    }).isEnd = true;
    const { body, marks } = renderEvents(events, false);
    return { body, marks, events };
  }

  if (hasThoughts) {
    const count = rng.int(1, 6);
    for (let i = 0; i < count; i++) {
      thoughts += rng.int(5, 60);
      const part = { text: textPiece(rng, THOUGHTS), thought: true };
      if (i === count - 1 && rng.chance(0.3)) part.thoughtSignature = signature(rng);
      emit(response([part]));
    }
  }
  if (ending === 'stopped') {
    // Generation stopped before any text: the thinking spent the output limit, or a filter.
    const finishReason = rng.pick(STOP_REASONS);
    thoughts += hasThoughts ? 0 : rng.int(50, 3000);
    emit(
      response(hasThoughts ? [{ text: '' }] : undefined, {
        finishReason,
        isFinal: true,
        candidateExtra: rng.chance(0.3) ? { finishMessage: 'Generation stopped.' } : {},
      }),
    );
    // Reasoning is text: with thought parts before it, the stop ends an ok stream.
    events.at(-1).isEnd = true;
    const isOk = hasThoughts;
    const { body, marks } = renderEvents(events, isOk);
    return { body, marks, events };
  }

  const answers = rng.int(hasTool || hasCode ? 0 : 1, 12);
  for (let i = 0; i < answers; i++) {
    candidates += rng.int(1, 4);
    const parts = [{ text: textPiece(rng, PIECES) }];
    if (rng.chance(0.12)) parts.push({ text: textPiece(rng, PIECES) });
    if (i === 0 && hasThoughts && rng.chance(0.3)) parts[0].thoughtSignature = signature(rng);
    emit(response(parts));
  }
  if (hasTool) {
    const calls = rng.int(1, 2);
    const parts = [];
    for (let i = 0; i < calls; i++) {
      candidates += rng.int(3, 12);
      const part = { functionCall: { name: rng.pick(['get_weather', 'get_country', 'tide']) } };
      if (rng.chance(0.9)) part.functionCall.args = rng.pick(FUNCTION_ARGS);
      if (i === 0 && rng.chance(0.6)) part.thoughtSignature = signature(rng);
      parts.push(part);
    }
    emit(response(parts));
  }
  if (hasCode) {
    candidates += rng.int(5, 20);
    emit(
      response([
        { executableCode: { language: 'PYTHON', code: 'print(sum(range(10)))\n' } },
        { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '45\n' } },
      ]),
    );
  }
  if (ending === 'error') {
    emit({ error: rng.pick(STREAM_ERRORS) }).isEnd = true;
    const { body, marks } = renderEvents(events, false);
    return { body, marks, events };
  }
  const lastParts = hasTool
    ? rng.pick([[{ text: '' }], undefined])
    : rng.pick([
        [{ text: textPiece(rng, PIECES) }],
        [{ text: textPiece(rng, PIECES) }],
        [{ text: '' }],
        undefined,
      ]);
  if (lastParts?.[0]?.text) candidates += rng.int(1, 3);
  emit(
    response(lastParts, {
      finishReason: answers > 0 && rng.chance(0.1) ? 'MAX_TOKENS' : 'STOP',
      isFinal: true,
    }),
  ).isEnd = true;
  const { body, marks } = renderEvents(events, true);
  return { body, marks, events };
}

// ---------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------

// Values a token count must be refused for, and a few it must be accepted for (0, 1e9, null).
const COUNT_VALUES = [1e300, 1e20, 2 ** 53, 26.5, -1, '12', true, [], {}, null, 0, 1e9, 1e9 + 1];
const FINISH_REASONS = [
  'STOP',
  'STOP',
  'MAX_TOKENS',
  'SAFETY',
  'RECITATION',
  'OTHER',
  'PROHIBITED_CONTENT',
  'MALFORMED_FUNCTION_CALL',
  'FINISH_REASON_UNSPECIFIED',
  'stop',
  '',
  42,
  null,
  true,
  { reason: 'STOP' },
];
const BLOCK_VALUES = [...BLOCK_REASONS, 'IMAGE_SAFETY', 'BLOCK_REASON_UNSPECIFIED', '', 7, null];
// Status names, documented and not, and names an object lookup must not mistake for one.
const ERROR_STATUSES = [
  'RESOURCE_EXHAUSTED',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'INVALID_ARGUMENT',
  'FAILED_PRECONDITION',
  'NOT_FOUND',
  'OUT_OF_RANGE',
  'DEADLINE_EXCEEDED',
  'INTERNAL',
  'UNAVAILABLE',
  'UNKNOWN',
  'CANCELLED',
  'ABORTED',
  'DATA_LOSS',
  'ALREADY_EXISTS',
  'UNIMPLEMENTED',
  'A_FUTURE_STATUS',
  'resource_exhausted',
  'constructor',
  'toString',
  '__proto__',
  '',
  7,
  null,
  undefined,
];
const ERROR_CODES = [
  400,
  401,
  403,
  404,
  408,
  429,
  500,
  503,
  504,
  499,
  200,
  600,
  -1,
  4.5,
  '429',
  null,
  undefined,
];
// Data that is not a JSON object, and data that is not JSON at all.
const NOT_OBJECTS = ['[]', '1', '"s"', 'null', 'true', '[{"candidates": []}]'];
const NOT_JSON = [
  '[DONE]',
  'ping',
  '',
  '{"candidates": [',
  'undefined',
  'NaN',
  "{'candidates': []}",
  '{"a": 1}{"b": 2}',
  'data: {}',
  '\u0000',
];

/** `payload.candidates[0]`, made an object in a list when it is not one. */
function candidateOf(payload) {
  if (!Array.isArray(payload.candidates)) payload.candidates = [];
  if (!isPlainObject(payload.candidates[0])) payload.candidates[0] = { index: 0 };
  return payload.candidates[0];
}

/** `payload.candidates[0].content.parts`, made a list when it is not one. */
function partsOf(payload) {
  const candidate = candidateOf(payload);
  if (!isPlainObject(candidate.content)) candidate.content = { role: 'model' };
  if (!Array.isArray(candidate.content.parts)) candidate.content.parts = [];
  return candidate.content.parts;
}

/** One part of `payload` to change, added when there is none. */
function somePart(rng, payload) {
  const parts = partsOf(payload);
  if (parts.length === 0 || !parts.every(isPlainObject))
    parts.push({ text: textPiece(rng, PIECES) });
  const objects = parts.filter(isPlainObject);
  return objects.length > 0 ? rng.pick(objects) : parts[parts.length - 1];
}

function usageOfPayload(payload) {
  if (!isPlainObject(payload.usageMetadata))
    payload.usageMetadata = { promptTokenCount: 7, candidatesTokenCount: 5, totalTokenCount: 12 };
  return payload.usageMetadata;
}

const words = (chars, word = 'word ') =>
  word.repeat(Math.ceil(chars / word.length)).slice(0, chars);

// Returned by a rewrite that swaps the whole data for another text.
const replaceData = (text) => ({ replace: text });

/**
 * Rewrites of one event's GenerateContentResponse that keep it JSON but change what it means.
 * Byte mutations mostly break the JSON; these reach the decisions behind it. `usage` and `end`
 * say which events the rewrite is worth landing on.
 */
const PAYLOAD_REWRITES = {
  'a usage count that is not a count': {
    usage: true,
    apply: (rng, payload) => {
      usageOfPayload(payload)[rng.pick(USAGE_FIELDS)] = rng.pick(COUNT_VALUES);
    },
  },
  'usageMetadata not an object': {
    usage: true,
    apply: (rng, payload) => {
      payload.usageMetadata = rng.pick([[], 'x', 5, true, null, [{ candidatesTokenCount: 3 }]]);
    },
  },
  'usageMetadata removed': {
    usage: true,
    apply: (_, payload) => {
      delete payload.usageMetadata;
    },
  },
  'thoughts without candidatesTokenCount': {
    usage: true,
    apply: (rng, payload) => {
      const usage = usageOfPayload(payload);
      delete usage.candidatesTokenCount;
      usage.thoughtsTokenCount = rng.int(0, 3000);
    },
  },
  'usage with only promptTokenCount': {
    usage: true,
    apply: (rng, payload) => {
      payload.usageMetadata = { promptTokenCount: rng.int(0, 500), totalTokenCount: 9 };
    },
  },
  'usage counts null': {
    usage: true,
    apply: (rng, payload) => {
      const usage = usageOfPayload(payload);
      for (const field of USAGE_FIELDS) if (rng.chance(0.5)) usage[field] = null;
    },
  },
  'a finishReason here (early, twice or odd)': {
    end: 'not last',
    apply: (rng, payload) => {
      candidateOf(payload).finishReason = rng.pick(FINISH_REASONS);
    },
  },
  'finishReason removed': {
    end: 'last',
    apply: (rng, payload) => {
      const candidate = candidateOf(payload);
      if (rng.chance(0.7)) delete candidate.finishReason;
      else candidate.finishReason = rng.pick(FINISH_REASONS);
    },
  },
  'a finishReason on the second candidate only': {
    apply: (rng, payload) => {
      const candidate = candidateOf(payload);
      const reason = candidate.finishReason ?? 'STOP';
      delete candidate.finishReason;
      payload.candidates[1] = {
        content: { parts: [{ text: textPiece(rng, PIECES) }], role: 'model' },
        finishReason: reason,
        index: 1,
      };
    },
  },
  'a blocked prompt': {
    apply: (rng, payload) => {
      payload.promptFeedback = { blockReason: rng.pick(BLOCK_VALUES) };
      if (rng.chance(0.5)) delete payload.candidates;
    },
  },
  'promptFeedback without a blockReason': {
    apply: (rng, payload) => {
      payload.promptFeedback = rng.pick([
        { safetyRatings: [{ category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' }] },
        {},
        'SAFETY',
        null,
        { blockReasonMessage: 'no reason given' },
      ]);
    },
  },
  'an error object instead': {
    apply: (rng) =>
      replaceData(
        JSON.stringify({
          error: {
            code: rng.pick(ERROR_CODES),
            message: rng.pick(['m', 'The model is overloaded.', '', 42]),
            status: rng.pick(ERROR_STATUSES),
          },
        }),
      ),
  },
  'an error member added': {
    apply: (rng, payload) => {
      payload.error = { code: rng.pick(ERROR_CODES), status: rng.pick(ERROR_STATUSES) };
    },
  },
  'an error member that is not an object': {
    apply: (rng, payload) => {
      payload.error = rng.pick(['INTERNAL', [], null, 500, [{ code: 500, status: 'INTERNAL' }]]);
    },
  },
  'parts not a list': {
    apply: (rng, payload) => {
      const candidate = candidateOf(payload);
      if (!isPlainObject(candidate.content)) candidate.content = {};
      candidate.content.parts = rng.pick([{ text: 'x' }, 'text', null, 5]);
    },
  },
  'a part of another shape': {
    apply: (rng, payload) => {
      const parts = partsOf(payload);
      const odd = rng.pick([
        'text',
        5,
        null,
        [{ text: 'x' }],
        {},
        { thoughtSignature: signature(rng) },
        { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
        { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '45\n' } },
        { functionResponse: { name: 'f', response: { ok: true } } },
        { text: '' },
        { text: '', thought: true },
      ]);
      parts.splice(rng.int(0, parts.length), 0, odd);
    },
  },
  'text not a string': {
    apply: (rng, payload) => {
      somePart(rng, payload).text = rng.pick([42, null, ['a'], { text: 'a' }, true]);
    },
  },
  'thought not the boolean true': {
    apply: (rng, payload) => {
      const part = somePart(rng, payload);
      if (typeof part.text !== 'string') part.text = textPiece(rng, THOUGHTS);
      part.thought = rng.pick([true, false, 'true', 1, null, { value: true }]);
    },
  },
  'a functionCall of an odd shape': {
    apply: (rng, payload) => {
      const parts = partsOf(payload);
      const call = rng.pick([
        { name: 'f' },
        { name: 'f', args: null },
        { name: 'f', args: 'city=Kiel' },
        { name: 'f', args: 5 },
        { name: 'f', args: [1, 'a'] },
        { name: 'f', args: { text: '中文 🦀' } },
        { name: 'f', args: { s: '\ud800' } },
        {},
      ]);
      parts.push(
        rng.chance(0.85) ? { functionCall: call } : { functionCall: rng.pick(['f', null, [call]]) },
      );
    },
  },
  'an executableCode of an odd shape': {
    apply: (rng, payload) => {
      partsOf(payload).push({
        executableCode: rng.pick([
          { language: 'PYTHON', code: 'print(1)' },
          { language: 'PYTHON' },
          { code: 42 },
          { code: '' },
          'print(1)',
          null,
        ]),
      });
    },
  },
  'content not an object': {
    apply: (rng, payload) => {
      candidateOf(payload).content = rng.pick([null, 'text', [{ parts: [{ text: 'x' }] }], 3]);
    },
  },
  'candidates of an odd shape': {
    apply: (rng, payload) => {
      const first = Array.isArray(payload.candidates) ? payload.candidates[0] : undefined;
      payload.candidates = rng.pick([[], null, {}, 'c', [null, first], [first, null], first]);
    },
  },
  'a second candidate with text': {
    apply: (rng, payload) => {
      candidateOf(payload);
      payload.candidates.push({
        content: { parts: [{ text: textPiece(rng, PIECES) }], role: 'model' },
        index: 1,
      });
    },
  },
  'a lone surrogate in the text': {
    apply: (rng, payload) => {
      const part = somePart(rng, payload);
      part.text = rng.pick(['\ud800', 'a\udc00b', '\ud83e', '🦀\ud83e']);
    },
  },
  'a huge text part': {
    apply: (rng, payload) => {
      const size = rng.pick([70_000, 300_000, 1_000_000]);
      const word = rng.pick(['word ', 'ab cd ', ' 中文', 'café ']);
      somePart(rng, payload).text = words(size, word);
    },
  },
  'a long unbroken word': {
    apply: (rng, payload) => {
      somePart(rng, payload).text = 'x'.repeat(rng.int(200, 5000));
    },
  },
  'unknown members': {
    apply: (rng, payload) => {
      payload.automaticFunctionCallingHistory = [];
      candidateOf(payload).citationMetadata = { citationSources: [{ startIndex: 0, uri: 'u' }] };
      if (rng.chance(0.5)) payload.createTime = '2026-12-02T12:00:00Z';
    },
  },
  'not an object at all': { apply: (rng) => replaceData(rng.pick(NOT_OBJECTS)) },
  'data that is not JSON': { apply: (rng) => replaceData(rng.pick(NOT_JSON)) },
};

/**
 * Rewrites one event's payload; a usage rewrite mostly lands on an event with usage, an early
 * finish on one before the end, a removed finish on the end. Undefined when no event parses.
 */
function rewritePayload(rng, events) {
  const name = rng.pick(Object.keys(PAYLOAD_REWRITES));
  const rewrite = PAYLOAD_REWRITES[name];
  const parsed = [];
  for (const [index, event] of events.entries()) {
    try {
      const payload = JSON.parse(event.json);
      if (isPlainObject(payload)) parsed.push({ index, payload });
    } catch {
      // Data an earlier step already broke.
    }
  }
  let pool = parsed;
  if (rewrite.usage && rng.chance(0.8))
    pool = parsed.filter(({ payload }) => isPlainObject(payload.usageMetadata));
  else if (rewrite.end === 'last' && rng.chance(0.9))
    pool = parsed.filter(({ index }) => events[index].isEnd);
  else if (rewrite.end === 'not last' && rng.chance(0.8))
    pool = parsed.filter(({ index }) => !events[index].isEnd);
  if (pool.length === 0) pool = parsed;
  if (pool.length === 0) return undefined;
  const { index, payload } = rng.pick(pool);
  const result = rewrite.apply(rng, payload);
  const json = result?.replace ?? JSON.stringify(payload);
  const next = [...events];
  next[index] = { ...events[index], json, split: undefined };
  return {
    events: next,
    description: `rewrite event ${index}: ${name} (${clip(json)})`,
  };
}

const LINE_ENDS = ['\r\n', '\n', '\r'];
const nameOf = (eol) => JSON.stringify(eol);

/**
 * Changes to the events themselves, not their payloads: line ends (CRLF against LF, mixed),
 * blank lines missing or not blank, data split over lines or by a blank line, events
 * duplicated, dropped, moved, inserted (not JSON, comments, names, ids), events after the end.
 */
const EVENT_CHANGES = {
  'line ends of the whole stream changed': (rng, events) => {
    const eol = rng.pick(LINE_ENDS.filter((end) => end !== events[0].eol));
    return {
      events: events.map((event) => ({
        ...event,
        eol,
        blank: event.blank === event.eol ? eol : event.blank,
      })),
      detail: `to ${nameOf(eol)}`,
    };
  },
  'one blank line ended otherwise': (rng, events, index) => {
    const blank = rng.pick(LINE_ENDS.filter((end) => end !== events[index].blank));
    return { replace: { ...events[index], blank }, detail: nameOf(blank) };
  },
  'one data line ended otherwise': (rng, events, index) => {
    const eol = rng.pick(LINE_ENDS.filter((end) => end !== events[index].eol));
    return { replace: { ...events[index], eol }, detail: nameOf(eol) };
  },
  'blank line missing (two events joined)': (_, events, index) => ({
    replace: { ...events[index], blank: '' },
  }),
  'blank line holding a space': (_, events, index) => ({
    replace: { ...events[index], blank: ` ${events[index].eol}` },
  }),
  'data split over two lines between members': (rng, events, index) => {
    const event = events[index];
    const points = [...event.json.matchAll(/,"/g)].map((match) => match.index + 1);
    if (points.length === 0) return undefined;
    const split = rng.pick(points);
    return { replace: { ...event, split }, detail: `at ${split}` };
  },
  'data split over two lines anywhere': (rng, events, index) => {
    const event = events[index];
    if (event.json.length < 2) return undefined;
    const split = rng.int(1, event.json.length - 1);
    return { replace: { ...event, split }, detail: `at ${split}` };
  },
  'a blank line inside the JSON (one event cut in two)': (rng, events, index) => {
    const event = events[index];
    if (event.json.length < 2) return undefined;
    const cut = rng.int(1, event.json.length - 1);
    const first = { ...event, json: event.json.slice(0, cut), split: undefined, isEnd: false };
    const second = { ...event, json: event.json.slice(cut), split: undefined, lines: [] };
    return { replaceWith: [first, second], detail: `at ${cut}` };
  },
  'an event duplicated': (_, events, index) => ({
    replaceWith: [events[index], { ...events[index], isEnd: false }],
  }),
  'an event dropped': () => ({ replaceWith: [] }),
  'the end event moved earlier': (rng, events) => {
    const from = events.findIndex((event) => event.isEnd);
    if (from <= 0) return undefined;
    const to = rng.int(0, from - 1);
    const next = [...events];
    const [moved] = next.splice(from, 1);
    next.splice(to, 0, moved);
    return { events: next, detail: `to ${to}` };
  },
  'an event after the end': (rng, events) => {
    const last = events.at(-1);
    const extra = rng.pick([
      googleJson({ candidates: [{ content: { parts: [{ text: ' late' }], role: 'model' } }] }),
      googleJson({
        candidates: [{ content: { parts: [{ text: '' }] }, finishReason: 'SAFETY' }],
        usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1e9 + 7 },
      }),
      googleJson({ usageMetadata: { candidatesTokenCount: 424242 } }),
      googleJson({ error: { code: 500, message: 'late', status: 'INTERNAL' } }),
      ...NOT_JSON,
    ]);
    const event = { ...last, json: extra, split: undefined, lines: [], isEnd: false };
    return { events: [...events, event], detail: clip(extra) };
  },
  'an event that is not JSON inserted': (rng, events, index) => {
    const data = rng.pick([...NOT_JSON, ...NOT_OBJECTS]);
    const event = { ...events[index], json: data, split: undefined, lines: [], isEnd: false };
    return { replaceWith: [event, events[index]], detail: JSON.stringify(data) };
  },
  'a comment, an id or a retry line': (rng, events, index) => {
    const line = rng.pick([': keep-alive', ':', 'id: 7', 'retry: 1000', 'id', 'x-proxy: 1']);
    return {
      replace: { ...events[index], lines: [...events[index].lines, line] },
      detail: JSON.stringify(line),
    };
  },
  'an event name': (rng, events, index) => {
    const name = rng.pick(['error', 'message', 'done', 'finish', '']);
    return {
      replace: { ...events[index], lines: [...events[index].lines, `event: ${name}`] },
      detail: JSON.stringify(name),
    };
  },
  'data: with another spacing': (rng, events, index) => {
    const prefix = rng.pick(['data:', 'data:  ', 'data:\t']);
    return { replace: { ...events[index], prefix }, detail: JSON.stringify(prefix) };
  },
};

/** One event-level change, at a random event (the end one a third of the time). */
function changeEvents(rng, events) {
  if (events.length === 0) return undefined;
  const name = rng.pick(Object.keys(EVENT_CHANGES));
  const endIndex = events.findIndex((event) => event.isEnd);
  const index = endIndex !== -1 && rng.chance(0.33) ? endIndex : rng.int(0, events.length - 1);
  const change = EVENT_CHANGES[name](rng, events, index);
  if (change === undefined) return undefined;
  let next = change.events;
  if (next === undefined) {
    next = [...events];
    next.splice(index, 1, ...(change.replaceWith ?? [change.replace]));
  }
  const where = change.events === undefined ? ` at event ${index}` : '';
  return {
    events: next,
    description: `${name}${where}${change.detail === undefined ? '' : ` (${change.detail})`}`,
  };
}

/** Where a truncation can land, by the part of the stream it cuts into. */
const TRUNCATION_CLASSES = {
  'inside a data field name': 12,
  'inside JSON': 18,
  'between events': 14,
  'inside a multi-byte character': 12,
  'just before the last event': 9,
  'inside the last event': 12,
  'after the last data line, before its blank line': 12,
  'inside the last blank line (after its CR)': 5,
  anywhere: 6,
};

function truncationOffset(rng, marks, body, label) {
  const end = marks.end;
  switch (label) {
    case 'inside a data field name':
      return marks.dataLines.length === 0 ? undefined : rng.pick(marks.dataLines) + rng.int(1, 3);
    case 'inside JSON': {
      if (marks.json.length === 0) return undefined;
      const [start, stop] = rng.pick(marks.json);
      return stop - start < 2 ? undefined : rng.int(start + 1, stop - 1);
    }
    case 'between events':
      return marks.boundaries.length < 2 ? undefined : rng.pick(marks.boundaries.slice(1));
    case 'inside a multi-byte character':
      return marks.multibyte.length > 0 ? rng.pick(marks.multibyte) : undefined;
    case 'just before the last event':
      return end?.eventStart;
    case 'inside the last event':
      return end === undefined || end.lineEnd - end.eventStart < 2
        ? undefined
        : rng.int(end.eventStart + 1, end.lineEnd - 1);
    case 'after the last data line, before its blank line':
      return end === undefined
        ? undefined
        : rng.int(end.lineEnd, Math.max(end.lineEnd, end.end - 2));
    case 'inside the last blank line (after its CR)':
      // Between the CR and the LF of a CRLF blank line: the CR alone ends it.
      return end !== undefined && body.subarray(end.end - 2, end.end).toString() === '\r\n'
        ? end.end - 1
        : undefined;
    default:
      return rng.int(1, body.length - 1);
  }
}

/** An offset worth mutating at: anywhere, an event boundary, JSON, a field name, the end event. */
function mutationOffset(rng, marks, length) {
  const where = rng.weighted({
    anywhere: 50,
    boundary: 10,
    json: 18,
    dataLine: 7,
    end: 10,
    separator: 5,
  });
  let offset;
  if (where === 'boundary') offset = rng.pick(marks.boundaries) - rng.int(0, 2);
  else if (where === 'json') {
    const [start, end] = rng.pick(marks.json);
    offset = rng.int(start, end);
  } else if (where === 'dataLine') offset = rng.pick(marks.dataLines) + rng.int(0, 5);
  else if (where === 'end' && marks.end !== undefined)
    offset = rng.int(marks.end.eventStart, marks.end.end - 1);
  else if (where === 'separator') {
    const event = rng.pick(marks.events);
    offset = rng.int(event.lineEnd, event.end);
  } else offset = rng.int(0, length - 1);
  return Math.max(0, Math.min(length - 1, offset));
}

/**
 * Now and then one or two payload rewrites or event changes, then (sometimes) a truncation,
 * then zero to three byte mutations. Returns the mutated body and, when truncated, the bytes
 * the server would have sent after the cut (so a framing can declare the full length and then
 * cut the connection).
 * @param {import('../prng.mjs').Rng} rng
 * @param {ReturnType<typeof buildBaseStream>} original
 */
export function mutateStream(rng, original) {
  const steps = [];
  let events = original.events;
  if (rng.chance(0.45)) {
    const changes = rng.chance(0.25) ? 2 : 1;
    for (let i = 0; i < changes; i++) {
      const changed = rng.chance(0.62) ? rewritePayload(rng, events) : changeEvents(rng, events);
      if (changed === undefined) continue;
      events = changed.events;
      steps.push(changed.description);
    }
  }
  const rendered = renderEvents(events, original.marks.done !== undefined);
  const marks = rendered.marks;
  let body = rendered.body;
  let tail = Buffer.alloc(0);
  if (body.length > 1 && rng.chance(0.3)) {
    ({ body, tail } = cutAtMarkedPlace(rng, body, steps, TRUNCATION_CLASSES, (label) =>
      truncationOffset(rng, marks, body, label),
    ));
  }
  const count =
    marks.json.length === 0
      ? 0
      : byteOperatorCount(rng, body, { 0: steps.length > 0 ? 45 : 8, 1: 60, 2: 20, 3: 10 });
  body = applyByteOperators(rng, body, count, steps, {
    offsetFor: (length) => mutationOffset(rng, marks, length),
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
const CRLF = '\r\n';

/** One event as Google writes it: `data: <json>` and CRLF CRLF. */
const data = (payload, eol = CRLF) =>
  `data: ${typeof payload === 'string' ? payload : googleJson(payload)}${eol}${eol}`;
/** A GenerateContentResponse with one candidate whose content holds `parts`. */
const response = (parts, { finishReason, usage, candidate = {}, extra = {} } = {}) => ({
  candidates: [
    {
      content: parts === undefined ? { role: 'model' } : { parts, role: 'model' },
      ...(finishReason === undefined ? {} : { finishReason }),
      index: 0,
      ...candidate,
    },
  ],
  ...(usage === undefined ? {} : { usageMetadata: usage }),
  modelVersion: 'gemini-2.5-flash',
  responseId: 'fzEdge',
  ...extra,
});
/** usageMetadata with these counts (undefined ones left out). */
const usageOf = (candidates, thoughts, prompt = 9) => ({
  promptTokenCount: prompt,
  ...(candidates === undefined ? {} : { candidatesTokenCount: candidates }),
  ...(thoughts === undefined ? {} : { thoughtsTokenCount: thoughts }),
  totalTokenCount: prompt + (candidates ?? 0) + (thoughts ?? 0),
});
const text = (value, options) => data(response([{ text: value }], options));
const thought = (value, options) => data(response([{ text: value, thought: true }], options));
const finish = (value, finishReason = 'STOP', usage = usageOf(9)) =>
  data(response(value === undefined ? undefined : [{ text: value }], { finishReason, usage }));
const errorData = (error) => data({ error });
/** Two answer chunks before the end: 2 token events. */
const opening = () =>
  text('The pilot', { usage: usageOf(2) }) + text(' took the helm', { usage: usageOf(5) });
/** A short valid answer: three token events, 9 output tokens by the usage. */
const validBody = () => opening() + finish(' at dawn.');

const sseResponse = (body, framing = 'length', headers = SSE_HEADERS) =>
  buildResponse(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), { headers, framing });
const googleError = (status, code, name, message, details) =>
  buildResponse(
    Buffer.from(
      JSON.stringify({ error: { code, message, status: name, ...(details ? { details } : {}) } }),
      'utf8',
    ),
    { status, headers: [['Content-Type', 'application/json; charset=UTF-8']], framing: 'length' },
  );

/**
 * Hand-written hostile responses for this protocol, with the same members as openai-chat's
 * (`expect`, `build(rng)` and the optional checks). Broken HTTP itself is the OpenAI module's
 * to cover: the framing is shared.
 */
export function edgeCases() {
  const cases = [];
  const add = (name, expect, build, checks = {}) => cases.push({ name, expect, build, ...checks });
  const stream =
    (body, ending = 'keep', framing = 'length') =>
    () => ({ bytes: sseResponse(body, framing), ending });

  // Sound streams, in the shapes Gemini sends.
  add('text-crlf', 'ok', stream(validBody()), { tokenEvents: 3 });
  add('text-lf', 'ok', stream(validBody().replaceAll(CRLF, '\n')), { tokenEvents: 3 });
  add('text-chunked-close-delimited', 'ok', stream(validBody(), 'close', 'close'), {
    tokenEvents: 3,
  });
  add(
    'thoughts-then-text',
    'ok',
    stream(
      thought('**Tides first**\n\n', { usage: usageOf(undefined, 6) }) +
        thought('then wind.', { usage: usageOf(undefined, 11) }) +
        text('Wait for the tide.', { usage: usageOf(4, 11) }) +
        finish('', 'STOP', usageOf(4, 11, 8)),
    ),
    { tokenEvents: 3 },
  );
  add(
    'thoughts-without-candidates-count-to-the-end',
    'ok',
    stream(
      thought('Listing primes below 400.', { usage: usageOf(undefined, 20) }) +
        text('Three: 79, 179 and 379.', { usage: usageOf(undefined, 40) }) +
        finish(undefined, 'STOP', usageOf(undefined, 40)),
    ),
    { tokenEvents: 2 },
  );
  add(
    'hidden-thinking-one-chunk',
    'ok',
    stream(finish('3', 'STOP', { ...usageOf(1, 2814, 30), promptTokensDetails: [] })),
    { tokenEvents: 1 },
  );
  add(
    'prompt-count-only-until-the-end',
    'ok',
    stream(
      text('The', { usage: usageOf(undefined, undefined, 15) }) +
        text(' capital of France', { usage: usageOf(undefined, undefined, 15) }) +
        finish(' is Paris.\n', 'STOP', usageOf(8, undefined, 13)),
    ),
    { tokenEvents: 3 },
  );
  add(
    'function-call-then-empty-text-finish',
    'ok',
    stream(
      data(
        response([
          {
            functionCall: { name: 'get_country', args: {} },
            thoughtSignature: 'EpwICpkIAXLI2nx==',
          },
        ]),
      ) + finish('', 'STOP', usageOf(10, 202, 29)),
    ),
    { tokenEvents: 1 },
  );
  add(
    'function-call-args-absent-null-and-nested',
    'ok',
    stream(
      data(response([{ functionCall: { name: 'a' } }])) +
        data(response([{ functionCall: { name: 'b', args: null } }])) +
        data(response([{ functionCall: { name: 'c', args: { port: 'Kiel', days: [1, 2] } } }])) +
        finish(''),
    ),
    { tokenEvents: 3 },
  );
  add(
    'executable-code-and-result',
    'ok',
    stream(
      data(
        response([
          { executableCode: { language: 'PYTHON', code: 'print(sum(range(10)))' } },
          { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '45\n' } },
        ]),
      ) +
        text('The sum is 45.') +
        finish(undefined),
    ),
    { tokenEvents: 2 },
  );
  add(
    'no-text-parts-are-no-tokens',
    'ok',
    stream(
      data(response([{ thoughtSignature: 'c2lnbmF0dXJl' }])) +
        data(response([{ text: '' }, { text: '', thought: true }])) +
        data(response([{ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }])) +
        data(response([])) +
        validBody(),
    ),
    { tokenEvents: 3 },
  );
  add(
    'parts-of-unexpected-shapes',
    'ok',
    stream(
      data(response(['text', 5, null, [{ text: 'x' }], { text: 42 }, { text: ['a'] }])) +
        data(response([{ text: 'counted', thought: 'true' }])) +
        data(response([{ functionCall: 'f' }, { executableCode: { code: 7 } }])) +
        data({ candidates: [{ content: { parts: { text: 'not a list' } } }] }) +
        data({ candidates: [{ content: 'text' }] }) +
        data({ candidates: { content: { parts: [{ text: 'x' }] } } }) +
        data({ candidates: [null, { content: { parts: [{ text: 'second' }] } }] }) +
        finish(undefined, 'STOP', usageOf(3)),
    ),
    { tokenEvents: 1 },
  );
  add(
    'second-candidate-ignored',
    'ok',
    stream(
      data({
        candidates: [
          { content: { parts: [{ text: 'first' }], role: 'model' }, index: 0 },
          {
            content: { parts: [{ text: 'second' }], role: 'model' },
            finishReason: 'STOP',
            index: 1,
          },
        ],
      }) + finish(' and last.', 'STOP', usageOf(4)),
    ),
    { tokenEvents: 2 },
  );
  add(
    'several-parts-in-one-event',
    'ok',
    stream(
      data(
        response([
          { text: 'Tides', thought: true },
          { text: 'High water' },
          { text: ' at noon.', thoughtSignature: 'c2ln' },
        ]),
      ) + finish(''),
    ),
    { tokenEvents: 1 },
  );
  add('finish-max-tokens-after-text', 'ok', stream(opening() + finish(' at', 'MAX_TOKENS')), {
    tokenEvents: 3,
  });
  add(
    'no-usage-anywhere',
    'ok',
    stream(text('Counted by') + text(' the tokenizer.') + finish(undefined, 'STOP', undefined)),
    { tokenEvents: 2 },
  );
  add('usage-empty-object', 'ok', stream(opening() + finish('.', 'STOP', {})), {
    tokenEvents: 3,
  });

  // Framing variants of a sound stream.
  add('bom', 'ok', stream(`\ufeff${validBody()}`), { tokenEvents: 3 });
  add('cr-only-line-ends', 'ok', stream(validBody().replaceAll(CRLF, '\r')), { tokenEvents: 3 });
  add(
    'mixed-line-ends',
    'ok',
    stream(
      text('one').replace(/\r\n\r\n$/, '\r\n\n') +
        text(' two').replace(/\r\n\r\n$/, '\n\r\n') +
        text(' three').replace(/\r\n\r\n$/, '\r\r\n') +
        finish(' four').replace(/\r\n\r\n$/, '\n\r'),
    ),
    { tokenEvents: 4 },
  );
  add(
    'comments-ids-retry-and-event-names',
    'ok',
    stream(
      `: hello\r\n\r\nretry: 3000\r\n\r\n${validBody().replaceAll(
        'data: ',
        ': keep-alive\r\nid: 7\r\nevent: error\r\ndata: ',
      )}`,
    ),
    { tokenEvents: 3 },
  );
  add('data-without-space', 'ok', stream(validBody().replaceAll('data: ', 'data:')), {
    tokenEvents: 3,
  });
  add(
    'data-over-two-lines-between-members',
    'ok',
    stream(
      opening() +
        `data: {"candidates": [{"content": {"parts": [{"text": " at dawn."}],"role": "model"},"finishReason": "STOP"}],\r\ndata: "usageMetadata": {"promptTokenCount": 9,"candidatesTokenCount": 9}}\r\n\r\n`,
    ),
    { tokenEvents: 3 },
  );
  add('escaped-non-ascii', 'ok', stream(asciiEscaped(opening() + finish(' café 中文 🦀'))), {
    tokenEvents: 3,
  });
  add(
    'split-utf8-one-byte-writes',
    'ok',
    () => ({
      bytes: sseResponse(text('中文 🦀 café') + text(' 👩‍💻 Ωμέγα') + finish(' ∑x²'), 'chunked'),
      ending: 'keep',
      writes: 'bytewise',
    }),
    { tokenEvents: 3 },
  );
  add(
    'split-json-one-byte-writes-lf',
    'ok',
    () => ({
      bytes: sseResponse(
        (thought('hm', { usage: usageOf(undefined, 3) }) + validBody()).replaceAll(CRLF, '\n'),
      ),
      ending: 'keep',
      writes: 'bytewise',
    }),
    { tokenEvents: 4 },
  );

  // The end.
  add('no-finish-clean-close', 'stream_interrupted', stream(opening(), 'close', 'close'));
  add('no-finish-complete-length', 'stream_interrupted', stream(opening()));
  add(
    'finish-without-blank-line',
    'stream_interrupted',
    stream(validBody().slice(0, -2), 'close', 'close'),
  );
  add(
    'finish-unterminated-line',
    'stream_interrupted',
    stream(validBody().slice(0, -4), 'close', 'close'),
  );
  add('finish-blank-line-cut-after-cr', 'ok', stream(validBody().slice(0, -1), 'close', 'close'), {
    tokenEvents: 3,
  });
  add(
    'finish-then-connection-kept-open',
    'ok',
    () => ({ bytes: sseResponse(validBody(), 'close'), ending: 'open' }),
    { tokenEvents: 3, maxE2eMs: 2000 },
  );
  add(
    'finish-then-reset-before-declared-length',
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
    'finish-then-chunked-never-terminated',
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
  // What follows the first finishReason is not part of the response.
  add(
    'finish-early-then-more-chunks',
    'ok',
    stream(
      text('The pilot') +
        finish(' took the helm', 'STOP', usageOf(5)) +
        text(' at dawn.', { usage: usageOf(9) }) +
        finish(' Then', 'STOP', usageOf(11)),
    ),
    { tokenEvents: 2 },
  );
  add('finish-twice', 'ok', stream(validBody() + finish(' again', 'STOP', usageOf(12))), {
    tokenEvents: 3,
  });
  add(
    'events-and-garbage-after-finish',
    'ok',
    (rng) => ({
      bytes: Buffer.concat([
        sseResponse(
          `${validBody()}${text(' late')}${errorData({ code: 500, message: 'late', status: 'INTERNAL' })}data: {broken\r\n\r\n`,
          'close',
        ),
        rng.bytes(200),
      ]),
      ending: 'close',
    }),
    { tokenEvents: 3 },
  );
  add(
    'error-after-finish',
    'ok',
    stream(validBody() + errorData({ code: 503, message: 'late', status: 'UNAVAILABLE' })),
    { tokenEvents: 3 },
  );
  add('malformed-json-after-finish', 'ok', stream(`${validBody()}data: {"candidates": [\r\n\r\n`), {
    tokenEvents: 3,
  });
  add(
    'refusal-after-finish',
    'ok',
    stream(finish(undefined, 'STOP', usageOf(0)) + finish(undefined, 'SAFETY', usageOf(0))),
    { tokenEvents: 0 },
  );
  add(
    'usage-after-finish-ignored',
    'ok',
    stream(
      validBody() + data({ usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 424242 } }),
    ),
    { tokenEvents: 3 },
  );
  add(
    'finish-reason-not-a-string',
    'stream_interrupted',
    stream(opening() + data(response([{ text: '.' }], { finishReason: 42 }))),
  );
  add(
    'finish-reason-empty-string',
    'stream_interrupted',
    stream(opening() + data(response([{ text: '.' }], { finishReason: '' }))),
  );
  add(
    'finish-reason-on-second-candidate-only',
    'stream_interrupted',
    stream(
      opening() +
        data({
          candidates: [
            { content: { parts: [{ text: '.' }] } },
            { content: { parts: [] }, finishReason: 'STOP' },
          ],
        }),
    ),
  );

  // Stopped before any output, and blocked prompts.
  add('stopped-safety-no-output', 'client_error', stream(finish(undefined, 'SAFETY', usageOf(0))), {
    messageIncludes: 'SAFETY',
  });
  add(
    'stopped-max-tokens-hidden-thinking',
    'client_error',
    stream(
      data(response(undefined, { usage: usageOf(undefined, 60) })) +
        finish(undefined, 'MAX_TOKENS', usageOf(undefined, 63)),
    ),
    { messageIncludes: 'MAX_TOKENS' },
  );
  add(
    'stopped-unspecified-no-output',
    'client_error',
    stream(finish('', 'FINISH_REASON_UNSPECIFIED')),
  );
  add(
    'stopped-recitation-after-text',
    'ok',
    stream(opening() + finish(undefined, 'RECITATION', usageOf(5))),
    { tokenEvents: 2 },
  );
  add(
    'stopped-max-tokens-after-thoughts',
    'ok',
    stream(
      thought('Weighing the tides', { usage: usageOf(undefined, 30) }) +
        finish(undefined, 'MAX_TOKENS', usageOf(undefined, 64)),
    ),
    { tokenEvents: 1 },
  );
  add(
    'stopped-after-function-call',
    'ok',
    stream(
      data(response([{ functionCall: { name: 'f', args: { a: 1 } } }])) +
        finish('', 'MALFORMED_FUNCTION_CALL'),
    ),
    { tokenEvents: 1 },
  );
  add('stop-with-no-output', 'ok', stream(finish(undefined, 'STOP', usageOf(0))), {
    tokenEvents: 0,
  });
  const blocked = (blockReason, extra = {}) =>
    data({
      promptFeedback: { blockReason, ...extra },
      usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 },
      modelVersion: 'gemini-2.5-flash',
    });
  add('blocked-prompt-safety', 'client_error', stream(blocked('SAFETY')), {
    messageIncludes: 'SAFETY',
  });
  add(
    'blocked-prompt-other-with-message',
    'client_error',
    stream(blocked('OTHER', { blockReasonMessage: 'The prompt was refused.' })),
  );
  add(
    'blocked-prompt-empty-candidates',
    'client_error',
    stream(data({ candidates: [], promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } })),
  );
  // The README names no exception for the enum's default value.
  add('blocked-prompt-unspecified', 'client_error', stream(blocked('BLOCK_REASON_UNSPECIFIED')));
  add(
    'prompt-feedback-without-block-reason',
    'ok',
    stream(
      data({
        promptFeedback: {
          safetyRatings: [{ category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' }],
        },
      }) + validBody(),
    ),
    { tokenEvents: 3 },
  );
  add('blocked-after-text-ends-ok', 'ok', stream(opening() + blocked('SAFETY') + text(' more')), {
    tokenEvents: 2,
  });
  add(
    'block-reason-not-a-string',
    'stream_interrupted',
    stream(opening() + data({ promptFeedback: { blockReason: 7 } })),
  );

  // Errors Google reports in the stream.
  const errorCase = (name, error, expect) =>
    add(name, expect, stream(opening() + errorData(error), 'close', 'close'));
  const named = (status, code) => ({ code, message: `${status} in stream`, status });
  errorCase('error-resource-exhausted', named('RESOURCE_EXHAUSTED', 429), 'rate_limited');
  errorCase('error-unauthenticated', named('UNAUTHENTICATED', 401), 'auth');
  errorCase('error-permission-denied', named('PERMISSION_DENIED', 403), 'auth');
  errorCase('error-invalid-argument', named('INVALID_ARGUMENT', 400), 'client_error');
  errorCase('error-failed-precondition', named('FAILED_PRECONDITION', 400), 'client_error');
  errorCase('error-not-found', named('NOT_FOUND', 404), 'client_error');
  errorCase('error-out-of-range', named('OUT_OF_RANGE', 400), 'client_error');
  errorCase('error-deadline-exceeded', named('DEADLINE_EXCEEDED', 504), 'timeout_total');
  errorCase('error-internal', named('INTERNAL', 500), 'server_error');
  errorCase('error-unavailable', named('UNAVAILABLE', 503), 'server_error');
  errorCase('error-unknown', named('UNKNOWN', 500), 'server_error');
  // Names the README lists as client errors, and one it does not list (by its code).
  errorCase('error-already-exists', named('ALREADY_EXISTS', 409), 'client_error');
  errorCase('error-unimplemented', named('UNIMPLEMENTED', 501), 'client_error');
  errorCase('error-unknown-status-with-code-400', named('A_FUTURE_STATUS', 400), 'client_error');
  errorCase('error-status-constructor', named('constructor', 500), 'server_error');
  errorCase('error-status-to-string', named('toString', 500), 'server_error');
  // No status name: the code decides.
  errorCase('error-code-429-only', { code: 429, message: 'quota' }, 'rate_limited');
  errorCase('error-code-401-only', { code: 401, message: 'key' }, 'auth');
  errorCase('error-code-504-only', { code: 504, message: 'deadline' }, 'timeout_total');
  errorCase('error-code-404-only', { code: 404, message: 'model' }, 'client_error');
  errorCase('error-status-not-a-string', { code: 400, status: 7 }, 'client_error');
  errorCase('error-empty-object', {}, 'server_error');
  errorCase('error-code-not-a-number', { code: '429', message: 'm' }, 'server_error');
  add(
    'error-string-is-no-error',
    'ok',
    stream(data({ error: 'INTERNAL' }) + data({ error: null }) + validBody()),
    { tokenEvents: 3 },
  );
  add(
    'error-then-finish',
    'rate_limited',
    stream(opening() + errorData(named('RESOURCE_EXHAUSTED', 429)) + finish('.')),
  );
  add(
    'error-and-finish-in-one-chunk',
    'server_error',
    stream(
      opening() +
        data({
          ...response([{ text: '.' }], { finishReason: 'STOP' }),
          error: named('UNAVAILABLE', 503),
        }),
    ),
  );
  add(
    'error-without-output-and-finish-safety',
    'auth',
    stream(
      data({
        ...response(undefined, { finishReason: 'SAFETY' }),
        error: named('PERMISSION_DENIED', 403),
      }),
    ),
  );
  add(
    'two-errors-the-first-decides',
    'auth',
    stream(errorData(named('UNAUTHENTICATED', 401)) + errorData(named('INTERNAL', 500))),
  );
  add(
    'error-then-stop-without-output',
    'rate_limited',
    stream(errorData(named('RESOURCE_EXHAUSTED', 429)) + finish(undefined, 'SAFETY')),
  );
  add(
    'error-then-malformed-json',
    'protocol',
    stream(`${opening()}${errorData(named('INTERNAL', 500))}data: {oops\r\n\r\n`),
  );

  // Data that is not a JSON object.
  add(
    'done-marker-mid-stream',
    'protocol',
    stream(`${opening()}data: [DONE]\r\n\r\n${finish('.')}`),
  );
  add('done-marker-after-finish', 'ok', stream(`${validBody()}data: [DONE]\r\n\r\n`), {
    tokenEvents: 3,
  });
  add('empty-data', 'protocol', stream(`${opening()}data:\r\n\r\n${finish('.')}`));
  add('array-payload', 'protocol', stream(`${opening()}data: [{"candidates": []}]\r\n\r\n`));
  add('two-events-joined', 'protocol', stream(opening().replace('\r\n\r\n', '\r\n') + finish('.')));
  add(
    'blank-line-holding-a-space',
    'protocol',
    stream(opening().replace('\r\n\r\n', '\r\n \r\n') + finish('.')),
  );
  add(
    'data-split-inside-a-string',
    'protocol',
    stream(
      `${opening()}data: {"candidates": [{"content": {"parts": [{"text": " at\r\ndata: dawn."}]}}]}\r\n\r\n${finish('.')}`,
    ),
  );

  // Usage.
  const absurd = (name, usage) =>
    add(name, 'ok', stream(opening() + finish(' at dawn.', 'STOP', usage)), {
      tokenEvents: 3,
      usageIgnored: true,
    });
  absurd('usage-candidates-1e300', { promptTokenCount: 9, candidatesTokenCount: 1e300 });
  absurd('usage-thoughts-fractional', {
    promptTokenCount: 9,
    candidatesTokenCount: 9,
    thoughtsTokenCount: 2.5,
  });
  absurd('usage-prompt-string', { promptTokenCount: '9', candidatesTokenCount: 9 });
  absurd('usage-cached-negative', {
    promptTokenCount: 9,
    candidatesTokenCount: 9,
    cachedContentTokenCount: -1,
  });
  absurd('usage-candidates-2pow53', { promptTokenCount: 9, candidatesTokenCount: 2 ** 53 });
  absurd('usage-thoughts-over-1e9', { promptTokenCount: 9, thoughtsTokenCount: 1e9 + 1 });
  absurd('usage-candidates-object', { promptTokenCount: 9, candidatesTokenCount: { value: 9 } });
  add(
    'usage-null-counts',
    'ok',
    stream(
      opening() +
        finish('.', 'STOP', {
          promptTokenCount: null,
          candidatesTokenCount: 7,
          thoughtsTokenCount: null,
          cachedContentTokenCount: null,
        }),
    ),
    { tokenEvents: 3 },
  );
  add(
    'usage-at-the-bounds',
    'ok',
    stream(opening() + finish('.', 'STOP', usageOf(1e9, 1e9, 1e9))),
    { tokenEvents: 3 },
  );
  add(
    'usage-not-an-object',
    'ok',
    stream(
      opening() +
        data(response([{ text: '.' }], { finishReason: 'STOP', extra: { usageMetadata: [9] } })),
    ),
    { tokenEvents: 3 },
  );

  // HTTP statuses in Google's error shape, and bodies that are not event streams.
  add('status-429-resource-exhausted', 'rate_limited', () => ({
    bytes: googleError(429, 429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', [
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2s' },
    ]),
    ending: 'keep',
  }));
  add('status-400-api-key-invalid', 'auth', () => ({
    bytes: googleError(400, 400, 'INVALID_ARGUMENT', 'API key not valid.', [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
      },
    ]),
    ending: 'keep',
  }));
  add('status-400-invalid-argument', 'client_error', () => ({
    bytes: googleError(400, 400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.'),
    ending: 'keep',
  }));
  add('status-403-permission-denied', 'auth', () => ({
    bytes: googleError(403, 403, 'PERMISSION_DENIED', 'Permission denied.'),
    ending: 'keep',
  }));
  add('status-404-model-not-found', 'client_error', () => ({
    bytes: googleError(404, 404, 'NOT_FOUND', 'models/fuzz-model is not found.'),
    ending: 'keep',
  }));
  add('status-500-internal', 'server_error', () => ({
    bytes: googleError(500, 500, 'INTERNAL', 'An internal error has occurred.'),
    ending: 'keep',
  }));
  add('status-503-unavailable', 'server_error', () => ({
    bytes: googleError(503, 503, 'UNAVAILABLE', 'The model is overloaded.'),
    ending: 'keep',
  }));
  add(
    'generate-content-json-with-status-200',
    'protocol',
    () => ({
      bytes: buildResponse(
        Buffer.from(
          JSON.stringify(
            JSON.parse(
              googleJson(
                response([{ text: 'Paris.' }], { finishReason: 'STOP', usage: usageOf(2) }),
              ),
            ),
            null,
            2,
          ),
        ),
        { headers: [['Content-Type', 'application/json; charset=UTF-8']] },
      ),
      ending: 'keep',
    }),
    { messageIncludes: 'application/json' },
  );
  add(
    'json-error-with-status-200',
    'protocol',
    () => ({
      bytes: buildResponse(
        Buffer.from('{"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}}'),
        { headers: [['Content-Type', 'application/json']] },
      ),
      ending: 'keep',
    }),
    { messageIncludes: 'application/json' },
  );
  add('html-with-status-200', 'protocol', () => ({
    bytes: buildResponse(Buffer.from('<!DOCTYPE html><html><body>Sign in</body></html>'), {
      headers: [['Content-Type', 'text/html; charset=utf-8']],
    }),
    ending: 'keep',
  }));
  add('gzip-stream', 'protocol', () => ({
    bytes: buildResponse(gzipSync(Buffer.from(validBody())), {
      headers: [...SSE_HEADERS, ['Content-Encoding', 'gzip']],
    }),
    ending: 'keep',
  }));

  // Sizes: the cap, lowered with --max-event-bytes, and a huge event under the default one.
  add('max-event-bytes-line-over', 'protocol', stream(opening() + finish(words(100_000))), {
    maxEventBytes: 65_536,
  });
  add('max-event-bytes-under', 'ok', stream(opening() + finish(words(60_000))), {
    maxEventBytes: 65_536,
    tokenEvents: 3,
  });
  add('huge-event-2mib', 'ok', stream(opening() + finish(words(2 * 1024 * 1024, 'tide '))), {
    tokenEvents: 3,
  });
  add('long-word-20k', 'ok', stream(text('x'.repeat(20_000)) + finish('.', 'STOP', undefined)), {
    tokenEvents: 2,
  });

  return cases;
}

// ---------------------------------------------------------------------------------------
// The protocol, as the fuzz runner uses it
// ---------------------------------------------------------------------------------------

/** The variable the CLI reads the (dummy) API key from; the adapter needs one to start. */
const API_KEY_ENV = 'LLM_LENS_FUZZ_GEMINI_KEY';
const MODEL = 'fuzz-model';

/** Gemini's streamGenerateContent SSE protocol module. */
export const geminiStream = {
  name: 'gemini-stream',
  /**
   * How the CLI is pointed at the hostile server: the server root (the adapter appends
   * `/v1beta/models/{model}:streamGenerateContent?alt=sse`). The google provider refuses to
   * start without a key, and the runner passes the suite's environment on to the CLI, so the
   * variable is set here, before the CLI is spawned.
   */
  cliArgs: (baseUrl) => {
    process.env[API_KEY_ENV] ??= 'AIza-fuzz-not-a-key';
    return ['-p', 'google', '--base-url', baseUrl, '--api-key-env', API_KEY_ENV, '-m', MODEL];
  },
  requestPath: `/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`,
  contentType: SSE_TYPE,
  buildBaseStream,
  mutateStream,
  edgeCases,
  referenceOutcome,
};
