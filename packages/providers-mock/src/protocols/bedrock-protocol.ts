import type { WireProtocol } from './wire-protocol.js';

/** Not yet served: a placeholder the bedrock protocol replaces. */
export const bedrockProtocol: WireProtocol = {
  name: 'bedrock',
  routes: [],
  match: () => undefined,
};
