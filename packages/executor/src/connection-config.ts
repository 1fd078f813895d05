// The connection keys every provider entry may carry, and the transport options they give.
// Keys are snake_case as in every config file; HttpTransport takes camelCase options.
import { flag, formatPath, nullAsAbsent, oneOf, z } from '@llm-lens/config-fields';
import type { HttpTransportOptions } from '@llm-lens/providers-core';
import { ExecutorError } from './executor-error.js';

/** How a provider's requests use connections (see `HttpTransportOptions.connectionMode`). */
export type ConnectionMode = NonNullable<HttpTransportOptions['connectionMode']>;

/** The values of `connection_mode`, default first. */
export const CONNECTION_MODES = ['keep-alive', 'new'] as const satisfies readonly ConnectionMode[];

/**
 * A provider entry's connection keys, registered with the config package through
 * `configExtensions().providerSections`:
 * - `connection_mode: keep-alive | new` (default keep-alive): with `new`, every request opens
 *   its own connection, so dns, connect and tls are measured on every request;
 * - `http2: true | false` (default false): offer HTTP/2 by ALPN on https origins.
 */
export const connectionProviderShape = {
  connection_mode: z.preprocess(nullAsAbsent, oneOf(CONNECTION_MODES).optional()),
  http2: z.preprocess(nullAsAbsent, flag().optional()),
};

/** A provider entry's validated connection keys. */
export interface ConnectionConfig {
  connection_mode?: ConnectionMode | undefined;
  http2?: boolean | undefined;
}

/**
 * The transport options of an entry's connection keys, validated here too (an entry built in
 * code skips the config package); `{}` when it has none.
 */
export function connectionTransportOptions(
  settings: { name: string } & Record<string, unknown>,
): Pick<HttpTransportOptions, 'connectionMode' | 'http2'> {
  const problems: string[] = [];
  const given: ConnectionConfig = {};
  for (const [key, schema] of Object.entries(connectionProviderShape)) {
    const result = schema.safeParse(settings[key]);
    if (result.success) {
      if (result.data !== undefined) (given as Record<string, unknown>)[key] = result.data;
    } else {
      for (const issue of result.error.issues) {
        problems.push(`${formatPath([key, ...issue.path])}: ${issue.message}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new ExecutorError(
      'LENS_EXECUTOR_PLAN_INVALID',
      `provider "${settings.name}": ${problems.join('; ')}`,
    );
  }
  const options: Pick<HttpTransportOptions, 'connectionMode' | 'http2'> = {};
  if (given.connection_mode !== undefined) options.connectionMode = given.connection_mode;
  if (given.http2 !== undefined) options.http2 = given.http2;
  return options;
}
