import { writeFileSync } from 'node:fs';
import { renderTrendHtml } from '@llm-lens/exporters-report';
import { TREND_METRICS, type TrendMetric } from '@llm-lens/history';
import { createParentDirectories } from '@llm-lens/metrics';
import type { Argv } from 'yargs';
import { CliError, EXIT } from '../cli-error.js';
import { parseSince, seriesOf, sparkline } from '../history-commands.js';
import { closestName } from '../outputs.js';
import { historyLocation, openHistoryAt } from '../run-sides.js';

export const command = 'trend';
export const describe =
  'One statistic across the saved runs: a sparkline and the values per provider/model/scenario, or an HTML chart';

export interface TrendArgs {
  metric: string;
  provider?: string | undefined;
  model?: string | undefined;
  scenario?: string | undefined;
  tag?: string | undefined;
  since?: string | undefined;
  history?: string | undefined;
  html?: string | undefined;
  json?: boolean | undefined;
}

export function builder() {
  return (yargs: Argv) =>
    yargs
      .option('metric', {
        type: 'string',
        demandOption: true,
        describe: `The statistic: ${TREND_METRICS.join(', ')}`,
      })
      .option('provider', { type: 'string', describe: 'Only this provider' })
      .option('model', { type: 'string', describe: 'Only this model' })
      .option('scenario', { type: 'string', describe: 'Only this scenario' })
      .option('tag', { type: 'string', describe: 'Only runs with this tag' })
      .option('since', {
        type: 'string',
        describe: 'Runs started since (30d, 12h, 2w, 2026-11-01)',
      })
      .option('history', {
        type: 'string',
        describe:
          'The history: a SQLite file (default ~/.local/share/llm-lens/history.db) or a postgres:// URL',
      })
      .option('html', { type: 'string', describe: 'Also write a self-contained HTML chart' })
      .option('json', { type: 'boolean', describe: 'Print the points as JSON' })
      .example(
        '$0 trend --metric ttft.p95 --provider openai --model gpt-4o-mini --since 30d',
        'A month of TTFT p95',
      );
}

function unitOf(metric: string): string {
  if (/\.(p\d+|mean)$/.test(metric))
    return metric.startsWith('output_tokens_per_s') ? 'tokens/s' : 'ms';
  if (metric.includes('per_s')) return metric.includes('tokens') ? 'tokens/s' : 'requests/s';
  if (metric.includes('usd')) return 'USD';
  return '';
}

export async function handler(args: TrendArgs): Promise<number> {
  if (!(TREND_METRICS as readonly string[]).includes(args.metric)) {
    const near = closestName(args.metric, TREND_METRICS);
    throw new CliError(
      `--metric: ${JSON.stringify(args.metric)} is not a statistic the history keeps${near === undefined ? '' : ` (did you mean "${near}"?)`}; use one of ${TREND_METRICS.join(', ')}`,
    );
  }
  const since = args.since === undefined ? undefined : parseSince(args.since);
  const store = await openHistoryAt(historyLocation(args.history));
  let points: Awaited<ReturnType<typeof store.trend>>;
  try {
    points = await store.trend({
      metric: args.metric as TrendMetric,
      ...(args.provider === undefined ? {} : { provider: args.provider }),
      ...(args.model === undefined ? {} : { model: args.model }),
      ...(args.scenario === undefined ? {} : { scenario: args.scenario }),
      ...(args.tag === undefined ? {} : { tag: args.tag }),
      ...(since === undefined ? {} : { since }),
    });
  } finally {
    await store.close();
  }
  const unit = unitOf(args.metric);
  const series = seriesOf(points);
  if (args.json) process.stdout.write(`${JSON.stringify(points, null, 2)}\n`);
  else if (series.size === 0) {
    process.stdout.write(`No saved run in ${store.location} matches.\n`);
  } else {
    const lines = [`${args.metric}${unit === '' ? '' : ` (${unit})`}, oldest run first:`];
    for (const [label, list] of series) {
      const values = list.map((p) => p.value);
      const shown = values.map((v) => (v === null ? '—' : Number(v.toPrecision(4)).toString()));
      lines.push(`${label}  ${sparkline(values)}  ${shown.join(' ')}`);
      lines.push(
        `  ${list[0]!.started_at.slice(0, 10)} … ${list.at(-1)!.started_at.slice(0, 10)}, ${list.length} run${list.length === 1 ? '' : 's'}`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (args.html !== undefined) {
    const selected = [
      args.provider && `provider ${args.provider}`,
      args.model && `model ${args.model}`,
      args.scenario && `scenario ${args.scenario}`,
      args.tag && `tag ${args.tag}`,
      args.since && `since ${args.since}`,
    ].filter(Boolean);
    createParentDirectories(args.html);
    writeFileSync(
      args.html,
      renderTrendHtml({
        metric: args.metric,
        unit,
        subtitle: `${points.length} value${points.length === 1 ? '' : 's'} from ${store.location}${selected.length > 0 ? `; ${selected.join(', ')}` : ''}`,
        series: [...series].map(([label, list]) => ({ label, points: list })),
      }),
    );
    process.stderr.write(`Wrote ${args.html}\n`);
  }
  return EXIT.ok;
}
