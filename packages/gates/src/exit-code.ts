/**
 * The process exit code of a run whose requests went fine but whose thresholds (or
 * regression checks) failed. Distinct from the CLI's other codes so a CI script can tell a
 * slow service from a broken one: 0 ok, 1 failed requests, 2 bad usage, 3 a crash of
 * llm-lens itself, 4 thresholds failed, 130 interrupted.
 */
export const THRESHOLD_EXIT_CODE = 4;
