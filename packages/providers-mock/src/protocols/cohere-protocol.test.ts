import { describe, expect, it } from 'vitest';
import { cohereError, cohereProtocol, parseCohereChatRequest } from './cohere-protocol.js';
import {
  type ProtocolExchange,
  type ProtocolRoute,
  REJECTED_CREDENTIAL,
  type WireChunk,
} from './wire-protocol.js';

const route: ProtocolRoute = cohereProtocol.match('POST', '/v2/chat', {})!;

const chat = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    model: 'command-a-03-2025',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Tell me a story' }] },
    ],
    ...extra,
  });

function exchangeOf(body: string): ProtocolExchange {
  const parsed = route.parse(body, {});
  if (!parsed.ok) throw new Error(`refused: ${parsed.error.body}`);
  return parsed.exchange;
}

/** The SSE text of encoder output pieces (the Cohere encoder writes strings). */
function sseText(...chunks: WireChunk[]): string {
  return chunks.map((chunk) => (typeof chunk === 'string' ? chunk : 'binary!')).join('');
}

/** Each `data:` payload of an SSE text, with the `event:` name it came with. */
function events(sse: string): Array<[string, unknown]> {
  return sse
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice('event: '.length) ?? '';
      const data = lines.find((l) => l.startsWith('data: '))!.slice('data: '.length);
      return [event, data === '[DONE]' ? data : JSON.parse(data)];
    });
}

describe('the Cohere route', () => {
  it('serves POST /v2/chat only', () => {
    expect(cohereProtocol.routes).toEqual(['POST /v2/chat']);
    expect(cohereProtocol.match('GET', '/v2/chat', {})).toBeUndefined();
    expect(cohereProtocol.match('POST', '/v1/chat', {})).toBeUndefined();
  });

  it('reads model, stream, max_tokens and the prompt size; always sends usage', () => {
    const { request } = exchangeOf(chat({ stream: true, max_tokens: 32, temperature: 0.3 }));
    expect(request).toEqual({
      model: 'command-a-03-2025',
      stream: true,
      includeUsage: true,
      continuousUsage: false,
      maxTokens: 32,
      minTokens: undefined,
      ignoreEos: false,
      // 2 messages × 4 framing tokens + 6 words, of which only the words are billed.
      promptTokens: 14,
      supportsReasoning: true,
      billedInputTokens: 6,
    });
    expect(exchangeOf(chat()).request.stream).toBe(false);
  });

  it('thinks unless thinking is disabled, as Cohere reasoning models do', () => {
    expect(exchangeOf(chat()).request.supportsReasoning).toBe(true);
    expect(
      exchangeOf(chat({ thinking: { type: 'enabled', token_budget: 512 } })).request
        .supportsReasoning,
    ).toBe(true);
    expect(exchangeOf(chat({ thinking: { type: 'disabled' } })).request.supportsReasoning).toBe(
      false,
    );
  });

  it.each([
    ['not JSON', '{"model":', 'invalid request: the body is not valid JSON'],
    ['an array', '[]', 'invalid request: the body must be a JSON object'],
    [
      'no model',
      JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }),
      'invalid request: model is required and must be a non-empty string',
    ],
    [
      'no messages',
      JSON.stringify({ model: 'm' }),
      'invalid request: messages is required and must be a non-empty list',
    ],
    [
      'an unknown role',
      JSON.stringify({ model: 'm', messages: [{ role: 'chatbot', content: 'x' }] }),
      'invalid request: messages[0].role must be one of system, user, assistant, tool',
    ],
    ['a string stream', chat({ stream: 'yes' }), 'invalid request: stream must be a boolean'],
    [
      'max_tokens 0',
      chat({ max_tokens: 0 }),
      'invalid request: max_tokens must be a positive integer',
    ],
    [
      'a negative temperature',
      chat({ temperature: -1 }),
      'invalid request: temperature must be a number >= 0',
    ],
    [
      'an unknown thinking type',
      chat({ thinking: { type: 'on' } }),
      'invalid request: thinking.type must be "enabled" or "disabled"',
    ],
    [
      'a fractional token budget',
      chat({ thinking: { type: 'enabled', token_budget: 1.5 } }),
      'invalid request: thinking.token_budget must be a positive integer',
    ],
  ])('refuses %s with a 400 in Cohere error shape', (_case, body, message) => {
    expect(parseCohereChatRequest(body)).toEqual({
      ok: false,
      error: { status: 400, body: JSON.stringify({ message }) },
    });
  });

  it('answers 401 to the rejected bearer credential and accepts any other', () => {
    const refused = route.parse(chat(), { authorization: `Bearer ${REJECTED_CREDENTIAL}` });
    expect(refused).toEqual({
      ok: false,
      error: { status: 401, body: '{"message":"invalid api token (simulated)"}' },
    });
    expect(route.parse(chat(), { authorization: 'Bearer anything-else' }).ok).toBe(true);
  });

  it('maps every error kind to its status with a {"message"} body', () => {
    expect(
      (
        [
          'invalid_request',
          'unauthorized',
          'request_too_large',
          'rate_limit',
          'server_error',
        ] as const
      ).map((kind) => cohereError(kind, 'why').status),
    ).toEqual([400, 401, 413, 429, 500]);
    expect(route.error('rate_limit', 'slow down').body).toBe('{"message":"slow down"}');
  });

  it('streams thinking then text blocks, message-end with both usages, then [DONE]', () => {
    const encoder = exchangeOf(chat({ stream: true })).streamEncoder('resp-1', 0);
    expect(encoder.contentType).toBe('text/event-stream');
    const sse = sseText(
      encoder.head(),
      encoder.token({ isReasoning: true, firstToken: 0, tokens: 2 }, ' the quick', null, 2),
      encoder.token({ isReasoning: false, firstToken: 0, tokens: 1 }, ' the', null, 3),
      encoder.token({ isReasoning: false, firstToken: 1, tokens: 1 }, ' quick', 'length', 4),
      encoder.end({ promptTokens: 14, completionTokens: 4, reasoningTokens: 2 }, 'length'),
    );
    expect(events(sse)).toEqual([
      [
        'message-start',
        {
          id: 'resp-1',
          type: 'message-start',
          delta: {
            message: {
              role: 'assistant',
              content: [],
              tool_plan: '',
              tool_calls: [],
              citations: [],
            },
          },
        },
      ],
      [
        'content-start',
        {
          type: 'content-start',
          index: 0,
          delta: { message: { content: { type: 'thinking', thinking: '' } } },
        },
      ],
      [
        'content-delta',
        {
          type: 'content-delta',
          index: 0,
          delta: { message: { content: { thinking: ' the quick' } } },
        },
      ],
      ['content-end', { type: 'content-end', index: 0 }],
      [
        'content-start',
        {
          type: 'content-start',
          index: 1,
          delta: { message: { content: { type: 'text', text: '' } } },
        },
      ],
      [
        'content-delta',
        { type: 'content-delta', index: 1, delta: { message: { content: { text: ' the' } } } },
      ],
      [
        'content-delta',
        { type: 'content-delta', index: 1, delta: { message: { content: { text: ' quick' } } } },
      ],
      ['content-end', { type: 'content-end', index: 1 }],
      [
        'message-end',
        {
          type: 'message-end',
          delta: {
            finish_reason: 'MAX_TOKENS',
            usage: {
              billed_units: { input_tokens: 6, output_tokens: 4 },
              tokens: { input_tokens: 14, output_tokens: 4 },
            },
          },
        },
      ],
      ['', '[DONE]'],
    ]);
  });

  it('reports a failed generation as message-end with finish reason ERROR, closing the open block', () => {
    const encoder = exchangeOf(chat({ stream: true })).streamEncoder('resp-2', 0);
    const sse = sseText(
      encoder.head(),
      encoder.token({ isReasoning: false, firstToken: 0, tokens: 1 }, ' the', null, 1),
      encoder.error('it broke "badly"'),
    );
    expect(events(sse).slice(-3)).toEqual([
      ['content-end', { type: 'content-end', index: 0 }],
      [
        'message-end',
        {
          type: 'message-end',
          delta: { finish_reason: 'ERROR', usage: {}, error: 'it broke "badly"' },
        },
      ],
      ['', '[DONE]'],
    ]);
  });

  it('answers a non-streaming chat with thinking and text content items, finish reason and usage', () => {
    const { contentType, body } = exchangeOf(chat()).body(
      'resp-3',
      0,
      { reasoning: ' the', content: ' the quick' },
      'stop',
      { promptTokens: 14, completionTokens: 3, reasoningTokens: 1 },
    );
    expect(contentType).toBe('application/json');
    expect(JSON.parse(body)).toEqual({
      id: 'resp-3',
      message: {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: ' the' },
          { type: 'text', text: ' the quick' },
        ],
      },
      finish_reason: 'COMPLETE',
      usage: {
        billed_units: { input_tokens: 6, output_tokens: 3 },
        tokens: { input_tokens: 14, output_tokens: 3 },
      },
    });
    const plain = exchangeOf(chat()).body(
      'resp-4',
      0,
      { reasoning: '', content: ' the' },
      'length',
      { promptTokens: 14, completionTokens: 1, reasoningTokens: 0 },
    );
    expect(JSON.parse(plain.body).message.content).toEqual([{ type: 'text', text: ' the' }]);
    expect(JSON.parse(plain.body).finish_reason).toBe('MAX_TOKENS');
  });
});
