import type { WireProtocol } from './wire-protocol.js';

/** Not yet served: a placeholder the responses protocol replaces. */
export const responsesProtocol: WireProtocol = {
  name: 'responses',
  routes: [],
  match: () => undefined,
};
