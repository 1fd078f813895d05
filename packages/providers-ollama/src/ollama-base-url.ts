import { isIP } from 'node:net';
import { LensProviderError } from '@llm-lens/providers-core';

/**
 * Where Ollama listens unless told otherwise. 127.0.0.1 rather than `localhost`: it is what
 * Ollama binds and what its own CLI dials, and `localhost` would try ::1 first on every new
 * connection, a refused attempt inside the measured connect time.
 */
export const OLLAMA_DEFAULT_BASE_URL = 'http://127.0.0.1:11434';

/** The variable Ollama's own server and CLI read their address from. */
export const OLLAMA_HOST_ENV = 'OLLAMA_HOST';

const OLLAMA_DEFAULT_PORT = '11434';

/** `value` with any `user:password@` part replaced, safe to quote in a message. */
function withoutUserinfo(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, '$1…@');
}

function invalidHost(value: string, why: string): LensProviderError {
  return new LensProviderError(
    'LENS_PROVIDER_CONFIG',
    `${OLLAMA_HOST_ENV}="${withoutUserinfo(value)}" ${why}; expected host, host:port or a URL such as 127.0.0.1:11434, ollama.internal:8080 or https://ollama.example.com (or set base_url in the provider entry instead)`,
    { errorClass: 'client_error' },
  );
}

/** `host:port`, `[v6]:port`, a bare host or a bare IPv6 address, split as Go's net.SplitHostPort would. */
function splitHostPort(hostPort: string): { host: string; port: string | undefined } {
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(hostPort);
  if (bracketed !== null) return { host: bracketed[1] ?? '', port: bracketed[2] };
  const colon = hostPort.lastIndexOf(':');
  // No colon, or several without brackets (a bare IPv6 address): all host, default port.
  if (colon === -1 || hostPort.indexOf(':') !== colon) return { host: hostPort, port: undefined };
  return { host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
}

/**
 * The base URL an `OLLAMA_HOST` value means, read the way Ollama reads it (envconfig.Host):
 * surrounding spaces and quotes are dropped; without a scheme it is `http` on port 11434,
 * with `http://` or `https://` the scheme's own port; a path is kept (Ollama behind a
 * reverse proxy). Bind-all addresses (`0.0.0.0`, `::`), which a server is told to listen on,
 * are dialled as loopback. Undefined for an empty value; a LENS_PROVIDER_CONFIG error for one
 * that names no usable address.
 */
export function baseUrlFromOllamaHost(raw: string): string | undefined {
  const value = raw
    .trim()
    .replace(/^["']+|["']+$/g, '')
    .trim();
  if (value === '') return undefined;
  let scheme = 'http';
  let rest = value;
  let defaultPort = OLLAMA_DEFAULT_PORT;
  const schemeEnd = value.indexOf('://');
  if (schemeEnd !== -1) {
    scheme = value.slice(0, schemeEnd).toLowerCase();
    rest = value.slice(schemeEnd + 3);
    if (scheme === 'http') defaultPort = '80';
    else if (scheme === 'https') defaultPort = '443';
    else throw invalidHost(value, `has the scheme "${scheme}", which is not http or https`);
  }
  const pathStart = rest.indexOf('/');
  const hostPort = pathStart === -1 ? rest : rest.slice(0, pathStart);
  const path = pathStart === -1 ? '' : rest.slice(pathStart);
  if (hostPort.includes('@')) {
    throw invalidHost(value, 'holds credentials; give the key with api_key_env or api_key_file');
  }
  let { host, port } = splitHostPort(hostPort);
  if (port === undefined || port === '') port = defaultPort;
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    throw invalidHost(value, `has the port "${port}", which is not a number from 0 to 65535`);
  }
  if (host === '' || host === '0.0.0.0') host = '127.0.0.1';
  else if (host === '::' || host === '[::]') host = '::1';
  const hostForUrl = isIP(host) === 6 ? `[${host}]` : host;
  let url: URL;
  try {
    url = new URL(`${scheme}://${hostForUrl}:${port}${path}`);
  } catch {
    throw invalidHost(value, 'is not a host name or address');
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * `baseUrl` checked and reduced to the server root: trailing slashes and a trailing `/api`,
 * `/api/chat` or `/v1` (Ollama's OpenAI-compatible root) are dropped, since the adapter
 * appends `/api/chat` itself. Credentials in the URL are refused, so they never reach a
 * message or an output.
 */
export function normalizeOllamaBaseUrl(baseUrl: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(baseUrl);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `baseUrl "${withoutUserinfo(baseUrl.split('?')[0] ?? '')}" is not an http(s) URL; expected e.g. ${OLLAMA_DEFAULT_BASE_URL}`,
      { errorClass: 'client_error' },
    );
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new LensProviderError(
      'LENS_PROVIDER_CONFIG',
      `baseUrl "${withoutUserinfo(baseUrl)}" holds credentials; give the key with api_key_env or api_key_file instead`,
      { errorClass: 'client_error' },
    );
  }
  return baseUrl
    .replace(/[?#].*$/, '')
    .replace(/\/+$/, '')
    .replace(/\/(api\/chat|api|v1)$/, '');
}

/** The base URL of an entry: `base_url` when set, else `OLLAMA_HOST`, else the default. */
export function resolveOllamaBaseUrl(baseUrl: string | undefined, env: NodeJS.ProcessEnv): string {
  if (baseUrl !== undefined) return normalizeOllamaBaseUrl(baseUrl);
  const fromEnv = env[OLLAMA_HOST_ENV];
  const fromHost = fromEnv === undefined ? undefined : baseUrlFromOllamaHost(fromEnv);
  return normalizeOllamaBaseUrl(fromHost ?? OLLAMA_DEFAULT_BASE_URL);
}
