import type { WireProtocol } from './wire-protocol.js';

/** Not yet served: a placeholder the anthropic protocol replaces. */
export const anthropicProtocol: WireProtocol = {
  name: 'anthropic',
  routes: [],
  match: () => undefined,
};
