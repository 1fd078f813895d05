import {
  LensProviderError,
  type StreamErrorPayload,
  truncateErrorMessage,
} from '@llm-lens/providers-core';

export type JsonObject = Record<string, unknown>;

/** Characters of a malformed payload quoted in an error message. */
export const SNIPPET_CHARS = 120;

export function asObject(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

export function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Parses one JSON document of a response as an object, or throws a protocol error. */
export function parseObject(text: string, what: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new LensProviderError(
      'LENS_PROVIDER_PROTOCOL',
      `malformed JSON in ${what}: ${JSON.stringify(text.slice(0, SNIPPET_CHARS))}`,
      { errorClass: 'protocol', cause },
    );
  }
  const object = asObject(parsed);
  if (object === undefined) {
    throw new LensProviderError(
      'LENS_PROVIDER_PROTOCOL',
      `${what} is not a JSON object: ${JSON.stringify(text.slice(0, SNIPPET_CHARS))}`,
      { errorClass: 'protocol' },
    );
  }
  return object;
}

/** `{"type": "error", "error": {"type": …, "message": …}}`, as a stream error. */
export function readError(payload: JsonObject): StreamErrorPayload | undefined {
  const error = asObject(payload.error);
  if (payload.type !== 'error' && error === undefined) return undefined;
  const message = asString(error?.message) || 'the server reported an error without a message';
  const result: StreamErrorPayload = { message: truncateErrorMessage(message) };
  const type = asString(error?.type);
  if (type.length > 0) result.type = truncateErrorMessage(type);
  return result;
}
