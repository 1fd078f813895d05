// Turning zod results into our issues and errors, so every validation failure of this
// package reads the same: `path: what is wrong, what would be valid`.
import { formatPath, type z } from '@llm-lens/config-fields';
import { WorkloadError, type WorkloadIssue } from './workload-error.js';

type RefinementContext = z.RefinementCtx;

/** Copies a failed sub-parse's issues into `ctx`, each under `prefix`. */
export function forwardIssues(
  error: z.ZodError,
  ctx: RefinementContext,
  prefix: readonly PropertyKey[] = [],
): void {
  for (const issue of error.issues) {
    ctx.addIssue({ code: 'custom', path: [...prefix, ...issue.path], message: issue.message });
  }
}

/** Our issues for a zod error, paths rendered under `field` (`prompts`, `--input-tokens`). */
export function issuesOf(error: z.ZodError, field: string): WorkloadIssue[] {
  return error.issues.map((issue) => {
    const inner = formatPath(issue.path as PropertyKey[]);
    const path =
      inner === ''
        ? field
        : field === ''
          ? inner
          : inner.startsWith('[')
            ? field + inner
            : `${field}.${inner}`;
    return { path, message: issue.message };
  });
}

/** Parses `value` with `schema`, or throws LENS_WORKLOAD_INVALID naming every failing field. */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  value: unknown,
  field: string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = issuesOf(result.error, field);
  const lines = issues.map((issue) =>
    issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`,
  );
  const message =
    lines.length === 1
      ? lines[0]!
      : `invalid ${field === '' ? 'workload' : field} (${lines.length} problems): ${lines.join('; ')}`;
  return throwInvalid(message, field, issues);
}

function throwInvalid(message: string, field: string, issues: WorkloadIssue[]): never {
  throw new WorkloadError('LENS_WORKLOAD_INVALID', message, {
    ...(field === '' ? {} : { field }),
    issues,
  });
}

/** Throws LENS_WORKLOAD_PARSE for a record at `file:line` that failed `error`'s schema. */
export function throwRecordError(
  error: z.ZodError,
  file: string,
  line: number,
  what: string,
): never {
  const issues = issuesOf(error, '');
  const detail = issues
    .map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`))
    .join('; ');
  throw new WorkloadError('LENS_WORKLOAD_PARSE', `${file}:${line}: ${what}: ${detail}`, {
    file,
    line,
    issues,
  });
}

/** Parses one line of JSON, or throws LENS_WORKLOAD_PARSE naming `file:line`. */
export function parseJsonLine(text: string, file: string, line: number, hint: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new WorkloadError(
      'LENS_WORKLOAD_PARSE',
      `${file}:${line}: not valid JSON (${(error as Error).message}); ${hint}`,
      { file, line, cause: error },
    );
  }
}
