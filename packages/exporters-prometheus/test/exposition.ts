// Reads Prometheus text exposition back into samples, for assertions. Handles what the
// serializer writes: comments, `name{label="value",...} number`, escaped label values.

/** One sample line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of the text; throws on a line that is neither a comment nor a sample. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (match === null) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(LABEL_PAIR)) {
      labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The samples of one metric name whose labels include `where`. */
export function samplesOf(
  samples: readonly Sample[],
  name: string,
  where: Readonly<Record<string, string>> = {},
): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v),
  );
}

/** The one sample matching; throws when there is none or more than one. */
export function sampleValue(
  samples: readonly Sample[],
  name: string,
  where: Readonly<Record<string, string>> = {},
): number {
  const found = samplesOf(samples, name, where);
  if (found.length !== 1) {
    throw new Error(`expected one ${name} ${JSON.stringify(where)}, found ${found.length}`);
  }
  return found[0]!.value;
}

/** Metric family names declared by `# TYPE` lines. */
export function declaredFamilies(text: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (match !== null) families.set(match[1]!, match[2]!);
  }
  return families;
}

/**
 * histogram_quantile as Prometheus computes it: find the bucket holding rank q·count and
 * interpolate linearly inside it (lower bound 0 for the first bucket).
 */
export function bucketQuantile(
  buckets: ReadonlyArray<{ le: number; count: number }>,
  q: number,
): number {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)!.count;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bucket of sorted) {
    if (bucket.count >= rank) {
      if (bucket.le === Number.POSITIVE_INFINITY) return lowerBound;
      return (
        lowerBound + ((bucket.le - lowerBound) * (rank - lowerCount)) / (bucket.count - lowerCount)
      );
    }
    lowerBound = bucket.le;
    lowerCount = bucket.count;
  }
  return Number.NaN;
}
