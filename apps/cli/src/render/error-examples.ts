import type { RequestRecord } from '@llm-lens/core-timing';

/** Characters of an error message shown under the error counts. */
const EXAMPLE_CHARS = 200;

/**
 * The first error message of each error class per provider/model/scenario, from measured
 * requests: the console shows one under the error counts, so "network 20" comes with the
 * reason (connection refused, a DNS failure, ...). Fed records that are already redacted.
 */
export class ErrorExamples {
  private readonly byGroup = new Map<string, Map<string, string>>();

  add(record: RequestRecord): void {
    if (record.status === 'ok' || record.isWarmup) return;
    const cls = record.errorClass;
    const message = record.errorMessage;
    if (cls === undefined || message === undefined || message.length === 0) return;
    const key = groupKey(record.provider, record.model, record.scenario);
    let examples = this.byGroup.get(key);
    if (examples === undefined) {
      examples = new Map();
      this.byGroup.set(key, examples);
    }
    if (!examples.has(cls)) {
      examples.set(
        cls,
        message.length > EXAMPLE_CHARS ? `${message.slice(0, EXAMPLE_CHARS)}…` : message,
      );
    }
  }

  /** The examples of one group, by error class. */
  of(provider: string, model: string, scenario: string): ReadonlyMap<string, string> {
    return this.byGroup.get(groupKey(provider, model, scenario)) ?? new Map();
  }
}

function groupKey(provider: string, model: string, scenario: string): string {
  return `${provider}\u0000${model}\u0000${scenario}`;
}
