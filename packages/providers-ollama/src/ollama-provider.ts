import type {
  DecoderOptions,
  ErrorClassification,
  HttpRequestSpec,
  Provider,
  ProviderRequestInput,
  ResponseDecoder,
  ResponseHeaders,
  StreamErrorPayload,
} from '@llm-lens/providers-core';
import { OllamaJsonDecoder } from './json-decoder.js';
import { normalizeOllamaBaseUrl, OLLAMA_DEFAULT_BASE_URL } from './ollama-base-url.js';
import { classifyOllamaHttpError, classifyOllamaStreamError } from './ollama-errors.js';
import { OLLAMA_STREAM_CONTENT_TYPE, OllamaStreamDecoder } from './stream-decoder.js';

/** Ollama's `think` values: on or off, or an effort level for models that have them (gpt-oss). */
export type OllamaThink = boolean | 'low' | 'medium' | 'high';

/** Options of {@link createOllamaProvider}. */
export interface OllamaProviderOptions {
  /** Label used in results. Default `ollama`. */
  name?: string;
  /**
   * The server root; `/api/chat` is appended (a trailing `/api` or `/v1` is tolerated).
   * Default `http://127.0.0.1:11434`.
   */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer …` (Ollama behind a proxy, or ollama.com). Default: none. */
  apiKey?: string;
  /** Sent as `think` in every request. Default: not sent (the model's own default). */
  think?: OllamaThink;
  /**
   * Sent as `keep_alive`: how long the model stays loaded after the request, a duration
   * such as `"10m"` or seconds (negative: forever). Default: not sent (Ollama's 5 minutes).
   */
  keepAlive?: string | number;
  /** Extra headers, applied last. Default none. */
  headers?: Record<string, string>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The `/api/chat` body. `maxTokens` and `temperature` are model options (`num_predict`,
 * `temperature`); extra body fields are merged last, and an extra `options` object is merged
 * into those options rather than replacing them, so `{ options: { num_ctx: 8192 } }` keeps
 * the scenario's output limit.
 */
function buildBody(
  input: ProviderRequestInput,
  think: OllamaThink | undefined,
  keepAlive: string | number | undefined,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: input.model,
    messages:
      typeof input.prompt === 'string'
        ? [{ role: 'user', content: input.prompt }]
        : input.prompt.map((m) => ({ role: m.role, content: m.content })),
    // Ollama streams unless told not to: always say which.
    stream: input.stream,
  };
  const options: Record<string, unknown> = {};
  if (input.maxTokens !== undefined) options.num_predict = input.maxTokens;
  if (input.temperature !== undefined) options.temperature = input.temperature;
  if (think !== undefined) body.think = think;
  if (keepAlive !== undefined) body.keep_alive = keepAlive;
  if (input.extraBody !== undefined) {
    const { options: extraOptions, ...rest } = input.extraBody;
    Object.assign(body, rest);
    if (isPlainObject(extraOptions)) Object.assign(options, extraOptions);
    else if (extraOptions !== undefined) body.options = extraOptions;
  }
  if (body.options === undefined && Object.keys(options).length > 0) body.options = options;
  return body;
}

/** An adapter for Ollama's native chat API (`POST /api/chat`), NDJSON stream or one JSON body. */
export function createOllamaProvider(options: OllamaProviderOptions = {}): Provider {
  const name = options.name ?? 'ollama';
  const url = `${normalizeOllamaBaseUrl(options.baseUrl ?? OLLAMA_DEFAULT_BASE_URL)}/api/chat`;
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
  const streamHeaders = headers(OLLAMA_STREAM_CONTENT_TYPE);
  const jsonHeaders = headers('application/json');
  return {
    id: 'ollama',
    name,
    buildRequest(input: ProviderRequestInput): HttpRequestSpec {
      return {
        url,
        method: 'POST',
        headers: { ...(input.stream ? streamHeaders : jsonHeaders) },
        body: JSON.stringify(buildBody(input, options.think, options.keepAlive)),
      };
    },
    buildCheckRequest(): HttpRequestSpec {
      // The local model list: free, and it proves the server (and a proxy's key) answers.
      const { 'content-type': _json, ...checkHeaders } = jsonHeaders;
      return { url: `${url.slice(0, -'/chat'.length)}/tags`, method: 'GET', headers: checkHeaders };
    },
    createDecoder(input: ProviderRequestInput, decoderOptions?: DecoderOptions): ResponseDecoder {
      return input.stream
        ? new OllamaStreamDecoder(decoderOptions)
        : new OllamaJsonDecoder(decoderOptions);
    },
    classifyHttpError(
      status: number,
      responseHeaders: ResponseHeaders,
      body: string,
    ): ErrorClassification {
      return classifyOllamaHttpError(status, responseHeaders, body, name);
    },
    classifyStreamError(error: StreamErrorPayload): ErrorClassification {
      return classifyOllamaStreamError(error);
    },
  };
}
