import type { IncomingHttpHeaders } from 'node:http';
import { estimateCompletionPromptTokens } from '../token-text.js';
import {
  type ParsedExchange,
  type ProtocolErrorResponse,
  type ProtocolRoute,
  REJECTED_CREDENTIAL,
  type SimulatedErrorKind,
  type SimulatedRequest,
  type StreamEncoder,
  type UsageCounts,
  type WireProtocol,
} from './wire-protocol.js';

// Wire format: https://ai.google.dev/api/generate-content (GenerateContentRequest,
// GenerateContentResponse, UsageMetadata; streaming with `alt=sse`: one response per
// `data:` event, separated by `\r\n\r\n` as Google's servers send them, no end marker),
// https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/projects.locations.publishers.models/streamGenerateContent
// (the same bodies under a project and location) and
// https://ai.google.dev/gemini-api/docs/troubleshooting (errors: google.rpc.Status).

/** Google's event separator: CRLF line ends and a CRLF blank line. */
const EVENT_END = '\r\n\r\n';

// `/v1beta/models/{model}:streamGenerateContent` (Gemini API; v1 and v1alpha too).
const GEMINI_PATH =
  /^\/(?:v1|v1beta|v1alpha)\/models\/([^/:]+):(streamGenerateContent|generateContent)$/;
// `/v1/projects/{p}/locations/{l}/publishers/google/models/{model}:…` (Vertex AI; v1beta1,
// which Google's SDK uses, and the project-less form of Vertex express mode too).
const VERTEX_PATH =
  /^\/(?:v1|v1beta1)\/(?:projects\/[^/]+\/locations\/[^/]+\/)?publishers\/google\/models\/([^/:]+):(streamGenerateContent|generateContent)$/;

const GOOGLE_ERRORS: Record<SimulatedErrorKind, { code: number; status: string }> = {
  invalid_request: { code: 400, status: 'INVALID_ARGUMENT' },
  unauthorized: { code: 401, status: 'UNAUTHENTICATED' },
  // Gemini answers an oversized payload with 400 INVALID_ARGUMENT ("Request payload size
  // exceeds the limit"), not 413.
  request_too_large: { code: 400, status: 'INVALID_ARGUMENT' },
  rate_limit: { code: 429, status: 'RESOURCE_EXHAUSTED' },
  server_error: { code: 500, status: 'INTERNAL' },
};

/** A Google error body, `{"error": {"code", "message", "status"[, "details"]}}`, indented as Google's are. */
export function googleErrorJson(
  code: number,
  message: string,
  status: string,
  details?: readonly object[],
): string {
  const error =
    details === undefined ? { code, message, status } : { code, message, status, details };
  return JSON.stringify({ error }, null, 2);
}

/** A Google-shaped error response of the given kind. */
export function googleError(kind: SimulatedErrorKind, message: string): ProtocolErrorResponse {
  const { code, status } = GOOGLE_ERRORS[kind];
  return {
    status: code,
    body: googleErrorJson(code, message, status),
    contentType: 'application/json; charset=UTF-8',
  };
}

/** The parts of a GenerateContentRequest the simulator acts on. */
export type ParsedGoogleRequest =
  | { ok: true; request: SimulatedRequest }
  | { ok: false; message: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Words of the `text` parts of a Content (`{parts: [{text}]}`). */
function contentWords(content: unknown): number {
  if (!isObject(content) || !Array.isArray(content.parts)) return 0;
  let words = 0;
  for (const part of content.parts) {
    if (isObject(part) && typeof part.text === 'string') {
      words += estimateCompletionPromptTokens(part.text);
    }
  }
  return words;
}

/**
 * Parses and checks a GenerateContentRequest the way Gemini rejects bad ones (400
 * INVALID_ARGUMENT, with Google's wording). `model` and `stream` come from the path.
 * `generationConfig.thinkingConfig.includeThoughts: true` turns on thought parts; the
 * prompt size is the words of every text part of `contents` and `systemInstruction`.
 */
export function parseGoogleRequest(
  rawBody: string,
  model: string,
  stream: boolean,
): ParsedGoogleRequest {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return { ok: false, message: 'Invalid JSON payload received. Unexpected token.' };
  }
  if (!isObject(body)) {
    return { ok: false, message: 'Invalid JSON payload received. Expected an object.' };
  }
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) {
    return {
      ok: false,
      message: '* GenerateContentRequest.contents: contents is not specified\n',
    };
  }
  let promptTokens = 0;
  for (const [index, content] of contents.entries()) {
    if (!isObject(content) || !Array.isArray(content.parts) || content.parts.length === 0) {
      return {
        ok: false,
        message: `* GenerateContentRequest.contents[${index}].parts: contents.parts must not be empty.\n`,
      };
    }
    if (content.role !== undefined && content.role !== 'user' && content.role !== 'model') {
      return { ok: false, message: 'Please use a valid role: user, model.' };
    }
    promptTokens += contentWords(content);
  }
  promptTokens += contentWords(body.systemInstruction ?? body.system_instruction);

  const config = body.generationConfig ?? body.generation_config;
  let maxTokens: number | undefined;
  let includeThoughts = false;
  if (config !== undefined && config !== null) {
    if (!isObject(config)) {
      return {
        ok: false,
        message:
          'Invalid JSON payload received. Unknown name "generationConfig": Proto field is not repeating, cannot start list.',
      };
    }
    const max = config.maxOutputTokens ?? config.max_output_tokens;
    if (max !== undefined && max !== null) {
      if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) {
        return {
          ok: false,
          message:
            '* GenerateContentRequest.generation_config.max_output_tokens: max_output_tokens must be positive.\n',
        };
      }
      maxTokens = max;
    }
    const thinking = config.thinkingConfig ?? config.thinking_config;
    includeThoughts =
      isObject(thinking) &&
      (thinking.includeThoughts === true || thinking.include_thoughts === true);
  }
  return {
    ok: true,
    request: {
      model,
      stream,
      // usageMetadata is on every chunk and in every body.
      includeUsage: true,
      continuousUsage: false,
      maxTokens,
      minTokens: undefined,
      ignoreEos: false,
      promptTokens,
      supportsReasoning: includeThoughts,
    },
  };
}

function finishReasonOf(reason: 'stop' | 'length'): string {
  return reason === 'stop' ? 'STOP' : 'MAX_TOKENS';
}

/**
 * `usageMetadata` as Gemini reports it: `candidatesTokenCount` leaves the thoughts out
 * (they are `thoughtsTokenCount`) and is absent while only thoughts are out;
 * `thoughtsTokenCount` is absent without thinking; the total is prompt + candidates +
 * thoughts.
 */
function usageJson(promptTokens: number, completionTokens: number, thoughtTokens: number): string {
  const candidates = completionTokens - thoughtTokens;
  let json = `{"promptTokenCount":${promptTokens}`;
  if (candidates > 0 || thoughtTokens === 0) json += `,"candidatesTokenCount":${candidates}`;
  json += `,"totalTokenCount":${promptTokens + completionTokens}`;
  if (thoughtTokens > 0) json += `,"thoughtsTokenCount":${thoughtTokens}`;
  return `${json}}`;
}

/**
 * Writes a `streamGenerateContent?alt=sse` response: one GenerateContentResponse per token
 * event, each with the cumulative `usageMetadata`; the last carries the `finishReason`
 * (STOP or MAX_TOKENS), after which the body ends. Nothing precedes the first token.
 */
class GoogleStreamEncoder implements StreamEncoder {
  readonly contentType = 'text/event-stream';
  readonly #promptTokens: number;
  /** `,"modelVersion":…,"responseId":…}` and the separator: the same on every chunk. */
  readonly #tail: string;
  #thoughtTokens = 0;
  #isFinished = false;

  constructor(request: SimulatedRequest, responseId: string) {
    this.#promptTokens = request.promptTokens;
    this.#tail = `,"modelVersion":${JSON.stringify(request.model)},"responseId":${JSON.stringify(responseId)}}${EVENT_END}`;
  }

  head(): string {
    return '';
  }

  token(
    event: { isReasoning: boolean; tokens: number },
    text: string,
    finishReason: 'stop' | 'length' | null,
    completionTokens: number,
  ): string {
    if (event.isReasoning) this.#thoughtTokens += event.tokens;
    const part = event.isReasoning
      ? `{"text":${JSON.stringify(text)},"thought":true}`
      : `{"text":${JSON.stringify(text)}}`;
    return this.#chunk(part, finishReason, completionTokens, this.#thoughtTokens);
  }

  end(usage: UsageCounts, finishReason: 'stop' | 'length'): string {
    // The finishReason rode on the last token chunk; a response without tokens still needs one.
    if (this.#isFinished) return '';
    return this.#chunk('{"text":""}', finishReason, usage.completionTokens, usage.reasoningTokens);
  }

  error(message: string): string {
    // As Google ends a stream that failed after the headers: an error object as the data.
    return `data: ${JSON.stringify({ error: { code: 500, message, status: 'INTERNAL' } })}${EVENT_END}`;
  }

  #chunk(
    part: string,
    finishReason: 'stop' | 'length' | null,
    completionTokens: number,
    thoughtTokens: number,
  ): string {
    let finish = '';
    if (finishReason !== null) {
      finish = `,"finishReason":"${finishReasonOf(finishReason)}"`;
      this.#isFinished = true;
    }
    return (
      `data: {"candidates":[{"content":{"parts":[${part}],"role":"model"}${finish},"index":0}],` +
      `"usageMetadata":${usageJson(this.#promptTokens, completionTokens, thoughtTokens)}${this.#tail}`
    );
  }
}

/** The complete `generateContent` body. */
function generateContentBody(
  request: SimulatedRequest,
  responseId: string,
  text: { reasoning: string; content: string },
  finishReason: 'stop' | 'length',
  usage: UsageCounts,
): string {
  const parts: object[] = [];
  if (text.reasoning !== '') parts.push({ text: text.reasoning, thought: true });
  if (text.content !== '' || parts.length === 0) parts.push({ text: text.content });
  return JSON.stringify({
    candidates: [
      { content: { parts, role: 'model' }, finishReason: finishReasonOf(finishReason), index: 0 },
    ],
    usageMetadata: JSON.parse(
      usageJson(usage.promptTokens, usage.completionTokens, usage.reasoningTokens),
    ),
    modelVersion: request.model,
    responseId,
  });
}

function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const value = headers.authorization;
  return typeof value === 'string' && value.startsWith('Bearer ') ? value.slice(7) : undefined;
}

/**
 * The 401 for {@link REJECTED_CREDENTIAL}, as an `x-goog-api-key` or an OAuth bearer token.
 * (The real Gemini API answers a bad key with 400 INVALID_ARGUMENT and the same
 * API_KEY_INVALID reason; every simulated protocol rejects with a 401, and the google
 * adapter classifies both as auth.)
 */
function rejectedCredential(
  headers: IncomingHttpHeaders,
  isVertex: boolean,
): ProtocolErrorResponse | undefined {
  if (headers['x-goog-api-key'] === REJECTED_CREDENTIAL) {
    return {
      status: 401,
      body: googleErrorJson(
        401,
        'API key not valid. Please pass a valid API key. (simulated)',
        'UNAUTHENTICATED',
        [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'API_KEY_INVALID',
            domain: 'googleapis.com',
            metadata: {
              service: isVertex ? 'aiplatform.googleapis.com' : 'generativelanguage.googleapis.com',
            },
          },
        ],
      ),
      contentType: 'application/json; charset=UTF-8',
    };
  }
  if (bearerToken(headers) === REJECTED_CREDENTIAL) {
    return googleError(
      'unauthorized',
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. (simulated)',
    );
  }
  return undefined;
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape is simply an id no model has.
    return segment;
  }
}

/** The route of one request: the model and streaming come from its path. */
function googleRoute(model: string, stream: boolean, isVertex: boolean): ProtocolRoute {
  return {
    // Gemini's responseId is an opaque string: the simulator's request id.
    responseIdPrefix: '',
    parse(rawBody: string, headers: IncomingHttpHeaders): ParsedExchange {
      const rejected = rejectedCredential(headers, isVertex);
      if (rejected !== undefined) return { ok: false, error: rejected };
      const parsed = parseGoogleRequest(rawBody, model, stream);
      if (!parsed.ok) return { ok: false, error: googleError('invalid_request', parsed.message) };
      const request = parsed.request;
      return {
        ok: true,
        exchange: {
          request,
          streamEncoder: (responseId) => new GoogleStreamEncoder(request, responseId),
          body: (responseId, _created, text, finishReason, usage) => ({
            contentType: 'application/json; charset=UTF-8',
            body: generateContentBody(request, responseId, text, finishReason, usage),
          }),
        },
      };
    },
    error: googleError,
  };
}

/**
 * Gemini's generateContent and streamGenerateContent, on the Gemini API paths and the Vertex
 * AI paths. The simulator hands `match` the path without its query, so `alt=sse` cannot be
 * read: `:streamGenerateContent` is always answered as SSE (without `alt=sse`, Google
 * would send one JSON array instead; every SDK asks for SSE).
 */
export const googleProtocol: WireProtocol = {
  name: 'google',
  routes: [
    'POST /v1beta/models/{model}:streamGenerateContent (and :generateContent; v1 too)',
    'POST /v1/projects/{project}/locations/{location}/publishers/google/models/{model}:streamGenerateContent (and :generateContent; v1beta1 too)',
  ],
  match(method: string, path: string): ProtocolRoute | undefined {
    if (method !== 'POST' || !path.endsWith('enerateContent')) return undefined;
    const gemini = GEMINI_PATH.exec(path);
    if (gemini !== null) {
      return googleRoute(
        decodePathSegment(gemini[1]!),
        gemini[2] === 'streamGenerateContent',
        false,
      );
    }
    const vertex = VERTEX_PATH.exec(path);
    if (vertex !== null) {
      return googleRoute(
        decodePathSegment(vertex[1]!),
        vertex[2] === 'streamGenerateContent',
        true,
      );
    }
    return undefined;
  },
};
