// Near-miss suggestions for unknown keys and enum values ("concurency" → "concurrency").

/** The candidate the user most likely meant by `input`, or undefined when none is close. */
export function closestMatch(input: string, candidates: readonly string[]): string | undefined {
  const squashed = squash(input);
  // Spelling variants (maxTokens, max-tokens, MAX_TOKENS) are always the same key.
  const variant = candidates.find((candidate) => squash(candidate) === squashed);
  if (variant !== undefined) return variant;
  // A forgotten unit suffix (ttft → ttft_ms, retry_after → retry_after_s) is a likely miss.
  const unitless = candidates.find((candidate) =>
    ['ms', 's'].some((unit) => squash(candidate) === squashed + unit),
  );
  if (unitless !== undefined) return unitless;

  const lower = input.toLowerCase();
  // Short words need a tighter bound, or "api" would "match" "seed".
  const limit = lower.length <= 4 ? 1 : lower.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function squash(word: string): string {
  return word.toLowerCase().replace(/[-_\s]/g, '');
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions ("cahr" → "char"). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = value;
    }
  }
  return at(a.length, b.length);
}
