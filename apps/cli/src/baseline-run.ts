import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  collectRunSamples,
  compareRuns,
  evaluateRegressions,
  parseRegressionSpec,
  type RegressionSpec,
  type RunComparison,
  type RunSamplesCollector,
  VERDICT_LABELS,
} from '@llm-lens/comparison';
import { JsonlRecordWriter, readRecordsJsonl } from '@llm-lens/exporters-json';
import type { ComparisonTableRow, RegressionCheck } from '@llm-lens/gates';
import { type HistoryStore, historyEntryFromSummary, machineFacts } from '@llm-lens/history';
import type { RecordSink, RunSummary } from '@llm-lens/metrics';
import { CliError } from './cli-error.js';
import {
  gitCommit,
  historyLocation,
  loadRunSide,
  openHistoryAt,
  type RunSide,
  samplesSink,
} from './run-sides.js';

const PR_STATISTICS = new Set(['p50', 'p95', 'value', 'requests_per_s', 'output_tokens_per_s']);

const significant = (value: number | null): number | null =>
  value === null ? null : Number(value.toPrecision(4));

/** Checked against a baseline when it is given without `--regression`. */
export const DEFAULT_REGRESSIONS = ['ttft.p95:+10%', 'tpot.p50:+10%', 'e2e.p95:+10%'];

/** The baseline and history flags of `benchmark`, as yargs gives them. */
export interface BaselineFlags {
  baseline?: string | undefined;
  regression?: string[] | undefined;
  save?: boolean | undefined;
  history?: string | undefined;
  tag?: string[] | undefined;
  saveRecords?: boolean | undefined;
}

interface HistoryConfigShape {
  baseline?: string | undefined;
  regressions?: string[] | undefined;
  history?: boolean | { save?: boolean; location?: string; tags?: string[]; records?: boolean };
}

/**
 * What a run is compared with and where it is saved, settled before anything is sent: the
 * regression checks parse, the baseline is read (a missing one costs no run), the history
 * opens.
 */
export class BaselinePlan {
  readonly specs: RegressionSpec[];
  readonly baseline: RunSide | undefined;
  readonly baselineText: string | undefined;
  readonly save: boolean;
  readonly saveRecords: boolean;
  readonly tags: string[];
  readonly store: HistoryStore | undefined;
  readonly #collector: RunSamplesCollector | undefined;
  readonly #recordsDir: string | undefined;
  readonly #recordsPath: string | undefined;

  private constructor(fields: {
    specs: RegressionSpec[];
    baseline: RunSide | undefined;
    baselineText: string | undefined;
    save: boolean;
    saveRecords: boolean;
    tags: string[];
    store: HistoryStore | undefined;
  }) {
    this.specs = fields.specs;
    this.baseline = fields.baseline;
    this.baselineText = fields.baselineText;
    this.save = fields.save;
    this.saveRecords = fields.saveRecords;
    this.tags = fields.tags;
    this.store = fields.store;
    this.#collector = fields.baseline === undefined ? undefined : collectRunSamples();
    if (fields.save && fields.saveRecords) {
      this.#recordsDir = mkdtempSync(join(tmpdir(), 'llm-lens-history-'));
      this.#recordsPath = join(this.#recordsDir, 'records.jsonl');
    }
  }

  static async open(config: HistoryConfigShape, flags: BaselineFlags): Promise<BaselinePlan> {
    const baselineText = flags.baseline ?? config.baseline;
    const texts = [
      ...(config.regressions ?? []).map((text, i) => ({ text, origin: `regressions[${i}]` })),
      ...(flags.regression ?? []).map((text) => ({ text, origin: '--regression' })),
    ];
    if (texts.length > 0 && baselineText === undefined) {
      throw new CliError(
        '--regression checks a run against a baseline, and none was given: add --baseline FILE (a summary, records or run file) or --baseline history:latest',
      );
    }
    let specs: RegressionSpec[];
    try {
      specs = (
        texts.length > 0
          ? texts
          : baselineText === undefined
            ? []
            : DEFAULT_REGRESSIONS.map((text) => ({ text, origin: 'default' }))
      ).map(({ text, origin }) => parseRegressionSpec(text, origin));
    } catch (error) {
      throw new CliError((error as Error).message);
    }
    const section = typeof config.history === 'object' ? config.history : undefined;
    const save =
      flags.save ?? (config.history === true || (section !== undefined && section.save !== false));
    const location = historyLocation(flags.history, section?.location);
    let store: HistoryStore | undefined;
    const history = async () => {
      store ??= await openHistoryAt(location);
      return store;
    };
    const baseline =
      baselineText === undefined
        ? undefined
        : await loadRunSide(baselineText, '--baseline', history);
    if (save) await history();
    return new BaselinePlan({
      specs,
      baseline,
      baselineText,
      save,
      saveRecords: flags.saveRecords ?? section?.records ?? false,
      tags: [...(section?.tags ?? []), ...(flags.tag ?? [])],
      store,
    });
  }

  /** The record sinks the run feeds: the baseline's sample collector, the records kept for the history. */
  sinks(): RecordSink[] {
    const sinks: RecordSink[] = [];
    const collector = this.#collector;
    if (collector !== undefined) sinks.push(samplesSink((r) => collector.add(r)));
    if (this.#recordsPath !== undefined) {
      sinks.push(new JsonlRecordWriter(this.#recordsPath, { recordTokens: true }));
    }
    return sinks;
  }

  /** The run against the baseline: the comparison table and each regression check. */
  compare(summary: RunSummary):
    | {
        comparison: RunComparison;
        baseline: Record<string, unknown>;
        table: ComparisonTableRow[];
        checks: RegressionCheck[];
      }
    | undefined {
    if (this.baseline === undefined || this.#collector === undefined) return undefined;
    const comparison = compareRuns(
      this.baseline.input,
      this.#collector.finish({ runId: summary.run.run_id }),
    );
    // A pull-request comment keeps the rows people read: medians and p95s, error rate and
    // throughput (the console and `llm-lens compare` show every row).
    const table: ComparisonTableRow[] = comparison.groups.flatMap((group) =>
      group.rows
        .filter((row) => PR_STATISTICS.has(row.statistic))
        .map((row) => ({
          group: `${group.provider} / ${group.model} / ${group.scenario}`,
          metric: row.statistic === 'value' ? row.metric : `${row.metric}.${row.statistic}`,
          base: significant(row.base),
          new: significant(row.new),
          delta: significant(row.delta),
          delta_pct: row.delta_pct === null ? null : Math.round(row.delta_pct * 10) / 10,
          verdict: VERDICT_LABELS[row.verdict],
        })),
    );
    const checks: RegressionCheck[] = evaluateRegressions(comparison, this.specs).map((result) => ({
      name: `${result.spec} [${result.group.provider} / ${result.group.model} / ${result.group.scenario}]`,
      passed: !result.regressed,
      value: result.new,
      limit: result.allowed,
      message: result.message,
    }));
    return {
      comparison,
      baseline: {
        source: this.baselineText,
        run_id: this.baseline.summary.run.run_id,
        started_at: this.baseline.summary.run.started_at,
      },
      table,
      checks,
    };
  }

  /** Saves the finished run (with its records when asked) and closes the history. */
  async finish(summary: RunSummary | undefined): Promise<string | undefined> {
    try {
      if (summary === undefined || !this.save || this.store === undefined) return undefined;
      const entry = historyEntryFromSummary(summary, {
        tags: this.tags,
        gitCommit: gitCommit(),
        machine: machineFacts(),
      });
      try {
        await this.store.save(
          entry,
          this.#recordsPath === undefined ? {} : { records: readRecordsJsonl(this.#recordsPath) },
        );
      } catch (error) {
        throw new CliError(
          `--save: could not save run ${summary.run.run_id} to ${this.store.location}: ${(error as Error).message}`,
        );
      }
      return `${this.store.location} (run ${summary.run.run_id})`;
    } finally {
      await this.store?.close();
      if (this.#recordsDir !== undefined)
        rmSync(this.#recordsDir, { recursive: true, force: true });
    }
  }
}
