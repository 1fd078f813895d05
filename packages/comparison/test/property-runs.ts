// The repeated comparisons behind the statistical-property tests, split over several test
// files so each stays well under the per-file time budget (each comparison runs the full
// default method: B = 2000 resamples per run, Holm across the comparison's tests).
import { compareRuns } from '../src/index.js';
import { samplesOf, simulatedRecords } from './simulated-run.js';

/** The simulator configuration both properties use: n = 500 requests per run. */
export const PROPERTY_CONFIG = {
  requests: 500,
  ttft: 'lognormal:200,0.3',
  itl: 'normal:20,4',
  outputTokens: 6,
};

/**
 * Compares pairs of runs of the same configuration (different seeds): how many pairs had
 * every row "no significant change", and how many rows were flagged in all.
 */
export function sameConfigurationPairs(firstPair: number, pairs: number) {
  let clean = 0;
  let rowsFlagged = 0;
  let rows = 0;
  for (let pair = firstPair; pair < firstPair + pairs; pair++) {
    const base = samplesOf(
      simulatedRecords({ ...PROPERTY_CONFIG, seed: 10_000 + 2 * pair }),
      'base',
    );
    const next = samplesOf(
      simulatedRecords({ ...PROPERTY_CONFIG, seed: 10_001 + 2 * pair }),
      'new',
    );
    const groupRows = compareRuns(base, next).groups[0]!.rows;
    const flagged = groupRows.filter((row) => row.verdict !== 'no_change').length;
    rows += groupRows.length;
    rowsFlagged += flagged;
    if (flagged === 0) clean++;
  }
  return { clean, rowsFlagged, rows };
}

/**
 * Compares runs whose NEW TTFT is scaled by 1.1 (10 % slower first tokens): how many seeds
 * had TTFT p50 and the TTFT distribution judged worse, and how many flagged any ITL row.
 */
export function shiftedTtftRuns(firstSeed: number, seeds: number) {
  let detected = 0;
  let itlFlagged = 0;
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
    const base = samplesOf(simulatedRecords({ ...PROPERTY_CONFIG, seed: 20_000 + seed }), 'base');
    const next = samplesOf(
      simulatedRecords({ ...PROPERTY_CONFIG, seed: 30_000 + seed, ttftScale: 1.1 }),
      'new',
    );
    const group = compareRuns(base, next).groups[0]!;
    const p50 = group.rows.find((r) => r.metric === 'ttft' && r.statistic === 'p50')!;
    const distribution = group.tests.find((t) => t.metric === 'ttft')!;
    if (p50.verdict === 'worse' && distribution.verdict === 'worse') detected++;
    if (group.rows.some((r) => r.metric === 'itl' && r.verdict !== 'no_change')) itlFlagged++;
  }
  return { detected, itlFlagged };
}
