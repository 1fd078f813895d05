import { lookup } from 'node:dns/promises';
import { accessSync, constants } from 'node:fs';
import { createTargets } from '@llm-lens/executor';
import {
  classifyTransportError,
  type ErrorClassification,
  type HttpRequestSpec,
  missingCredentials,
  type Provider,
  type ProviderSettings,
  type Transport,
} from '@llm-lens/providers-core';
import type { Argv } from 'yargs';
import { EXIT } from '../cli-error.js';
import type { CliExtensions } from '../cli-extensions.js';
import { createColors } from '../render/format.js';
import { type BenchmarkArgs, baseDirOf, configFromArgs, targetOptions } from './benchmark.js';

export const command = 'doctor';
export const describe =
  "Check a provider's credentials and endpoint with the cheapest call it offers, and explain what is wrong";

const DEFAULT_CHECK_TIMEOUT_MS = 15_000;
/** Stands in for --model when none is given: a model list needs none. */
const ANY_MODEL = '(any model)';

export function builder(extensions: CliExtensions) {
  return (yargs: Argv) =>
    targetOptions(yargs, extensions)
      .example(
        '$0 doctor -p openai',
        'Is OPENAI_API_KEY set, accepted, and api.openai.com reachable?',
      )
      .example(
        '$0 doctor -p openai-compatible --base-url http://localhost:8000/v1 -m my-model',
        'Is my vLLM server up?',
      )
      .example('$0 doctor -c llm-lens.yaml', 'Every provider of a config file');
}

/** What one check found: ok, or a one-paragraph explanation. */
export interface DoctorFinding {
  provider: string;
  ok: boolean;
  steps: string[];
  problem?: string;
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('[redacted]');
  return out;
}

/** Sends `spec` once and resolves with the status and body, or the transport error. */
function sendOnce(
  transport: Transport,
  spec: HttpRequestSpec,
  timeoutMs: number,
): Promise<
  | {
      status: number;
      headers: Record<string, string | string[] | undefined>;
      body: string;
      elapsedMs: number;
    }
  | { error: unknown; afterHeaders: boolean }
> {
  const started = performance.now();
  return new Promise((resolve) => {
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    const chunks: Buffer[] = [];
    let size = 0;
    const inFlight = transport.send(spec, {
      onConnection() {},
      onHeaders(code, responseHeaders) {
        status = code;
        headers = { ...responseHeaders };
      },
      onChunk(chunk) {
        // A model list is small; a generation is one token. Keep what explains an error.
        if (size < 64 * 1024) chunks.push(chunk);
        size += chunk.length;
      },
      onComplete() {
        clearTimeout(timer);
        resolve({
          status,
          headers,
          body: Buffer.concat(chunks).toString('utf8'),
          elapsedMs: performance.now() - started,
        });
      },
      onError(error) {
        clearTimeout(timer);
        resolve({ error, afterHeaders: status !== 0 });
      },
    });
    const timer = setTimeout(
      () =>
        inFlight.cancel(
          Object.assign(new Error(`no answer within ${timeoutMs} ms`), {
            code: 'UND_ERR_HEADERS_TIMEOUT',
          }),
        ),
      timeoutMs,
    );
  });
}

/** The advice for a failed check, by the class of the failure. */
function advice(
  classification: ErrorClassification,
  status: number,
  where: string,
  keyHint: string,
): string {
  switch (classification.errorClass) {
    case 'auth':
      return `The endpoint answered but rejected the credentials (HTTP ${status}): ${classification.message}. ${keyHint} Check that the key is current and belongs to this endpoint (the right account, project, resource or region).`;
    case 'client_error':
      return status === 404
        ? `The endpoint answered 404 Not Found: ${classification.message}. The base URL, the model (deployment) name or the region is probably wrong for ${where}.`
        : `The endpoint refused the check request (HTTP ${status}): ${classification.message}. The credentials work far enough to be checked; the settings (model, API version, region) may not.`;
    case 'rate_limited':
      return `The endpoint is reachable and accepted the credentials, but answered HTTP ${status} (rate limited): ${classification.message}. A benchmark now would measure the limit, not the model: wait or raise the quota.`;
    case 'server_error':
      return `The endpoint is reachable but failed (HTTP ${status}): ${classification.message}. This is the provider's side; try again later or check its status page.`;
    case 'timeout_connect':
    case 'timeout_ttft':
    case 'timeout_total':
    case 'timeout_idle':
      return `No answer from ${where}: ${classification.message}. A firewall or proxy may drop the connection, or the host is overloaded.`;
    default:
      return `The check request to ${where} failed (${classification.errorClass}): ${classification.message}.`;
  }
}

function networkAdvice(error: unknown, host: string, where: string): string {
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'ECONNREFUSED') {
    return `Nothing accepts connections at ${where} (connection refused): the server is not running there, or the port in the base URL is wrong.`;
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return `${where} closed the connection before answering: a proxy, a TLS mismatch (http vs https) or an overloaded server.`;
  }
  return `Cannot reach ${host}: ${(error as Error)?.message ?? String(error)}.`;
}

async function checkProvider(
  settings: ProviderSettings,
  extensions: CliExtensions,
  args: BenchmarkArgs,
  check: (step: string) => void,
): Promise<DoctorFinding> {
  const finding: DoctorFinding = { provider: settings.name, ok: false, steps: [] };
  const step = (text: string) => {
    finding.steps.push(text);
    check(text);
  };
  const factory = extensions.registry.providerFactory(settings.type);
  const baseDir = baseDirOf(args);
  const sources = factory.credentials(settings, { baseDir });
  const canRead = (file: string) => {
    try {
      accessSync(file, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  };
  const missing = missingCredentials(sources, process.env, canRead);
  if (missing.length > 0) {
    const vars = factory.envVars.map((v) => v.name).join(', ');
    finding.problem = `Missing credentials for ${settings.name} (type ${settings.type}): ${missing.join('; ')}. Set it (export NAME=...), or point to another variable with --api-key-env / api_key_env, or to a file with api_key_file in a config.${vars === '' ? '' : ` This type reads ${vars} by default.`}`;
    return finding;
  }
  step(
    sources.length === 0
      ? 'credentials: none needed'
      : `credentials: ${sources.map((s) => (s.env !== undefined ? `${s.env} is set` : `${s.file} is readable`)).join(', ')}`,
  );
  let resolved: Awaited<ReturnType<typeof createTargets>>;
  try {
    resolved = await createTargets([settings], extensions.registry, { baseDir });
  } catch (error) {
    finding.problem = `${settings.name} (type ${settings.type}) cannot be set up: ${(error as Error).message}`;
    return finding;
  }
  try {
    const target = resolved.targets[0];
    if (target === undefined) {
      finding.problem = `${settings.name} lists no model to check; name one with --model.`;
      return finding;
    }
    const provider: Provider = target.provider;
    if (provider.buildCheckRequest === undefined && target.model === ANY_MODEL) {
      finding.problem = `${settings.type} has no model list to check against: name a model with --model, and doctor sends it a 1-token request.`;
      return finding;
    }
    const spec =
      provider.buildCheckRequest?.() ??
      provider.buildRequest({
        model: target.model,
        prompt: 'Say OK.',
        stream: false,
        maxTokens: 1,
      });
    const url = new URL(spec.url);
    const where = `${url.protocol}//${url.host}`;
    const what =
      provider.buildCheckRequest === undefined
        ? `a 1-token ${target.model} request`
        : `${spec.method} ${url.pathname}`;
    try {
      const address = await lookup(url.hostname);
      step(`DNS: ${url.hostname} → ${address.address}`);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'lookup failed';
      finding.problem = `The host ${url.hostname} does not resolve (${code}). Check the spelling of the base URL or endpoint, the region in it (e.g. bedrock-runtime.REGION.amazonaws.com, REGION-aiplatform.googleapis.com), and that this machine has DNS and network access.`;
      return finding;
    }
    const timeoutMs = args.timeout ?? DEFAULT_CHECK_TIMEOUT_MS;
    const result = await sendOnce(target.transport, spec, timeoutMs);
    if ('error' in result) {
      const classification = classifyTransportError(result.error, {
        afterHeaders: result.afterHeaders,
      });
      finding.problem = redact(
        classification.errorClass === 'network'
          ? networkAdvice(result.error, url.hostname, where)
          : advice(classification, 0, where, ''),
        resolved.secrets,
      );
      return finding;
    }
    if (result.status >= 200 && result.status < 300) {
      step(`${what}: HTTP ${result.status} in ${Math.round(result.elapsedMs)} ms`);
      finding.ok = true;
      return finding;
    }
    const classification = provider.classifyHttpError(result.status, result.headers, result.body);
    const keyHint =
      sources.length === 0
        ? 'No key is configured for it: set one with --api-key-env or api_key_env.'
        : `The key came from ${sources.map((s) => s.env ?? s.file).join(', ')}.`;
    finding.problem = redact(
      advice(classification, result.status, where, keyHint),
      resolved.secrets,
    );
    step(`${what}: HTTP ${result.status}`);
    return finding;
  } finally {
    await resolved.close();
  }
}

export async function handler(args: BenchmarkArgs, extensions: CliExtensions): Promise<number> {
  const model = args.model ?? (args.provider !== undefined ? ANY_MODEL : undefined);
  const config = await configFromArgs(
    { ...args, model, requests: 1, concurrency: 1, warmup: 0 },
    extensions,
  );
  const colors = createColors(process.stdout);
  let failures = 0;
  for (const settings of config.providers) {
    process.stdout.write(colors.bold(`${settings.name} (type ${settings.type})\n`));
    const finding = await checkProvider(settings, extensions, args, (text) =>
      process.stdout.write(`  ${colors.green('✓')} ${text}\n`),
    );
    if (finding.ok) {
      process.stdout.write(`  ${colors.green('ready')}\n`);
    } else {
      failures++;
      process.stdout.write(`  ${colors.red('✗')} ${finding.problem ?? 'failed'}\n`);
    }
  }
  return failures === 0 ? EXIT.ok : EXIT.failedRequests;
}
