import { writeFileSync } from 'node:fs';
import { JsonlRecordWriter } from '@llm-lens/exporters-json';
import type { HistoryEntry, HistoryStore } from '@llm-lens/history';
import { createParentDirectories } from '@llm-lens/metrics';
import type { Argv } from 'yargs';
import { CliError, EXIT } from '../cli-error.js';
import { parseSince } from '../history-commands.js';
import { createColors } from '../render/format.js';
import { renderSummary } from '../render/summary-table.js';
import { historyLocation, openHistoryAt } from '../run-sides.js';

export const command = 'history <action> [run]';
export const describe =
  'The saved runs (benchmark --save): list, show, delete, or export one as its summary JSON and records';

export interface HistoryArgs {
  action: string;
  run?: string | undefined;
  history?: string | undefined;
  provider?: string | undefined;
  model?: string | undefined;
  scenario?: string | undefined;
  tag?: string | undefined;
  since?: string | undefined;
  limit?: number | undefined;
  json?: boolean | undefined;
  output?: string | undefined;
  records?: string | undefined;
}

const ACTIONS = ['list', 'show', 'delete', 'export'] as const;

export function builder() {
  return (yargs: Argv) =>
    yargs
      .positional('action', { type: 'string', choices: ACTIONS, describe: 'What to do' })
      .positional('run', {
        type: 'string',
        describe: 'A run id, or its first characters (show, delete, export)',
      })
      .option('history', {
        type: 'string',
        describe:
          'The history: a SQLite file (default ~/.local/share/llm-lens/history.db) or a postgres:// URL',
      })
      .option('provider', { type: 'string', describe: 'list: runs with this provider' })
      .option('model', { type: 'string', describe: 'list: runs with this model' })
      .option('scenario', { type: 'string', describe: 'list: runs with this scenario' })
      .option('tag', { type: 'string', describe: 'list: runs with this tag' })
      .option('since', {
        type: 'string',
        describe: 'list: runs started since (30d, 12h, 2026-11-01)',
      })
      .option('limit', {
        type: 'number',
        describe: 'list: at most this many runs, the latest first',
      })
      .option('json', { type: 'boolean', describe: 'Print JSON' })
      .option('output', {
        alias: 'o',
        type: 'string',
        describe: 'export: the summary JSON file (default <run id>.json)',
      })
      .option('records', {
        type: 'string',
        describe: 'export: also write the saved records to this JSONL file',
      })
      .example('$0 history list --tag main --since 30d', 'The runs tagged main this month')
      .example('$0 history show 3f2a', 'One run, as the benchmark printed it')
      .example(
        '$0 history export 3f2a -o base.json --records base.jsonl',
        'To compare or report on',
      );
}

function needRun(args: HistoryArgs): string {
  if (args.run === undefined || args.run === '') {
    throw new CliError(
      `history ${args.action}: name the run (its id or first characters; llm-lens history list shows them)`,
    );
  }
  return args.run;
}

export async function handler(args: HistoryArgs): Promise<number> {
  const store = await openHistoryAt(historyLocation(args.history));
  try {
    return await act(store, args);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const coded = error as { code?: unknown };
    if (typeof coded.code === 'string' && coded.code.startsWith('LENS_HISTORY')) {
      throw new CliError(`history ${args.action}: ${(error as Error).message}`);
    }
    throw error;
  } finally {
    await store.close();
  }
}

async function act(store: HistoryStore, args: HistoryArgs): Promise<number> {
  switch (args.action) {
    case 'list': {
      const entries = await store.list({
        ...(args.provider === undefined ? {} : { provider: args.provider }),
        ...(args.model === undefined ? {} : { model: args.model }),
        ...(args.scenario === undefined ? {} : { scenario: args.scenario }),
        ...(args.tag === undefined ? {} : { tag: args.tag }),
        ...(args.since === undefined ? {} : { since: parseSince(args.since) }),
        ...(args.limit === undefined ? {} : { limit: args.limit }),
      });
      if (args.json) {
        const brief = entries.map(({ summary, ...entry }) => ({
          ...entry,
          groups: summary.groups.map((g) => `${g.provider}/${g.model}/${g.scenario}`),
        }));
        process.stdout.write(`${JSON.stringify(brief, null, 2)}\n`);
      } else {
        process.stdout.write(renderList(entries, store.location));
      }
      return EXIT.ok;
    }
    case 'show': {
      const entry = await store.get(needRun(args));
      if (args.json) process.stdout.write(`${JSON.stringify(entry, null, 2)}\n`);
      else {
        process.stdout.write(`${describeEntry(entry)}\n\n`);
        process.stdout.write(renderSummary(entry.summary, createColors(process.stdout)));
      }
      return EXIT.ok;
    }
    case 'delete': {
      const id = await store.delete(needRun(args));
      process.stderr.write(`Deleted run ${id} from ${store.location}\n`);
      return EXIT.ok;
    }
    case 'export': {
      const entry = await store.get(needRun(args));
      const output = args.output ?? `${entry.id}.json`;
      createParentDirectories(output);
      writeFileSync(output, `${JSON.stringify(entry.summary, null, 2)}\n`);
      const written = [output];
      if (args.records !== undefined) {
        const records = await store.records(entry.id);
        if (records === undefined) {
          throw new CliError(
            `history export --records: run ${entry.id} was saved without its records (benchmark --save --save-records keeps them)`,
          );
        }
        const writer = new JsonlRecordWriter(args.records, { recordTokens: true });
        for await (const record of records) if (!writer.write(record)) await writer.drain();
        await writer.close();
        written.push(args.records);
      }
      process.stderr.write(`Wrote ${written.join(', ')}\n`);
      return EXIT.ok;
    }
    default:
      throw new CliError(
        `history: the action is one of ${ACTIONS.join(', ')}, got ${JSON.stringify(args.action)}`,
      );
  }
}

function describeEntry(entry: HistoryEntry): string {
  return [
    `run ${entry.id}`,
    `started ${entry.started_at}, saved ${entry.saved_at}`,
    `tags: ${entry.tags.join(', ') || '—'}; commit ${entry.git_commit ?? '—'}; llm-lens ${entry.tool_version}; config ${entry.config_hash.slice(0, 12) || '—'}`,
    `machine: ${entry.machine.hostname}, ${entry.machine.platform}, ${entry.machine.cpu_count} × ${entry.machine.cpu_model}, node ${entry.machine.node_version}`,
    `records saved: ${entry.has_records ? 'yes' : 'no'}`,
  ].join('\n');
}

function renderList(entries: readonly HistoryEntry[], location: string): string {
  if (entries.length === 0) return `No saved run in ${location} matches.\n`;
  const lines = [
    `${entries.length} run${entries.length === 1 ? '' : 's'} in ${location}, the latest first:`,
  ];
  for (const entry of entries) {
    const groups = entry.summary.groups
      .map((g) => {
        const ttft = g.ttft?.p95;
        return `${g.provider}/${g.model}/${g.scenario} ttft.p95 ${ttft === undefined ? '—' : `${ttft.toFixed(1)} ms`}`;
      })
      .join('; ');
    lines.push(
      `${entry.id.slice(0, 8)}  ${entry.started_at.slice(0, 19).replace('T', ' ')}  ${(entry.tags.join(',') || '-').padEnd(12)}  ${groups}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
