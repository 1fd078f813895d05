// The provider types and load pattern the config tests validate against: the real
// adapters' factories (the config package itself knows none of them) and a stand-in for
// the executor's closed loop, which has no settings of its own.
import { strictObject } from '@llm-lens/config-fields';
import { providerFactories as mockProviders } from '@llm-lens/providers-mock';
import { providerFactories as openaiProviders } from '@llm-lens/providers-openai';
import type { ConfigExtensions } from '../src/index.js';

export const extensions: ConfigExtensions = {
  providers: [...openaiProviders, ...mockProviders],
  loadPatterns: [
    {
      type: 'closed',
      description: 'closed loop',
      configSchema: strictObject({}, 'an object {type: closed}'),
    },
  ],
};
