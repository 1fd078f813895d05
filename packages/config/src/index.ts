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
export { configHash } from './config-hash.js';
export { type ConfigIssue, formatIssues } from './config-issue.js';
export { DEFAULT_OPENAI_API_KEY_ENV, DEFAULT_OPENAI_BASE_URL } from './config-schema.js';
export { CONFIG_FILE_EXTENSIONS } from './config-source.js';
export type {
  ChatMessageConfig,
  FidelityConfig,
  LensConfig,
  MockDistribution,
  MockFaults,
  MockOutputTokens,
  MockSettings,
  OutputsConfig,
  ProviderApi,
  ProviderConfig,
  ProviderTimeouts,
  ProviderType,
  ScenarioConfig,
} from './lens-config.js';
export {
  type LoadConfigOptions,
  loadConfigFile,
  type ParseConfigOptions,
  parseConfig,
} from './load-config.js';
export { STARTER_CONFIG_YAML } from './starter-config.js';
export { type ValidationResult, validateConfig } from './validate-config.js';
