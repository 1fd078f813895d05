import type { IncomingHttpHeaders } from 'node:http';
import {
  type CompletionRequest,
  type ParsedCompletionRequest,
  parseCompletionRequest,
} from '../completion-request.js';
import { ChunkEncoder, completionBody, DONE_EVENT, errorJson } from '../openai-chunks.js';
import { openAiError } from './openai-protocol.js';
import {
  type ParsedExchange,
  type ProtocolErrorResponse,
  type ProtocolRoute,
  REJECTED_CREDENTIAL,
  type SimulatedErrorKind,
  type StreamEncoder,
  type UsageCounts,
  type WireProtocol,
} from './wire-protocol.js';

// Wire format: Azure OpenAI serves OpenAI's chat completions
// (https://learn.microsoft.com/azure/ai-foundry/openai/reference) with content-filter
// annotations (https://learn.microsoft.com/azure/ai-foundry/openai/concepts/content-filter):
// a stream opens with a chunk whose `choices` is empty and whose `prompt_filter_results`
// rate the prompt, and every choice carries `content_filter_results`. The deployment route
// takes the model from the path; the v1 route from the body's `model` (the deployment name).
// `api-version` is a query parameter, which `WireProtocol.match` does not receive: the
// simulator accepts any api-version, or none.

const DEPLOYMENTS_PREFIX = '/openai/deployments/';
const CHAT_SUFFIX = '/chat/completions';
const V1_CHAT_PATH = '/openai/v1/chat/completions';
const CHOICES_OPEN = '"choices":[{';

const SAFE = '{"filtered":false,"severity":"safe"}';
/** The ratings of generated text that passed every filter. */
const COMPLETION_FILTER_RESULTS = `{"hate":${SAFE},"self_harm":${SAFE},"sexual":${SAFE},"violence":${SAFE}}`;
/** The ratings of a prompt that passed every filter, jailbreak detection included. */
const PROMPT_FILTER_RESULTS = `[{"prompt_index":0,"content_filter_results":{"hate":${SAFE},"jailbreak":{"filtered":false,"detected":false},"self_harm":${SAFE},"sexual":${SAFE},"violence":${SAFE}}}]`;
/** The first event of every Azure stream: no choices, no id, only the prompt's ratings. */
const PROMPT_FILTER_EVENT = `data: {"id":"","object":"","created":0,"model":"","prompt_filter_results":${PROMPT_FILTER_RESULTS},"choices":[]}\n\n`;

/**
 * An Azure-shaped error of the given kind. Authentication and rate-limit errors come from
 * Azure's gateway as `{"error": {"code": "401" | "429", "message"}}`; the others from the
 * model service, in OpenAI's shape.
 */
export function azureError(kind: SimulatedErrorKind, message: string): ProtocolErrorResponse {
  if (kind === 'unauthorized')
    return { status: 401, body: JSON.stringify({ error: { code: '401', message } }) };
  if (kind === 'rate_limit')
    return { status: 429, body: JSON.stringify({ error: { code: '429', message } }) };
  return openAiError(kind, message);
}

/** Puts `"content_filter_results": <results>` first in the first choice of a chunk. */
function withFilterResults(chunk: string, results: string): string {
  const at = chunk.indexOf(CHOICES_OPEN) + CHOICES_OPEN.length;
  return `${chunk.slice(0, at)}"content_filter_results":${results},${chunk.slice(at)}`;
}

/** OpenAI's chat chunks with Azure's filter annotations. */
class AzureStreamEncoder implements StreamEncoder {
  readonly contentType = 'text/event-stream';
  readonly #encoder: ChunkEncoder;
  readonly #includeUsage: boolean;

  constructor(encoder: ChunkEncoder, includeUsage: boolean) {
    this.#encoder = encoder;
    this.#includeUsage = includeUsage;
  }

  head(): string {
    // The role chunk is rated before any text exists: its results are empty.
    return PROMPT_FILTER_EVENT + withFilterResults(this.#encoder.roleChunk(), '{}');
  }

  token(
    event: { isReasoning: boolean; firstToken: number; tokens: number },
    _text: string,
    finishReason: 'stop' | 'length' | null,
    completionTokens: number,
  ): string {
    return withFilterResults(
      this.#encoder.tokenChunk(
        event.isReasoning,
        event.firstToken,
        event.tokens,
        finishReason,
        completionTokens,
      ),
      COMPLETION_FILTER_RESULTS,
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

/** A non-streaming chat completion with the prompt's and the choice's filter results. */
function azureCompletionBody(
  request: CompletionRequest,
  responseId: string,
  created: number,
  text: { reasoning: string; content: string },
  finishReason: 'stop' | 'length',
  usage: UsageCounts,
): string {
  const body = JSON.parse(
    completionBody(request, responseId, created, text, finishReason, usage),
  ) as { choices: Record<string, unknown>[] } & Record<string, unknown>;
  const filterResults: unknown = JSON.parse(COMPLETION_FILTER_RESULTS);
  body.choices = body.choices.map((choice) => ({
    content_filter_results: filterResults,
    ...choice,
  }));
  body.prompt_filter_results = JSON.parse(PROMPT_FILTER_RESULTS);
  return JSON.stringify(body);
}

function isRejected(headers: IncomingHttpHeaders): boolean {
  return (
    headers['api-key'] === REJECTED_CREDENTIAL ||
    headers.authorization === `Bearer ${REJECTED_CREDENTIAL}`
  );
}

/**
 * Parses a deployment route's body: Azure takes the model from the path, so a body without
 * `model` is fine (the second parse only happens then).
 */
function parseDeploymentBody(rawBody: string, deployment: string): ParsedCompletionRequest {
  const parsed = parseCompletionRequest('chat', rawBody);
  if (parsed.ok || parsed.problem.param !== 'model') return parsed;
  const body = JSON.parse(rawBody) as Record<string, unknown>;
  return parseCompletionRequest('chat', JSON.stringify({ ...body, model: deployment }));
}

/** A chat route: of one deployment (its name answers as the model), or of the v1 API. */
function azureChatRoute(deployment: string | undefined): ProtocolRoute {
  return {
    responseIdPrefix: 'chatcmpl-',
    parse(rawBody: string, headers: IncomingHttpHeaders): ParsedExchange {
      if (isRejected(headers)) {
        return {
          ok: false,
          error: azureError(
            'unauthorized',
            'Access denied due to an invalid key or token for this resource, or a wrong regional endpoint (simulated).',
          ),
        };
      }
      const parsed =
        deployment === undefined
          ? parseCompletionRequest('chat', rawBody)
          : parseDeploymentBody(rawBody, deployment);
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
      if (deployment !== undefined) request.model = deployment;
      return {
        ok: true,
        exchange: {
          request,
          streamEncoder: (responseId, created) =>
            new AzureStreamEncoder(
              new ChunkEncoder(request, responseId, created),
              request.includeUsage,
            ),
          body: (responseId, created, text, finishReason, usage) => ({
            contentType: 'application/json',
            body: azureCompletionBody(request, responseId, created, text, finishReason, usage),
          }),
        },
      };
    },
    error: azureError,
  };
}

const V1_CHAT_ROUTE = azureChatRoute(undefined);

/** The deployment name of a deployment chat path, or undefined for any other path. */
function deploymentOf(path: string): string | undefined {
  if (!path.startsWith(DEPLOYMENTS_PREFIX) || !path.endsWith(CHAT_SUFFIX)) return undefined;
  const segment = path.slice(DEPLOYMENTS_PREFIX.length, path.length - CHAT_SUFFIX.length);
  if (segment === '' || segment.includes('/')) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape is simply a name no deployment has.
    return segment;
  }
}

/**
 * Azure OpenAI chat completions, on deployment URLs
 * (`/openai/deployments/{deployment}/chat/completions?api-version=...`) and on the v1 API
 * (`/openai/v1/chat/completions`); `api-key` or Entra ID bearer authentication.
 */
export const azureProtocol: WireProtocol = {
  name: 'azure',
  routes: [
    'POST /openai/deployments/{deployment}/chat/completions',
    'POST /openai/v1/chat/completions',
  ],
  match(method: string, path: string): ProtocolRoute | undefined {
    if (method !== 'POST') return undefined;
    if (path === V1_CHAT_PATH) return V1_CHAT_ROUTE;
    const deployment = deploymentOf(path);
    return deployment === undefined ? undefined : azureChatRoute(deployment);
  },
};
