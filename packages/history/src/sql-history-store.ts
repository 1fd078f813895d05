import type { RequestRecord } from '@llm-lens/core-timing';
import type { RunSummary } from '@llm-lens/metrics';
import { GROUP_STATISTIC_COLUMNS, groupRow, trendColumn } from './group-columns.js';
import {
  type HistoryEntry,
  type NewHistoryEntry,
  normalizeTags,
  toIsoTime,
  validateNewEntry,
} from './history-entry.js';
import { HistoryError } from './history-error.js';
import type {
  HistoryStore,
  LatestQuery,
  ListQuery,
  SaveOptions,
  TrendPoint,
  TrendQuery,
} from './history-store.js';
import { decodeRecordsBlob, encodeRecordsBlob } from './records-blob.js';
import type {
  HistoryBackendName,
  SqlBackend,
  SqlRow,
  SqlSession,
  SqlValue,
} from './sql-backend.js';

const RUN_COLUMNS = [
  'id',
  'saved_at',
  'started_at',
  'name',
  'tags',
  'config_hash',
  'tool_version',
  'git_commit',
  'hostname',
  'platform',
  'arch',
  'cpu_model',
  'cpu_count',
  'node_version',
  'summary',
] as const;

const GROUP_COLUMNS = [
  'run_id',
  'group_index',
  'provider',
  'model',
  'scenario',
  ...GROUP_STATISTIC_COLUMNS,
];

const SELECT_RUNS = `SELECT ${RUN_COLUMNS.map((c) => `r.${c}`).join(', ')},
  EXISTS (SELECT 1 FROM run_records x WHERE x.run_id = r.id) AS has_records
  FROM runs r`;

/** Ids listed in an ambiguity error. */
const AMBIGUOUS_SHOWN = 5;

/** A HistoryStore over any SqlBackend: the same SQL on SQLite and PostgreSQL. */
export class SqlHistoryStore implements HistoryStore {
  readonly #backend: SqlBackend;
  #isClosed = false;

  constructor(backend: SqlBackend) {
    this.#backend = backend;
  }

  get backend(): HistoryBackendName {
    return this.#backend.name;
  }

  get location(): string {
    return this.#backend.location;
  }

  async save(entry: NewHistoryEntry, options: SaveOptions = {}): Promise<HistoryEntry> {
    this.#checkOpen();
    validateNewEntry(entry);
    const stored: HistoryEntry = {
      id: entry.id,
      saved_at: toIsoTime(entry.saved_at ?? new Date(), 'saved_at'),
      started_at: toIsoTime(entry.started_at, 'started_at'),
      name: entry.name,
      tags: normalizeTags(entry.tags),
      config_hash: entry.config_hash,
      tool_version: entry.tool_version,
      git_commit: entry.git_commit,
      machine: { ...entry.machine },
      summary: entry.summary,
      has_records: options.records !== undefined,
    };
    // Compressed before the transaction, so the lock is held only while rows are written.
    const records =
      options.records === undefined ? undefined : await encodeRecordsBlob(options.records);
    await this.#backend.write(async (session) => {
      if (options.replace === true) await deleteRun(session, stored.id);
      const inserted = await session.run(
        `INSERT INTO runs (${RUN_COLUMNS.join(', ')}) VALUES (${placeholders(RUN_COLUMNS.length)})
         ON CONFLICT (id) DO NOTHING`,
        runRow(stored),
      );
      if (inserted === 0) {
        throw new HistoryError(
          'LENS_HISTORY_RUN_EXISTS',
          `history: run ${stored.id} is already stored in ${this.location}; delete it first or save with replace`,
        );
      }
      for (const tag of stored.tags) {
        await session.run('INSERT INTO run_tags (run_id, tag) VALUES (?, ?)', [stored.id, tag]);
      }
      const insertGroup = `INSERT INTO run_groups (${GROUP_COLUMNS.join(', ')}) VALUES (${placeholders(GROUP_COLUMNS.length)})`;
      for (const [index, group] of stored.summary.groups.entries()) {
        await session.run(insertGroup, [stored.id, index, ...groupRow(group)]);
      }
      if (records !== undefined) {
        await session.run(
          'INSERT INTO run_records (run_id, record_count, records) VALUES (?, ?, ?)',
          [stored.id, records.count, records.blob],
        );
      }
    });
    return stored;
  }

  async list(query: ListQuery = {}): Promise<HistoryEntry[]> {
    this.#checkOpen();
    const { where, params } = runFilter(query);
    let sql = `${SELECT_RUNS} ${where} ORDER BY r.started_at DESC, r.saved_at DESC, r.id`;
    if (query.limit !== undefined) {
      if (!Number.isInteger(query.limit) || query.limit < 1) {
        throw new HistoryError(
          'LENS_HISTORY_VALUE_INVALID',
          `history: limit ${query.limit} is not valid; give a whole number of runs, 1 or more`,
        );
      }
      sql += ' LIMIT ?';
      params.push(query.limit);
    }
    const rows = await this.#backend.read((session) => session.all(sql, params));
    return rows.map(entryFromRow);
  }

  async get(idOrPrefix: string): Promise<HistoryEntry> {
    this.#checkOpen();
    return this.#backend.read(async (session) => {
      const id = await this.#resolveId(session, idOrPrefix);
      const rows = await session.all(`${SELECT_RUNS} WHERE r.id = ?`, [id]);
      return entryFromRow(rows[0]!);
    });
  }

  async latest(query: LatestQuery = {}): Promise<HistoryEntry | undefined> {
    const [entry] = await this.list({ ...query, limit: 1 });
    return entry;
  }

  async delete(idOrPrefix: string): Promise<string> {
    this.#checkOpen();
    return this.#backend.write(async (session) => {
      const id = await this.#resolveId(session, idOrPrefix);
      await deleteRun(session, id);
      return id;
    });
  }

  async trend(query: TrendQuery): Promise<TrendPoint[]> {
    this.#checkOpen();
    const column = trendColumn(query.metric);
    // Provider, model and scenario select the group rows themselves, not runs that have one.
    const runQuery: ListQuery = {};
    if (query.tag !== undefined) runQuery.tag = query.tag;
    if (query.since !== undefined) runQuery.since = query.since;
    const { where, params } = runFilter(runQuery, groupConditions(query, 'g'));
    const rows = await this.#backend.read((session) =>
      session.all(
        `SELECT g.run_id, r.started_at, r.tags, g.provider, g.model, g.scenario, g.${column} AS value
         FROM run_groups g JOIN runs r ON r.id = g.run_id ${where}
         ORDER BY r.started_at, g.run_id, g.group_index`,
        params,
      ),
    );
    return rows.map((row) => ({
      run_id: String(row.run_id),
      started_at: String(row.started_at),
      value: row.value === null ? null : Number(row.value),
      tags: JSON.parse(String(row.tags)) as string[],
      provider: String(row.provider),
      model: String(row.model),
      scenario: String(row.scenario),
    }));
  }

  async records(idOrPrefix: string): Promise<AsyncIterable<RequestRecord> | undefined> {
    this.#checkOpen();
    const found = await this.#backend.read(async (session) => {
      const id = await this.#resolveId(session, idOrPrefix);
      const rows = await session.all('SELECT records FROM run_records WHERE run_id = ?', [id]);
      return { id, blob: rows[0]?.records as Uint8Array | undefined };
    });
    if (found.blob === undefined) return undefined;
    return decodeRecordsBlob(found.blob, found.id);
  }

  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    await this.#backend.close();
  }

  async #resolveId(session: SqlSession, idOrPrefix: string): Promise<string> {
    if (typeof idOrPrefix !== 'string' || idOrPrefix === '') {
      throw new HistoryError(
        'LENS_HISTORY_VALUE_INVALID',
        `history: run id ${JSON.stringify(idOrPrefix)} is not valid; give a run id or its first characters`,
      );
    }
    const exact = await session.all('SELECT id FROM runs WHERE id = ?', [idOrPrefix]);
    if (exact.length > 0) return idOrPrefix;
    // substr rather than LIKE: SQLite's LIKE ignores case, PostgreSQL's does not.
    const matches = await session.all(
      'SELECT id FROM runs WHERE substr(id, 1, ?) = ? ORDER BY started_at DESC, id LIMIT ?',
      [idOrPrefix.length, idOrPrefix, AMBIGUOUS_SHOWN + 1],
    );
    if (matches.length === 1) return String(matches[0]!.id);
    if (matches.length === 0) {
      throw new HistoryError(
        'LENS_HISTORY_RUN_NOT_FOUND',
        `history: no run id starts with "${idOrPrefix}" in ${this.location}; list the stored runs to find its id`,
      );
    }
    const shown = matches.slice(0, AMBIGUOUS_SHOWN).map((row) => String(row.id));
    const more = matches.length > AMBIGUOUS_SHOWN ? ' and more' : '';
    throw new HistoryError(
      'LENS_HISTORY_RUN_AMBIGUOUS',
      `history: run id prefix "${idOrPrefix}" matches ${shown.join(', ')}${more}; give more characters of the id`,
    );
  }

  #checkOpen(): void {
    if (this.#isClosed) {
      throw new HistoryError(
        'LENS_HISTORY_CLOSED',
        `history: the store of ${this.location} was closed; open it again with openHistory`,
      );
    }
  }
}

/** WHERE text and its parameters for the run filters of a query (on alias `r`). */
function runFilter(
  query: ListQuery,
  extra: { conditions: string[]; params: SqlValue[] } = { conditions: [], params: [] },
): { where: string; params: SqlValue[] } {
  const conditions = [...extra.conditions];
  const params = [...extra.params];
  if (query.since !== undefined) {
    conditions.push('r.started_at >= ?');
    params.push(toIsoTime(query.since, 'since'));
  }
  if (query.tag !== undefined) {
    conditions.push('EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.tag = ?)');
    params.push(query.tag);
  }
  const group = groupConditions(query, 'gf');
  if (group.conditions.length > 0) {
    conditions.push(
      `EXISTS (SELECT 1 FROM run_groups gf WHERE gf.run_id = r.id AND ${group.conditions.join(' AND ')})`,
    );
    params.push(...group.params);
  }
  return { where: conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`, params };
}

function groupConditions(
  query: Pick<ListQuery, 'provider' | 'model' | 'scenario'>,
  alias: string,
): { conditions: string[]; params: SqlValue[] } {
  const conditions: string[] = [];
  const params: SqlValue[] = [];
  for (const key of ['provider', 'model', 'scenario'] as const) {
    const value = query[key];
    if (value === undefined) continue;
    conditions.push(`${alias}.${key} = ?`);
    params.push(value);
  }
  return { conditions, params };
}

async function deleteRun(session: SqlSession, id: string): Promise<void> {
  // Explicit rather than by ON DELETE CASCADE alone: a SQLite connection opened by another
  // program may have foreign keys off.
  for (const table of ['run_records', 'run_groups', 'run_tags']) {
    await session.run(`DELETE FROM ${table} WHERE run_id = ?`, [id]);
  }
  await session.run('DELETE FROM runs WHERE id = ?', [id]);
}

function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

function runRow(entry: HistoryEntry): SqlValue[] {
  const { machine } = entry;
  return [
    entry.id,
    entry.saved_at,
    entry.started_at,
    entry.name,
    JSON.stringify(entry.tags),
    entry.config_hash,
    entry.tool_version,
    entry.git_commit,
    machine.hostname,
    machine.platform,
    machine.arch,
    machine.cpu_model,
    machine.cpu_count,
    machine.node_version,
    JSON.stringify(entry.summary),
  ];
}

function entryFromRow(row: SqlRow): HistoryEntry {
  const text = (value: unknown): string | null => (value === null ? null : String(value));
  return {
    id: String(row.id),
    saved_at: String(row.saved_at),
    started_at: String(row.started_at),
    name: text(row.name),
    tags: JSON.parse(String(row.tags)) as string[],
    config_hash: String(row.config_hash),
    tool_version: String(row.tool_version),
    git_commit: text(row.git_commit),
    machine: {
      hostname: String(row.hostname),
      platform: String(row.platform),
      arch: String(row.arch),
      cpu_model: String(row.cpu_model),
      cpu_count: Number(row.cpu_count),
      node_version: String(row.node_version),
    },
    // JSONB (PostgreSQL) arrives parsed; TEXT (SQLite) as the JSON text.
    summary: (typeof row.summary === 'string'
      ? JSON.parse(row.summary)
      : row.summary) as RunSummary,
    has_records: row.has_records === true || Number(row.has_records) === 1,
  };
}
