import {
  classifyHttpStatus,
  type ErrorClass,
  type ErrorClassification,
  ownEntry,
  type ResponseHeaders,
  type StreamErrorPayload,
} from '@llm-lens/providers-core';
import { asObject, asString } from './gemini-payload.js';

// google.rpc.Code names (https://cloud.google.com/apis/design/errors#handling_errors), as
// Gemini and Vertex AI put them in `error.status`.
const STATUS_CLASSES: Readonly<Record<string, ErrorClass>> = {
  INVALID_ARGUMENT: 'client_error',
  FAILED_PRECONDITION: 'client_error',
  OUT_OF_RANGE: 'client_error',
  NOT_FOUND: 'client_error',
  ALREADY_EXISTS: 'client_error',
  UNIMPLEMENTED: 'client_error',
  UNAUTHENTICATED: 'auth',
  PERMISSION_DENIED: 'auth',
  RESOURCE_EXHAUSTED: 'rate_limited',
  DEADLINE_EXCEEDED: 'timeout_total',
  INTERNAL: 'server_error',
  UNAVAILABLE: 'server_error',
  UNKNOWN: 'server_error',
  DATA_LOSS: 'server_error',
  ABORTED: 'server_error',
  CANCELLED: 'server_error',
};

function classOfCode(code: StreamErrorPayload['code']): ErrorClass {
  if (typeof code !== 'number') return 'server_error';
  if (code === 429) return 'rate_limited';
  if (code === 401 || code === 403) return 'auth';
  if (code === 408 || code === 504) return 'timeout_total';
  if (code >= 400 && code < 500) return 'client_error';
  return 'server_error';
}

/**
 * Classifies an error inside a 200 Gemini stream or body. Google's `{"error": {code,
 * message, status}}` goes by its status name: RESOURCE_EXHAUSTED → rate_limited;
 * UNAUTHENTICATED, PERMISSION_DENIED → auth; INVALID_ARGUMENT, FAILED_PRECONDITION,
 * NOT_FOUND, OUT_OF_RANGE, ALREADY_EXISTS, UNIMPLEMENTED → client_error; DEADLINE_EXCEEDED →
 * timeout_total; INTERNAL, UNAVAILABLE, UNKNOWN, DATA_LOSS, ABORTED, CANCELLED → server_error;
 * an unlisted name goes by its code (429 rate_limited, 401/403 auth, 408/504 timeout_total,
 * other 4xx client_error, else server_error). A response
 * that ended without output because the prompt was blocked or generation stopped
 * (SAFETY, MAX_TOKENS spent on thinking, ...) is client_error: the request is what a
 * different prompt or limit would fix.
 */
export function classifyGeminiStreamError(error: StreamErrorPayload): ErrorClassification {
  if (error.type === 'blockReason' || error.type === 'finishReason') {
    return { errorClass: 'client_error', message: error.message };
  }
  const errorClass =
    (error.type !== undefined ? ownEntry(STATUS_CLASSES, error.type) : undefined) ??
    classOfCode(error.code);
  const labels = [error.type, error.code === undefined ? undefined : `code ${error.code}`].filter(
    (label) => label !== undefined,
  );
  const suffix = labels.length === 0 ? '' : ` (${labels.join(', ')})`;
  return { errorClass, message: `error in stream: ${error.message}${suffix}` };
}

/** Seconds of a google.protobuf.Duration in JSON form ("37s", "0.5s"), or undefined. */
function durationSeconds(value: unknown): string | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)s\s*$/.exec(asString(value));
  return match?.[1];
}

interface GoogleErrorBody {
  status: string;
  /** `google.rpc.ErrorInfo.reason`, e.g. API_KEY_INVALID. */
  reasons: string[];
  /** `google.rpc.RetryInfo.retryDelay` in seconds. */
  retryDelayS: string | undefined;
}

function readErrorBody(body: string): GoogleErrorBody | undefined {
  const trimmed = body.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  // Some Google front ends wrap the error in a one-element list.
  const error = asObject(asObject(Array.isArray(parsed) ? parsed[0] : parsed)?.error);
  if (error === undefined) return undefined;
  const result: GoogleErrorBody = {
    status: asString(error.status),
    reasons: [],
    retryDelayS: undefined,
  };
  for (const raw of Array.isArray(error.details) ? error.details : []) {
    const detail = asObject(raw);
    const type = asString(detail?.['@type']);
    if (type.endsWith('google.rpc.ErrorInfo')) result.reasons.push(asString(detail?.reason));
    if (type.endsWith('google.rpc.RetryInfo'))
      result.retryDelayS = durationSeconds(detail?.retryDelay);
  }
  return result;
}

/** Options of {@link classifyGeminiHttpError}. */
export interface ClassifyGeminiHttpErrorOptions {
  /** Provider label for the auth hint. */
  providerLabel: string;
  /**
   * The credential is refreshed after a 401 (Vertex with `access_token_command`), so a 401
   * is not persistent: the next request sends a fresh token.
   */
  refreshesOn401?: boolean;
}

/**
 * Classifies a non-2xx Gemini or Vertex AI response with `classifyHttpStatus`, adding what
 * Google's error body says: the status name goes into the message (`HTTP 429
 * RESOURCE_EXHAUSTED: …`); a `RetryInfo.retryDelay` gives the wait when no Retry-After
 * header does (Google sends none); and the Gemini API's answer to a bad key, 400
 * INVALID_ARGUMENT with reason API_KEY_INVALID, is `auth`, not `client_error`.
 */
export function classifyGeminiHttpError(
  status: number,
  headers: ResponseHeaders,
  body: string,
  options: ClassifyGeminiHttpErrorOptions,
): ErrorClassification {
  const google = readErrorBody(body);
  let effectiveHeaders = headers;
  if (
    google?.retryDelayS !== undefined &&
    headers['retry-after'] === undefined &&
    headers['retry-after-ms'] === undefined
  ) {
    effectiveHeaders = { ...headers, 'retry-after': google.retryDelayS };
  }
  const classification = classifyHttpStatus(status, effectiveHeaders, body, {
    providerLabel: options.providerLabel,
  });
  if (google !== undefined && google.status !== '') {
    classification.message = classification.message.replace(
      `HTTP ${status}:`,
      `HTTP ${status} ${google.status}:`,
    );
  }
  // A 401 already carries the auth hint; Gemini's own answer to a bad key is a 400.
  if (
    google?.reasons.includes('API_KEY_INVALID') === true &&
    classification.errorClass !== 'auth'
  ) {
    return {
      errorClass: 'auth',
      message: `${classification.message} (check the API key for ${options.providerLabel})`,
      persistent: true,
    };
  }
  if (status === 401 && options.refreshesOn401 === true) {
    return {
      errorClass: 'auth',
      message: `${classification.message}; the next request runs access_token_command again`,
    };
  }
  return classification;
}
