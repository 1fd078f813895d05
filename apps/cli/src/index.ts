export { CliError, EXIT } from './cli-error.js';
export { main } from './main.js';
export type { ResolvedTargets } from './target-registry.js';
export { PROVIDER_TYPES, resolveTargets, simulatorOptions } from './target-registry.js';
