// How a value found in a config file or on the command line is shown in a message: enough
// to recognise it, never a credential and never a whole container.

/** A path as zod reports it: object keys and array indexes. */
export type IssuePath = readonly PropertyKey[];

const IDENTIFIER = /^[A-Za-z_][\w-]*$/;

/** Renders `["scenarios", 1, "concurrency"]` as `scenarios[1].concurrency`. */
export function formatPath(path: IssuePath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      if (IDENTIFIER.test(key)) out += out === '' ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

const SECRET_LIKE = /key|secret|token|passw|auth|credential|cookie/i;
// Token *counts* are named in the plural (max_tokens, output_tokens, tokens_per_event,
// record_tokens); credentials in the singular (api_token, session_token).
const TOKEN_COUNT = /tokens/i;

/** True when the field at `path` may hold a credential, so its value must never be printed. */
export function isSecretLikePath(path: IssuePath): boolean {
  for (let i = path.length - 1; i >= 0; i--) {
    const segment = path[i];
    if (typeof segment !== 'string') continue;
    return SECRET_LIKE.test(segment) && !TOKEN_COUNT.test(segment);
  }
  return false;
}

const MAX_SHOWN = 60;

/** Describes a received value for a message: JSON-quoted strings, numbers as written, containers by kind. */
export function describeValue(value: unknown, path: IssuePath): string {
  if (isSecretLikePath(path)) return `${kindOf(value)} (value hidden)`;
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value);
    return quoted.length > MAX_SHOWN ? `${quoted.slice(0, MAX_SHOWN - 2)}…"` : quoted;
  }
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return String(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  // Containers are never printed whole: they may hold credentials under another key.
  if (Array.isArray(value)) return value.length === 0 ? '[]' : 'a list';
  return Object.keys(value).length === 0 ? '{}' : 'an object';
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
    case 'bigint':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return 'an object';
  }
}
