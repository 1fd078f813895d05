import { describe, expect, it } from 'vitest';
import { buildEdgeCases, buildMutatedCase } from '../src/cases.mjs';
import { readHttpResponse } from '../src/http-reference.mjs';
import { buildResponse } from '../src/http-wire.mjs';
import { Rng } from '../src/prng.mjs';
import {
  buildBaseStream,
  classOfGeminiError,
  classOfGeminiStatus,
  geminiStream,
  generatedText,
  googleJson,
  mutateStream,
  referenceOutcome,
} from '../src/protocols/gemini-stream.mjs';

const outcomeOf = (
  body,
  { ending = 'keep', framing = 'length', contentType, declaredLength } = {},
) =>
  referenceOutcome({
    bytes: buildResponse(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), {
      headers: [['Content-Type', contentType ?? 'text/event-stream']],
      framing,
      declaredLength,
    }),
    ending,
  });
const event = (payload) =>
  `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\r\n\r\n`;
const chunk = (parts, extra = {}) => ({
  candidates: [{ content: { parts, role: 'model' }, index: 0, ...extra.candidate }],
  ...(extra.usage === undefined ? {} : { usageMetadata: extra.usage }),
});
const text = (value, extra) => event(chunk([{ text: value }], extra));
const finish = (value, reason = 'STOP', usage) =>
  event(
    chunk(value === undefined ? [] : [{ text: value }], {
      candidate: { finishReason: reason },
      usage,
    }),
  );

describe('Gemini reference: text', () => {
  it('reads text, thought parts and tool text of the first candidate only', () => {
    const payload = {
      candidates: [
        {
          content: {
            parts: [
              { text: 'a' },
              { text: 'b', thought: true },
              { text: 'c', thought: 'true' },
              { functionCall: { name: 'f', args: { x: 1 } } },
              { functionCall: { name: 'g' } },
              { functionCall: { name: 'h', args: null } },
              { executableCode: { code: 'print(1)' } },
              { thoughtSignature: 'c2ln' },
              { text: 5 },
              'd',
            ],
          },
        },
        { content: { parts: [{ text: 'second' }] } },
      ],
    };
    expect(generatedText(payload)).toEqual({
      answer: 'ac',
      reasoning: 'b',
      tool: '{"x":1}{}{}print(1)',
    });
    expect(generatedText({ candidates: [null, { content: { parts: [{ text: 'x' }] } }] })).toEqual({
      answer: '',
      reasoning: '',
      tool: '',
    });
  });

  it('counts events with text as token events, across CRLF, LF and CR events', () => {
    const body = `${text('one')}${text('', { usage: { promptTokenCount: 3 } })}${text(' two').replaceAll('\r\n', '\n')}${finish(' three').replaceAll('\r\n', '\r')}`;
    expect(outcomeOf(body)).toMatchObject({
      errorClass: 'ok',
      tokenEvents: 3,
      outputTokensSource: 'tokenizer',
    });
  });

  it('writes JSON as Google does', () => {
    expect(googleJson({ a: [{ b: 'c' }, 1], d: undefined, e: null })).toBe(
      '{"a": [{"b": "c"},1],"e": null}',
    );
  });
});

describe('Gemini reference: usage', () => {
  it('takes candidates + thoughts of the last report that has either', () => {
    const usage = (fields) => ({ promptTokenCount: 5, ...fields });
    expect(
      outcomeOf(
        text('a', { usage: usage({ thoughtsTokenCount: 7 }) }) +
          finish('b', 'STOP', usage({ candidatesTokenCount: 2, thoughtsTokenCount: 7 })),
      ),
    ).toMatchObject({ outputTokens: 9, outputTokensSource: 'usage' });
    // Thoughts only, to the end: the visible count is 0.
    expect(
      outcomeOf(text('a') + finish('b', 'STOP', usage({ thoughtsTokenCount: 40 }))),
    ).toMatchObject({
      outputTokens: 40,
    });
    // A final report with only the prompt count erases nothing.
    expect(
      outcomeOf(
        text('a', { usage: usage({ candidatesTokenCount: 4 }) }) + finish('b', 'STOP', usage({})),
      ),
    ).toMatchObject({ outputTokens: 4 });
    expect(outcomeOf(text('a b') + finish('', 'STOP', usage({})))).toMatchObject({
      outputTokens: 2,
      outputTokensSource: 'tokenizer',
    });
  });

  it('ignores a report with a count that is not one, whole, and says why', () => {
    const ignored = outcomeOf(
      text('a', { usage: { candidatesTokenCount: 3 } }) +
        finish('b', 'STOP', { candidatesTokenCount: 4, cachedContentTokenCount: -1 }),
    );
    expect(ignored).toMatchObject({ outputTokens: 3 });
    expect(ignored.usageIgnored).toMatch(/cachedContentTokenCount -1/);
    for (const value of [1e300, 2.5, '9', 2 ** 53, 1e9 + 1, true, {}]) {
      const outcome = outcomeOf(text('a') + finish('', 'STOP', { thoughtsTokenCount: value }));
      expect(outcome.usageIgnored, String(value)).toBeDefined();
    }
    expect(
      outcomeOf(
        text('a') + finish('', 'STOP', { candidatesTokenCount: 1e9, thoughtsTokenCount: 1e9 }),
      ),
    ).toMatchObject({ outputTokens: 2e9, usageIgnored: undefined });
    expect(
      outcomeOf(
        text('a') + finish('', 'STOP', { candidatesTokenCount: null, thoughtsTokenCount: 2 }),
      ),
    ).toMatchObject({
      outputTokens: 2,
    });
  });

  it('gives an ok stream with neither text nor count no output count', () => {
    expect(outcomeOf(finish(undefined, 'STOP', { promptTokenCount: 4 }))).toMatchObject({
      errorClass: 'ok',
      tokenEvents: 0,
      outputTokens: null,
    });
  });
});

describe('Gemini reference: the end', () => {
  it('ends at the first finishReason or blockReason and ignores what follows', () => {
    expect(
      outcomeOf(
        finish('a', 'STOP', { candidatesTokenCount: 1 }) +
          text('late', { usage: { candidatesTokenCount: 99 } }) +
          event('{broken') +
          event({ error: { status: 'INTERNAL' } }),
      ),
    ).toMatchObject({ errorClass: 'ok', tokenEvents: 1, outputTokens: 1 });
    expect(
      outcomeOf(text('a') + event({ promptFeedback: { blockReason: 'SAFETY' } }) + text('b')),
    ).toMatchObject({
      errorClass: 'ok',
      tokenEvents: 1,
    });
  });

  it('needs a non-empty string finishReason on the first candidate, dispatched', () => {
    const cut = (body) => outcomeOf(body, { ending: 'close', framing: 'close' }).errorClass;
    expect(
      outcomeOf(text('a') + event(chunk([{ text: 'b' }], { candidate: { finishReason: 7 } })))
        .errorClass,
    ).toBe('stream_interrupted');
    expect(
      outcomeOf(text('a') + event(chunk([], { candidate: { finishReason: '' } }))).errorClass,
    ).toBe('stream_interrupted');
    expect(cut(text('a') + finish('b').slice(0, -2))).toBe('stream_interrupted');
    // The CR of the last blank line ends it.
    expect(cut(text('a') + finish('b').slice(0, -1))).toBe('ok');
    expect(
      outcomeOf(text('a') + finish('b'), { declaredLength: 5000, ending: 'reset' }).errorClass,
    ).toBe('ok');
    expect(outcomeOf(text('a'), { declaredLength: 5000, ending: 'reset' }).errorClass).toBe(
      'stream_interrupted',
    );
    expect(outcomeOf(text('a'), { framing: 'close', ending: 'open' }).errorClass).toBe(
      'timeout_total',
    );
  });

  it('makes an end without any text a client error unless the reason is STOP', () => {
    const classOf = (body) => outcomeOf(body).errorClass;
    expect(classOf(finish(undefined, 'SAFETY'))).toBe('client_error');
    expect(classOf(finish('', 'MAX_TOKENS'))).toBe('client_error');
    expect(classOf(finish(undefined, 'FINISH_REASON_UNSPECIFIED'))).toBe('client_error');
    expect(classOf(finish(undefined, 'STOP'))).toBe('ok');
    expect(classOf(event({ promptFeedback: { blockReason: 'OTHER' } }))).toBe('client_error');
    expect(classOf(event({ promptFeedback: { blockReason: 'BLOCK_REASON_UNSPECIFIED' } }))).toBe(
      'client_error',
    );
    // Reasoning and tool text are output: the stop just ends the response.
    expect(
      classOf(event(chunk([{ text: 'hm', thought: true }])) + finish(undefined, 'MAX_TOKENS')),
    ).toBe('ok');
    expect(classOf(finish('x', 'SAFETY'))).toBe('ok');
    // The end event's own error decides over the refusal.
    expect(
      classOf(
        event({ ...chunk([], { candidate: { finishReason: 'SAFETY' } }), error: { code: 429 } }),
      ),
    ).toBe('rate_limited');
  });
});

describe('Gemini reference: errors and data', () => {
  it('classifies error objects by the README status names, else by code', () => {
    expect(classOfGeminiError({ status: 'RESOURCE_EXHAUSTED' })).toBe('rate_limited');
    expect(classOfGeminiError({ status: 'PERMISSION_DENIED', code: 500 })).toBe('auth');
    expect(classOfGeminiError({ status: 'OUT_OF_RANGE' })).toBe('client_error');
    expect(classOfGeminiError({ status: 'DEADLINE_EXCEEDED' })).toBe('timeout_total');
    expect(classOfGeminiError({ status: 'ALREADY_EXISTS', code: 409 })).toBe('client_error');
    expect(classOfGeminiError({ status: 'UNIMPLEMENTED', code: 501 })).toBe('client_error');
    // A name the README does not list goes by its code; Object's members are not names.
    expect(classOfGeminiError({ status: 'constructor', code: 400 })).toBe('client_error');
    expect(classOfGeminiError({ status: 'A_FUTURE_STATUS', code: 503 })).toBe('server_error');
    expect(classOfGeminiError({ code: 429 })).toBe('rate_limited');
    expect(classOfGeminiError({ code: 403, status: 7 })).toBe('auth');
    expect(classOfGeminiError({ code: 504, status: '' })).toBe('timeout_total');
    expect(classOfGeminiError({ code: 404 })).toBe('client_error');
    expect(classOfGeminiError({ code: '429' })).toBe('server_error');
    expect(classOfGeminiError({})).toBe('server_error');
  });

  it('takes only an error object, the first deciding, a protocol error after it winning', () => {
    const classOf = (body) => outcomeOf(body).errorClass;
    expect(classOf(event({ error: 'INTERNAL' }) + text('a') + finish('b'))).toBe('ok');
    expect(
      classOf(
        event({ error: { status: 'UNAUTHENTICATED' } }) + event({ error: { status: 'INTERNAL' } }),
      ),
    ).toBe('auth');
    expect(
      classOf(text('a') + event({ error: { status: 'RESOURCE_EXHAUSTED' } }) + finish('b')),
    ).toBe('rate_limited');
    expect(classOf(event({ error: { status: 'INTERNAL' } }) + event('{oops') + finish('b'))).toBe(
      'protocol',
    );
  });

  it('makes data that is not a JSON object a protocol error until the end marker', () => {
    const classOf = (body) => outcomeOf(body).errorClass;
    expect(classOf(text('a') + event('[DONE]') + finish('b'))).toBe('protocol');
    expect(classOf(text('a') + event('[]'))).toBe('protocol');
    expect(classOf(text('a') + event(''))).toBe('protocol');
    expect(classOf(text('a') + finish('b') + event('[DONE]'))).toBe('ok');
    // Event names are not read.
    expect(classOf(`event: error\r\n${text('a')}${finish('b')}`)).toBe('ok');
  });

  it('says protocol for a 2xx that is no event stream and told nothing', () => {
    const json = outcomeOf('{"candidates": []}', { contentType: 'application/json' });
    expect(json).toMatchObject({ errorClass: 'protocol' });
    expect(json.reason).toContain('application/json');
    expect(outcomeOf(text('a'), { contentType: 'text/plain' }).errorClass).toBe(
      'stream_interrupted',
    );
  });

  it('classes HTTP errors by status, and a bad API key as auth', () => {
    const body = (details) =>
      Buffer.from(JSON.stringify({ error: { code: 400, status: 'INVALID_ARGUMENT', details } }));
    const keyInvalid = [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' },
    ];
    expect(classOfGeminiStatus(400, body(keyInvalid))).toBe('auth');
    expect(classOfGeminiStatus(400, body([]))).toBe('client_error');
    expect(classOfGeminiStatus(429, Buffer.from('not json'))).toBe('rate_limited');
    expect(classOfGeminiStatus(503, body([]))).toBe('server_error');
  });
});

describe('Gemini cases', () => {
  const edges = buildEdgeCases(geminiStream, 1);

  it.each(edges.map((item) => [item.key, item]))(
    '%s: the reference agrees with the declared outcome',
    (_, item) => {
      expect(item.expected.errorClass).toBe(item.declared);
      if (item.checks.tokenEvents !== undefined)
        expect(item.expected.tokenEvents).toBe(item.checks.tokenEvents);
      if (item.checks.usageIgnored) expect(item.expected.usageIgnored).toBeDefined();
    },
  );

  it('builds base streams the reference reads as they were meant, with the marks in place', () => {
    const endings = new Set();
    for (let seed = 0; seed < 300; seed++) {
      const base = buildBaseStream(new Rng(seed));
      const outcome = referenceOutcome({
        bytes: buildResponse(base.body, { headers: [['Content-Type', 'text/event-stream']] }),
        ending: 'keep',
      });
      const { marks } = base;
      expect(marks.end, `seed ${seed}`).toBe(marks.events.at(-1));
      expect(marks.end.end).toBe(base.body.length);
      for (const [start, end] of marks.json) {
        expect(base.body.subarray(Math.max(0, start - 6), start).toString()).toMatch(/data: ?$/);
        expect(end).toBeGreaterThan(start);
      }
      if (marks.done === undefined) {
        // Ends with an error object, a blocked prompt or a stop before any text.
        expect(outcome.errorClass, `seed ${seed}`).not.toBe('ok');
        endings.add(outcome.errorClass);
        continue;
      }
      expect(outcome, `seed ${seed}`).toMatchObject({ errorClass: 'ok' });
      expect(outcome.tokenEvents).toBeGreaterThan(0);
      const json = base.body.subarray(marks.done.jsonStart, marks.done.jsonEnd).toString();
      // Unless it was split over two data lines, the end event's data is its JSON.
      if (!/\r|\n/.test(json))
        expect(typeof JSON.parse(json).candidates[0].finishReason).toBe('string');
      endings.add('ok');
    }
    expect([...endings].sort()).toEqual(
      expect.arrayContaining(['client_error', 'ok', 'server_error']),
    );
  });

  it('makes the protocol mutations the brief lists', () => {
    const descriptions = [];
    for (let seed = 0; seed < 3000; seed++) {
      const rng = new Rng(seed);
      descriptions.push(mutateStream(rng, buildBaseStream(rng)).description);
    }
    const all = descriptions.join('\n');
    for (const name of [
      'line ends of the whole stream changed',
      'blank line missing',
      'a usage count that is not a count',
      'thoughts without candidatesTokenCount',
      'a finishReason here',
      'finishReason removed',
      'an event duplicated',
      'a blocked prompt',
      'an error object instead',
      'data that is not JSON',
      'a part of another shape',
      'a huge text part',
      'an event after the end',
      'inside JSON',
      'inside a multi-byte character',
      'inside the last blank line',
    ]) {
      expect(all, name).toContain(name);
    }
  });

  it('frames every mutated body validly, so the body alone decides the outcome', () => {
    for (let index = 0; index < 300; index++) {
      const item = buildMutatedCase(geminiStream, 99, index);
      const response = readHttpResponse(item.bytes, item.ending);
      expect(response, item.description).toMatchObject({ kind: 'response', status: 200 });
      expect(response.bodyEnd, item.description).not.toBe('framing');
    }
  });

  it('rebuilds the same case from the same seed and index', () => {
    const first = buildMutatedCase(geminiStream, 5, 4567);
    const again = buildMutatedCase(geminiStream, 5, 4567);
    expect(again.bytes.equals(first.bytes)).toBe(true);
    expect(again.description).toBe(first.description);
    expect(buildMutatedCase(geminiStream, 6, 4567).bytes.equals(first.bytes)).toBe(false);
  });
});
