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
import { AnthropicJsonDecoder } from './json-decoder.js';
import { AnthropicStreamDecoder } from './stream-decoder.js';
import { classifyAnthropicStreamError } from './stream-error.js';

/** The public Anthropic API (the adapter appends `/v1/messages`). */
export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** The `anthropic-version` header sent unless an option says otherwise. */
export const ANTHROPIC_API_VERSION = '2023-06-01';
/** `max_tokens` is required by the Messages API: sent when a scenario sets none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

/** Options of {@link createAnthropicProvider}. */
export interface AnthropicProviderOptions {
  /** Label used in results. Default `anthropic`. */
  name?: string;
  /** API root without `/v1`. Default `https://api.anthropic.com`; a trailing slash is fine. */
  baseUrl?: string;
  /** Sent as `x-api-key`. Default: none. */
  apiKey?: string;
  /** The `anthropic-version` header. Default `2023-06-01`. */
  apiVersion?: string;
  /** `max_tokens` when a request sets no output limit (the API requires one). Default 1024. */
  defaultMaxTokens?: number;
  /** Extra headers, applied last (e.g. `anthropic-beta`). Default none. */
  headers?: Record<string, string>;
}

function normalizeBaseUrl(baseUrl: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(baseUrl);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `baseUrl "${baseUrl.split('?')[0]}" is not an http(s) URL; expected e.g. ${ANTHROPIC_DEFAULT_BASE_URL}`,
    );
  }
  // The path is the adapter's: a base URL given with /v1 (as OpenAI's are) still works.
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

function buildBody(input: ProviderRequestInput, defaultMaxTokens: number): Record<string, unknown> {
  const body: Record<string, unknown> = { model: input.model };
  if (typeof input.prompt === 'string') {
    body.messages = [{ role: 'user', content: input.prompt }];
  } else {
    // System prompts are a top-level field in the Messages API, not a message role.
    const system = input.prompt.filter((m) => m.role === 'system').map((m) => m.content);
    if (system.length > 0) body.system = system.join('\n\n');
    body.messages = input.prompt
      .filter((m) => m.role !== 'system')
      .map((m) => ({ role: m.role, content: m.content }));
  }
  body.max_tokens = input.maxTokens ?? defaultMaxTokens;
  body.stream = input.stream;
  if (input.temperature !== undefined) body.temperature = input.temperature;
  if (input.extraBody !== undefined) Object.assign(body, input.extraBody);
  return body;
}

/** An adapter for the Anthropic Messages API (`POST /v1/messages`), streaming and not. */
export function createAnthropicProvider(options: AnthropicProviderOptions = {}): Provider {
  const name = options.name ?? 'anthropic';
  const url = `${normalizeBaseUrl(options.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL)}/v1/messages`;
  const defaultMaxTokens = options.defaultMaxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS;
  const headers = (accept: string): Record<string, string> => {
    const result: Record<string, string> = {
      'content-type': 'application/json',
      accept,
      'anthropic-version': options.apiVersion ?? ANTHROPIC_API_VERSION,
    };
    if (options.apiKey !== undefined && options.apiKey.length > 0) {
      result['x-api-key'] = options.apiKey;
    }
    for (const [key, value] of Object.entries(options.headers ?? {})) {
      result[key.toLowerCase()] = value;
    }
    return result;
  };
  const streamHeaders = headers('text/event-stream');
  const jsonHeaders = headers('application/json');
  return {
    id: 'anthropic',
    name,
    buildRequest(input: ProviderRequestInput): HttpRequestSpec {
      return {
        url,
        method: 'POST',
        headers: { ...(input.stream ? streamHeaders : jsonHeaders) },
        body: JSON.stringify(buildBody(input, defaultMaxTokens)),
      };
    },
    buildCheckRequest(): HttpRequestSpec {
      const { 'content-type': _json, ...checkHeaders } = jsonHeaders;
      return {
        url: `${url.slice(0, -'/messages'.length)}/models?limit=1`,
        method: 'GET',
        headers: checkHeaders,
      };
    },
    createDecoder(input: ProviderRequestInput, decoderOptions?: DecoderOptions): ResponseDecoder {
      return input.stream
        ? new AnthropicStreamDecoder(decoderOptions)
        : new AnthropicJsonDecoder(decoderOptions);
    },
    classifyHttpError(
      status: number,
      responseHeaders: ResponseHeaders,
      body: string,
    ): ErrorClassification {
      // 529 is Anthropic's "overloaded": a server_error, as every 5xx is.
      return classifyHttpStatus(status, responseHeaders, body, { providerLabel: name });
    },
    classifyStreamError(error: StreamErrorPayload): ErrorClassification {
      return classifyAnthropicStreamError(error);
    },
  };
}
