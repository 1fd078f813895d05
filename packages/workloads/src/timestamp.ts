// Timestamps of replay logs: ISO-8601 strings or epoch numbers. An epoch number below 10^11
// is seconds, at or above it milliseconds: 10^11 seconds is the year 5138 and 10^11
// milliseconds is March 1973, so no real log is ambiguous.

/** Epoch values below this are seconds; from it on, milliseconds. */
export const EPOCH_MILLISECONDS_FROM = 1e11;

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;
const NUMERIC = /^\s*\d+(?:\.\d+)?\s*$/;

/** What a timestamp may look like, for messages. */
export const TIMESTAMP_FORMS =
  'an ISO-8601 time such as "2025-03-01T12:00:00.250Z" or epoch seconds or milliseconds such as 1740830400.25';

/**
 * Milliseconds since the epoch (fractions kept) of `value`, or undefined when it is not a
 * timestamp. ISO times without an offset are read as UTC (only differences matter here).
 */
export function timestampMs(value: unknown): number | undefined {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return undefined;
  if (NUMERIC.test(value)) return fromEpoch(Number(value));
  const match = ISO.exec(value.trim());
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone = 'Z'] = match;
  const fields = [Number(month), Number(day), Number(hour), Number(minute), Number(second)];
  const [m, d, h, mi, s] = fields as [number, number, number, number, number];
  if (m < 1 || m > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  let ms = Date.UTC(Number(year), m - 1, d, h, mi, s);
  // Date.UTC rolls 31 April over to 1 May: a day that does not exist is not a timestamp.
  if (new Date(ms).getUTCDate() !== d) return undefined;
  if (fraction !== '') ms += Number(`0.${fraction}`) * 1000;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    ms -= sign * offsetMinutes * 60_000;
  }
  return ms;
}

function fromEpoch(value: number): number | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  return value < EPOCH_MILLISECONDS_FROM ? value * 1000 : value;
}
