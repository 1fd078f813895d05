import type { WireProtocol } from './wire-protocol.js';

/** Not yet served: a placeholder the ollama protocol replaces. */
export const ollamaProtocol: WireProtocol = {
  name: 'ollama',
  routes: [],
  match: () => undefined,
};
