import {
  classifyHttpStatus,
  type DecoderOptions,
  type ErrorClassification,
  type HttpRequestSpec,
  LensProviderError,
  type Provider,
  type ProviderRequestInput,
  type ResponseDecoder,
  type ResponseHeaders,
  type StreamErrorPayload,
} from '@llm-lens/providers-core';
import { BodyTemplate } from './body-template.js';
import type { Framing, GenericSettings } from './generic-settings.js';
import { GenericJsonDecoder } from './json-decoder.js';
import { SelectorSyntaxError } from './json-selector.js';
import { GenericNdjsonDecoder } from './ndjson-decoder.js';
import { type CompiledSelectors, compileSelectors, selectError } from './payload-reader.js';
import { redactSecrets } from './request-headers.js';
import { GenericSseDecoder, type SseMarkers } from './sse-decoder.js';
import { classifyGenericStreamError } from './stream-error.js';
import { parseTemplateText, templateValues } from './template-variables.js';

/** Options of {@link createGenericProvider}. */
export interface GenericProviderOptions {
  /** Label used in results. Default `generic`. */
  name?: string;
  /** The entry's own settings, as a config file holds them after validation. */
  settings: GenericSettings;
  /**
   * Headers sent with every request, over the defaults (`content-type: application/json`
   * with a body, `accept` by framing). Default none. May hold credentials: list them in
   * `secrets`.
   */
  headers?: Readonly<Record<string, string>>;
  /** Values never to appear in a message (credentials in headers). Default none. */
  secrets?: readonly string[];
}

const ACCEPT: Record<Framing, string> = {
  sse: 'text/event-stream',
  ndjson: 'application/x-ndjson',
  json: 'application/json',
};

function configError(message: string): LensProviderError {
  return new LensProviderError('LENS_PROVIDER_CONFIG', message, { errorClass: 'client_error' });
}

/** The URL template as a function of the model; `{{model}}` is percent-encoded as one segment. */
function compileUrl(template: string): (model: string) => string {
  const { parts, unknown } = parseTemplateText(template);
  const variables = parts.flatMap((part) => (typeof part === 'string' ? [] : [part.variable]));
  const invalid = [...unknown, ...variables.filter((name) => name !== 'model')];
  if (invalid.length > 0) {
    throw configError(
      `url: only {{model}} may be used in the URL, not {{${invalid.join('}}, {{')}}}`,
    );
  }
  const filled = parts.map((part) => (typeof part === 'string' ? part : 'model')).join('');
  const protocol = URL.canParse(filled) ? new URL(filled).protocol : undefined;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw configError(
      `url: must be an http:// or https:// URL, got ${JSON.stringify(endpointOf(template))}`,
    );
  }
  if (variables.length === 0) return () => template;
  return (model) => {
    const encoded = encodeURIComponent(model);
    let url = '';
    for (const part of parts) url += typeof part === 'string' ? part : encoded;
    return url;
  };
}

/** The URL as printed: no query string and no user info, where credentials may sit. */
export function endpointOf(url: string): string {
  const withoutQuery = url.split(/[?#]/, 1)[0] ?? url;
  return withoutQuery.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

function compileSelectorsOrThrow(settings: GenericSettings): CompiledSelectors {
  try {
    return compileSelectors(settings.selectors);
  } catch (error) {
    if (error instanceof SelectorSyntaxError) throw configError(`selectors: ${error.message}`);
    throw error;
  }
}

/**
 * An adapter for an HTTP API described by settings alone: the URL, method, headers and body
 * template build each request; the framing and the JSONPath selectors read each response.
 * Templates and selectors are parsed here, once; a bad one throws `LENS_PROVIDER_CONFIG`.
 */
export function createGenericProvider(options: GenericProviderOptions): Provider {
  const { settings } = options;
  const name = options.name ?? 'generic';
  const secrets = options.secrets ?? [];
  const urlFor = compileUrl(settings.url);
  const template = settings.body === undefined ? undefined : BodyTemplate.compile(settings.body);
  if (settings.method === 'GET' && template !== undefined) {
    throw configError('body: cannot be sent with method GET; remove body, or set method: POST');
  }
  const selectors = compileSelectorsOrThrow(settings);
  const usageConvention = settings.usage_convention;
  const markers: SseMarkers = {};
  if (settings.done_data !== undefined) markers.doneData = settings.done_data;
  if (settings.done_event !== undefined) markers.doneEvent = settings.done_event;
  if (settings.event_filter !== undefined) markers.eventFilter = settings.event_filter;
  const headers: Record<string, string> = { accept: ACCEPT[settings.framing] };
  if (template !== undefined) headers['content-type'] = 'application/json';
  for (const [key, value] of Object.entries(options.headers ?? {})) {
    headers[key.toLowerCase()] = value;
  }
  const redact = (classification: ErrorClassification): ErrorClassification =>
    secrets.length === 0
      ? classification
      : { ...classification, message: redactSecrets(classification.message, secrets) };

  return {
    id: 'generic',
    name,
    buildRequest(input: ProviderRequestInput): HttpRequestSpec {
      const spec: HttpRequestSpec = {
        url: urlFor(input.model),
        method: settings.method,
        headers: { ...headers },
      };
      if (template !== undefined) {
        spec.body = JSON.stringify(template.render(templateValues(input), input.extraBody));
      } else if (input.extraBody !== undefined && Object.keys(input.extraBody).length > 0) {
        throw configError(
          `provider "${name}": extra body fields (options) cannot be sent with method ${settings.method}, which has no body`,
        );
      }
      return spec;
    },
    createDecoder(_input: ProviderRequestInput, decoderOptions?: DecoderOptions): ResponseDecoder {
      switch (settings.framing) {
        case 'sse':
          return new GenericSseDecoder(selectors, usageConvention, markers, decoderOptions);
        case 'ndjson':
          return new GenericNdjsonDecoder(selectors, usageConvention, decoderOptions);
        case 'json':
          return new GenericJsonDecoder(selectors, usageConvention, decoderOptions);
      }
    },
    classifyHttpError(
      status: number,
      responseHeaders: ResponseHeaders,
      body: string,
    ): ErrorClassification {
      return redact(
        classifyHttpStatus(status, responseHeaders, errorBody(selectors, body), {
          providerLabel: name,
        }),
      );
    },
    classifyStreamError(error: StreamErrorPayload): ErrorClassification {
      return redact(classifyGenericStreamError(error));
    },
  };
}

/**
 * The body classifyHttpStatus reads its detail from: when the body is JSON and the `error`
 * selector finds the error in it, that error in the `{"error": {message, type}}` shape it
 * reads; otherwise the body as it came (it then finds the usual shapes, or quotes the text).
 */
function errorBody(selectors: CompiledSelectors, body: string): string {
  if (selectors.error === undefined) return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  const error = selectError(selectors, parsed);
  if (error === undefined) return body;
  return JSON.stringify({
    error:
      error.type === undefined
        ? { message: error.message }
        : { message: error.message, type: error.type },
  });
}
