import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildEdgeCases, buildMutatedCase } from '../src/cases.mjs';
import { readHttpResponse } from '../src/http-reference.mjs';
import { buildResponse } from '../src/http-wire.mjs';
import { Rng } from '../src/prng.mjs';
import {
  bedrockConverse,
  buildBaseStream,
  EVENT_STREAM_CONTENT_TYPE,
  encodeFrame,
  errorFrame,
  eventFrame,
  exceptionFrame,
  HEADER_TYPE,
  parseHeaders,
  readFrames,
  referenceOutcome,
} from '../src/protocols/bedrock-converse.mjs';

const outcomeOf = (frames, { ending = 'keep', framing = 'length', contentType, status } = {}) =>
  referenceOutcome({
    bytes: buildResponse(Buffer.concat(frames), {
      status,
      headers: [['Content-Type', contentType ?? EVENT_STREAM_CONTENT_TYPE]],
      framing,
    }),
    ending,
  });
const start = eventFrame('messageStart', { role: 'assistant' });
const delta = (value) => eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: value });
const text = (value) => delta({ text: value });
const stop = eventFrame('messageStop', { stopReason: 'end_turn' });
const metadata = (usage, metrics = { latencyMs: 5 }) => eventFrame('metadata', { usage, metrics });
const str = (name, value) => ({ name, type: HEADER_TYPE.string, value });

describe('the reference frame reader', () => {
  it('reads frames it encoded, with every header type', () => {
    const frame = encodeFrame(
      [
        str(':event-type', 'contentBlockDelta'),
        { name: 't', type: HEADER_TYPE.true },
        { name: 'f', type: HEADER_TYPE.false },
        { name: 'b', type: HEADER_TYPE.byte, value: -2 },
        { name: 's', type: HEADER_TYPE.short, value: 513 },
        { name: 'i', type: HEADER_TYPE.int, value: -1 },
        { name: 'l', type: HEADER_TYPE.long, value: 2n ** 40n },
        { name: 'x', type: HEADER_TYPE.bytes, value: Buffer.from([1, 2]) },
        { name: 'ts', type: HEADER_TYPE.timestamp, value: 0 },
        { name: 'u', type: HEADER_TYPE.uuid, value: Buffer.alloc(16, 1) },
      ],
      '{"a":1}',
    );
    expect(frame.readUInt32BE(0)).toBe(frame.length);
    expect(frame.readUInt32BE(8)).toBe(crc32(frame.subarray(0, 8)));
    expect(frame.readUInt32BE(frame.length - 4)).toBe(crc32(frame.subarray(0, -4)));
    const [item, ...rest] = [...readFrames(Buffer.concat([frame, stop]))];
    expect(rest).toHaveLength(1);
    expect(item.kind).toBe('frame');
    expect(item.headers.get(':event-type')).toEqual({
      type: HEADER_TYPE.string,
      value: 'contentBlockDelta',
    });
    expect(item.headers.get('s').value.readInt16BE(0)).toBe(513);
    expect(item.headers.get('u').value).toHaveLength(16);
    expect(item.payload.toString()).toBe('{"a":1}');
  });

  it('judges the prelude as soon as it is there, and a frame once whole', () => {
    const kinds = (bytes) => [...readFrames(bytes)].map((item) => item.kind);
    const frame = text('x');
    expect(kinds(frame.subarray(0, 11))).toEqual(['partial']);
    expect(kinds(frame.subarray(0, 12))).toEqual(['partial']);
    const badPrelude = Buffer.from(frame);
    badPrelude[9] ^= 1;
    expect(kinds(badPrelude.subarray(0, 12))).toEqual(['broken']);
    const absurd = Buffer.from(frame);
    absurd.writeUInt32BE(0xffffffff, 0);
    absurd.writeUInt32BE(crc32(absurd.subarray(0, 8)), 8);
    expect(kinds(absurd.subarray(0, 12))).toEqual(['broken']);
    // A sound prelude and a damaged payload: nothing to say until the frame is whole.
    const badPayload = Buffer.from(frame);
    badPayload[frame.length - 6] ^= 1;
    expect(kinds(badPayload.subarray(0, -1))).toEqual(['partial']);
    expect(kinds(badPayload)).toEqual(['broken']);
  });

  it('refuses headers that run past their section or have an unknown type', () => {
    expect(parseHeaders(Buffer.from([1, 0x61, 7, 0, 5, 0x62])).error).toMatch(/runs past/);
    expect(parseHeaders(Buffer.from([3, 0x61])).error).toMatch(/name runs past/);
    expect(parseHeaders(Buffer.from([1, 0x61, 10])).error).toMatch(/unknown type 10/);
    expect(parseHeaders(Buffer.from([0, 0])).headers.get('')).toEqual({
      type: 0,
      value: Buffer.alloc(0),
    });
  });
});

describe('the ConverseStream reference outcome', () => {
  it('counts text, reasoning and tool-input deltas as token events, nothing else', () => {
    const outcome = outcomeOf([
      start,
      delta({ reasoningContent: { text: 'hm' } }),
      delta({ reasoningContent: { signature: 'c2ln' } }),
      text('Hi'),
      text(''),
      delta({ toolUse: { input: '' } }),
      delta({ toolUse: { input: '{}' } }),
      delta({ text: 'a', toolUse: { input: 'b' } }),
      eventFrame('contentBlockStop', { contentBlockIndex: 0 }),
      stop,
      metadata({ inputTokens: 4, outputTokens: 6 }),
    ]);
    expect(outcome).toMatchObject({
      errorClass: 'ok',
      tokenEvents: 4,
      outputTokens: 6,
      outputTokensSource: 'usage',
    });
  });

  it('reads the metadata after messageStop, and nothing else after it', () => {
    const base = [start, text('one two'), stop];
    expect(outcomeOf([...base, metadata({ outputTokens: 7 })])).toMatchObject({
      errorClass: 'ok',
      outputTokens: 7,
    });
    expect(outcomeOf(base)).toMatchObject({
      errorClass: 'ok',
      outputTokens: 2,
      outputTokensSource: 'tokenizer',
    });
    expect(
      outcomeOf([
        ...base,
        exceptionFrame('throttlingException'),
        text(' late'),
        metadata({ outputTokens: 7 }),
        metadata({ outputTokens: 70 }),
      ]),
    ).toMatchObject({ errorClass: 'ok', tokenEvents: 1, outputTokens: 7 });
    const corrupt = Buffer.from(metadata({ outputTokens: 7 }));
    corrupt[20] ^= 4;
    expect(outcomeOf([...base, corrupt])).toMatchObject({ errorClass: 'ok', outputTokens: 2 });
    expect(outcomeOf([...base, eventFrame('metadata', 'oops')])).toMatchObject({
      errorClass: 'ok',
    });
  });

  it('ignores a usage report with a count that is not a count, keeping the last valid one', () => {
    const outcome = outcomeOf([
      start,
      text('a'),
      metadata({ outputTokens: 3 }),
      stop,
      metadata({ outputTokens: 9, cacheReadInputTokens: 2.5 }),
    ]);
    expect(outcome).toMatchObject({ errorClass: 'ok', outputTokens: 3 });
    expect(outcome.usageIgnored).toMatch(/cacheReadInputTokens 2\.5/);
    expect(
      outcomeOf([start, text('a'), stop, metadata({ outputTokens: 3, totalTokens: -1 })]),
    ).toMatchObject({ outputTokens: 3, usageIgnored: undefined });
  });

  it('classifies exception and error frames by type, own names only, the first deciding', () => {
    const classOf = (...frames) => outcomeOf([start, ...frames]).errorClass;
    expect(classOf(exceptionFrame('throttlingException'))).toBe('rate_limited');
    expect(classOf(exceptionFrame('ThrottlingException'))).toBe('rate_limited');
    expect(classOf(exceptionFrame('validationException'))).toBe('client_error');
    expect(classOf(exceptionFrame('modelTimeoutException'))).toBe('timeout_total');
    expect(classOf(exceptionFrame('modelStreamErrorException'))).toBe('server_error');
    expect(classOf(exceptionFrame(undefined))).toBe('server_error');
    expect(classOf(exceptionFrame('constructor'))).toBe('server_error');
    expect(classOf(exceptionFrame('__proto__'))).toBe('server_error');
    expect(classOf(errorFrame('ThrottlingException'))).toBe('rate_limited');
    expect(
      classOf(exceptionFrame('validationException'), exceptionFrame('throttlingException'), stop),
    ).toBe('client_error');
    const corrupt = Buffer.from(text('x'));
    corrupt[14] ^= 1;
    expect(classOf(exceptionFrame('throttlingException'), corrupt)).toBe('protocol');
  });

  it('makes broken frames, unknown message types and unreadable payloads protocol errors', () => {
    const classOf = (...frames) => outcomeOf([start, ...frames, stop]).errorClass;
    const badCrc = Buffer.from(text('x'));
    badCrc[badCrc.length - 1] ^= 1;
    expect(classOf(badCrc)).toBe('protocol');
    expect(classOf(encodeFrame([str(':message-type', 'request')], '{}'))).toBe('protocol');
    expect(classOf(eventFrame('contentBlockDelta', '{oops'))).toBe('protocol');
    expect(classOf(eventFrame('metadata', '[]'))).toBe('protocol');
    // Payloads the client does not read are not parsed.
    expect(classOf(eventFrame('contentBlockStop', '{oops'))).toBe('ok');
    expect(classOf(eventFrame('aFutureEvent', ''))).toBe('ok');
  });

  it('says interrupted for a body cut inside a frame, timeout for one that stays open', () => {
    const cut = Buffer.concat([start, text('a'), stop]).subarray(0, -5);
    expect(outcomeOf([cut], { framing: 'close', ending: 'close' }).errorClass).toBe(
      'stream_interrupted',
    );
    expect(outcomeOf([cut], { framing: 'close', ending: 'open' }).errorClass).toBe('timeout_total');
  });

  it('says protocol for a 2xx that is no event stream and told nothing', () => {
    const json = outcomeOf([Buffer.from('{"output":{}}')], { contentType: 'application/json' });
    expect(json).toMatchObject({ errorClass: 'protocol' });
    expect(outcomeOf([Buffer.from('{}')], { contentType: 'application/json' })).toMatchObject({
      errorClass: 'protocol',
      reason: expect.stringContaining('application/json'),
    });
    expect(outcomeOf([start, text('a')], { contentType: 'text/plain' }).errorClass).toBe(
      'stream_interrupted',
    );
  });

  it('classifies HTTP errors by the AWS error type, else by status', () => {
    const classOf = (status, headers, body = '{"message":"m"}') =>
      referenceOutcome({
        bytes: buildResponse(Buffer.from(body), { status, headers }),
        ending: 'keep',
      }).errorClass;
    expect(classOf(400, [['x-amzn-ErrorType', 'ThrottlingException:http://x/']])).toBe(
      'rate_limited',
    );
    expect(classOf(424, [['x-amzn-ErrorType', 'ModelErrorException']])).toBe('server_error');
    expect(classOf(400, [], '{"__type":"com.amazon#AccessDeniedException"}')).toBe('auth');
    expect(classOf(400, [['x-amzn-ErrorType', 'constructor']])).toBe('client_error');
    expect(classOf(503, [])).toBe('server_error');
  });
});

describe('Bedrock ConverseStream cases', () => {
  const edges = buildEdgeCases(bedrockConverse, 1);

  it.each(edges.map((item) => [item.key, item]))(
    '%s: the reference agrees with the declared outcome',
    (_, item) => {
      expect(item.expected.errorClass).toBe(item.declared);
      if (item.checks.tokenEvents !== undefined)
        expect(item.expected.tokenEvents).toBe(item.checks.tokenEvents);
      if (item.checks.usageIgnored) expect(item.expected.usageIgnored).toBeDefined();
    },
  );

  it('builds base streams the reference reads as complete, with the marks in place', () => {
    for (let seed = 0; seed < 200; seed++) {
      const base = buildBaseStream(new Rng(seed));
      const outcome = referenceOutcome({
        bytes: buildResponse(base.body, { headers: [['Content-Type', EVENT_STREAM_CONTENT_TYPE]] }),
        ending: 'keep',
      });
      const { frames, stop: stopIndex, done } = base.marks;
      expect(frames[0].start).toBe(0);
      expect(frames.at(-1).end).toBe(base.body.length);
      expect(frames[0].label).toBe('messageStart');
      if (done === undefined) {
        // Ends with an exception frame instead of messageStop.
        expect(outcome.errorClass).not.toBe('ok');
        continue;
      }
      expect(outcome, `seed ${seed}`).toMatchObject({ errorClass: 'ok' });
      expect(outcome.tokenEvents).toBeGreaterThan(0);
      expect(frames[stopIndex]).toBe(done);
      const [item] = [...readFrames(base.body.subarray(done.start, done.end))];
      expect(item.headers.get(':event-type').value).toBe('messageStop');
    }
  });

  it('frames every mutated body validly, so the body alone decides the outcome', () => {
    for (let index = 0; index < 300; index++) {
      const item = buildMutatedCase(bedrockConverse, 99, index);
      const response = readHttpResponse(item.bytes, item.ending);
      expect(response, item.description).toMatchObject({ kind: 'response', status: 200 });
      expect(response.bodyEnd, item.description).not.toBe('framing');
    }
  });

  it('rebuilds the same case from the same seed and index', () => {
    const first = buildMutatedCase(bedrockConverse, 5, 4567);
    const again = buildMutatedCase(bedrockConverse, 5, 4567);
    expect(again.bytes.equals(first.bytes)).toBe(true);
    expect(again.description).toBe(first.description);
    expect(buildMutatedCase(bedrockConverse, 6, 4567).bytes.equals(first.bytes)).toBe(false);
  });
});
