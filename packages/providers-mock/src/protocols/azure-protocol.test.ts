import { describe, expect, it } from 'vitest';
import { simulatedTokenText } from '../token-text.js';
import { azureError, azureProtocol } from './azure-protocol.js';
import { type ProtocolExchange, type ProtocolRoute, REJECTED_CREDENTIAL } from './wire-protocol.js';

const DEPLOYMENT_PATH = '/openai/deployments/gpt-4o-prod/chat/completions';
const V1_PATH = '/openai/v1/chat/completions';

function routeOf(path: string): ProtocolRoute {
  const route = azureProtocol.match('POST', path, {});
  if (route === undefined) throw new Error(`no route for ${path}`);
  return route;
}

const chat = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ messages: [{ role: 'user', content: 'Tell me a story' }], ...extra });

function exchangeOf(path: string, body: string): ProtocolExchange {
  const parsed = routeOf(path).parse(body, {});
  if (!parsed.ok) throw new Error(`refused: ${parsed.error.body}`);
  return parsed.exchange;
}

/** Each `data:` payload of an SSE text, parsed. */
function payloads(sse: string): unknown[] {
  return sse
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      expect(block.startsWith('data: ')).toBe(true);
      const data = block.slice('data: '.length);
      return data === '[DONE]' ? data : JSON.parse(data);
    });
}

const SAFE = { filtered: false, severity: 'safe' };
const COMPLETION_FILTER = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
const PROMPT_FILTER = [
  {
    prompt_index: 0,
    content_filter_results: {
      ...COMPLETION_FILTER,
      jailbreak: { filtered: false, detected: false },
    },
  },
];

describe('the Azure routes', () => {
  it('serves deployment chat paths and the v1 chat path, for POST only', () => {
    expect(azureProtocol.routes).toEqual([
      'POST /openai/deployments/{deployment}/chat/completions',
      'POST /openai/v1/chat/completions',
    ]);
    expect(azureProtocol.match('POST', DEPLOYMENT_PATH, {})).toBeDefined();
    expect(azureProtocol.match('POST', V1_PATH, {})).toBeDefined();
    expect(azureProtocol.match('GET', DEPLOYMENT_PATH, {})).toBeUndefined();
    expect(
      azureProtocol.match('POST', '/openai/deployments//chat/completions', {}),
    ).toBeUndefined();
    expect(
      azureProtocol.match('POST', '/openai/deployments/a/b/chat/completions', {}),
    ).toBeUndefined();
    expect(azureProtocol.match('POST', '/openai/deployments/a/completions', {})).toBeUndefined();
    expect(azureProtocol.match('POST', '/v1/chat/completions', {})).toBeUndefined();
  });

  it('answers with the deployment name as the model, whatever the body says or omits', () => {
    expect(exchangeOf(DEPLOYMENT_PATH, chat()).request.model).toBe('gpt-4o-prod');
    expect(exchangeOf(DEPLOYMENT_PATH, chat({ model: 'gpt-4o' })).request.model).toBe(
      'gpt-4o-prod',
    );
    expect(exchangeOf('/openai/deployments/my%20dep/chat/completions', chat()).request.model).toBe(
      'my dep',
    );
  });

  it('reads stream, include_usage and the output limit like the OpenAI route', () => {
    const { request } = exchangeOf(
      DEPLOYMENT_PATH,
      chat({ stream: true, stream_options: { include_usage: true }, max_completion_tokens: 9 }),
    );
    expect(request).toMatchObject({
      model: 'gpt-4o-prod',
      stream: true,
      includeUsage: true,
      maxTokens: 9,
      supportsReasoning: true,
    });
  });

  it('needs the model (the deployment name) in the body of the v1 route', () => {
    expect(exchangeOf(V1_PATH, chat({ model: 'gpt-4o-prod' })).request.model).toBe('gpt-4o-prod');
    const refused = routeOf(V1_PATH).parse(chat(), {});
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.status).toBe(400);
    expect(JSON.parse(refused.error.body)).toEqual({
      error: {
        message: 'you must provide a model parameter',
        type: 'invalid_request_error',
        param: 'model',
        code: null,
      },
    });
  });

  it('refuses a body that is not JSON with a 400 on either route', () => {
    for (const path of [DEPLOYMENT_PATH, V1_PATH]) {
      const refused = routeOf(path).parse('{"messages":', {});
      expect(refused.ok ? 200 : refused.error.status).toBe(400);
    }
  });

  it('answers 401 in Azure shape to the rejected credential as api-key or bearer, and accepts any other', () => {
    for (const headers of [
      { 'api-key': REJECTED_CREDENTIAL },
      { authorization: `Bearer ${REJECTED_CREDENTIAL}` },
    ]) {
      const refused = routeOf(DEPLOYMENT_PATH).parse(chat(), headers);
      expect(refused.ok).toBe(false);
      if (refused.ok) return;
      expect(refused.error.status).toBe(401);
      const body = JSON.parse(refused.error.body) as { error: Record<string, unknown> };
      expect(Object.keys(body.error)).toEqual(['code', 'message']);
      expect(body.error.code).toBe('401');
    }
    expect(routeOf(V1_PATH).parse(chat({ model: 'm' }), { 'api-key': 'k' }).ok).toBe(true);
    expect(routeOf(V1_PATH).parse(chat({ model: 'm' }), { authorization: 'Bearer t' }).ok).toBe(
      true,
    );
  });

  it('shapes 429 like the Azure gateway and other errors like OpenAI', () => {
    expect(azureError('rate_limit', 'slow down')).toEqual({
      status: 429,
      body: '{"error":{"code":"429","message":"slow down"}}',
    });
    expect(azureError('server_error', 'oops')).toEqual({
      status: 500,
      body: '{"error":{"message":"oops","type":"server_error","param":null,"code":null}}',
    });
    expect(azureError('invalid_request', 'bad').status).toBe(400);
    expect(azureError('request_too_large', 'big').status).toBe(413);
  });
});

describe('the Azure stream', () => {
  const exchange = exchangeOf(
    DEPLOYMENT_PATH,
    chat({ stream: true, stream_options: { include_usage: true } }),
  );
  const encoder = exchange.streamEncoder('chatcmpl-r1', 1_700_000_000);

  it('opens with a prompt-filter chunk without choices, then a role chunk with empty filter results', () => {
    expect(encoder.contentType).toBe('text/event-stream');
    expect(payloads(encoder.head() as string)).toEqual([
      {
        id: '',
        object: '',
        created: 0,
        model: '',
        prompt_filter_results: PROMPT_FILTER,
        choices: [],
      },
      {
        id: 'chatcmpl-r1',
        object: 'chat.completion.chunk',
        created: 1_700_000_000,
        model: 'gpt-4o-prod',
        system_fingerprint: 'fp_llm_lens_mock',
        choices: [
          {
            content_filter_results: {},
            index: 0,
            delta: { role: 'assistant', content: '' },
            logprobs: null,
            finish_reason: null,
          },
        ],
        usage: null,
      },
    ]);
  });

  it('rates every token chunk and keeps its text, reasoning and finish reason', () => {
    const [answer] = payloads(
      encoder.token({ isReasoning: false, firstToken: 2, tokens: 2 }, '', 'stop', 5) as string,
    ) as [{ choices: Record<string, unknown>[] }];
    expect(answer.choices).toEqual([
      {
        content_filter_results: COMPLETION_FILTER,
        index: 0,
        delta: { content: simulatedTokenText(2) + simulatedTokenText(3) },
        logprobs: null,
        finish_reason: 'stop',
      },
    ]);
    const [thought] = payloads(
      encoder.token({ isReasoning: true, firstToken: 0, tokens: 1 }, '', null, 1) as string,
    ) as [{ choices: Array<{ delta: unknown }> }];
    expect(thought.choices[0]!.delta).toEqual({ reasoning_content: simulatedTokenText(0) });
  });

  it('ends with a usage chunk without choices and [DONE], or only [DONE] without include_usage', () => {
    const usage = { promptTokens: 7, completionTokens: 5, reasoningTokens: 2 };
    expect(payloads(encoder.end(usage, 'stop') as string)).toEqual([
      {
        id: 'chatcmpl-r1',
        object: 'chat.completion.chunk',
        created: 1_700_000_000,
        model: 'gpt-4o-prod',
        system_fingerprint: 'fp_llm_lens_mock',
        choices: [],
        usage: {
          prompt_tokens: 7,
          completion_tokens: 5,
          total_tokens: 12,
          prompt_tokens_details: { cached_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 2 },
        },
      },
      '[DONE]',
    ]);
    const withoutUsage = exchangeOf(V1_PATH, chat({ model: 'm', stream: true })).streamEncoder(
      'chatcmpl-r2',
      0,
    );
    expect(withoutUsage.end(usage, 'stop')).toBe('data: [DONE]\n\n');
  });

  it('reports a mid-stream failure as an error event', () => {
    expect(payloads(encoder.error('boom') as string)).toEqual([
      {
        error: {
          message: 'boom',
          type: 'server_error',
          param: null,
          code: 'simulated_mid_stream_error',
        },
      },
    ]);
  });
});

describe('the Azure non-streaming body', () => {
  it('carries the prompt and choice filter results beside the OpenAI completion', () => {
    const { body, contentType } = exchangeOf(V1_PATH, chat({ model: 'gpt-4o-prod' })).body(
      'chatcmpl-r3',
      1_700_000_001,
      { reasoning: '', content: 'Once upon' },
      'length',
      { promptTokens: 7, completionTokens: 2, reasoningTokens: 0 },
    );
    expect(contentType).toBe('application/json');
    const parsed = JSON.parse(body) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      id: 'chatcmpl-r3',
      object: 'chat.completion',
      model: 'gpt-4o-prod',
      prompt_filter_results: PROMPT_FILTER,
      choices: [
        {
          content_filter_results: COMPLETION_FILTER,
          index: 0,
          message: { role: 'assistant', content: 'Once upon', refusal: null },
          finish_reason: 'length',
        },
      ],
      usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 },
    });
  });
});
