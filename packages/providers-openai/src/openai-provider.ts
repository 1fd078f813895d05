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
import { ResponsesJsonDecoder } from './responses-json-decoder.js';
import { buildResponsesBody } from './responses-request.js';
import { ResponsesStreamDecoder } from './responses-stream-decoder.js';
import { OpenAIStreamDecoder } from './stream-decoder.js';
import { classifyOpenAIStreamError } from './stream-error.js';

/** The public OpenAI API. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** Options of {@link createOpenAIProvider}. */
export interface OpenAIProviderOptions {
  /**
   * Registry id. Default `openai`; use `openai-compatible` for vLLM, Ollama, llama.cpp, TGI, ...,
   * or the type of an adapter built on this one (`azure`).
   */
  id?: string;
  /** Label used in results. Default: the id. */
  name?: string;
  /** API root, up to and including `/v1`. Default `https://api.openai.com/v1`; a trailing slash is fine. */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer <key>` (or in the header `apiKeyHeader` names). Default: none. */
  apiKey?: string;
  /** How `apiKey` is sent: `authorization` (`Bearer <key>`) or `api-key` (the bare key, Azure). Default `authorization`. */
  apiKeyHeader?: 'authorization' | 'api-key';
  /**
   * The URL of a request for `model`, replacing `baseUrl` and the API path: Azure puts the
   * deployment in the path and `api-version` in the query. Called for every request. Default:
   * none (`baseUrl` + `/chat/completions` or `/completions`).
   */
  requestUrl?: (model: string) => string;
  /**
   * `chat` (POST /chat/completions), legacy `completions` (POST /completions) or `responses`
   * (POST /responses, the Responses API). Default `chat`.
   */
  api?: OpenAIApi | 'responses';
  /** Ask for a final usage chunk (`stream_options.include_usage`) on streaming requests. Default true. */
  includeUsage?: boolean;
  /**
   * Send `ProviderRequestInput.minTokens` as vLLM's `min_tokens` with `ignore_eos: true`
   * (chat and legacy completions). Default: true for id `openai-compatible`, false otherwise
   * (OpenAI's own API refuses unknown fields).
   */
  minTokens?: boolean;
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
  apiKeyHeader: 'authorization' | 'api-key',
  extra: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept };
  if (apiKey !== undefined && apiKey.length > 0) {
    if (apiKeyHeader === 'api-key') headers['api-key'] = apiKey;
    else headers.authorization = `Bearer ${apiKey}`;
  }
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
  sendsMinTokens: boolean,
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
  if (sendsMinTokens && input.minTokens !== undefined) {
    body.min_tokens = input.minTokens;
    body.ignore_eos = true;
  }
  if (input.temperature !== undefined) body.temperature = input.temperature;
  if (input.extraBody !== undefined) Object.assign(body, input.extraBody);
  return body;
}

const API_PATHS = {
  chat: '/chat/completions',
  completions: '/completions',
  responses: '/responses',
} as const;

/**
 * An adapter for the OpenAI Chat Completions API (or legacy Completions, or the Responses
 * API) and every server that speaks it: vLLM, Ollama, llama.cpp, TGI, LM Studio, LiteLLM, ...
 */
export function createOpenAIProvider(options: OpenAIProviderOptions = {}): Provider {
  const id = options.id ?? 'openai';
  const name = options.name ?? id;
  const base = normalizeBaseUrl(options.baseUrl ?? OPENAI_DEFAULT_BASE_URL);
  const api = options.api ?? 'chat';
  if (api !== 'chat' && api !== 'completions' && api !== 'responses') {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `unknown api "${String(api)}" for ${name}; expected "chat", "completions" or "responses"`,
    );
  }
  const url = `${base}${API_PATHS[api]}`;
  const requestUrl = options.requestUrl;
  const includeUsage = options.includeUsage ?? true;
  const maxTokensField = options.maxTokensField ?? 'max_tokens';
  const sendsMinTokens = api !== 'responses' && (options.minTokens ?? id === 'openai-compatible');
  const apiKeyHeader = options.apiKeyHeader ?? 'authorization';
  const extraHeaders = options.headers ?? {};
  const streamHeaders = buildHeaders(
    'text/event-stream',
    options.apiKey,
    apiKeyHeader,
    extraHeaders,
  );
  const jsonHeaders = buildHeaders('application/json', options.apiKey, apiKeyHeader, extraHeaders);
  const { 'content-type': _json, ...checkHeaders } = jsonHeaders;

  const provider: Provider = {
    id,
    name,
    ...(sendsMinTokens ? { supportsMinTokens: true } : {}),
    buildRequest(input: ProviderRequestInput): HttpRequestSpec {
      return {
        url: requestUrl === undefined ? url : requestUrl(input.model),
        method: 'POST',
        // A copy: the caller owns the spec and may add headers (tracing, request ids).
        headers: { ...(input.stream ? streamHeaders : jsonHeaders) },
        body: JSON.stringify(
          api === 'responses'
            ? buildResponsesBody(input)
            : buildBody(input, api, includeUsage, maxTokensField, sendsMinTokens),
        ),
      };
    },
    createDecoder(input: ProviderRequestInput, options?: DecoderOptions): ResponseDecoder {
      if (api === 'responses') {
        return input.stream
          ? new ResponsesStreamDecoder(options)
          : new ResponsesJsonDecoder(options);
      }
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
  // The model list is free and proves the key; a custom request URL (Azure) has its own.
  if (requestUrl === undefined) {
    provider.buildCheckRequest = () => ({
      url: `${base}/models`,
      method: 'GET',
      headers: { ...checkHeaders },
    });
  }
  return provider;
}
