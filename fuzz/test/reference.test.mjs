import { describe, expect, it } from 'vitest';
import { buildEdgeCases, buildMutatedCase } from '../src/cases.mjs';
import { readHttpResponse } from '../src/http-reference.mjs';
import { buildResponse } from '../src/http-wire.mjs';
import { openaiChat, referenceOutcome } from '../src/protocols/openai-chat.mjs';
import { readEventStream } from '../src/sse-reference.mjs';

const bytes = (text) => Buffer.from(text, 'utf8');
const dataOf = (text) => readEventStream(bytes(text)).events.map((event) => event.data);
const sseOutcome = (body, ending = 'keep', framing = 'length') =>
  referenceOutcome({
    bytes: buildResponse(Buffer.isBuffer(body) ? body : bytes(body), {
      headers: [['Content-Type', 'text/event-stream']],
      framing,
    }),
    ending,
  });
const chunk = (delta, extra = {}) =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta }], ...extra })}\n\n`;

describe('event-stream reference (WHATWG rules)', () => {
  it('joins data lines with a newline and removes one leading space', () => {
    expect(dataOf('data: YHOO\ndata: +2\ndata:  10\n\n')).toEqual(['YHOO\n+2\n 10']);
  });

  it('ends lines at CRLF, LF or a lone CR', () => {
    expect(dataOf('data: a\r\n\r\ndata: b\r\rdata: c\n\n')).toEqual(['a', 'b', 'c']);
  });

  it('ignores comments, unknown fields and events without data', () => {
    expect(dataOf(': hi\n\nevent: x\n\nretry: 5\nfoo: bar\ndata: z\n\n')).toEqual(['z']);
  });

  it('dispatches a bare "data" line as an empty event', () => {
    expect(dataOf('data\n\n')).toEqual(['']);
  });

  it('strips exactly one leading BOM', () => {
    expect(dataOf('\ufeffdata: a\n\n')).toEqual(['a']);
    expect(dataOf('\ufeff\ufeffdata: a\n\ndata: b\n\n')).toEqual(['b']);
  });

  it('keeps the event still open at the end apart, unterminated line included', () => {
    const reading = readEventStream(bytes('data: a\n\ndata: [DONE]'));
    expect(reading.events.map((event) => event.data)).toEqual(['a']);
    expect(reading.pendingAtEnd?.data).toBe('[DONE]');
  });

  it('replaces invalid UTF-8 with U+FFFD', () => {
    const body = Buffer.concat([bytes('data: a'), Buffer.from([0xff, 0xe2, 0x82]), bytes('b\n\n')]);
    expect(readEventStream(body).events[0].data).toBe('a\ufffd\ufffdb');
  });

  it('reports a line over the size cap', () => {
    const reading = readEventStream(bytes(`data: ok\n\ndata: ${'x'.repeat(100)}`), {
      maxEventBytes: 64,
    });
    expect(reading.events.map((event) => event.data)).toEqual(['ok']);
    expect(reading.overflow).toMatch(/line/);
  });
});

describe('HTTP/1.1 reference', () => {
  const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n';
  const read = (text, ending = 'close') => readHttpResponse(bytes(text), ending);

  it('reads Content-Length, chunked and close-delimited bodies', () => {
    expect(read(`${head}Content-Length: 3\r\n\r\nabcdef`, 'keep')).toMatchObject({
      bodyEnd: 'complete',
    });
    expect(read(`${head}Content-Length: 3\r\n\r\nabc`).body.toString()).toBe('abc');
    const chunked = read(
      `${head}Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1;x=y\r\nc\r\n0\r\n\r\n`,
      'keep',
    );
    expect(chunked).toMatchObject({ bodyEnd: 'complete' });
    expect(chunked.body.toString()).toBe('abc');
    expect(read(`${head}\r\nxyz`)).toMatchObject({ bodyEnd: 'eof' });
    expect(read(`${head}\r\nxyz`, 'open')).toMatchObject({ bodyEnd: 'open' });
  });

  it('tells a broken response (protocol) from a connection closed inside the head (network)', () => {
    expect(read('SSH-2.0-OpenSSH_9.6\r\n')).toMatchObject({ errorClass: 'protocol' });
    expect(read('HTTP/1.1 200 OK\r\nContent-Type: te')).toMatchObject({ errorClass: 'network' });
    expect(read('HTTP/1')).toMatchObject({ errorClass: 'network' });
    expect(read('')).toMatchObject({ errorClass: 'network' });
    expect(read(`${head}Content-Length: 1\r\nContent-Length: 1\r\n\r\nx`)).toMatchObject({
      errorClass: 'protocol',
    });
    expect(read(`${head}Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\nx`)).toMatchObject({
      errorClass: 'protocol',
    });
    expect(read(`${head}Bad Header\r\n\r\n`)).toMatchObject({ errorClass: 'protocol' });
    expect(read(`${head}X: ${'a'.repeat(70_000)}\r\n\r\n`)).toMatchObject({
      errorClass: 'protocol',
    });
  });

  it('flags bad chunk framing after the head', () => {
    expect(read(`${head}Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n`)).toMatchObject({
      bodyEnd: 'framing',
    });
    expect(read(`${head}Transfer-Encoding: chunked\r\n\r\n2\r\nabX`)).toMatchObject({
      bodyEnd: 'framing',
    });
  });

  it('skips interim 1xx responses except an unsolicited 100, which undici 7 cannot', () => {
    const response = read(
      `HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n${head}Content-Length: 2\r\n\r\nok`,
      'keep',
    );
    expect(response).toMatchObject({ status: 200, interimResponses: 1 });
    expect(
      read(`HTTP/1.1 100 Continue\r\n\r\n${head}Content-Length: 2\r\n\r\nok`, 'keep'),
    ).toMatchObject({ kind: 'failed', errorClass: 'protocol' });
  });
});

describe('OpenAI chat reference outcome', () => {
  it('counts answer, reasoning and tool-call text as token events, not role or filter chunks', () => {
    const outcome = sseOutcome(
      chunk({ role: 'assistant', content: '' }) +
        chunk({ reasoning: 'think', reasoning_content: 'think' }) +
        chunk({ content: 'Hi' }) +
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] }) +
        'data: {"choices":[],"prompt_filter_results":[]}\n\n' +
        'data: [DONE]\n\n',
    );
    expect(outcome).toMatchObject({
      errorClass: 'ok',
      tokenEvents: 3,
      outputTokensSource: 'tokenizer',
    });
    expect(outcome.outputTokens).toBe(3);
  });

  it('takes output tokens from the last valid usage, ignoring absurd ones', () => {
    const usage = (completion) =>
      `data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":${completion}}}\n\n`;
    expect(
      sseOutcome(`${chunk({ content: 'a' })}${usage(7)}${usage('1e300')}data: [DONE]\n\n`),
    ).toMatchObject({
      outputTokens: 7,
      outputTokensSource: 'usage',
    });
    const ignored = sseOutcome(`${chunk({ content: 'a b' })}${usage(26.5)}data: [DONE]\n\n`);
    expect(ignored).toMatchObject({ outputTokensSource: 'tokenizer', outputTokens: 2 });
    expect(ignored.usageIgnored).toMatch(/26\.5/);
  });

  it('ignores everything after [DONE], and accepts [DONE] left open at the end of the body', () => {
    expect(
      sseOutcome(`${chunk({ content: 'a' })}data: [DONE]\n\n${chunk({ content: 'b' })}{garbage`),
    ).toMatchObject({ tokenEvents: 1 });
    expect(sseOutcome(`${chunk({ content: 'a' })}data: [DONE]`, 'close', 'close')).toMatchObject({
      errorClass: 'ok',
    });
    expect(sseOutcome(`${chunk({ content: 'a' })}data:[DONE]\n`, 'close', 'close')).toMatchObject({
      errorClass: 'ok',
    });
    expect(sseOutcome(`${chunk({ content: 'a' })}data: [DON`, 'close', 'close')).toMatchObject({
      errorClass: 'stream_interrupted',
    });
  });

  it('makes malformed or non-object chunks protocol errors that later events cannot undo', () => {
    expect(sseOutcome('data: {oops\n\ndata: [DONE]\n\n')).toMatchObject({ errorClass: 'protocol' });
    expect(sseOutcome('data: 42\n\ndata: [DONE]\n\n')).toMatchObject({ errorClass: 'protocol' });
    expect(sseOutcome('data: {"error":{"message":"x"}}\n\ndata: {oops\n\n')).toMatchObject({
      errorClass: 'protocol',
    });
  });

  it('classifies errors reported inside the stream by type and code', () => {
    const error = (value) =>
      sseOutcome(`data: ${JSON.stringify({ error: value })}\n\ndata: [DONE]\n\n`).errorClass;
    expect(error({ message: 'm', type: 'insufficient_quota' })).toBe('rate_limited');
    expect(error({ message: 'm', code: 429 })).toBe('rate_limited');
    expect(error({ message: 'm', code: '403' })).toBe('auth');
    expect(error({ message: 'm', type: 'NotFoundError' })).toBe('client_error');
    expect(error({ message: 'm', code: 418 })).toBe('client_error');
    expect(error({ message: 'm', type: 'overloaded_error' })).toBe('server_error');
    expect(error('plain text')).toBe('server_error');
  });

  it('says protocol for a 2xx that is not an event stream, and names what came', () => {
    const html = referenceOutcome({
      bytes: buildResponse(bytes('<html></html>'), { headers: [['Content-Type', 'text/html']] }),
      ending: 'keep',
    });
    expect(html).toMatchObject({ errorClass: 'protocol' });
    expect(html.reason).toContain('text/html');
  });
});

describe('cases', () => {
  const edges = buildEdgeCases(openaiChat, 1);

  it.each(edges.map((item) => [item.key, item]))(
    '%s: the reference agrees with the declared outcome',
    (_, item) => {
      expect(item.expected.errorClass).toBe(item.declared);
      if (item.checks.tokenEvents !== undefined)
        expect(item.expected.tokenEvents).toBe(item.checks.tokenEvents);
      if (item.checks.usageIgnored) expect(item.expected.usageIgnored).toBeDefined();
    },
  );

  it('frames every mutated body validly, so the body alone decides the outcome', () => {
    for (let index = 0; index < 300; index++) {
      const item = buildMutatedCase(openaiChat, 99, index);
      const response = readHttpResponse(item.bytes, item.ending);
      expect(response, item.description).toMatchObject({ kind: 'response', status: 200 });
      expect(response.bodyEnd, item.description).not.toBe('framing');
    }
  });

  it('rebuilds the same case from the same seed and index', () => {
    const first = buildMutatedCase(openaiChat, 5, 4567);
    const again = buildMutatedCase(openaiChat, 5, 4567);
    expect(again.bytes.equals(first.bytes)).toBe(true);
    expect(again.description).toBe(first.description);
    expect(buildMutatedCase(openaiChat, 6, 4567).bytes.equals(first.bytes)).toBe(false);
  });
});
