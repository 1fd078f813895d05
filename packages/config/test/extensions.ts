// The provider types and load pattern the config tests validate against: the real
// adapters' factories (the config package itself knows none of them) and a stand-in for
// the executor's load patterns (closed, open, burst) with the same settings.
import {
  durationSeconds,
  nonNegativeInt,
  oneOf,
  positiveInt,
  positiveNumber,
  strictObject,
} from '@llm-lens/config-fields';
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
    // Stand-ins with the settings of the executor's open loop and bursts.
    {
      type: 'open',
      description: 'open loop',
      configSchema: strictObject(
        {
          rate: positiveNumber('a rate in requests per second > 0'),
          arrival: oneOf(['constant', 'poisson']).default('constant'),
          seed: nonNegativeInt().default(1),
          max_in_flight: positiveInt().optional(),
        },
        'an object {type: open, rate}',
      ),
    },
    {
      type: 'burst',
      description: 'bursts',
      configSchema: strictObject(
        { pause: durationSeconds().optional() },
        'an object {type: burst}',
      ),
    },
  ],
};
