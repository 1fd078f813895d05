import { describe, expect, it } from 'vitest';
import { simulatedText } from '../token-text.js';
import { googleError, googleProtocol, parseGoogleRequest } from './google-protocol.js';
import { type ProtocolExchange, REJECTED_CREDENTIAL } from './wire-protocol.js';

const body = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hello there' }] }], ...extra });

function exchangeFor(
  path: string,
  raw = body(),
  headers: Record<string, string> = {},
): ProtocolExchange {
  const route = googleProtocol.match('POST', path, headers);
  if (route === undefined) throw new Error(`no route for ${path}`);
  const parsed = route.parse(raw, headers);
  if (!parsed.ok) throw new Error(parsed.error.body);
  return parsed.exchange;
}

interface GeminiChunk {
  candidates: Array<{
    content: { parts: Array<{ text: string; thought?: boolean }> };
    finishReason?: string;
  }>;
  usageMetadata: Record<string, number>;
  modelVersion: string;
  responseId: string;
}

/** The JSON of each `data:` event of an encoded stream, checking Google's CRLF framing. */
function events(stream: string): GeminiChunk[] {
  expect(stream.endsWith('\r\n\r\n')).toBe(true);
  return stream
    .split('\r\n\r\n')
    .filter((event) => event !== '')
    .map((event) => {
      expect(event.startsWith('data: ')).toBe(true);
      return JSON.parse(event.slice('data: '.length)) as GeminiChunk;
    });
}

const STREAM_PATH = '/v1beta/models/gemini-2.5-flash:streamGenerateContent';

describe('google protocol routes', () => {
  it('serves the Gemini API and Vertex AI paths, taking the model and streaming from the path', () => {
    const cases: Array<[string, string, boolean]> = [
      [STREAM_PATH, 'gemini-2.5-flash', true],
      ['/v1/models/gemini-2.0-flash:generateContent', 'gemini-2.0-flash', false],
      [
        '/v1/projects/p-1/locations/us-central1/publishers/google/models/gemini-2.5-pro:streamGenerateContent',
        'gemini-2.5-pro',
        true,
      ],
      [
        '/v1beta1/projects/p/locations/global/publishers/google/models/gemini%2Dx:generateContent',
        'gemini-x',
        false,
      ],
      ['/v1/publishers/google/models/gemini-2.5-flash:generateContent', 'gemini-2.5-flash', false],
    ];
    for (const [path, model, stream] of cases) {
      const { request } = exchangeFor(path);
      expect([request.model, request.stream]).toEqual([model, stream]);
    }
  });

  it('leaves other methods, paths and publishers alone', () => {
    for (const [method, path] of [
      ['GET', STREAM_PATH],
      ['POST', '/v1beta/models/gemini-2.5-flash:countTokens'],
      ['POST', '/v1beta/models/gemini-2.5-flash'],
      ['POST', '/v1/projects/p/locations/l/publishers/anthropic/models/claude:generateContent'],
      ['POST', '/v1/chat/completions'],
    ] as const) {
      expect(googleProtocol.match(method, path, {})).toBeUndefined();
    }
  });

  it('answers the rejected credential with a 401 in Google shape, as a key or a bearer token', () => {
    const route = googleProtocol.match('POST', STREAM_PATH, {})!;
    const byKey = route.parse(body(), { 'x-goog-api-key': REJECTED_CREDENTIAL });
    expect(byKey.ok).toBe(false);
    if (byKey.ok) return;
    expect(byKey.error.status).toBe(401);
    const error = JSON.parse(byKey.error.body).error;
    expect(error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
    expect(error.details[0].reason).toBe('API_KEY_INVALID');
    const byToken = route.parse(body(), { authorization: `Bearer ${REJECTED_CREDENTIAL}` });
    expect(byToken.ok || byToken.error.status).toBe(401);
    expect(route.parse(body(), { 'x-goog-api-key': 'any-other-key' }).ok).toBe(true);
  });
});

describe('parseGoogleRequest', () => {
  it('counts the words of every text part, system instruction included', () => {
    const parsed = parseGoogleRequest(
      body({
        contents: [
          { role: 'user', parts: [{ text: 'one two' }, { text: 'three' }] },
          { role: 'model', parts: [{ text: 'four' }] },
        ],
        systemInstruction: { parts: [{ text: 'five six' }] },
        generationConfig: { maxOutputTokens: 7, temperature: 0.2 },
      }),
      'm',
      true,
    );
    expect(parsed).toEqual({
      ok: true,
      request: {
        model: 'm',
        stream: true,
        includeUsage: true,
        continuousUsage: false,
        maxTokens: 7,
        minTokens: undefined,
        ignoreEos: false,
        promptTokens: 6,
        supportsReasoning: false,
      },
    });
  });

  it('generates thoughts only with thinkingConfig.includeThoughts, in either spelling', () => {
    const thinking = (config: unknown) => {
      const parsed = parseGoogleRequest(body({ generationConfig: config }), 'm', true);
      return parsed.ok && parsed.request.supportsReasoning;
    };
    expect(thinking({ thinkingConfig: { includeThoughts: true } })).toBe(true);
    expect(thinking({ thinking_config: { include_thoughts: true } })).toBe(true);
    expect(thinking({ thinkingConfig: { thinkingBudget: 1024 } })).toBe(false);
    expect(thinking(undefined)).toBe(false);
  });

  it('rejects bodies as Gemini does, in its words', () => {
    const problem = (raw: string) => {
      const parsed = parseGoogleRequest(raw, 'm', false);
      return parsed.ok ? undefined : parsed.message;
    };
    expect(problem('{oops')).toMatch(/^Invalid JSON payload received/);
    expect(problem('[]')).toMatch(/^Invalid JSON payload received/);
    expect(problem('{}')).toMatch(/contents is not specified/);
    expect(problem(body({ contents: [{ role: 'user', parts: [] }] }))).toMatch(
      /contents\[0\]\.parts/,
    );
    expect(problem(body({ contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }))).toBe(
      'Please use a valid role: user, model.',
    );
    expect(problem(body({ generationConfig: { maxOutputTokens: 0 } }))).toMatch(
      /max_output_tokens must be positive/,
    );
  });
});

describe('google stream encoder', () => {
  const reasoning = { isReasoning: true, firstToken: 0, tokens: 2 };
  const answer = (firstToken: number, tokens: number) => ({
    isReasoning: false,
    firstToken,
    tokens,
  });

  it('sends thought parts, then text parts, with cumulative usageMetadata as Gemini counts it', () => {
    const exchange = exchangeFor(
      STREAM_PATH,
      body({ generationConfig: { thinkingConfig: { includeThoughts: true } } }),
    );
    const encoder = exchange.streamEncoder('resp-1', 0);
    expect(encoder.contentType).toBe('text/event-stream');
    expect(encoder.head()).toBe('');
    const stream =
      (encoder.token(reasoning, simulatedText(2), null, 2) as string) +
      (encoder.token(answer(0, 1), simulatedText(1), null, 3) as string) +
      (encoder.token(answer(1, 2), simulatedText(2, 1), 'length', 5) as string);
    const parsed = events(stream);
    expect(parsed.map((e) => e.candidates[0]?.content.parts)).toEqual([
      [{ text: simulatedText(2), thought: true }],
      [{ text: simulatedText(1) }],
      [{ text: simulatedText(2, 1) }],
    ]);
    // No candidatesTokenCount while only thoughts are out, as in Gemini's own streams.
    expect(parsed.map((e) => e.usageMetadata)).toEqual([
      { promptTokenCount: 2, totalTokenCount: 4, thoughtsTokenCount: 2 },
      { promptTokenCount: 2, candidatesTokenCount: 1, totalTokenCount: 5, thoughtsTokenCount: 2 },
      { promptTokenCount: 2, candidatesTokenCount: 3, totalTokenCount: 7, thoughtsTokenCount: 2 },
    ]);
    expect(parsed.map((e) => e.candidates[0]?.finishReason)).toEqual([
      undefined,
      undefined,
      'MAX_TOKENS',
    ]);
    expect(
      parsed.every((e) => e.responseId === 'resp-1' && e.modelVersion === 'gemini-2.5-flash'),
    ).toBe(true);
    // The finish chunk is the last: nothing follows it.
    expect(
      encoder.end({ promptTokens: 2, completionTokens: 5, reasoningTokens: 2 }, 'length'),
    ).toBe('');
  });

  it('ends a response that had no token with a finish chunk of its own', () => {
    const encoder = exchangeFor(STREAM_PATH).streamEncoder('resp-2', 0);
    const [last] = events(
      encoder.end({ promptTokens: 2, completionTokens: 0, reasoningTokens: 0 }, 'stop') as string,
    );
    expect(last?.candidates[0]).toMatchObject({
      finishReason: 'STOP',
      content: { parts: [{ text: '' }] },
    });
    expect(last?.usageMetadata).toEqual({
      promptTokenCount: 2,
      candidatesTokenCount: 0,
      totalTokenCount: 2,
    });
  });

  it('fails mid-stream with an error object as the data of an event', () => {
    const encoder = exchangeFor(STREAM_PATH).streamEncoder('resp-3', 0);
    expect(events(encoder.error('boom') as string)).toEqual([
      { error: { code: 500, message: 'boom', status: 'INTERNAL' } },
    ]);
  });
});

describe('google bodies and errors', () => {
  it('returns a whole GenerateContentResponse, thoughts as a part of their own', () => {
    const exchange = exchangeFor('/v1beta/models/m:generateContent');
    const { contentType, body: json } = exchange.body(
      'resp-4',
      0,
      { reasoning: ' hmm', content: ' the quick' },
      'stop',
      { promptTokens: 2, completionTokens: 3, reasoningTokens: 1 },
    );
    expect(contentType).toBe('application/json; charset=UTF-8');
    expect(JSON.parse(json)).toEqual({
      candidates: [
        {
          content: {
            parts: [{ text: ' hmm', thought: true }, { text: ' the quick' }],
            role: 'model',
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: 2,
        candidatesTokenCount: 2,
        totalTokenCount: 5,
        thoughtsTokenCount: 1,
      },
      modelVersion: 'm',
      responseId: 'resp-4',
    });
  });

  it('puts each simulated error in Google shape with its status name', () => {
    const expected = {
      invalid_request: [400, 'INVALID_ARGUMENT'],
      unauthorized: [401, 'UNAUTHENTICATED'],
      request_too_large: [400, 'INVALID_ARGUMENT'],
      rate_limit: [429, 'RESOURCE_EXHAUSTED'],
      server_error: [500, 'INTERNAL'],
    } as const;
    for (const [kind, [code, status]] of Object.entries(expected)) {
      const response = googleError(kind as keyof typeof expected, 'why');
      expect(response.status).toBe(code);
      expect(JSON.parse(response.body)).toEqual({ error: { code, message: 'why', status } });
    }
  });
});
