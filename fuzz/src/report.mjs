/** The text a campaign prints: one block per failure, then the figures. */
import { mib } from './campaign.mjs';
import { FAILURE_KINDS } from './verdict.mjs';

/** The command that replays `key` (one or more case keys, comma-separated). */
export function reproCommand(seed, key) {
  return `pnpm fuzz --seed ${seed} --case ${key}`;
}

/** One failure as three lines: what, which case and mutation, how to replay it. */
export function formatFailure(seed, failure) {
  return [
    `FAIL ${failure.kind}: case ${failure.key} (seed ${seed}): ${failure.message}`,
    `  case: ${failure.description}`,
    `  repro: ${reproCommand(seed, failure.key)}`,
  ].join('\n');
}

/** Failure counts by kind, every kind listed. */
export function countByKind(failures) {
  const counts = Object.fromEntries(FAILURE_KINDS.map((kind) => [kind, 0]));
  for (const failure of failures) counts[failure.kind] = (counts[failure.kind] ?? 0) + 1;
  return counts;
}

/** The closing figures. */
export function formatSummary({ stats, failures }) {
  const counts = countByKind(failures);
  const lines = [
    `seed: ${stats.seed}`,
    `cases run: ${stats.casesRun} (${stats.mutatedRun} mutated streams, ${stats.edgeRun} edge cases) in ${stats.cliRuns} CLI runs, ${(stats.wallMs / 1000).toFixed(1)} s`,
    `crashed runs: ${stats.crashedRuns} (cases blamed: ${counts['crashed run']})`,
    `hangs: ${counts.hang}`,
    `wrong classes: ${counts['wrong class']}`,
    `token mismatches: ${counts['token mismatch']}`,
    `memory bound exceeded: ${counts.memory}`,
    `other record checks failed: ${counts['record check']}`,
    `suite problems: ${counts.suite}`,
    `peak RSS of the client: ${mib(stats.peakRssBytes)}${stats.baselineRssBytes > 0 ? ` (a one-stream run: ${mib(stats.baselineRssBytes)})` : ''}`,
  ];
  for (const isolated of stats.isolated) {
    const stall =
      isolated.stallMs === undefined ? '' : `, event-loop delay max ${isolated.stallMs} ms`;
    lines.push(
      `  ${isolated.key}: peak RSS ${mib(isolated.peakRssBytes)}, ${(isolated.wallMs / 1000).toFixed(1)} s${stall}`,
    );
  }
  lines.push(failures.length === 0 ? 'result: no failures' : `result: ${failures.length} failures`);
  return lines.join('\n');
}
