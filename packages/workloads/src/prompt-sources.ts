// The prompt source types, and loading a prompt set from a `prompts: {type, ...}` config.
import { dirname, resolve } from 'node:path';
import { loadDataFile } from '@llm-lens/config';
import type { PromptSet } from './prompt-set.js';
import type { PromptSourceType, SourceContext } from './source-settings.js';
import { type InlineSourceConfig, inlineSource } from './sources/inline-source.js';
import { type JsonlSourceConfig, jsonlSource } from './sources/jsonl-source.js';
import { type MixSourceConfig, mixSource } from './sources/mix-source.js';
import { type ShareGptSourceConfig, shareGptSource } from './sources/sharegpt-source.js';
import { type SyntheticSourceConfig, syntheticSource } from './sources/synthetic-source.js';
import { type TextSourceConfig, textSource } from './sources/text-source.js';
import { typedEntrySchema } from './typed-entry.js';
import { parseOrThrow } from './zod-issues.js';

/** Any prompt source's settings, validated and normalized. */
export type PromptSourceConfig =
  | InlineSourceConfig
  | TextSourceConfig
  | JsonlSourceConfig
  | ShareGptSourceConfig
  | SyntheticSourceConfig
  | MixSourceConfig;

/** Every built-in prompt source type, by `type`. */
export const PROMPT_SOURCE_TYPES: readonly PromptSourceType<PromptSourceConfig>[] = [
  inlineSource,
  textSource,
  jsonlSource,
  shareGptSource,
  syntheticSource,
  mixSource,
];

/**
 * The zod schema of a `prompts: {type, ...}` section. Its output is the normalized config
 * (length specs in object form, defaults applied), which validates again to itself.
 */
export const promptSourceSchema = typedEntrySchema(PROMPT_SOURCE_TYPES, 'a prompt source');

/** Options of {@link loadPromptSet}. */
export interface LoadPromptSetOptions {
  /** Directory relative data-file paths are resolved against; default the working directory. */
  baseDir?: string;
  /** The model the run measures: the vocabulary of synthetic prompts unless the config names a model. */
  model?: string;
  /** Where the section sits, for messages; default `prompts`. */
  field?: string;
}

/**
 * Validates `config` (raw or already parsed) and loads its prompt set: reads and checks its
 * files, loads the vocabulary it needs. Throws WorkloadError (`LENS_WORKLOAD_*`).
 */
export async function loadPromptSet(
  config: unknown,
  options: LoadPromptSetOptions = {},
): Promise<PromptSet> {
  const field = options.field ?? 'prompts';
  const parsed = parseOrThrow(promptSourceSchema, config, field);
  const context: SourceContext = {
    baseDir: resolve(options.baseDir ?? '.'),
    model: options.model,
    field,
  };
  const sourceType = PROMPT_SOURCE_TYPES.find((candidate) => candidate.type === parsed.type)!;
  return sourceType.load(parsed, context);
}

/** A prompt source read from its own YAML, JSON or TOML file, and where its paths are relative to. */
export interface PromptSourceFile {
  config: PromptSourceConfig;
  /** The file's directory: data files it names are found from there. */
  baseDir: string;
}

/**
 * Reads a prompt source written in a file of its own (`--prompts mix.yaml`), with the config
 * loader's located errors (LensConfigError: file, line, field, what is valid).
 */
export async function readPromptSourceFile(path: string): Promise<PromptSourceFile> {
  const config = await loadDataFile(path, promptSourceSchema, {
    label: 'prompt source file',
    hint: 'write an object such as {type: jsonl, path: prompts.jsonl} or {type: synthetic, input_tokens: 512}',
  });
  return { config, baseDir: dirname(resolve(path)) };
}
