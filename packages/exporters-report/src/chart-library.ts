// Chart.js's UMD build, read from the installed package to be inlined in the HTML report
// (the report must work offline and fetch nothing).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ReportExportError } from './report-error.js';

let cached: string | undefined;

/**
 * The source of `chart.js/dist/chart.umd.js`, ready to sit inside a `<script>` element
 * (its source-map comment removed, `</script` and `<!--` made inert). Read once per process.
 */
export function loadChartJsSource(): string {
  if (cached !== undefined) return cached;
  let path: string | undefined;
  try {
    // chart.js's exports map does not list dist/chart.umd.js; its CommonJS entry sits beside it.
    path = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js');
    cached = inlineScript(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new ReportExportError(
      'LENS_EXPORT_REPORT_CHARTJS',
      `the HTML report could not read Chart.js${path === undefined ? '' : ` at ${path}`}: @llm-lens/exporters-report needs its dependency chart.js 4 installed (dist/chart.umd.js); reinstall the package's dependencies`,
      { cause },
    );
  }
  return cached;
}

/** Script text that cannot end its `<script>` element early, without its source-map comment. */
export function inlineScript(source: string): string {
  return source
    .replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n')
    .replace(/<\/script/gi, '<\\/script')
    .replace(/<!--/g, '<\\!--');
}
