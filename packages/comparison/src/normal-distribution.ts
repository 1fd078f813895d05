/**
 * erfc(x), from the Chebyshev-fitted form given in Numerical Recipes (§6.2, "erfcc"):
 * fractional error below 1.2e-7 everywhere, which is far finer than any decision a p-value
 * feeds here.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t *
                          (-1.13520398 +
                            t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const value = t * Math.exp(poly);
  return x >= 0 ? value : 2 - value;
}

/** P(Z > z) for a standard normal Z. */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** The z with P(Z > z) = p, 0 < p < 1, by bisection on {@link normalUpperTail}. */
export function normalUpperQuantile(p: number): number {
  let low = -40;
  let high = 40;
  for (let i = 0; i < 200 && high - low > 1e-12; i++) {
    const mid = (low + high) / 2;
    if (normalUpperTail(mid) > p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}
