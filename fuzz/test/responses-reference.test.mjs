import { describe, expect, it } from 'vitest';
import { buildEdgeCases, buildMutatedCase } from '../src/cases.mjs';
import { readHttpResponse } from '../src/http-reference.mjs';
import { buildResponse } from '../src/http-wire.mjs';
import { Rng } from '../src/prng.mjs';
import {
  buildBaseStream,
  mutateStream,
  openaiResponses,
  referenceOutcome,
} from '../src/protocols/openai-responses.mjs';

const outcomeOf = (
  body,
  { ending = 'keep', framing = 'length', contentType, declaredLength } = {},
) =>
  referenceOutcome({
    bytes: buildResponse(Buffer.from(body, 'utf8'), {
      headers: [['Content-Type', contentType ?? 'text/event-stream']],
      framing,
      declaredLength,
    }),
    ending,
  });
const event = (name, payload) =>
  `${name === undefined ? '' : `event: ${name}\n`}data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
const typed = (type, fields = {}) => event(type, { type, ...fields });
const delta = (type, text) => typed(type, { delta: text });
const text = (value) => delta('response.output_text.delta', value);
const created = typed('response.created', { response: { status: 'in_progress', usage: null } });
const completed = (usage = { input_tokens: 4, output_tokens: 7 }) =>
  typed('response.completed', { response: { status: 'completed', usage } });
const failed = (error) => typed('response.failed', { response: { status: 'failed', error } });
const errorEvent = (fields) => event('error', { type: 'error', ...fields });
const classOf = (body) => outcomeOf(created + body).errorClass;

describe('OpenAI Responses reference outcome', () => {
  it('counts the deltas of answer, reasoning and tool events as token events, nothing else', () => {
    const outcome = outcomeOf(
      created +
        text('Hi') +
        delta('response.refusal.delta', 'no') +
        delta('response.reasoning_summary_text.delta', 'hm') +
        delta('response.reasoning_text.delta', 'raw') +
        delta('response.function_call_arguments.delta', '{}') +
        delta('response.custom_tool_call_input.delta', 'in') +
        delta('response.mcp_call_arguments.delta', '{"a":1}') +
        delta('response.code_interpreter_call_code.delta', 'x=1') +
        text('') +
        delta('response.output_text.delta', 7) +
        typed('response.output_text.done', { text: 'Hi', delta: 'Hi' }) +
        typed('response.content_part.added', { delta: 'x' }) +
        typed('keepalive') +
        completed(null),
    );
    expect(outcome).toMatchObject({
      errorClass: 'ok',
      tokenEvents: 8,
      outputTokensSource: 'tokenizer',
    });
  });

  it('reads the JSON type when it is a string, the empty one included, else the event name', () => {
    expect(
      outcomeOf(
        created + event('response.completed', { type: 'response.output_text.delta', delta: 'a' }),
      ),
    ).toMatchObject({ errorClass: 'stream_interrupted' });
    expect(
      outcomeOf(
        created +
          event('response.output_text.delta', { delta: 'a' }) +
          event('response.completed', {}),
      ),
    ).toMatchObject({ errorClass: 'ok', tokenEvents: 1 });
    expect(outcomeOf(created + event('response.incomplete', { type: 5 }))).toMatchObject({
      errorClass: 'ok',
    });
    expect(outcomeOf(created + event('response.completed', { type: '' })).errorClass).toBe(
      'stream_interrupted',
    );
  });

  it('ends at the first terminal event and ignores everything after it', () => {
    const outcome = outcomeOf(
      `${created}${text('a')}${completed({ output_tokens: 3 })}${text('b')}${completed({ output_tokens: 50 })}${errorEvent({ code: 'rate_limit_exceeded' })}data: {oops\n\n`,
    );
    expect(outcome).toMatchObject({ errorClass: 'ok', tokenEvents: 1, outputTokens: 3 });
    expect(outcomeOf(created + text('a') + typed('response.incomplete')).errorClass).toBe('ok');
  });

  it('passes [DONE] over: it neither ends the stream nor breaks it', () => {
    expect(outcomeOf(`${created}data: [DONE]\n\n${text('a')}${completed()}`)).toMatchObject({
      errorClass: 'ok',
      tokenEvents: 1,
    });
    expect(
      outcomeOf(`${created}${text('a')}data: [DONE]\n\n`, { ending: 'close', framing: 'close' })
        .errorClass,
    ).toBe('stream_interrupted');
    expect(outcomeOf(`${created}data: [DONE] \n\n${completed()}`).errorClass).toBe('protocol');
  });

  it('takes a whole terminal event the body ends in, even when the connection was cut', () => {
    const body = created + text('a') + completed();
    const closed = { ending: 'close', framing: 'close' };
    expect(outcomeOf(body.slice(0, -1), closed).errorClass).toBe('ok');
    expect(outcomeOf(body.slice(0, -2), closed).errorClass).toBe('ok');
    expect(outcomeOf(body.slice(0, -5), closed).errorClass).toBe('stream_interrupted');
    expect(
      outcomeOf(body.slice(0, -1), { ending: 'reset', declaredLength: body.length + 50 })
        .errorClass,
    ).toBe('ok');
    // An open body never hands its last event over.
    expect(
      outcomeOf(body.slice(0, -1), { ending: 'open', declaredLength: body.length + 50 }).errorClass,
    ).toBe('timeout_total');
    // Only a terminal event: an error event left open is discarded.
    expect(
      outcomeOf(errorEvent({ code: 'rate_limit_exceeded' }).slice(0, -1), closed).errorClass,
    ).toBe('stream_interrupted');
    expect(outcomeOf(failed({ code: '429' }).slice(0, -1), closed).errorClass).toBe('rate_limited');
  });

  it('reads usage from the terminal event only, dropping a report with a bad count', () => {
    const withUsage = (usage) => outcomeOf(created + text('a b') + completed(usage));
    expect(withUsage({ output_tokens: 7 })).toMatchObject({
      outputTokens: 7,
      outputTokensSource: 'usage',
    });
    const ignored = withUsage({ output_tokens: 7, input_tokens_details: { cached_tokens: 2.5 } });
    expect(ignored).toMatchObject({ outputTokens: 2, outputTokensSource: 'tokenizer' });
    expect(ignored.usageIgnored).toMatch(/cached_tokens 2\.5/);
    expect(withUsage({ output_tokens: '7' }).usageIgnored).toMatch(/output_tokens "7"/);
    expect(withUsage({ input_tokens: 3 })).toMatchObject({ outputTokensSource: 'tokenizer' });
    expect(
      outcomeOf(
        typed('response.in_progress', { response: { usage: { output_tokens: 99 } } }) +
          text('a b') +
          completed(null),
      ),
    ).toMatchObject({ outputTokens: 2, outputTokensSource: 'tokenizer' });
    expect(outcomeOf(created + completed(null))).toMatchObject({ outputTokens: null });
  });

  it('adds reasoning back only where the total says it was left out', () => {
    const outputOf = (usage) => outcomeOf(created + completed(usage)).outputTokens;
    const details = { output_tokens_details: { reasoning_tokens: 196 } };
    expect(outputOf({ input_tokens: 291, output_tokens: 26, total_tokens: 513, ...details })).toBe(
      222,
    );
    expect(outputOf({ input_tokens: 291, output_tokens: 26, total_tokens: 317, ...details })).toBe(
      26,
    );
    expect(outputOf({ output_tokens: 26, ...details })).toBe(222);
    expect(
      outputOf({
        input_tokens: 32,
        output_tokens: 647,
        output_tokens_details: { reasoning_tokens: 640 },
        total_tokens: 679,
      }),
    ).toBe(647);
  });

  it('classifies error events by nested type and code, an error string, or the top-level code', () => {
    expect(classOf(errorEvent({ code: 'rate_limit_exceeded', message: 'm' }))).toBe('rate_limited');
    expect(classOf(errorEvent({ error: { type: 'insufficient_quota' } }))).toBe('rate_limited');
    expect(classOf(errorEvent({ error: { code: 403 } }))).toBe('auth');
    expect(classOf(errorEvent({ code: '404' }))).toBe('client_error');
    expect(classOf(errorEvent({ error: 'busy', error_type: 'rate_limit_error' }))).toBe(
      'rate_limited',
    );
    expect(classOf(errorEvent({ error: {}, code: 'rate_limit_exceeded' }))).toBe('server_error');
    expect(classOf(errorEvent({ error: 5, code: 'invalid_api_key' }))).toBe('auth');
    expect(classOf(errorEvent({ code: 'constructor' }))).toBe('server_error');
    expect(classOf(errorEvent({ error: { type: '__proto__', code: 'toString' } }))).toBe(
      'server_error',
    );
    expect(classOf(event(undefined, { error: { code: 'invalid_api_key' } }))).toBe('auth');
    expect(classOf(event('keepalive', { type: '', error: { code: 429 } }))).toBe('rate_limited');
    expect(classOf(event('response.in_progress', { error: { code: 429 } }) + completed())).toBe(
      'ok',
    );
  });

  it('takes response.failed as an error and the end; the first error decides', () => {
    expect(classOf(failed({ code: 'server_error', message: 'm' }))).toBe('server_error');
    expect(classOf(failed({ code: 'invalid_api_key' }) + text('late'))).toBe('auth');
    expect(classOf(failed(null))).toBe('server_error');
    expect(classOf(typed('response.failed', { response: [] }))).toBe('server_error');
    expect(classOf(errorEvent({ code: 'insufficient_quota' }) + failed({ code: '401' }))).toBe(
      'rate_limited',
    );
    expect(classOf(errorEvent({ code: '401' }) + completed())).toBe('auth');
    expect(classOf(completed() + errorEvent({ code: '401' }))).toBe('ok');
    expect(classOf(`${errorEvent({ code: '401' })}data: {oops\n\n`)).toBe('protocol');
  });

  it('makes data that is not a JSON object a protocol error, until the end', () => {
    expect(classOf(`data: {oops\n\n${completed()}`)).toBe('protocol');
    expect(classOf(`event: response.completed\ndata: []\n\n`)).toBe('protocol');
    expect(classOf(`event: keepalive\ndata:\n\n${completed()}`)).toBe('protocol');
    expect(classOf(`${completed()}data: null\n\n`)).toBe('ok');
  });

  it('says protocol for a clean 2xx that is no event stream and decoded nothing', () => {
    const json = outcomeOf('{"object":"response","status":"completed"}', {
      contentType: 'application/json',
    });
    expect(json).toMatchObject({ errorClass: 'protocol' });
    expect(json.reason).toContain('application/json');
    expect(outcomeOf(created, { contentType: 'text/plain' }).errorClass).toBe('stream_interrupted');
    expect(
      outcomeOf('{"object":"response"', {
        contentType: 'application/json',
        ending: 'reset',
        declaredLength: 400,
      }).errorClass,
    ).toBe('stream_interrupted');
  });
});

describe('OpenAI Responses cases', () => {
  const edges = buildEdgeCases(openaiResponses, 1);

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
      const { terminal, done } = base.marks;
      if (done === undefined) {
        // Ends with an error event, or response.failed.
        expect(outcome.errorClass, `seed ${seed}`).not.toBe('ok');
      } else {
        expect(outcome, `seed ${seed}`).toMatchObject({ errorClass: 'ok' });
        expect(done).toEqual(terminal);
      }
      if (terminal !== undefined) {
        // The payload may continue on a second data line: its type comes first either way.
        const payload = base.body.subarray(terminal.jsonStart, terminal.jsonEnd).toString();
        expect(payload).toMatch(/^\{"type":"response\.(completed|incomplete|failed)"/);
        expect(base.marks.boundaries).toContain(terminal.eventStart);
        const after = base.body.subarray(terminal.eventEnd).toString();
        expect(after === '' || after.startsWith('data: [DONE]')).toBe(true);
      }
      const names = base.marks.eventNames.map(([from, to]) =>
        base.body.subarray(from, to).toString(),
      );
      if (names.length > 0) expect(names[0]).toBe('response.created');
      for (const [from, to] of base.marks.eventLines) {
        expect(base.body.subarray(from, to).toString()).toMatch(/^event: ?[\w.]+(\r\n|\r|\n)$/);
      }
      // The client parses in 4 KiB slices and the size-cap cases lower the cap to 3 KiB:
      // every line of a base stream (the control case is one) stays far under both.
      const lines = base.body.toString().split(/\r\n|\r|\n/);
      expect(Math.max(...lines.map((line) => Buffer.byteLength(line)))).toBeLessThan(2_600);
    }
  });

  it('mutates every base stream into bytes that say what was done to them', () => {
    for (let seed = 0; seed < 300; seed++) {
      const rng = new Rng(seed);
      const mutated = mutateStream(rng, buildBaseStream(rng));
      expect(mutated.description.length).toBeGreaterThan(0);
      expect(Buffer.isBuffer(mutated.body)).toBe(true);
    }
  });

  it('frames every mutated body validly, so the body alone decides the outcome', () => {
    for (let index = 0; index < 300; index++) {
      const item = buildMutatedCase(openaiResponses, 99, index);
      const response = readHttpResponse(item.bytes, item.ending);
      expect(response, item.description).toMatchObject({ kind: 'response', status: 200 });
      expect(response.bodyEnd, item.description).not.toBe('framing');
    }
  });

  it('rebuilds the same case from the same seed and index', () => {
    const first = buildMutatedCase(openaiResponses, 5, 4567);
    const again = buildMutatedCase(openaiResponses, 5, 4567);
    expect(again.bytes.equals(first.bytes)).toBe(true);
    expect(again.description).toBe(first.description);
    expect(buildMutatedCase(openaiResponses, 6, 4567).bytes.equals(first.bytes)).toBe(false);
  });
});
