// `${VAR}` substitution runs on parsed string values, never on the file's text, so a
// value containing quotes or newlines can never break the YAML/JSON/TOML syntax.
import type { IssuePath } from '@llm-lens/config-fields';

/** A `${VAR}` whose variable is not set and has no `:-default`. */
export interface MissingVariable {
  variable: string;
  path: IssuePath;
}

/** A `${` that does not form a valid reference. */
export interface MalformedReference {
  reference: string;
  path: IssuePath;
}

/** Outcome of {@link substituteEnv}: the new value and every problem met on the way. */
export interface SubstitutionResult {
  value: unknown;
  missing: MissingVariable[];
  malformed: MalformedReference[];
}

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string value of `value` (keys are left
 * alone); `$${` stands for a literal `${`. A set-but-empty variable counts as unset for
 * `:-`, as in POSIX shells.
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv): SubstitutionResult {
  const result: SubstitutionResult = { value: undefined, missing: [], malformed: [] };
  result.value = walk(value, [], env, result);
  return result;
}

function walk(
  value: unknown,
  path: PropertyKey[],
  env: NodeJS.ProcessEnv,
  result: SubstitutionResult,
): unknown {
  if (typeof value === 'string') return substituteString(value, path, env, result);
  if (Array.isArray(value))
    return value.map((item, index) => walk(item, [...path, index], env, result));
  if (value !== null && typeof value === 'object' && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty, not assignment: a JSON key "__proto__" must stay a plain (and then
      // rejected) key instead of replacing the prototype.
      Object.defineProperty(out, key, {
        value: walk(item, [...path, key], env, result),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function substituteString(
  text: string,
  path: IssuePath,
  env: NodeJS.ProcessEnv,
  result: SubstitutionResult,
): string {
  if (!text.includes('$')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i += 1;
      continue;
    }
    const end = text.indexOf('}', i + 2);
    const match = end === -1 ? null : REFERENCE.exec(text.slice(i + 2, end));
    if (match === null) {
      const reference = end === -1 ? text.slice(i) : text.slice(i, end + 1);
      result.malformed.push({ reference, path });
      out += reference;
      i = end === -1 ? text.length : end + 1;
      continue;
    }
    const name = match[1] ?? '';
    const fallback = match[2];
    const current = env[name];
    if (fallback !== undefined) {
      out += current === undefined || current === '' ? fallback : current;
    } else if (current === undefined) {
      result.missing.push({ variable: name, path });
    } else {
      out += current;
    }
    i = end + 1;
  }
  return out;
}
