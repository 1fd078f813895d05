import {
  classifyHttpStatus,
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
import { OpenAIJsonDecoder } from './json-decoder.js';
import type { OpenAIApi } from './openai-payload.js';
import { OpenAIStreamDecoder } from './stream-decoder.js';
import { classifyOpenAIStreamError } from './stream-error.js';

/** The public OpenAI API. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** Options of {@link createOpenAIProvider}. */
export interface OpenAIProviderOptions {
  /** Registry id. Default `openai`; use `openai-compatible` for vLLM, Ollama, llama.cpp, TGI, ... */
  id?: 'openai' | 'openai-compatible';
  /** Label used in results. Default: the id. */
  name?: string;
  /** API root, up to and including `/v1`. Default `https://api.openai.com/v1`; a trailing slash is fine. */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer <key>`. Default: none (no Authorization header). */
  apiKey?: string;
  /** `chat` (POST /chat/completions) or legacy `completions` (POST /completions). Default `chat`. */
  api?: OpenAIApi;
  /** Ask for a final usage chunk (`stream_options.include_usage`) on streaming requests. Default true. */
  includeUsage?: boolean;
  /** Body field for the output limit; newer OpenAI models need `max_completion_tokens`. Default `max_tokens`. */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** Extra headers, applied last (they can replace the defaults, e.g. `api-key` for Azure). Default none. */
  headers?: Record<string, string>;
}

function normalizeBaseUrl(baseUrl: string): string {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    parsed = new URL('invalid:');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `baseUrl "${baseUrl.split('?')[0]}" is not an http(s) URL; expected e.g. ${OPENAI_DEFAULT_BASE_URL} or http://localhost:8000/v1`,
    );
  }
  return baseUrl.replace(/\/+$/, '');
}

function buildHeaders(
  accept: string,
  apiKey: string | undefined,
  extra: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept };
  if (apiKey !== undefined && apiKey.length > 0) headers.authorization = `Bearer ${apiKey}`;
  for (const [key, value] of Object.entries(extra)) {
    // Header names are case-insensitive: `Authorization` replaces ours instead of doubling it.
    const lower = key.toLowerCase();
    delete headers[lower];
    headers[lower] = value;
  }
  return headers;
}

function buildBody(
  input: ProviderRequestInput,
  api: OpenAIApi,
  includeUsage: boolean,
  maxTokensField: 'max_tokens' | 'max_completion_tokens',
): Record<string, unknown> {
  const body: Record<string, unknown> = { model: input.model };
  if (api === 'chat') {
    body.messages =
      typeof input.prompt === 'string' ? [{ role: 'user', content: input.prompt }] : input.prompt;
  } else {
    if (typeof input.prompt !== 'string') {
      throw new LensProviderError(
        'LENS_PROVIDER_CONFIG',
        'the legacy completions API takes a plain prompt, not a message list; use api: "chat" or a string prompt',
      );
    }
    body.prompt = input.prompt;
  }
  body.stream = input.stream;
  if (input.stream && includeUsage) body.stream_options = { include_usage: true };
  if (input.maxTokens !== undefined) body[maxTokensField] = input.maxTokens;
  if (input.temperature !== undefined) body.temperature = input.temperature;
  if (input.extraBody !== undefined) Object.assign(body, input.extraBody);
  return body;
}

/**
 * An adapter for the OpenAI Chat Completions (or legacy Completions) API and every server
 * that speaks it: vLLM, Ollama, llama.cpp, TGI, LM Studio, LiteLLM, ...
 */
export function createOpenAIProvider(options: OpenAIProviderOptions = {}): Provider {
  const id = options.id ?? 'openai';
  const name = options.name ?? id;
  const base = normalizeBaseUrl(options.baseUrl ?? OPENAI_DEFAULT_BASE_URL);
  const api: OpenAIApi = options.api ?? 'chat';
  if (api !== 'chat' && api !== 'completions') {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `unknown api "${String(api)}" for ${name}; expected "chat" or "completions"`,
    );
  }
  const url = `${base}${api === 'chat' ? '/chat/completions' : '/completions'}`;
  const includeUsage = options.includeUsage ?? true;
  const maxTokensField = options.maxTokensField ?? 'max_tokens';
  const streamHeaders = buildHeaders('text/event-stream', options.apiKey, options.headers ?? {});
  const jsonHeaders = buildHeaders('application/json', options.apiKey, options.headers ?? {});

  return {
    id,
    name,
    buildRequest(input: ProviderRequestInput): HttpRequestSpec {
      return {
        url,
        method: 'POST',
        // A copy: the caller owns the spec and may add headers (tracing, request ids).
        headers: { ...(input.stream ? streamHeaders : jsonHeaders) },
        body: JSON.stringify(buildBody(input, api, includeUsage, maxTokensField)),
      };
    },
    createDecoder(input: ProviderRequestInput, options?: DecoderOptions): ResponseDecoder {
      return input.stream
        ? new OpenAIStreamDecoder(api, options)
        : new OpenAIJsonDecoder(api, options);
    },
    classifyHttpError(status: number, headers: ResponseHeaders, body: string): ErrorClassification {
      return classifyHttpStatus(status, headers, body, { providerLabel: name });
    },
    classifyStreamError(error: StreamErrorPayload): ErrorClassification {
      return classifyOpenAIStreamError(error);
    },
  };
}
