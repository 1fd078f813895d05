import type { TrendPoint } from '@llm-lens/history';
import { CliError } from './cli-error.js';

const SPARKS = '▁▂▃▄▅▆▇█';

/** A terminal sparkline of values (a gap where a run had none), lowest to highest. */
export function sparkline(values: ReadonlyArray<number | null>): string {
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return '';
  const low = Math.min(...known);
  const high = Math.max(...known);
  return values
    .map((value) => {
      if (value === null) return ' ';
      if (high === low) return SPARKS[3]!;
      return SPARKS[Math.round(((value - low) / (high - low)) * (SPARKS.length - 1))]!;
    })
    .join('');
}

const UNITS_MS: Readonly<Record<string, number>> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * `--since 30d` (also `12h`, `2w`, `90m`) or a date (`2026-11-01`, any ISO 8601 time): the
 * earliest start of the runs to show. A usage error names the flag and the forms.
 */
export function parseSince(text: string, now = Date.now()): Date {
  const relative = /^(\d+(?:\.\d+)?)\s*([mhdw])$/.exec(text.trim());
  if (relative !== null) return new Date(now - Number(relative[1]) * UNITS_MS[relative[2]!]!);
  const date = Date.parse(text);
  if (!Number.isNaN(date)) return new Date(date);
  throw new CliError(
    `--since: ${JSON.stringify(text)} is neither a span (30d, 12h, 2w, 90m) nor a date (2026-11-01)`,
  );
}

/** Trend points as one series per provider/model/scenario, oldest run first. */
export function seriesOf(points: readonly TrendPoint[]): Map<string, TrendPoint[]> {
  const series = new Map<string, TrendPoint[]>();
  for (const point of points) {
    const label = `${point.provider} / ${point.model} / ${point.scenario}`;
    let list = series.get(label);
    if (list === undefined) {
      list = [];
      series.set(label, list);
    }
    list.push(point);
  }
  return series;
}
