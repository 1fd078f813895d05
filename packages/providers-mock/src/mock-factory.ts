import { nullAsAbsent, oneOf, strictObject, z } from '@llm-lens/config-fields';
import type { ProviderFactory, ProviderSettings } from '@llm-lens/providers-core';
import { createOpenAIProvider } from '@llm-lens/providers-openai';
import { startSimulator } from './simulator.js';
import {
  type SimulatorSettings,
  simulatorOptionsFromSettings,
  simulatorSettingsSchema,
} from './simulator-settings.js';

/**
 * `type: mock`: the built-in simulator, started on a free loopback port for the run and
 * measured through the OpenAI adapter, exactly as a real OpenAI-compatible server would be.
 */
export const mockProviderFactory: ProviderFactory = {
  type: 'mock',
  description:
    'the built-in simulator: an OpenAI-compatible streaming server started for the run; no API key',
  configSchema: strictObject(
    {
      mock: z.preprocess(nullAsAbsent, simulatorSettingsSchema.optional()),
      api: oneOf(['chat', 'completions', 'responses']).default('chat'),
    },
    'an object of simulator settings',
  ),
  envVars: [],
  credentials: () => [],
  async create(settings: ProviderSettings) {
    const options = simulatorOptionsFromSettings((settings.mock ?? {}) as SimulatorSettings);
    const simulator = await startSimulator(options);
    const api = settings.api as 'chat' | 'completions' | 'responses';
    const provider = createOpenAIProvider({
      id: 'openai-compatible',
      name: settings.name,
      baseUrl: simulator.baseUrl,
      api,
      ...(settings.headers === undefined ? {} : { headers: settings.headers }),
    });
    const { mock: _settings, ...common } = settings;
    return {
      provider,
      endpoint: `built-in simulator at ${simulator.baseUrl}`,
      secrets: [],
      // Other threads send their requests to this simulator, as to any compatible server.
      portable: {
        type: 'openai-compatible',
        settings: { ...common, type: 'openai-compatible', base_url: simulator.baseUrl, api },
      },
      close: () => simulator.close(),
    };
  },
};

/** The provider types of this package, as the CLI and the executor discover them. */
export const providerFactories: readonly ProviderFactory[] = [mockProviderFactory];
