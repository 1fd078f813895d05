// The shipped Grafana dashboard may only query metrics the serializer really emits: every
// metric name in every panel query and variable is checked against a real serialization.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PrometheusRunSerializer } from '../src/index.js';
import { parseExposition } from './exposition.js';
import { syntheticRun } from './synthetic-run.js';

interface Target {
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query?: string | { query: string };
}

const dashboard = JSON.parse(
  readFileSync(new URL('../dashboards/llm-lens-grafana.json', import.meta.url), 'utf8'),
) as { panels: Panel[]; templating: { list: Variable[] } };

const PROMQL_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
]);

/** The metric names a PromQL expression selects (`name{…}` and bare `name`). */
function metricNames(expr: string): string[] {
  const noStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const names = [...noStrings.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/g)].map((m) => m[1]!);
  const rest = noStrings
    .replace(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  for (const match of rest.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    const following = rest.slice(match.index! + word.length).trimStart();
    if (following.startsWith('(') || PROMQL_KEYWORDS.has(word)) continue;
    names.push(word);
  }
  return names;
}

/** The sample names of a real serialization of the synthetic run, records and summary. */
async function emittedNames(): Promise<Set<string>> {
  const { records, summary } = syntheticRun();
  const serializer = new PrometheusRunSerializer();
  for (const record of records) serializer.observe(record);
  serializer.setSummary(summary);
  return new Set(parseExposition(await serializer.serialize()).map((s) => s.name));
}

/** Grafana's reference to the `datasource` variable, literally (not a JS template). */
const DATASOURCE_UID = '$' + '{datasource}';

const panels = dashboard.panels.filter((p) => p.type !== 'row');
const targets = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, ...t })));

describe('dashboards/llm-lens-grafana.json', () => {
  it('extracts metric names from PromQL as intended', () => {
    expect(
      metricNames(
        'histogram_quantile(0.5, sum by (le, a) (rate(x_bucket{job=~"$job", q="y{z}"}[5m]))) / ignoring (b) up',
      ),
    ).toEqual(['x_bucket', 'up']);
  });

  it('queries only metrics the serializer emits, with samples', async () => {
    const emitted = await emittedNames();
    expect(targets.length).toBeGreaterThanOrEqual(10);
    for (const target of targets) {
      const names = metricNames(target.expr ?? '');
      expect(names.length, `${target.panel}: ${target.expr}`).toBeGreaterThan(0);
      for (const name of names) {
        expect(emitted.has(name), `${target.panel} queries ${name}, which is not emitted`).toBe(
          true,
        );
      }
    }
    for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
      const query = typeof variable.query === 'string' ? variable.query : variable.query!.query;
      const selector = /^label_values\((.*),\s*[a-zA-Z_]+\)$/.exec(query)?.[1] ?? '';
      const names = metricNames(selector);
      expect(names, `variable ${variable.name}: ${query}`).toHaveLength(1);
      for (const name of names) {
        expect(emitted.has(name), `variable ${variable.name} uses ${name}`).toBe(true);
      }
    }
  });

  it('shows TTFT, ITL and E2E quantiles from buckets, throughput and error rate', () => {
    const exprs = targets.map((t) => t.expr ?? '');
    for (const bucket of [
      'gen_ai_client_operation_time_to_first_chunk_seconds_bucket',
      'llm_lens_itl_seconds_bucket',
      'gen_ai_client_operation_duration_seconds_bucket',
    ]) {
      expect(exprs.some((e) => e.startsWith('histogram_quantile(') && e.includes(bucket))).toBe(
        true,
      );
    }
    expect(exprs.some((e) => e.includes('llm_lens_run_output_tokens_per_second'))).toBe(true);
    expect(exprs.some((e) => e.includes('status="error"') && e.includes(' / '))).toBe(true);
    expect(exprs.every((e) => e.includes('gen_ai_provider_name, gen_ai_request_model'))).toBe(true);
  });

  it('reads every panel from the datasource variable', () => {
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(variable).toMatchObject({ name: 'datasource', query: 'prometheus' });
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: DATASOURCE_UID });
      for (const target of panel.targets ?? []) {
        expect(target.datasource?.uid, panel.title).toBe(DATASOURCE_UID);
      }
    }
  });
});
