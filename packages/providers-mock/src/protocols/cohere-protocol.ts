import type { WireProtocol } from './wire-protocol.js';

/** Not yet served: a placeholder the cohere protocol replaces. */
export const cohereProtocol: WireProtocol = {
  name: 'cohere',
  routes: [],
  match: () => undefined,
};
