export { CliError, EXIT } from './cli-error.js';
export type { CliExtensions } from './cli-extensions.js';
export { loadCliExtensions } from './cli-extensions.js';
export { main } from './main.js';
