import type {
  ConnectionPhases,
  ErrorClass,
  RequestRecord,
  RetryGaveUp,
  TokenCountSource,
} from '@llm-lens/core-timing';
import type { RecordJson } from './record-json.js';

/** A JSONL line that is not a record of ours, with where it is. */
export class RecordJsonError extends Error {
  readonly code = 'LENS_RECORDS_JSONL_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'RecordJsonError';
  }
}

const ns = (ms: number | null | undefined): bigint | undefined =>
  typeof ms === 'number' && Number.isFinite(ms) ? BigInt(Math.round(ms * 1e6)) : undefined;

/**
 * Turns a JSONL record (see {@link RecordJson}) back into a {@link RequestRecord}, so records
 * written by one run feed every exporter and the statistics after the fact. Durations come
 * back at the microsecond precision they were written with. `dispatchNs` is not in the file:
 * it becomes the wall-clock start in ns, which orders records the same way. Token events
 * come back only when the file has them (`--record-tokens`); without them the record has
 * none, so inter-token statistics cannot be rebuilt from it.
 */
export function recordFromJson(json: RecordJson): RequestRecord {
  const startedAtMs = Date.parse(json.started_at);
  const record: RequestRecord = {
    requestId: json.request_id,
    provider: json.provider,
    model: json.model,
    scenario: json.scenario,
    isWarmup: json.warmup === true || json.phase === 'warmup',
    startedAtMs,
    dispatchNs: BigInt(Math.round(startedAtMs)) * 1_000_000n,
    status: json.status,
    queueNs: ns(json.queue_ms) ?? 0n,
    tokenEventOffsetsNs: Float64Array.from(json.token_offsets_ms ?? [], (ms) =>
      Math.round(ms * 1e6),
    ),
    tokenEventTokens: Uint32Array.from(json.token_counts ?? []),
  };
  if (json.phase === 'cooldown') record.isCooldown = true;
  setNumber(record, 'repeat', json.repeat);
  if (json.session_id !== null && json.session_id !== undefined) record.sessionId = json.session_id;
  setNumber(record, 'turn', json.turn);
  setNumber(record, 'attempt', json.attempt);
  if (json.first_request_id !== null && json.first_request_id !== undefined) {
    record.firstRequestId = json.first_request_id;
  }
  if (json.retried === true) record.isRetried = true;
  setNumber(record, 'retryDelayMs', json.retry_delay_ms);
  if (json.retry_gave_up !== null && json.retry_gave_up !== undefined) {
    record.retryGaveUp = json.retry_gave_up as RetryGaveUp;
  }
  setNumber(record, 'httpStatus', json.http_status);
  if (json.error_class !== null && json.error_class !== undefined) {
    record.errorClass = json.error_class as ErrorClass;
  }
  if (json.error_message !== null && json.error_message !== undefined) {
    record.errorMessage = json.error_message;
  }
  setNs(record, 'sendDelayNs', json.send_delay_ms);
  const connectNs = ns(json.connect_ms);
  if (connectNs !== undefined) {
    const connection: ConnectionPhases = { connectNs };
    const dnsNs = ns(json.dns_ms);
    const tlsNs = ns(json.tls_ms);
    if (dnsNs !== undefined) connection.dnsNs = dnsNs;
    if (tlsNs !== undefined) connection.tlsNs = tlsNs;
    if (json.protocol !== null && json.protocol !== undefined) connection.protocol = json.protocol;
    record.connection = connection;
  }
  setNs(record, 'ttfbNs', json.ttfb_ms);
  setNs(record, 'ttftNs', json.ttft_ms);
  setNs(record, 'ttfoNs', json.ttfo_ms);
  setNs(record, 'e2eNs', json.e2e_ms);
  setNs(record, 'e2eFromScheduleNs', json.e2e_from_schedule_ms);
  setNs(record, 'ttftFromScheduleNs', json.ttft_from_schedule_ms);
  setNs(record, 'scheduleLagNs', json.schedule_lag_ms);
  setNs(record, 'tpotNs', json.tpot_ms);
  setNumber(record, 'inputTokens', json.input_tokens);
  setNumber(record, 'outputTokens', json.output_tokens);
  setNumber(record, 'reasoningTokens', json.reasoning_tokens);
  setNumber(record, 'cachedInputTokens', json.cached_input_tokens);
  if (json.token_count_source !== null && json.token_count_source !== undefined) {
    record.tokenCountSource = json.token_count_source as TokenCountSource;
  }
  setNumber(record, 'reportedOutputTokens', json.reported_output_tokens);
  if (typeof json.token_count_mismatch === 'boolean') {
    record.tokenCountMismatch = json.token_count_mismatch;
  }
  if (typeof json.token_count_estimated === 'boolean') {
    record.tokenCountEstimated = json.token_count_estimated;
  }
  if (json.usage_ignored !== null && json.usage_ignored !== undefined) {
    record.usageIgnored = json.usage_ignored;
  }
  setNumber(record, 'costUsd', json.cost_usd);
  if (json.server_timings !== null && json.server_timings !== undefined) {
    record.serverTimings = { ...json.server_timings };
  }
  return record;
}

type NumberField =
  | 'repeat'
  | 'turn'
  | 'attempt'
  | 'retryDelayMs'
  | 'httpStatus'
  | 'inputTokens'
  | 'outputTokens'
  | 'reasoningTokens'
  | 'cachedInputTokens'
  | 'reportedOutputTokens'
  | 'costUsd';

function setNumber(record: RequestRecord, field: NumberField, value: number | null | undefined) {
  if (typeof value === 'number' && Number.isFinite(value)) record[field] = value;
}

type NsField =
  | 'sendDelayNs'
  | 'ttfbNs'
  | 'ttftNs'
  | 'ttfoNs'
  | 'e2eNs'
  | 'e2eFromScheduleNs'
  | 'ttftFromScheduleNs'
  | 'scheduleLagNs'
  | 'tpotNs';

function setNs(record: RequestRecord, field: NsField, ms: number | null | undefined) {
  const value = ns(ms);
  if (value !== undefined) record[field] = value;
}

/**
 * Checks that a parsed JSONL line has the fields every record has, and names the line
 * when it does not (a summary JSON or another tool's file given as records).
 */
export function parseRecordLine(line: string, where: string): RecordJson {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new RecordJsonError(`${where}: not JSON (${(error as Error).message})`);
  }
  const object = value as Partial<RecordJson> | null;
  if (
    object === null ||
    typeof object !== 'object' ||
    typeof object.request_id !== 'string' ||
    typeof object.started_at !== 'string' ||
    Number.isNaN(Date.parse(object.started_at)) ||
    typeof object.provider !== 'string' ||
    typeof object.model !== 'string' ||
    (object.status !== 'ok' && object.status !== 'error')
  ) {
    throw new RecordJsonError(
      `${where}: not an llm-lens record (each line needs request_id, started_at, provider, model and status "ok" or "error", as \`llm-lens benchmark --records FILE.jsonl\` writes them)`,
    );
  }
  return object as RecordJson;
}
