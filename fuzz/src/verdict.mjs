/**
 * Compares one JSONL record with what the reference decoder expects for its case, and says
 * what kind of failure each difference is.
 */

/** Failure kinds, in the order the summary lists them. */
export const FAILURE_KINDS = [
  'crashed run',
  'hang',
  'wrong class',
  'token mismatch',
  'memory',
  'record check',
  'suite',
];

const TIMEOUT_CLASSES = new Set(['timeout_total', 'timeout_idle', 'timeout_ttft']);

/** The class a record reports: 'ok' or its error class. */
export function recordClass(record) {
  return record.status === 'ok' ? 'ok' : (record.error_class ?? 'error without a class');
}

/** The class a case must end with: the edge case's declared one, else the reference's. */
export function expectedClass(item) {
  return item.declared ?? item.expected.errorClass;
}

const clip = (text, max = 160) =>
  text === null || text === undefined
    ? String(text)
    : text.length > max
      ? `${text.slice(0, max)}…`
      : text;

/**
 * Every failure of `item` given its record (undefined when the run produced none).
 * @returns {Array<{ kind: string, message: string }>}
 */
export function judgeCase(item, record) {
  const failures = [];
  const expected = item.expected;
  const wanted = expectedClass(item);
  if (item.declared !== undefined && item.declared !== expected.errorClass) {
    failures.push({
      kind: 'suite',
      message: `the reference decoder says ${expected.errorClass} (${expected.reason}) but the case declares ${item.declared}`,
    });
  }
  if (record === undefined) return failures;
  const got = recordClass(record);
  if (got !== wanted) {
    const kind = TIMEOUT_CLASSES.has(got) && !TIMEOUT_CLASSES.has(wanted) ? 'hang' : 'wrong class';
    failures.push({
      kind,
      message: `expected ${wanted} (${expected.reason}), got ${got}: ${clip(record.error_message)}`,
    });
  }
  const checks = item.checks;
  if (
    checks.maxE2eMs !== undefined &&
    (record.e2e_ms ?? Number.POSITIVE_INFINITY) > checks.maxE2eMs
  ) {
    failures.push({
      kind: 'hang',
      message: `took ${record.e2e_ms} ms end to end, more than ${checks.maxE2eMs} ms`,
    });
  }
  if (
    checks.maxErrorMessageChars !== undefined &&
    (record.error_message ?? '').length > checks.maxErrorMessageChars
  ) {
    failures.push({
      kind: 'record check',
      message: `error_message has ${record.error_message.length} characters, more than ${checks.maxErrorMessageChars}`,
    });
  }
  if (
    checks.messageIncludes !== undefined &&
    got === wanted &&
    !(record.error_message ?? '').includes(checks.messageIncludes)
  ) {
    failures.push({
      kind: 'record check',
      message: `error_message does not name ${JSON.stringify(checks.messageIncludes)}: ${clip(record.error_message)}`,
    });
  }
  if (got === 'ok' && wanted === 'ok') {
    if (record.token_events !== expected.tokenEvents) {
      failures.push({
        kind: 'token mismatch',
        message: `token_events ${record.token_events}, expected ${expected.tokenEvents}`,
      });
    }
    if (expected.outputTokens !== undefined && record.output_tokens !== expected.outputTokens) {
      failures.push({
        kind: 'token mismatch',
        message: `output_tokens ${record.output_tokens} (${record.token_count_source}), expected ${expected.outputTokens} (from ${expected.outputTokensSource})`,
      });
    }
    if (expected.usageIgnored !== undefined) {
      if (typeof record.usage_ignored !== 'string' || record.usage_ignored.length === 0) {
        failures.push({
          kind: 'record check',
          message: `the server's usage was unusable (${expected.usageIgnored}) but the record carries no usage_ignored reason`,
        });
      }
    }
  }
  return failures;
}
