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
export type { ConfigExtension, ConfigExtensions } from './config-extensions.js';
export { configHash } from './config-hash.js';
export { type ConfigIssue, formatIssues } from './config-issue.js';
export { DEFAULT_LOAD_TYPE } from './config-schema.js';
export { CONFIG_FILE_EXTENSIONS } from './config-source.js';
export { loadDataFile } from './data-file.js';
export type {
  ChatMessageConfig,
  FidelityConfig,
  LensConfig,
  LoadConfig,
  OutputsConfig,
  ProviderConfig,
  ProviderTimeouts,
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
