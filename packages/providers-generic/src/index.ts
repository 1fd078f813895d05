export type { JsonObject } from './body-template.js';
export { BodyTemplate } from './body-template.js';
export { genericProviderFactory, providerFactories } from './generic-factory.js';
export type { GenericProviderOptions } from './generic-provider.js';
export { createGenericProvider } from './generic-provider.js';
export type {
  Framing,
  GenericSettings,
  SelectorSettings,
  UsageConvention,
  UsageSelectorSettings,
} from './generic-settings.js';
export { genericSettingsSchema } from './generic-settings.js';
export { JsonSelector, SelectorSyntaxError } from './json-selector.js';
export { classifyGenericStreamError } from './stream-error.js';
export { TEMPLATE_VARIABLES, type TemplateVariable } from './template-variables.js';
