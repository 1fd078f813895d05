import {
  type DecoderOptions,
  type ErrorClassification,
  type HttpRequestSpec,
  LensProviderError,
  type Provider,
  type ProviderRequestInput,
  type ResponseDecoder,
  type ResponseHeaders,
  type StreamErrorPayload,
} from '@llm-lens/providers-core';
import { classifyBedrockHttpError, classifyBedrockStreamError } from './bedrock-errors.js';
import { asObject } from './bedrock-payload.js';
import { ConverseJsonDecoder } from './converse-json-decoder.js';
import { ConverseStreamDecoder } from './converse-stream-decoder.js';
import { EVENT_STREAM_CONTENT_TYPE } from './event-stream-reader.js';
import { InvokeJsonDecoder } from './invoke-json-decoder.js';
import { InvokeStreamDecoder } from './invoke-stream-decoder.js';

/** Which Bedrock Runtime API requests go to. */
export type BedrockApi = 'converse' | 'invoke';

/** The `anthropic_version` an InvokeModel body of an Anthropic model must carry on Bedrock. */
export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';
/** `max_tokens` of an InvokeModel body when a scenario sets none (Anthropic requires one). */
export const BEDROCK_DEFAULT_MAX_TOKENS = 1024;

/** Options of {@link createBedrockProvider}. */
export interface BedrockProviderOptions {
  /** Label used in results. Default `bedrock`. */
  name?: string;
  /** `converse` (any model) or `invoke` (Anthropic models' own Messages body). Default `converse`. */
  api?: BedrockApi;
  /** The AWS region: picks the endpoint and is named in error messages. */
  region?: string;
  /** Endpoint root, e.g. a VPC endpoint or a test server. Default `https://bedrock-runtime.{region}.amazonaws.com`. */
  endpointUrl?: string;
  /** A Bedrock API key, sent as `Authorization: Bearer`. Default none (sign with `sigV4Interceptor`). */
  apiKey?: string;
  /** `anthropic_version` of `invoke` bodies. Default `bedrock-2023-05-31`. */
  anthropicVersion?: string;
  /** `max_tokens` of `invoke` bodies when a request sets no limit. Default 1024. */
  defaultMaxTokens?: number;
  /** Extra headers, applied last. Default none. */
  headers?: Record<string, string>;
}

/** The public Bedrock Runtime endpoint of a region. */
export function bedrockEndpoint(region: string): string {
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://bedrock-runtime.${region}.${domain}`;
}

function normalizeEndpoint(endpoint: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(endpoint);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `endpoint_url "${endpoint.split('?')[0]}" is not an http(s) URL; expected e.g. https://bedrock-runtime.us-east-1.amazonaws.com`,
      { errorClass: 'client_error' },
    );
  }
  return endpoint.replace(/\/+$/, '');
}

/**
 * A model id as one path segment. ARNs and inference profiles hold `:` and `/`; like the AWS
 * SDKs, every reserved character is escaped, `!'()*` included.
 */
export function encodeModelId(modelId: string): string {
  return encodeURIComponent(modelId).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function splitPrompt(prompt: ProviderRequestInput['prompt']): {
  system: string[];
  turns: Array<{ role: 'user' | 'assistant'; text: string }>;
} {
  if (typeof prompt === 'string') return { system: [], turns: [{ role: 'user', text: prompt }] };
  const system: string[] = [];
  const turns: Array<{ role: 'user' | 'assistant'; text: string }> = [];
  for (const message of prompt) {
    if (message.role === 'system') system.push(message.content);
    else turns.push({ role: message.role, text: message.content });
  }
  return { system, turns };
}

/** A Converse / ConverseStream body: messages of text blocks, system blocks, inferenceConfig. */
function converseBody(input: ProviderRequestInput): Record<string, unknown> {
  const { system, turns } = splitPrompt(input.prompt);
  const body: Record<string, unknown> = {
    messages: turns.map((turn) => ({ role: turn.role, content: [{ text: turn.text }] })),
  };
  if (system.length > 0) body.system = system.map((text) => ({ text }));
  const inferenceConfig: Record<string, unknown> = {};
  if (input.maxTokens !== undefined) inferenceConfig.maxTokens = input.maxTokens;
  if (input.temperature !== undefined) inferenceConfig.temperature = input.temperature;
  if (input.extraBody !== undefined) {
    const { inferenceConfig: extraConfig, ...rest } = input.extraBody;
    // One level deeper for inferenceConfig: options { inferenceConfig: { topP } } keeps the
    // scenario's maxTokens.
    Object.assign(inferenceConfig, asObject(extraConfig));
    Object.assign(body, rest);
  }
  if (Object.keys(inferenceConfig).length > 0) body.inferenceConfig = inferenceConfig;
  return body;
}

/** An InvokeModel body for an Anthropic model: the Messages API body without model and stream. */
function invokeBody(
  input: ProviderRequestInput,
  anthropicVersion: string,
  defaultMaxTokens: number,
): Record<string, unknown> {
  const { system, turns } = splitPrompt(input.prompt);
  const body: Record<string, unknown> = {
    anthropic_version: anthropicVersion,
    max_tokens: input.maxTokens ?? defaultMaxTokens,
  };
  if (system.length > 0) body.system = system.join('\n\n');
  body.messages = turns.map((turn) => ({ role: turn.role, content: turn.text }));
  if (input.temperature !== undefined) body.temperature = input.temperature;
  if (input.extraBody !== undefined) Object.assign(body, input.extraBody);
  return body;
}

/**
 * An adapter for Bedrock Runtime: Converse / ConverseStream (`api: converse`, any model) or
 * InvokeModel / InvokeModelWithResponseStream with Anthropic's Messages body
 * (`api: invoke`). Requests are unsigned unless `apiKey` is set: SigV4 signing is the
 * transport interceptor {@link sigV4Interceptor}'s job.
 */
export function createBedrockProvider(options: BedrockProviderOptions = {}): Provider {
  const name = options.name ?? 'bedrock';
  const api = options.api ?? 'converse';
  const region = options.region;
  let endpoint: string;
  if (options.endpointUrl !== undefined) endpoint = normalizeEndpoint(options.endpointUrl);
  else if (region !== undefined) endpoint = bedrockEndpoint(region);
  else {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      'a Bedrock provider needs a region (e.g. us-east-1) or an endpoint URL',
      { errorClass: 'client_error' },
    );
  }
  const usesApiKey = options.apiKey !== undefined && options.apiKey.length > 0;
  const anthropicVersion = options.anthropicVersion ?? BEDROCK_ANTHROPIC_VERSION;
  const defaultMaxTokens = options.defaultMaxTokens ?? BEDROCK_DEFAULT_MAX_TOKENS;
  const headers = (stream: boolean): Record<string, string> => {
    const result: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? EVENT_STREAM_CONTENT_TYPE : 'application/json',
    };
    // InvokeModelWithResponseStream: the media type of the model's own events.
    if (stream && api === 'invoke') result['x-amzn-bedrock-accept'] = 'application/json';
    if (usesApiKey) {
      result.authorization = `Bearer ${options.apiKey}`;
    }
    for (const [key, value] of Object.entries(options.headers ?? {})) {
      result[key.toLowerCase()] = value;
    }
    return result;
  };
  const streamHeaders = headers(true);
  const jsonHeaders = headers(false);
  const operation =
    api === 'converse'
      ? { stream: 'converse-stream', json: 'converse' }
      : { stream: 'invoke-with-response-stream', json: 'invoke' };
  return {
    id: 'bedrock',
    name,
    buildRequest(input: ProviderRequestInput): HttpRequestSpec {
      const body =
        api === 'converse'
          ? converseBody(input)
          : invokeBody(input, anthropicVersion, defaultMaxTokens);
      return {
        url: `${endpoint}/model/${encodeModelId(input.model)}/${input.stream ? operation.stream : operation.json}`,
        method: 'POST',
        headers: { ...(input.stream ? streamHeaders : jsonHeaders) },
        body: JSON.stringify(body),
      };
    },
    createDecoder(input: ProviderRequestInput, decoderOptions?: DecoderOptions): ResponseDecoder {
      if (api === 'converse') {
        return input.stream
          ? new ConverseStreamDecoder(decoderOptions)
          : new ConverseJsonDecoder(decoderOptions);
      }
      return input.stream
        ? new InvokeStreamDecoder(decoderOptions)
        : new InvokeJsonDecoder(decoderOptions);
    },
    classifyHttpError(
      status: number,
      responseHeaders: ResponseHeaders,
      body: string,
    ): ErrorClassification {
      return classifyBedrockHttpError(status, responseHeaders, body, {
        region,
        providerLabel: name,
        usesApiKey,
      });
    },
    classifyStreamError(error: StreamErrorPayload): ErrorClassification {
      return classifyBedrockStreamError(error);
    },
  };
}
