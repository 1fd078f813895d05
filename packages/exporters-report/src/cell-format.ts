// How numbers read in the report's cells: the same in the Markdown and the HTML report.

/** Shown for a statistic the run does not have (no samples, no price). */
export const MISSING = '—';

/** Milliseconds: 2 decimals below 10 ms, 1 below 1 s, none from there (3 significant digits or more). */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  if (value < 10) return value.toFixed(2);
  if (value < 1000) return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

/** A rate per second: 1 decimal below 100, none from there. */
export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  if (value < 100) return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

/** A fraction as a percentage: `99.5 %`, `100 %`. */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return MISSING;
  const percent = fraction * 100;
  const text = Number.isInteger(percent) ? String(percent) : percent.toFixed(1);
  return `${text} %`;
}

/** US dollars, with 3 significant digits below a cent (a request often costs a fraction of one). */
export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return MISSING;
  if (usd === 0) return '$0';
  if (usd >= 0.01) return `$${usd.toFixed(4)}`;
  const decimals = Math.min(12, 2 - Math.floor(Math.log10(usd)));
  return `$${usd.toFixed(decimals)}`;
}

/** A signed change relative to the best value: `+23 %`, `−4.5 %` (1 decimal below 10 %). */
export function formatRelative(change: number): string {
  const percent = change * 100;
  const magnitude = Math.abs(percent);
  const digits = magnitude < 10 ? magnitude.toFixed(1) : Math.round(magnitude).toString();
  if (digits === '0.0') return '±0 %';
  return `${percent < 0 ? '−' : '+'}${digits} %`;
}

/** A span of time: `850 ms`, `42.0 s`, `12 min 5 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return MISSING;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
