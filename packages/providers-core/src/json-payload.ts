import { LensProviderError } from './provider-error.js';

/** A parsed JSON object of a response. */
export type JsonObject = Record<string, unknown>;

/** Characters of a malformed payload quoted in an error message. */
export const SNIPPET_CHARS = 120;

/** `value` when it is a plain JSON object (not null, not an array), else undefined. */
export function asObject(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

/** `value` when it is a string, else ''. */
export function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * Parses one JSON document of a response (an event's data, a line, a body) as an object,
 * or throws a `LENS_PROVIDER_PROTOCOL` error (class `protocol`) that names `what` and quotes
 * the first characters.
 */
export function parseJsonObject(text: string, what: string): JsonObject {
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

/**
 * The entry of `table` for a key that came off the wire, or undefined. Only the table's own
 * keys count: a server naming an error type `constructor` or `__proto__` must not reach
 * Object.prototype's members.
 */
export function ownEntry<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
