import { describe, expect, it } from 'vitest';
import { buildEdgeCases, buildMutatedCase } from '../src/cases.mjs';
import { readHttpResponse } from '../src/http-reference.mjs';
import { buildResponse } from '../src/http-wire.mjs';
import { Rng } from '../src/prng.mjs';
import {
  buildBaseStream,
  mutateStream,
  ollamaChat,
  readNdjsonLines,
  referenceOutcome,
} from '../src/protocols/ollama-chat.mjs';

const outcomeOf = (
  body,
  { ending = 'keep', framing = 'length', contentType, declaredLength } = {},
) =>
  referenceOutcome({
    bytes: buildResponse(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), {
      headers: [['Content-Type', contentType ?? 'application/x-ndjson']],
      framing,
      declaredLength,
    }),
    ending,
  });
const line = (fields) => `${JSON.stringify(fields)}\n`;
const text = (content, extra = {}) =>
  line({ model: 'm', message: { role: 'assistant', content, ...extra }, done: false });
const done = (counts = { prompt_eval_count: 5, eval_count: 7 }, message) =>
  line({ model: 'm', message, done_reason: 'stop', done: true, ...counts });

describe('NDJSON line reader', () => {
  it('splits at \\n, drops blank lines and keeps the unterminated rest apart', () => {
    const items = readNdjsonLines(Buffer.from('{"a":1}\r\n\n  \t\n{"b":2}\n {"c":3} '), {
      readsLastLine: true,
    });
    expect(items).toEqual([
      { text: '{"a":1}\r', terminated: true },
      { text: '{"b":2}', terminated: true },
      { text: '{"c":3}', terminated: false },
    ]);
    expect(readNdjsonLines(Buffer.from('{"a":1}\n{"b"'), { readsLastLine: false })).toHaveLength(1);
  });

  it('ends the reading at a line over the cap, terminated or not', () => {
    const long = 'x'.repeat(11);
    expect(readNdjsonLines(Buffer.from(`{}\n${long}\n{}\n`), { maxLineChars: 10 })).toEqual([
      { text: '{}', terminated: true },
      { overflow: 'a line of more than 10 characters' },
    ]);
    expect(readNdjsonLines(Buffer.from(`{}\n${long}`), { maxLineChars: 10 }).at(-1)).toHaveProperty(
      'overflow',
    );
  });

  it('keeps a BOM (not JSON) and decodes invalid UTF-8 to U+FFFD', () => {
    const [bom] = readNdjsonLines(Buffer.from('\ufeff{}\n'), { readsLastLine: true });
    expect(bom.text).toBe('\ufeff{}');
    const [bad] = readNdjsonLines(Buffer.from([0x22, 0xff, 0x22, 0x0a]), { readsLastLine: true });
    expect(bad.text).toBe('"\ufffd"');
  });
});

describe('Ollama chat reference outcome', () => {
  it('counts content, thinking and tool-call lines as token events, nothing else', () => {
    const outcome = outcomeOf(
      text('') +
        text('', { thinking: 'hm' }) +
        text('Hi') +
        text('', { tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }] }) +
        text(42) +
        line({ message: 'x', done: false }) +
        done(),
    );
    expect(outcome).toMatchObject({ errorClass: 'ok', tokenEvents: 3, outputTokens: 7 });
  });

  it('takes eval_count of the done line, else the tokenizer, and ignores absurd counts', () => {
    expect(outcomeOf(text('a b') + done({ prompt_eval_count: 5 }))).toMatchObject({
      outputTokens: 2,
      outputTokensSource: 'tokenizer',
    });
    const ignored = outcomeOf(text('a b') + done({ eval_count: 1e300 }));
    expect(ignored).toMatchObject({ outputTokens: 2, outputTokensSource: 'tokenizer' });
    expect(ignored.usageIgnored).toMatch(/eval_count 1e\+300/);
    expect(
      outcomeOf(text('a') + done({ prompt_eval_count: -1, eval_count: 3 })).usageIgnored,
    ).toMatch(/prompt_eval_count -1/);
    expect(outcomeOf(text('a') + done({ eval_count: '3' })).usageIgnored).toMatch(/"3"/);
    expect(
      outcomeOf(line({ message: { content: 'a' }, done: false, eval_count: 40 }) + done({})),
    ).toMatchObject({ outputTokens: 1, outputTokensSource: 'tokenizer' });
    expect(outcomeOf(done({}))).toMatchObject({ tokenEvents: 0, outputTokens: null });
  });

  it('ends at the first done: true line and ignores what follows', () => {
    expect(outcomeOf(text('a') + done() + text('b') + '{oops\n')).toMatchObject({
      errorClass: 'ok',
      tokenEvents: 1,
    });
    expect(outcomeOf(text('a') + done({}, { content: 'z' }))).toMatchObject({ tokenEvents: 2 });
    expect(outcomeOf(text('a') + line({ done: 'true' })).errorClass).toBe('stream_interrupted');
    expect(outcomeOf(text('a')).errorClass).toBe('stream_interrupted');
  });

  it('reads a last line without its line end when it parses', () => {
    const body = text('a') + done().trimEnd();
    expect(outcomeOf(body, { ending: 'close', framing: 'close' }).errorClass).toBe('ok');
    expect(
      outcomeOf(body, { ending: 'reset', declaredLength: Buffer.byteLength(body) + 10 }).errorClass,
    ).toBe('ok');
    expect(outcomeOf(`${text('a')}{"done":tr`).errorClass).toBe('stream_interrupted');
    expect(outcomeOf(`${text('a')}42`).errorClass).toBe('protocol');
    // Cut mid-body: a fragment that is no object is not taken for a line.
    expect(outcomeOf(`${text('a')}42`, { ending: 'close', declaredLength: 999 }).errorClass).toBe(
      'stream_interrupted',
    );
  });

  it('makes a line that is not a JSON object a protocol error, until done', () => {
    for (const bad of ['[]', '7', 'null', '"s"', 'OK', '{"a":1}{"b":2}', 'data: {}']) {
      expect(outcomeOf(`${text('a')}${bad}\n${done()}`).errorClass, bad).toBe('protocol');
    }
    expect(outcomeOf(`${text('a')}\r\n  \n${done()}`).errorClass).toBe('ok');
  });

  it('classifies error lines as server_error, the first deciding unless a protocol error follows', () => {
    expect(outcomeOf(`${text('a')}{"error":"boom"}\n${done()}`).errorClass).toBe('server_error');
    expect(outcomeOf(`${text('a')}{"error":"x","done":true}\n`).errorClass).toBe('server_error');
    expect(outcomeOf(`${text('a')}{"error":""}\n${done()}`).errorClass).toBe('server_error');
    expect(outcomeOf(`${text('a')}{"error":null}\n${done()}`).errorClass).toBe('ok');
    expect(outcomeOf(`${text('a')}{"error":"x"}\n{oops\n`).errorClass).toBe('protocol');
  });

  it('says protocol for a 2xx that is no NDJSON stream and told nothing', () => {
    const html = outcomeOf('<html></html>', { contentType: 'text/html' });
    expect(html).toMatchObject({ errorClass: 'protocol' });
    expect(html.reason).toContain('text/html');
    expect(outcomeOf(text(''), { contentType: 'text/plain' }).errorClass).toBe('protocol');
    expect(outcomeOf(text('a'), { contentType: 'text/plain' }).errorClass).toBe(
      'stream_interrupted',
    );
    expect(outcomeOf('').errorClass).toBe('stream_interrupted');
  });
});

describe('Ollama chat cases', () => {
  const edges = buildEdgeCases(ollamaChat, 1);

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
        bytes: buildResponse(base.body, { headers: [['Content-Type', 'application/x-ndjson']] }),
        ending: 'keep',
      });
      if (base.marks.done === undefined) {
        // Ends with an error line instead of the done line.
        expect(outcome.errorClass, `seed ${seed}`).toBe('server_error');
        continue;
      }
      expect(outcome, `seed ${seed}`).toMatchObject({ errorClass: 'ok' });
      expect(outcome.tokenEvents).toBeGreaterThan(0);
      const { start, jsonEnd } = base.marks.done;
      expect(JSON.parse(base.body.subarray(start, jsonEnd).toString())).toMatchObject({
        done: true,
      });
      expect(base.marks.lines.at(-1)).toEqual([start, jsonEnd]);
      for (const [from, to] of base.marks.lines)
        expect(() => JSON.parse(base.body.subarray(from, to).toString())).not.toThrow();
    }
  });

  it('mutates with the NDJSON operators: lines joined, split, done misplaced, …', () => {
    const seen = new Set();
    for (let seed = 0; seed < 600; seed++) {
      const rng = new Rng(seed);
      const { description } = mutateStream(rng, buildBaseStream(rng));
      for (const op of [
        'join line',
        'split the line',
        'CRLF',
        'lone CR',
        'blank line',
        'repeat the done line',
        'a done line early',
        'remove the done line',
        'insert the line',
        'insert a line of',
        'a count that is not a token count',
        'truncate',
      ])
        if (description.includes(op)) seen.add(op);
    }
    expect(seen.size).toBe(12);
  });

  it('frames every mutated body validly, so the body alone decides the outcome', () => {
    for (let index = 0; index < 300; index++) {
      const item = buildMutatedCase(ollamaChat, 99, index);
      const response = readHttpResponse(item.bytes, item.ending);
      expect(response, item.description).toMatchObject({ kind: 'response', status: 200 });
      expect(response.bodyEnd, item.description).not.toBe('framing');
    }
  });

  it('rebuilds the same case from the same seed and index', () => {
    const first = buildMutatedCase(ollamaChat, 5, 4567);
    const again = buildMutatedCase(ollamaChat, 5, 4567);
    expect(again.bytes.equals(first.bytes)).toBe(true);
    expect(again.description).toBe(first.description);
    expect(buildMutatedCase(ollamaChat, 6, 4567).bytes.equals(first.bytes)).toBe(false);
  });
});
