import {
  type CredentialSource,
  LensProviderError,
  type ProviderFactory,
} from '@llm-lens/providers-core';
import { createGenericProvider, endpointOf } from './generic-provider.js';
import { genericSettingsOf, genericSettingsSchema } from './generic-settings.js';
import { headerReferences, resolveHeaders } from './request-headers.js';

/**
 * `type: generic`: any HTTP LLM API, described by the entry alone (URL, headers, body
 * template, framing, JSONPath selectors). Credentials go in `secret_headers`; every value
 * there counts as a secret.
 */
export const genericProviderFactory: ProviderFactory = {
  type: 'generic',
  description:
    'any HTTP LLM API described in the config: url, body template, sse / ndjson / json framing and JSONPath selectors',
  configSchema: genericSettingsSchema,
  envVars: [],
  credentials(settings) {
    const generic = genericSettingsOf(settings);
    const references = [
      ...headerReferences(settings.headers),
      ...headerReferences(generic.secret_headers),
    ];
    return references.map(
      ({ header, variable }): CredentialSource => ({ env: variable, what: `header ${header}` }),
    );
  },
  async create(settings, context) {
    const generic = genericSettingsOf(settings);
    if (generic.method === 'GET' && Object.keys(settings.options ?? {}).length > 0) {
      throw new LensProviderError(
        'LENS_PROVIDER_CONFIG',
        `provider "${settings.name}": options (extra body fields) cannot be sent with method GET, which has no body`,
        { errorClass: 'client_error' },
      );
    }
    const { headers, secrets } = resolveHeaders(
      settings.headers,
      generic.secret_headers,
      context.env,
      settings.name,
    );
    return {
      provider: createGenericProvider({ name: settings.name, settings: generic, headers, secrets }),
      endpoint: endpointOf(generic.url),
      secrets,
    };
  },
};

/** The provider types of this package, as the CLI and the executor discover them. */
export const providerFactories: readonly ProviderFactory[] = [genericProviderFactory];
