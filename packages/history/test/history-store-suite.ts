import type { RequestRecord } from '@llm-lens/core-timing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  HistoryError,
  type HistoryStore,
  historyEntryFromSummary,
  SCHEMA_VERSION,
} from '../src/index.js';
import { makeRun, type RunFixture, TEST_MACHINE } from './run-fixtures.js';

/** One database, opened as often as a test likes. */
export interface StoreFixture {
  /** Opens (and migrates) the database again: a new HistoryStore on the same data. */
  open(): Promise<HistoryStore>;
  /** Runs SQL on the database directly, around the store. */
  exec(sql: string): Promise<void>;
  /** Runs a query on the database directly. */
  query(sql: string): Promise<Record<string, unknown>[]>;
}

const OPENAI = { provider: 'openai', model: 'gpt-4o-mini', scenario: 'chat' };
const ANTHROPIC = { provider: 'anthropic', model: 'claude-haiku', scenario: 'chat' };

function run(
  id: string,
  startedAt: string,
  ttftMs: number,
  extra: Partial<{ seed: number; cost: number }> = {},
): RunFixture {
  return makeRun({
    runId: id,
    startedAt,
    seed: extra.seed ?? ttftMs,
    groups: [
      { ...OPENAI, ttftMs, ...(extra.cost !== undefined && { costUsd: extra.cost }) },
      { ...ANTHROPIC, ttftMs: ttftMs * 2, failureRate: 0.25 },
    ],
  });
}

async function expectHistoryError(promise: Promise<unknown>, code: string, text?: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HistoryError);
  expect((error as HistoryError).code).toBe(code);
  if (text !== undefined) expect((error as HistoryError).message).toMatch(text);
}

/** The behaviour every HistoryStore backend must have. */
export function describeHistoryStore(name: string, createFixture: () => Promise<StoreFixture>) {
  describe(`HistoryStore on ${name}`, () => {
    let fixture: StoreFixture;
    let store: HistoryStore;
    const save = (r: RunFixture, tags: string[] = [], name: string | null = null) =>
      store.save(historyEntryFromSummary(r.summary, { tags, name, machine: TEST_MACHINE }));

    beforeEach(async () => {
      fixture = await createFixture();
      store = await fixture.open();
    });

    afterEach(async () => {
      await store.close();
    });

    it('returns a saved run as it was saved', async () => {
      const r = run('8f1c0a2e-0000-4000-8000-000000000001', '2026-01-05T10:00:00.000Z', 120);
      const saved = await store.save(
        historyEntryFromSummary(r.summary, {
          name: 'nightly',
          tags: ['main', 'nightly', 'main'],
          gitCommit: '3f2a9c1',
          machine: TEST_MACHINE,
        }),
      );
      expect(saved.tags).toEqual(['main', 'nightly']);
      expect(saved.saved_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const got = await store.get(r.summary.run.run_id);
      expect(got).toEqual({
        id: '8f1c0a2e-0000-4000-8000-000000000001',
        saved_at: saved.saved_at,
        started_at: '2026-01-05T10:00:00.000Z',
        name: 'nightly',
        tags: ['main', 'nightly'],
        config_hash: 'cfg-1',
        tool_version: '0.1.0',
        git_commit: '3f2a9c1',
        machine: TEST_MACHINE,
        summary: r.summary,
        has_records: false,
      });
      expect(store.location).not.toBe('');
    });

    it('finds a run by a unique id prefix and names the candidates of an ambiguous one', async () => {
      await save(run('aaaa1111-0000', '2026-01-01T00:00:00.000Z', 100));
      await save(run('aaaa2222-0000', '2026-01-02T00:00:00.000Z', 100));
      await save(run('AAAA3333-0000', '2026-01-03T00:00:00.000Z', 100));
      expect((await store.get('aaaa1')).id).toBe('aaaa1111-0000');
      // Case matters on every backend (SQLite's LIKE would ignore it).
      expect((await store.get('AAAA')).id).toBe('AAAA3333-0000');
      await expectHistoryError(
        store.get('aaaa'),
        'LENS_HISTORY_RUN_AMBIGUOUS',
        /"aaaa" matches aaaa2222-0000, aaaa1111-0000; give more characters/,
      );
      await expectHistoryError(
        store.get('b'),
        'LENS_HISTORY_RUN_NOT_FOUND',
        /no run id starts with "b"/,
      );
      await expectHistoryError(store.get(''), 'LENS_HISTORY_VALUE_INVALID');
    });

    it('prefers an exact id over longer ids it is a prefix of', async () => {
      await save(run('run-1', '2026-01-01T00:00:00.000Z', 100));
      await save(run('run-10', '2026-01-02T00:00:00.000Z', 100));
      expect((await store.get('run-1')).id).toBe('run-1');
    });

    it('refuses to save a run id twice unless asked to replace it', async () => {
      const first = run('dup-1', '2026-01-01T00:00:00.000Z', 100);
      await save(first, ['a']);
      await expectHistoryError(
        save(first, ['b']),
        'LENS_HISTORY_RUN_EXISTS',
        /dup-1 is already stored/,
      );
      const faster = run('dup-1', '2026-01-01T00:00:00.000Z', 50);
      await store.save(
        historyEntryFromSummary(faster.summary, { tags: ['b'], machine: TEST_MACHINE }),
        {
          replace: true,
        },
      );
      const got = await store.get('dup-1');
      expect(got.tags).toEqual(['b']);
      expect(got.summary).toEqual(faster.summary);
      const points = await store.trend({ metric: 'ttft.p95', provider: 'openai' });
      expect(points.map((p) => p.value)).toEqual([faster.summary.groups[0]!.ttft!.p95]);
      expect(await store.list({ tag: 'a' })).toEqual([]);
    });

    it('lists runs latest first, filtered by group, tag, time and count', async () => {
      const jan = run('r-jan', '2026-01-10T00:00:00.000Z', 100);
      const feb = run('r-feb', '2026-02-10T00:00:00.000Z', 110);
      const mar = makeRun({
        runId: 'r-mar',
        startedAt: '2026-03-10T00:00:00.000Z',
        groups: [{ provider: 'openai', model: 'gpt-4o', scenario: 'rag', ttftMs: 90 }],
      });
      await save(feb, ['main']);
      await save(mar, ['main', 'release']);
      await save(jan, ['branch']);
      const ids = (entries: { id: string }[]) => entries.map((e) => e.id);
      expect(ids(await store.list())).toEqual(['r-mar', 'r-feb', 'r-jan']);
      expect(ids(await store.list({ tag: 'main' }))).toEqual(['r-mar', 'r-feb']);
      expect(ids(await store.list({ provider: 'anthropic' }))).toEqual(['r-feb', 'r-jan']);
      expect(ids(await store.list({ model: 'gpt-4o' }))).toEqual(['r-mar']);
      expect(ids(await store.list({ scenario: 'rag' }))).toEqual(['r-mar']);
      // Provider and model must hold in the same group.
      expect(ids(await store.list({ provider: 'anthropic', model: 'gpt-4o-mini' }))).toEqual([]);
      expect(ids(await store.list({ since: '2026-02-10T00:00:00Z' }))).toEqual(['r-mar', 'r-feb']);
      expect(ids(await store.list({ since: new Date('2026-02-11T00:00:00Z') }))).toEqual(['r-mar']);
      expect(ids(await store.list({ limit: 2 }))).toEqual(['r-mar', 'r-feb']);
      expect(ids(await store.list({ tag: 'main', provider: 'anthropic', limit: 5 }))).toEqual([
        'r-feb',
      ]);
      await expectHistoryError(store.list({ limit: 0 }), 'LENS_HISTORY_VALUE_INVALID', /limit 0/);
      await expectHistoryError(
        store.list({ since: 'last tuesday' }),
        'LENS_HISTORY_VALUE_INVALID',
        /since/,
      );
    });

    it('finds the latest run by tag and by group', async () => {
      expect(await store.latest()).toBeUndefined();
      await save(run('l-1', '2026-01-01T00:00:00.000Z', 100), ['main']);
      await save(run('l-3', '2026-01-03T00:00:00.000Z', 100), ['branch']);
      await save(run('l-2', '2026-01-02T00:00:00.000Z', 100), ['main']);
      expect((await store.latest())?.id).toBe('l-3');
      expect((await store.latest({ tag: 'main' }))?.id).toBe('l-2');
      expect(
        (await store.latest({ provider: 'openai', model: 'gpt-4o-mini', scenario: 'chat' }))?.id,
      ).toBe('l-3');
      expect(await store.latest({ tag: 'release' })).toBeUndefined();
      expect(await store.latest({ provider: 'cohere' })).toBeUndefined();
    });

    it('deletes a run by prefix with its groups, tags and records', async () => {
      const doomed = run('del-1', '2026-01-01T00:00:00.000Z', 100);
      await store.save(
        historyEntryFromSummary(doomed.summary, { tags: ['x'], machine: TEST_MACHINE }),
        {
          records: doomed.records,
        },
      );
      await save(run('keep-1', '2026-01-02T00:00:00.000Z', 100), ['x']);
      expect(await store.delete('del')).toBe('del-1');
      expect((await store.list()).map((e) => e.id)).toEqual(['keep-1']);
      expect((await store.trend({ metric: 'e2e.p50' })).map((p) => p.run_id)).toEqual([
        'keep-1',
        'keep-1',
      ]);
      for (const table of ['run_groups', 'run_tags', 'run_records']) {
        const rows = await fixture.query(`SELECT run_id FROM ${table} WHERE run_id = 'del-1'`);
        expect(rows).toEqual([]);
      }
      await expectHistoryError(store.delete('del'), 'LENS_HISTORY_RUN_NOT_FOUND');
    });

    it('follows a statistic over time, oldest first, with the stored values', async () => {
      const runs = [
        run('t-3', '2026-01-03T00:00:00.000Z', 140, { cost: 0.002 }),
        run('t-1', '2026-01-01T00:00:00.000Z', 100, { cost: 0.001 }),
        run('t-2', '2026-01-02T00:00:00.000Z', 120),
      ];
      await save(runs[0]!, ['main']);
      await save(runs[1]!, ['main']);
      await save(runs[2]!, ['branch']);
      const byId = new Map(runs.map((r) => [r.summary.run.run_id, r.summary]));
      const points = await store.trend({ metric: 'ttft.p95', provider: 'openai' });
      expect(points).toEqual(
        ['t-1', 't-2', 't-3'].map((id) => ({
          run_id: id,
          started_at: byId.get(id)!.run.started_at,
          value: byId.get(id)!.groups[0]!.ttft!.p95,
          tags: id === 't-2' ? ['branch'] : ['main'],
          ...OPENAI,
        })),
      );
      // The values are the summaries' own, and they differ run to run.
      expect(new Set(points.map((p) => p.value)).size).toBe(3);

      const both = await store.trend({ metric: 'success_rate', tag: 'main' });
      expect(both.map((p) => [p.run_id, p.provider, p.value])).toEqual([
        ['t-1', 'openai', 1],
        ['t-1', 'anthropic', byId.get('t-1')!.groups[1]!.success_rate],
        ['t-3', 'openai', 1],
        ['t-3', 'anthropic', byId.get('t-3')!.groups[1]!.success_rate],
      ]);
      expect(both[1]!.value).toBeLessThan(1);

      const costs = await store.trend({ metric: 'cost.per_request_usd', provider: 'openai' });
      expect(costs.map((p) => p.value)).toEqual([0.001, null, 0.002]);

      const rates = await store.trend({
        metric: 'throughput.output_tokens_per_s',
        provider: 'anthropic',
        since: '2026-01-02T00:00:00Z',
      });
      expect(rates.map((p) => [p.run_id, p.value])).toEqual([
        ['t-2', byId.get('t-2')!.groups[1]!.throughput.output_tokens_per_s],
        ['t-3', byId.get('t-3')!.groups[1]!.throughput.output_tokens_per_s],
      ]);
      await expectHistoryError(
        store.trend({ metric: 'ttft.p42' as 'ttft.p95' }),
        'LENS_HISTORY_VALUE_INVALID',
        /"ttft.p42" is not known; use one of ttft.p50, ttft.p95, ttft.p99, itl.p50/,
      );
    });

    it('gives back the saved records exactly, and undefined for a run saved without them', async () => {
      const r = run('rec-1', '2026-01-01T00:00:00.000Z', 100);
      async function* stream(): AsyncGenerator<RequestRecord> {
        yield* r.records;
      }
      const saved = await store.save(
        historyEntryFromSummary(r.summary, { machine: TEST_MACHINE }),
        {
          records: stream(),
        },
      );
      expect(saved.has_records).toBe(true);
      expect((await store.get('rec-1')).has_records).toBe(true);
      const back: RequestRecord[] = [];
      for await (const record of (await store.records('rec'))!) back.push(record);
      expect(back).toEqual(r.records);
      expect(back[1]!.ttftNs).toBe(r.records[1]!.ttftNs);
      expect(back[1]!.tokenEventOffsetsNs).toBeInstanceOf(Float64Array);
      const rows = await fixture.query(
        "SELECT record_count FROM run_records WHERE run_id = 'rec-1'",
      );
      expect(Number(rows[0]!.record_count)).toBe(r.records.length);

      await save(run('rec-2', '2026-01-02T00:00:00.000Z', 100));
      expect(await store.records('rec-2')).toBeUndefined();
      expect((await store.get('rec-2')).has_records).toBe(false);
    });

    it('applies each migration once however often the database is opened', async () => {
      await save(run('m-1', '2026-01-01T00:00:00.000Z', 100));
      const again = await fixture.open();
      const third = await fixture.open();
      try {
        expect((await third.get('m-1')).id).toBe('m-1');
      } finally {
        await again.close();
        await third.close();
      }
      const versions = await fixture.query(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(versions.map((row) => Number(row.version))).toEqual(
        Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
      );
    });

    it('refuses a database migrated by a newer llm-lens', async () => {
      await fixture.exec(
        `INSERT INTO schema_migrations (version, name, applied_at) VALUES (${SCHEMA_VERSION + 1}, 'future', '2030-01-01T00:00:00.000Z')`,
      );
      await expectHistoryError(
        fixture.open(),
        'LENS_HISTORY_SCHEMA_NEWER',
        new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than the ${SCHEMA_VERSION}`),
      );
    });

    it('refuses calls after close', async () => {
      await store.close();
      await expectHistoryError(store.list(), 'LENS_HISTORY_CLOSED');
    });
  });
}
