import { describe, expect, it } from 'vitest';
import { buildEdgeCases, buildMutatedCase } from '../src/cases.mjs';
import { readHttpResponse } from '../src/http-reference.mjs';
import { buildResponse } from '../src/http-wire.mjs';
import { Rng } from '../src/prng.mjs';
import {
  buildBaseStream,
  cohereChat,
  referenceOutcome,
  STRUCTURE_REWRITES,
} from '../src/protocols/cohere-chat.mjs';

const outcomeOf = (body, { ending = 'keep', framing = 'length', contentType, status } = {}) =>
  referenceOutcome({
    bytes: buildResponse(Buffer.from(body, 'utf8'), {
      status,
      headers: [['Content-Type', contentType ?? 'text/event-stream']],
      framing,
    }),
    ending,
  });
const event = (name, payload) =>
  `event: ${name}\ndata: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
const typed = (type, fields = {}) => event(type, { type, ...fields });
const start = typed('message-start', { id: 't', delta: { message: { role: 'assistant' } } });
const content = (type, value) => typed(type, { index: 0, delta: { message: { content: value } } });
const text = (value) => content('content-delta', { text: value });
const end = (delta = { finish_reason: 'COMPLETE' }) => typed('message-end', { delta });
const failed = (errorType, error = 'boom') =>
  end({ finish_reason: 'ERROR', usage: {}, error, error_type: errorType });
const DONE = 'data: [DONE]\n\n';
/** The JSON between two marks, joined as the event-stream rules join a split payload. */
const jsonAt = (body, from, to) =>
  JSON.parse(
    body
      .subarray(from, to)
      .toString()
      .replace(/(\r\n|\r|\n)data: ?/g, '\n'),
  );

describe('Cohere Chat v2 reference outcome', () => {
  it('counts content, tool-plan and tool-call deltas as token events, nothing else', () => {
    const call = (type, args) =>
      typed(type, {
        index: 0,
        delta: { message: { tool_calls: { function: { arguments: args } } } },
      });
    const outcome = outcomeOf(
      start +
        content('content-start', { type: 'thinking', thinking: '' }) +
        content('content-delta', { thinking: 'hm' }) +
        typed('content-end', { index: 0 }) +
        text('Hi') +
        typed('tool-plan-delta', { delta: { message: { tool_plan: 'I will' } } }) +
        call('tool-call-start', '') +
        call('tool-call-delta', '{}') +
        typed('tool-call-end', { index: 0 }) +
        typed('citation-start', { delta: { message: { citations: { text: 'Hi' } } } }) +
        typed('debug', { delta: { message: { content: { text: 'no' } } } }) +
        end() +
        DONE,
    );
    expect(outcome).toMatchObject({
      errorClass: 'ok',
      tokenEvents: 4,
      outputTokensSource: 'tokenizer',
    });
  });

  it('counts text in a content-start like a delta, as the adapter documents', () => {
    expect(
      outcomeOf(
        start + content('content-start', { type: 'text', text: 'Hello' }) + text('!') + end(),
      ),
    ).toMatchObject({ tokenEvents: 2 });
    expect(
      outcomeOf(start + content('content-start', { type: 'text', text: '' }) + text('!') + end()),
    ).toMatchObject({ tokenEvents: 1 });
  });

  it('reads tool_calls as one call object, not an array', () => {
    const calls = (value) =>
      typed('tool-call-delta', { delta: { message: { tool_calls: value } } });
    expect(
      outcomeOf(
        start +
          calls([{ function: { arguments: 'a' } }]) +
          calls({ function: { arguments: 'b' } }) +
          end(),
      ),
    ).toMatchObject({ tokenEvents: 1 });
  });

  it('takes the output count from tokens, never from billed_units', () => {
    const usage = (value) => end({ finish_reason: 'COMPLETE', usage: value });
    expect(
      outcomeOf(
        start +
          text('a') +
          usage({
            billed_units: { output_tokens: 1e300 },
            tokens: { input_tokens: 5, output_tokens: 7 },
          }),
      ),
    ).toMatchObject({ outputTokens: 7, outputTokensSource: 'usage', usageIgnored: undefined });
    const ignored = outcomeOf(start + text('a b') + usage({ tokens: { output_tokens: 2.5 } }));
    expect(ignored).toMatchObject({ outputTokens: 2, outputTokensSource: 'tokenizer' });
    expect(ignored.usageIgnored).toMatch(/output_tokens 2\.5/);
    const cached = outcomeOf(
      start + text('a') + usage({ tokens: { output_tokens: 3 }, cached_tokens: -1 }),
    );
    expect(cached.usageIgnored).toMatch(/cached_tokens -1/);
    expect(
      outcomeOf(start + text('a b') + usage({ billed_units: { output_tokens: 9 } })),
    ).toMatchObject({ outputTokens: 2, outputTokensSource: 'tokenizer' });
    expect(outcomeOf(start + end())).toMatchObject({
      outputTokens: null,
      outputTokensSource: 'none',
    });
  });

  it('ends at the first message-end; a [DONE] is skipped and never the end', () => {
    expect(outcomeOf(start + text('a') + DONE)).toMatchObject({ errorClass: 'stream_interrupted' });
    expect(outcomeOf(start + text('a') + DONE + text('b') + end())).toMatchObject({
      errorClass: 'ok',
      tokenEvents: 2,
    });
    expect(
      outcomeOf(`${start}${text('a')}${end()}${text('b')}${failed('x')}data: {oops\n\n`),
    ).toMatchObject({ errorClass: 'ok', tokenEvents: 1 });
    expect(outcomeOf(`${start}data: [DONE] \n\n${end()}`).errorClass).toBe('protocol');
  });

  it('discards a message-end left open at the end of the body', () => {
    expect(
      outcomeOf(start + end().slice(0, -1), { ending: 'close', framing: 'close' }),
    ).toMatchObject({ errorClass: 'stream_interrupted' });
  });

  it('reads the payload type first and the event name only when the payload has none', () => {
    expect(outcomeOf(start + event('message-end', { type: 'content-end' })).errorClass).toBe(
      'stream_interrupted',
    );
    expect(outcomeOf(start + event('message-end', { delta: {} })).errorClass).toBe('ok');
    expect(outcomeOf(`${start}data: {"type":"message-end"}\n\n`).errorClass).toBe('ok');
    expect(outcomeOf(start + typed('message_end')).errorClass).toBe('stream_interrupted');
  });

  it('classifies failed generations by error_type, own names only', () => {
    const classOf = (body) => outcomeOf(start + text('a') + body).errorClass;
    expect(classOf(failed('INVALID_TOOL_GENERATION'))).toBe('client_error');
    expect(classOf(failed('INTERNAL_ERROR'))).toBe('server_error');
    expect(classOf(failed('constructor'))).toBe('server_error');
    expect(classOf(failed('__proto__'))).toBe('server_error');
    expect(classOf(failed(7))).toBe('server_error');
    expect(classOf(end({ finish_reason: 'ERROR' }))).toBe('server_error');
    expect(classOf(end({ finish_reason: 'COMPLETE', error: 'late failure' }))).toBe('server_error');
    expect(classOf(end({ finish_reason: 'COMPLETE', error: { message: 'x' } }))).toBe('ok');
    expect(classOf(end({ finish_reason: 'error' }))).toBe('ok');
    expect(classOf(failed('INVALID_TOOL_GENERATION') + end())).toBe('client_error');
  });

  it('makes data that is not a JSON object a protocol error, until message-end', () => {
    expect(outcomeOf(`${start}data: {oops\n\n${end()}`).errorClass).toBe('protocol');
    expect(outcomeOf(`${start}data: 3\n\n${end()}`).errorClass).toBe('protocol');
    expect(outcomeOf(`${start}data:\n\n${end()}`).errorClass).toBe('protocol');
  });

  it("classes Cohere's own statuses", () => {
    const classOf = (status) =>
      outcomeOf('{"message":"m"}', { status, contentType: 'application/json' }).errorClass;
    expect(classOf(402)).toBe('auth');
    expect(classOf(498)).toBe('auth');
    expect(classOf(499)).toBe('server_error');
    expect(classOf(400)).toBe('client_error');
    expect(classOf(429)).toBe('rate_limited');
  });

  it('says protocol for a 2xx that is no event stream and sent no token', () => {
    const json = outcomeOf('{"message":{"content":[]}}', { contentType: 'application/json' });
    expect(json).toMatchObject({ errorClass: 'protocol' });
    expect(json.reason).toContain('application/json');
    expect(outcomeOf(start + DONE, { contentType: 'text/plain' }).errorClass).toBe('protocol');
    expect(outcomeOf(start + text('a'), { contentType: 'text/plain' }).errorClass).toBe(
      'stream_interrupted',
    );
    expect(outcomeOf(start + end(), { contentType: 'text/plain' }).errorClass).toBe('ok');
  });
});

describe('Cohere Chat v2 cases', () => {
  const edges = buildEdgeCases(cohereChat, 1);

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
      const { eventStart, jsonStart, jsonEnd, lineEnd } = base.marks.end;
      const endPayload = jsonAt(base.body, jsonStart, jsonEnd);
      expect(endPayload.type).toBe('message-end');
      expect(base.body.subarray(lineEnd, lineEnd + base.lineEnd.length).toString()).toBe(
        base.lineEnd,
      );
      expect(base.marks.boundaries).toContain(eventStart);
      if (base.marks.done === undefined) {
        // A failed generation.
        expect(endPayload.delta.finish_reason).toBe('ERROR');
        expect(outcome.errorClass).not.toBe('ok');
        continue;
      }
      expect(outcome, `seed ${seed}`).toMatchObject({ errorClass: 'ok' });
      expect(outcome.tokenEvents).toBeGreaterThan(0);
      if (base.marks.doneData !== undefined) {
        const { start, lineEnd: doneEnd } = base.marks.doneData;
        expect(base.body.subarray(start, doneEnd).toString()).toMatch(/^data: ?\[DONE\]$/);
      }
      for (const [from, to] of base.marks.eventNames) {
        expect(base.body.subarray(from, to).toString()).toMatch(/^[a-z]+(-[a-z]+)*$/);
      }
    }
  });

  it('keeps the marks in place through structure rewrites', () => {
    for (const [name, rewrite] of Object.entries(STRUCTURE_REWRITES)) {
      for (let seed = 0; seed < 40; seed++) {
        const rng = new Rng(seed);
        const rewritten = rewrite(rng, buildBaseStream(rng));
        if (rewritten === undefined) continue;
        const { body, marks } = rewritten;
        if (name === 'remove message-end') expect(marks.end, name).toBeUndefined();
        else if (name !== 'a data line split inside its JSON') {
          const { jsonStart, jsonEnd, eventEnd } = marks.end;
          const payload = jsonAt(body, jsonStart, jsonEnd);
          expect(payload.type, name).toBe('message-end');
          expect(marks.boundaries, name).toContain(marks.end.eventStart);
          expect(eventEnd, name).toBeLessThanOrEqual(body.length);
        }
        if (marks.doneData !== undefined) {
          const { start, lineEnd } = marks.doneData;
          expect(body.subarray(start, lineEnd).toString(), name).toMatch(/^data: ?\[DONE\]$/);
        }
        for (const offset of marks.dataLines) {
          expect(body.subarray(offset, offset + 4).toString(), name).toBe('data');
        }
      }
    }
  });

  it('frames every mutated body validly, so the body alone decides the outcome', () => {
    for (let index = 0; index < 300; index++) {
      const item = buildMutatedCase(cohereChat, 99, index);
      const response = readHttpResponse(item.bytes, item.ending);
      expect(response, item.description).toMatchObject({ kind: 'response', status: 200 });
      expect(response.bodyEnd, item.description).not.toBe('framing');
    }
  });

  it('rebuilds the same case from the same seed and index', () => {
    const first = buildMutatedCase(cohereChat, 5, 4567);
    const again = buildMutatedCase(cohereChat, 5, 4567);
    expect(again.bytes.equals(first.bytes)).toBe(true);
    expect(again.description).toBe(first.description);
    expect(buildMutatedCase(cohereChat, 6, 4567).bytes.equals(first.bytes)).toBe(false);
  });
});
