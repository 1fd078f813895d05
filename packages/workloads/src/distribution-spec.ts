// What length specs and duration specs share: a distribution (fixed, uniform or normal)
// written as a bare number, a short string or an object, validated to its object form. Each
// kind brings its own grammar, keys and limits; how a value is read, which path a problem is
// reported at and how messages are built is decided here, once.
import { expectationMessage, oneOf, strictObject, z } from '@llm-lens/config-fields';
import { forwardIssues } from './zod-issues.js';

/** The distributions a spec can name. */
export const DISTRIBUTIONS = ['fixed', 'uniform', 'normal'] as const;

/** One of {@link DISTRIBUTIONS}. */
export type DistributionName = (typeof DISTRIBUTIONS)[number];

/** A key of a spec that is out of range, the rule it breaks and the value it has. */
export interface RangeProblem {
  key: string;
  rule: string;
  got: number;
}

/** How one kind of spec (token lengths, durations) is read and checked. */
export interface DistributionSpecKind<Spec extends { distribution: DistributionName }> {
  /** The object form of each distribution: {@link distributionObjectSchemas}. */
  readonly objectSchemas: Readonly<Record<DistributionName, z.ZodType>>;
  /** A bare number as a spec; undefined when the number is not a usable value. */
  fromNumber(value: number): Spec | undefined;
  /** A string form as a spec; undefined when the text matches no form. */
  fromText(text: string): Spec | undefined;
  /** The key of a well-formed spec that is out of range; undefined when the spec is usable. */
  rangeProblem(spec: Spec): RangeProblem | undefined;
}

/**
 * The strict object schema of each distribution's object form, from its keys: a message
 * such as `an object {distribution: normal, mean, sd, min?, max?}` lists them, an optional
 * key with a `?`.
 */
export function distributionObjectSchemas(
  keys: Readonly<Record<DistributionName, z.ZodRawShape>>,
): Record<DistributionName, z.ZodType> {
  const schemaOf = (distribution: DistributionName) => {
    const shape = keys[distribution];
    const names = Object.entries(shape).map(([key, schema]) =>
      schema instanceof z.ZodOptional ? `${key}?` : key,
    );
    return strictObject(
      { distribution: z.literal(distribution), ...shape },
      `an object {distribution: ${distribution}, ${names.join(', ')}}`,
    );
  };
  return { fixed: schemaOf('fixed'), uniform: schemaOf('uniform'), normal: schemaOf('normal') };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// An optional key given as undefined is left out, so the spec prints back as written.
function withoutAbsentKeys<Spec extends object>(spec: Spec): Spec {
  const present = Object.entries(spec).filter(([, value]) => value !== undefined);
  return Object.fromEntries(present) as Spec;
}

/**
 * A zod schema of a spec of `kind`: a bare number, a string form or the object form; its
 * output is always the object form. `what` is the expectation messages state ("a token
 * length: 512 (fixed), ..."). A problem with a number or a string is reported at the value
 * itself, one with the object form at its key.
 */
export function distributionSpecSchema<Spec extends { distribution: DistributionName }>(
  kind: DistributionSpecKind<Spec>,
  what: string,
) {
  return z.unknown().transform((value, ctx): Spec => {
    let spec: Spec | undefined;
    let rootPath = true;
    if (typeof value === 'number') {
      spec = kind.fromNumber(value);
    } else if (typeof value === 'string') {
      spec = kind.fromText(value);
    } else if (isPlainObject(value)) {
      const distribution = oneOf(DISTRIBUTIONS).safeParse(value.distribution);
      if (!distribution.success) {
        forwardIssues(distribution.error, ctx, ['distribution']);
        return z.NEVER;
      }
      const parsed = kind.objectSchemas[distribution.data].safeParse(value);
      if (!parsed.success) {
        forwardIssues(parsed.error, ctx);
        return z.NEVER;
      }
      spec = withoutAbsentKeys(parsed.data as Spec);
      rootPath = false;
    }
    if (spec === undefined) {
      ctx.addIssue({ code: 'custom', message: expectationMessage(what, value, []) });
      return z.NEVER;
    }
    const problem = kind.rangeProblem(spec);
    if (problem !== undefined) {
      ctx.addIssue(
        rootPath
          ? {
              code: 'custom',
              message: `${expectationMessage(what, value, [])} (its ${problem.key} must be ${problem.rule})`,
            }
          : {
              code: 'custom',
              path: [problem.key],
              message: `must be ${problem.rule}, got ${problem.got}`,
            },
      );
      return z.NEVER;
    }
    return spec;
  });
}
