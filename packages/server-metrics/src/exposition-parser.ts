/**
 * A reader of the Prometheus text exposition format 0.0.4 and of OpenMetrics 1.0 text as
 * servers emit it. It never throws on what a server sends: a line it cannot read is skipped
 * and counted, with the first few reasons kept.
 *
 * Format: https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details
 * OpenMetrics: https://github.com/OpenObservability/OpenMetrics/blob/main/specification/OpenMetrics.md
 */

/** The metric types of both formats; OpenMetrics' `unknown` is read as `untyped`. */
export type MetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'summary'
  | 'untyped'
  | 'info'
  | 'stateset'
  | 'gaugehistogram';

/** Label name → value, unescaped. A label named `__proto__` is an own property like any other. */
export type Labels = Readonly<Record<string, string>>;

/** One sample line. */
export interface ExpositionSample {
  /** The sample's own name, suffix included (`x_bucket`, `x_total`). */
  readonly name: string;
  readonly labels: Labels;
  /** May be NaN or ±Infinity, as the format allows. */
  readonly value: number;
  /** The line's own timestamp in epoch ms, when it has one. */
  readonly timestampMs: number | undefined;
}

/** A metric family: its `# TYPE` / `# HELP` metadata and its samples, in text order. */
export interface MetricFamily {
  /** The name on the TYPE line (OpenMetrics counters: without `_total`); else the sample's name. */
  readonly name: string;
  /** `untyped` when the text declared none. */
  readonly type: MetricType;
  readonly help: string | undefined;
  /** OpenMetrics `# UNIT`. */
  readonly unit: string | undefined;
  readonly samples: readonly ExpositionSample[];
}

/** Which text format the body is in; it decides the unit of sample timestamps. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

export interface ParseExpositionOptions {
  /** Default 'prometheus' (timestamps in integer ms); 'openmetrics' reads them as seconds. */
  format?: ExpositionFormat | undefined;
  /**
   * Which families to keep, by family name. Lines of other families are only checked for a
   * name and a number, not read in full: a scrape pays for what it keeps. Default: all.
   */
  keepFamily?: ((familyName: string) => boolean) | undefined;
  /** How many problem descriptions to keep (all are counted). Default 5. */
  maxProblems?: number | undefined;
}

/** What a body held. */
export interface ParsedExposition {
  /** The kept families, in order of first appearance. */
  readonly families: MetricFamily[];
  /** Sample lines read, kept or not. */
  readonly sampleLines: number;
  /** Lines that could not be read and were left out. */
  readonly skippedLines: number;
  /** Why, for the first few (`line 3: ...`). */
  readonly problems: readonly string[];
  /** The body ended with OpenMetrics' `# EOF`. */
  readonly sawEof: boolean;
}

/** The sample-name suffixes each type's samples carry after the family name. */
const SUFFIXES_BY_TYPE: Readonly<Record<MetricType, readonly string[]>> = {
  counter: ['_total', '_created'],
  gauge: [],
  histogram: ['_bucket', '_sum', '_count', '_created'],
  summary: ['_sum', '_count', '_created'],
  untyped: [],
  info: ['_info'],
  stateset: [],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
};
const ALL_SUFFIXES = [
  '_bucket',
  '_sum',
  '_count',
  '_total',
  '_created',
  '_info',
  '_gsum',
  '_gcount',
];

const TYPE_NAMES: Readonly<Record<string, MetricType>> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  summary: 'summary',
  untyped: 'untyped',
  unknown: 'untyped',
  info: 'info',
  stateset: 'stateset',
  gaugehistogram: 'gaugehistogram',
};

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const PROBLEM_QUOTE_CHARS = 80;

/**
 * A float as Go's ParseFloat reads it in these formats: decimal or exponent notation, NaN,
 * Inf with an optional sign (any case). Undefined when the token is none of these.
 */
export function parseFloatToken(token: string): number | undefined {
  if (DECIMAL.test(token)) return Number(token);
  switch (token.toLowerCase()) {
    case 'nan':
      return Number.NaN;
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Number.POSITIVE_INFINITY;
    case '-inf':
    case '-infinity':
      return Number.NEGATIVE_INFINITY;
    default:
      return undefined;
  }
}

/** Thrown inside the parser for a line it cannot read; never escapes parseExposition. */
class LineProblem {
  constructor(readonly reason: string) {}
}

interface FamilyState {
  name: string;
  type: MetricType;
  help: string | undefined;
  unit: string | undefined;
  samples: ExpositionSample[];
  isKept: boolean;
  hasType: boolean;
  hasSamples: boolean;
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9;
}

function skipBlanks(line: string, pos: number): number {
  while (pos < line.length && isBlank(line.charCodeAt(pos))) pos++;
  return pos;
}

// Sticky: matched at lastIndex only. Faster than a loop over char codes for typical names.
const METRIC_NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;

/** End of a metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`) starting at pos; pos when there is none. */
function metricNameEnd(line: string, pos: number): number {
  METRIC_NAME.lastIndex = pos;
  return METRIC_NAME.test(line) ? METRIC_NAME.lastIndex : pos;
}

/** End of a label name (`[a-zA-Z_][a-zA-Z0-9_]*`) starting at pos; pos when there is none. */
function labelNameEnd(line: string, pos: number): number {
  LABEL_NAME.lastIndex = pos;
  return LABEL_NAME.test(line) ? LABEL_NAME.lastIndex : pos;
}

function tokenEnd(line: string, pos: number): number {
  while (pos < line.length && !isBlank(line.charCodeAt(pos))) pos++;
  return pos;
}

/** Reads a quoted label value whose opening quote is at pos - 1; returns it and the position after the closing quote. */
function readLabelValue(line: string, pos: number): [string, number] {
  // Most values have no escape: one search finds the end.
  const quote = line.indexOf('"', pos);
  if (quote !== -1) {
    const backslash = line.indexOf('\\', pos);
    if (backslash === -1 || backslash > quote) return [line.slice(pos, quote), quote + 1];
  }
  let value = '';
  let start = pos;
  while (pos < line.length) {
    const code = line.charCodeAt(pos);
    if (code === 34) return [value + line.slice(start, pos), pos + 1];
    if (code === 92) {
      value += line.slice(start, pos);
      const escaped = line[pos + 1];
      if (escaped === '\\') value += '\\';
      else if (escaped === '"') value += '"';
      else if (escaped === 'n') value += '\n';
      else {
        throw new LineProblem(
          `invalid escape \\${escaped ?? ''} in a label value (only \\\\, \\" and \\n are allowed)`,
        );
      }
      pos += 2;
      start = pos;
      continue;
    }
    pos++;
  }
  throw new LineProblem('a label value has no closing quote');
}

/** Reads `{name="value",...}` with its opening brace at pos; returns the labels and the position after `}`. */
function readLabels(line: string, pos: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  pos++;
  for (;;) {
    pos = skipBlanks(line, pos);
    if (line.charCodeAt(pos) === 125) return [labels, pos + 1];
    const nameEnd = labelNameEnd(line, pos);
    if (nameEnd === pos) {
      throw new LineProblem(
        pos >= line.length ? 'the label set has no closing }' : 'expected a label name',
      );
    }
    const name = line.slice(pos, nameEnd);
    pos = skipBlanks(line, nameEnd);
    if (line.charCodeAt(pos) !== 61) throw new LineProblem(`expected = after label ${name}`);
    pos = skipBlanks(line, pos + 1);
    if (line.charCodeAt(pos) !== 34) {
      throw new LineProblem(`expected a quoted value for label ${name}`);
    }
    const [value, after] = readLabelValue(line, pos + 1);
    if (Object.hasOwn(labels, name)) throw new LineProblem(`label ${name} appears twice`);
    setLabel(labels, name, value);
    pos = skipBlanks(line, after);
    const next = line.charCodeAt(pos);
    if (next === 44) {
      pos++;
      continue;
    }
    if (next === 125) return [labels, pos + 1];
    throw new LineProblem(`expected , or } after label ${name}`);
  }
}

/**
 * Plain objects are much faster to build than prototype-less ones; a label named
 * `__proto__` (a valid name) becomes an own property instead of replacing the prototype.
 */
function setLabel(labels: Record<string, string>, name: string, value: string): void {
  if (name === '__proto__') {
    Object.defineProperty(labels, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    labels[name] = value;
  }
}

function unescapeHelp(text: string): string {
  if (!text.includes('\\')) return text;
  // Only \\ and \n are escapes in HELP; anything else after a backslash is kept as written.
  return text.replace(/\\([\\n])/g, (_match, escaped: string) => (escaped === 'n' ? '\n' : '\\'));
}

function quoteLine(line: string): string {
  return JSON.stringify(
    line.length > PROBLEM_QUOTE_CHARS ? `${line.slice(0, PROBLEM_QUOTE_CHARS)}…` : line,
  );
}

/** Parses one body of Prometheus text (0.0.4) or OpenMetrics text. Never throws. */
export function parseExposition(
  text: string,
  options: ParseExpositionOptions = {},
): ParsedExposition {
  const isOpenMetrics = options.format === 'openmetrics';
  const keepFamily = options.keepFamily;
  const maxProblems = options.maxProblems ?? 5;
  const byName = new Map<string, FamilyState>();
  // Each sample name resolved once: a histogram's bucket lines share one name.
  const bySampleName = new Map<string, FamilyState>();
  const problems: string[] = [];
  let skippedLines = 0;
  let sampleLines = 0;
  let sawEof = false;

  const newFamily = (name: string, type: MetricType): FamilyState => {
    const family: FamilyState = {
      name,
      type,
      help: undefined,
      unit: undefined,
      samples: [],
      isKept: keepFamily === undefined || keepFamily(name),
      hasType: false,
      hasSamples: false,
    };
    byName.set(name, family);
    bySampleName.clear();
    return family;
  };

  const resolveSampleName = (sampleName: string): FamilyState => {
    const exact = byName.get(sampleName);
    if (exact !== undefined) return exact;
    for (const suffix of ALL_SUFFIXES) {
      if (!sampleName.endsWith(suffix)) continue;
      const family = byName.get(sampleName.slice(0, -suffix.length));
      if (family !== undefined && SUFFIXES_BY_TYPE[family.type].includes(suffix)) return family;
    }
    return newFamily(sampleName, 'untyped');
  };

  const familyOfSample = (sampleName: string): FamilyState => {
    let family = bySampleName.get(sampleName);
    if (family === undefined) {
      family = resolveSampleName(sampleName);
      bySampleName.set(sampleName, family);
    }
    return family;
  };

  const readMetadata = (line: string): void => {
    // `# HELP name text`, `# TYPE name type`, `# UNIT name unit`; any other `#` line is a comment.
    let pos = skipBlanks(line, 1);
    const keywordEnd = tokenEnd(line, pos);
    const keyword = line.slice(pos, keywordEnd);
    if (keyword !== 'HELP' && keyword !== 'TYPE' && keyword !== 'UNIT') return;
    pos = skipBlanks(line, keywordEnd);
    const nameEnd = metricNameEnd(line, pos);
    if (nameEnd === pos || (nameEnd < line.length && !isBlank(line.charCodeAt(nameEnd)))) {
      throw new LineProblem(`expected a metric name after # ${keyword}`);
    }
    const name = line.slice(pos, nameEnd);
    const rest = line.slice(skipBlanks(line, nameEnd));
    const family = byName.get(name) ?? newFamily(name, 'untyped');
    if (keyword === 'HELP') {
      if (family.help !== undefined) throw new LineProblem(`second HELP line for ${name}`);
      family.help = unescapeHelp(rest);
      return;
    }
    if (keyword === 'UNIT') {
      family.unit = rest.trimEnd();
      return;
    }
    const type = TYPE_NAMES[rest.trimEnd().toLowerCase()];
    if (type === undefined) {
      throw new LineProblem(
        `unknown metric type ${JSON.stringify(rest.trimEnd())} (expected counter, gauge, histogram, summary or untyped)`,
      );
    }
    if (family.hasType) throw new LineProblem(`second TYPE line for ${name}`);
    if (family.hasSamples) throw new LineProblem(`TYPE line for ${name} after its samples`);
    family.type = type;
    family.hasType = true;
  };

  const readSample = (line: string): void => {
    const start = skipBlanks(line, 0);
    const nameEnd = metricNameEnd(line, start);
    if (nameEnd === start) throw new LineProblem('expected a metric name');
    const name = line.slice(start, nameEnd);
    const family = familyOfSample(name);
    let pos = skipBlanks(line, nameEnd);
    if (!family.isKept) {
      // Enough to tell a metrics body from an HTML page, without reading every label.
      const afterLabels = line.charCodeAt(pos) === 123 ? line.lastIndexOf('}') + 1 : pos;
      if (afterLabels === 0) throw new LineProblem('the label set has no closing }');
      const valueStart = skipBlanks(line, afterLabels);
      if (parseFloatToken(line.slice(valueStart, tokenEnd(line, valueStart))) === undefined) {
        throw new LineProblem('expected a number as the value');
      }
      family.hasSamples = true;
      sampleLines++;
      return;
    }
    let labels: Record<string, string>;
    if (line.charCodeAt(pos) === 123) {
      [labels, pos] = readLabels(line, pos);
      pos = skipBlanks(line, pos);
    } else {
      labels = {};
      if (pos === nameEnd && pos < line.length) {
        throw new LineProblem('expected a blank or { after the metric name');
      }
    }
    const valueEnd = tokenEnd(line, pos);
    const value = parseFloatToken(line.slice(pos, valueEnd));
    if (value === undefined) {
      throw new LineProblem(
        pos === valueEnd ? 'the value is missing' : 'expected a number as the value',
      );
    }
    pos = skipBlanks(line, valueEnd);
    let timestampMs: number | undefined;
    // `#` after the value starts an OpenMetrics exemplar, which is not kept.
    if (pos < line.length && line.charCodeAt(pos) !== 35) {
      const stampEnd = tokenEnd(line, pos);
      const stamp = line.slice(pos, stampEnd);
      if (isOpenMetrics) {
        const seconds = parseFloatToken(stamp);
        if (seconds === undefined || !Number.isFinite(seconds)) {
          throw new LineProblem('expected a timestamp in seconds after the value');
        }
        timestampMs = seconds * 1000;
      } else {
        if (!INTEGER.test(stamp)) {
          throw new LineProblem('expected an integer timestamp in milliseconds after the value');
        }
        timestampMs = Number(stamp);
      }
      pos = skipBlanks(line, stampEnd);
      if (pos < line.length && line.charCodeAt(pos) !== 35) {
        throw new LineProblem('unexpected text after the timestamp');
      }
    }
    if (family.type === 'histogram' && name === `${family.name}_bucket`) {
      const le = labels.le;
      if (le === undefined || parseFloatToken(le) === undefined) {
        throw new LineProblem('a histogram bucket needs a numeric le label');
      }
    } else if (family.type === 'summary' && name === family.name) {
      const quantile = labels.quantile;
      if (quantile === undefined || parseFloatToken(quantile) === undefined) {
        throw new LineProblem('a summary sample needs a numeric quantile label');
      }
    }
    family.hasSamples = true;
    sampleLines++;
    family.samples.push({ name, labels, value, timestampMs });
  };

  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    let line = lines[index]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const first = skipBlanks(line, 0);
    if (first === line.length) continue;
    if (line.charCodeAt(first) === 35 && line.slice(first).trimEnd() === '# EOF') {
      sawEof = true;
      const trailing = lines.slice(index + 1).filter((rest) => rest.trim() !== '').length;
      if (trailing > 0) {
        skippedLines += trailing;
        if (problems.length < maxProblems) {
          problems.push(`line ${index + 2}: ${trailing} line(s) after # EOF were ignored`);
        }
      }
      break;
    }
    try {
      if (line.charCodeAt(first) === 35) readMetadata(line.slice(first));
      else readSample(line);
    } catch (error) {
      if (!(error instanceof LineProblem)) throw error;
      skippedLines++;
      if (problems.length < maxProblems) {
        problems.push(`line ${index + 1}: ${error.reason}: ${quoteLine(line)}`);
      }
    }
  }

  const families: MetricFamily[] = [];
  for (const family of byName.values()) {
    if (!family.isKept) continue;
    if (!family.hasSamples && !family.hasType && family.help === undefined) continue;
    families.push({
      name: family.name,
      type: family.type,
      help: family.help,
      unit: family.unit,
      samples: family.samples,
    });
  }
  return { families, sampleLines, skippedLines, problems, sawEof };
}
