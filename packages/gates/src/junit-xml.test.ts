import { describe, expect, it } from 'vitest';
import { renderJUnit } from './junit-xml.js';
import type { RegressionCheck } from './regression-check.js';
import type { ThresholdResult } from './threshold-evaluation.js';

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

// A tiny strict XML reader, enough for JUnit reports: elements, double-quoted attributes,
// text, the five named entities and numeric references. It throws on anything a
// conforming parser would reject that an escaping bug could produce.
function parseXml(xml: string): XmlElement {
  for (const char of xml) {
    const code = char.codePointAt(0)!;
    if (
      (code < 0x20 && code !== 0x9 && code !== 0xa && code !== 0xd) ||
      code === 0xfffe ||
      code === 0xffff ||
      (code >= 0xd800 && code <= 0xdfff)
    ) {
      throw new Error(`character U+${code.toString(16)} is not allowed in XML`);
    }
  }
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at ${at}: ${JSON.stringify(xml.slice(at, at + 40))}`);
  };
  const decode = (raw: string): string => {
    if (raw.includes('<')) fail('raw < in text or attribute');
    return raw.replace(/&([^;]*);?/g, (whole, name: string) => {
      if (!whole.endsWith(';')) fail(`unterminated entity ${whole}`);
      const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
      if (name in named) return named[name]!;
      const numeric = /^#(x[0-9a-f]+|[0-9]+)$/i.exec(name);
      if (numeric === null) return fail(`unknown entity &${name};`);
      const digits = numeric[1]!;
      return String.fromCodePoint(
        digits[0] === 'x' || digits[0] === 'X'
          ? Number.parseInt(digits.slice(1), 16)
          : Number(digits),
      );
    });
  };
  const skipSpace = () => {
    while (/\s/.test(xml[at] ?? '')) at++;
  };
  const element = (): XmlElement => {
    if (xml[at] !== '<') fail('expected <');
    at++;
    const name = /^[A-Za-z_][\w.-]*/.exec(xml.slice(at))?.[0] ?? fail('expected a name');
    at += name.length;
    const node: XmlElement = { name, attributes: {}, children: [], text: '' };
    for (;;) {
      skipSpace();
      if (xml.startsWith('/>', at)) {
        at += 2;
        return node;
      }
      if (xml[at] === '>') {
        at++;
        break;
      }
      const attribute =
        /^([A-Za-z_][\w.-]*)="([^"]*)"/.exec(xml.slice(at)) ?? fail('bad attribute');
      if (attribute[1]! in node.attributes) fail(`duplicate attribute ${attribute[1]}`);
      // Attribute-value normalization (XML 1.0 §3.3.3): literal whitespace becomes a space.
      node.attributes[attribute[1]!] = decode(attribute[2]!.replace(/[\t\n\r]/g, ' '));
      at += attribute[0].length;
    }
    for (;;) {
      const next = xml.indexOf('<', at);
      if (next === -1) fail(`unclosed <${name}>`);
      // End-of-line handling (XML 1.0 §2.11): a literal CR LF or CR reads as LF.
      node.text += decode(xml.slice(at, next).replace(/\r\n?/g, '\n'));
      at = next;
      if (xml.startsWith('</', at)) {
        const close = `</${name}>`;
        if (!xml.startsWith(close, at)) fail(`expected ${close}`);
        at += close.length;
        return node;
      }
      node.children.push(element());
    }
  };
  const prolog = /^<\?xml [^?]*\?>\s*/.exec(xml);
  at = prolog === null ? 0 : prolog[0].length;
  const root = element();
  skipSpace();
  if (at !== xml.length) fail('content after the root element');
  return root;
}

const all = (node: XmlElement, name: string): XmlElement[] => [
  ...(node.name === name ? [node] : []),
  ...node.children.flatMap((child) => all(child, name)),
];

function thresholdResult(fields: Partial<ThresholdResult>): ThresholdResult {
  return {
    threshold: 'ttft.p95<800',
    origin: '--threshold',
    metric: 'ttft.p95',
    unit: 'ms',
    operator: '<',
    limit: 800,
    scope: { provider: null, model: null, scenario: null },
    passed: true,
    groups: [],
    message: 'passed in 0 groups',
    ...fields,
  };
}

const group = (provider: string, value: number | null, passed: boolean, message: string) => ({
  provider,
  model: 'gpt-4o-mini',
  scenario: 'chat',
  value,
  passed,
  message,
});

const run = {
  run_id: 'run-7f3a',
  started_at: '2026-01-01T00:00:00.000Z',
  ended_at: '2026-01-01T00:01:05.250Z',
};

const thresholds: ThresholdResult[] = [
  thresholdResult({
    passed: false,
    groups: [
      group('openai', 612.3, true, 'ttft.p95 = 612.3 ms, limit < 800 ms'),
      group('vllm', 812.3, false, 'ttft.p95 = 812.3 ms, limit < 800 ms'),
    ],
  }),
  thresholdResult({
    threshold: 'mistral/success_rate>=99%',
    metric: 'success_rate',
    passed: false,
    groups: [],
    message: 'mistral/success_rate>=99% matches no group of the run (provider mistral)',
  }),
];

const regressions: RegressionCheck[] = [
  {
    name: 'ttft.p95:+10% [openai / gpt-4o-mini / chat]',
    passed: true,
    value: 3.2,
    limit: 10,
    message: 'ttft.p95 +3.2 %, within +10 %',
  },
  {
    name: 'e2e.p50:+50ms [openai / gpt-4o-mini / chat]',
    passed: false,
    value: 75.5,
    limit: 50,
    message: 'e2e.p50 +75.5 ms, over +50 ms and significant',
  },
];

describe('renderJUnit', () => {
  it('writes one suite for thresholds and one for regressions, with counts that add up', () => {
    const root = parseXml(renderJUnit({ run, thresholds, regressions }));
    expect(root.name).toBe('testsuites');
    expect(root.attributes).toMatchObject({
      tests: '5',
      failures: '3',
      errors: '0',
      time: '65.25',
    });
    const suites = all(root, 'testsuite');
    expect(
      suites.map((s) => [s.attributes.name, s.attributes.tests, s.attributes.failures]),
    ).toEqual([
      ['llm-lens thresholds', '3', '2'],
      ['llm-lens regressions', '2', '1'],
    ]);
    expect(suites[0]?.attributes).toMatchObject({ time: '65.25', timestamp: run.started_at });
    for (const suite of suites) {
      expect(all(suite, 'property').map((p) => p.attributes)).toEqual([
        { name: 'run_id', value: 'run-7f3a' },
      ]);
    }
  });

  it('names a testcase per threshold × group and puts value and limit in each failure', () => {
    const root = parseXml(renderJUnit({ run, thresholds, regressions }));
    const cases = all(root, 'testcase');
    expect(cases.map((c) => c.attributes.name)).toEqual([
      'ttft.p95<800 [openai / gpt-4o-mini / chat]',
      'ttft.p95<800 [vllm / gpt-4o-mini / chat]',
      'mistral/success_rate>=99% [no matching group]',
      'ttft.p95:+10% [openai / gpt-4o-mini / chat]',
      'e2e.p50:+50ms [openai / gpt-4o-mini / chat]',
    ]);
    expect(cases.map((c) => c.attributes.time)).toEqual(['0', '0', '0', '0', '0']);
    const failures = all(root, 'failure');
    expect(failures.map((f) => [f.attributes.type, f.attributes.message])).toEqual([
      ['threshold', 'ttft.p95 = 812.3 ms, limit < 800 ms'],
      ['threshold', 'mistral/success_rate>=99% matches no group of the run (provider mistral)'],
      ['regression', 'e2e.p50 +75.5 ms, over +50 ms and significant (value 75.5, limit 50)'],
    ]);
    expect(failures[0]?.text).toBe(
      'ttft.p95 = 812.3 ms, limit < 800 ms\nthreshold ttft.p95<800 (--threshold)',
    );
    expect(all(cases[0]!, 'failure')).toEqual([]);
  });

  it('leaves out the regressions suite without a baseline, and adds given properties', () => {
    const root = parseXml(
      renderJUnit({ run, thresholds: [], properties: { tool_version: '0.1.0', baseline: 'b"1' } }),
    );
    expect(root.attributes).toMatchObject({ tests: '0', failures: '0' });
    const suites = all(root, 'testsuite');
    expect(suites.map((s) => s.attributes.name)).toEqual(['llm-lens thresholds']);
    expect(all(root, 'property').map((p) => [p.attributes.name, p.attributes.value])).toEqual([
      ['run_id', 'run-7f3a'],
      ['tool_version', '0.1.0'],
      ['baseline', 'b"1'],
    ]);
  });

  it('escapes quotes, <, >, & and makes forbidden control characters visible', () => {
    const nasty = `a"b'c<d>e&f\u0001g\u001bh\ti\nj\r\uD800k`;
    const xml = renderJUnit({
      run: { ...run, run_id: nasty },
      thresholds: [
        thresholdResult({
          threshold: `${nasty}/ttft.p95<800`,
          passed: false,
          groups: [{ ...group(nasty, 900, false, `bad ${nasty}`), model: nasty }],
        }),
      ],
      regressions: [{ name: nasty, passed: false, value: null, limit: null, message: nasty }],
    });
    const root = parseXml(xml);
    const visible = `a"b'c<d>e&f\\u0001g\\u001bh\ti\nj\r\\ud800k`;
    expect(all(root, 'property')[0]?.attributes.value).toBe(visible);
    const [thresholdCase, regressionCase] = all(root, 'testcase');
    expect(thresholdCase?.attributes.name).toBe(
      `${visible}/ttft.p95<800 [${visible} / ${visible} / chat]`,
    );
    expect(all(thresholdCase!, 'failure')[0]?.attributes.message).toBe(`bad ${visible}`);
    expect(all(thresholdCase!, 'failure')[0]?.text).toBe(
      `bad ${visible}\nthreshold ${visible}/ttft.p95<800 (--threshold)`,
    );
    expect(regressionCase?.attributes.name).toBe(visible);
    expect(all(regressionCase!, 'failure')[0]?.attributes.message).toBe(
      `${visible} (value unknown, limit none)`,
    );
  });

  it('keeps characters outside the BMP', () => {
    const root = parseXml(renderJUnit({ run: { ...run, run_id: 'emoji 🚀 ok' }, thresholds: [] }));
    expect(all(root, 'property')[0]?.attributes.value).toBe('emoji 🚀 ok');
  });

  it('the test parser rejects what an escaping bug would produce', () => {
    expect(() => parseXml('<a b="x<y"/>')).toThrow(/raw </);
    expect(() => parseXml('<a>x & y</a>')).toThrow(/unterminated entity/);
    expect(() => parseXml('<a b="x"y"/>')).toThrow(/bad attribute/);
    expect(() => parseXml('<a>\u0001</a>')).toThrow(/not allowed/);
    expect(() => parseXml('<a><b></a>')).toThrow(/expected <\/b>/);
  });
});
