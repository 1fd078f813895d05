import type { WireProtocol } from './wire-protocol.js';

/** Not yet served: a placeholder the google protocol replaces. */
export const googleProtocol: WireProtocol = {
  name: 'google',
  routes: [],
  match: () => undefined,
};
