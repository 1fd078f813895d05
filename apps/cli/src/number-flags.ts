/**
 * Flags declared as numbers that were given text that is not one. yargs turns such a value
 * into NaN, and an error quoting NaN would not show the user what they typed; this finds
 * the typed text in the raw arguments. One line per flag, as the user spelled it.
 */
export function nonNumericFlagProblems(
  rawArgs: readonly string[],
  parsed: Record<string, unknown>,
): string[] {
  const problems: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const token = rawArgs[i]!;
    if (token === '--') break;
    const match = /^(--?)([^=\s]+)(?:=(.*))?$/s.exec(token);
    if (match === null) continue;
    const [, dashes, name, inline] = match;
    const value = parsed[name!];
    if (typeof value !== 'number' || !Number.isNaN(value)) continue;
    const typed = inline ?? rawArgs[i + 1] ?? '';
    problems.push(`${dashes}${name}: must be a number, got ${JSON.stringify(typed)}`);
  }
  return problems;
}
