import {
  classifyHttpStatus,
  type ErrorClass,
  type ErrorClassification,
  parseRetryAfterMs,
  type ResponseHeaders,
  type StreamErrorPayload,
  truncateErrorMessage,
} from '@llm-lens/providers-core';
import { asObject, asString } from './bedrock-payload.js';

// Error types: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html#API_runtime_ConverseStream_Errors
// and https://docs.aws.amazon.com/bedrock/latest/APIReference/CommonErrors.html. The type
// travels in the `x-amzn-errortype` header (`ValidationException:http://internal…`), the
// text in the JSON body's `message`.

/** What a Bedrock error type means for a run, and what a user can do about it. */
interface ErrorTypeRule {
  errorClass: ErrorClass;
  persistent: boolean;
  /** A hint after the server's text; `{region}` is replaced by the provider's region. */
  hint?: string;
}

const REGION_HINT =
  'check the model id, and that the model is offered in region {region}: model ids and inference profiles (us./eu./apac./global. prefixes) differ by region';

const HTTP_ERROR_TYPES: Readonly<Record<string, ErrorTypeRule>> = {
  throttlingexception: {
    errorClass: 'rate_limited',
    persistent: false,
    hint: 'the account quota for this model in {region}; lower the rate or request a quota increase',
  },
  servicequotaexceededexception: {
    errorClass: 'rate_limited',
    persistent: false,
    hint: 'a service quota of the account in {region} is used up',
  },
  validationexception: { errorClass: 'client_error', persistent: true },
  resourcenotfoundexception: { errorClass: 'client_error', persistent: true, hint: REGION_HINT },
  accessdeniedexception: {
    errorClass: 'auth',
    persistent: true,
    hint: 'the credentials lack permission (bedrock:InvokeModel, bedrock:InvokeModelWithResponseStream), or access to this model is not enabled in {region}',
  },
  unrecognizedclientexception: {
    errorClass: 'auth',
    persistent: true,
    hint: 'the access key id is not recognised: check AWS_ACCESS_KEY_ID or the profile',
  },
  invalidsignatureexception: {
    errorClass: 'auth',
    persistent: true,
    hint: 'the signature does not match: check the secret access key, and that the system clock is right',
  },
  expiredtokenexception: {
    errorClass: 'auth',
    persistent: true,
    hint: 'the session token has expired: export fresh credentials',
  },
  missingauthenticationtokenexception: {
    errorClass: 'auth',
    persistent: true,
    hint: 'the request carried no credentials',
  },
  // A model still loading (imported and custom models): it serves once ready.
  modelnotreadyexception: {
    errorClass: 'server_error',
    persistent: false,
    hint: 'the model is not ready yet; retry shortly',
  },
  modeltimeoutexception: { errorClass: 'timeout_total', persistent: false },
  modelerrorexception: { errorClass: 'server_error', persistent: false },
  modelstreamerrorexception: { errorClass: 'server_error', persistent: false },
  internalserverexception: { errorClass: 'server_error', persistent: false },
  serviceunavailableexception: { errorClass: 'server_error', persistent: false },
};

// Texts of a ValidationException that mean the model id does not name a model here.
const MODEL_ID_PROBLEM = /model identifier|model id|inference profile|on-demand throughput/i;

function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    // The HTTP client lower-cases names; a hand-built header object may not.
    const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  return Array.isArray(value) ? value[0] : value;
}

/** The error type and text of an AWS JSON error response. */
export function readAwsError(
  headers: ResponseHeaders,
  body: string,
): { errorType?: string; message?: string } {
  let errorType = headerValue(headers, 'x-amzn-errortype');
  let message: string | undefined;
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = asObject(JSON.parse(trimmed));
      message = asString(parsed?.message) || asString(parsed?.Message) || undefined;
      // awsJson responses name the type in the body: `__type: "com.amazon…#ValidationException"`.
      errorType ??= asString(parsed?.__type) || asString(parsed?.code) || undefined;
    } catch {
      // A truncated body: the raw text below.
    }
  }
  const result: { errorType?: string; message?: string } = {};
  if (errorType !== undefined) {
    const name = errorType.split(':')[0]!.split('#').at(-1)!.trim();
    if (name.length > 0) result.errorType = name;
  }
  if (message !== undefined) {
    // An InvalidSignatureException quotes the canonical request it expected, session token
    // included; a cut message would keep part of it past any redaction of the whole token.
    const withoutCanonical = message.split(/The Canonical String for this request/)[0]!;
    result.message = withoutCanonical.replace(/\s+/g, ' ').trim();
  } else if (trimmed.length > 0) result.message = trimmed.replace(/\s+/g, ' ').slice(0, 200);
  return result;
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/**
 * Classifies a non-2xx Bedrock response by its AWS error type (`x-amzn-errortype`), falling
 * back to the status: ThrottlingException and ServiceQuotaExceededException → rate_limited;
 * AccessDenied, UnrecognizedClient, InvalidSignature, ExpiredToken → auth;
 * ValidationException, ResourceNotFoundException → client_error (a model id unknown in the
 * region says so, naming `region`); ModelNotReadyException, ModelError, InternalServer,
 * ServiceUnavailable → server_error; ModelTimeoutException → timeout_total.
 */
export function classifyBedrockHttpError(
  status: number,
  headers: ResponseHeaders,
  body: string,
  context: {
    region: string | undefined;
    providerLabel: string;
    /** Requests carry a Bedrock API key rather than a signature: auth hints name the key. */
    usesApiKey?: boolean;
  },
): ErrorClassification {
  const { errorType, message } = readAwsError(headers, body);
  const rule = errorType === undefined ? undefined : ownEntry(HTTP_ERROR_TYPES, errorType);
  if (rule === undefined) {
    const generic = classifyHttpStatus(status, headers, body, {
      providerLabel: context.providerLabel,
    });
    if (errorType === undefined) return generic;
    return {
      ...generic,
      message: generic.message.replace(`HTTP ${status}:`, `HTTP ${status} ${errorType}:`),
    };
  }
  const region = context.region ?? 'the configured region';
  let hint = rule.hint;
  if (context.usesApiKey === true && rule.errorClass === 'auth') {
    hint =
      'the Bedrock API key was not accepted: check AWS_BEARER_TOKEN_BEDROCK, its expiry and its permissions';
  }
  if (hint === undefined && errorType?.toLowerCase() === 'validationexception') {
    if (message !== undefined && MODEL_ID_PROBLEM.test(message)) hint = REGION_HINT;
  }
  const detail = truncateErrorMessage(message ?? 'empty response body');
  const retryAfterMs = parseRetryAfterMs(headers);
  const wait = retryAfterMs === undefined ? '' : `; retry after ${formatSeconds(retryAfterMs)}`;
  const suffix = hint === undefined ? '' : ` (${hint.replace('{region}', region)})`;
  const classification: ErrorClassification = {
    errorClass: rule.errorClass,
    message: `HTTP ${status} ${errorType}: ${detail}${suffix}${wait}`,
  };
  if (rule.persistent) classification.persistent = true;
  return classification;
}

// In-stream exceptions of ConverseStream and InvokeModelWithResponseStream, by their
// `:exception-type` (camelCase on the wire: throttlingException, ...).
/**
 * The table's entry for a type named on the wire, case-insensitively. Only the table's own
 * keys count: a server naming `constructor` or `__proto__` must not reach Object's members.
 */
function ownEntry<T>(table: Readonly<Record<string, T>>, type: string): T | undefined {
  const key = type.toLowerCase();
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

const STREAM_ERROR_CLASSES: Readonly<Record<string, ErrorClass>> = {
  throttlingexception: 'rate_limited',
  servicequotaexceededexception: 'rate_limited',
  validationexception: 'client_error',
  modeltimeoutexception: 'timeout_total',
  modelstreamerrorexception: 'server_error',
  internalserverexception: 'server_error',
  serviceunavailableexception: 'server_error',
  // Anthropic error events inside an InvokeModel stream.
  rate_limit_error: 'rate_limited',
  overloaded_error: 'server_error',
  api_error: 'server_error',
  invalid_request_error: 'client_error',
};

/**
 * Classifies an exception frame (or Anthropic error event) inside a 200 stream by its type:
 * throttlingException → rate_limited; validationException → client_error;
 * modelTimeoutException → timeout_total; modelStreamErrorException, internalServerException,
 * serviceUnavailableException and unknown types → server_error (the server failed while
 * generating).
 */
export function classifyBedrockStreamError(error: StreamErrorPayload): ErrorClassification {
  const errorClass =
    (error.type === undefined ? undefined : ownEntry(STREAM_ERROR_CLASSES, error.type)) ??
    'server_error';
  const suffix = error.type === undefined ? '' : ` (${error.type})`;
  return { errorClass, message: `error in stream: ${error.message}${suffix}` };
}
