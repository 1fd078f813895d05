import {
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
import { classifyGeminiHttpError, classifyGeminiStreamError } from './gemini-errors.js';
import { buildGeminiBody } from './gemini-request.js';
import { GeminiJsonDecoder } from './json-decoder.js';
import { GeminiStreamDecoder } from './stream-decoder.js';

/** The public Gemini API (the adapter appends `/{api_version}/models/{model}:…`). */
export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';
/** The Gemini API version path segment used unless an option says otherwise. */
export const GEMINI_DEFAULT_API_VERSION = 'v1beta';
/** The Vertex AI version path segment used unless an option says otherwise. */
export const VERTEX_DEFAULT_API_VERSION = 'v1';
/** The Vertex AI region used when neither the settings nor GOOGLE_CLOUD_LOCATION name one. */
export const VERTEX_DEFAULT_LOCATION = 'us-central1';

/** Options of {@link createGoogleProvider}. */
export interface GoogleProviderOptions {
  /** Label used in results. Default `google`. */
  name?: string;
  /** API root without the version. Default `https://generativelanguage.googleapis.com`. */
  baseUrl?: string;
  /** Version path segment. Default `v1beta`. */
  apiVersion?: string;
  /** Sent as `x-goog-api-key` (never in the URL, where proxies and logs would keep it). Default: none. */
  apiKey?: string;
  /** Extra headers, applied last. Default none. */
  headers?: Record<string, string>;
}

/** Options of {@link createVertexProvider}. */
export interface VertexProviderOptions {
  /** Label used in results. Default `vertex`. */
  name?: string;
  /** Google Cloud project id. Required. */
  project: string;
  /** Region, or `global`. Default `us-central1`. */
  location?: string;
  /**
   * API root without the version. Default `https://{location}-aiplatform.googleapis.com`,
   * or `https://aiplatform.googleapis.com` for location `global`.
   */
  baseUrl?: string;
  /** Version path segment. Default `v1`. */
  apiVersion?: string;
  /**
   * OAuth access token sent as `Authorization: Bearer …`. Default none: leave it out when a
   * transport interceptor adds the header (see `accessTokenInterceptor`).
   */
  accessToken?: string;
  /** The token is refreshed after a 401, so a 401 is not persistent. Default false. */
  refreshesCredentials?: boolean;
  /** Extra headers, applied last. Default none. */
  headers?: Record<string, string>;
}

const VERSION_SUFFIX = /\/v\d+(?:(?:alpha|beta)\d*)?$/;

/** A base URL checked as http(s), without trailing slashes or a trailing version segment. */
function normalizeBaseUrl(baseUrl: string, example: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(baseUrl);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `baseUrl "${baseUrl.split('?')[0]}" is not an http(s) URL; expected e.g. ${example}`,
    );
  }
  // The version is the adapter's: a base URL given with /v1beta (as in Google's docs) still works.
  return baseUrl.replace(/\/+$/, '').replace(VERSION_SUFFIX, '');
}

function checkSegment(value: string, what: string, pattern: RegExp, example: string): string {
  if (!pattern.test(value)) {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `${what} ${JSON.stringify(value)} is not valid; expected e.g. ${example}`,
    );
  }
  return value;
}

function checkVersion(version: string, example: string): string {
  return checkSegment(version, 'apiVersion', /^v\d+[a-z0-9]*$/, example);
}

function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/** The default Vertex AI API root for a location. */
export function vertexBaseUrl(location: string): string {
  return location === 'global'
    ? 'https://aiplatform.googleapis.com'
    : `https://${location}-aiplatform.googleapis.com`;
}

interface GeminiProviderParts {
  id: string;
  name: string;
  /** The URL up to the model's resource name: `…/v1beta` or `…/v1/projects/p/locations/l`. */
  root: string;
  /** The resource path of a model id, relative to `root`. */
  modelPath(model: string): string;
  headers: Record<string, string>;
  refreshesOn401: boolean;
}

function geminiProvider(parts: GeminiProviderParts): Provider {
  const { id, name, root, headers } = parts;
  const classifyOptions = { providerLabel: name, refreshesOn401: parts.refreshesOn401 };
  return {
    id,
    name,
    buildRequest(input: ProviderRequestInput): HttpRequestSpec {
      const method = input.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
      return {
        url: `${root}/${parts.modelPath(input.model)}:${method}`,
        method: 'POST',
        headers: { ...headers },
        body: JSON.stringify(buildGeminiBody(input)),
      };
    },
    createDecoder(input: ProviderRequestInput, decoderOptions?: DecoderOptions): ResponseDecoder {
      return input.stream
        ? new GeminiStreamDecoder(decoderOptions)
        : new GeminiJsonDecoder(decoderOptions);
    },
    classifyHttpError(
      status: number,
      responseHeaders: ResponseHeaders,
      body: string,
    ): ErrorClassification {
      return classifyGeminiHttpError(status, responseHeaders, body, classifyOptions);
    },
    classifyStreamError(error: StreamErrorPayload): ErrorClassification {
      return classifyGeminiStreamError(error);
    },
  };
}

function withExtraHeaders(
  base: Record<string, string>,
  extra: Record<string, string> | undefined,
): Record<string, string> {
  for (const [key, value] of Object.entries(extra ?? {})) base[key.toLowerCase()] = value;
  return base;
}

/**
 * An adapter for the Gemini API: `POST {base}/v1beta/models/{model}:streamGenerateContent?alt=sse`
 * (streaming) or `:generateContent`, with the key in `x-goog-api-key`. A model id with a `/`
 * is a resource path as it stands (`models/gemini-2.5-flash`, `tunedModels/my-model`).
 */
export function createGoogleProvider(options: GoogleProviderOptions = {}): Provider {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey !== undefined && options.apiKey.length > 0) {
    headers['x-goog-api-key'] = options.apiKey;
  }
  return geminiProvider({
    id: 'google',
    name: options.name ?? 'google',
    root: googleApiRoot(options),
    modelPath: (model) =>
      model.includes('/') ? encodePath(model) : `models/${encodeURIComponent(model)}`,
    headers: withExtraHeaders(headers, options.headers),
    refreshesOn401: false,
  });
}

/** Where {@link createGoogleProvider}'s requests go: `{base}/{version}`. Holds no credential. */
export function googleApiRoot(
  options: Pick<GoogleProviderOptions, 'baseUrl' | 'apiVersion'>,
): string {
  const base = normalizeBaseUrl(
    options.baseUrl ?? GEMINI_DEFAULT_BASE_URL,
    GEMINI_DEFAULT_BASE_URL,
  );
  const version = checkVersion(options.apiVersion ?? GEMINI_DEFAULT_API_VERSION, 'v1beta');
  return `${base}/${version}`;
}

/**
 * An adapter for Gemini on Vertex AI:
 * `POST https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:streamGenerateContent?alt=sse`
 * (or `:generateContent`), with an OAuth bearer token. A model id with a `/` is a resource
 * path below the location as it stands (`publishers/google/models/…`, `endpoints/1234`);
 * `models/x` is read as `x`.
 */
export function createVertexProvider(options: VertexProviderOptions): Provider {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.accessToken !== undefined && options.accessToken.length > 0) {
    headers.authorization = `Bearer ${options.accessToken}`;
  }
  return geminiProvider({
    id: 'vertex',
    name: options.name ?? 'vertex',
    root: vertexApiRoot(options),
    modelPath(model) {
      const id = model.startsWith('models/') ? model.slice('models/'.length) : model;
      return id.includes('/')
        ? encodePath(id)
        : `publishers/google/models/${encodeURIComponent(id)}`;
    },
    headers: withExtraHeaders(headers, options.headers),
    refreshesOn401: options.refreshesCredentials === true,
  });
}

/**
 * Where {@link createVertexProvider}'s requests go:
 * `{base}/{version}/projects/{project}/locations/{location}`. Holds no credential.
 */
export function vertexApiRoot(
  options: Pick<VertexProviderOptions, 'project' | 'location' | 'baseUrl' | 'apiVersion'>,
): string {
  const project = checkSegment(
    options.project,
    'project',
    /^[A-Za-z0-9][\w.:-]*$/,
    'my-project-123',
  );
  const location = checkSegment(
    options.location ?? VERTEX_DEFAULT_LOCATION,
    'location',
    /^[a-z0-9][a-z0-9-]*$/,
    'us-central1 or global',
  );
  const defaultBase = vertexBaseUrl(location);
  const base = normalizeBaseUrl(options.baseUrl ?? defaultBase, defaultBase);
  const version = checkVersion(options.apiVersion ?? VERTEX_DEFAULT_API_VERSION, 'v1');
  return `${base}/${version}/projects/${project}/locations/${location}`;
}
