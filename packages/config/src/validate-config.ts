import { formatPath, type IssuePath } from '@llm-lens/config-fields';
import type { ConfigExtensions } from './config-extensions.js';
import type { ConfigIssue } from './config-issue.js';
import { configSchema, type SchemaMode } from './config-schema.js';
import type { LensConfig } from './lens-config.js';

/** A problem with its path still in parts, so callers can map it (to a flag, to a line). */
export interface PathIssue {
  path: IssuePath;
  message: string;
}

/** Outcome of {@link validateConfig}. */
export type ValidationResult =
  | { ok: true; config: LensConfig }
  | { ok: false; issues: ConfigIssue[] };

/** Runs the schema and returns the config or every problem found, paths in parts. */
export function checkConfig(
  raw: unknown,
  mode: SchemaMode,
  extensions: ConfigExtensions,
): { ok: true; config: LensConfig } | { ok: false; issues: PathIssue[] } {
  const result = configSchema(mode, extensions).safeParse(raw);
  // zod copies objects by assignment, which turns a "__proto__" key into a prototype and
  // hides it from the unknown-key check; find such keys on the input itself.
  const protoKeys = protoKeyIssues(raw, []);
  if (result.success && protoKeys.length === 0) return { ok: true, config: result.data };
  const seen = new Set<string>();
  const issues: PathIssue[] = [];
  for (const issue of [...protoKeys, ...(result.success ? [] : result.error.issues)]) {
    const key = `${formatPath(issue.path)}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path: issue.path, message: issue.message });
  }
  return { ok: false, issues };
}

function protoKeyIssues(value: unknown, path: PropertyKey[]): PathIssue[] {
  if (value === null || typeof value !== 'object') return [];
  const issues: PathIssue[] = [];
  if (Object.hasOwn(value, '__proto__')) {
    issues.push({ path: [...path, '__proto__'], message: 'unknown key' });
  }
  for (const [key, item] of Object.entries(value)) {
    issues.push(...protoKeyIssues(item, [...path, Array.isArray(value) ? Number(key) : key]));
  }
  return issues;
}

/** Renders a path-in-parts issue as a {@link ConfigIssue}. */
export function toConfigIssue(issue: PathIssue): ConfigIssue {
  return { path: formatPath(issue.path), message: issue.message };
}

/**
 * Validates a config object as written in a file: shape, types, ranges and references, with
 * the provider types and load patterns of `extensions`. No `${VAR}` substitution and no file
 * reads (prompt_file stays as written); use parseConfig or loadConfigFile for those.
 */
export function validateConfig(raw: unknown, extensions: ConfigExtensions): ValidationResult {
  const result = checkConfig(raw, 'file', extensions);
  return result.ok ? result : { ok: false, issues: result.issues.map(toConfigIssue) };
}
