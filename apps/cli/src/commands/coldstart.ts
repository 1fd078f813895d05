import { parseDurationMs } from '@llm-lens/config-fields';
import { nsToMs } from '@llm-lens/core-timing';
import {
  type ColdStartReport,
  createTargets,
  measureColdStart,
  planFromConfig,
  portableTransportOpener,
} from '@llm-lens/executor';
import type { Argv } from 'yargs';
import { CliError, EXIT } from '../cli-error.js';
import type { CliExtensions } from '../cli-extensions.js';
import { priceBookFromArgs } from '../pricing.js';
import { type Colors, createColors, formatDuration, formatMs } from '../render/format.js';
import {
  type BenchmarkArgs,
  baseDirOf,
  configFromArgs,
  EXIT_CODES_EPILOG,
  targetOptions,
} from './benchmark.js';

export const command = 'coldstart';
export const describe =
  'Measure the cold-start penalty: a request on a new connection after an idle wait, against the warm requests that follow it on the same connection';

/** The flags of `coldstart` on top of the target flags. */
export interface ColdStartArgs extends BenchmarkArgs {
  cycles?: number | undefined;
  warm?: number | undefined;
  idle?: string | undefined;
  http2?: boolean | undefined;
  json?: boolean | undefined;
}

export function builder(extensions: CliExtensions) {
  return (yargs: Argv) =>
    targetOptions(yargs, extensions)
      .option('cycles', {
        type: 'number',
        default: 5,
        describe:
          'Cycles to run; each is an idle wait, one cold request on a new connection, then the warm requests',
      })
      .option('warm', {
        type: 'number',
        default: 5,
        describe: 'Warm requests per cycle, back to back on the connection the cold request opened',
      })
      .option('idle', {
        type: 'string',
        default: '0s',
        describe:
          'Wait with no traffic before each cold request: a duration such as 500ms, 30s or 5m (a bare number is seconds)',
      })
      .option('http2', {
        type: 'boolean',
        describe:
          'Offer HTTP/2 (ALPN, https origins only) on every provider; the table says what was negotiated',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print the reports as JSON (one per provider/model) instead of tables',
      })
      .example('$0 coldstart', 'Cold against warm requests to the built-in simulator')
      .example(
        '$0 coldstart -p openai -m gpt-4o-mini --idle 5m --cycles 3 --http2',
        'Three cold starts after five quiet minutes each, over HTTP/2',
      )
      .example(
        '$0 coldstart --config llm-lens.yaml --cycles 10 --warm 3 --json > coldstart.json',
        'Every provider and model of a config file, as JSON',
      )
      .epilog(
        EXIT_CODES_EPILOG.replace(
          '  1    requests failed',
          '  1    a cold or warm request failed (the errors are listed); requests failed',
        ),
      );
}

export async function handler(args: ColdStartArgs, extensions: CliExtensions): Promise<number> {
  const cycles = wholeNumberFlag('--cycles', args.cycles ?? 5, 'cold requests, one per cycle');
  const warm = wholeNumberFlag('--warm', args.warm ?? 5, 'warm requests per cycle');
  const idleMs = idleFlag(args.idle ?? '0s');
  const config = await configFromArgs(
    { ...args, requests: 1, concurrency: 1, warmup: 0 },
    extensions,
  );
  if (args.http2 !== undefined) {
    for (const provider of config.providers) provider.http2 = args.http2;
  }
  const baseDir = baseDirOf(args);
  const resolved = await createTargets(config.providers, extensions.registry, {
    baseDir,
    prices: await priceBookFromArgs(args),
  });
  try {
    const plan = planFromConfig(config, resolved.targets);
    const scenario = plan.scenarios[0];
    if (plan.targets.length === 0 || !scenario) {
      throw new CliError('coldstart needs at least one provider model and one scenario.');
    }
    const reports: ColdStartReport[] = [];
    for (const target of plan.targets) {
      const label = `${target.provider.name}/${target.model}`;
      process.stderr.write(
        `${label}: ${cycles} cycle${cycles === 1 ? '' : 's'} of ${idleMs > 0 ? `${formatDuration(idleMs)} idle, ` : ''}1 cold + ${warm} warm request${warm === 1 ? '' : 's'}\n`,
      );
      let coldTtft = '';
      let warmSeen = 0;
      reports.push(
        await measureColdStart(target, {
          openTransport: portableTransportOpener(target, extensions.registry, { baseDir }),
          scenario,
          cycles,
          warm,
          idleMs,
          tokenizer: 'offline',
          secrets: resolved.secrets,
          onRecord(record, { cycle, kind }) {
            const ttft =
              record.status !== 'ok'
                ? `failed (${record.errorClass})`
                : record.ttftNs === undefined
                  ? '—'
                  : `${formatMs(nsToMs(record.ttftNs))} ms`;
            if (kind === 'cold') {
              coldTtft = ttft;
              warmSeen = 0;
            } else if (++warmSeen === warm) {
              process.stderr.write(
                `  cycle ${cycle}/${cycles}: ttft cold ${coldTtft}, last warm ${ttft}\n`,
              );
            }
          },
        }),
      );
    }
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ reports }, null, 2)}\n`);
    } else {
      const colors = createColors(process.stdout);
      const text = reports
        .map((report) => {
          const where = resolved.endpoints.get(report.provider) ?? '';
          return renderColdStart(report, where, colors);
        })
        .join('\n');
      process.stdout.write(text);
    }
    const failed = reports.some((r) => r.requests.cold_failed + r.requests.warm_failed > 0);
    return failed ? EXIT.failedRequests : EXIT.ok;
  } finally {
    await resolved.close();
  }
}

const TABLE_PHASES: Record<string, string> = {
  dns: 'dns',
  connect: 'connect',
  tls: 'tls',
  send_delay: 'send delay',
  ttfb: 'ttfb',
  ttft: 'ttft',
  e2e: 'e2e',
};

/** One report as a table: phase | cold p50 | warm p50 | penalty, then counts and errors. */
export function renderColdStart(report: ColdStartReport, where: string, colors: Colors): string {
  const lines: string[] = [];
  lines.push(colors.bold(`${report.provider} / ${report.model}${where ? `  (${where})` : ''}`));
  const idle = report.idle_ms > 0 ? `${formatDuration(report.idle_ms)} idle, then ` : '';
  lines.push(
    `${report.cycles} cycle${report.cycles === 1 ? '' : 's'}: ${idle}1 cold request (new connection) + ${report.warm_per_cycle} warm (same connection); protocol ${report.protocol ?? '—'}`,
  );
  lines.push('');
  const rows = [['phase', 'cold p50', 'warm p50', 'penalty']];
  for (const stats of report.phases) {
    rows.push([
      TABLE_PHASES[stats.phase] ?? stats.phase,
      cell(stats.cold_p50_ms),
      cell(stats.warm_p50_ms),
      stats.penalty_ms === null
        ? '—'
        : `${stats.penalty_ms >= 0 ? '+' : '−'}${formatMs(Math.abs(stats.penalty_ms))} ms`,
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  rows.forEach((row, index) => {
    const text = row
      .map((value, column) =>
        column === 0 ? value.padEnd(widths[column]!) : value.padStart(widths[column]!),
      )
      .join('   ');
    lines.push(`  ${index === 0 ? colors.dim(text) : text}`);
  });
  lines.push('');
  lines.push(
    colors.dim(
      '  ms, medians. dns, connect and tls of a warm request that reused the connection count as 0; — = the phase did not happen (an IP address needs no dns, plain http no tls).',
    ),
  );
  const { requests } = report;
  if (requests.cold_reused > 0) {
    lines.push(
      colors.yellow(
        `  warning: ${requests.cold_reused} cold request${requests.cold_reused === 1 ? '' : 's'} reused a connection and ${requests.cold_reused === 1 ? 'is' : 'are'} left out.`,
      ),
    );
  }
  if (requests.warm_reconnected > 0) {
    lines.push(
      colors.yellow(
        `  warning: ${requests.warm_reconnected} of ${requests.warm - requests.warm_failed} warm requests opened a new connection (the server closed the kept-alive one); the warm medians include their connection phases.`,
      ),
    );
  }
  for (const error of report.errors) {
    lines.push(
      colors.red(
        `  ${error.count} ${error.kind} request${error.count === 1 ? '' : 's'} failed (${error.error_class}): ${error.message}`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

function cell(ms: number | null): string {
  return ms === null ? '—' : `${formatMs(ms)} ms`;
}

function wholeNumberFlag(flag: string, value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new CliError(`${flag}: must be a whole number >= 1 (${what}), got ${value}`);
  }
  return value;
}

function idleFlag(text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) {
    throw new CliError(
      `--idle: must be a duration such as 500ms, 30s or 5m (a bare number is seconds), got ${JSON.stringify(text)}`,
    );
  }
  return ms;
}
