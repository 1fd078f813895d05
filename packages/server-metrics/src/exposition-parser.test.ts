import { describe, expect, it } from 'vitest';
import { type MetricFamily, parseExposition, parseFloatToken } from './exposition-parser.js';
import { histogramSeries, summarySeries, valueSeries } from './family-series.js';

function family(families: MetricFamily[], name: string): MetricFamily {
  const found = families.find((one) => one.name === name);
  if (found === undefined) throw new Error(`no family ${name} in ${families.map((f) => f.name)}`);
  return found;
}

describe('parseExposition: the Prometheus text format 0.0.4', () => {
  it('reads HELP, TYPE and samples with and without labels', () => {
    const text = [
      '# HELP vllm:num_requests_running Number of requests in model execution batches.',
      '# TYPE vllm:num_requests_running gauge',
      'vllm:num_requests_running{model_name="m",engine="0"} 3.0',
      '# HELP up Whether the target is up.\\nSecond line with a \\\\ backslash.',
      '# TYPE up untyped',
      'up 1',
      '',
    ].join('\n');
    const parsed = parseExposition(text);
    expect(parsed.skippedLines).toBe(0);
    expect(parsed.sampleLines).toBe(2);
    const running = family(parsed.families, 'vllm:num_requests_running');
    expect(running.type).toBe('gauge');
    expect(running.help).toBe('Number of requests in model execution batches.');
    expect(running.samples).toHaveLength(1);
    expect(running.samples[0]!.value).toBe(3);
    expect({ ...running.samples[0]!.labels }).toEqual({ model_name: 'm', engine: '0' });
    const up = family(parsed.families, 'up');
    expect(up.help).toBe('Whether the target is up.\nSecond line with a \\ backslash.');
    expect(up.samples[0]!.timestampMs).toBeUndefined();
  });

  it('unescapes \\\\, \\" and \\n in label values and keeps braces, commas and blanks inside them', () => {
    const text =
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\"",odd="a}, b=\\"c\\""} 1.458255915e9\n';
    const parsed = parseExposition(text);
    expect(parsed.skippedLines).toBe(0);
    const sample = family(parsed.families, 'msdos_file_access_time_seconds').samples[0]!;
    expect(sample.labels.path).toBe('C:\\DIR\\FILE.TXT');
    expect(sample.labels.error).toBe('Cannot find file:\n"FILE.TXT"');
    expect(sample.labels.odd).toBe('a}, b="c"');
    expect(sample.value).toBe(1.458255915e9);
  });

  it('reads an integer millisecond timestamp, blanks and tabs between tokens, a trailing comma and CRLF', () => {
    const text =
      'http_requests_total{method="post",code="200",} 1027 1395066363000\r\n' +
      'http_requests_total{ method = "post" , code="400" }\t3\t1395066363000\r\n';
    const parsed = parseExposition(text);
    expect(parsed.skippedLines).toBe(0);
    const samples = family(parsed.families, 'http_requests_total').samples;
    expect(samples.map((s) => [s.labels.code, s.value, s.timestampMs])).toEqual([
      ['200', 1027, 1395066363000],
      ['400', 3, 1395066363000],
    ]);
  });

  it('reads NaN, +Inf, -Inf and exponent notation', () => {
    const text = ['a NaN', 'b +Inf', 'c -Inf', 'd 1.5e-3', 'e -0.25', 'f .5', 'g 7E+2'].join('\n');
    const parsed = parseExposition(text);
    expect(parsed.skippedLines).toBe(0);
    const value = (name: string) => family(parsed.families, name).samples[0]!.value;
    expect(value('a')).toBeNaN();
    expect(value('b')).toBe(Number.POSITIVE_INFINITY);
    expect(value('c')).toBe(Number.NEGATIVE_INFINITY);
    expect(value('d')).toBe(0.0015);
    expect(value('e')).toBe(-0.25);
    expect(value('f')).toBe(0.5);
    expect(value('g')).toBe(700);
  });

  it('groups a histogram by label set with its buckets sorted, and its sum and count', () => {
    const text = [
      '# TYPE vllm:time_to_first_token_seconds histogram',
      'vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf"} 4',
      'vllm:time_to_first_token_seconds_bucket{engine="0",le="0.1"} 1',
      'vllm:time_to_first_token_seconds_bucket{engine="0",le="0.25"} 3',
      'vllm:time_to_first_token_seconds_sum{engine="0"} 0.71',
      'vllm:time_to_first_token_seconds_count{engine="0"} 4',
      'vllm:time_to_first_token_seconds_bucket{engine="1",le="0.1"} 0',
      'vllm:time_to_first_token_seconds_bucket{engine="1",le="+Inf"} 2',
      'vllm:time_to_first_token_seconds_sum{engine="1"} 0.6',
      'vllm:time_to_first_token_seconds_count{engine="1"} 2',
    ].join('\n');
    const parsed = parseExposition(text);
    expect(parsed.skippedLines).toBe(0);
    expect(parsed.families.map((f) => f.name)).toEqual(['vllm:time_to_first_token_seconds']);
    const series = histogramSeries(family(parsed.families, 'vllm:time_to_first_token_seconds'));
    expect(series.map((s) => ({ ...s, labels: { ...s.labels } }))).toEqual([
      {
        labels: { engine: '0' },
        buckets: [
          { le: 0.1, count: 1 },
          { le: 0.25, count: 3 },
          { le: Number.POSITIVE_INFINITY, count: 4 },
        ],
        sum: 0.71,
        count: 4,
      },
      {
        labels: { engine: '1' },
        buckets: [
          { le: 0.1, count: 0 },
          { le: Number.POSITIVE_INFINITY, count: 2 },
        ],
        sum: 0.6,
        count: 2,
      },
    ]);
  });

  it('groups a summary by label set', () => {
    const text = [
      '# TYPE rpc_duration_seconds summary',
      'rpc_duration_seconds{service="a",quantile="0.5"} 0.05',
      'rpc_duration_seconds{service="a",quantile="0.99"} 0.2',
      'rpc_duration_seconds_sum{service="a"} 17.5',
      'rpc_duration_seconds_count{service="a"} 250',
    ].join('\n');
    const series = summarySeries(family(parseExposition(text).families, 'rpc_duration_seconds'));
    expect(series).toHaveLength(1);
    expect({ ...series[0]!.labels }).toEqual({ service: 'a' });
    expect(series[0]!.quantiles).toEqual([
      { quantile: 0.5, value: 0.05 },
      { quantile: 0.99, value: 0.2 },
    ]);
    expect([series[0]!.sum, series[0]!.count]).toEqual([17.5, 250]);
  });

  it('makes a family of its own of a sample without TYPE line (untyped)', () => {
    const parsed = parseExposition('llamacpp:requests_processing 2\nother_thing{a="b"} 1\n');
    expect(parsed.families.map((f) => [f.name, f.type])).toEqual([
      ['llamacpp:requests_processing', 'untyped'],
      ['other_thing', 'untyped'],
    ]);
  });

  it('keeps a label named __proto__ as a label', () => {
    const sample = family(parseExposition('x{__proto__="p"} 1').families, 'x').samples[0]!;
    expect(Object.keys(sample.labels)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(sample.labels, '__proto__')?.value).toBe('p');
    expect(Object.getPrototypeOf(sample.labels)).toBe(Object.prototype);
  });
});

describe('parseExposition: OpenMetrics text', () => {
  const openMetrics = [
    '# TYPE vllm:prompt_tokens counter',
    '# HELP vllm:prompt_tokens Number of prefill tokens processed.',
    'vllm:prompt_tokens_total{engine="0"} 1200.0 1700000000.5',
    'vllm:prompt_tokens_created{engine="0"} 1.7e9',
    '# TYPE vllm:e2e_request_latency_seconds histogram',
    '# UNIT vllm:e2e_request_latency_seconds seconds',
    'vllm:e2e_request_latency_seconds_bucket{le="1.0"} 3 # {trace_id="abc"} 0.7 1700000000.1',
    'vllm:e2e_request_latency_seconds_bucket{le="+Inf"} 5',
    'vllm:e2e_request_latency_seconds_count 5',
    'vllm:e2e_request_latency_seconds_sum 6.5',
    'vllm:e2e_request_latency_seconds_created 1.7e9',
    '# TYPE build info',
    'build_info{version="1.2"} 1',
    '# TYPE queue unknown',
    'queue 2',
    '# EOF',
  ].join('\n');

  it('reads counters named without _total, _created samples, exemplars, UNIT and # EOF', () => {
    const parsed = parseExposition(openMetrics, { format: 'openmetrics' });
    expect(parsed.skippedLines).toBe(0);
    expect(parsed.sawEof).toBe(true);
    const prompt = family(parsed.families, 'vllm:prompt_tokens');
    expect(prompt.type).toBe('counter');
    expect(prompt.samples[0]!.timestampMs).toBe(1700000000500);
    // _created is a sample of the family but not a value of the counter.
    expect(prompt.samples.map((s) => s.name)).toEqual([
      'vllm:prompt_tokens_total',
      'vllm:prompt_tokens_created',
    ]);
    expect(valueSeries(prompt).map((s) => [s.name, s.value])).toEqual([
      ['vllm:prompt_tokens_total', 1200],
    ]);
    const e2e = family(parsed.families, 'vllm:e2e_request_latency_seconds');
    expect(e2e.unit).toBe('seconds');
    expect(histogramSeries(e2e)[0]).toMatchObject({
      buckets: [
        { le: 1, count: 3 },
        { le: Number.POSITIVE_INFINITY, count: 5 },
      ],
      sum: 6.5,
      count: 5,
    });
    expect(family(parsed.families, 'build').type).toBe('info');
    expect(family(parsed.families, 'queue').type).toBe('untyped');
  });

  it('counts the lines after # EOF as skipped and reads nothing from them', () => {
    const parsed = parseExposition(`${openMetrics}\nlate_metric 1\n\nlater 2\n`, {
      format: 'openmetrics',
    });
    expect(parsed.skippedLines).toBe(2);
    expect(parsed.problems).toEqual(['line 17: 2 line(s) after # EOF were ignored']);
    expect(parsed.families.map((f) => f.name)).not.toContain('late_metric');
  });
});

describe('parseExposition: lines it cannot read', () => {
  const cases: [string, string, string][] = [
    ['no value', 'requests_total{a="b"}', 'the value is missing'],
    ['a word as value', 'requests_total 12abc', 'expected a number as the value'],
    ['an unterminated label value', 'requests_total{a="b} 1', 'a label value has no closing quote'],
    ['an unknown escape', 'requests_total{a="b\\t"} 1', 'invalid escape \\t in a label value'],
    ['a label twice', 'requests_total{a="1",a="2"} 1', 'label a appears twice'],
    ['a label without =', 'requests_total{a "1"} 1', 'expected = after label a'],
    ['an unquoted label value', 'requests_total{a=1} 1', 'expected a quoted value for label a'],
    ['a label set without }', 'requests_total{a="1" 1', 'expected , or } after label a'],
    ['no metric name', '{a="1"} 1', 'expected a metric name'],
    ['a name with a dash', 'requests-total 1', 'expected a blank or { after the metric name'],
    ['a float timestamp', 'requests_total 1 1.5', 'expected an integer timestamp in milliseconds'],
    [
      'text after the timestamp',
      'requests_total 1 1000 extra',
      'unexpected text after the timestamp',
    ],
    ['an unknown type', '# TYPE requests_total meter', 'unknown metric type "meter"'],
    ['a TYPE without name', '# TYPE', 'expected a metric name after # TYPE'],
  ];

  for (const [what, line, reason] of cases) {
    it(`skips and counts ${what}, and still reads the lines around it`, () => {
      const parsed = parseExposition(`before 1\n${line}\nafter 2\n`);
      expect(parsed.skippedLines).toBe(1);
      expect(parsed.problems).toHaveLength(1);
      expect(parsed.problems[0]).toContain(`line 2: ${reason}`);
      expect(parsed.families.map((f) => [f.name, f.samples[0]?.value])).toEqual(
        expect.arrayContaining([
          ['before', 1],
          ['after', 2],
        ]),
      );
    });
  }

  it('refuses a second TYPE line, a TYPE after samples, a second HELP and buckets without le', () => {
    const text = [
      '# TYPE a gauge',
      '# TYPE a counter',
      'b 1',
      '# TYPE b gauge',
      '# HELP c one',
      '# HELP c two',
      '# TYPE h histogram',
      'h_bucket{le="x"} 1',
      'h_bucket 1',
      'h_bucket{le="+Inf"} 2',
      '# TYPE s summary',
      's 0.1',
    ].join('\n');
    const parsed = parseExposition(text, { maxProblems: 10 });
    expect(parsed.skippedLines).toBe(6);
    expect(parsed.problems.map((p) => p.split(':')[0])).toEqual([
      'line 2',
      'line 4',
      'line 6',
      'line 8',
      'line 9',
      'line 12',
    ]);
    expect(family(parsed.families, 'a').type).toBe('gauge');
    expect(family(parsed.families, 'c').help).toBe('one');
    expect(histogramSeries(family(parsed.families, 'h'))[0]!.buckets).toEqual([
      { le: Number.POSITIVE_INFINITY, count: 2 },
    ]);
  });

  it('keeps at most maxProblems reasons but counts every skipped line', () => {
    const parsed = parseExposition('x y\nx y\nx y\nx y\n', { maxProblems: 2 });
    expect(parsed.skippedLines).toBe(4);
    expect(parsed.problems).toHaveLength(2);
  });

  it('never throws on arbitrary bytes', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const alphabet = 'abc_:{}="\\\n #\t,.0123456789+-eEInfNa\r';
    for (let round = 0; round < 300; round++) {
      let text = '';
      const length = Math.floor(random() * 200);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      const parsed = parseExposition(text);
      const lines = text.split('\n').filter((line) => line.trim() !== '').length;
      expect(parsed.skippedLines).toBeLessThanOrEqual(lines);
    }
  });
});

describe('parseExposition: keepFamily', () => {
  const text = [
    '# TYPE vllm:num_requests_running gauge',
    'vllm:num_requests_running 2',
    '# TYPE vllm:time_to_first_token_seconds histogram',
    'vllm:time_to_first_token_seconds_bucket{le="+Inf"} 1',
    'vllm:time_to_first_token_seconds_sum 0.2',
    'python_gc_objects_collected_total{generation="0"} 1234',
  ].join('\n');

  it('returns only the kept families but counts every sample line', () => {
    const parsed = parseExposition(text, { keepFamily: (name) => name.startsWith('vllm:num') });
    expect(parsed.families.map((f) => f.name)).toEqual(['vllm:num_requests_running']);
    expect(parsed.sampleLines).toBe(4);
    expect(parsed.skippedLines).toBe(0);
  });

  it('still tells lines that are no samples from samples of families it leaves out', () => {
    const parsed = parseExposition('<html><body>Not found</body></html>\nhello world\n', {
      keepFamily: () => false,
    });
    expect(parsed.sampleLines).toBe(0);
    expect(parsed.skippedLines).toBe(2);
    expect(parsed.problems[0]).toContain('line 1: expected a metric name');
    expect(parsed.problems[1]).toContain('line 2: expected a number as the value');
  });
});

describe('parseExposition: round trip', () => {
  function escapeLabel(value: string): string {
    return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  }

  it('reads back whatever labels and values were written, for 200 seeded random families', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const labelChars = ['a', 'Z', ' ', '"', '\\', '\n', '}', ',', '=', 'é', '#'];
    const values = [0, 1, -2.5, 1e-9, 123456789, Number.NaN, Number.POSITIVE_INFINITY];
    for (let round = 0; round < 200; round++) {
      const labels: Record<string, string> = {};
      const labelCount = Math.floor(random() * 4);
      for (let i = 0; i < labelCount; i++) {
        let value = '';
        const length = Math.floor(random() * 6);
        for (let j = 0; j < length; j++) value += pick(labelChars);
        labels[`l${i}`] = value;
      }
      const value = pick(values);
      const written = Number.isNaN(value)
        ? 'NaN'
        : value === Number.POSITIVE_INFINITY
          ? '+Inf'
          : String(value);
      const labelText = Object.entries(labels)
        .map(([name, text]) => `${name}="${escapeLabel(text)}"`)
        .join(',');
      const line = `m_${round}${labelCount > 0 ? `{${labelText}}` : ''} ${written}`;
      const parsed = parseExposition(`# TYPE m_${round} gauge\n${line}\n`);
      expect(parsed.skippedLines, line).toBe(0);
      const sample = parsed.families[0]!.samples[0]!;
      expect({ ...sample.labels }, line).toEqual(labels);
      expect(Object.is(sample.value, value) || sample.value === value, line).toBe(true);
    }
  });
});

describe('parseFloatToken', () => {
  it('reads Go float spellings and refuses what is not a number', () => {
    expect(parseFloatToken('Inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseFloatToken('-inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(parseFloatToken('nan')).toBeNaN();
    expect(parseFloatToken('1e3')).toBe(1000);
    for (const bad of ['', ' ', '0x10', '1,5', 'abc', '1e', '--1']) {
      expect(parseFloatToken(bad), bad).toBeUndefined();
    }
  });
});
