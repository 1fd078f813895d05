/**
 * Ollama's native chat stream (`POST /api/chat`, NDJSON), as the fuzz suite sees it: valid
 * base streams, the mutations worth making to them, hand-written hostile responses, and the
 * reference decoder that says what llm-lens must report for any response. Written from the
 * wire format (Ollama's API documentation, the recorded streams in shared/real-streams read
 * for their shape) and the adapter's documented reading (its README), never from the
 * product's parsing code.
 *
 * The contract its reference decoder encodes (HTTP as in the README):
 * - Lines end at `\n` (a `\r` before it is JSON whitespace); blank lines (whitespace only, as
 *   String.prototype.trim sees it) are skipped; a lone `\r` ends no line. Invalid UTF-8 is
 *   U+FFFD; a BOM is kept, so a first line behind one is not JSON: `protocol`.
 * - Every other line must parse as a JSON object, else `protocol`, final whatever follows. A
 *   line longer than --max-event-bytes (UTF-16 code units, the parser's documented unit) is
 *   `protocol`, a last line without its line end included.
 * - A line with an `error` member that is not null is a server-reported error:
 *   `server_error`, even with `done: true` on it; the first decides unless a protocol error
 *   follows. `done: true` (the boolean) on any other line is the end marker: `ok`; what
 *   follows is ignored.
 * - Token events: lines whose `message.content`, `message.thinking` or
 *   `tool_calls[].function.arguments` (a string as is, another value as its JSON) carry text,
 *   the done line included. Usage only from the done line: `eval_count` is the output count;
 *   a present `eval_count` or `prompt_eval_count` that is not a whole number from 0 to 1e9
 *   drops the report (`usage_ignored`), and the tokenizer counts, as for OpenAI.
 * - The end. A last line without its line end counts when, trimmed, it parses (read in the
 *   product too: Ollama's own servers end with `\n`, proxies may not). When the connection
 *   was cut (a reset or close before the declared length or chunked end; a reset of a
 *   close-delimited body is its end, as undici reads it) only a done or error line counts
 *   there, and without done the outcome is `stream_interrupted` whatever the Content-Type.
 *   Otherwise, without done: a body that never ends is a timeout; an unrequested
 *   Content-Encoding, or a media type other than application/x-ndjson with no token or error
 *   line, is `protocol`; the rest `stream_interrupted`.
 */
import { gzipSync } from 'node:zlib';
import { buildResponse, encodeChunked, responseHead } from '../http-wire.mjs';
import {
  countsProblem,
  isCloseDelimited,
  isPlainObject,
  okOutcome,
  readStreamingResponse,
  snippet,
  unrequestedEncoding,
} from '../reference-outcome.mjs';
import { DEFAULT_MAX_EVENT_BYTES } from '../sse-reference.mjs';
import {
  applyByteOperators,
  asciiJson,
  byteOperatorCount,
  clip,
  cutAtMarkedPlace,
  mutatedStream,
  textPiece,
} from '../stream-mutation.mjs';

/** The media type of Ollama's streamed responses. */
export const NDJSON_TYPE = 'application/x-ndjson';

// ---------------------------------------------------------------------------------------
// Reference decoder
// ---------------------------------------------------------------------------------------

/** Blank as the contract reads it: nothing but whitespace as String.prototype.trim sees it. */
const isBlank = (text) => text.trim() === '';

/**
 * @typedef {{ text: string, terminated: boolean } | { overflow: string }} NdjsonItem
 */

/**
 * Splits a whole NDJSON body into its lines, in order: UTF-8 with U+FFFD for invalid bytes
 * (a BOM is kept: it is not JSON), lines ended by `\n` (a `\r` before it is JSON whitespace),
 * blank lines dropped. A line longer than `maxLineChars` UTF-16 code units (its `\n` not
 * counted) ends the reading with an `overflow` item, wherever it is, the last unterminated
 * line included. The last line, when it has no line end, is returned trimmed and marked
 * unterminated, only if `readsLastLine` (the body ended; an open body never hands it over).
 * @param {Uint8Array} body
 * @returns {NdjsonItem[]}
 */
export function readNdjsonLines(body, { maxLineChars = DEFAULT_MAX_EVENT_BYTES, readsLastLine }) {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(body);
  const pieces = text.split('\n');
  const last = pieces.pop() ?? '';
  const items = [];
  const overflow = { overflow: `a line of more than ${maxLineChars} characters` };
  for (const piece of pieces) {
    if (piece.length > maxLineChars) return [...items, overflow];
    if (!isBlank(piece)) items.push({ text: piece, terminated: true });
  }
  if (last.length > maxLineChars) return [...items, overflow];
  if (readsLastLine && !isBlank(last)) items.push({ text: last.trim(), terminated: false });
  return items;
}

/**
 * The generated text of a line's `message`: `content` (answer), `thinking` (reasoning), and
 * every `tool_calls[].function.arguments` (tool text: a string as is, any other value as its
 * JSON). Members of another type carry nothing.
 */
export function messageText(message) {
  const text = { answer: '', reasoning: '', tool: '' };
  if (!isPlainObject(message)) return text;
  if (typeof message.content === 'string') text.answer = message.content;
  if (typeof message.thinking === 'string') text.reasoning = message.thinking;
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isPlainObject(call) || !isPlainObject(call.function)) continue;
      const args = call.function.arguments;
      if (typeof args === 'string') text.tool += args;
      else if (args !== undefined && args !== null) text.tool += JSON.stringify(args);
    }
  }
  return text;
}

/** Why the counts of a done line must be ignored, or undefined when they are usable. */
export function usageProblem(doneLine) {
  return countsProblem(
    Object.fromEntries(
      ['eval_count', 'prompt_eval_count'].map((field) => [field, doneLine[field]]),
    ),
  );
}

/**
 * The outcome llm-lens must report for a streaming `/api/chat` request answered with
 * `bytes`, after which the server left the connection as `ending` says. Same Outcome shape
 * as openai-chat.mjs.
 * @param {{ bytes: Buffer, ending: import('../http-reference.mjs').Ending, maxEventBytes?: number }} served
 * @returns {import('./openai-chat.mjs').Outcome}
 */
export function referenceOutcome({ bytes, ending, maxEventBytes = DEFAULT_MAX_EVENT_BYTES }) {
  const response = readStreamingResponse(bytes, ending);
  if (response.outcome !== undefined) return response.outcome;
  const { http, mediaType } = response;
  // The body ended as a body ends: its declared end, or a close-delimited body's end of
  // connection. Otherwise the connection was cut (or the chunk framing broke) mid-body.
  const isCleanEnd =
    http.bodyEnd === 'complete' || (http.bodyEnd === 'eof' && isCloseDelimited(http));
  const items = readNdjsonLines(http.body, {
    maxLineChars: maxEventBytes,
    readsLastLine: http.bodyEnd !== 'open',
  });

  let protocolError;
  let firstError;
  let sawDone = false;
  // Lines that told the client something: a token or an error (the done line ends it all).
  let informativeLines = 0;
  let tokenEvents = 0;
  let answer = '';
  let reasoning = '';
  let tool = '';
  let outputTokens;
  let usageIgnored;

  for (const item of items) {
    if ('overflow' in item) {
      protocolError = item.overflow;
      break;
    }
    let payload;
    try {
      payload = JSON.parse(item.text);
    } catch {
      // A last line without its line end that does not parse is a cut line: dropped.
      if (!item.terminated) break;
      protocolError = `malformed JSON ${snippet(item.text)}`;
      break;
    }
    if (!isPlainObject(payload)) {
      // When the connection was cut, the unterminated rest is read only for a done or
      // error line that arrived whole; anything else there is the fragment of a cut line.
      if (!item.terminated && !isCleanEnd) break;
      protocolError = `a line that is not a JSON object ${snippet(item.text)}`;
      break;
    }
    if (payload.error !== undefined && payload.error !== null) {
      informativeLines++;
      firstError ??= { reason: `an error line ${snippet(item.text)}` };
      continue;
    }
    const text = messageText(payload.message);
    if (text.answer.length > 0 || text.reasoning.length > 0 || text.tool.length > 0) {
      informativeLines++;
      tokenEvents++;
      answer += text.answer;
      reasoning += text.reasoning;
      tool += text.tool;
    }
    if (payload.done === true) {
      sawDone = true;
      const problem = usageProblem(payload);
      if (problem !== undefined) usageIgnored = problem;
      else if (typeof payload.eval_count === 'number') outputTokens = payload.eval_count;
      break;
    }
  }

  if (protocolError !== undefined) return { errorClass: 'protocol', reason: protocolError };
  if (firstError !== undefined) return { errorClass: 'server_error', reason: firstError.reason };
  if (!sawDone) {
    if (http.bodyEnd === 'open') {
      return { errorClass: 'timeout_total', reason: 'the body neither ends nor reaches done' };
    }
    if (http.bodyEnd === 'framing') {
      return { errorClass: 'protocol', reason: `broken chunk framing: ${http.framingError}` };
    }
    if (!isCleanEnd) {
      return { errorClass: 'stream_interrupted', reason: 'the connection was cut before done' };
    }
    const encodingOutcome = unrequestedEncoding(http);
    if (encodingOutcome !== undefined) return encodingOutcome;
    if (informativeLines === 0 && mediaType !== NDJSON_TYPE) {
      return {
        errorClass: 'protocol',
        reason: `expected ${NDJSON_TYPE}, got ${mediaType || 'no Content-Type'}`,
      };
    }
    return { errorClass: 'stream_interrupted', reason: 'the body ended without a done line' };
  }

  return okOutcome({
    reason: 'done line seen',
    tokenEvents,
    outputTokens,
    usageIgnored,
    texts: [answer, reasoning, tool],
  });
}

// ---------------------------------------------------------------------------------------
// Valid base streams
// ---------------------------------------------------------------------------------------

// Text pieces: ASCII, 2-, 3- and 4-byte UTF-8, a ZWJ sequence, characters Go's encoder
// escapes (<, >, &, U+2028), JSON-escaped characters and text that looks like NDJSON.
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
  ' <b>&amp;</b>',
  ' a\u2028b',
  ' {"done":true}',
  '\r\n',
  ' }{',
  '.',
];
const THINKING_PIECES = ['Hmm,', ' the tide', ' turns at', ' 04:12', ' — so', ' wait.', ' 潮'];
const TOOL_ARGUMENTS = [
  { city: 'Zürich', unit: 'celsius' },
  { port: 'Kiel' },
  {},
  { query: '東京 weather', days: 3 },
  { list: [1, 2, { deep: true }] },
];
const MODELS = ['fuzz-model', 'llama3.2', 'qwen3:8b', 'gpt-oss:20b'];
const STREAM_ERRORS = [
  'an error was encountered while running the model: unexpected EOF',
  'llama runner process has terminated: exit status 2',
  'model requires more system memory (12.0 GiB) than is available (8.0 GiB)',
  'context canceled',
];

/** JSON text as Go's encoding/json writes it: <, >, &, U+2028 and U+2029 escaped. */
function goJson(value) {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** JSON text with every non-ASCII character escaped as \uXXXX. */

/** Ollama's timestamp: RFC 3339 with nanoseconds. */
function createdAt(base, step) {
  const ms = base + step * 33;
  const nanos = String((step * 7919) % 1_000_000).padStart(6, '0');
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, `.$1${nanos}Z`);
}

/**
 * Where the structure of an NDJSON body is, in bytes, read back from the body itself (so a
 * structural mutation only has to rebuild the body): each non-blank line's JSON, line
 * starts, CRLF line ends, offsets inside multi-byte characters, and the first done line.
 * @param {Buffer} body
 */
export function scanMarks(body) {
  const marks = {
    /** [start, end) of each non-blank line, its line end not included. */
    lines: [],
    /** Offsets where a line starts, the first excepted. */
    boundaries: [],
    /** Offsets of the `\n` of each CRLF. */
    crlf: [],
    /** Offsets strictly inside a multi-byte UTF-8 character. */
    multibyte: [],
    /** The first line that is a done line: its start, the end of its JSON, its end. */
    done: undefined,
  };
  let start = 0;
  while (start < body.length) {
    const lf = body.indexOf(0x0a, start);
    const lineEnd = lf === -1 ? body.length : lf;
    const jsonEnd = lineEnd > start && body[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd;
    if (lf !== -1 && jsonEnd !== lineEnd) marks.crlf.push(lf);
    const text = body.subarray(start, jsonEnd).toString('utf8');
    if (!isBlank(text)) {
      marks.lines.push([start, jsonEnd]);
      if (marks.done === undefined) {
        try {
          const payload = JSON.parse(text);
          if (isPlainObject(payload) && payload.done === true && payload.error == null) {
            marks.done = { start, jsonEnd, end: lf === -1 ? lineEnd : lf + 1 };
          }
        } catch {
          // Not a line a done mark can point at.
        }
      }
    }
    start = lf === -1 ? body.length : lf + 1;
    if (start < body.length) marks.boundaries.push(start);
  }
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    const size = byte >= 0xf0 && byte < 0xf8 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    if (size === 1 || byte >= 0xf8) continue;
    let whole = i + size <= body.length;
    for (let k = 1; whole && k < size; k++) whole = (body[i + k] & 0xc0) === 0x80;
    if (!whole) continue;
    for (let k = 1; k < size; k++) marks.multibyte.push(i + k);
    i += size - 1;
  }
  return marks;
}

/**
 * A valid stream as Ollama sends it: `done: false` lines with the model, a timestamp and one
 * piece of the message (thinking first when the model thinks, then content; a tool call
 * whole on one line; now and then an empty line of nothing), then the `done: true` line with
 * the stop reason, the counts and the durations in nanoseconds; or, now and then, an error
 * line instead of the end. Line ends LF, or CRLF behind a proxy; blank lines now and then;
 * the last line end sometimes missing.
 * @param {import('../prng.mjs').Rng} rng
 */
export function buildBaseStream(rng) {
  const lineEnd = rng.weighted({ '\n': 88, '\r\n': 12 });
  const encode = rng.weighted({ go: 60, plain: 30, ascii: 10 });
  const toJson = encode === 'go' ? goJson : encode === 'ascii' ? asciiJson : JSON.stringify;
  const blankRate = rng.chance(0.06) ? 0.2 : 0;
  const finalLineEnd = rng.chance(0.9);
  const model = rng.pick(MODELS);
  const clock = Date.UTC(2026, 11, 2, 10, rng.int(0, 59), rng.int(0, 59));
  const hasThinking = rng.chance(0.35);
  const hasTool = rng.chance(0.2);
  const endsWithError = rng.chance(0.05);
  let step = 0;
  let evalCount = 0;
  const lines = [];
  const emit = (fields) => {
    lines.push(toJson({ model, created_at: createdAt(clock, step++), ...fields }));
    if (rng.chance(blankRate)) lines.push(rng.pick(['', ' ', '\t', '  ']));
  };
  const chunk = (message) => {
    evalCount += rng.int(1, 3);
    emit({ message: { role: 'assistant', ...message }, done: false });
  };

  if (rng.chance(0.1)) emit({ message: { role: 'assistant', content: '' }, done: false });
  if (hasThinking) {
    const count = rng.int(1, 10);
    for (let i = 0; i < count; i++)
      chunk({ content: '', thinking: textPiece(rng, THINKING_PIECES) });
  }
  const textCount = rng.int(hasTool ? 0 : 1, 16);
  for (let i = 0; i < textCount; i++) chunk({ content: textPiece(rng, PIECES) });
  if (hasTool) {
    const calls = Array.from({ length: rng.int(1, 2) }, (_, index) => ({
      ...(rng.chance(0.5) ? { id: `call_${rng.int(1000, 9999)}` } : {}),
      function: {
        ...(rng.chance(0.5) ? { index } : {}),
        name: 'get_weather',
        arguments: rng.pick(TOOL_ARGUMENTS),
      },
    }));
    chunk({ content: '', tool_calls: calls });
  }
  if (endsWithError) {
    lines.push(toJson({ error: rng.pick(STREAM_ERRORS) }));
  } else {
    const evalNs = evalCount * rng.int(15, 40) * 1e6;
    const promptNs = rng.int(5, 400) * 1e6;
    const loadNs = rng.chance(0.2) ? rng.int(500, 9000) * 1e6 : rng.int(1, 9) * 1e6;
    const counts = {};
    // Ollama leaves prompt_eval_count out when the whole prompt came from its cache.
    if (rng.chance(0.85)) counts.prompt_eval_count = rng.int(5, 3000);
    counts.prompt_eval_duration = promptNs;
    // A proxy that strips the count: the client must count the tokens itself.
    if (rng.chance(0.95)) counts.eval_count = evalCount;
    counts.eval_duration = evalNs;
    emit({
      message: { role: 'assistant', content: '' },
      done_reason: hasTool ? 'stop' : rng.pick(['stop', 'stop', 'length']),
      done: true,
      total_duration: evalNs + promptNs + loadNs,
      load_duration: loadNs,
      ...counts,
    });
    // A blank line after the done line is not a line.
    while (lines.at(-1).trim() === '') lines.pop();
  }
  let text = lines.join(lineEnd);
  if (finalLineEnd) text += lineEnd;
  const body = Buffer.from(text, 'utf8');
  return { body, marks: scanMarks(body), lineEnd };
}

// ---------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------

/** A base with a new body, its marks read back from it. */
const rebuilt = (base, body) => ({ ...base, body, marks: scanMarks(body) });

/** The lines of `base` that parse as objects: { start, end, payload }. */
function objectLines(base) {
  const found = [];
  for (const [start, end] of base.marks.lines) {
    try {
      const payload = JSON.parse(base.body.subarray(start, end).toString('utf8'));
      if (isPlainObject(payload)) found.push({ start, end, payload });
    } catch {
      // Not an object line.
    }
  }
  return found;
}

function replaceBytes(base, start, end, text) {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  return rebuilt(
    base,
    Buffer.concat([base.body.subarray(0, start), bytes, base.body.subarray(end)]),
  );
}

/** A line start of `base` (0 and the end of the body included) to insert a line at. */
function lineStart(rng, base) {
  return rng.pick([0, ...base.marks.boundaries, base.body.length]);
}

/** Inserts `line` (its line end added) at a line start, or after an unterminated last line. */
function insertLine(rng, base, line, at = lineStart(rng, base)) {
  const lineEnd = base.lineEnd ?? '\n';
  const needsBreak = at === base.body.length && at > 0 && base.body[at - 1] !== 0x0a;
  return {
    base: replaceBytes(base, at, at, `${needsBreak ? lineEnd : ''}${line}${lineEnd}`),
    at,
  };
}

const NON_JSON_LINES = [
  'OK',
  'data: {"done":true}',
  '<html><body><h1>502 Bad Gateway</h1></body></html>',
  ': keep-alive',
  'event: ping',
  '{"done":true',
  '}',
  "{'done': true}",
  '{"done":true}}',
  '{"done":tru}',
  '{"message":{"content":"x"},"done":false,}',
  'NaN',
  '\u00a0{"done":true}',
  '\ufeff{"done":true}',
];
const NON_OBJECT_LINES = ['[]', '42', '"done"', 'null', 'true', '[{"done":true}]', '-0', '1e999'];
const ERROR_LINES = [
  '{"error":"an error was encountered while running the model: unexpected EOF"}',
  '{"error":{"message":"upstream overloaded","type":"overloaded"}}',
  '{"error":""}',
  '{"error":0}',
  '{"error":false}',
  '{"error":{}}',
  '{"error":"boom","done":true}',
  '{"error":null,"message":{"role":"assistant","content":"kept"},"done":false}',
  '{"error":null}',
];

/** A content of `chars` characters: words, or now and then one word longer than the cap. */
function hugeText(rng, chars) {
  if (rng.chance(0.2)) return 'x'.repeat(chars);
  let text = '';
  while (text.length < chars) text += `${rng.pick(['lorem', 'ipsum', 'dolor', 'café', '中文'])} `;
  return text.slice(0, chars);
}

/**
 * Structural mutations of the NDJSON framing: lines joined and split, line ends changed,
 * blank lines, the done line misplaced, lines that are not JSON or not objects, error
 * lines, huge lines. Each returns `{ base, description }`, or undefined when it cannot apply.
 */
const LINE_OPS = {
  'two objects on one line': (rng, base) => {
    const { lines } = base.marks;
    if (lines.length < 2) return undefined;
    const index = rng.int(0, lines.length - 2);
    const [, end] = lines[index];
    const [nextStart] = lines[index + 1];
    const glue = rng.pick(['', ' ', '\t', '\r']);
    return {
      base: replaceBytes(base, end, nextStart, glue),
      description: `join line ${index} to the next with ${JSON.stringify(glue)}`,
    };
  },
  'one object over two lines': (rng, base) => {
    const [start, end] = rng.pick(base.marks.lines);
    if (end - start < 2) return undefined;
    const at = rng.int(start + 1, end - 1);
    const lineEnd = rng.pick(['\n', '\r\n', base.lineEnd ?? '\n']);
    return {
      base: replaceBytes(base, at, at, lineEnd),
      description: `split the line at ${start} with a line end at ${at}`,
    };
  },
  'CRLF line ends': (_, base) => ({
    base: rebuilt(
      base,
      Buffer.from(base.body.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1'),
    ),
    description: 'every line end CRLF',
  }),
  'lone CR line ends': (rng, base) => {
    const all = rng.chance(0.5);
    let seen = 0;
    const target = rng.int(0, Math.max(0, base.marks.boundaries.length - 1));
    const body = base.body
      .toString('latin1')
      .replace(/\r?\n/g, (match) => (all || seen++ === target ? '\r' : match));
    return {
      base: rebuilt(base, Buffer.from(body, 'latin1')),
      description: all ? 'every line end a lone CR' : `line end ${target} a lone CR`,
    };
  },
  'blank lines': (rng, base) => {
    const at = lineStart(rng, base);
    const blank = rng.pick(['\n', '\r\n', '\n\n', '   \n', '\t\r\n', ' \u00a0\n', '\u000b\n']);
    return {
      base: replaceBytes(base, at, at, blank),
      description: `insert the blank line ${JSON.stringify(blank)} at ${at}`,
    };
  },
  'done line twice': (rng, base) => {
    const done = base.marks.done;
    if (done === undefined) return undefined;
    const line = base.body.subarray(done.start, done.jsonEnd).toString('utf8');
    const inserted = insertLine(rng, base, line);
    return { base: inserted.base, description: `repeat the done line at ${inserted.at}` };
  },
  'done line early': (rng, base) => {
    const done = base.marks.done;
    const line =
      done === undefined || rng.chance(0.3)
        ? rng.pick([
            '{"done":true}',
            '{"model":"m","message":{"role":"assistant","content":"early"},"done":true,"eval_count":2}',
            '{"done":true,"done_reason":"load","eval_count":0}',
          ])
        : base.body.subarray(done.start, done.jsonEnd).toString('utf8');
    const boundaries = base.marks.boundaries.filter((at) => done === undefined || at < done.start);
    const at = boundaries.length > 0 ? rng.pick([0, ...boundaries]) : 0;
    const inserted = insertLine(rng, base, line, at);
    return { base: inserted.base, description: `a done line early at ${at}: ${clip(line)}` };
  },
  'done line removed': (_, base) => {
    const done = base.marks.done;
    if (done === undefined) return undefined;
    return {
      base: replaceBytes(base, done.start, done.end, ''),
      description: `remove the done line at ${done.start}`,
    };
  },
  'done line moved': (rng, base) => {
    const done = base.marks.done;
    if (done === undefined || base.marks.lines.length < 2) return undefined;
    const line = base.body.subarray(done.start, done.jsonEnd).toString('utf8');
    const without = replaceBytes(base, done.start, done.end, '');
    const inserted = insertLine(rng, without, line);
    return { base: inserted.base, description: `move the done line to ${inserted.at}` };
  },
  'last line end removed': (_, base) => {
    let end = base.body.length;
    while (end > 0 && (base.body[end - 1] === 0x0a || base.body[end - 1] === 0x0d)) end--;
    if (end === base.body.length) return undefined;
    return {
      base: rebuilt(base, base.body.subarray(0, end)),
      description: 'remove the line end after the last line',
    };
  },
  'a line that is not JSON': (rng, base) => {
    const line = rng.chance(0.85)
      ? rng.pick(NON_JSON_LINES)
      : rng.bytes(rng.int(1, 12)).toString('latin1').replace(/\n/g, ' ');
    const inserted = insertLine(rng, base, line);
    return {
      base: inserted.base,
      description: `insert the line ${JSON.stringify(line)} at ${inserted.at}`,
    };
  },
  'a line that is not an object': (rng, base) => {
    const line = rng.pick(NON_OBJECT_LINES);
    const inserted = insertLine(rng, base, line);
    return { base: inserted.base, description: `insert the line ${line} at ${inserted.at}` };
  },
  'an error line': (rng, base) => {
    const line = rng.pick(ERROR_LINES);
    const inserted = insertLine(rng, base, line);
    return { base: inserted.base, description: `insert the line ${line} at ${inserted.at}` };
  },
  'a huge line': (rng, base) => {
    const chars = rng.pick([20_000, 70_000, 150_000, 300_000]);
    const content = hugeText(rng, chars);
    const line = JSON.stringify({
      model: 'fuzz-model',
      message: { role: 'assistant', [rng.chance(0.8) ? 'content' : 'thinking']: content },
      done: false,
    });
    const inserted = insertLine(rng, base, line);
    return {
      base: inserted.base,
      description: `insert a line of ${line.length} characters at ${inserted.at}`,
    };
  },
  'two lines swapped': (rng, base) => {
    const { lines } = base.marks;
    if (lines.length < 2) return undefined;
    const index = rng.int(0, lines.length - 2);
    const [aStart, aEnd] = lines[index];
    const [bStart, bEnd] = lines[index + 1];
    const body = Buffer.concat([
      base.body.subarray(0, aStart),
      base.body.subarray(bStart, bEnd),
      base.body.subarray(aEnd, bStart),
      base.body.subarray(aStart, aEnd),
      base.body.subarray(bEnd),
    ]);
    return { base: rebuilt(base, body), description: `swap lines ${index} and ${index + 1}` };
  },
};

// Values a token count must be refused for, and a few it must be accepted for (0, 1e9, null).
const COUNT_VALUES = [1e300, 1e20, 2 ** 53, 26.5, -1, '12', true, [], {}, null, 0, 1e9, 1e9 + 1];
const DURATION_VALUES = [-1, 1e300, '5', null, 2 ** 64, 0.5, {}];
const COUNT_FIELDS = ['eval_count', 'prompt_eval_count'];
const DURATION_FIELDS = [
  'total_duration',
  'load_duration',
  'prompt_eval_duration',
  'eval_duration',
];
const TEXT_VALUES = [42, null, [], { text: 'a' }, true, ['a'], '', 'x'];
const DONE_VALUES = ['true', 1, null, false, 'false', {}, [true], 0];
const TOOL_CALLS = [
  null,
  {},
  'get_weather',
  [null],
  [{ function: null }],
  [{ function: 'get_weather' }],
  [{ function: { name: 'f', arguments: '{"a":1}' } }],
  [{ function: { name: 'f', arguments: { a: 'ü' } } }],
  [{ function: { name: 'f', arguments: null } }],
  [{ function: { name: 'f', arguments: [1, 2] } }],
  [{ function: { name: 'f', arguments: 0 } }],
  [{ function: { name: 'f', arguments: false } }],
  [{ function: { name: 'f', arguments: '' } }],
  [{ function: { name: 'f' } }],
  [[{ function: { arguments: 'x' } }]],
];

// Returned by a rewrite that swaps the whole line for one of NON_OBJECT_LINES.
const REPLACE_WITH_NON_OBJECT = Symbol('not an object');

function messageOf(payload) {
  if (!isPlainObject(payload.message)) payload.message = { role: 'assistant' };
  return payload.message;
}

/**
 * Rewrites of one line's object that keep it valid JSON but change what it means: `done`
 * misplaced or not a boolean, counts that are not token counts, texts that are not strings,
 * thinking and content together, odd tool calls, error members.
 */
const PAYLOAD_REWRITES = {
  'done true on a done:false line': (_, payload) => {
    payload.done = true;
  },
  'done not a boolean': (rng, payload) => {
    payload.done = rng.pick(DONE_VALUES);
  },
  'done removed': (_, payload) => {
    delete payload.done;
  },
  'a count that is not a token count': (rng, payload) => {
    payload[rng.pick(COUNT_FIELDS)] = rng.pick(COUNT_VALUES);
    if (rng.chance(0.3)) payload[rng.pick(COUNT_FIELDS)] = rng.pick(COUNT_VALUES);
  },
  'counts removed': (rng, payload) => {
    delete payload[rng.pick(COUNT_FIELDS)];
    if (rng.chance(0.5)) delete payload[rng.pick(COUNT_FIELDS)];
  },
  'odd durations': (rng, payload) => {
    payload[rng.pick(DURATION_FIELDS)] = rng.pick(DURATION_VALUES);
    payload[rng.pick(DURATION_FIELDS)] = rng.pick(DURATION_VALUES);
  },
  'content not a string': (rng, payload) => {
    messageOf(payload).content = rng.pick(TEXT_VALUES);
  },
  'thinking not a string': (rng, payload) => {
    messageOf(payload).thinking = rng.pick(TEXT_VALUES);
  },
  'thinking and content together': (rng, payload) => {
    const message = messageOf(payload);
    message.thinking = textPiece(rng, THINKING_PIECES);
    message.content = rng.chance(0.7) ? textPiece(rng, PIECES) : '';
  },
  'message not an object': (rng, payload) => {
    payload.message = rng.pick([null, 'text', [], 7, [{ content: 'x' }]]);
  },
  'message removed': (_, payload) => {
    delete payload.message;
  },
  'odd tool calls': (rng, payload) => {
    messageOf(payload).tool_calls = rng.pick(TOOL_CALLS);
  },
  'an error member': (rng, payload) => {
    payload.error = rng.pick(['boom', { message: 'm' }, null, '', 0, false, {}, []]);
  },
  'a lone surrogate in the text': (rng, payload) => {
    messageOf(payload)[rng.pick(['content', 'thinking'])] = rng.pick([
      '\ud800',
      'a\udc00b',
      '\ud83e',
    ]);
  },
  'not an object at all': () => REPLACE_WITH_NON_OBJECT,
};
const DONE_REWRITES = new Set([
  'done not a boolean',
  'done removed',
  'a count that is not a token count',
  'counts removed',
  'odd durations',
]);

/** Rewrites one object line; a rewrite of the done line's fields mostly lands on it. */
function rewriteLine(rng, base) {
  const name = rng.pick(Object.keys(PAYLOAD_REWRITES));
  const lines = objectLines(base);
  if (lines.length === 0) return undefined;
  const doneLines = lines.filter(({ payload }) => payload.done === true);
  const pool =
    DONE_REWRITES.has(name) && doneLines.length > 0 && rng.chance(0.8) ? doneLines : lines;
  const { start, end, payload } = rng.pick(pool);
  const replaced =
    PAYLOAD_REWRITES[name](rng, payload) === REPLACE_WITH_NON_OBJECT
      ? rng.pick(NON_OBJECT_LINES)
      : JSON.stringify(payload);
  return {
    base: replaceBytes(base, start, end, replaced),
    description: `rewrite the line at ${start}: ${name} (${clip(replaced)})`,
  };
}

/** Where a truncation can land, by the part of the stream it cuts into. */
const TRUNCATION_CLASSES = {
  "inside a line's JSON": 20,
  'between lines': 14,
  'between CR and LF': 6,
  'inside a multi-byte character': 12,
  'just before the done line': 10,
  'inside the done line': 14,
  'after the done JSON, before its line end': 14,
  anywhere: 10,
};

function truncationOffset(rng, base, label) {
  const { marks, body } = base;
  const done = marks.done;
  switch (label) {
    case "inside a line's JSON": {
      const [start, end] = rng.pick(marks.lines);
      return end - start < 2 ? undefined : rng.int(start + 1, end - 1);
    }
    case 'between lines':
      return marks.boundaries.length > 0 ? rng.pick(marks.boundaries) : undefined;
    case 'between CR and LF':
      return marks.crlf.length > 0 ? rng.pick(marks.crlf) : undefined;
    case 'inside a multi-byte character':
      return marks.multibyte.length > 0 ? rng.pick(marks.multibyte) : undefined;
    case 'just before the done line':
      return done?.start;
    case 'inside the done line':
      return done === undefined ? undefined : rng.int(done.start + 1, done.jsonEnd - 1);
    case 'after the done JSON, before its line end':
      return done !== undefined && done.jsonEnd < body.length ? done.jsonEnd : undefined;
    default:
      return rng.int(1, body.length - 1);
  }
}

/** An offset worth mutating at: anywhere, a line start or end, JSON, the done line. */
function mutationOffset(rng, base, length) {
  const { marks } = base;
  const where = rng.weighted({ anywhere: 55, boundary: 15, json: 15, done: 15 });
  let offset;
  if (where === 'boundary' && marks.boundaries.length > 0)
    offset = rng.pick(marks.boundaries) - rng.int(0, 2);
  else if (where === 'json' && marks.lines.length > 0) {
    const [start, end] = rng.pick(marks.lines);
    offset = rng.int(start, end);
  } else if (where === 'done' && marks.done !== undefined)
    offset = rng.int(marks.done.start, marks.done.end);
  else offset = rng.int(0, length - 1);
  return Math.max(0, Math.min(length - 1, offset));
}

/**
 * Now and then one or two structural mutations of the NDJSON framing or rewrites of a line's
 * meaning, then (sometimes) a truncation, then one to three byte mutations of what is left.
 * Returns the mutated body and, when truncated, the bytes the server would have sent after
 * the cut (so a framing can declare the full length and then cut the connection).
 * @param {import('../prng.mjs').Rng} rng
 * @param {ReturnType<typeof buildBaseStream>} original
 */
export function mutateStream(rng, original) {
  const steps = [];
  let base = original;
  if (rng.chance(0.5)) {
    const count = rng.chance(0.25) ? 2 : 1;
    for (let i = 0; i < count; i++) {
      const changed = rng.chance(0.55)
        ? LINE_OPS[rng.pick(Object.keys(LINE_OPS))](rng, base)
        : rewriteLine(rng, base);
      if (changed === undefined || changed.base.body.length === 0) continue;
      base = changed.base;
      steps.push(changed.description);
    }
  }
  let body = base.body;
  let tail = Buffer.alloc(0);
  if (rng.chance(0.3) && body.length > 1) {
    ({ body, tail } = cutAtMarkedPlace(rng, body, steps, TRUNCATION_CLASSES, (label) =>
      truncationOffset(rng, base, label),
    ));
  }
  // A structural change or a cut is a mutation already: more often left alone, so its own
  // effect shows.
  const count = byteOperatorCount(rng, body, { 0: steps.length > 0 ? 50 : 6, 1: 62, 2: 20, 3: 10 });
  body = applyByteOperators(rng, body, count, steps, {
    offsetFor: (length) => mutationOffset(rng, base, length),
  });
  return mutatedStream(body, tail, steps);
}

// ---------------------------------------------------------------------------------------
// Edge cases
// ---------------------------------------------------------------------------------------

const NDJSON_HEADERS = [['Content-Type', NDJSON_TYPE]];

const line = (fields) =>
  `${JSON.stringify({ model: 'fuzz-model', created_at: '2026-12-02T10:00:00.123456789Z', ...fields })}\n`;
const chunkLine = (message) => line({ message: { role: 'assistant', ...message }, done: false });
const text = (content) => chunkLine({ content });
const think = (thinking) => chunkLine({ content: '', thinking });
const COUNTS = { prompt_eval_count: 9, eval_count: 9 };
const doneLine = (counts = COUNTS, message = { role: 'assistant', content: '' }) =>
  line({
    message,
    done_reason: 'stop',
    done: true,
    total_duration: 412_000_000,
    load_duration: 2_500_000,
    prompt_eval_duration: 180_000_000,
    eval_duration: 225_000_000,
    ...counts,
  });
const DONE = doneLine();
/** Three text lines, 9 output tokens by the server's count. */
const TEXT = text('The pilot') + text(' took the helm') + text(' at dawn.');
const validBody = () => TEXT + DONE;
const ndjsonResponse = (body, framing = 'length', headers = NDJSON_HEADERS) =>
  buildResponse(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), { headers, framing });
const errorResponse = (status, error, extraHeaders = []) =>
  buildResponse(Buffer.from(JSON.stringify({ error })), {
    status,
    headers: [['Content-Type', 'application/json; charset=utf-8'], ...extraHeaders],
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
    (body, ending = 'keep', framing = 'length', headers = NDJSON_HEADERS) =>
    () => ({ bytes: ndjsonResponse(body, framing, headers), ending });

  // Sound streams.
  add('text-lines', 'ok', stream(validBody()), { tokenEvents: 3 });
  add(
    'thinking-then-content',
    'ok',
    stream(
      chunkLine({ content: '' }) +
        think('Tides first,') +
        think(' then wind.') +
        text('Wait for') +
        text(' the tide.') +
        doneLine({ prompt_eval_count: 12, eval_count: 14 }),
    ),
    { tokenEvents: 4 },
  );
  add(
    'thinking-and-content-on-one-line',
    'ok',
    stream(chunkLine({ content: 'Ebb.', thinking: 'Low water.' }) + DONE),
    { tokenEvents: 1 },
  );
  add(
    'tool-call-whole-on-one-line',
    'ok',
    stream(
      chunkLine({
        content: '',
        tool_calls: [
          { function: { name: 'tide', arguments: { port: 'Kiel', days: 2 } } },
          { function: { name: 'wind', arguments: '{"port":"Kiel"}' } },
        ],
      }) + doneLine({ prompt_eval_count: 40, eval_count: 22 }),
    ),
    { tokenEvents: 1 },
  );
  add(
    'empty-lines-are-not-tokens',
    'ok',
    stream(
      text('') +
        think('') +
        chunkLine({}) +
        line({ done: false }) +
        text('x') +
        chunkLine({ content: '', tool_calls: [] }) +
        DONE,
    ),
    { tokenEvents: 1 },
  );
  add(
    'done-line-carries-text',
    'ok',
    stream(text('Most') + doneLine(COUNTS, { role: 'assistant', content: ' of it.' })),
    { tokenEvents: 2 },
  );
  add('nothing-generated', 'ok', stream(doneLine({ prompt_eval_count: 9, eval_count: 0 })), {
    tokenEvents: 0,
  });
  add(
    'no-eval-count-counted-by-tokenizer',
    'ok',
    stream(TEXT + doneLine({ prompt_eval_count: 9 })),
    { tokenEvents: 3 },
  );
  add('cached-prompt-no-prompt-eval-count', 'ok', stream(TEXT + doneLine({ eval_count: 9 })), {
    tokenEvents: 3,
  });
  add(
    'go-escapes-and-unicode-escapes',
    'ok',
    stream(
      `${goJson({ model: 'm', message: { role: 'assistant', content: '<b>&</b>' }, done: false })}\n` +
        `{"model":"m","message":{"role":"assistant","content":"\\ud83e\\udd80 caf\\u00e9"},"done":false}\n${DONE}`,
    ),
    { tokenEvents: 2 },
  );
  add('minimal-done-line', 'ok', stream(`${TEXT}{"done":true}\n`), { tokenEvents: 3 });
  add(
    'content-type-json-with-charset',
    'ok',
    stream(validBody(), 'chunked', [['Content-Type', 'application/json; charset=utf-8']]),
    { tokenEvents: 3 },
  );

  // Lines and line ends.
  add('crlf-line-ends', 'ok', stream(validBody().replaceAll('\n', '\r\n'), 'keep', 'chunked'), {
    tokenEvents: 3,
  });
  add(
    'blank-and-whitespace-lines',
    'ok',
    stream(`\n\r\n${text('a')}   \n\t\r\n${text('b')}\n\n${DONE}\n\n`),
    { tokenEvents: 2 },
  );
  add('padded-json', 'ok', stream(validBody().replace(/^(.*)$/gm, '  $1 \t')), {
    tokenEvents: 3,
  });
  add('two-objects-on-one-line', 'protocol', stream(TEXT.replace('}\n{', '}{') + DONE));
  add(
    'two-objects-on-one-line-with-a-space',
    'protocol',
    stream(TEXT.replace('}\n{', '} {') + DONE),
  );
  add(
    'one-object-over-two-lines',
    'protocol',
    stream(text('a') + text('b').replace('"message":', '"message":\n') + DONE),
  );
  add('lone-cr-line-ends', 'protocol', stream(`${validBody().replaceAll('\n', '\r')}\n`));
  // Without a single \n the whole body is one unterminated line that does not parse.
  add(
    'lone-cr-line-ends-no-lf-at-all',
    'stream_interrupted',
    stream(validBody().replaceAll('\n', '\r')),
  );
  add('bom-before-the-first-line', 'protocol', stream(`\ufeff${validBody()}`));
  add(
    'split-utf8-one-byte-writes',
    'ok',
    () => ({
      bytes: ndjsonResponse(
        text('中文 🦀 café') + think(' 👩‍💻 ∑') + text('Ωμέγα') + DONE,
        'chunked',
      ),
      ending: 'keep',
      writes: 'bytewise',
    }),
    { tokenEvents: 3 },
  );
  add(
    'invalid-utf8-in-content',
    'ok',
    stream(
      Buffer.concat([
        Buffer.from('{"message":{"role":"assistant","content":"a'),
        Buffer.from([0xff, 0xc3, 0x28, 0xe2, 0x82]),
        Buffer.from(`b"},"done":false}\n${DONE}`),
      ]),
    ),
    { tokenEvents: 1 },
  );

  // The done line: where it is, whether it is one.
  add('done-early', 'ok', stream(text('a') + DONE + text('b') + text('c') + DONE), {
    tokenEvents: 1,
  });
  add('done-twice', 'ok', stream(validBody() + doneLine({ eval_count: 500 })), {
    tokenEvents: 3,
  });
  add('done-missing-clean-close', 'stream_interrupted', stream(TEXT, 'close', 'close'));
  add('done-missing-complete-length', 'stream_interrupted', stream(TEXT));
  add(
    'done-as-string',
    'stream_interrupted',
    stream(TEXT + DONE.replace('"done":true', '"done":"true"')),
  );
  add('done-as-1', 'stream_interrupted', stream(TEXT + DONE.replace('"done":true', '"done":1')));
  add(
    'done-false-with-counts',
    'stream_interrupted',
    stream(TEXT + DONE.replace('"done":true', '"done":false')),
  );
  add(
    'done-line-cut-mid-json',
    'stream_interrupted',
    stream(TEXT + DONE.slice(0, 60), 'close', 'close'),
  );
  add('done-unterminated-clean-close', 'ok', stream(TEXT + DONE.trimEnd(), 'close', 'close'), {
    tokenEvents: 3,
  });
  add(
    'done-unterminated-then-reset-before-declared-length',
    'ok',
    () => ({
      bytes: buildResponse(Buffer.from(TEXT + DONE.trimEnd()), {
        headers: NDJSON_HEADERS,
        framing: 'length',
        declaredLength: Buffer.byteLength(TEXT + DONE) + 200,
      }),
      ending: 'reset',
    }),
    { tokenEvents: 3 },
  );
  add(
    'done-unterminated-with-crlf-and-spaces',
    'ok',
    stream(`${TEXT}  ${DONE.trimEnd()} \r`, 'close', 'close'),
    { tokenEvents: 3 },
  );
  add(
    'done-then-connection-kept-open',
    'ok',
    () => ({ bytes: ndjsonResponse(validBody(), 'close'), ending: 'open' }),
    { tokenEvents: 3, maxE2eMs: 2000 },
  );
  add(
    'done-then-reset-before-declared-length',
    'ok',
    () => ({
      bytes: buildResponse(Buffer.from(validBody()), {
        headers: NDJSON_HEADERS,
        framing: 'length',
        declaredLength: Buffer.byteLength(validBody()) + 300,
      }),
      ending: 'reset',
    }),
    { tokenEvents: 3 },
  );
  add(
    'done-then-chunked-never-terminated',
    'ok',
    () => ({
      bytes: Buffer.concat([
        responseHead(200, [...NDJSON_HEADERS, ['Transfer-Encoding', 'chunked']]),
        encodeChunked(Buffer.from(validBody()), [70], false).bytes,
      ]),
      ending: 'open',
    }),
    { tokenEvents: 3, maxE2eMs: 2000 },
  );
  add(
    'lines-and-garbage-after-done',
    'ok',
    (rng) => ({
      bytes: Buffer.concat([
        ndjsonResponse(`${validBody()}${text(' late')}{"error":"late"}\n{broken\n[]\n`, 'close'),
        rng.bytes(200),
      ]),
      ending: 'close',
    }),
    { tokenEvents: 3 },
  );
  add(
    'done-inside-proto-key-is-not-done',
    'stream_interrupted',
    stream(`${TEXT}{"__proto__":{"done":true},"message":{"content":""}}\n`),
  );

  // Lines that are not JSON objects.
  add('non-json-line', 'protocol', stream(`${text('a')}OK\n${DONE}`));
  add('sse-framed-line', 'protocol', stream(`data: ${text('a')}\n${DONE}`));
  add('array-line', 'protocol', stream(`${text('a')}[]\n${DONE}`));
  add('number-line', 'protocol', stream(`${text('a')}42\n${DONE}`));
  add('null-line', 'protocol', stream(`${text('a')}null\n${DONE}`));
  add('string-line', 'protocol', stream(`${text('a')}"done"\n${DONE}`));
  add('array-with-done-inside', 'protocol', stream(`${TEXT}[{"done":true}]\n`));
  add('malformed-line-then-done', 'protocol', stream(`${text('a')}{"message":\n${DONE}`));
  add(
    'unterminated-non-object-last-line-clean-close',
    'protocol',
    stream(`${TEXT}42`, 'close', 'close'),
  );
  add(
    'unterminated-non-object-last-line-reset-close-delimited',
    'protocol',
    stream(`${TEXT}42`, 'reset', 'close'),
  );
  add('unterminated-non-object-last-line-cut-before-declared-length', 'stream_interrupted', () => ({
    bytes: buildResponse(Buffer.from(`${TEXT}42`), {
      headers: NDJSON_HEADERS,
      framing: 'length',
      declaredLength: 4096,
    }),
    ending: 'close',
  }));
  add(
    'unterminated-malformed-last-line-clean-close',
    'stream_interrupted',
    stream(`${TEXT}{"done":tr`, 'close', 'close'),
  );
  add('vertical-tab-line-is-blank', 'ok', stream(`${text('a')}\u000b\n${DONE}`), {
    tokenEvents: 1,
  });

  // Errors the server reports in the stream.
  add(
    'error-line-mid-stream',
    'server_error',
    stream(
      `${text('a')}{"error":"an error was encountered while running the model: unexpected EOF"}\n`,
      'close',
      'close',
    ),
  );
  add('error-line-then-done', 'server_error', stream(`${text('a')}{"error":"boom"}\n${DONE}`));
  add('error-with-done-true', 'server_error', stream(`${text('a')}{"error":"x","done":true}\n`));
  add(
    'error-object-nested',
    'server_error',
    stream(`${text('a')}{"error":{"message":"upstream overloaded","type":"overloaded"}}\n`),
  );
  add('error-empty-string', 'server_error', stream(`${text('a')}{"error":""}\n${DONE}`));
  add('error-false', 'server_error', stream(`${text('a')}{"error":false}\n${DONE}`));
  add('error-null-is-no-error', 'ok', stream(`${text('a')}{"error":null}\n${DONE}`), {
    tokenEvents: 1,
  });
  add(
    'error-then-malformed-json',
    'protocol',
    stream(`${text('a')}{"error":"boom"}\n{oops\n${DONE}`),
  );
  add('error-only-200-json', 'server_error', () => ({
    bytes: buildResponse(Buffer.from('{"error":"model \\"fuzz-model\\" not found"}'), {
      headers: [['Content-Type', 'application/json; charset=utf-8']],
    }),
    ending: 'keep',
  }));
  add('error-unterminated-after-reset', 'server_error', () => ({
    bytes: buildResponse(Buffer.from(`${text('a')}{"error":"runner crashed"}`), {
      headers: NDJSON_HEADERS,
      framing: 'length',
      declaredLength: 4096,
    }),
    ending: 'reset',
  }));
  add(
    'error-message-2mb',
    'server_error',
    stream(`${text('a')}${JSON.stringify({ error: 'e'.repeat(2_000_000) })}\n`),
    { maxErrorMessageChars: 2000 },
  );

  // Counts that are not token counts.
  const absurd = (name, counts) =>
    add(name, 'ok', stream(TEXT + doneLine(counts)), { tokenEvents: 3, usageIgnored: true });
  absurd('eval-count-1e300', { prompt_eval_count: 9, eval_count: 1e300 });
  absurd('eval-count-negative', { prompt_eval_count: 9, eval_count: -1 });
  absurd('eval-count-string', { prompt_eval_count: 9, eval_count: '9' });
  absurd('eval-count-fractional', { prompt_eval_count: 9, eval_count: 8.5 });
  absurd('eval-count-over-1e9', { prompt_eval_count: 9, eval_count: 1e9 + 1 });
  absurd('prompt-eval-count-2pow53', { prompt_eval_count: 2 ** 53, eval_count: 9 });
  absurd('prompt-eval-count-object', { prompt_eval_count: {}, eval_count: 9 });
  add('eval-count-1e9-is-a-count', 'ok', stream(TEXT + doneLine({ eval_count: 1e9 })), {
    tokenEvents: 3,
  });
  add('eval-count-null', 'ok', stream(TEXT + doneLine({ eval_count: null })), {
    tokenEvents: 3,
  });
  add(
    'odd-durations',
    'ok',
    stream(
      TEXT +
        doneLine({
          ...COUNTS,
          total_duration: -1,
          load_duration: 1e300,
          prompt_eval_duration: '5',
          eval_duration: null,
        }),
    ),
    { tokenEvents: 3 },
  );
  add(
    'counts-on-a-done-false-line-are-ignored',
    'ok',
    stream(
      line({ message: { role: 'assistant', content: 'one two' }, done: false, eval_count: 77 }) +
        doneLine({}),
    ),
    { tokenEvents: 1 },
  );

  // Texts that are not strings, messages that are not objects.
  add(
    'content-and-thinking-not-strings',
    'ok',
    stream(
      chunkLine({ content: 42 }) +
        chunkLine({ content: null, thinking: ['a'] }) +
        chunkLine({ content: { text: 'x' }, thinking: true }) +
        line({ message: 'text', done: false }) +
        line({ message: ['a'], done: false }) +
        text('kept') +
        DONE,
    ),
    { tokenEvents: 1 },
  );
  add(
    'odd-tool-calls',
    'ok',
    stream(
      chunkLine({ content: '', tool_calls: {} }) +
        chunkLine({ content: '', tool_calls: [null, 'x', { function: null }] }) +
        chunkLine({ content: '', tool_calls: [{ function: { name: 'f', arguments: null } }] }) +
        chunkLine({ content: '', tool_calls: [{ function: { name: 'f', arguments: 0 } }] }) +
        chunkLine({ content: '', tool_calls: [{ function: { name: 'f', arguments: '' } }] }) +
        DONE,
    ),
    { tokenEvents: 1 },
  );

  // HTTP statuses with Ollama's error bodies, and bodies that are not NDJSON streams.
  add('status-404-model-not-found', 'client_error', () => ({
    bytes: errorResponse(404, 'model "fuzz-model" not found, try pulling it first'),
    ending: 'keep',
  }));
  add('status-404-go-plain', 'client_error', () => ({
    bytes: buildResponse(Buffer.from('404 page not found'), {
      status: 404,
      headers: [['Content-Type', 'text/plain; charset=utf-8']],
    }),
    ending: 'keep',
  }));
  add('status-400', 'client_error', () => ({
    bytes: errorResponse(400, 'invalid options: num_predict'),
    ending: 'keep',
  }));
  add('status-429-retry-after', 'rate_limited', () => ({
    bytes: errorResponse(429, 'too many requests', [['Retry-After', '2']]),
    ending: 'keep',
  }));
  add('status-401', 'auth', () => ({ bytes: errorResponse(401, 'unauthorized'), ending: 'keep' }));
  add('status-500', 'server_error', () => ({
    bytes: errorResponse(500, 'llama runner process has terminated: signal: killed'),
    ending: 'keep',
  }));
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
    'empty-200-text-plain',
    'protocol',
    () => ({
      bytes: buildResponse(Buffer.alloc(0), { headers: [['Content-Type', 'text/plain']] }),
      ending: 'keep',
    }),
    { messageIncludes: 'text/plain' },
  );
  add('empty-200-ndjson', 'stream_interrupted', stream(''));
  add(
    'only-empty-lines-text-plain',
    'protocol',
    stream(text(''), 'keep', 'length', [['Content-Type', 'text/plain']]),
  );
  add('gzip-stream', 'protocol', () => ({
    bytes: buildResponse(gzipSync(Buffer.from(validBody())), {
      headers: [...NDJSON_HEADERS, ['Content-Encoding', 'gzip']],
    }),
    ending: 'keep',
  }));

  // The size cap, lowered with --max-event-bytes, and a line that never ends.
  const words = (chars) => 'word '.repeat(Math.ceil(chars / 5)).slice(0, chars);
  add('max-event-bytes-line-over', 'protocol', stream(text(words(100_000)) + DONE), {
    maxEventBytes: 65_536,
  });
  add('max-event-bytes-under', 'ok', stream(text(words(60_000)) + DONE), {
    maxEventBytes: 65_536,
    tokenEvents: 1,
  });
  add(
    'max-event-bytes-unterminated-line-over',
    'protocol',
    stream(TEXT + words(100_000), 'close', 'close'),
    { maxEventBytes: 65_536 },
  );
  add(
    'endless-line-64mib',
    'protocol',
    () => ({
      // 64 MiB in 1 MiB writes with no line end: a client that buffers it shows in its RSS.
      bytes: Buffer.concat([
        responseHead(200, [...NDJSON_HEADERS, ['Connection', 'close']]),
        Buffer.from('{"message":{"role":"assistant","content":"', 'latin1'),
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

/** Ollama's native chat stream module. */
export const ollamaChat = {
  name: 'ollama',
  /** How the CLI is pointed at the hostile server: the server root; the adapter adds /api/chat. */
  cliArgs: (baseUrl) => ['-p', 'ollama', '--base-url', baseUrl, '-m', 'fuzz-model'],
  requestPath: '/api/chat',
  contentType: NDJSON_TYPE,
  buildBaseStream,
  mutateStream,
  edgeCases,
  referenceOutcome,
};
