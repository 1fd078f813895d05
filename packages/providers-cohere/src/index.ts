import type { ProviderFactory } from '@llm-lens/providers-core';

/** The provider types of this package, as the CLI and the executor discover them. */
export const providerFactories: readonly ProviderFactory[] = [];
