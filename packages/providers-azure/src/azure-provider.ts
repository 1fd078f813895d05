import {
  type ErrorClassification,
  type HttpRequestSpec,
  LensProviderError,
  type Provider,
  type ProviderRequestInput,
  type ResponseHeaders,
} from '@llm-lens/providers-core';
import { createOpenAIProvider, type OpenAIProviderOptions } from '@llm-lens/providers-openai';

/**
 * The `api-version` of deployment URLs unless an option says otherwise: the latest GA
 * version of the data-plane inference API (learn.microsoft.com/azure/ai-foundry/openai/reference).
 */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

/**
 * Which URL style requests use: `deployments`
 * (`{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=...`) or `v1`
 * (`{endpoint}/openai/v1/chat/completions`, the deployment name in the body's `model`).
 */
export type AzureApi = 'deployments' | 'v1';

/** How requests authenticate. */
export type AzureCredential =
  /** Sent as the `api-key` header. */
  | { kind: 'api-key'; apiKey: string }
  /**
   * An Entra ID token, sent as `Authorization: Bearer <token>`. Without `accessToken`, a
   * transport interceptor adds the header (see `accessTokenInterceptor`).
   */
  | { kind: 'access-token'; accessToken?: string };

/** Options of {@link createAzureProvider}. */
export interface AzureProviderOptions {
  /** Label used in results. Default `azure`. */
  name?: string;
  /** The resource endpoint, e.g. `https://my-resource.openai.azure.com`; a trailing `/openai` or `/openai/v1` is tolerated. */
  endpoint: string;
  /** URL style. Default `deployments`. */
  api?: AzureApi;
  /**
   * The `api-version` query parameter. Default {@link AZURE_DEFAULT_API_VERSION} for
   * `deployments`; none for `v1` (set `preview` there for preview features).
   */
  apiVersion?: string;
  /** Deployment name per model name; a model not listed is its own deployment name. Default none. */
  deployments?: Readonly<Record<string, string>>;
  /** Default: none (no credential header). */
  credential?: AzureCredential;
  /**
   * Body field of the output limit. Default `max_completion_tokens`: reasoning deployments
   * (o-series, gpt-5) refuse `max_tokens`, and the GA api-version accepts the newer field
   * for every chat model.
   */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** Ask for a final usage chunk (`stream_options.include_usage`). Default true. */
  includeUsage?: boolean;
  /** Extra headers, applied last. Default none. */
  headers?: Record<string, string>;
}

const EXAMPLE_ENDPOINT = 'https://my-resource.openai.azure.com';

/**
 * The endpoint as the root of the resource: no trailing slash, and no `/openai` or
 * `/openai/v1` (users copy either from the portal). Throws LENS_PROVIDER_CONFIG for anything
 * that is not an http(s) URL without query or fragment.
 */
export function normalizeAzureEndpoint(endpoint: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(endpoint);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `endpoint "${endpoint.split('?')[0]}" is not an http(s) URL; expected the resource endpoint, e.g. ${EXAMPLE_ENDPOINT}`,
    );
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `endpoint "${parsed.origin}${parsed.pathname}" has a query or fragment; give only the resource endpoint (e.g. ${EXAMPLE_ENDPOINT}) and set api_version for the api-version parameter`,
    );
  }
  return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '').replace(/\/openai(\/v1)?$/, '');
}

/** The URL of requests to `deployment`, or of every request with `api: v1`. */
export function azureRequestUrl(
  endpoint: string,
  api: AzureApi,
  deployment: string,
  apiVersion: string | undefined,
): string {
  const query = apiVersion === undefined ? '' : `?api-version=${encodeURIComponent(apiVersion)}`;
  return api === 'v1'
    ? `${endpoint}/openai/v1/chat/completions${query}`
    : `${endpoint}/openai/deployments/${encodeURIComponent(deployment)}/chat/completions${query}`;
}

const ENTRA_AUTH_HINT =
  '; an Entra ID token must be issued for https://cognitiveservices.azure.com and its identity needs a role such as Cognitive Services OpenAI User on the resource';

/**
 * An adapter for Azure OpenAI chat completions, built on the OpenAI adapter: the same
 * request body and decoders (chunks with empty `choices`, Azure's prompt_filter_results,
 * and choices without `delta`, its content-filter annotations, carry no tokens), with
 * Azure's URLs and credentials.
 */
export function createAzureProvider(options: AzureProviderOptions): Provider {
  const name = options.name ?? 'azure';
  const endpoint = normalizeAzureEndpoint(options.endpoint);
  const api = options.api ?? 'deployments';
  if (api !== 'deployments' && api !== 'v1') {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `unknown api "${String(api)}" for ${name}; expected "deployments" or "v1"`,
    );
  }
  const apiVersion =
    options.apiVersion ?? (api === 'deployments' ? AZURE_DEFAULT_API_VERSION : undefined);
  const deployments = options.deployments ?? {};
  const urls = new Map<string, string>();
  const requestUrl = (deployment: string): string => {
    let url = urls.get(deployment);
    if (url === undefined) {
      url = azureRequestUrl(endpoint, api, deployment, apiVersion);
      urls.set(deployment, url);
    }
    return url;
  };
  const credential = options.credential;
  const openaiOptions: OpenAIProviderOptions = {
    id: 'azure',
    name,
    baseUrl: endpoint,
    requestUrl,
    maxTokensField: options.maxTokensField ?? 'max_completion_tokens',
    includeUsage: options.includeUsage ?? true,
  };
  if (credential?.kind === 'api-key') {
    openaiOptions.apiKey = credential.apiKey;
    openaiOptions.apiKeyHeader = 'api-key';
  } else if (credential?.kind === 'access-token' && credential.accessToken !== undefined) {
    openaiOptions.apiKey = credential.accessToken;
  }
  if (options.headers !== undefined) openaiOptions.headers = options.headers;
  const openai = createOpenAIProvider(openaiOptions);
  const isEntraId = credential?.kind === 'access-token';

  return {
    id: 'azure',
    name,
    buildRequest(input: ProviderRequestInput): HttpRequestSpec {
      // On v1 the deployment is the body's model; on deployment URLs Azure ignores the body's
      // model, so both styles send the deployment name there.
      const deployment = Object.hasOwn(deployments, input.model)
        ? deployments[input.model]
        : undefined;
      return openai.buildRequest(
        deployment === undefined ? input : { ...input, model: deployment },
      );
    },
    createDecoder: (input, decoderOptions) => openai.createDecoder(input, decoderOptions),
    classifyHttpError(status: number, headers: ResponseHeaders, body: string): ErrorClassification {
      const classification = openai.classifyHttpError(status, headers, body);
      if (!isEntraId || classification.errorClass !== 'auth') return classification;
      return { ...classification, message: classification.message + ENTRA_AUTH_HINT };
    },
    classifyStreamError: (error) => openai.classifyStreamError(error),
  };
}
