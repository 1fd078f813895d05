import { LensProviderError } from '@llm-lens/providers-core';

/** Headers ready to send, and every credential among their values. */
export interface ResolvedHeaders {
  /** Lower-cased names; a secret header replaces a plain one of the same name. */
  headers: Record<string, string>;
  /** Values that must never be printed, longest first. */
  secrets: string[];
}

/** A `${NAME}` reference still in a header value, and the header it is in. */
export interface HeaderReference {
  header: string;
  variable: string;
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Shortest environment value looked for inside a secret header. Shorter ones ("1", "en")
 * occur in any text by chance; credentials are far longer.
 */
const MIN_SECRET_CHARS = 8;

/** The `${NAME}` references of `headers`' values, in order. */
export function headerReferences(
  headers: Readonly<Record<string, string>> | undefined,
): HeaderReference[] {
  const references: HeaderReference[] = [];
  for (const [header, value] of Object.entries(headers ?? {})) {
    for (const match of value.matchAll(REFERENCE)) {
      references.push({ header, variable: match[1]! });
    }
  }
  return references;
}

/**
 * Builds the request headers of an entry. `${NAME}` in a value is replaced with the
 * variable's value, which then counts as a secret: the config loader substitutes the
 * references it sees, so one that arrives here was escaped (`$${NAME}` in a file, to keep the
 * key out of the loaded config) or comes from an entry built in code. A `secret_headers` value
 * is a secret whole, and so is every environment value found inside it: that is how a key the
 * loader substituted is recognised, since after substitution it looks like any text.
 */
export function resolveHeaders(
  plain: Readonly<Record<string, string>> | undefined,
  secret: Readonly<Record<string, string>> | undefined,
  env: NodeJS.ProcessEnv,
  providerName: string,
): ResolvedHeaders {
  const headers: Record<string, string> = {};
  const secrets = new Set<string>();
  const expand = (name: string, value: string): string =>
    value.replace(REFERENCE, (_reference, variable: string) => {
      const expanded = env[variable];
      if (expanded === undefined || expanded === '') {
        throw new LensProviderError(
          'LENS_PROVIDER_AUTH',
          `provider "${providerName}": header ${name} reads the environment variable ${variable}, which is not set; export it before the run`,
        );
      }
      secrets.add(expanded);
      return expanded;
    });
  for (const [name, value] of Object.entries(plain ?? {})) {
    headers[name.toLowerCase()] = expand(name, value);
  }
  for (const [name, value] of Object.entries(secret ?? {})) {
    const expanded = expand(name, value);
    headers[name.toLowerCase()] = expanded;
    if (expanded.length > 0) secrets.add(expanded);
    for (const candidate of Object.values(env)) {
      if (candidate !== undefined && candidate.length >= MIN_SECRET_CHARS) {
        if (expanded.includes(candidate)) secrets.add(candidate);
      }
    }
  }
  // Longest first: redacting "Bearer sk-1" before "sk-1" leaves no half of either behind.
  return { headers, secrets: [...secrets].sort((a, b) => b.length - a.length) };
}

/** `message` with every secret replaced by `[redacted]`. */
export function redactSecrets(message: string, secrets: readonly string[]): string {
  let redacted = message;
  for (const secret of secrets) {
    if (redacted.includes(secret)) redacted = redacted.split(secret).join('[redacted]');
  }
  return redacted;
}
