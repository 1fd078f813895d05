import type { z } from '@llm-lens/config-fields';

/**
 * Something another package adds to the config file: a provider type (from an adapter's
 * `ProviderFactory`) or a load pattern (from the executor). The config package knows none of
 * them by name: it validates an entry's common fields itself and hands the rest to the
 * extension whose `type` the entry names.
 */
export interface ConfigExtension {
  /** The `type` value that selects it (`openai`, `mock`, `closed`, ...). */
  readonly type: string;
  /** One line for messages and `--help`. */
  readonly description: string;
  /**
   * The keys it adds next to the common ones, with their rules and defaults. Its output is
   * merged into the entry. Cross-field rules (`superRefine`) apply; unknown keys are reported
   * by the config package, against the common and the extension's keys together.
   */
  readonly configSchema: z.ZodObject;
}

/** Scenario keys whose schema comes from another package. */
export type ScenarioSection = 'prompts' | 'replay' | 'conversations';

/** Everything registered that a config may name, passed to every function that validates one. */
export interface ConfigExtensions {
  /** Provider types. */
  readonly providers: readonly ConfigExtension[];
  /** Load patterns; a scenario's `load.type` picks one (default `closed`). */
  readonly loadPatterns: readonly ConfigExtension[];
  /**
   * Schemas of the scenario sections another package loads: `prompts` (a prompt source:
   * dataset, synthetic prompts, a mix), `replay` (a request log) and `conversations`
   * (multi-turn sessions), from `@llm-lens/workloads`. A section without a schema here is
   * refused.
   */
  readonly scenarioSections?: Readonly<Partial<Record<ScenarioSection, z.ZodType>>>;
  /**
   * Keys another package adds to every provider entry, whatever its type, with their
   * schemas: the executor's `retries`, `rate_limits` and `circuit_breaker`. They are checked
   * with the common keys, each optional (an empty one is absent); without them here, such a
   * key is an unknown key. A name that is already a common key is refused when the schema
   * is built.
   */
  readonly providerSections?: Readonly<Record<string, z.ZodType>>;
}
