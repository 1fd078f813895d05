import type { SimulatedRequest } from './protocols/wire-protocol.js';
import { estimateChatPromptTokens, estimateCompletionPromptTokens } from './token-text.js';

/** Which OpenAI endpoint a request came to. */
export type CompletionEndpoint = 'chat' | 'completions';

/** The parts of an incoming OpenAI completion body the simulator acts on. */
export interface CompletionRequest extends SimulatedRequest {
  endpoint: CompletionEndpoint;
}

/** Why a body was rejected: an HTTP 400 in OpenAI's error shape. */
export interface CompletionRequestProblem {
  message: string;
  param: string | null;
  code: string | null;
}

export type ParsedCompletionRequest =
  | { ok: true; request: CompletionRequest }
  | { ok: false; problem: CompletionRequestProblem };

function problem(
  message: string,
  param: string | null,
  code: string | null,
): ParsedCompletionRequest {
  return { ok: false, problem: { message, param, code } };
}

function positiveIntegerOrUndefined(value: unknown): number | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  return false;
}

/** Parses and checks a chat or legacy completion body the way OpenAI rejects bad ones (400). */
export function parseCompletionRequest(
  endpoint: CompletionEndpoint,
  rawBody: string,
): ParsedCompletionRequest {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return problem(
      'We could not parse the JSON body of your request. Send a JSON object with content-type: application/json.',
      null,
      null,
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return problem('The request body must be a JSON object.', null, null);
  }
  const fields = body as Record<string, unknown>;

  if (typeof fields.model !== 'string' || fields.model === '') {
    return problem('you must provide a model parameter', 'model', null);
  }

  let promptTokens: number;
  if (endpoint === 'chat') {
    if (!Array.isArray(fields.messages)) {
      return problem(
        "Missing required parameter: 'messages'.",
        'messages',
        'missing_required_parameter',
      );
    }
    promptTokens = estimateChatPromptTokens(fields.messages);
  } else {
    if (fields.prompt === undefined || fields.prompt === null) {
      return problem(
        "Missing required parameter: 'prompt'.",
        'prompt',
        'missing_required_parameter',
      );
    }
    promptTokens = estimateCompletionPromptTokens(fields.prompt);
  }

  if (fields.stream !== undefined && fields.stream !== null && typeof fields.stream !== 'boolean') {
    return problem("Invalid type for 'stream': expected a boolean.", 'stream', 'invalid_type');
  }
  const stream = fields.stream === true;

  const streamOptions = fields.stream_options;
  let includeUsage = false;
  let continuousUsage = false;
  if (streamOptions !== undefined && streamOptions !== null) {
    if (!stream) {
      return problem(
        "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        'stream_options',
        'invalid_value',
      );
    }
    if (typeof streamOptions !== 'object' || Array.isArray(streamOptions)) {
      return problem(
        "Invalid type for 'stream_options': expected an object.",
        'stream_options',
        'invalid_type',
      );
    }
    const options = streamOptions as Record<string, unknown>;
    includeUsage = options.include_usage === true;
    continuousUsage = includeUsage && options.continuous_usage_stats === true;
  }

  const maxCompletionTokens = positiveIntegerOrUndefined(fields.max_completion_tokens);
  if (maxCompletionTokens === false) {
    return problem(
      "Invalid 'max_completion_tokens': expected an integer ≥ 1.",
      'max_completion_tokens',
      'invalid_value',
    );
  }
  const maxTokens = positiveIntegerOrUndefined(fields.max_tokens);
  if (maxTokens === false) {
    return problem("Invalid 'max_tokens': expected an integer ≥ 1.", 'max_tokens', 'invalid_value');
  }
  const minTokens = positiveIntegerOrUndefined(fields.min_tokens);
  if (minTokens === false) {
    return problem("Invalid 'min_tokens': expected an integer ≥ 1.", 'min_tokens', 'invalid_value');
  }

  return {
    ok: true,
    request: {
      endpoint,
      model: fields.model,
      stream,
      includeUsage,
      continuousUsage,
      maxTokens: maxCompletionTokens ?? maxTokens,
      minTokens,
      ignoreEos: fields.ignore_eos === true,
      promptTokens,
      // Reasoning is a chat feature; legacy completions have no field to carry it.
      supportsReasoning: endpoint === 'chat',
    },
  };
}
