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
import { classifyCohereHttpError, classifyCohereStreamError } from './cohere-errors.js';
import { CohereJsonDecoder } from './json-decoder.js';
import { CohereStreamDecoder } from './stream-decoder.js';

/** The public Cohere API (the adapter appends `/v2/chat`). */
export const COHERE_DEFAULT_BASE_URL = 'https://api.cohere.com';

/**
 * Reasoning of Cohere's reasoning models (https://docs.cohere.com/docs/reasoning): on by
 * default for models that have it; `disabled` turns it off; `tokenBudget` caps the thinking.
 */
export interface CohereThinking {
  type: 'enabled' | 'disabled';
  /** Most thinking tokens; the model then goes on to the answer. Default: no cap. */
  tokenBudget?: number;
}

/** Options of {@link createCohereProvider}. */
export interface CohereProviderOptions {
  /** Label used in results. Default `cohere`. */
  name?: string;
  /** API root without `/v2`. Default `https://api.cohere.com`; a trailing slash is fine. */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer`. Default: none. */
  apiKey?: string;
  /** Sent as the body's `thinking`. Default: not sent (the model's own default). */
  thinking?: CohereThinking;
  /** Extra headers, applied last. Default none. */
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
      `baseUrl "${baseUrl.split('?')[0]}" is not an http(s) URL; expected e.g. ${COHERE_DEFAULT_BASE_URL}`,
    );
  }
  // The path is the adapter's: a base URL given with a version (.../v2, as some clients
  // document it) still works.
  return baseUrl.replace(/\/+$/, '').replace(/\/v[12]$/, '');
}

function thinkingJson(thinking: CohereThinking): Record<string, unknown> {
  return thinking.tokenBudget === undefined
    ? { type: thinking.type }
    : { type: thinking.type, token_budget: thinking.tokenBudget };
}

function buildBody(
  input: ProviderRequestInput,
  thinking: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const body: Record<string, unknown> = { model: input.model };
  // Chat v2 takes system messages in the list, as OpenAI does.
  body.messages =
    typeof input.prompt === 'string'
      ? [{ role: 'user', content: input.prompt }]
      : input.prompt.map((m) => ({ role: m.role, content: m.content }));
  body.stream = input.stream;
  if (input.maxTokens !== undefined) body.max_tokens = input.maxTokens;
  if (input.temperature !== undefined) body.temperature = input.temperature;
  if (thinking !== undefined) body.thinking = thinking;
  if (input.extraBody !== undefined) Object.assign(body, input.extraBody);
  return body;
}

/** An adapter for Cohere's Chat v2 API (`POST /v2/chat`), streaming and not. */
export function createCohereProvider(options: CohereProviderOptions = {}): Provider {
  const name = options.name ?? 'cohere';
  const root = normalizeBaseUrl(options.baseUrl ?? COHERE_DEFAULT_BASE_URL);
  const url = `${root}/v2/chat`;
  const thinking = options.thinking === undefined ? undefined : thinkingJson(options.thinking);
  const headers = (accept: string): Record<string, string> => {
    const result: Record<string, string> = { 'content-type': 'application/json', accept };
    if (options.apiKey !== undefined && options.apiKey.length > 0) {
      result.authorization = `Bearer ${options.apiKey}`;
    }
    for (const [key, value] of Object.entries(options.headers ?? {})) {
      result[key.toLowerCase()] = value;
    }
    return result;
  };
  const streamHeaders = headers('text/event-stream');
  const jsonHeaders = headers('application/json');
  return {
    id: 'cohere',
    name,
    buildRequest(input: ProviderRequestInput): HttpRequestSpec {
      return {
        url,
        method: 'POST',
        headers: { ...(input.stream ? streamHeaders : jsonHeaders) },
        body: JSON.stringify(buildBody(input, thinking)),
      };
    },
    buildCheckRequest(): HttpRequestSpec {
      // Cohere's model list (GET /v1/models): free, and refused with 401 for a bad key.
      const { 'content-type': _json, ...checkHeaders } = jsonHeaders;
      return {
        url: `${root}/v1/models?page_size=1&endpoint=chat`,
        method: 'GET',
        headers: checkHeaders,
      };
    },
    createDecoder(input: ProviderRequestInput, decoderOptions?: DecoderOptions): ResponseDecoder {
      return input.stream
        ? new CohereStreamDecoder(decoderOptions)
        : new CohereJsonDecoder(decoderOptions);
    },
    classifyHttpError(
      status: number,
      responseHeaders: ResponseHeaders,
      body: string,
    ): ErrorClassification {
      return classifyCohereHttpError(status, responseHeaders, body, name);
    },
    classifyStreamError(error: StreamErrorPayload): ErrorClassification {
      return classifyCohereStreamError(error);
    },
  };
}
