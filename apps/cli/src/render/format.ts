import pc from 'picocolors';

/** Colors only for a TTY and when NO_COLOR is unset. */
export function createColors(stream: NodeJS.WriteStream) {
  const enabled = stream.isTTY === true && !('NO_COLOR' in process.env) && pc.isColorSupported;
  return pc.createColors(enabled);
}

export type Colors = ReturnType<typeof createColors>;

/** Milliseconds for a table cell: 3 significant decimals below 10 ms, 1 above. */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (value < 10) return value.toFixed(2);
  if (value < 1000) return value.toFixed(1);
  return value.toFixed(0);
}

export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction === 1 || fraction === 0 ? 0 : 1)}%`;
}

/** US dollars with 3 significant digits below a cent (request costs are often fractions of one). */
export function formatUsd(usd: number | undefined | null): string {
  if (usd === undefined || usd === null || Number.isNaN(usd)) return '—';
  if (usd === 0) return '$0';
  if (usd >= 0.01) return `$${usd.toFixed(4)}`;
  const decimals = Math.min(12, 2 - Math.floor(Math.log10(usd)));
  return `$${usd.toFixed(decimals)}`;
}

/** A wait or a span of time: `410 ms` below a second, `3.2 s` from one on. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return Math.round(ms) < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
