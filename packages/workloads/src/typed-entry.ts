// A config object whose `type` picks the schema for the rest, with the messages of the
// config package: the valid types listed, a suggestion for a near miss.
import { closestMatch, describeValue, expectationMessage, z } from '@llm-lens/config-fields';
import { forwardIssues } from './zod-issues.js';

/** Anything selected by a `type` and validated by its own schema. */
export interface TypedSchema<Config> {
  readonly type: string;
  readonly configSchema: z.ZodType<Config>;
}

/** A schema that validates an object by the schema of the entry its `type` names. */
export function typedEntrySchema<Config>(entries: readonly TypedSchema<Config>[], what: string) {
  const types = entries.map((entry) => entry.type);
  const valid = `one of ${types.join(' | ')}`;
  return z.unknown().transform((value, ctx): Config => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      ctx.addIssue({
        code: 'custom',
        message: expectationMessage(`${what}: an object with a type (${valid})`, value, []),
      });
      return z.NEVER;
    }
    const type = (value as Record<string, unknown>).type;
    const entry = entries.find((candidate) => candidate.type === type);
    if (entry === undefined) {
      let message =
        type === undefined
          ? `is required (${valid})`
          : `must be ${valid}, got ${describeValue(type, ['type'])}`;
      const guess = typeof type === 'string' ? closestMatch(type, types) : undefined;
      if (guess !== undefined) message += ` (did you mean "${guess}"?)`;
      ctx.addIssue({ code: 'custom', path: ['type'], message });
      return z.NEVER;
    }
    const parsed = entry.configSchema.safeParse(value);
    if (parsed.success) return parsed.data;
    forwardIssues(parsed.error, ctx);
    return z.NEVER;
  });
}
