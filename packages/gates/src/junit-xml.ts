import type { RunSummary } from '@llm-lens/metrics';
import type { RegressionCheck } from './regression-check.js';
import type { ThresholdResult } from './threshold-evaluation.js';
import { escapeXmlAttribute, escapeXmlText } from './xml-text.js';

/** What `renderJUnit` reports. */
export interface JUnitInput {
  /** The run the gates judged: its id becomes a property, its start and length the suites' timestamp and time. */
  run: Pick<RunSummary['run'], 'run_id' | 'started_at' | 'ended_at'>;
  thresholds: readonly ThresholdResult[];
  /** Checks against a baseline; null or absent when none was given (no regressions suite). */
  regressions?: readonly RegressionCheck[] | null;
  /** More `<property>`s for both suites (tool version, baseline run id, ...). */
  properties?: Readonly<Record<string, string>>;
}

interface TestCase {
  name: string;
  classname: string;
  failure: { message: string; body: string } | null;
}

/**
 * JUnit XML for CI test reporters: one testsuite for thresholds (a testcase per threshold ×
 * group; a threshold that matched no group is one failed testcase), one for regressions
 * when a baseline was given (a testcase per check). Failures carry the measured value and
 * the limit. Every attribute and text is escaped.
 */
export function renderJUnit(input: JUnitInput): string {
  const timeS = runSeconds(input.run.started_at, input.run.ended_at);
  const properties = { run_id: input.run.run_id, ...input.properties };
  const suites: Array<{ name: string; failureType: string; cases: TestCase[] }> = [
    {
      name: 'llm-lens thresholds',
      failureType: 'threshold',
      cases: thresholdCases(input.thresholds),
    },
  ];
  if (input.regressions !== null && input.regressions !== undefined) {
    suites.push({
      name: 'llm-lens regressions',
      failureType: 'regression',
      cases: regressionCases(input.regressions),
    });
  }
  const tests = suites.reduce((n, suite) => n + suite.cases.length, 0);
  const failures = suites.reduce(
    (n, suite) => n + suite.cases.filter((c) => c.failure !== null).length,
    0,
  );
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="llm-lens gates" tests="${tests}" failures="${failures}" errors="0" time="${timeS}">`,
  ];
  for (const suite of suites) {
    const suiteFailures = suite.cases.filter((c) => c.failure !== null).length;
    lines.push(
      `  <testsuite ${attributes({
        name: suite.name,
        tests: String(suite.cases.length),
        failures: String(suiteFailures),
        errors: '0',
        skipped: '0',
        time: String(timeS),
        timestamp: input.run.started_at,
      })}>`,
      '    <properties>',
      ...Object.entries(properties).map(
        ([name, value]) => `      <property ${attributes({ name, value })}/>`,
      ),
      '    </properties>',
    );
    for (const testCase of suite.cases) {
      const head = attributes({ name: testCase.name, classname: testCase.classname, time: '0' });
      if (testCase.failure === null) {
        lines.push(`    <testcase ${head}/>`);
        continue;
      }
      lines.push(
        `    <testcase ${head}>`,
        `      <failure ${attributes({ message: testCase.failure.message, type: suite.failureType })}>${escapeXmlText(testCase.failure.body)}</failure>`,
        '    </testcase>',
      );
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

function thresholdCases(results: readonly ThresholdResult[]): TestCase[] {
  const classname = 'llm-lens.thresholds';
  return results.flatMap((result): TestCase[] => {
    const origin = `threshold ${result.threshold} (${result.origin})`;
    if (result.groups.length === 0) {
      return [
        {
          name: `${result.threshold} [no matching group]`,
          classname,
          failure: { message: result.message, body: `${result.message}\n${origin}` },
        },
      ];
    }
    return result.groups.map((group) => ({
      name: `${result.threshold} [${group.provider} / ${group.model} / ${group.scenario}]`,
      classname,
      failure: group.passed
        ? null
        : { message: group.message, body: `${group.message}\n${origin}` },
    }));
  });
}

function regressionCases(checks: readonly RegressionCheck[]): TestCase[] {
  return checks.map((check) => {
    const measured = `value ${check.value ?? 'unknown'}, limit ${check.limit ?? 'none'}`;
    return {
      name: check.name,
      classname: 'llm-lens.regressions',
      failure: check.passed
        ? null
        : { message: `${check.message} (${measured})`, body: `${check.message}\n${measured}` },
    };
  });
}

function attributes(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}="${escapeXmlAttribute(value)}"`)
    .join(' ');
}

/** The run's length in seconds (ms precision); 0 when the times are missing or reversed. */
function runSeconds(startedAt: string, endedAt: string): number {
  const ms = Date.parse(endedAt) - Date.parse(startedAt);
  return Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0;
}
