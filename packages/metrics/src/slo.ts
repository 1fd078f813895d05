// Goodput: the requests that met every service-level objective, not just the ones that
// succeeded. A latency SLO is a bound per request, checked on the request's own numbers.
import type { RequestRecord } from '@llm-lens/core-timing';

/** Per-request bounds, ms; a request meets the SLOs when it succeeded and is within every one set. */
export interface SloTargets {
  ttft_ms?: number;
  tpot_ms?: number;
  e2e_ms?: number;
  /** From the due time (open loops): the wait a user arriving on schedule had. */
  ttft_from_schedule_ms?: number;
  e2e_from_schedule_ms?: number;
}

/** The SLO names, in the order they are reported. */
export const SLO_NAMES = [
  'ttft_ms',
  'tpot_ms',
  'e2e_ms',
  'ttft_from_schedule_ms',
  'e2e_from_schedule_ms',
] as const satisfies ReadonlyArray<keyof SloTargets>;

const FIELD: Record<keyof SloTargets, keyof RequestRecord> = {
  ttft_ms: 'ttftNs',
  tpot_ms: 'tpotNs',
  e2e_ms: 'e2eNs',
  ttft_from_schedule_ms: 'ttftFromScheduleNs',
  e2e_from_schedule_ms: 'e2eFromScheduleNs',
};

/**
 * Whether a measured request met every SLO set. A failed request never does. A bound on a
 * value the request does not have (tpot of a one-token answer) is met only by ttft/e2e
 * values that exist: a missing ttft or e2e fails its bound; a missing tpot passes (a
 * single token has no pace to miss).
 */
export function meetsSlo(record: RequestRecord, slo: SloTargets): boolean {
  if (record.status !== 'ok') return false;
  for (const name of SLO_NAMES) {
    const limitMs = slo[name];
    if (limitMs === undefined) continue;
    const value = record[FIELD[name]] as bigint | undefined;
    if (value === undefined) {
      if (name === 'tpot_ms') continue;
      return false;
    }
    if (Number(value) / 1e6 > limitMs) return false;
  }
  return true;
}

/** `ttft ≤ 500 ms, tpot ≤ 50 ms`: the SLOs in words. */
export function describeSlo(slo: SloTargets): string {
  return SLO_NAMES.filter((name) => slo[name] !== undefined)
    .map((name) => `${name.replace(/_ms$/, '')} ≤ ${slo[name]} ms`)
    .join(', ');
}

/** True when at least one SLO is set. */
export function hasSlo(slo: SloTargets | undefined): slo is SloTargets {
  return slo !== undefined && SLO_NAMES.some((name) => slo[name] !== undefined);
}
