import { describe, expect, it } from 'vitest';
import { buildRealisticRun } from '../test/realistic-run.js';
import { inlineScript, loadChartJsSource } from './chart-library.js';
import { REPORT_CSP, renderHtmlReport } from './html-report.js';
import { RunDistributions } from './run-distributions.js';

const HOSTILE = '</script><img src=x onerror="alert(1)"> <!-- & \'';

function hostileRun() {
  const run = buildRealisticRun();
  const group = run.summary.groups[1]!;
  group.error_examples = { ...group.error_examples, rate_limited: HOSTILE };
  return run;
}

/** The document with the text of its script elements removed. */
function markupOnly(html: string): string {
  return html.replace(/(<script[^>]*>)[\s\S]*?(<\/script>)/g, '$1$2');
}

describe('renderHtmlReport', () => {
  const { records, summary } = hostileRun();
  const distributions = new RunDistributions();
  for (const record of records) distributions.add(record);
  const chartJsSource = loadChartJsSource();
  const html = renderHtmlReport(summary, { distributions, chartJsSource });

  it('declares a policy that allows no network access, and links nothing', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(REPORT_CSP).toMatch(/^default-src 'none';/);
    const markup = markupOnly(html);
    // Attributes inside tags only: the escaped server message holds ` src=` as text.
    expect(markup.match(/<[^>]*\s(src|href)=[^>]*>/g)).toEqual(['<link rel="icon" href="data:,">']);
    expect(markup).toContain('<link rel="icon" href="data:,">');
    expect(markup).not.toMatch(/https?:\/\//);
  });

  it('inlines Chart.js, the data and the page script as exactly three scripts', () => {
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(html).toContain('<script type="application/json" id="report-data">');
    expect(html).toContain(chartJsSource);
    expect(chartJsSource).not.toContain('sourceMappingURL');
  });

  it('escapes a server message in the tables and in the inlined JSON', () => {
    expect(html).toContain(
      '&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &lt;!-- &amp; &#39;',
    );
    const data = html.slice(html.indexOf('id="report-data">'), html.indexOf('</script>'));
    expect(data).toContain('\\u003c/script>\\u003cimg');
    const parsed = JSON.parse(data.slice('id="report-data">'.length));
    expect(parsed.summary.groups[1].error_examples.rate_limited).toBe(HOSTILE);
    expect(parsed.charts).toHaveLength(13);
  });

  it('shows the run, its status and each target with its colour', () => {
    expect(html).toContain('<dd>3f1c2a9e-5b7d-4e21-9a0c-6d8e2f4b1a77</dd>');
    expect(html).toContain('<span class="badge ok">complete</span>');
    expect(html).toContain('<span class="badge ok">client not the bottleneck</span>');
    expect(html).toContain(
      '<th class="target"><span class="swatch" style="background:#ea580c"></span>anthropic · claude-3-5-haiku <span class="sub">chat</span></th>',
    );
  });

  it('marks an interrupted, client-bound run at the top', () => {
    const interrupted = {
      ...summary,
      complete: false,
      fidelity: { ...summary.fidelity, client_bound: true, warnings: ['event loop was busy'] },
    };
    const page = renderHtmlReport(interrupted, { chartJsSource: 'void 0;' });
    expect(page).toContain('<span class="badge warn">interrupted: partial results</span>');
    expect(page).toContain('<span class="badge warn">client-bound</span>');
    expect(page).toContain('<div class="callout warn">');
    expect(page).toContain('<li>event loop was busy</li>');
    expect(page).toContain('Charts not drawn');
  });
});

describe('inlineScript', () => {
  it('drops the source-map comment and keeps the script from closing its element', () => {
    const source = 'var a = "</script>"; var b = "<!--";\n//# sourceMappingURL=chart.umd.js.map\n';
    expect(inlineScript(source)).toBe('var a = "<\\/script>"; var b = "<\\!--";\n');
  });
});
