import { appendFileSync } from 'node:fs';
import { GatesError } from './gates-error.js';

/**
 * Appends Markdown to the GitHub Actions job summary: the file named by
 * `GITHUB_STEP_SUMMARY`, created when missing, never truncated (other steps write to it
 * too). Returns the file's path, or null when the variable is unset or empty (not in
 * Actions).
 */
export function appendStepSummary(
  markdown: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | null {
  const path = env.GITHUB_STEP_SUMMARY;
  if (path === undefined || path === '') return null;
  const text = markdown.endsWith('\n') ? markdown : `${markdown}\n`;
  try {
    // A blank line first, so this block never runs into the end of the previous one.
    appendFileSync(path, `\n${text}`, { encoding: 'utf8', flag: 'a' });
  } catch (cause) {
    throw new GatesError(
      'LENS_GATES_STEP_SUMMARY_FAILED',
      `could not append the gates summary to GITHUB_STEP_SUMMARY=${path}: ${(cause as Error).message}; the variable must name a writable file in an existing directory (GitHub Actions sets it for each step)`,
      { cause },
    );
  }
  return path;
}
