/**
 * A fuzz campaign: builds the cases, serves them to the real CLI in batches, joins every
 * record to its case through the request id, and judges each against the reference.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildControlCase, buildEdgeCases, buildMutatedCase } from './cases.mjs';
import { readRecords, runCli } from './cli-runner.mjs';
import { HostileServer } from './hostile-server.mjs';
import { judgeCase } from './verdict.mjs';

/**
 * @typedef {object} CampaignOptions
 * @property {object} protocol a protocol module (see src/protocols/)
 * @property {number} seed
 * @property {number} count mutated streams
 * @property {boolean} [withEdgeCases] default true
 * @property {string[]} [only] case keys to run ('17', 'edge:bom'); replaces count and edges
 * @property {number} [concurrency] default 25
 * @property {number} [batchSize] cases per CLI run, default 500
 * @property {number} [timeoutMs] the CLI's --timeout, default 15000
 * @property {number} [bisectRuns] extra CLI runs allowed to find the case behind a crashed
 *   or stuck run, default 40
 * @property {string} [cliPath] the CLI's bin script, default the workspace's
 * @property {(line: string) => void} [log] progress lines
 *
 * @typedef {object} Failure
 * @property {string} kind one of FAILURE_KINDS
 * @property {string} key the case's key
 * @property {string} description the case's mutation and framing
 * @property {string} message
 */

const DEFAULT_BATCH = 500;
/** Extra wall-clock time a run gets beyond its timeouts, ms. */
const RUN_SLACK_MS = 45_000;

/** Builds the cases a campaign runs, in order. */
export function planCases({ protocol, seed, count, withEdgeCases = true, only }) {
  if (only !== undefined) {
    const edgeNames = only.filter((key) => key.startsWith('edge:')).map((key) => key.slice(5));
    const mutated = only.filter((key) => !key.startsWith('edge:')).map(Number);
    const unknown = only.filter(
      (key) => !key.startsWith('edge:') && !Number.isSafeInteger(Number(key)),
    );
    if (unknown.length > 0)
      throw new Error(`--case takes numbers or edge:<name>, got ${unknown.join(', ')}`);
    const edges = edgeNames.length > 0 ? buildEdgeCases(protocol, seed, edgeNames) : [];
    const missing = edgeNames.filter((name) => !edges.some((item) => item.key === `edge:${name}`));
    if (missing.length > 0) throw new Error(`no edge case named ${missing.join(', ')}`);
    return [...mutated.map((index) => buildMutatedCase(protocol, seed, index)), ...edges];
  }
  const cases = [];
  for (let index = 0; index < count; index++) cases.push(buildMutatedCase(protocol, seed, index));
  if (withEdgeCases) cases.push(...buildEdgeCases(protocol, seed));
  return cases;
}

/**
 * Groups cases into CLI runs: isolated cases alone, the rest `batchSize` at a time, cases
 * that need another --max-event-bytes in runs of their own.
 */
function groupRuns(cases, batchSize) {
  const runs = [];
  const open = new Map();
  for (const item of cases) {
    if (item.checks.isolated) {
      runs.push([item]);
      continue;
    }
    const flag = item.checks.maxEventBytes ?? 'default';
    const current = open.get(flag) ?? [];
    current.push(item);
    open.set(flag, current);
    if (current.length === batchSize) {
      runs.push(current);
      open.delete(flag);
    }
  }
  runs.push(...open.values());
  return runs;
}

/** Runs a whole campaign and returns its failures and figures. */
export async function runCampaign(options) {
  const {
    protocol,
    seed,
    concurrency = 25,
    batchSize = DEFAULT_BATCH,
    timeoutMs = 15_000,
    bisectRuns = 40,
    cliPath,
    log = () => {},
  } = options;
  const cases = planCases(options);
  const server = await new HostileServer().start();
  const workDir = mkdtempSync(join(tmpdir(), 'llm-lens-fuzz-'));
  const control = buildControlCase(protocol, seed);
  const stats = {
    seed,
    casesRun: 0,
    mutatedRun: 0,
    edgeRun: 0,
    cliRuns: 0,
    crashedRuns: 0,
    peakRssBytes: 0,
    baselineRssBytes: 0,
    isolated: [],
    wallMs: 0,
  };
  const failures = [];
  const started = performance.now();
  let runNumber = 0;
  let bisectLeft = bisectRuns;
  let controlAloneBreaks;

  const fail = (item, kind, message) =>
    failures.push({ kind, key: item.key, description: item.description, message });

  /** One CLI run over `items` (after the control case). */
  const runOnce = async (items) => {
    runNumber++;
    server.load([control, ...items]);
    const recordsPath = join(workDir, `run-${runNumber}.jsonl`);
    const longest = Math.max(0, ...items.map((item) => item.checks.maxWallMs ?? 0));
    const maxEventBytes = items.find((item) => item.checks.maxEventBytes !== undefined)?.checks
      .maxEventBytes;
    const run = await runCli({
      args: [
        'benchmark',
        ...protocol.cliArgs(server.baseUrl),
        '-n',
        String(items.length + 1),
        '-C',
        String(concurrency),
        '-w',
        '0',
        '--records',
        recordsPath,
        '--json',
        '--timeout',
        String(timeoutMs),
        ...(maxEventBytes === undefined ? [] : ['--max-event-bytes', String(maxEventBytes)]),
      ],
      cliPath,
      wallLimitMs: Math.max(
        longest,
        timeoutMs * Math.ceil((items.length + 1) / concurrency) + RUN_SLACK_MS,
      ),
    });
    server.closeConnections();
    stats.cliRuns++;
    const { records, unreadable } = await readRecords(recordsPath);
    rmSync(recordsPath, { force: true });
    const byKey = new Map();
    for (const served of server.served.values())
      byKey.set(served.key, records.get(served.requestId));
    return {
      run,
      byKey,
      unreadable,
      anomalies: server.anomalies,
      unserved: server.unserved.map((item) => item.key),
    };
  };

  /**
   * Finds which of `items` break a run (crash or stuck), halving the set while runs remain in
   * the budget; returns the cases it pinned down and those it could not.
   */
  const bisect = async (items) => {
    if (items.length === 1) return { culprits: items, unresolved: [] };
    if (bisectLeft < 2) return { culprits: [], unresolved: items };
    const halves = [
      items.slice(0, Math.ceil(items.length / 2)),
      items.slice(Math.ceil(items.length / 2)),
    ];
    const culprits = [];
    const unresolved = [];
    let brokenHalves = 0;
    for (const half of halves) {
      bisectLeft--;
      const { run } = await runOnce(half);
      if (!run.isCrashed) continue;
      brokenHalves++;
      const found = await bisect(half);
      culprits.push(...found.culprits);
      unresolved.push(...found.unresolved);
    }
    // Neither half breaks alone: it takes the combination.
    if (brokenHalves === 0) unresolved.push(...items);
    return { culprits, unresolved };
  };

  const describeRun = (run) =>
    run.killedFor !== undefined
      ? `stopped after ${Math.round(run.wallMs)} ms (${run.killedFor} limit)`
      : `exit code ${run.exitCode}${run.signal ? `, signal ${run.signal}` : ''}${run.summary === undefined ? ', no summary on stdout' : ''}; stderr: ${run.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400)}`;

  // The client's memory with nothing hostile to hold: isolated cases are judged against it.
  if (cases.some((item) => item.checks.maxRssGrowthBytes !== undefined)) {
    const { run } = await runOnce([]);
    stats.baselineRssBytes = run.peakRssBytes;
    log(`baseline: a run of one valid stream peaks at ${mib(run.peakRssBytes)} RSS`);
  }

  const runs = groupRuns(cases, batchSize);
  for (const [index, items] of runs.entries()) {
    const { run, byKey, unreadable, anomalies, unserved } = await runOnce(items);
    stats.peakRssBytes = Math.max(stats.peakRssBytes, run.peakRssBytes);
    stats.casesRun += items.length;
    for (const item of items) {
      if (item.kind === 'edge') stats.edgeRun++;
      else stats.mutatedRun++;
    }
    const label = items.length === 1 ? items[0].key : `${items[0].key}…${items.at(-1).key}`;
    log(
      `run ${index + 1}/${runs.length} (${label}, ${items.length} cases): ${run.isCrashed ? describeRun(run) : `exit ${run.exitCode}`}, ${Math.round(run.wallMs)} ms, peak RSS ${mib(run.peakRssBytes)}`,
    );
    if (items.length === 1 && items[0].checks.isolated) {
      stats.isolated.push({
        key: items[0].key,
        peakRssBytes: run.peakRssBytes,
        wallMs: run.wallMs,
        stallMs: run.summary?.fidelity?.event_loop_delay_max_ms,
      });
    }
    for (const line of anomalies)
      failures.push({ kind: 'suite', key: '-', description: 'hostile server', message: line });
    for (const line of unreadable)
      failures.push({
        kind: 'crashed run',
        key: '-',
        description: 'records file',
        message: `an unreadable JSONL line: ${line}`,
      });
    const controlRecord = byKey.get('control');
    if (controlRecord !== undefined && controlRecord.status !== 'ok') {
      failures.push({
        kind: 'suite',
        key: 'control',
        description: control.description,
        message: `the control stream failed: ${controlRecord.error_class}: ${controlRecord.error_message}`,
      });
    }

    for (const item of items) {
      const record = byKey.get(item.key);
      for (const failure of judgeCase(item, record)) fail(item, failure.kind, failure.message);
      if (item.checks.maxRssGrowthBytes !== undefined) {
        const growth = run.peakRssBytes - stats.baselineRssBytes;
        if (growth > item.checks.maxRssGrowthBytes) {
          fail(
            item,
            'memory',
            `the client peaked at ${mib(run.peakRssBytes)} RSS, ${mib(growth)} above a one-stream run (bound ${mib(item.checks.maxRssGrowthBytes)})`,
          );
        }
      }
      const stallMs = run.summary?.fidelity?.event_loop_delay_max_ms;
      if (
        item.checks.maxStallMs !== undefined &&
        typeof stallMs === 'number' &&
        stallMs > item.checks.maxStallMs
      ) {
        fail(
          item,
          'hang',
          `the CLI's event loop stalled for ${stallMs} ms at once, more than ${item.checks.maxStallMs} ms`,
        );
      }
      if (item.checks.maxWallMs !== undefined && run.wallMs > item.checks.maxWallMs) {
        fail(
          item,
          'hang',
          `its CLI run took ${Math.round(run.wallMs)} ms, more than ${item.checks.maxWallMs} ms`,
        );
      }
    }

    if (!run.isCrashed) {
      for (const key of unserved) {
        const item = items.find((candidate) => candidate.key === key);
        if (item !== undefined)
          fail(item, 'suite', 'the CLI finished without requesting this case');
      }
      const missing = items.filter(
        (item) => byKey.has(item.key) && byKey.get(item.key) === undefined,
      );
      for (const item of missing)
        fail(item, 'crashed run', 'the run completed but wrote no record for this case');
      continue;
    }

    stats.crashedRuns++;
    const kind = run.killedFor === 'wall-clock' ? 'hang' : 'crashed run';
    // A CLI that breaks with nothing hostile to read is not broken by any case: bisecting
    // would blame them all.
    controlAloneBreaks ??= (await runOnce([])).run.isCrashed;
    if (controlAloneBreaks) {
      failures.push({
        kind,
        key: 'control',
        description: control.description,
        message: `the CLI breaks even with only the control stream: ${describeRun(run)}`,
      });
      continue;
    }
    const culprit = items.length === 1 ? { culprits: items, unresolved: [] } : await bisect(items);
    for (const item of culprit.culprits) {
      fail(item, kind, `its CLI run broke: ${describeRun(run)}`);
    }
    if (culprit.unresolved.length > 0) {
      const keys = culprit.unresolved.map((item) => item.key);
      failures.push({
        kind,
        key: keys.slice(0, 12).join(','),
        description: `${keys.length} cases (the first 12 in the key) of which no single one was isolated: the bisect budget ran out, or it takes them together`,
        message: `the CLI run broke: ${describeRun(run)}`,
      });
    }
  }

  await server.stop();
  rmSync(workDir, { recursive: true, force: true });
  stats.wallMs = performance.now() - started;
  return { stats, failures };
}

/** Bytes as MiB, one decimal. */
export function mib(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
