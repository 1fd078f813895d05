export {
  type ApplyOverridesOptions,
  applyOverrides,
  type CliOverrides,
  DEFAULT_PROMPT,
  defaultConfig,
} from './cli-overrides.js';
export {
  LensConfigError,
  type LensConfigErrorCode,
  type LensConfigErrorOptions,
} from './config-error.js';
export type { ConfigExtension, ConfigExtensions, ScenarioSection } from './config-extensions.js';
export { configHash } from './config-hash.js';
export { type ConfigIssue, formatIssues } from './config-issue.js';
export { DEFAULT_LOAD_TYPE, DEFAULT_REQUESTS, SLO_KEYS } from './config-schema.js';
export { CONFIG_FILE_EXTENSIONS } from './config-source.js';
export { loadDataFile } from './data-file.js';
export type {
  ChatMessageConfig,
  ConversationsConfig,
  FidelityConfig,
  HistoryConfig,
  LensConfig,
  LoadConfig,
  OutputsConfig,
  PromptsConfig,
  ProviderCircuitBreaker,
  ProviderConfig,
  ProviderRateLimits,
  ProviderRetries,
  ProviderTimeouts,
  ReplayConfig,
  ScenarioConfig,
  SloConfig,
  SweepConfig,
} from './lens-config.js';
export {
  type LoadConfigOptions,
  loadConfigFile,
  type ParseConfigOptions,
  parseConfig,
} from './load-config.js';
export { STARTER_CONFIG_YAML } from './starter-config.js';
export { MAX_SWEEP_LEVELS, parseSweepValues, SWEEP_VALUES_WHAT } from './sweep-values.js';
export { type ValidationResult, validateConfig } from './validate-config.js';
