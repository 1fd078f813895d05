import {
  classifyHttpStatus,
  type ErrorClassification,
  type ResponseHeaders,
  type StreamErrorPayload,
} from '@llm-lens/providers-core';

// `model "llama3" not found, try pulling it first` (older servers), `model 'llama3' not found`.
const MODEL_NOT_FOUND = /model\s+["']([^"']+)["']\s+not found/i;

/**
 * The hint for a 404: which model to pull (read from the server's decoded error text), or
 * that the address serves no Ollama API (from the raw body).
 */
function notFoundHint(detail: string, body: string): string {
  const model = MODEL_NOT_FOUND.exec(detail)?.[1];
  if (model !== undefined) return ` (pull it with \`ollama pull ${model}\`)`;
  // Go's default mux answers unknown paths with this plain text: no /api/chat there.
  if (/^\s*404 page not found\s*$/i.test(body)) {
    return ' (no Ollama API at this address: base_url or OLLAMA_HOST must be the server root, e.g. http://127.0.0.1:11434)';
  }
  return ' (if the model is missing, pull it with `ollama pull MODEL`)';
}

/**
 * Classifies a non-2xx Ollama response through `classifyHttpStatus` (400 → client_error,
 * 401/403 → auth, 429 → rate_limited with its Retry-After, 5xx → server_error), reading
 * Ollama's `{"error": "<text>"}` body. A 404 names the model to pull, or says the address
 * serves no Ollama API.
 */
export function classifyOllamaHttpError(
  status: number,
  headers: ResponseHeaders,
  body: string,
  providerLabel: string,
): ErrorClassification {
  const classification = classifyHttpStatus(status, headers, body, { providerLabel });
  if (status !== 404) return classification;
  return {
    ...classification,
    message: classification.message + notFoundHint(classification.message, body),
  };
}

/**
 * Classifies an `{"error": …}` line inside a 200 Ollama stream (or body): always
 * `server_error`. Ollama sends one when generation fails after the response started (the
 * runner crashed, ran out of memory, was unloaded), and its errors carry no type to tell
 * other causes apart.
 */
export function classifyOllamaStreamError(error: StreamErrorPayload): ErrorClassification {
  const suffix = error.type === undefined ? '' : ` (type ${error.type})`;
  return { errorClass: 'server_error', message: `error in stream: ${error.message}${suffix}` };
}
