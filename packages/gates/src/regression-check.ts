/**
 * One regression check against a baseline, as the JUnit and Markdown renderers take it: the
 * comparison package's results map onto this shape, so this package does not depend on
 * how that one computes them (plain JSON).
 */
export interface RegressionCheck {
  /** Readable test name: `ttft.p95:+10% [openai / gpt-4o-mini / chat]`. */
  name: string;
  passed: boolean;
  /** The measured value (e.g. NEW's statistic, or its change), null when unknown. */
  value: number | null;
  /** What it was held to, null when the check has no single limit. */
  limit: number | null;
  /** Why it passed or failed, one line. */
  message: string;
}

/** One row of the side-by-side comparison table of the Markdown summary (plain JSON). */
export interface ComparisonTableRow {
  /** `openai / gpt-4o-mini / chat`. */
  group: string;
  /** `ttft.p95`. */
  metric: string;
  base: number | null;
  new: number | null;
  /** new − base. */
  delta: number | null;
  /** (new − base) / base × 100. */
  delta_pct: number | null;
  /** `worse`, `better`, `no significant change`, or any other word the comparison uses. */
  verdict: string;
}
