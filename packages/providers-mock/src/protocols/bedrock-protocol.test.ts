import { EventStreamCodec, type Message } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import {
  type BedrockRequest,
  bedrockError,
  bedrockProtocol,
  ConverseStreamEncoder,
  converseBody,
  credentialOf,
  encodeFrame,
  InvokeStreamEncoder,
  invokeBody,
  parseConverseRequest,
  parseInvokeRequest,
  SIMULATED_REASONING_SIGNATURE,
} from './bedrock-protocol.js';
import { REJECTED_CREDENTIAL, type WireChunk } from './wire-protocol.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** Splits written bytes into frames and decodes each with the AWS SDKs' codec (CRCs checked). */
function frames(...chunks: WireChunk[]): Message[] {
  const bytes = Buffer.concat(chunks.map((chunk) => Buffer.from(chunk)));
  const messages: Message[] = [];
  for (let at = 0; at < bytes.byteLength; ) {
    const length = bytes.readUInt32BE(at);
    messages.push(codec.decode(bytes.subarray(at, at + length)));
    at += length;
  }
  return messages;
}

function header(message: Message, name: string): unknown {
  return message.headers[name]?.value;
}

/** `eventType payload` with the `p` padding left out, one line per frame. */
function describeFrames(messages: Message[]): string[] {
  return messages.map((message) => {
    const payload = JSON.parse(toUtf8(message.body)) as Record<string, unknown>;
    expect(typeof payload.p).toBe(
      header(message, ':event-type') === undefined ? 'undefined' : 'string',
    );
    delete payload.p;
    return `${String(header(message, ':event-type') ?? header(message, ':exception-type'))} ${JSON.stringify(payload)}`;
  });
}

/** The Anthropic events inside chunk frames. */
function anthropicEvents(messages: Message[]): Array<Record<string, unknown>> {
  return messages.map((message) => {
    expect(header(message, ':event-type')).toBe('chunk');
    const { bytes } = JSON.parse(toUtf8(message.body)) as { bytes: string };
    return JSON.parse(Buffer.from(bytes, 'base64').toString('utf8')) as Record<string, unknown>;
  });
}

const signed = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20250102/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc',
};

function request(overrides: Partial<BedrockRequest> = {}): BedrockRequest {
  return {
    operation: 'converse-stream',
    model: 'm',
    stream: true,
    includeUsage: true,
    continuousUsage: false,
    maxTokens: undefined,
    minTokens: undefined,
    ignoreEos: false,
    promptTokens: 7,
    supportsReasoning: false,
    isReasoningEnabled: false,
    ...overrides,
  };
}

const usage = { promptTokens: 7, completionTokens: 3, reasoningTokens: 0 };
const planned = (isReasoning: boolean) => ({ isReasoning, firstToken: 0, tokens: 1 });

describe('encodeFrame', () => {
  it('writes frames the AWS codec decodes, checksums included', () => {
    const headers = codec.formatHeaders({ ':event-type': { type: 'string', value: 'metadata' } });
    const [message] = frames(encodeFrame(headers, '{"text":"灯台 🌊"}'));
    expect(header(message!, ':event-type')).toBe('metadata');
    expect(toUtf8(message!.body)).toBe('{"text":"灯台 🌊"}');
  });
});

describe('bedrockProtocol.match', () => {
  it('serves the four operations, with the model id URL-decoded from the path', () => {
    for (const operation of [
      'converse',
      'converse-stream',
      'invoke',
      'invoke-with-response-stream',
    ]) {
      const route = bedrockProtocol.match(
        'POST',
        `/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.x/${operation}`,
        {},
      );
      const body = operation.startsWith('converse')
        ? '{"messages":[{"role":"user","content":[{"text":"hi"}]}]}'
        : '{"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}';
      const parsed = route!.parse(body, signed);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) {
        expect(parsed.exchange.request.model).toBe(
          'arn:aws:bedrock:us-east-1:1:inference-profile/us.x',
        );
        expect(parsed.exchange.request.stream).toBe(operation.endsWith('stream'));
      }
    }
  });

  it('leaves other methods and paths to other protocols', () => {
    expect(bedrockProtocol.match('GET', '/model/m/converse', {})).toBeUndefined();
    expect(bedrockProtocol.match('POST', '/model/m/converse-streaming', {})).toBeUndefined();
    expect(bedrockProtocol.match('POST', '/model//converse', {})).toBeUndefined();
    expect(bedrockProtocol.match('POST', '/v1/chat/completions', {})).toBeUndefined();
  });
});

describe('authorization', () => {
  const route = bedrockProtocol.match('POST', '/model/m/converse', {})!;
  const body = '{"messages":[{"role":"user","content":[{"text":"hi"}]}]}';

  it('answers 403 UnrecognizedClientException without an Authorization header or with the rejected key', () => {
    const rejectedSigV4 = `AWS4-HMAC-SHA256 Credential=${REJECTED_CREDENTIAL}/20250102/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=abc`;
    for (const authorization of [undefined, rejectedSigV4, `Bearer ${REJECTED_CREDENTIAL}`]) {
      const parsed = route.parse(body, authorization === undefined ? {} : { authorization });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) {
        expect(parsed.error.status).toBe(403);
        expect(parsed.error.headers).toEqual({
          'x-amzn-errortype':
            'UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.bedrock/',
        });
        expect(JSON.parse(parsed.error.body).message).toMatch(
          /^The security token included in the request is invalid\./,
        );
      }
    }
  });

  it('accepts any other signature or bearer token without verifying it', () => {
    expect(route.parse(body, signed).ok).toBe(true);
    expect(route.parse(body, { authorization: 'Bearer ABSKexample' }).ok).toBe(true);
  });

  it('reads the credential of SigV4 and bearer headers', () => {
    expect(credentialOf(signed.authorization)).toBe('AKIAEXAMPLE');
    expect(credentialOf('Bearer tok.en')).toBe('tok.en');
    expect(credentialOf('Basic dXNlcg==')).toBeUndefined();
  });
});

describe('bedrockError', () => {
  it('is a JSON message with the AWS error type in x-amzn-errortype', () => {
    expect(bedrockError('rate_limit', 'Too many requests')).toEqual({
      status: 429,
      body: '{"message":"Too many requests"}',
      headers: {
        'x-amzn-errortype':
          'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
      },
    });
    expect(bedrockError('server_error', 'x').status).toBe(500);
    expect(bedrockError('server_error', 'x').headers?.['x-amzn-errortype']).toMatch(
      /^InternalServerException:/,
    );
    expect(bedrockError('invalid_request', 'x').status).toBe(400);
  });
});

describe('parseConverseRequest', () => {
  it('estimates the prompt from the messages and system blocks and reads maxTokens', () => {
    const parsed = parseConverseRequest(
      '{"system":[{"text":"Be brief."}],"messages":[{"role":"user","content":[{"text":"Say twelve words"}]}],"inferenceConfig":{"maxTokens":9}}',
      'nova',
      'converse',
    );
    expect(parsed).toEqual({
      ok: true,
      request: request({
        operation: 'converse',
        model: 'nova',
        stream: false,
        maxTokens: 9,
        promptTokens: 13,
      }),
    });
  });

  it.each([
    ['{"thinking":{"type":"enabled","budget_tokens":1024}}', true],
    ['{"thinking":{"type":"adaptive"}}', true],
    ['{"reasoningConfig":{"type":"enabled","maxReasoningEffort":"low"}}', true],
    ['{"thinking":{"type":"disabled"}}', false],
    ['{"top_k":5}', false],
  ])('with additionalModelRequestFields %s, reasoning is %s', (fields, expected) => {
    const parsed = parseConverseRequest(
      `{"messages":[{"role":"user","content":[{"text":"hi"}]}],"additionalModelRequestFields":${fields}}`,
      'm',
      'converse-stream',
    );
    expect(parsed.ok && parsed.request.isReasoningEnabled).toBe(expected);
    expect(parsed.ok && parsed.request.supportsReasoning).toBe(expected);
  });

  it('refuses what Bedrock refuses, as a ValidationException text', () => {
    expect(parseConverseRequest('not json', 'm', 'converse')).toEqual({
      ok: false,
      message: 'Malformed input request, please reformat your input and try again.',
    });
    expect(parseConverseRequest('{}', 'm', 'converse')).toEqual({
      ok: false,
      message:
        "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null",
    });
    const zeroTokens = parseConverseRequest(
      '{"messages":[{"role":"user","content":[]}],"inferenceConfig":{"maxTokens":0}}',
      'm',
      'converse',
    );
    expect(zeroTokens.ok === false && zeroTokens.message).toContain("'inferenceConfig.maxTokens'");
  });
});

describe('parseInvokeRequest', () => {
  it('reads an Anthropic Messages body, thinking included', () => {
    const parsed = parseInvokeRequest(
      '{"anthropic_version":"bedrock-2023-05-31","max_tokens":2048,"system":"Be brief.","messages":[{"role":"user","content":"Say twelve words"}],"thinking":{"type":"enabled","budget_tokens":1024}}',
      'claude',
      'invoke-with-response-stream',
    );
    expect(parsed).toEqual({
      ok: true,
      request: request({
        operation: 'invoke-with-response-stream',
        model: 'claude',
        maxTokens: 2048,
        promptTokens: 13,
        supportsReasoning: true,
        isReasoningEnabled: true,
      }),
    });
  });

  it('refuses missing required keys and the keys Bedrock calls extraneous', () => {
    const message = (body: string) => {
      const parsed = parseInvokeRequest(body, 'm', 'invoke');
      return parsed.ok ? undefined : parsed.message;
    };
    expect(message('{"max_tokens":5,"messages":[]}')).toBe(
      'Malformed input request: #: required key [anthropic_version] not found, please reformat your input and try again.',
    );
    expect(message('{"anthropic_version":"bedrock-2023-05-31","messages":[]}')).toContain(
      'required key [max_tokens] not found',
    );
    expect(
      message(
        '{"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"messages":[],"stream":true}',
      ),
    ).toBe(
      'Malformed input request: #: extraneous key [stream] is not permitted, please reformat your input and try again.',
    );
    expect(
      message(
        '{"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"messages":[],"model":"x"}',
      ),
    ).toContain('extraneous key [model]');
    expect(
      message('{"anthropic_version":"bedrock-2023-05-31","max_tokens":0,"messages":[]}'),
    ).toContain('max_tokens: 0 is not greater or equal to 1');
  });
});

describe('ConverseStreamEncoder', () => {
  it('writes messageStart, text deltas, the block stop, messageStop and metadata with usage and latency', () => {
    const encoder = new ConverseStreamEncoder(request(), performance.now());
    const written = [
      encoder.head(),
      encoder.token(planned(false), ' the'),
      encoder.token(planned(false), ' quick'),
      encoder.end(usage, 'length'),
    ];
    expect(encoder.contentType).toBe('application/vnd.amazon.eventstream');
    const messages = frames(...written);
    for (const message of messages) {
      expect(header(message, ':message-type')).toBe('event');
      expect(header(message, ':content-type')).toBe('application/json');
    }
    const described = describeFrames(messages);
    expect(described.slice(0, 5)).toEqual([
      'messageStart {"role":"assistant"}',
      'contentBlockDelta {"contentBlockIndex":0,"delta":{"text":" the"}}',
      'contentBlockDelta {"contentBlockIndex":0,"delta":{"text":" quick"}}',
      'contentBlockStop {"contentBlockIndex":0}',
      'messageStop {"stopReason":"max_tokens"}',
    ]);
    expect(described[5]).toMatch(
      /^metadata \{"metrics":\{"latencyMs":\d+\},"usage":\{"inputTokens":7,"outputTokens":3,"totalTokens":10\}\}$/,
    );
  });

  it('puts reasoning in block 0, closed by a signature before the text in block 1', () => {
    const encoder = new ConverseStreamEncoder(
      request({ isReasoningEnabled: true, supportsReasoning: true }),
      performance.now(),
    );
    const described = describeFrames(
      frames(
        encoder.head(),
        encoder.token(planned(true), ' the'),
        encoder.token(planned(false), ' quick'),
        encoder.end(usage, 'stop'),
      ),
    );
    expect(described.slice(0, 7)).toEqual([
      'messageStart {"role":"assistant"}',
      'contentBlockDelta {"contentBlockIndex":0,"delta":{"reasoningContent":{"text":" the"}}}',
      `contentBlockDelta {"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"${SIMULATED_REASONING_SIGNATURE}"}}}`,
      'contentBlockStop {"contentBlockIndex":0}',
      'contentBlockDelta {"contentBlockIndex":1,"delta":{"text":" quick"}}',
      'contentBlockStop {"contentBlockIndex":1}',
      'messageStop {"stopReason":"end_turn"}',
    ]);
  });

  it('ends a failed stream with a modelStreamErrorException frame', () => {
    const [message] = frames(new ConverseStreamEncoder(request(), 0).error('The model stopped.'));
    expect(message!.headers).toEqual({
      ':exception-type': { type: 'string', value: 'modelStreamErrorException' },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    });
    expect(toUtf8(message!.body)).toBe('{"message":"The model stopped."}');
  });
});

describe('InvokeStreamEncoder', () => {
  it('writes Anthropic events as base64 chunks, the last with the invocation metrics', () => {
    const encoder = new InvokeStreamEncoder(
      request({ operation: 'invoke-with-response-stream', model: 'claude' }),
      'msg_bdrk_1',
      performance.now(),
    );
    const events = anthropicEvents(
      frames(encoder.head(), encoder.token(planned(false), ' the'), encoder.end(usage, 'stop')),
    );
    expect(events.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[0]).toMatchObject({
      message: { id: 'msg_bdrk_1', model: 'claude', usage: { input_tokens: 7, output_tokens: 1 } },
    });
    expect(events[2]).toEqual({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: ' the' },
    });
    expect(events[4]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 3 },
    });
    const metrics = events[5]!['amazon-bedrock-invocationMetrics'] as Record<string, number>;
    expect(metrics).toMatchObject({ inputTokenCount: 7, outputTokenCount: 3 });
    expect(metrics.invocationLatency).toBeGreaterThanOrEqual(metrics.firstByteLatency!);
  });

  it('streams thinking in block 0 and closes it with a signature before the text block', () => {
    const encoder = new InvokeStreamEncoder(
      request({ isReasoningEnabled: true, supportsReasoning: true }),
      'msg_bdrk_2',
      0,
    );
    const events = anthropicEvents(
      frames(
        encoder.head(),
        encoder.token(planned(true), ' hmm'),
        encoder.token(planned(false), ' the'),
      ),
    );
    expect(events.slice(1)).toEqual([
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'thinking_delta', thinking: ' hmm' },
      },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'signature_delta', signature: SIMULATED_REASONING_SIGNATURE },
      },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: ' the' } },
    ]);
  });
});

describe('non-streaming bodies', () => {
  const text = { reasoning: ' hmm', content: ' the quick' };

  it('writes a Converse body with reasoning, usage and latency', () => {
    expect(
      JSON.parse(converseBody(request({ isReasoningEnabled: true }), text, 'stop', usage, 12)),
    ).toEqual({
      metrics: { latencyMs: 12 },
      output: {
        message: {
          role: 'assistant',
          content: [
            {
              reasoningContent: {
                reasoningText: { text: ' hmm', signature: SIMULATED_REASONING_SIGNATURE },
              },
            },
            { text: ' the quick' },
          ],
        },
      },
      stopReason: 'end_turn',
      usage: { inputTokens: 7, outputTokens: 3, totalTokens: 10 },
    });
  });

  it('writes an Anthropic message for InvokeModel', () => {
    expect(
      JSON.parse(invokeBody(request({ model: 'claude' }), 'msg_bdrk_3', text, 'length', usage)),
    ).toEqual({
      id: 'msg_bdrk_3',
      type: 'message',
      role: 'assistant',
      model: 'claude',
      content: [{ type: 'text', text: ' the quick' }],
      stop_reason: 'max_tokens',
      stop_sequence: null,
      usage: {
        input_tokens: 7,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 3,
      },
    });
  });
});
