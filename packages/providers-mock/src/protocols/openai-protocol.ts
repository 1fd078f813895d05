import type { IncomingHttpHeaders } from 'node:http';
import { type CompletionEndpoint, parseCompletionRequest } from '../completion-request.js';
import { ChunkEncoder, completionBody, DONE_EVENT, errorJson } from '../openai-chunks.js';
import {
  type ParsedExchange,
  type ProtocolErrorResponse,
  type ProtocolRoute,
  REJECTED_CREDENTIAL,
  type SimulatedErrorKind,
  type StaticResponse,
  type StreamEncoder,
  type UsageCounts,
  type WireProtocol,
} from './wire-protocol.js';

const OPENAI_ERRORS: Record<
  SimulatedErrorKind,
  { status: number; type: string; code: string | null }
> = {
  invalid_request: { status: 400, type: 'invalid_request_error', code: null },
  unauthorized: { status: 401, type: 'invalid_request_error', code: 'invalid_api_key' },
  request_too_large: { status: 413, type: 'invalid_request_error', code: 'request_too_large' },
  rate_limit: { status: 429, type: 'requests', code: 'rate_limit_exceeded' },
  server_error: { status: 500, type: 'server_error', code: null },
};

/** An OpenAI-shaped error response of the given kind. */
export function openAiError(kind: SimulatedErrorKind, message: string): ProtocolErrorResponse {
  const { status, type, code } = OPENAI_ERRORS[kind];
  return { status, body: errorJson({ message, type, param: null, code }) };
}

/** Adapts the OpenAI chunk encoder to the simulator's stream contract. */
class OpenAiStreamEncoder implements StreamEncoder {
  readonly contentType = 'text/event-stream';
  readonly #encoder: ChunkEncoder;
  readonly #isChat: boolean;
  readonly #includeUsage: boolean;

  constructor(encoder: ChunkEncoder, isChat: boolean, includeUsage: boolean) {
    this.#encoder = encoder;
    this.#isChat = isChat;
    this.#includeUsage = includeUsage;
  }

  head(): string {
    return this.#isChat ? this.#encoder.roleChunk() : '';
  }

  token(
    event: { isReasoning: boolean; firstToken: number; tokens: number },
    _text: string,
    finishReason: 'stop' | 'length' | null,
    completionTokens: number,
  ): string {
    return this.#encoder.tokenChunk(
      event.isReasoning,
      event.firstToken,
      event.tokens,
      finishReason,
      completionTokens,
    );
  }

  end(usage: UsageCounts): string {
    return this.#includeUsage ? this.#encoder.usageChunk(usage) + DONE_EVENT : DONE_EVENT;
  }

  error(message: string): string {
    return this.#encoder.errorEvent({
      message,
      type: 'server_error',
      param: null,
      code: 'simulated_mid_stream_error',
    });
  }
}

/** The chat or legacy completions endpoint of the OpenAI protocol. */
export function openAiRoute(endpoint: CompletionEndpoint): ProtocolRoute {
  const prefix = endpoint === 'chat' ? 'chatcmpl-' : 'cmpl-';
  return {
    responseIdPrefix: prefix,
    parse(rawBody: string, headers: IncomingHttpHeaders): ParsedExchange {
      if (headers.authorization === `Bearer ${REJECTED_CREDENTIAL}`) {
        return {
          ok: false,
          error: openAiError(
            'unauthorized',
            'Incorrect API key provided. You can find your API key in your account settings (simulated).',
          ),
        };
      }
      const parsed = parseCompletionRequest(endpoint, rawBody);
      if (!parsed.ok) {
        return {
          ok: false,
          error: {
            status: 400,
            body: errorJson({ ...parsed.problem, type: 'invalid_request_error' }),
          },
        };
      }
      const request = parsed.request;
      return {
        ok: true,
        exchange: {
          request,
          streamEncoder: (responseId, created) =>
            new OpenAiStreamEncoder(
              new ChunkEncoder(request, responseId, created),
              endpoint === 'chat',
              request.includeUsage,
            ),
          body: (responseId, created, text, finishReason, usage) => ({
            contentType: 'application/json',
            body: completionBody(request, responseId, created, text, finishReason, usage),
          }),
        },
      };
    },
    error: openAiError,
  };
}

const CHAT_ROUTE = openAiRoute('chat');
const COMPLETIONS_ROUTE = openAiRoute('completions');

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape is simply an id no model has.
    return segment;
  }
}

/**
 * OpenAI's Chat Completions and legacy Completions, as OpenAI and every compatible server
 * (vLLM, Ollama's /v1, TGI, llama.cpp) speak them, with the model list.
 */
export const openAiProtocol: WireProtocol = {
  name: 'openai',
  routes: ['POST /v1/chat/completions', 'POST /v1/completions', 'GET /v1/models'],
  match(method: string, path: string): ProtocolRoute | undefined {
    if (method !== 'POST') return undefined;
    if (path === '/v1/chat/completions') return CHAT_ROUTE;
    if (path === '/v1/completions') return COMPLETIONS_ROUTE;
    return undefined;
  },
  serveStatic(
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    models: readonly string[],
  ): StaticResponse | undefined {
    if (method !== 'GET') return undefined;
    if (
      (path === '/v1/models' || path.startsWith('/v1/models/')) &&
      headers.authorization === `Bearer ${REJECTED_CREDENTIAL}`
    ) {
      const { status, body } = openAiError(
        'unauthorized',
        'Incorrect API key provided (simulated).',
      );
      return { status, body };
    }
    if (path === '/v1/models') {
      return {
        status: 200,
        body: JSON.stringify({
          object: 'list',
          data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'llm-lens' })),
        }),
      };
    }
    if (!path.startsWith('/v1/models/')) return undefined;
    const id = decodePathSegment(path.slice('/v1/models/'.length));
    if (models.includes(id)) {
      return {
        status: 200,
        body: JSON.stringify({ id, object: 'model', created: 0, owned_by: 'llm-lens' }),
      };
    }
    return {
      status: 404,
      body: errorJson({
        message: `The model '${id}' does not exist; this simulator lists ${models.join(', ')}.`,
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      }),
    };
  },
};
