import { describe, expect, it } from 'vitest';
import { simulatedText } from '../token-text.js';
import {
  type AnthropicRequest,
  AnthropicStreamEncoder,
  anthropicProtocol,
  messageBody,
  parseAnthropicRequest,
  SIMULATED_THINKING_SIGNATURE,
} from './anthropic-protocol.js';
import { REJECTED_CREDENTIAL, type SimulatedErrorKind } from './wire-protocol.js';

const VERSION = { 'anthropic-version': '2023-06-01' };

function request(overrides: Partial<AnthropicRequest> = {}): AnthropicRequest {
  return {
    model: 'claude "mock"',
    stream: true,
    includeUsage: true,
    continuousUsage: false,
    maxTokens: 100,
    minTokens: undefined,
    ignoreEos: false,
    promptTokens: 12,
    supportsReasoning: false,
    isThinkingEnabled: false,
    ...overrides,
  };
}

function thinkingRequest(): AnthropicRequest {
  return request({ supportsReasoning: true, isThinkingEnabled: true });
}

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Splits encoder output into events, checking each is `event: T\ndata: {"type":"T",…}\n\n`. */
function events(text: string): SseEvent[] {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((raw) => {
      const match = /^event: ([a-z_]+)\ndata: (.*)$/.exec(raw);
      expect(match, raw).not.toBeNull();
      const data = JSON.parse(match![2]!) as Record<string, unknown>;
      expect(data.type).toBe(match![1]);
      return { event: match![1]!, data };
    });
}

/** The event types and block indices of a stream, e.g. `content_block_delta:0:text_delta`. */
function outline(list: SseEvent[]): string[] {
  return list.map(({ event, data }) => {
    const delta = data.delta as { type?: string } | undefined;
    if (event === 'content_block_delta') return `${event}:${data.index}:${delta?.type}`;
    if (event === 'content_block_start') {
      return `${event}:${data.index}:${(data.content_block as { type: string }).type}`;
    }
    if (event === 'content_block_stop') return `${event}:${data.index}`;
    return event;
  });
}

const token = (isReasoning: boolean, firstToken: number, tokens: number) => ({
  isReasoning,
  firstToken,
  tokens,
});

describe('parseAnthropicRequest', () => {
  const body = (fields: Record<string, unknown>) =>
    JSON.stringify({
      model: 'claude-mock',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Say three words' }],
      ...fields,
    });

  it('reads model, stream and max_tokens, and estimates the prompt like the OpenAI protocol', () => {
    const parsed = parseAnthropicRequest(body({ stream: true }));
    expect(parsed).toEqual({
      ok: true,
      request: {
        model: 'claude-mock',
        stream: true,
        includeUsage: true,
        continuousUsage: false,
        maxTokens: 64,
        minTokens: undefined,
        ignoreEos: false,
        promptTokens: 4 + 3,
        supportsReasoning: false,
        isThinkingEnabled: false,
      },
    });
    expect(parseAnthropicRequest(body({}))).toMatchObject({ ok: true, request: { stream: false } });
  });

  it('counts a system prompt, string or text blocks, as one more message', () => {
    const promptOf = (fields: Record<string, unknown>) => {
      const parsed = parseAnthropicRequest(body(fields));
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.request.promptTokens;
    };
    expect(promptOf({ system: 'Be brief and kind' })).toBe(7 + 4 + 4);
    expect(
      promptOf({
        system: [
          { type: 'text', text: 'Be brief' },
          { type: 'text', text: 'and kind' },
        ],
      }),
    ).toBe(7 + 4 + 4);
    expect(
      promptOf({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'one two' }] },
          { role: 'assistant', content: 'three' },
          { role: 'user', content: 'four five six' },
        ],
      }),
    ).toBe(3 * 4 + 6);
  });

  it('enables reasoning only when thinking is enabled or adaptive', () => {
    const reasoningOf = (thinking: unknown) => {
      const parsed = parseAnthropicRequest(body({ max_tokens: 4096, thinking }));
      if (!parsed.ok) throw new Error(parsed.message);
      return [parsed.request.supportsReasoning, parsed.request.isThinkingEnabled];
    };
    expect(reasoningOf(undefined)).toEqual([false, false]);
    expect(reasoningOf({ type: 'disabled' })).toEqual([false, false]);
    expect(reasoningOf({ type: 'enabled', budget_tokens: 1024 })).toEqual([true, true]);
    expect(reasoningOf({ type: 'adaptive' })).toEqual([true, true]);
  });

  it.each([
    ['not JSON', '{"model":', 'not valid JSON'],
    ['an array body', '[]', 'JSON object'],
    ['no model', JSON.stringify({ max_tokens: 5, messages: [] }), 'model: Field required'],
    ['an empty model', body({ model: '' }), 'model:'],
    ['no messages', body({ messages: undefined }), 'messages: Field required'],
    ['messages not a list', body({ messages: 'hi' }), 'messages: Input should be a valid list'],
    ['no message at all', body({ messages: [] }), 'at least one message'],
    ['a tool role message', body({ messages: [{ role: 'tool', content: 'x' }] }), 'role'],
    [
      'content neither text nor blocks',
      body({ messages: [{ role: 'user', content: 3 }] }),
      'content',
    ],
    ['no max_tokens', body({ max_tokens: undefined }), 'max_tokens: Field required'],
    ['max_tokens 0', body({ max_tokens: 0 }), 'max_tokens: Input should be an integer'],
    ['max_tokens 1.5', body({ max_tokens: 1.5 }), 'max_tokens: Input should be an integer'],
    ['max_tokens as a string', body({ max_tokens: '64' }), 'max_tokens: Input should be'],
    ['system a number', body({ system: 5 }), 'system:'],
    ['system blocks without text', body({ system: [{ type: 'image' }] }), 'system.0:'],
    ['stream not a boolean', body({ stream: 'yes' }), 'stream:'],
    ['thinking of an unknown type', body({ thinking: { type: 'on' } }), 'thinking.type'],
    ['thinking without a budget', body({ thinking: { type: 'enabled' } }), 'budget_tokens'],
    [
      'a thinking budget under 1024',
      body({ max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 1023 } }),
      'greater than or equal to 1024',
    ],
    [
      'a thinking budget not below max_tokens',
      body({ max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 2048 } }),
      '`max_tokens` must be greater than `thinking.budget_tokens`',
    ],
  ])('rejects %s', (_, raw, message) => {
    const parsed = parseAnthropicRequest(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });

  it('takes system turns among the messages, as the current API does', () => {
    const parsed = parseAnthropicRequest(
      body({
        messages: [
          { role: 'system', content: 'Be brief' },
          { role: 'user', content: 'hi' },
        ],
      }),
    );
    expect(parsed).toMatchObject({ ok: true, request: { promptTokens: 4 + 2 + 4 + 1 } });
  });

  it('refuses sampling parameters from API version 2026-10-21 on, and only then', () => {
    for (const field of ['temperature', 'top_p', 'top_k']) {
      const raw = body({ [field]: 0.5 });
      expect(parseAnthropicRequest(raw, '2023-06-01').ok).toBe(true);
      const parsed = parseAnthropicRequest(raw, '2026-10-21');
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(new RegExp(`^${field}: not supported`));
    }
    expect(parseAnthropicRequest(body({}), '2026-10-21').ok).toBe(true);
  });
});

describe('AnthropicStreamEncoder', () => {
  it('opens with message_start (input known, output 1, cache 0), the text block and a ping', () => {
    const head = events(new AnthropicStreamEncoder(request(), 'msg_r1').head());
    expect(outline(head)).toEqual(['message_start', 'content_block_start:0:text', 'ping']);
    expect(head[0]!.data.message).toEqual({
      id: 'msg_r1',
      type: 'message',
      role: 'assistant',
      model: 'claude "mock"',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: 12,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 1,
      },
    });
    expect(head[1]!.data.content_block).toEqual({ type: 'text', text: '' });
  });

  it('streams text deltas, then the block stop, message_delta with end_turn and message_stop', () => {
    const encoder = new AnthropicStreamEncoder(request(), 'msg_r1');
    const body =
      encoder.head() +
      encoder.token(token(false, 0, 2), simulatedText(2, 0), null, 2) +
      encoder.token(token(false, 2, 1), simulatedText(1, 2), 'stop', 3) +
      encoder.end({ promptTokens: 12, completionTokens: 3, reasoningTokens: 0 }, 'stop');
    const list = events(body);
    expect(outline(list)).toEqual([
      'message_start',
      'content_block_start:0:text',
      'ping',
      'content_block_delta:0:text_delta',
      'content_block_delta:0:text_delta',
      'content_block_stop:0',
      'message_delta',
      'message_stop',
    ]);
    expect(list[3]!.data.delta).toEqual({ type: 'text_delta', text: ' the quick' });
    expect(list[4]!.data.delta).toEqual({ type: 'text_delta', text: ' brown' });
    expect(list[6]!.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: {
        input_tokens: 12,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 3,
      },
    });
  });

  it('puts thinking in block 0, signs and stops it before the text block 1 opens', () => {
    const encoder = new AnthropicStreamEncoder(thinkingRequest(), 'msg_t1');
    const body =
      encoder.head() +
      encoder.token(token(true, 0, 1), ' the', null, 1) +
      encoder.token(token(true, 1, 1), ' quick', null, 2) +
      encoder.token(token(false, 0, 1), ' the', null, 3) +
      encoder.token(token(false, 1, 1), ' quick', 'length', 4) +
      encoder.end({ promptTokens: 12, completionTokens: 4, reasoningTokens: 2 }, 'length');
    const list = events(body);
    expect(outline(list)).toEqual([
      'message_start',
      'content_block_start:0:thinking',
      'ping',
      'content_block_delta:0:thinking_delta',
      'content_block_delta:0:thinking_delta',
      'content_block_delta:0:signature_delta',
      'content_block_stop:0',
      'content_block_start:1:text',
      'content_block_delta:1:text_delta',
      'content_block_delta:1:text_delta',
      'content_block_stop:1',
      'message_delta',
      'message_stop',
    ]);
    expect(list[1]!.data.content_block).toEqual({ type: 'thinking', thinking: '', signature: '' });
    expect(list[3]!.data.delta).toEqual({ type: 'thinking_delta', thinking: ' the' });
    expect(list[5]!.data.delta).toEqual({
      type: 'signature_delta',
      signature: SIMULATED_THINKING_SIGNATURE,
    });
    expect(list[11]!.data.delta).toEqual({ stop_reason: 'max_tokens', stop_sequence: null });
    expect(list[11]!.data.usage).toEqual({
      input_tokens: 12,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 4,
      output_tokens_details: { thinking_tokens: 2 },
    });
  });

  it('closes an empty thinking block when thinking is on but no reasoning was planned', () => {
    const encoder = new AnthropicStreamEncoder(thinkingRequest(), 'msg_t2');
    const body =
      encoder.head() +
      encoder.token(token(false, 0, 1), ' the', 'stop', 1) +
      encoder.end({ promptTokens: 12, completionTokens: 1, reasoningTokens: 0 }, 'stop');
    expect(outline(events(body))).toEqual([
      'message_start',
      'content_block_start:0:thinking',
      'ping',
      'content_block_delta:0:signature_delta',
      'content_block_stop:0',
      'content_block_start:1:text',
      'content_block_delta:1:text_delta',
      'content_block_stop:1',
      'message_delta',
      'message_stop',
    ]);
  });

  it('ends a message cut off while thinking with the thinking block closed and no text block', () => {
    const encoder = new AnthropicStreamEncoder(thinkingRequest(), 'msg_t3');
    const body =
      encoder.head() +
      encoder.token(token(true, 0, 2), ' the quick', 'length', 2) +
      encoder.end({ promptTokens: 12, completionTokens: 2, reasoningTokens: 2 }, 'length');
    expect(outline(events(body))).toEqual([
      'message_start',
      'content_block_start:0:thinking',
      'ping',
      'content_block_delta:0:thinking_delta',
      'content_block_delta:0:signature_delta',
      'content_block_stop:0',
      'message_delta',
      'message_stop',
    ]);
  });

  it('fails mid-stream with an error event of type overloaded_error', () => {
    const list = events(new AnthropicStreamEncoder(request(), 'msg_e').error('gone (simulated)'));
    expect(list).toEqual([
      {
        event: 'error',
        data: { type: 'error', error: { type: 'overloaded_error', message: 'gone (simulated)' } },
      },
    ]);
  });
});

describe('messageBody', () => {
  it('is one message with a text block, the stop reason and usage', () => {
    const body = messageBody(
      request({ stream: false }),
      'msg_b1',
      { reasoning: '', content: ' the quick' },
      'stop',
      { promptTokens: 12, completionTokens: 2, reasoningTokens: 0 },
    );
    expect(JSON.parse(body)).toEqual({
      id: 'msg_b1',
      type: 'message',
      role: 'assistant',
      model: 'claude "mock"',
      content: [{ type: 'text', text: ' the quick' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 12,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 2,
      },
    });
  });

  it('puts a signed thinking block first, and leaves out an empty text block after it', () => {
    const usage = { promptTokens: 12, completionTokens: 3, reasoningTokens: 1 };
    const withText = JSON.parse(
      messageBody(
        thinkingRequest(),
        'msg_b2',
        { reasoning: ' the', content: ' x y' },
        'length',
        usage,
      ),
    ) as { content: unknown[]; stop_reason: string; usage: unknown };
    expect(withText.usage).toMatchObject({
      output_tokens: 3,
      output_tokens_details: { thinking_tokens: 1 },
    });
    expect(withText.content).toEqual([
      { type: 'thinking', thinking: ' the', signature: SIMULATED_THINKING_SIGNATURE },
      { type: 'text', text: ' x y' },
    ]);
    expect(withText.stop_reason).toBe('max_tokens');
    const thinkingOnly = JSON.parse(
      messageBody(thinkingRequest(), 'msg_b3', { reasoning: ' the', content: '' }, 'length', usage),
    ) as { content: unknown[] };
    expect(thinkingOnly.content).toEqual([
      { type: 'thinking', thinking: ' the', signature: SIMULATED_THINKING_SIGNATURE },
    ]);
  });
});

describe('anthropicProtocol', () => {
  const route = anthropicProtocol.match('POST', '/v1/messages', {})!;
  const validBody = JSON.stringify({
    model: 'm',
    max_tokens: 5,
    messages: [{ role: 'user', content: 'hi' }],
  });

  it('serves POST /v1/messages only', () => {
    expect(route.responseIdPrefix).toBe('msg_');
    expect(anthropicProtocol.match('GET', '/v1/messages', {})).toBeUndefined();
    expect(anthropicProtocol.match('POST', '/v1/chat/completions', {})).toBeUndefined();
  });

  it('answers 401 authentication_error for the rejected key, before reading the body', () => {
    const parsed = route.parse('not json', { ...VERSION, 'x-api-key': REJECTED_CREDENTIAL });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.status).toBe(401);
    const body = JSON.parse(parsed.error.body) as { type: string; error: { type: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('authentication_error');
    expect(parsed.error.body).not.toContain(REJECTED_CREDENTIAL);
    expect(route.parse(validBody, { ...VERSION, 'x-api-key': 'any-other-key' }).ok).toBe(true);
  });

  it('rejects the key sent as a bearer token too, as the SDKs send it since 2026-10-21', () => {
    const headers = { ...VERSION, authorization: `Bearer ${REJECTED_CREDENTIAL}` };
    const parsed = route.parse(validBody, headers);
    expect(parsed.ok ? 200 : parsed.error.status).toBe(401);
    expect(route.parse(validBody, { ...VERSION, authorization: 'Bearer sk-ant-other' }).ok).toBe(
      true,
    );
  });

  it('reads the version header: sampling parameters fail under 2026-10-21', () => {
    const withTemperature = JSON.stringify({ ...JSON.parse(validBody), temperature: 1 });
    expect(route.parse(withTemperature, VERSION).ok).toBe(true);
    const parsed = route.parse(withTemperature, { 'anthropic-version': '2026-10-21' });
    expect(parsed.ok ? 200 : parsed.error.status).toBe(400);
  });

  it('answers 400 without the anthropic-version header, as the API does', () => {
    const parsed = route.parse(validBody, {});
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.status).toBe(400);
    expect(JSON.parse(parsed.error.body)).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
    });
  });

  it.each<[SimulatedErrorKind, number, string]>([
    ['invalid_request', 400, 'invalid_request_error'],
    ['unauthorized', 401, 'authentication_error'],
    ['request_too_large', 413, 'request_too_large'],
    ['rate_limit', 429, 'rate_limit_error'],
    ['server_error', 500, 'api_error'],
  ])('expresses %s as HTTP %i %s', (kind, status, type) => {
    const error = route.error(kind, 'why');
    expect(error.status).toBe(status);
    expect(JSON.parse(error.body)).toEqual({ type: 'error', error: { type, message: 'why' } });
  });

  it('lists models in Anthropic shape only for requests with anthropic-version', () => {
    const models = ['mock-a', 'mock-b'];
    expect(anthropicProtocol.serveStatic!('GET', '/v1/models', {}, models)).toBeUndefined();
    const list = anthropicProtocol.serveStatic!('GET', '/v1/models', VERSION, models)!;
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body)).toEqual({
      data: [
        { type: 'model', id: 'mock-a', display_name: 'mock-a', created_at: '2025-01-01T00:00:00Z' },
        { type: 'model', id: 'mock-b', display_name: 'mock-b', created_at: '2025-01-01T00:00:00Z' },
      ],
      has_more: false,
      first_id: 'mock-a',
      last_id: 'mock-b',
    });
    const one = anthropicProtocol.serveStatic!('GET', '/v1/models/mock-b', VERSION, models)!;
    expect(JSON.parse(one.body)).toMatchObject({ type: 'model', id: 'mock-b' });
    const missing = anthropicProtocol.serveStatic!('GET', '/v1/models/gpt-x', VERSION, models)!;
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ error: { type: 'not_found_error' } });
  });
});
