export { main } from './main.js';
export { EXIT, CliError } from './cli-error.js';
export { resolveTargets, simulatorOptions, PROVIDER_TYPES } from './target-registry.js';
export type { ResolvedTargets } from './target-registry.js';
