import { readFile } from 'node:fs/promises';
import { formatPath, type z } from '@llm-lens/config-fields';
import { LensConfigError } from './config-error.js';
import { type ConfigIssue, formatIssues } from './config-issue.js';
import { formatOf, parseSource } from './config-source.js';
import { unreadable } from './load-config.js';

/**
 * Reads a YAML, JSON or TOML data file other than the config (a `--pricing` file) and
 * validates it against `schema`, with the same errors as a config file: the file, the
 * line and column, the field and what would be valid.
 */
export async function loadDataFile<T extends z.ZodType>(
  path: string,
  schema: T,
  what: { label: string; hint: string },
): Promise<z.infer<T>> {
  const format = formatOf(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw unreadable(error, path, `${what.label} ${path}`, what.hint, path);
  }
  const source = parseSource(text.replace(/^\uFEFF/, ''), format, path);
  if (source.data === null || source.data === undefined) {
    throw new LensConfigError('LENS_CONFIG_INVALID', `${path}: the file is empty; ${what.hint}`, {
      file: path,
    });
  }
  const result = schema.safeParse(source.data);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue): ConfigIssue => {
    const position = source.locate(issue.path as (string | number)[]);
    return {
      path: formatPath(issue.path as (string | number)[]),
      message: issue.message,
      ...(position === undefined ? {} : { line: position.line, column: position.column }),
    };
  });
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  throw new LensConfigError(
    'LENS_CONFIG_INVALID',
    `invalid ${what.label} (${count}):\n${formatIssues(issues, path)}`,
    { file: path, issues },
  );
}
