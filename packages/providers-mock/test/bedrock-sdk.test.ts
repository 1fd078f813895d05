import { createRequire } from 'node:module';
import {
  BedrockRuntimeClient,
  type BedrockRuntimeClientConfig,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ThrottlingException,
  type TokenUsage,
} from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, simulatedText, startSimulator } from '../src/index.js';

const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const credentials = { accessKeyId: 'AKIASIMULATOR', secretAccessKey: 'simulator-secret' };

let sim: RunningSimulator;
let throttling: RunningSimulator;

// This client defaults to an HTTP/2 handler (for InvokeModelWithBidirectionalStream); the
// simulator, like Bedrock's other operations, speaks HTTP/1.1. The SDK's own HTTP/1.1
// handler comes from the SDK's dependencies, so the test needs no package of its own.
const requireFromSdk = createRequire(
  createRequire(import.meta.url).resolve('@aws-sdk/client-bedrock-runtime'),
);
const { NodeHttpHandler } = requireFromSdk('@smithy/node-http-handler') as {
  NodeHttpHandler: new () => NonNullable<BedrockRuntimeClientConfig['requestHandler']>;
};

function client(url: string): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: url,
    credentials,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });
}

beforeAll(async () => {
  sim = await startSimulator({
    ttftMs: 5,
    itlMs: 1,
    outputTokens: 12,
    reasoningTokens: 3,
    seed: 1,
  });
  throttling = await startSimulator({
    ttftMs: 1,
    itlMs: 1,
    outputTokens: 4,
    seed: 1,
    faults: { rateLimitRate: 1 },
  });
});

afterAll(async () => {
  await Promise.all([sim.close(), throttling.close()]);
});

describe('the official AWS SDK (BedrockRuntimeClient) against the simulator', () => {
  it('streams ConverseStream with the full text, stop reason, usage and metrics', async () => {
    const response = await client(sim.url).send(
      new ConverseStreamCommand({
        modelId: MODEL,
        system: [{ text: 'Be brief.' }],
        messages: [{ role: 'user', content: [{ text: 'Say twelve words' }] }],
      }),
    );
    let text = '';
    let role: string | undefined;
    let stopReason: string | undefined;
    let usage: TokenUsage | undefined;
    let latencyMs: number | undefined;
    for await (const event of response.stream!) {
      if (event.messageStart) role = event.messageStart.role;
      text += event.contentBlockDelta?.delta?.text ?? '';
      if (event.messageStop) stopReason = event.messageStop.stopReason;
      if (event.metadata) {
        usage = event.metadata.usage;
        latencyMs = event.metadata.metrics?.latencyMs;
      }
    }
    expect(role).toBe('assistant');
    expect(text).toBe(simulatedText(12));
    expect(stopReason).toBe('end_turn');
    // The simulator's prompt estimate: 4 per message plus its words, system blocks as one.
    expect(usage).toEqual({ inputTokens: 4 + 2 + (4 + 3), outputTokens: 12, totalTokens: 25 });
    // From the request's arrival: 5 ms TTFT and 11 gaps of 1 ms at least, less 1 for rounding.
    expect(latencyMs).toBeGreaterThanOrEqual(5 + 11 - 1);
  });

  it('streams reasoningContent when the request enables thinking', async () => {
    const response = await client(sim.url).send(
      new ConverseStreamCommand({
        modelId: MODEL,
        messages: [{ role: 'user', content: [{ text: 'Think' }] }],
        inferenceConfig: { maxTokens: 2048 },
        additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 1024 } },
      }),
    );
    let reasoning = '';
    let text = '';
    let signature: string | undefined;
    for await (const event of response.stream!) {
      const delta = event.contentBlockDelta?.delta;
      reasoning += delta?.reasoningContent?.text ?? '';
      signature ??= delta?.reasoningContent?.signature;
      text += delta?.text ?? '';
    }
    expect(reasoning).toBe(simulatedText(3));
    expect(signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(text).toBe(simulatedText(12));
  });

  it('returns a non-streaming Converse response', async () => {
    const response = await client(sim.url).send(
      new ConverseCommand({
        modelId: 'amazon.nova-micro-v1:0',
        messages: [{ role: 'user', content: [{ text: 'hi' }] }],
        inferenceConfig: { maxTokens: 5 },
      }),
    );
    expect(response.output?.message?.content?.[0]?.text).toBe(simulatedText(5));
    expect(response.stopReason).toBe('max_tokens');
    expect(response.usage).toEqual({ inputTokens: 5, outputTokens: 5, totalTokens: 10 });
    expect(response.metrics?.latencyMs).toBeGreaterThanOrEqual(5 + 4 - 1);
  });

  it('streams InvokeModelWithResponseStream chunks of Anthropic events with invocation metrics', async () => {
    const response = await client(sim.url).send(
      new InvokeModelWithResponseStreamCommand({
        modelId: MODEL,
        contentType: 'application/json',
        body: JSON.stringify({
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 256,
          messages: [{ role: 'user', content: 'Say twelve words' }],
        }),
      }),
    );
    const types: string[] = [];
    let text = '';
    let metrics: Record<string, number> | undefined;
    for await (const event of response.body!) {
      const payload = JSON.parse(new TextDecoder().decode(event.chunk!.bytes)) as {
        type: string;
        delta?: { type?: string; text?: string };
        'amazon-bedrock-invocationMetrics'?: Record<string, number>;
      };
      types.push(payload.type);
      if (payload.delta?.type === 'text_delta') text += payload.delta.text;
      metrics ??= payload['amazon-bedrock-invocationMetrics'];
    }
    expect(text).toBe(simulatedText(12));
    expect(types[0]).toBe('message_start');
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(metrics).toMatchObject({ inputTokenCount: 7, outputTokenCount: 12 });
    expect(metrics!.invocationLatency).toBeGreaterThanOrEqual(metrics!.firstByteLatency!);
  });

  it('returns a non-streaming InvokeModel body', async () => {
    const response = await client(sim.url).send(
      new InvokeModelCommand({
        modelId: MODEL,
        contentType: 'application/json',
        body: JSON.stringify({
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 3,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      }),
    );
    const message = JSON.parse(new TextDecoder().decode(response.body)) as {
      content: Array<{ type: string; text: string }>;
      stop_reason: string;
      usage: { output_tokens: number };
    };
    expect(message.content).toEqual([{ type: 'text', text: simulatedText(3) }]);
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(3);
  });

  it('surfaces a throttling fault as ThrottlingException', async () => {
    const failure = await client(throttling.url)
      .send(
        new ConverseCommand({
          modelId: MODEL,
          messages: [{ role: 'user', content: [{ text: 'hi' }] }],
        }),
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(ThrottlingException);
    expect((failure as ThrottlingException).$metadata.httpStatusCode).toBe(429);
    expect((failure as ThrottlingException).message).toMatch(/^Rate limit reached for /);
  });

  it('surfaces a mid-stream fault as the modelStreamErrorException it is', async () => {
    const failing = await startSimulator({
      ttftMs: 1,
      itlMs: 1,
      outputTokens: 4,
      seed: 1,
      faults: { midStreamErrorRate: 1 },
    });
    try {
      const response = await client(failing.url).send(
        new ConverseStreamCommand({
          modelId: MODEL,
          messages: [{ role: 'user', content: [{ text: 'hi' }] }],
        }),
      );
      let text = '';
      const failure = await (async () => {
        for await (const event of response.stream!)
          text += event.contentBlockDelta?.delta?.text ?? '';
      })().then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(text).toBe(simulatedText(2));
      expect(failure?.name).toBe('ModelStreamErrorException');
    } finally {
      await failing.close();
    }
  });
});
