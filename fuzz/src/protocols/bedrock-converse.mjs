/**
 * Amazon Bedrock's ConverseStream (`POST /model/{id}/converse-stream`), as the fuzz suite sees
 * it: binary `application/vnd.amazon.eventstream` frames, valid base streams, the mutations
 * worth making to them (checksums, length prefixes, headers, frames and payloads), hand-written
 * hostile responses, and the reference decoder that says what llm-lens must report. The frame
 * encoder and reader are written here from AWS's description of the framing and Bedrock's
 * ConverseStream API reference, never from the product's code or the codec it uses.
 *
 * The contract the reference encodes (`--protocol bedrock-converse`, `-p bedrock` through a
 * config file), where the documents leave a reading open:
 *
 * - Frames. A prelude is judged once its 12 bytes are in: a checksum that does not match, a
 *   total under 16 bytes, headers that do not fit, or a frame over the event cap
 *   (`--max-event-bytes`) is `protocol`, whether or not the rest ever comes. A whole frame:
 *   a message checksum that does not match, or a header that runs past the header section
 *   or has a type byte over 9, is `protocol`. A body that ends inside a frame is
 *   `stream_interrupted` (a timeout if the connection stays open).
 * - Headers. Only string headers are read; of a repeated name, the last. No `:message-type`
 *   is an event; one other than `event`, `exception` or `error` is `protocol`.
 *   `:content-type` is not read.
 * - Events. `contentBlockDelta` (`delta.text`, `delta.reasoningContent.text`,
 *   `delta.toolUse.input`: a non-empty string is text) and `metadata` must carry a JSON
 *   object, else `protocol`; the payloads of the other events are not read.
 * - End. `messageStop` is the end marker. The first `metadata` event after it gives its
 *   usage when it arrives whole and sound; nothing else after messageStop (deltas, exception
 *   frames, broken frames, a second metadata) changes the outcome, however the bytes are
 *   split into reads.
 * - Usage. A report whose `inputTokens`, `outputTokens`, `cacheReadInputTokens` or
 *   `cacheWriteInputTokens` is present and not a whole number from 0 to 1e9 is ignored whole
 *   (`totalTokens` is not read); output tokens: the last valid `outputTokens`, else the
 *   tokenizer as for OpenAI.
 * - Errors. Exception frames by `:exception-type`, error frames by `:error-code`, without
 *   case: throttling and service-quota → `rate_limited`, validation → `client_error`, model
 *   timeout → `timeout_total` (and the Anthropic names the adapter maps alike); any other
 *   type, none, or a name every JavaScript object has → `server_error`. The first decides,
 *   unless a protocol error follows. A non-2xx response: by its AWS error type
 *   (`x-amzn-errortype`, else the JSON body's `__type` or `code`), else by status.
 * - Not a stream. Without messageStop, a 2xx that is not
 *   `application/vnd.amazon.eventstream` and sent no token, usage, latency or error frame is
 *   `protocol`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, gzipSync } from 'node:zlib';
import { flipBit } from '../byte-mutations.mjs';
import { headerValue, readHttpResponse } from '../http-reference.mjs';
import { buildResponse } from '../http-wire.mjs';
import {
  classOfStatus,
  countsProblem,
  isPlainObject,
  mediaTypeOf,
  okOutcome,
  stringOr,
  unrequestedEncoding,
} from '../reference-outcome.mjs';
import { DEFAULT_MAX_EVENT_BYTES } from '../sse-reference.mjs';
import {
  applyByteOperators,
  asciiJson,
  byteOperatorCount,
  cutAtMarkedPlace,
  mutatedStream,
  textPiece,
} from '../stream-mutation.mjs';

/** The media type of an AWS event stream. */
export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

// ---------------------------------------------------------------------------------------
// The frame format
// ---------------------------------------------------------------------------------------
//
// A frame: total length (uint32 BE, the whole frame), headers length (uint32 BE), CRC32 of
// those 8 bytes, the headers, the payload, and a CRC32 of everything before it. A header:
// name length (1 byte), name (UTF-8), a type byte, then the value: types 0 and 1 (true,
// false) have none, 2 (byte) 1 byte, 3 (short) 2, 4 (int) 4, 5 (long) 8, 8 (timestamp) 8,
// 9 (uuid) 16; 6 (bytes) and 7 (string) a 2-byte length and that many bytes.

const PRELUDE_BYTES = 12;
/** Prelude and message checksum: a frame with no headers and no payload. */
const MIN_FRAME_BYTES = 16;

/** Header value types, by name. */
export const HEADER_TYPE = {
  true: 0,
  false: 1,
  byte: 2,
  short: 3,
  int: 4,
  long: 5,
  bytes: 6,
  string: 7,
  timestamp: 8,
  uuid: 9,
};
/** Value bytes of each fixed-size type; -1: a 2-byte length, then the bytes. */
const VALUE_BYTES = [0, 0, 1, 2, 4, 8, -1, -1, 8, 16];

/**
 * The bytes of one header. `value`: a string (string), a Buffer or string (bytes, uuid), a
 * number or bigint (byte, short, int, long, timestamp); nothing for true and false.
 */
export function encodeHeader(name, type, value) {
  const nameBytes = Buffer.from(name, 'utf8');
  let valueBytes;
  if (type === HEADER_TYPE.bytes || type === HEADER_TYPE.string) {
    const data = Buffer.from(value ?? '', 'utf8');
    valueBytes = Buffer.alloc(2 + data.length);
    valueBytes.writeUInt16BE(data.length, 0);
    data.copy(valueBytes, 2);
  } else {
    valueBytes = Buffer.alloc(VALUE_BYTES[type] ?? 0);
    if (type === HEADER_TYPE.byte) valueBytes.writeInt8(value, 0);
    else if (type === HEADER_TYPE.short) valueBytes.writeInt16BE(value, 0);
    else if (type === HEADER_TYPE.int) valueBytes.writeInt32BE(value, 0);
    else if (type === HEADER_TYPE.long || type === HEADER_TYPE.timestamp)
      valueBytes.writeBigInt64BE(BigInt(value), 0);
    else if (type === HEADER_TYPE.uuid) Buffer.from(value).copy(valueBytes, 0, 0, 16);
  }
  return Buffer.concat([Buffer.from([nameBytes.length, ...nameBytes, type]), valueBytes]);
}

/** A string header, as a header spec. */
const str = (name, value) => ({ name, type: HEADER_TYPE.string, value });

/** The bytes of a header list: specs (`{ name, type, value }`) or raw bytes (`{ raw }`). */
function encodeHeaders(headers) {
  return Buffer.concat(headers.map((h) => h.raw ?? encodeHeader(h.name, h.type, h.value)));
}

/**
 * One frame. `lie` overrides what the prelude and the checksums say (a damaged frame), with
 * the checksums of the declared bytes unless given.
 * @param {Array<object>} headers header specs
 * @param {Buffer | string} payload
 * @param {{ totalLength?: number, headersLength?: number, preludeCrc?: number, messageCrc?: number }} [lie]
 */
export function encodeFrame(headers, payload, lie = {}) {
  const headerBytes = encodeHeaders(headers);
  const payloadBytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
  const total = MIN_FRAME_BYTES + headerBytes.length + payloadBytes.length;
  const out = Buffer.alloc(total);
  out.writeUInt32BE((lie.totalLength ?? total) >>> 0, 0);
  out.writeUInt32BE((lie.headersLength ?? headerBytes.length) >>> 0, 4);
  out.writeUInt32BE(lie.preludeCrc ?? crc32(out.subarray(0, 8)), 8);
  headerBytes.copy(out, PRELUDE_BYTES);
  payloadBytes.copy(out, PRELUDE_BYTES + headerBytes.length);
  out.writeUInt32BE(lie.messageCrc ?? crc32(out.subarray(0, total - 4)), total - 4);
  return out;
}

/** `frame` with its prelude checksum and/or message checksum recomputed over its bytes. */
function reseal(frame, { prelude = true, message = true } = {}) {
  const out = Buffer.from(frame);
  if (prelude) out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  if (message) out.writeUInt32BE(crc32(out.subarray(0, out.length - 4)), out.length - 4);
  return out;
}

/** The headers of an event, in Bedrock's order, or `order` (a permutation of 0..2). */
function eventHeaders(eventType, order = [0, 1, 2]) {
  const all = [
    str(':event-type', eventType),
    str(':content-type', 'application/json'),
    str(':message-type', 'event'),
  ];
  return order.map((index) => all[index]);
}

const json = (value) =>
  typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value);

/** An event frame: its type and a JSON payload (or payload text). */
export function eventFrame(eventType, payload, order) {
  return encodeFrame(eventHeaders(eventType, order), json(payload));
}

/** An exception frame: `:exception-type` (none when undefined) and a payload. */
export function exceptionFrame(type, payload = { message: 'm' }) {
  const headers = [
    ...(type === undefined ? [] : [str(':exception-type', type)]),
    str(':content-type', 'application/json'),
    str(':message-type', 'exception'),
  ];
  return encodeFrame(headers, json(payload));
}

/** An error frame (`:message-type error`): the code and text travel in headers. */
export function errorFrame(code, message = 'm') {
  const headers = [
    ...(code === undefined ? [] : [str(':error-code', code)]),
    ...(message === undefined ? [] : [str(':error-message', message)]),
    str(':message-type', 'error'),
  ];
  return encodeFrame(headers, '');
}

// ---------------------------------------------------------------------------------------
// Reference decoder
// ---------------------------------------------------------------------------------------

/**
 * Headers of a frame, by name (a repeated name: the last one), or why they are malformed: a
 * header running past the header section, or a type byte outside 0–9.
 */
export function parseHeaders(bytes) {
  const headers = new Map();
  let at = 0;
  while (at < bytes.length) {
    const nameLength = bytes[at];
    at += 1;
    if (at + nameLength + 1 > bytes.length)
      return { error: 'a header name runs past the header section' };
    const name = bytes.subarray(at, at + nameLength).toString('utf8');
    at += nameLength;
    const type = bytes[at];
    at += 1;
    if (type > 9) return { error: `a header of unknown type ${type}` };
    let size = VALUE_BYTES[type];
    if (size === -1) {
      if (at + 2 > bytes.length) return { error: 'a header value runs past the header section' };
      size = bytes.readUInt16BE(at);
      at += 2;
    }
    if (at + size > bytes.length) return { error: 'a header value runs past the header section' };
    const value =
      type === HEADER_TYPE.string
        ? bytes.subarray(at, at + size).toString('utf8')
        : bytes.subarray(at, at + size);
    headers.set(name, { type, value });
    at += size;
  }
  return { headers };
}

/** The value of a string header; headers of other types are not read. */
function stringHeader(headers, name) {
  const header = headers.get(name);
  return header?.type === HEADER_TYPE.string ? header.value : undefined;
}

/**
 * The frames of a body, in order, ending at the first broken one or at an unfinished one.
 * The prelude is judged as soon as its 12 bytes are there (its checksum, lengths a frame can
 * have, the size cap): a corrupt length must not leave the client waiting for bytes. A
 * frame is judged whole once all its bytes are there (message checksum, headers).
 * @returns {Generator<{ kind: 'frame', headers: Map, payload: Buffer, start: number }
 *   | { kind: 'broken', reason: string, start: number } | { kind: 'partial', start: number }>}
 */
export function* readFrames(body, maxFrameBytes = DEFAULT_MAX_EVENT_BYTES) {
  let at = 0;
  while (at < body.length) {
    if (body.length - at < PRELUDE_BYTES) {
      yield { kind: 'partial', start: at };
      return;
    }
    const total = body.readUInt32BE(at);
    const headersLength = body.readUInt32BE(at + 4);
    const broken = (reason) => ({ kind: 'broken', reason, start: at });
    if (crc32(body.subarray(at, at + 8)) !== body.readUInt32BE(at + 8)) {
      yield broken(`a frame at ${at} whose prelude checksum does not match`);
      return;
    }
    if (total < MIN_FRAME_BYTES || headersLength > total - MIN_FRAME_BYTES) {
      yield broken(`a frame at ${at} of ${total} bytes with ${headersLength} bytes of headers`);
      return;
    }
    if (total > maxFrameBytes) {
      yield broken(`a frame at ${at} of ${total} bytes, over the ${maxFrameBytes}-byte cap`);
      return;
    }
    if (body.length - at < total) {
      yield { kind: 'partial', start: at };
      return;
    }
    const frame = body.subarray(at, at + total);
    if (crc32(frame.subarray(0, total - 4)) !== frame.readUInt32BE(total - 4)) {
      yield broken(`a frame at ${at} whose message checksum does not match`);
      return;
    }
    const parsed = parseHeaders(frame.subarray(PRELUDE_BYTES, PRELUDE_BYTES + headersLength));
    if (parsed.error !== undefined) {
      yield broken(`a frame at ${at} with malformed headers: ${parsed.error}`);
      return;
    }
    yield {
      kind: 'frame',
      headers: parsed.headers,
      payload: frame.subarray(PRELUDE_BYTES + headersLength, total - 4),
      start: at,
    };
    at += total;
  }
}

/** A payload as a JSON object, or undefined when it is not one. */
function objectOf(payload) {
  try {
    const value = JSON.parse(payload.toString('utf8'));
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Classes of in-stream exception types (ConverseStream's documented errors), compared
 * without case; the adapter reads the Anthropic error types an InvokeModel stream carries
 * with the same table. Any other type, or none, is a server error.
 */
const STREAM_ERROR_CLASSES = new Map([
  ['throttlingexception', 'rate_limited'],
  ['servicequotaexceededexception', 'rate_limited'],
  ['validationexception', 'client_error'],
  ['modeltimeoutexception', 'timeout_total'],
  ['modelstreamerrorexception', 'server_error'],
  ['internalserverexception', 'server_error'],
  ['serviceunavailableexception', 'server_error'],
  ['rate_limit_error', 'rate_limited'],
  ['overloaded_error', 'server_error'],
  ['api_error', 'server_error'],
  ['invalid_request_error', 'client_error'],
]);

/** The class of an exception or error frame's type. */
export function classOfStreamError(type) {
  return (
    (typeof type === 'string' && STREAM_ERROR_CLASSES.get(type.toLowerCase())) || 'server_error'
  );
}

/** Classes of the AWS error types of non-2xx responses, compared without case. */
const HTTP_ERROR_CLASSES = new Map([
  ['throttlingexception', 'rate_limited'],
  ['servicequotaexceededexception', 'rate_limited'],
  ['validationexception', 'client_error'],
  ['resourcenotfoundexception', 'client_error'],
  ['accessdeniedexception', 'auth'],
  ['unrecognizedclientexception', 'auth'],
  ['invalidsignatureexception', 'auth'],
  ['expiredtokenexception', 'auth'],
  ['missingauthenticationtokenexception', 'auth'],
  ['modelnotreadyexception', 'server_error'],
  ['modeltimeoutexception', 'timeout_total'],
  ['modelerrorexception', 'server_error'],
  ['modelstreamerrorexception', 'server_error'],
  ['internalserverexception', 'server_error'],
  ['serviceunavailableexception', 'server_error'],
]);

/**
 * The AWS error type of a non-2xx response: `x-amzn-errortype` (`Name:http://…`), else the
 * JSON body's `__type` (`com.amazon…#Name`) or `code`.
 */
export function awsErrorType(http) {
  let type = headerValue(http, 'x-amzn-errortype');
  if (type === undefined) {
    const text = http.body.toString('utf8').trim();
    if (text.startsWith('{')) {
      try {
        const body = JSON.parse(text);
        type = stringOr(body?.__type) || stringOr(body?.code) || undefined;
      } catch {
        // Not JSON: the status decides.
      }
    }
  }
  return type?.split(':')[0].split('#').at(-1).trim();
}

/** The class of a non-2xx response: by its AWS error type when known, else by status. */
export function classOfHttpError(http) {
  const type = awsErrorType(http);
  return (type && HTTP_ERROR_CLASSES.get(type.toLowerCase())) || classOfStatus(http.status);
}

/** Why a Converse usage object must be ignored, or undefined when every count is usable. */
export function usageProblem(usage) {
  return countsProblem(
    Object.fromEntries(
      ['inputTokens', 'outputTokens', 'cacheReadInputTokens', 'cacheWriteInputTokens'].map(
        (field) => [field, usage[field]],
      ),
    ),
  );
}

/** The texts of a contentBlockDelta: answer, reasoning and tool input. */
export function deltaText(payload) {
  const delta = payload.delta;
  if (!isPlainObject(delta)) return { answer: '', reasoning: '', tool: '' };
  return {
    answer: stringOr(delta.text),
    reasoning: isPlainObject(delta.reasoningContent) ? stringOr(delta.reasoningContent.text) : '',
    tool: isPlainObject(delta.toolUse) ? stringOr(delta.toolUse.input) : '',
  };
}

/**
 * The outcome llm-lens must report for a ConverseStream request answered with `bytes`, after
 * which the server left the connection as `ending` says. Same Outcome shape as openai-chat.mjs.
 * @param {{ bytes: Buffer, ending: import('../http-reference.mjs').Ending, maxEventBytes?: number }} served
 * @returns {import('./openai-chat.mjs').Outcome}
 */
export function referenceOutcome({ bytes, ending, maxEventBytes = DEFAULT_MAX_EVENT_BYTES }) {
  const http = readHttpResponse(bytes, ending);
  if (http.kind === 'failed') return { errorClass: http.errorClass, reason: http.reason };
  if (http.status < 200 || http.status > 299) {
    const type = awsErrorType(http);
    return {
      errorClass: classOfHttpError(http),
      reason: `HTTP ${http.status}${type ? ` ${type}` : ''}`,
    };
  }
  const encodingOutcome = unrequestedEncoding(http);
  if (encodingOutcome !== undefined) return encodingOutcome;
  const mediaType = mediaTypeOf(http);

  let protocolError;
  let firstError;
  let sawMessageStop = false;
  // Frames that told the client something: a token, a usage or timing report, an error.
  let informativeFrames = 0;
  let tokenEvents = 0;
  let answer = '';
  let reasoning = '';
  let tool = '';
  let outputTokens;
  let usageIgnored;

  const readMetadata = (payload) => {
    let told = false;
    if (isPlainObject(payload.usage)) {
      told = true;
      const problem = usageProblem(payload.usage);
      // The last valid report wins for each count it carries.
      if (problem !== undefined) usageIgnored ??= problem;
      else if (typeof payload.usage.outputTokens === 'number')
        outputTokens = payload.usage.outputTokens;
    }
    const latency = isPlainObject(payload.metrics) ? payload.metrics.latencyMs : undefined;
    if (typeof latency === 'number' && Number.isFinite(latency) && latency >= 0) told = true;
    if (told) informativeFrames++;
  };

  for (const item of readFrames(http.body, maxEventBytes)) {
    if (item.kind === 'partial') break;
    if (item.kind === 'broken') {
      // After messageStop nothing undoes the response; the framing is lost, so reading ends.
      if (!sawMessageStop) protocolError = item.reason;
      break;
    }
    const messageType = stringHeader(item.headers, ':message-type') ?? 'event';
    const eventType = stringHeader(item.headers, ':event-type') ?? '';
    if (sawMessageStop) {
      // The metadata event that follows messageStop carries the usage; it is read when it
      // arrives whole, and nothing after it (or instead of it) changes the outcome.
      if (messageType !== 'event' || eventType !== 'metadata') continue;
      const payload = objectOf(item.payload);
      if (payload !== undefined) readMetadata(payload);
      break;
    }
    if (messageType === 'exception' || messageType === 'error') {
      informativeFrames++;
      const type = stringHeader(
        item.headers,
        messageType === 'exception' ? ':exception-type' : ':error-code',
      );
      firstError ??= { errorClass: classOfStreamError(type), type };
      continue;
    }
    if (messageType !== 'event') {
      protocolError = `a frame of the unknown :message-type ${JSON.stringify(messageType.slice(0, 40))}`;
      break;
    }
    if (eventType === 'messageStop') {
      sawMessageStop = true;
      continue;
    }
    if (eventType !== 'contentBlockDelta' && eventType !== 'metadata') continue;
    const payload = objectOf(item.payload);
    if (payload === undefined) {
      protocolError = `a ${eventType} payload that is not a JSON object: ${JSON.stringify(item.payload.toString('utf8').slice(0, 60))}`;
      break;
    }
    if (eventType === 'metadata') {
      readMetadata(payload);
      continue;
    }
    const text = deltaText(payload);
    if (text.answer.length > 0 || text.reasoning.length > 0 || text.tool.length > 0) {
      informativeFrames++;
      tokenEvents++;
      answer += text.answer;
      reasoning += text.reasoning;
      tool += text.tool;
    }
  }

  if (!sawMessageStop && protocolError === undefined && http.bodyEnd === 'framing')
    protocolError = `broken chunk framing: ${http.framingError}`;
  if (protocolError !== undefined) return { errorClass: 'protocol', reason: protocolError };
  if (firstError !== undefined) {
    return {
      errorClass: firstError.errorClass,
      reason: `an exception frame (type ${JSON.stringify(firstError.type)})`,
    };
  }
  if (!sawMessageStop) {
    if (http.bodyEnd === 'open') {
      return {
        errorClass: 'timeout_total',
        reason: 'the body neither ends nor reaches messageStop',
      };
    }
    if (informativeFrames === 0 && mediaType !== EVENT_STREAM_CONTENT_TYPE) {
      return {
        errorClass: 'protocol',
        reason: `expected ${EVENT_STREAM_CONTENT_TYPE}, got ${mediaType || 'no Content-Type'}`,
      };
    }
    return { errorClass: 'stream_interrupted', reason: 'the body ended without messageStop' };
  }

  return okOutcome({
    reason: 'messageStop seen',
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
// text that looks like the framing's own names.
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
  ' messageStop',
  ' :event-type',
  ' }{',
  '.',
];
const TOOL_PIECES = ['{"city":', ' "Zürich"', ', "unit": "c"}', '{}', '"東京"', '[1, 2'];
const PADDING = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * A stream as frame specs (`{ label, headers, payload }`, or `{ label, raw }` for bytes
 * that are not a sound frame), encoded with the marks mutations use: where each frame and
 * its parts are, which one is messageStop and which the metadata.
 */
export function encodeStream(frames) {
  const parts = [];
  const marks = { frames: [], stop: undefined, metadata: undefined, done: undefined };
  let at = 0;
  for (const [index, frame] of frames.entries()) {
    const bytes = frame.raw ?? encodeFrame(frame.headers, frame.payload);
    const headersLength = frame.raw === undefined ? bytes.readUInt32BE(4) : 0;
    const mark = {
      label: frame.label,
      start: at,
      end: at + bytes.length,
      headersEnd: at + PRELUDE_BYTES + headersLength,
      isRaw: frame.raw !== undefined,
    };
    marks.frames.push(mark);
    if (frame.label === 'messageStop' && marks.stop === undefined) {
      marks.stop = index;
      marks.done = mark;
    }
    if (frame.label === 'metadata' && marks.stop !== undefined && marks.metadata === undefined)
      marks.metadata = index;
    parts.push(bytes);
    at += bytes.length;
  }
  return { body: Buffer.concat(parts), marks, frames };
}

const EXCEPTIONS_AT_THE_END = [
  ['throttlingException', 'Too many requests, please wait before trying again.'],
  ['modelStreamErrorException', 'The model stream failed.'],
  ['internalServerException', 'The server encountered an internal error.'],
  ['serviceUnavailableException', 'The service is unavailable.'],
  ['validationException', 'Input is too long for requested model.'],
];

/**
 * A valid ConverseStream: messageStart, content blocks (reasoning deltas closed by a
 * signature, text deltas, tool input after a contentBlockStart), each closed by
 * contentBlockStop, messageStop and the metadata event with usage and latency; every payload
 * with the `p` padding Bedrock adds. Now and then an exception frame instead of the end, a
 * gateway that strips usage or the metadata, headers in another order, or extra headers.
 * @param {import('../prng.mjs').Rng} rng
 */
export function buildBaseStream(rng) {
  const frames = [];
  const order = rng.chance(0.1)
    ? rng.pick([
        [2, 0, 1],
        [1, 2, 0],
        [0, 2, 1],
        [2, 1, 0],
      ])
    : undefined;
  const padded = rng.chance(0.8);
  const escapeNonAscii = rng.chance(0.15);
  const extraHeaders = rng.chance(0.08);
  const hasReasoning = rng.chance(0.3);
  const hasTool = rng.chance(0.25);
  const endsWithException = rng.chance(0.05);
  const stripsUsage = rng.chance(0.04);
  const noMetadata = rng.chance(0.03);
  let outputTokens = 0;

  const emit = (label, payload) => {
    const body = padded ? { ...payload, p: PADDING.slice(0, rng.int(1, PADDING.length)) } : payload;
    const headers = eventHeaders(label, order);
    if (extraHeaders && rng.chance(0.3)) {
      headers.push(
        rng.pick([
          { name: 'x-fuzz-int', type: HEADER_TYPE.int, value: rng.int(-1000, 1000) },
          { name: 'x-fuzz-flag', type: HEADER_TYPE.true },
          { name: 'x-fuzz-time', type: HEADER_TYPE.timestamp, value: 1_767_225_600_000 },
          { name: 'x-fuzz-bytes', type: HEADER_TYPE.bytes, value: Buffer.from([0, 255, 10]) },
          { name: 'x-fuzz-id', type: HEADER_TYPE.uuid, value: Buffer.alloc(16, 0xab) },
        ]),
      );
    }
    frames.push({
      label,
      headers,
      payload: escapeNonAscii ? asciiJson(body) : JSON.stringify(body),
    });
  };
  const delta = (index, value) =>
    emit('contentBlockDelta', { contentBlockIndex: index, delta: value });

  emit('messageStart', { role: 'assistant' });
  let index = 0;
  if (hasReasoning) {
    const count = rng.int(1, 10);
    for (let i = 0; i < count; i++) {
      outputTokens += rng.int(1, 3);
      delta(index, { reasoningContent: { text: textPiece(rng, PIECES) } });
    }
    delta(index, { reasoningContent: { signature: `Eq${rng.int(1e8, 9e8)}fz==` } });
    emit('contentBlockStop', { contentBlockIndex: index });
    index++;
  }
  const textBlocks = rng.int(hasTool ? 0 : 1, 2);
  for (let b = 0; b < textBlocks; b++) {
    // Some models open with an empty text delta.
    if (rng.chance(0.1)) delta(index, { text: '' });
    const count = rng.int(1, 14);
    for (let i = 0; i < count; i++) {
      outputTokens += rng.int(1, 3);
      delta(index, { text: textPiece(rng, PIECES) });
    }
    emit('contentBlockStop', { contentBlockIndex: index });
    index++;
  }
  if (hasTool) {
    emit('contentBlockStart', {
      contentBlockIndex: index,
      start: { toolUse: { toolUseId: `tooluse_fz${rng.int(1000, 9999)}`, name: 'get_weather' } },
    });
    if (rng.chance(0.7)) delta(index, { toolUse: { input: '' } });
    const count = rng.int(1, 5);
    for (let i = 0; i < count; i++) {
      outputTokens += rng.int(1, 3);
      delta(index, { toolUse: { input: rng.pick(TOOL_PIECES) } });
    }
    emit('contentBlockStop', { contentBlockIndex: index });
  }
  if (endsWithException) {
    const [type, message] = rng.pick(EXCEPTIONS_AT_THE_END);
    frames.push({
      label: 'exception',
      headers: [
        str(':exception-type', type),
        str(':content-type', 'application/json'),
        str(':message-type', 'exception'),
      ],
      payload: JSON.stringify({ message }),
    });
    return encodeStream(frames);
  }
  emit('messageStop', {
    stopReason: hasTool ? 'tool_use' : rng.pick(['end_turn', 'max_tokens']),
  });
  if (!noMetadata) {
    const inputTokens = rng.int(5, 3000);
    const usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
    if (rng.chance(0.2)) {
      usage.cacheReadInputTokens = rng.int(0, 2000);
      usage.cacheWriteInputTokens = rng.int(0, 200);
    }
    emit('metadata', {
      ...(stripsUsage ? {} : { usage }),
      metrics: { latencyMs: rng.int(50, 5000) },
    });
  }
  return encodeStream(frames);
}

// ---------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------

/** Exception types: documented, in other cases, unknown, and names every object has. */
const EXCEPTION_TYPES = [
  'throttlingException',
  'validationException',
  'modelTimeoutException',
  'modelStreamErrorException',
  'internalServerException',
  'serviceUnavailableException',
  'serviceQuotaExceededException',
  'ThrottlingException',
  'MODELTIMEOUTEXCEPTION',
  'accessDeniedException',
  'aFutureException',
  'rate_limit_error',
  'invalid_request_error',
  '',
  'constructor',
  'toString',
  '__proto__',
  'hasOwnProperty',
  undefined,
];
const EVENT_TYPES = [
  'messageStart',
  'contentBlockStart',
  'contentBlockDelta',
  'contentBlockStop',
  'messageStop',
  'metadata',
  'MessageStop',
  'messagestop',
  'messageStop ',
  'aFutureEvent',
  '',
  'constructor',
];
const MESSAGE_TYPES = ['exception', 'error', 'Event', 'EVENT', '', 'request', 'constructor'];
const COUNT_VALUES = [1e300, 1e20, 2 ** 53, 26.5, -1, '12', true, null, 0, 1e9, 1e9 + 1, {}];
const USAGE_FIELDS = [
  'inputTokens',
  'outputTokens',
  'cacheReadInputTokens',
  'cacheWriteInputTokens',
  'totalTokens',
];
const NOT_OBJECTS = [
  '',
  '[]',
  '1',
  '"s"',
  'null',
  'true',
  '{',
  '{"delta":{"text":"a"}',
  '\ufeff{}',
  'not json',
  '[{"delta":{"text":"a"}}]',
];
const DELTAS = [
  { text: 'x' },
  { text: '' },
  { reasoningContent: { text: 'thinking' } },
  { reasoningContent: { signature: 'c2ln' } },
  { reasoningContent: { redactedContent: 'cmVk' } },
  { reasoningContent: 'flat' },
  { toolUse: { input: '{"a":' } },
  { toolUse: { input: 5 } },
  { toolUse: 'flat' },
  { text: 'both', toolUse: { input: '1' } },
  { text: '', reasoningContent: { text: '' }, toolUse: { input: '' } },
  {},
];

/** Rewrites of a JSON payload that keep it JSON but change what it means. */
const PAYLOAD_REWRITES = {
  'delta text not a string': (rng, payload) => {
    payload.delta = { text: rng.pick([42, null, ['a'], { text: 'a' }, true, '']) };
  },
  'a delta of another shape': (rng, payload) => {
    payload.delta = structuredClone(rng.pick(DELTAS));
  },
  'delta not an object': (rng, payload) => {
    payload.delta = rng.pick([null, 'text', ['a'], 7]);
  },
  'delta removed': (_, payload) => {
    delete payload.delta;
  },
  'a lone surrogate in the text': (rng, payload) => {
    payload.delta = { text: rng.pick(['\ud800', 'a\udc00b', '\ud83e']) };
  },
  'a usage count that is not a count': (rng, payload) => {
    const usage = isPlainObject(payload.usage) ? payload.usage : { outputTokens: 5 };
    usage[rng.pick(USAGE_FIELDS)] = rng.pick(COUNT_VALUES);
    payload.usage = usage;
  },
  'usage not an object': (rng, payload) => {
    payload.usage = rng.pick([[], 'x', 5, true, null]);
  },
  'usage removed': (_, payload) => {
    delete payload.usage;
  },
  'odd metrics': (rng, payload) => {
    payload.metrics = rng.pick([
      { latencyMs: -1 },
      { latencyMs: '5' },
      { latencyMs: 1e300 },
      { latencyMs: null },
      null,
      [],
    ]);
  },
  'long padding': (rng, payload) => {
    payload.p = 'x'.repeat(rng.int(1000, 20_000));
  },
  'unknown members': (_, payload) => {
    payload.future = { nested: [1, { deep: true }] };
    payload.contentBlockIndex = -1;
  },
};

/** A frame spec of an extra exception or error frame. */
function strayErrorFrame(rng) {
  if (rng.chance(0.25)) {
    const code = rng.pick(EXCEPTION_TYPES);
    return {
      label: 'error',
      headers: [
        ...(code === undefined ? [] : [str(':error-code', code)]),
        str(':error-message', 'stream failed'),
        str(':message-type', 'error'),
      ],
      payload: '',
    };
  }
  const type = rng.pick(EXCEPTION_TYPES);
  return {
    label: 'exception',
    headers: [
      ...(type === undefined ? [] : [str(':exception-type', type)]),
      str(':content-type', 'application/json'),
      str(':message-type', 'exception'),
    ],
    payload: rng.pick(['{"message":"Too many tokens"}', '{"Message":"x"}', 'plain text', '', '{}']),
  };
}

/** The index of a frame spec with one of `labels` (any frame when none has). */
function pickFrame(rng, frames, labels) {
  const matching = frames.flatMap((frame, index) =>
    labels === undefined || labels.includes(frame.label) ? [index] : [],
  );
  return matching.length > 0 ? rng.pick(matching) : rng.int(0, frames.length - 1);
}

/** Replaces header `name` of a frame spec (drops it when `header` is undefined). */
function withHeader(frame, name, header) {
  const headers = frame.headers.filter((h) => h.name !== name);
  if (header !== undefined) headers.push(header);
  return { ...frame, headers };
}

const clip = (text) => (text.length > 100 ? `${text.slice(0, 100)}…` : text);

/**
 * Mutations of the stream's frames, each re-encoded with sound checksums unless the mutation
 * is the checksum or a length: what the reader does with a frame it can trust.
 */
const FRAME_MUTATIONS = {
  'drop messageStop': (_, frames) => {
    const index = frames.findIndex((frame) => frame.label === 'messageStop');
    if (index === -1) return undefined;
    frames.splice(index, 1);
    return `drop messageStop (frame ${index})`;
  },
  'drop metadata': (_, frames) => {
    const index = frames.findIndex((frame) => frame.label === 'metadata');
    if (index === -1) return undefined;
    frames.splice(index, 1);
    return `drop the metadata (frame ${index})`;
  },
  'duplicate metadata': (rng, frames) => {
    const outputTokens = rng.pick([0, 1, 7, 123, 1e300, -4, null]);
    const copy = {
      label: 'metadata',
      headers: eventHeaders('metadata'),
      payload: JSON.stringify({
        usage: { inputTokens: 3, outputTokens },
        metrics: { latencyMs: 9 },
      }),
    };
    const at = rng.int(1, frames.length);
    frames.splice(at, 0, copy);
    return `insert another metadata (outputTokens ${outputTokens}) at frame ${at}`;
  },
  'metadata before messageStop': (_, frames) => {
    const metadata = frames.findIndex((frame) => frame.label === 'metadata');
    const stop = frames.findIndex((frame) => frame.label === 'messageStop');
    if (metadata === -1 || stop === -1 || metadata < stop) return undefined;
    const [frame] = frames.splice(metadata, 1);
    frames.splice(stop, 0, frame);
    return `move the metadata before messageStop (frame ${stop})`;
  },
  'an exception or error frame': (rng, frames) => {
    const at = rng.int(1, frames.length);
    const frame = strayErrorFrame(rng);
    frames.splice(at, 0, frame);
    return `insert ${frame.label} frame ${JSON.stringify(frame.headers.map((h) => h.value))} at frame ${at}`;
  },
  'an unknown event': (rng, frames) => {
    const at = rng.int(0, frames.length);
    const payload = rng.pick(['{"future":1}', 'not json', '', '[]']);
    frames.splice(at, 0, {
      label: 'unknown',
      headers: eventHeaders(rng.pick(['aFutureEvent', 'contentBlockStart', 'messageStart', ''])),
      payload,
    });
    return `insert an event the client does not read at frame ${at} (payload ${JSON.stringify(payload)})`;
  },
  'rename an event': (rng, frames) => {
    const index = pickFrame(rng, frames);
    if (frames[index].raw !== undefined) return undefined;
    const name = rng.pick(EVENT_TYPES);
    frames[index] = withHeader(frames[index], ':event-type', str(':event-type', name));
    frames[index].label = name;
    return `set :event-type of frame ${index} to ${JSON.stringify(name)}`;
  },
  'another message type': (rng, frames) => {
    const index = pickFrame(rng, frames);
    if (frames[index].raw !== undefined) return undefined;
    const type = rng.chance(0.2) ? undefined : rng.pick(MESSAGE_TYPES);
    frames[index] = withHeader(
      frames[index],
      ':message-type',
      type === undefined ? undefined : str(':message-type', type),
    );
    if (type !== undefined && type !== 'event') frames[index].label = `message-type ${type}`;
    return type === undefined
      ? `remove :message-type of frame ${index}`
      : `set :message-type of frame ${index} to ${JSON.stringify(type)}`;
  },
  'a header of another type': (rng, frames) => {
    const index = pickFrame(rng, frames, ['messageStop', 'contentBlockDelta', 'metadata']);
    if (frames[index].raw !== undefined) return undefined;
    const name = rng.pick([':event-type', ':message-type', ':exception-type']);
    const old = frames[index].headers.find((h) => h.name === name);
    const replacement = rng.pick([
      { name, type: HEADER_TYPE.bytes, value: old?.value ?? 'event' },
      { name, type: HEADER_TYPE.int, value: 7 },
      { name, type: HEADER_TYPE.true },
    ]);
    frames[index] = withHeader(frames[index], name, replacement);
    if (name === ':event-type') frames[index].label = 'retyped';
    return `make ${name} of frame ${index} a header of type ${replacement.type}`;
  },
  'an extra header': (rng, frames) => {
    const index = pickFrame(rng, frames);
    if (frames[index].raw !== undefined) return undefined;
    const type = rng.int(0, 9);
    const value =
      type === HEADER_TYPE.string || type === HEADER_TYPE.bytes
        ? rng.pick(['', 'x', 'é'.repeat(300), '\u0000'])
        : type === HEADER_TYPE.uuid
          ? rng.bytes(16)
          : type === HEADER_TYPE.byte
            ? rng.int(-128, 127)
            : type === HEADER_TYPE.short
              ? rng.int(-32768, 32767)
              : rng.int(-1e9, 1e9);
    const name = rng.pick(['x-amzn-requestid', '', ':date', 'é', ':event-type2']);
    frames[index] = {
      ...frames[index],
      headers: [...frames[index].headers, { name, type, value }],
    };
    return `add header ${JSON.stringify(name)} of type ${type} to frame ${index}`;
  },
  'a frame with nothing in it': (rng, frames) => {
    const at = rng.int(0, frames.length);
    frames.splice(at, 0, { label: 'empty', headers: [], payload: '' });
    return `insert a 16-byte frame without headers or payload at frame ${at}`;
  },
  'rewrite a payload': (rng, frames) => {
    const name = rng.pick(Object.keys(PAYLOAD_REWRITES));
    const wantsUsage = /usage|metrics/.test(name);
    const index = pickFrame(
      rng,
      frames,
      wantsUsage && rng.chance(0.85) ? ['metadata'] : ['contentBlockDelta', 'metadata'],
    );
    if (frames[index].raw !== undefined) return undefined;
    let payload;
    try {
      payload = JSON.parse(frames[index].payload);
    } catch {
      return undefined;
    }
    if (!isPlainObject(payload)) return undefined;
    PAYLOAD_REWRITES[name](rng, payload);
    const text = JSON.stringify(payload);
    frames[index] = { ...frames[index], payload: text };
    return `rewrite the payload of frame ${index} (${frames[index].label}): ${name} (${clip(text)})`;
  },
  'a payload that is not a JSON object': (rng, frames) => {
    const index = pickFrame(
      rng,
      frames,
      rng.chance(0.8) ? ['contentBlockDelta', 'metadata'] : undefined,
    );
    if (frames[index].raw !== undefined) return undefined;
    const text = rng.pick(NOT_OBJECTS);
    frames[index] = { ...frames[index], payload: text };
    return `replace the payload of frame ${index} (${frames[index].label}) with ${JSON.stringify(text)}`;
  },
  'swap two frames': (rng, frames) => {
    if (frames.length < 2) return undefined;
    const index = rng.int(0, frames.length - 2);
    [frames[index], frames[index + 1]] = [frames[index + 1], frames[index]];
    return `swap frames ${index} and ${index + 1}`;
  },
  'duplicate a frame': (rng, frames) => {
    const index = pickFrame(rng, frames);
    frames.splice(index, 0, { ...frames[index] });
    return `duplicate frame ${index} (${frames[index].label})`;
  },
  'an unknown header type': (rng, frames) => {
    const index = pickFrame(rng, frames);
    if (frames[index].raw !== undefined) return undefined;
    const type = rng.pick([10, 11, 99, 255]);
    const raw = Buffer.from([1, 0x78, type, 0, 0, 0, 0]);
    frames[index] = { ...frames[index], headers: [{ raw }, ...frames[index].headers] };
    frames[index].label = 'bad headers';
    return `put a header of type ${type} first in frame ${index} (checksums sound)`;
  },
  'headers length damage, checksums sound': (rng, frames) => {
    const index = pickFrame(rng, frames);
    if (frames[index].raw !== undefined) return undefined;
    const bytes = encodeFrame(frames[index].headers, frames[index].payload);
    const headersLength = bytes.readUInt32BE(4);
    const payloadLength = bytes.length - MIN_FRAME_BYTES - headersLength;
    const declared = rng.pick([
      0,
      Math.max(0, headersLength - rng.int(1, 12)),
      headersLength + Math.min(payloadLength, rng.int(1, 12)),
      headersLength + payloadLength,
      rng.int(0, headersLength + payloadLength),
    ]);
    bytes.writeUInt32BE(declared, 4);
    frames[index] = { label: `headers ${declared}`, raw: reseal(bytes) };
    return `declare ${declared} bytes of headers (not ${headersLength}) in frame ${index}, checksums sound`;
  },
  'total length damage, prelude checksum sound': (rng, frames) => {
    const index = pickFrame(rng, frames);
    if (frames[index].raw !== undefined) return undefined;
    const bytes = encodeFrame(frames[index].headers, frames[index].payload);
    const how = rng.weighted({ 'too small': 30, 'too large': 30, absurd: 25, 'below 16': 15 });
    const declared =
      how === 'too small'
        ? Math.max(MIN_FRAME_BYTES, bytes.length - rng.int(1, 40))
        : how === 'too large'
          ? bytes.length + rng.int(1, 400)
          : how === 'absurd'
            ? rng.pick([0x7fffffff, 0xffffffff, 8 * 1024 * 1024 + 1, 2 ** 30])
            : rng.int(0, MIN_FRAME_BYTES - 1);
    bytes.writeUInt32BE(declared, 0);
    frames[index] = { label: `length ${declared}`, raw: reseal(bytes, { message: false }) };
    return `declare ${declared} bytes (${how}, not ${bytes.length}) for frame ${index}, prelude checksum sound`;
  },
  'two frames merged into one': (rng, frames) => {
    if (frames.length < 2) return undefined;
    const index = rng.int(0, frames.length - 2);
    if (frames[index].raw !== undefined || frames[index + 1].raw !== undefined) return undefined;
    const first = encodeFrame(frames[index].headers, frames[index].payload);
    const second = encodeFrame(frames[index + 1].headers, frames[index + 1].payload);
    // The first frame's length now covers the second, whose bytes become its payload.
    const merged = Buffer.concat([first.subarray(0, first.length - 4), second, Buffer.alloc(4)]);
    merged.writeUInt32BE(merged.length, 0);
    frames.splice(index, 2, { label: `merged ${frames[index].label}`, raw: reseal(merged) });
    return `merge frames ${index} and ${index + 1} into one frame (lengths and checksums sound)`;
  },
  'garbage between frames': (rng, frames) => {
    const at = rng.int(0, frames.length);
    const raw = rng.chance(0.5) ? rng.bytes(rng.int(1, 24)) : Buffer.alloc(rng.int(1, 16));
    frames.splice(at, 0, { label: 'garbage', raw });
    return `insert ${raw.length} bytes of garbage at frame ${at}`;
  },
};

/** Where a truncation can land, by the part of a frame it cuts into. */
const TRUNCATION_CLASSES = {
  'inside a prelude': 14,
  'inside the headers': 10,
  'inside a payload': 14,
  'inside a message checksum': 6,
  'at a frame boundary': 12,
  'just before messageStop': 8,
  'inside messageStop': 8,
  'between messageStop and the metadata': 12,
  'inside the metadata': 10,
  anywhere: 6,
};

function truncationOffset(rng, base, label) {
  const { frames, stop, metadata } = base.marks;
  const frame = rng.pick(frames);
  const inside = (from, to) => (to > from ? rng.int(from, to) : undefined);
  switch (label) {
    case 'inside a prelude':
      return frame.start + rng.int(1, PRELUDE_BYTES - 1);
    case 'inside the headers':
      return inside(frame.start + PRELUDE_BYTES, frame.headersEnd - 1);
    case 'inside a payload':
      return inside(frame.headersEnd, frame.end - 5);
    case 'inside a message checksum':
      return frame.end - rng.int(1, 3);
    case 'at a frame boundary':
      return rng.pick(frames).start;
    case 'just before messageStop':
      return stop === undefined ? undefined : frames[stop].start;
    case 'inside messageStop':
      return stop === undefined ? undefined : rng.int(frames[stop].start + 1, frames[stop].end - 1);
    case 'between messageStop and the metadata':
      return stop === undefined ? undefined : frames[stop].end;
    case 'inside the metadata':
      return metadata === undefined
        ? undefined
        : rng.int(frames[metadata].start + 1, frames[metadata].end - 1);
    default:
      return rng.int(1, base.body.length - 1);
  }
}

/** Damage to a frame's prelude or checksum, written over the bytes without resealing. */
function damageFrame(rng, body, base) {
  const frame = rng.pick(base.marks.frames);
  if (frame.end - frame.start < MIN_FRAME_BYTES) return undefined;
  const where = rng.weighted({
    'prelude checksum': 30,
    'message checksum': 30,
    'total length': 20,
    'headers length': 20,
  });
  const offset =
    where === 'prelude checksum'
      ? frame.start + 8 + rng.int(0, 3)
      : where === 'message checksum'
        ? frame.end - rng.int(1, 4)
        : where === 'total length'
          ? frame.start + rng.int(0, 3)
          : frame.start + 4 + rng.int(0, 3);
  const step = flipBit(body, offset, rng.int(0, 7));
  return {
    body: step.body,
    description: `${step.description} (${where} of frame ${base.marks.frames.indexOf(frame)}, ${frame.label})`,
  };
}

/** An offset worth a byte mutation: anywhere, or in a frame's prelude, headers or payload. */
function mutationOffset(rng, base, length) {
  const frame = rng.pick(base.marks.frames);
  const where = rng.weighted({ anywhere: 40, prelude: 15, headers: 15, payload: 25, boundary: 5 });
  let offset;
  if (where === 'prelude') offset = frame.start + rng.int(0, PRELUDE_BYTES - 1);
  else if (where === 'headers') offset = rng.int(frame.start + PRELUDE_BYTES, frame.headersEnd);
  else if (where === 'payload') offset = rng.int(frame.headersEnd, frame.end - 1);
  else if (where === 'boundary') offset = frame.start;
  else offset = rng.int(0, length - 1);
  return Math.max(0, Math.min(length - 1, offset));
}

/**
 * Frame mutations (re-encoded with sound checksums unless the mutation is a length) now and
 * then, damage to a prelude or checksum, a truncation at a place the marks name, and a few
 * byte mutations. Returns the mutated body and, when truncated, the bytes after the cut.
 * @param {import('../prng.mjs').Rng} rng
 * @param {ReturnType<typeof buildBaseStream>} original
 */
export function mutateStream(rng, original) {
  const steps = [];
  let base = original;
  if (rng.chance(0.5)) {
    const frames = [...original.frames];
    const count = rng.chance(0.25) ? 2 : 1;
    for (let i = 0; i < count; i++) {
      const name = rng.weighted({
        'drop messageStop': 5,
        'drop metadata': 4,
        'duplicate metadata': 5,
        'metadata before messageStop': 4,
        'an exception or error frame': 9,
        'an unknown event': 5,
        'rename an event': 7,
        'another message type': 6,
        'a header of another type': 4,
        'an extra header': 5,
        'a frame with nothing in it': 3,
        'rewrite a payload': 14,
        'a payload that is not a JSON object': 7,
        'swap two frames': 3,
        'duplicate a frame': 3,
        'an unknown header type': 3,
        'headers length damage, checksums sound': 5,
        'total length damage, prelude checksum sound': 6,
        'two frames merged into one': 3,
        'garbage between frames': 3,
      });
      const description = FRAME_MUTATIONS[name](rng, frames);
      if (description !== undefined) steps.push(description);
    }
    if (steps.length > 0) base = encodeStream(frames);
  }
  let body = base.body;
  if (rng.chance(0.15)) {
    const damage = damageFrame(rng, body, base);
    if (damage !== undefined) {
      body = damage.body;
      steps.push(damage.description);
    }
  }
  let tail = Buffer.alloc(0);
  if (rng.chance(0.3) && body.length > 1) {
    ({ body, tail } = cutAtMarkedPlace(rng, body, steps, TRUNCATION_CLASSES, (label) =>
      truncationOffset(rng, { ...base, body }, label),
    ));
  }
  // Almost any byte changed inside a frame breaks its checksum: kept rare, so the frame-aware
  // mutations above decide most cases.
  const count = byteOperatorCount(rng, body, { 0: steps.length > 0 ? 75 : 40, 1: 18, 2: 5, 3: 3 });
  body = applyByteOperators(rng, body, count, steps, {
    offsetFor: (length) => mutationOffset(rng, base, length),
    weights: { flip: 40, delete: 25, insertStructural: 20, insertRandom: 15 },
    structuralPairs: false,
  });
  return mutatedStream(body, tail, steps);
}

// ---------------------------------------------------------------------------------------
// Edge cases
// ---------------------------------------------------------------------------------------

const STREAM_HEADERS = [['Content-Type', EVENT_STREAM_CONTENT_TYPE]];

const messageStart = () => eventFrame('messageStart', { role: 'assistant' });
const textDelta = (text, index = 0) =>
  eventFrame('contentBlockDelta', { contentBlockIndex: index, delta: { text } });
const blockStop = (index = 0) => eventFrame('contentBlockStop', { contentBlockIndex: index });
const MESSAGE_STOP = eventFrame('messageStop', { stopReason: 'end_turn' });
const metadata = (usage = { inputTokens: 9, outputTokens: 9, totalTokens: 18 }, extra = {}) =>
  eventFrame('metadata', { usage, metrics: { latencyMs: 321 }, ...extra });
/** Three text deltas, 9 output tokens in the metadata. */
const shortMessage = () =>
  Buffer.concat([
    messageStart(),
    textDelta('The pilot'),
    textDelta(' took the helm'),
    textDelta(' at dawn.'),
    blockStop(),
  ]);
const validBody = (usage) => Buffer.concat([shortMessage(), MESSAGE_STOP, metadata(usage)]);
const streamResponse = (body, framing = 'length', headers = STREAM_HEADERS) =>
  buildResponse(Buffer.isBuffer(body) ? body : Buffer.concat(body), { headers, framing });
const awsErrorResponse = (status, type, message, { body, headers = [] } = {}) =>
  buildResponse(Buffer.from(body ?? JSON.stringify({ message }), 'utf8'), {
    status,
    headers: [
      ['Content-Type', 'application/json'],
      ...(type === undefined ? [] : [['x-amzn-ErrorType', type]]),
      ...headers,
    ],
    framing: 'length',
  });

/** `bytes` with the 32-bit value at `offset` replaced; the prelude checksum resealed or not. */
function patchPrelude(frame, offset, value, resealPrelude) {
  const out = Buffer.from(frame);
  out.writeUInt32BE(value >>> 0, offset);
  return resealPrelude ? reseal(out, { message: false }) : out;
}

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
    () => ({ bytes: streamResponse(body, framing), ending });

  // Sound streams.
  add('text-then-metadata', 'ok', stream(validBody()), { tokenEvents: 3 });
  add(
    'reasoning-signature-then-text',
    'ok',
    stream([
      messageStart(),
      eventFrame('contentBlockDelta', {
        contentBlockIndex: 0,
        delta: { reasoningContent: { text: 'Tides first,' } },
      }),
      eventFrame('contentBlockDelta', {
        contentBlockIndex: 0,
        delta: { reasoningContent: { text: ' then wind.' } },
      }),
      eventFrame('contentBlockDelta', {
        contentBlockIndex: 0,
        delta: { reasoningContent: { signature: 'RWRnZUNhc2U=' } },
      }),
      blockStop(0),
      textDelta('Wait for the tide.', 1),
      blockStop(1),
      MESSAGE_STOP,
      metadata({ inputTokens: 20, outputTokens: 14, totalTokens: 34 }),
    ]),
    { tokenEvents: 3 },
  );
  add(
    'tool-use-first-input-empty',
    'ok',
    stream([
      messageStart(),
      eventFrame('contentBlockStart', {
        contentBlockIndex: 0,
        start: { toolUse: { toolUseId: 'tooluse_edge', name: 'tide' } },
      }),
      eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '' } } }),
      eventFrame('contentBlockDelta', {
        contentBlockIndex: 0,
        delta: { toolUse: { input: '{"port":' } },
      }),
      eventFrame('contentBlockDelta', {
        contentBlockIndex: 0,
        delta: { toolUse: { input: ' "Kiel"}' } },
      }),
      blockStop(0),
      eventFrame('messageStop', { stopReason: 'tool_use' }),
      metadata({ inputTokens: 30, outputTokens: 11, totalTokens: 41 }),
    ]),
    { tokenEvents: 2 },
  );
  add(
    'empty-text-delta-first',
    'ok',
    stream([
      messageStart(),
      textDelta(''),
      blockStop(0),
      textDelta('Hi.', 1),
      blockStop(1),
      MESSAGE_STOP,
      metadata(),
    ]),
    { tokenEvents: 1 },
  );
  add(
    'unknown-events-and-headers',
    'ok',
    stream([
      messageStart(),
      eventFrame('aFutureEvent', 'not json at all'),
      encodeFrame([], ''),
      encodeFrame(
        [
          { name: 'x-bool', type: HEADER_TYPE.false },
          { name: 'x-byte', type: HEADER_TYPE.byte, value: -5 },
          { name: 'x-short', type: HEADER_TYPE.short, value: 300 },
          { name: 'x-int', type: HEADER_TYPE.int, value: -70000 },
          { name: 'x-long', type: HEADER_TYPE.long, value: 2n ** 40n },
          { name: 'x-bytes', type: HEADER_TYPE.bytes, value: Buffer.from([0, 1, 255]) },
          { name: 'x-time', type: HEADER_TYPE.timestamp, value: 1_767_225_600_000 },
          { name: 'x-uuid', type: HEADER_TYPE.uuid, value: Buffer.alloc(16, 7) },
          { name: '', type: HEADER_TYPE.true },
          ...eventHeaders('contentBlockDelta'),
        ],
        JSON.stringify({ contentBlockIndex: 0, delta: { text: 'Kept.' } }),
      ),
      MESSAGE_STOP,
      metadata(),
    ]),
    { tokenEvents: 1 },
  );
  add(
    'headers-in-another-order-no-content-type',
    'ok',
    stream([
      messageStart(),
      encodeFrame(
        [str(':message-type', 'event'), str(':event-type', 'contentBlockDelta')],
        JSON.stringify({ delta: { text: 'one' } }),
      ),
      encodeFrame([str(':event-type', 'messageStop')], '{}'),
      metadata(),
    ]),
    { tokenEvents: 1 },
  );
  add(
    'payloads-the-client-does-not-read-are-not-json',
    'ok',
    stream([
      eventFrame('messageStart', 'hello'),
      textDelta('x'),
      eventFrame('contentBlockStop', ''),
      eventFrame('messageStop', '[not json'),
      metadata(),
    ]),
    { tokenEvents: 1 },
  );
  add(
    'texts-not-strings-and-empty-are-not-tokens',
    'ok',
    stream([
      messageStart(),
      eventFrame('contentBlockDelta', { delta: { text: 42 } }),
      eventFrame('contentBlockDelta', { delta: null }),
      eventFrame('contentBlockDelta', { delta: { reasoningContent: { redactedContent: 'cmVk' } } }),
      eventFrame('contentBlockDelta', { delta: { toolUse: { input: ['a'] } } }),
      eventFrame('contentBlockDelta', {
        delta: { text: 'both', toolUse: { input: '{}' } },
      }),
      MESSAGE_STOP,
      metadata(),
    ]),
    { tokenEvents: 1 },
  );
  add(
    'large-padding',
    'ok',
    stream([
      messageStart(),
      eventFrame('contentBlockDelta', { delta: { text: 'padded' }, p: 'p'.repeat(60_000) }),
      MESSAGE_STOP,
      metadata(),
    ]),
    { tokenEvents: 1 },
  );
  add(
    'non-ascii-escaped-and-raw',
    'ok',
    stream([
      messageStart(),
      eventFrame('contentBlockDelta', '{"delta":{"text":"caf\\u00e9 \\ud83e\\udd80"}}'),
      textDelta(' 中文 👩‍💻'),
      MESSAGE_STOP,
      metadata(),
    ]),
    { tokenEvents: 2 },
  );
  add(
    'invalid-utf8-in-a-text',
    'ok',
    stream([
      messageStart(),
      eventFrame(
        'contentBlockDelta',
        Buffer.concat([
          Buffer.from('{"delta":{"text":"a'),
          Buffer.from([0xff, 0xc3]),
          Buffer.from('b"}}'),
        ]),
      ),
      MESSAGE_STOP,
      metadata(),
    ]),
    { tokenEvents: 1 },
  );

  // Where the usage is.
  add('metadata-before-message-stop', 'ok', stream([shortMessage(), metadata(), MESSAGE_STOP]), {
    tokenEvents: 3,
  });
  add('no-metadata', 'ok', stream([shortMessage(), MESSAGE_STOP]), { tokenEvents: 3 });
  add(
    'metadata-without-usage',
    'ok',
    stream([shortMessage(), MESSAGE_STOP, eventFrame('metadata', { metrics: { latencyMs: 5 } })]),
    { tokenEvents: 3 },
  );
  add(
    'metadata-twice-before-stop-invalid-one-ignored',
    'ok',
    stream([
      shortMessage(),
      metadata({ outputTokens: 4 }),
      metadata({ outputTokens: 1e300 }),
      MESSAGE_STOP,
    ]),
    { tokenEvents: 3, usageIgnored: true },
  );
  add(
    'metadata-twice-after-stop-first-wins',
    'ok',
    stream([
      shortMessage(),
      MESSAGE_STOP,
      metadata({ outputTokens: 9 }),
      metadata({ outputTokens: 40 }),
    ]),
    { tokenEvents: 3 },
  );
  add(
    'metadata-in-its-own-http-chunk',
    'ok',
    () => {
      const head = Buffer.concat([shortMessage(), MESSAGE_STOP]);
      return {
        bytes: buildResponse(Buffer.concat([head, metadata()]), {
          headers: STREAM_HEADERS,
          framing: 'chunked',
          chunkSizes: [head.length, 10_000],
        }),
        ending: 'keep',
      };
    },
    { tokenEvents: 3 },
  );
  add(
    'metadata-one-byte-writes',
    'ok',
    () => ({ bytes: streamResponse(validBody(), 'chunked'), ending: 'keep', writes: 'bytewise' }),
    { tokenEvents: 3 },
  );
  const absurd = (name, usage) =>
    add(name, 'ok', stream(validBody(usage)), { tokenEvents: 3, usageIgnored: true });
  absurd('usage-output-1e300', { inputTokens: 9, outputTokens: 1e300 });
  absurd('usage-output-fractional', { inputTokens: 9, outputTokens: 8.5 });
  absurd('usage-output-string', { inputTokens: 9, outputTokens: '9' });
  absurd('usage-input-negative', { inputTokens: -3, outputTokens: 9 });
  absurd('usage-cache-read-2pow53', {
    inputTokens: 9,
    outputTokens: 9,
    cacheReadInputTokens: 2 ** 53,
  });
  absurd('usage-cache-write-object', { outputTokens: 9, cacheWriteInputTokens: {} });
  add(
    'usage-total-tokens-not-read',
    'ok',
    stream(validBody({ inputTokens: 9, outputTokens: 9, totalTokens: -1 })),
    { tokenEvents: 3 },
  );

  // The end.
  add(
    'no-message-stop-clean-close',
    'stream_interrupted',
    stream(shortMessage(), 'close', 'close'),
  );
  add('no-message-stop-metadata-only', 'stream_interrupted', stream([shortMessage(), metadata()]));
  add(
    'cut-inside-message-stop',
    'stream_interrupted',
    stream(Buffer.concat([shortMessage(), MESSAGE_STOP]).subarray(0, -3), 'close', 'close'),
  );
  add(
    'message-stop-then-cut-inside-metadata',
    'ok',
    stream(validBody().subarray(0, -20), 'close', 'close'),
    { tokenEvents: 3 },
  );
  add(
    'message-stop-then-connection-kept-open',
    'ok',
    () => ({ bytes: streamResponse([shortMessage(), MESSAGE_STOP], 'close'), ending: 'open' }),
    { tokenEvents: 3, maxE2eMs: 2000 },
  );
  add(
    'metadata-then-connection-kept-open',
    'ok',
    () => ({ bytes: streamResponse(validBody(), 'close'), ending: 'open' }),
    { tokenEvents: 3, maxE2eMs: 2000 },
  );
  add(
    'message-stop-then-reset-before-declared-length',
    'ok',
    () => ({
      bytes: buildResponse(validBody(), {
        headers: STREAM_HEADERS,
        framing: 'length',
        declaredLength: validBody().length + 300,
      }),
      ending: 'reset',
    }),
    { tokenEvents: 3 },
  );
  add(
    'message-stop-then-exception-and-garbage',
    'ok',
    (rng) => ({
      bytes: Buffer.concat([
        streamResponse(
          [shortMessage(), MESSAGE_STOP, exceptionFrame('throttlingException'), textDelta(' late')],
          'close',
        ),
        rng.bytes(200),
      ]),
      ending: 'close',
    }),
    { tokenEvents: 3 },
  );
  add(
    'message-stop-then-corrupt-metadata',
    'ok',
    stream([shortMessage(), MESSAGE_STOP, flipBit(metadata(), 30, 2).body]),
    { tokenEvents: 3 },
  );
  add(
    'message-stop-then-delta-then-metadata',
    'ok',
    stream([shortMessage(), MESSAGE_STOP, textDelta(' late'), metadata({ outputTokens: 9 })]),
    { tokenEvents: 3 },
  );
  add('empty-body', 'stream_interrupted', stream(Buffer.alloc(0)));
  add(
    'trailing-partial-prelude',
    'stream_interrupted',
    stream([shortMessage(), Buffer.alloc(7)], 'close', 'close'),
  );

  // Exceptions and errors inside the stream.
  const exceptionCase = (name, type, expect) =>
    add(
      name,
      expect,
      stream([messageStart(), textDelta('a'), exceptionFrame(type)], 'close', 'close'),
    );
  exceptionCase('exception-throttling', 'throttlingException', 'rate_limited');
  exceptionCase('exception-service-quota', 'serviceQuotaExceededException', 'rate_limited');
  exceptionCase('exception-validation', 'validationException', 'client_error');
  exceptionCase('exception-model-timeout', 'modelTimeoutException', 'timeout_total');
  exceptionCase('exception-model-stream-error', 'modelStreamErrorException', 'server_error');
  exceptionCase('exception-internal-server', 'internalServerException', 'server_error');
  exceptionCase('exception-service-unavailable', 'serviceUnavailableException', 'server_error');
  exceptionCase('exception-upper-case', 'THROTTLINGEXCEPTION', 'rate_limited');
  exceptionCase('exception-unknown-type', 'aFutureException', 'server_error');
  exceptionCase('exception-without-type', undefined, 'server_error');
  // Names every JavaScript object has: a type lookup must not take them for known types.
  exceptionCase('exception-type-constructor', 'constructor', 'server_error');
  exceptionCase('exception-type-to-string', 'toString', 'server_error');
  exceptionCase('exception-type-proto', '__proto__', 'server_error');
  add(
    'exception-payload-not-json',
    'rate_limited',
    stream([messageStart(), exceptionFrame('throttlingException', 'slow down')]),
  );
  add(
    'exception-message-1mb',
    'server_error',
    stream([
      messageStart(),
      exceptionFrame('internalServerException', { message: 'x'.repeat(1_000_000) }),
    ]),
    { maxErrorMessageChars: 1024 },
  );
  add(
    'error-message-type-with-code',
    'rate_limited',
    stream([messageStart(), errorFrame('ThrottlingException', 'Rate exceeded')]),
  );
  add(
    'error-message-type-without-code',
    'server_error',
    stream([messageStart(), errorFrame(undefined, undefined)]),
  );
  add(
    'exception-then-message-stop',
    'client_error',
    stream([
      messageStart(),
      textDelta('a'),
      exceptionFrame('validationException'),
      MESSAGE_STOP,
      metadata(),
    ]),
  );
  add(
    'two-exceptions-the-first-decides',
    'timeout_total',
    stream([
      messageStart(),
      exceptionFrame('modelTimeoutException'),
      exceptionFrame('throttlingException'),
    ]),
  );
  add(
    'exception-then-corrupt-frame',
    'protocol',
    stream([
      messageStart(),
      exceptionFrame('throttlingException'),
      flipBit(textDelta('x'), 20, 1).body,
    ]),
  );
  add(
    'unknown-message-type',
    'protocol',
    stream([
      messageStart(),
      encodeFrame([str(':message-type', 'request'), str(':event-type', 'contentBlockDelta')], '{}'),
      MESSAGE_STOP,
    ]),
  );
  add(
    'message-type-not-a-string-is-an-event',
    'ok',
    stream([
      messageStart(),
      encodeFrame(
        [
          { name: ':message-type', type: HEADER_TYPE.int, value: 1 },
          str(':event-type', 'messageStop'),
        ],
        '{}',
      ),
    ]),
    { tokenEvents: 0 },
  );
  add(
    'event-type-as-bytes-is-not-read',
    'stream_interrupted',
    stream([
      shortMessage(),
      encodeFrame(
        [
          { name: ':event-type', type: HEADER_TYPE.bytes, value: 'messageStop' },
          str(':message-type', 'event'),
        ],
        '{}',
      ),
    ]),
  );

  // Checksums and lengths.
  const broken = (name, frame, expect = 'protocol', ending = 'keep') =>
    add(name, expect, stream([shortMessage(), frame, MESSAGE_STOP, metadata()], ending));
  broken('prelude-checksum-flipped', flipBit(textDelta('x'), 9, 0).body);
  broken('message-checksum-flipped', flipBit(textDelta('x'), textDelta('x').length - 1, 7).body);
  broken('payload-bit-flipped', flipBit(textDelta('x'), 60, 3).body);
  broken('total-length-below-16', patchPrelude(textDelta('x'), 0, 15, true));
  broken('total-length-zero', patchPrelude(textDelta('x'), 0, 0, true));
  broken('headers-length-over-total', patchPrelude(textDelta('x'), 4, 0xffff, true));
  broken('total-length-absurd', patchPrelude(textDelta('x'), 0, 0xffffffff, true));
  broken(
    'total-length-one-over-the-cap',
    patchPrelude(textDelta('x'), 0, 8 * 1024 * 1024 + 1, true),
  );
  broken(
    'total-length-too-small',
    patchPrelude(textDelta('x'), 0, textDelta('x').length - 1, true),
  );
  broken(
    'total-length-too-large',
    patchPrelude(textDelta('x'), 0, textDelta('x').length + 7, true),
  );
  broken(
    'total-length-changed-prelude-checksum-stale',
    patchPrelude(textDelta('x'), 0, textDelta('x').length + 7, false),
  );
  add(
    'total-length-absurd-then-connection-kept-open',
    'protocol',
    () => ({
      bytes: streamResponse(
        [shortMessage(), patchPrelude(textDelta('x'), 0, 0x7fffffff, true)],
        'close',
      ),
      ending: 'open',
    }),
    { maxE2eMs: 2000 },
  );
  add(
    'last-frame-longer-than-the-body',
    'stream_interrupted',
    stream([shortMessage(), patchPrelude(MESSAGE_STOP, 0, MESSAGE_STOP.length + 50, true)]),
  );
  const headersLength = (frame) => frame.readUInt32BE(4);
  // The header section ends inside the last header's value (every checksum sound): a reader
  // must not take the bytes after the section, or after the frame, for the value.
  const stopContentTypeLast = encodeFrame(eventHeaders('messageStop', [0, 2, 1]), '{}');
  add(
    'header-value-runs-past-the-headers',
    'protocol',
    stream([
      shortMessage(),
      reseal(patchPrelude(stopContentTypeLast, 4, headersLength(stopContentTypeLast) - 3, false)),
      metadata(),
    ]),
  );
  add(
    'exception-type-runs-past-the-frame',
    'protocol',
    stream([
      messageStart(),
      textDelta('a'),
      encodeFrame(
        [
          str(':message-type', 'exception'),
          { raw: Buffer.from([15, ...Buffer.from(':exception-type'), 7, 0, 200, 0x78]) },
        ],
        '',
      ),
      MESSAGE_STOP,
    ]),
  );
  broken(
    'header-name-runs-past-the-headers',
    encodeFrame([...eventHeaders('contentBlockDelta'), { raw: Buffer.from([40, 0x61]) }], '{}'),
  );
  broken(
    'header-of-unknown-type',
    encodeFrame(
      [{ raw: Buffer.from([1, 0x78, 12, 0, 0]) }, ...eventHeaders('contentBlockDelta')],
      '{}',
    ),
  );
  // No headers: an event of no known type, whose payload is the old header bytes.
  add(
    'message-stop-headers-length-zero-checksums-sound',
    'stream_interrupted',
    stream([shortMessage(), reseal(patchPrelude(MESSAGE_STOP, 4, 0, false))]),
  );
  broken('zero-bytes-between-frames', Buffer.alloc(16));
  add('frames-merged-into-one', 'protocol', () => {
    const first = textDelta('one');
    const second = textDelta(' two');
    const merged = Buffer.concat([first.subarray(0, -4), second, Buffer.alloc(4)]);
    merged.writeUInt32BE(merged.length, 0);
    return {
      bytes: streamResponse([messageStart(), reseal(merged), MESSAGE_STOP, metadata()]),
      ending: 'keep',
    };
  });

  // Payloads that are not JSON objects, in events the client reads.
  const badPayload = (name, eventType, payload) =>
    add(
      name,
      'protocol',
      stream([
        messageStart(),
        textDelta('a'),
        eventFrame(eventType, payload),
        MESSAGE_STOP,
        metadata(),
      ]),
    );
  badPayload('delta-not-json', 'contentBlockDelta', '{"delta":{"text":"a"}');
  badPayload('delta-empty-payload', 'contentBlockDelta', '');
  badPayload('delta-json-array', 'contentBlockDelta', '[{"delta":{"text":"a"}}]');
  badPayload('delta-json-null', 'contentBlockDelta', 'null');
  badPayload('delta-with-bom', 'contentBlockDelta', '\ufeff{"delta":{"text":"a"}}');
  badPayload('metadata-not-json', 'metadata', 'usage: 9');

  // One byte at a time: every frame and every multi-byte character split across writes.
  add(
    'split-utf8-one-byte-writes',
    'ok',
    () => ({
      bytes: streamResponse(
        [messageStart(), textDelta('中文 🦀 café'), textDelta(' 👩‍💻'), MESSAGE_STOP, metadata()],
        'chunked',
      ),
      ending: 'keep',
      writes: 'bytewise',
    }),
    { tokenEvents: 2 },
  );
  add(
    'many-tiny-frames',
    'ok',
    () => {
      const frames = [messageStart()];
      for (let i = 0; i < 20_000; i++) frames.push(textDelta(i % 2 === 0 ? ' a' : ' b'));
      frames.push(MESSAGE_STOP);
      return { bytes: streamResponse(frames, 'chunked'), ending: 'keep' };
    },
    { tokenEvents: 20_000 },
  );

  // HTTP statuses with AWS error types, and bodies that are not event streams.
  const httpCase = (name, expect, status, type, options) =>
    add(name, expect, () => ({
      bytes: awsErrorResponse(status, type, 'm', options),
      ending: 'keep',
    }));
  httpCase('status-429-throttling', 'rate_limited', 429, 'ThrottlingException');
  httpCase(
    'status-400-throttling-coral-suffix',
    'rate_limited',
    400,
    'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
  );
  httpCase('status-400-service-quota-in-body', 'rate_limited', 400, undefined, {
    body: '{"__type":"com.amazon.coral.validate#ServiceQuotaExceededException","message":"quota"}',
  });
  httpCase('status-400-validation', 'client_error', 400, 'ValidationException');
  httpCase('status-404-resource-not-found', 'client_error', 404, 'ResourceNotFoundException');
  httpCase('status-403-access-denied', 'auth', 403, 'AccessDeniedException');
  httpCase('status-400-expired-token', 'auth', 400, 'ExpiredTokenException');
  httpCase('status-424-model-error', 'server_error', 424, 'ModelErrorException');
  httpCase('status-408-model-timeout', 'timeout_total', 408, 'ModelTimeoutException');
  httpCase('status-429-model-not-ready', 'server_error', 429, 'ModelNotReadyException');
  httpCase('status-503-service-unavailable', 'server_error', 503, 'ServiceUnavailableException');
  httpCase('status-400-unknown-type', 'client_error', 400, 'AFutureException');
  // Names every JavaScript object has: the status must decide.
  httpCase('status-400-type-constructor', 'client_error', 400, 'constructor');
  httpCase('status-500-type-proto', 'server_error', 500, '__proto__');
  httpCase('status-429-type-to-string', 'rate_limited', 429, 'toString');
  add(
    'json-with-status-200',
    'protocol',
    () => ({
      bytes: buildResponse(Buffer.from('{"output":{"message":{"content":[{"text":"hi"}]}}}'), {
        headers: [['Content-Type', 'application/json']],
      }),
      ending: 'keep',
    }),
    { messageIncludes: 'application/json' },
  );
  add('short-json-with-status-200', 'protocol', () => ({
    bytes: buildResponse(Buffer.from('{}'), { headers: [['Content-Type', 'application/json']] }),
    ending: 'keep',
  }));
  add('html-with-status-200', 'protocol', () => ({
    bytes: buildResponse(Buffer.from('<html><body>Sign in to continue</body></html>'), {
      headers: [['Content-Type', 'text/html']],
    }),
    ending: 'keep',
  }));
  add('sse-with-status-200', 'protocol', () => ({
    bytes: buildResponse(Buffer.from('data: {"delta":{"text":"a"}}\n\n'), {
      headers: [['Content-Type', 'text/event-stream']],
    }),
    ending: 'keep',
  }));
  add('gzip-stream', 'protocol', () => ({
    bytes: buildResponse(gzipSync(validBody()), {
      headers: [...STREAM_HEADERS, ['Content-Encoding', 'gzip']],
    }),
    ending: 'keep',
  }));

  // The size cap, lowered with --max-event-bytes.
  const words = (chars) => 'word '.repeat(Math.ceil(chars / 5)).slice(0, chars);
  add(
    'max-event-bytes-frame-over',
    'protocol',
    stream([messageStart(), textDelta(words(100_000)), MESSAGE_STOP, metadata()]),
    { maxEventBytes: 65_536 },
  );
  add(
    'max-event-bytes-under',
    'ok',
    stream([messageStart(), textDelta(words(60_000)), MESSAGE_STOP, metadata()]),
    { maxEventBytes: 65_536, tokenEvents: 1 },
  );

  return cases;
}

// ---------------------------------------------------------------------------------------
// The protocol, as the fuzz runner uses it
// ---------------------------------------------------------------------------------------

const MODEL = 'fuzz-model';
let configDir;
const configFiles = new Map();

/**
 * A config file that points a `bedrock` provider at `baseUrl`: the provider type has no
 * `base_url` for `--base-url` to set, only `endpoint_url`, which a config file gives. One
 * file per server, in a temporary folder removed when the suite's process exits.
 */
function configFileFor(baseUrl) {
  let path = configFiles.get(baseUrl);
  if (path !== undefined) return path;
  if (configDir === undefined) {
    configDir = mkdtempSync(join(tmpdir(), 'llm-lens-fuzz-bedrock-'));
    process.once('exit', () => rmSync(configDir, { recursive: true, force: true }));
  }
  path = join(configDir, `bedrock-${configFiles.size + 1}.json`);
  const config = {
    version: 1,
    providers: [
      {
        name: 'bedrock',
        type: 'bedrock',
        models: [MODEL],
        region: 'us-east-1',
        endpoint_url: baseUrl,
        // SigV4 with the dummy keys below, whatever AWS_BEARER_TOKEN_BEDROCK says.
        auth: 'sigv4',
      },
    ],
    scenarios: [{ name: 'fuzz', prompt: 'Say hello' }],
  };
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  configFiles.set(baseUrl, path);
  return path;
}

/** The Bedrock ConverseStream protocol module. */
export const bedrockConverse = {
  name: 'bedrock-converse',
  /**
   * How the CLI is pointed at the hostile server: a config file with the endpoint, region
   * and `auth: sigv4`. The adapter signs with AWS keys from the environment, which the
   * runner passes on to the CLI: dummy keys are set here, replacing any the suite was
   * started with (and its session token), so no real credential is sent to the server.
   */
  cliArgs: (baseUrl) => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFUZZNOTAREALKEY0';
    process.env.AWS_SECRET_ACCESS_KEY = 'fuzz-not-a-secret-key';
    delete process.env.AWS_SESSION_TOKEN;
    return ['-c', configFileFor(baseUrl), '-m', MODEL];
  },
  requestPath: `/model/${MODEL}/converse-stream`,
  contentType: EVENT_STREAM_CONTENT_TYPE,
  buildBaseStream,
  mutateStream,
  edgeCases,
  referenceOutcome,
};
