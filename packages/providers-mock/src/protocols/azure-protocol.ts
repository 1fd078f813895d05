import type { WireProtocol } from './wire-protocol.js';

/** Not yet served: a placeholder the azure protocol replaces. */
export const azureProtocol: WireProtocol = {
  name: 'azure',
  routes: [],
  match: () => undefined,
};
