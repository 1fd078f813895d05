// InfluxDB line protocol, written the way every InfluxDB version (1.x, 2.x, 3.x) reads the
// same: `measurement,tag=value field=value timestamp`. Pure: data in, text out.
// Format: https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/
import { InfluxExportError } from './influx-error.js';

/**
 * A field value. The line protocol types its fields, and a field must keep one type in a
 * shard, so the JS type says which: `number` is a float, `bigint` an integer (`42i`),
 * `boolean` a boolean, `string` a string. `undefined` leaves the field out, which is how an
 * absent phase stays absent (never a 0).
 */
export type FieldValue = number | bigint | boolean | string | undefined;

/** One point: a measurement, its tags, at least one field, and a time in ns since the epoch. */
export interface Point {
  measurement: string;
  /** Tags with an empty or undefined value are left out (the line protocol has no empty tag). */
  tags: Readonly<Record<string, string | undefined>>;
  fields: Readonly<Record<string, FieldValue>>;
  timestampNs: bigint;
}

const LINE_BREAKS = /\r\n|[\r\n]/g;

/*
 * A backslash is kept as it is when an ordinary character follows it. Before a delimiter,
 * another backslash or the end of the text, the versions disagree: 1.x reads `\\` as two
 * backslashes and cannot end a tag value with one (measured on 1.6: `a=end\\ ` is "invalid
 * tag format"), while 2.x and 3.x read `\\` as one. No spelling means the same to all of
 * them, so such a backslash is written as `/`.
 */
const AMBIGUOUS_BACKSLASH = /\\(?=[\\,= "]|$)/g;
const MEASUREMENT_SPECIALS = /[, ]/g;
const KEY_SPECIALS = /[,= ]/g;
const STRING_SPECIALS = /["\\]/g;

function withoutLineBreaks(text: string): string {
  // The line protocol ends a point at a newline and has no escape for one in a name.
  return text.replace(LINE_BREAKS, ' ');
}

/** A measurement name with its commas and spaces escaped. */
export function escapeMeasurement(name: string): string {
  return withoutLineBreaks(name)
    .replace(AMBIGUOUS_BACKSLASH, '/')
    .replace(MEASUREMENT_SPECIALS, '\\$&');
}

/** A tag key, tag value or field key with its commas, equals signs and spaces escaped. */
export function escapeKey(text: string): string {
  return withoutLineBreaks(text).replace(AMBIGUOUS_BACKSLASH, '/').replace(KEY_SPECIALS, '\\$&');
}

/**
 * A string field value, quoted, with its double quotes and backslashes escaped. Line breaks
 * become spaces: 1.x would take them, but a raw newline in a file of lines is one tool away
 * from being read as two points.
 */
export function formatStringField(value: string): string {
  return `"${withoutLineBreaks(value).replace(STRING_SPECIALS, '\\$&')}"`;
}

/**
 * A field value as the line protocol writes it, or undefined for a value it cannot hold
 * (undefined, NaN, ±Infinity), which is then left out.
 */
export function formatFieldValue(value: FieldValue): string | undefined {
  switch (typeof value) {
    case 'number':
      // JS prints 1e+21 and 1e-7 for the extremes; every version parses that notation.
      return Number.isFinite(value) ? String(value) : undefined;
    case 'bigint':
      return `${value}i`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return formatStringField(value);
    default:
      return undefined;
  }
}

/**
 * The point's series key: the measurement and its tags, sorted by key as InfluxDB advises
 * (it sorts them itself otherwise). Points with the same key and time are one point.
 */
export function formatSeriesKey(point: Pick<Point, 'measurement' | 'tags'>): string {
  let key = escapeMeasurement(point.measurement);
  for (const tag of Object.keys(point.tags).sort()) {
    const value = point.tags[tag];
    if (value === undefined || value === '') continue;
    key += `,${escapeKey(tag)}=${escapeKey(value)}`;
  }
  return key;
}

/**
 * The point's fields, in their order, as `key=value,...`; values that cannot be written are
 * left out. Throws when none is left: the line protocol needs at least one field.
 */
export function formatFieldSet(point: Pick<Point, 'measurement' | 'fields'>): string {
  let text = '';
  for (const [key, value] of Object.entries(point.fields)) {
    const formatted = formatFieldValue(value);
    if (formatted === undefined) continue;
    text += `${text === '' ? '' : ','}${escapeKey(key)}=${formatted}`;
  }
  if (text === '') {
    throw new InfluxExportError(
      'LENS_EXPORT_INFLUX_POINT',
      `a ${JSON.stringify(point.measurement)} point has no field with a value; the line protocol needs at least one`,
    );
  }
  return text;
}

/** One point as a line, without the newline: series key, fields, time in ns. */
export function formatPoint(point: Point): string {
  return `${formatSeriesKey(point)} ${formatFieldSet(point)} ${point.timestampNs}`;
}

/**
 * Epoch milliseconds as integer nanoseconds. The executor's wall-clock times have sub-ms
 * digits, but a double near 1.7e12 only resolves 0.24 µs, so the fraction is kept to the
 * microsecond (finer digits would be rounding noise). The whole milliseconds are scaled as
 * a bigint: 1.7e18 ns is past 2^53, where scaling the double would round to 256 ns steps.
 */
export function epochMsToNs(epochMs: number): bigint {
  if (!Number.isFinite(epochMs)) {
    throw new InfluxExportError(
      'LENS_EXPORT_INFLUX_POINT',
      `${epochMs} is not a time in epoch milliseconds; a point needs a finite timestamp`,
    );
  }
  const wholeMs = Math.floor(epochMs);
  const micros = Math.round((epochMs - wholeMs) * 1e3);
  return BigInt(wholeMs) * 1_000_000n + BigInt(micros) * 1_000n;
}
