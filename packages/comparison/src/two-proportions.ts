import { normalUpperQuantile } from './normal-distribution.js';

/** A comparison of two failure counts: NEW's rate minus BASE's, its interval and p-value. */
export interface TwoProportionResult {
  base_rate: number;
  new_rate: number;
  /** new_rate − base_rate. */
  delta: number;
  /** Newcombe's hybrid score interval of the difference (from two Wilson intervals). */
  ci_low: number;
  ci_high: number;
  /** Two-sided Fisher exact test (the tables at least as improbable as the observed one). */
  p_value: number;
}

/**
 * Compares failure proportions exactly: Fisher's exact test for the p-value (no large-sample
 * assumption, so 0 failures against 3 is judged correctly) and Newcombe's method 10 interval
 * for the difference, which keeps its coverage near 0 and 1 where a Wald interval fails.
 */
export function compareProportions(
  base: { failed: number; total: number },
  next: { failed: number; total: number },
  confidence: number,
): TwoProportionResult {
  const p1 = base.total > 0 ? base.failed / base.total : 0;
  const p2 = next.total > 0 ? next.failed / next.total : 0;
  const z = normalUpperQuantile((1 - confidence) / 2);
  const [l1, u1] = wilsonInterval(base.failed, base.total, z);
  const [l2, u2] = wilsonInterval(next.failed, next.total, z);
  const delta = p2 - p1;
  return {
    base_rate: p1,
    new_rate: p2,
    delta,
    ci_low: delta - Math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2),
    ci_high: delta + Math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2),
    p_value: fisherExactTwoSided(
      base.failed,
      base.total - base.failed,
      next.failed,
      next.total - next.failed,
    ),
  };
}

/** Wilson score interval of a proportion x / n; [0, 1] when n is 0. */
export function wilsonInterval(x: number, n: number, z: number): [number, number] {
  if (n === 0) return [0, 1];
  const p = x / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denominator = 1 + z2 / n;
  return [
    Math.max(0, (centre - spread) / denominator),
    Math.min(1, (centre + spread) / denominator),
  ];
}

/**
 * Two-sided Fisher exact p-value of the 2×2 table [[a, b], [c, d]]: the sum of the
 * hypergeometric probabilities (margins fixed) of every table no more probable than the
 * observed one. The support is at most min(a + c, a + b) + 1 tables, so a million requests
 * with a few hundred failures is a few hundred terms.
 */
export function fisherExactTwoSided(a: number, b: number, c: number, d: number): number {
  const row1 = a + b;
  const col1 = a + c;
  const total = a + b + c + d;
  if (total === 0) return 1;
  const logDenominator = logChoose(total, row1);
  const logP = (x: number): number =>
    logChoose(col1, x) + logChoose(total - col1, row1 - x) - logDenominator;
  const observed = logP(a);
  // A relative slack, so tables equal in probability up to rounding count as "as extreme".
  const limit = observed + 1e-7;
  let p = 0;
  const low = Math.max(0, row1 - (total - col1));
  const high = Math.min(col1, row1);
  for (let x = low; x <= high; x++) {
    const logProbability = logP(x);
    if (logProbability <= limit) p += Math.exp(logProbability);
  }
  return Math.min(1, p);
}

function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

const SMALL_LOG_FACTORIALS: number[] = [0];
for (let i = 1; i <= 256; i++)
  SMALL_LOG_FACTORIALS.push(SMALL_LOG_FACTORIALS[i - 1]! + Math.log(i));

/** ln(n!), by table up to 256 and by Stirling's series above (error below 1e-14 there). */
export function logFactorial(n: number): number {
  if (n <= 256) return SMALL_LOG_FACTORIALS[n]!;
  const x = n + 1;
  const inverse = 1 / x;
  const inverse2 = inverse * inverse;
  return (
    (x - 0.5) * Math.log(x) -
    x +
    0.5 * Math.log(2 * Math.PI) +
    inverse * (1 / 12 - inverse2 * (1 / 360 - inverse2 * (1 / 1260 - inverse2 / 1680)))
  );
}
