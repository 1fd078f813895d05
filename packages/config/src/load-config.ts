import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { formatPath, type IssuePath } from '@llm-lens/config-fields';
import { LensConfigError } from './config-error.js';
import type { ConfigExtensions } from './config-extensions.js';
import { type ConfigIssue, formatIssues } from './config-issue.js';
import { type ConfigSource, formatOf, parseSource, type SourcePosition } from './config-source.js';
import { substituteEnv } from './env-substitution.js';
import type { LensConfig } from './lens-config.js';
import { checkConfig, type PathIssue } from './validate-config.js';

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /** The provider types and load patterns a config may name. */
  extensions: ConfigExtensions;
  /** File name used in messages (as the user wrote it); default none. */
  file?: string | undefined;
  /** Directory prompt_file is relative to; default the file's directory, else the working directory. */
  baseDir?: string | undefined;
  /** Variables for `${VAR}` substitution; default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
}

/** Options of {@link loadConfigFile}. */
export interface LoadConfigOptions {
  /** The provider types and load patterns a config may name. */
  extensions: ConfigExtensions;
  /** Variables for `${VAR}` substitution; default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
}

type Locate = (path: IssuePath) => SourcePosition | undefined;

/**
 * Reads, parses and validates a config file (.yaml, .yml, .json or .toml), substitutes
 * `${VAR}`s and reads prompt_file relative to the file's directory.
 */
export async function loadConfigFile(
  path: string,
  options: LoadConfigOptions,
): Promise<LensConfig> {
  const format = formatOf(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw unreadable(
      error,
      path,
      `config file ${path}`,
      'run "llm-lens init" to write a starter config',
      path,
    );
  }
  // Editors on Windows may save a byte-order mark; no parser wants it.
  const source: ConfigSource = parseSource(text.replace(/^\uFEFF/, ''), format, path);
  if (source.data === null || source.data === undefined) {
    throw new LensConfigError(
      'LENS_CONFIG_INVALID',
      `${path}: the file is empty; run "llm-lens init" to write a starter config`,
      { file: path },
    );
  }
  return resolveConfig(source.data, {
    file: path,
    baseDir: dirname(resolve(path)),
    env: options.env ?? process.env,
    locate: source.locate,
    extensions: options.extensions,
  });
}

/** Validates a config object like loadConfigFile does (substitution, validation, prompt_file reads). */
export function parseConfig(raw: unknown, options: ParseConfigOptions): LensConfig {
  const baseDir =
    options.baseDir ??
    (options.file === undefined ? process.cwd() : dirname(resolve(options.file)));
  return resolveConfig(raw, {
    file: options.file,
    baseDir,
    env: options.env ?? process.env,
    locate: () => undefined,
    extensions: options.extensions,
  });
}

interface ResolveContext {
  extensions: ConfigExtensions;
  file: string | undefined;
  baseDir: string;
  env: NodeJS.ProcessEnv;
  locate: Locate;
}

function resolveConfig(raw: unknown, context: ResolveContext): LensConfig {
  const { file, locate } = context;
  const substituted = substituteEnv(raw, context.env);
  if (substituted.missing.length > 0) {
    const issues = substituted.missing.map(({ variable, path }) =>
      located(
        {
          path,
          message: `environment variable ${variable} is not set; export it, or give a default with \${${variable}:-value}`,
        },
        locate,
      ),
    );
    throw new LensConfigError('LENS_CONFIG_ENV_MISSING', formatIssues(issues, file), {
      file,
      issues,
    });
  }
  if (substituted.malformed.length > 0) {
    const issues = substituted.malformed.map(({ reference, path }) =>
      located(
        {
          path,
          message: `${JSON.stringify(reference)} is not a valid reference; write \${NAME} or \${NAME:-default}, or $\${ for a literal "\${"`,
        },
        locate,
      ),
    );
    throw invalid(issues, file);
  }

  const checked = checkConfig(substituted.value, 'file', context.extensions);
  if (!checked.ok) {
    throw invalid(
      checked.issues.map((issue) => located(issue, locate)),
      file,
    );
  }
  const config = checked.config;

  config.scenarios.forEach((scenario, index) => {
    if (scenario.prompt_file === undefined) return;
    const fieldPath = ['scenarios', index, 'prompt_file'];
    const promptPath = resolve(context.baseDir, scenario.prompt_file);
    scenario.prompt_file = promptPath;
    const field = located({ path: fieldPath, message: '' }, locate);
    const hint = `prompt_file paths are relative to the config file's directory (${context.baseDir})`;
    scenario.prompt = readPromptFile(promptPath, { field, file, hint });
  });
  return config;
}

/** Where a prompt file was asked for, for messages. */
export interface PromptFileOrigin {
  /** The field or flag that named the file (its message is ignored). */
  field: ConfigIssue;
  /** The config file, if any. */
  file: string | undefined;
  /** How relative paths were resolved. */
  hint: string;
}

/** Reads a prompt file whole, verbatim; throws LENS_CONFIG_NOT_FOUND naming the field that asked for it. */
export function readPromptFile(path: string, origin: PromptFileOrigin): string {
  const { field, file } = origin;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw unreadable(error, path, `prompt file ${path}`, origin.hint, file, field);
  }
  if (text.trim() === '') {
    const issue = { ...field, message: `prompt file ${path} is empty` };
    throw new LensConfigError('LENS_CONFIG_INVALID', formatIssues([issue], file), {
      file,
      issues: [issue],
    });
  }
  return text;
}

export function unreadable(
  error: unknown,
  path: string,
  what: string,
  hint: string,
  file: string | undefined,
  field?: ConfigIssue,
): LensConfigError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === 'ENOENT'
      ? `${what} not found${isAbsolute(path) ? '' : ` (looked at ${resolve(path)})`}; ${hint}`
      : code === 'EISDIR'
        ? `${what} is a directory, not a file`
        : `cannot read ${what}: ${error instanceof Error ? error.message : String(error)}`;
  if (field === undefined)
    return new LensConfigError('LENS_CONFIG_NOT_FOUND', reason, { file, cause: error });
  const issue = { ...field, message: reason };
  return new LensConfigError('LENS_CONFIG_NOT_FOUND', formatIssues([issue], file), {
    file,
    issues: [issue],
    cause: error,
  });
}

function located(issue: PathIssue, locate: Locate): ConfigIssue {
  const out: ConfigIssue = { path: formatPath(issue.path), message: issue.message };
  const position = locate(issue.path);
  if (position !== undefined) {
    out.line = position.line;
    out.column = position.column;
  }
  return out;
}

/** The LENS_CONFIG_INVALID error for `issues`, one per line. */
export function invalid(issues: ConfigIssue[], file: string | undefined): LensConfigError {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  const what = issues.every((issue) => issue.path.startsWith('--'))
    ? 'command-line flags'
    : 'config';
  return new LensConfigError(
    'LENS_CONFIG_INVALID',
    `invalid ${what} (${count}):\n${formatIssues(issues, file)}`,
    { file, issues },
  );
}
