// Chrome Trace Event Format, as ui.perfetto.dev and chrome://tracing read it:
// https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU
// ("X" complete events nest by time on a thread; "i" instants with "s":"t" are thread-scoped;
// "M" metadata names processes and threads). Timestamps and durations are in µs.
import type { RequestRecord } from '@llm-lens/core-timing';
import { SlotAssigner } from './slot-assigner.js';

/** One trace event, as written. */
export interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'M';
  pid: number;
  tid: number;
  cat?: string;
  /** µs; written with ns precision (see {@link formatMicros}). */
  ts?: bigint;
  dur?: bigint;
  s?: 't';
  args?: Record<string, unknown>;
}

/** Names of the spans under each request, in time order. */
export const SPAN_NAMES = {
  queue: 'queue',
  connect: 'connect',
  waiting: 'waiting for first token',
  streaming: 'streaming',
  tokens: 'tokens',
} as const;

/** ns as µs text, exact: `1234567n` → `1234.567` (a float64 would round large stamps). */
export function formatMicros(ns: bigint): string {
  const sign = ns < 0n ? '-' : '';
  const magnitude = ns < 0n ? -ns : ns;
  const whole = magnitude / 1000n;
  const fraction = magnitude % 1000n;
  if (fraction === 0n) return `${sign}${whole}`;
  return `${sign}${whole}.${fraction.toString().padStart(3, '0').replace(/0+$/, '')}`;
}

/** An event as one line of JSON. */
export function formatTraceEvent(event: TraceEvent): string {
  let text = `{"name":${JSON.stringify(event.name)},"ph":"${event.ph}"`;
  if (event.cat !== undefined) text += `,"cat":${JSON.stringify(event.cat)}`;
  if (event.ts !== undefined) text += `,"ts":${formatMicros(event.ts)}`;
  if (event.dur !== undefined) text += `,"dur":${formatMicros(event.dur)}`;
  if (event.s !== undefined) text += `,"s":"${event.s}"`;
  text += `,"pid":${event.pid},"tid":${event.tid}`;
  if (event.args !== undefined) text += `,"args":${JSON.stringify(event.args)}`;
  return `${text}}`;
}

/** Where a request sits in time: scheduled (queue start) → end, both on the dispatch clock. */
export function requestSpanNs(record: RequestRecord): { startNs: bigint; endNs: bigint } {
  const startNs = record.dispatchNs - (record.sendDelayNs ?? 0n) - record.queueNs;
  return { startNs, endNs: record.dispatchNs + requestDurationAfterDispatchNs(record) };
}

/**
 * dispatch → end: e2e, or for a request that has none (failed before its end was stamped)
 * the last moment it is known to have lived.
 */
function requestDurationAfterDispatchNs(record: RequestRecord): bigint {
  if (record.e2eNs !== undefined) return record.e2eNs;
  let last = 0n;
  for (const value of [record.ttfbNs, record.ttftNs, record.ttfoNs]) {
    if (value !== undefined && value > last) last = value;
  }
  const events = record.tokenEventOffsetsNs;
  if (events.length > 0) {
    const lastEvent = BigInt(Math.round(events[events.length - 1]!));
    if (lastEvent > last) last = lastEvent;
  }
  return last;
}

const phaseOf = (record: RequestRecord) =>
  record.isWarmup ? 'warmup' : record.isCooldown === true ? 'cooldown' : 'measure';

const msOf = (ns: bigint | undefined) =>
  ns === undefined ? null : Math.round(Number(ns) / 1e3) / 1e3;

export interface TraceOptions {
  /** Draw each token event as an instant. Default true; false makes a much smaller file. */
  tokenEvents?: boolean;
}

/**
 * A request's events on its track: the whole request, the spans under it (queue, with a
 * connect inside when it opened a connection; waiting for the first token; streaming), and
 * one instant per token event with the tokens it carried. Queue + waiting + streaming cover
 * the request exactly.
 */
export function requestTraceEvents(
  record: RequestRecord,
  pid: number,
  tid: number,
  options: TraceOptions = {},
): TraceEvent[] {
  const { startNs, endNs } = requestSpanNs(record);
  const dispatch = record.dispatchNs;
  const events: TraceEvent[] = [
    {
      name: record.requestId,
      cat: 'request',
      ph: 'X',
      ts: startNs,
      dur: endNs - startNs,
      pid,
      tid,
      args: {
        status: record.status,
        http_status: record.httpStatus ?? null,
        error_class: record.errorClass ?? null,
        phase: phaseOf(record),
        attempt: record.attempt ?? null,
        input_tokens: record.inputTokens ?? null,
        output_tokens: record.outputTokens ?? null,
        token_events: record.tokenEventOffsetsNs.length,
        ttft_ms: msOf(record.ttftNs),
        e2e_ms: msOf(record.e2eNs),
      },
    },
    {
      name: SPAN_NAMES.queue,
      cat: 'phase',
      ph: 'X',
      ts: startNs,
      dur: dispatch - startNs,
      pid,
      tid,
      args: { queue_ms: msOf(record.queueNs), send_delay_ms: msOf(record.sendDelayNs) },
    },
  ];
  const connection = record.connection;
  if (connection !== undefined) {
    const setupNs = (connection.dnsNs ?? 0n) + connection.connectNs + (connection.tlsNs ?? 0n);
    // The connection is opened between hand-off and the headers' write, so it ends at
    // dispatch; clamped to the queue span, which must contain it.
    const connectStart = dispatch - setupNs > startNs ? dispatch - setupNs : startNs;
    events.push({
      name: SPAN_NAMES.connect,
      cat: 'phase',
      ph: 'X',
      ts: connectStart,
      dur: dispatch - connectStart,
      pid,
      tid,
      args: {
        dns_ms: msOf(connection.dnsNs),
        connect_ms: msOf(connection.connectNs),
        tls_ms: msOf(connection.tlsNs),
        protocol: connection.protocol ?? null,
      },
    });
  }
  const firstTokenNs =
    record.ttftNs !== undefined && dispatch + record.ttftNs <= endNs
      ? dispatch + record.ttftNs
      : endNs;
  events.push({
    name: SPAN_NAMES.waiting,
    cat: 'phase',
    ph: 'X',
    ts: dispatch,
    dur: firstTokenNs - dispatch,
    pid,
    tid,
  });
  if (firstTokenNs < endNs) {
    events.push({
      name: SPAN_NAMES.streaming,
      cat: 'phase',
      ph: 'X',
      ts: firstTokenNs,
      dur: endNs - firstTokenNs,
      pid,
      tid,
    });
  }
  if (options.tokenEvents === false) return events;
  const offsets = record.tokenEventOffsetsNs;
  const tokens = record.tokenEventTokens;
  for (let i = 0; i < offsets.length; i++) {
    events.push({
      name: SPAN_NAMES.tokens,
      cat: 'token',
      ph: 'i',
      s: 't',
      ts: dispatch + BigInt(Math.round(offsets[i]!)),
      pid,
      tid,
      args: { tokens: tokens[i] ?? 1 },
    });
  }
  return events;
}

interface ProcessState {
  pid: number;
  slots: SlotAssigner;
}

/**
 * Turns records, in completion order, into the text of one trace file, piece by piece: the
 * opening, then each record's events (with process and thread names the first time a
 * group or slot appears), then the closing with `otherData`. Pure: it returns text and
 * keeps only one slot table per group and the run's first dispatch, never the records.
 */
export class TraceSerializer {
  private readonly processes = new Map<string, ProcessState>();
  private hasEvents = false;
  private recordCount = 0;
  private first: { dispatchNs: bigint; startedAtMs: number } | undefined;

  constructor(private readonly options: TraceOptions = {}) {}

  /** The text that opens the file. */
  begin(): string {
    return '{"traceEvents":[\n';
  }

  /** One record's events, each on its own line, with the separators they need. */
  record(record: RequestRecord): string {
    this.recordCount++;
    if (this.first === undefined || record.dispatchNs < this.first.dispatchNs) {
      this.first = { dispatchNs: record.dispatchNs, startedAtMs: record.startedAtMs };
    }
    const events: TraceEvent[] = [];
    const key = `${record.provider}\u0000${record.model}\u0000${record.scenario}`;
    let process = this.processes.get(key);
    if (process === undefined) {
      process = { pid: this.processes.size + 1, slots: new SlotAssigner() };
      this.processes.set(key, process);
      const name = `${record.provider} / ${record.model} / ${record.scenario}`;
      events.push(
        { name: 'process_name', ph: 'M', pid: process.pid, tid: 0, args: { name } },
        {
          name: 'process_sort_index',
          ph: 'M',
          pid: process.pid,
          tid: 0,
          args: { sort_index: process.pid },
        },
      );
    }
    const { startNs, endNs } = requestSpanNs(record);
    const opened = process.slots.count;
    const tid = process.slots.assign(startNs, endNs);
    if (tid > opened) {
      events.push(
        { name: 'thread_name', ph: 'M', pid: process.pid, tid, args: { name: `slot ${tid}` } },
        { name: 'thread_sort_index', ph: 'M', pid: process.pid, tid, args: { sort_index: tid } },
      );
    }
    events.push(...requestTraceEvents(record, process.pid, tid, this.options));
    let text = '';
    for (const event of events) {
      text += `${this.hasEvents ? ',\n' : ''}${formatTraceEvent(event)}`;
      this.hasEvents = true;
    }
    return text;
  }

  /** The text that closes the file: the display unit and what the trace is (`otherData`). */
  end(): string {
    const slots: Record<string, number> = {};
    for (const [key, process] of this.processes)
      slots[key.replaceAll('\u0000', ' / ')] = process.slots.count;
    const otherData = {
      generator: 'llm-latency-lens',
      clock: 'monotonic dispatch clock (process.hrtime), µs',
      records: this.recordCount,
      first_dispatch_ts:
        this.first === undefined ? null : Number(formatMicros(this.first.dispatchNs)),
      first_dispatch_wall_clock:
        this.first === undefined ? null : new Date(this.first.startedAtMs).toISOString(),
      slots,
    };
    return `${this.hasEvents ? '\n' : ''}],\n"displayTimeUnit":"ms",\n"otherData":${JSON.stringify(otherData)}}\n`;
  }
}
