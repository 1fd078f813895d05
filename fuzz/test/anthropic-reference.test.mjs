import { describe, expect, it } from 'vitest';
import { buildEdgeCases, buildMutatedCase } from '../src/cases.mjs';
import { readHttpResponse } from '../src/http-reference.mjs';
import { buildResponse } from '../src/http-wire.mjs';
import { Rng } from '../src/prng.mjs';
import {
  anthropicMessages,
  buildBaseStream,
  referenceOutcome,
} from '../src/protocols/anthropic-messages.mjs';

const outcomeOf = (body, { ending = 'keep', framing = 'length', contentType } = {}) =>
  referenceOutcome({
    bytes: buildResponse(Buffer.from(body, 'utf8'), {
      headers: [['Content-Type', contentType ?? 'text/event-stream']],
      framing,
    }),
    ending,
  });
const event = (name, payload) =>
  `event: ${name}\ndata: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
const start = (usage = { input_tokens: 5, output_tokens: 1 }) =>
  event('message_start', { type: 'message_start', message: { id: 'msg_t', usage } });
const delta = (kind, field, text) =>
  event('content_block_delta', {
    type: 'content_block_delta',
    index: 0,
    delta: { type: kind, [field]: text },
  });
const text = (value) => delta('text_delta', 'text', value);
const stop = event('message_stop', { type: 'message_stop' });
const error = (type) => event('error', { type: 'error', error: { type, message: 'm' } });

describe('Anthropic Messages reference outcome', () => {
  it('counts text, thinking and tool-input deltas as token events, nothing else', () => {
    const outcome = outcomeOf(
      start() +
        event('ping', { type: 'ping' }) +
        delta('thinking_delta', 'thinking', 'hm') +
        delta('signature_delta', 'signature', 'c2ln') +
        text('Hi') +
        delta('input_json_delta', 'partial_json', '') +
        delta('input_json_delta', 'partial_json', '{}') +
        delta('citations_delta', 'text', 'not text') +
        stop,
    );
    expect(outcome).toMatchObject({ errorClass: 'ok', tokenEvents: 3, outputTokens: 1 });
  });

  it('takes the output count from the last valid usage, message_delta after message_start', () => {
    const messageDelta = (usage) => event('message_delta', { type: 'message_delta', usage });
    expect(
      outcomeOf(start() + text('a') + messageDelta({ output_tokens: 7 }) + stop),
    ).toMatchObject({ outputTokens: 7, outputTokensSource: 'usage' });
    const ignored = outcomeOf(start() + text('a') + messageDelta({ output_tokens: 1e300 }) + stop);
    expect(ignored).toMatchObject({ outputTokens: 1, outputTokensSource: 'usage' });
    expect(ignored.usageIgnored).toMatch(/output_tokens 1e\+300/);
    const thinking = outcomeOf(
      start() +
        messageDelta({ output_tokens: 3, output_tokens_details: { thinking_tokens: 2.5 } }) +
        stop,
    );
    expect(thinking.usageIgnored).toMatch(/thinking_tokens 2\.5/);
    expect(
      outcomeOf(
        event('message_start', { type: 'message_start', message: {} }) + text('a b') + stop,
      ),
    ).toMatchObject({ outputTokens: 2, outputTokensSource: 'tokenizer' });
  });

  it('reads the payload type first and the event name only when the payload has none', () => {
    expect(outcomeOf(start() + event('message_stop', { type: 'ping' }))).toMatchObject({
      errorClass: 'stream_interrupted',
    });
    expect(outcomeOf(start() + event('message_stop', {}))).toMatchObject({ errorClass: 'ok' });
    expect(outcomeOf(`${start()}data: {"type":"message_stop"}\n\n`)).toMatchObject({
      errorClass: 'ok',
    });
  });

  it('discards a message_stop left open at the end of the body', () => {
    expect(
      outcomeOf(`${start()}event: message_stop\ndata: {"type":"message_stop"}\n`, {
        ending: 'close',
        framing: 'close',
      }),
    ).toMatchObject({ errorClass: 'stream_interrupted' });
  });

  it('classifies error events by error.type, own names only, the first deciding', () => {
    const classOf = (body) => outcomeOf(start() + body).errorClass;
    expect(classOf(error('rate_limit_error'))).toBe('rate_limited');
    expect(classOf(error('billing_error'))).toBe('auth');
    expect(classOf(error('request_too_large'))).toBe('client_error');
    expect(classOf(error('timeout_error'))).toBe('timeout_total');
    expect(classOf(error('constructor'))).toBe('server_error');
    expect(classOf(event('error', { type: 'error', error: 'text' }))).toBe('server_error');
    expect(classOf(error('authentication_error') + error('overloaded_error') + stop)).toBe('auth');
    expect(classOf(stop + error('rate_limit_error'))).toBe('ok');
  });

  it('makes data that is not a JSON object a protocol error, until message_stop', () => {
    expect(outcomeOf(`${start()}event: ping\ndata: {oops\n\n${stop}`).errorClass).toBe('protocol');
    expect(outcomeOf(`${start()}event: ping\ndata: 3\n\n${stop}`).errorClass).toBe('protocol');
    expect(outcomeOf(`${start()}${stop}event: ping\ndata: {oops\n\n`).errorClass).toBe('ok');
  });

  it('says protocol for a 2xx that is no event stream and told nothing', () => {
    const json = outcomeOf('{"type":"error","error":{"type":"api_error"}}', {
      contentType: 'application/json',
    });
    expect(json).toMatchObject({ errorClass: 'protocol' });
    expect(json.reason).toContain('application/json');
    // A ping tells nothing either.
    expect(
      outcomeOf(event('ping', { type: 'ping' }), { contentType: 'text/plain' }).errorClass,
    ).toBe('protocol');
    expect(outcomeOf(start(), { contentType: 'text/plain' }).errorClass).toBe('stream_interrupted');
  });
});

describe('Anthropic Messages cases', () => {
  const edges = buildEdgeCases(anthropicMessages, 1);

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
        bytes: buildResponse(base.body, { headers: [['Content-Type', 'text/event-stream']] }),
        ending: 'keep',
      });
      if (base.marks.done === undefined) {
        // Ends with an error event instead of message_stop.
        expect(outcome.errorClass).not.toBe('ok');
        continue;
      }
      expect(outcome, `seed ${seed}`).toMatchObject({ errorClass: 'ok' });
      expect(outcome.tokenEvents).toBeGreaterThan(0);
      const { eventStart, jsonStart, jsonEnd } = base.marks.done;
      expect(base.body.subarray(jsonStart, jsonEnd).toString()).toBe('{"type":"message_stop"}');
      expect(eventStart).toBe(base.marks.boundaries.at(-1));
      const names = base.marks.eventNames.map(([from, to]) =>
        base.body.subarray(from, to).toString(),
      );
      expect(names[0]).toBe('message_start');
      expect(names.at(-1)).toBe('message_stop');
      expect(names.filter((name) => name === 'content_block_start').length).toBe(
        names.filter((name) => name === 'content_block_stop').length,
      );
    }
  });

  it('frames every mutated body validly, so the body alone decides the outcome', () => {
    for (let index = 0; index < 300; index++) {
      const item = buildMutatedCase(anthropicMessages, 99, index);
      const response = readHttpResponse(item.bytes, item.ending);
      expect(response, item.description).toMatchObject({ kind: 'response', status: 200 });
      expect(response.bodyEnd, item.description).not.toBe('framing');
    }
  });

  it('rebuilds the same case from the same seed and index', () => {
    const first = buildMutatedCase(anthropicMessages, 5, 4567);
    const again = buildMutatedCase(anthropicMessages, 5, 4567);
    expect(again.bytes.equals(first.bytes)).toBe(true);
    expect(again.description).toBe(first.description);
    expect(buildMutatedCase(anthropicMessages, 6, 4567).bytes.equals(first.bytes)).toBe(false);
  });
});
