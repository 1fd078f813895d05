/**
 * Holm's step-down adjustment of p-values: the i-th smallest of m becomes
 * max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎). Rejecting where the adjusted value is below
 * alpha keeps the chance of any false rejection among the m tests at most alpha, whatever
 * their dependence. Returns the adjusted values in the input order.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((_, index) => index).sort((x, y) => pValues[x]! - pValues[y]!);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, position) => {
    running = Math.max(running, Math.min(1, (m - position) * pValues[index]!));
    adjusted[index] = running;
  });
  return adjusted;
}
