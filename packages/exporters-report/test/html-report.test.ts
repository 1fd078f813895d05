// Opens the HTML report in a real headless Chromium (Debian's /usr/bin/chromium) and checks
// that it draws every chart, logs no error and loads nothing but itself.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RunExporter } from '@llm-lens/metrics';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlReportFormat, renderTrendHtml } from '../src/index.js';
import { buildRealisticRun } from './realistic-run.js';

const CHROMIUM = '/usr/bin/chromium';
const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const ARTIFACT = join(PACKAGE_DIR, 'test-artifacts', 'report.png');
const README_SCREENSHOT = join(PACKAGE_DIR, 'docs', 'report.png');
const VIEWPORT = { width: 1280, height: 900 };

interface PageReport {
  consoleErrors: string[];
  requests: string[];
  canvases: Array<{ id: string; width: number; height: number; paintedPixels: number }>;
  chartsDrawn: number;
  chartsInData: number;
  text: string;
}

/** The little of the page's DOM the measurement touches (the package compiles without lib.dom). */
interface PageGlobals {
  document: {
    querySelectorAll(selector: 'canvas'): Iterable<{
      id: string;
      width: number;
      height: number;
      getContext(kind: '2d'): {
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      } | null;
    }>;
    getElementById(id: string): { textContent: string | null } | null;
    querySelector(selector: 'main'): { textContent: string | null } | null;
    body: { getAttribute(name: string): string | null };
  };
}

let context: BrowserContext;
let workDir: string;
let userDataDir: string;

/** Writes a report through the `html` format, as the CLI would, and returns its path. */
async function writeReport(name: string, feedRecords: boolean): Promise<string> {
  const { records, summary } = buildRealisticRun();
  const path = join(workDir, name);
  const exporter = htmlReportFormat.createRunExporter!({ path }) as RunExporter;
  if (feedRecords) {
    for (const record of records) if (!exporter.write(record)) await exporter.drain();
  }
  await exporter.close();
  await exporter.export(summary);
  return path;
}

/** Opens a report file and reports what the page did. */
async function openReport(path: string, screenshot?: string): Promise<PageReport> {
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
  await page.waitForSelector('body[data-charts-drawn]', { timeout: 10_000 });
  const measured = await page.evaluate(() => {
    const { document } = globalThis as unknown as PageGlobals;
    const canvases = [...document.querySelectorAll('canvas')].map((canvas) => {
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
      return { id: canvas.id, width: canvas.width, height: canvas.height, paintedPixels: painted };
    });
    const data = JSON.parse(document.getElementById('report-data')!.textContent!);
    return {
      canvases,
      chartsDrawn: Number(document.body.getAttribute('data-charts-drawn')),
      chartsInData: data.charts.length as number,
      // The report's content: <main> holds no script, so no inlined JSON or Chart.js text.
      text: document.querySelector('main')?.textContent ?? '',
    };
  });
  if (screenshot !== undefined) {
    mkdirSync(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
  }
  await page.close();
  return { ...measured, consoleErrors, requests };
}

function pngWidth(path: string): number {
  const bytes = readFileSync(path);
  expect(bytes.subarray(0, 8)).toEqual(
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  );
  // IHDR is the first chunk: its width is the big-endian word at byte 16.
  return bytes.readUInt32BE(16);
}

function pngHeight(path: string): number {
  pngWidth(path);
  return readFileSync(path).readUInt32BE(20);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the HTML report test drives Debian's Chromium; install it with \`apt-get install chromium\``,
    );
  }
  workDir = mkdtempSync(join(tmpdir(), 'lens-report-'));
  userDataDir = mkdtempSync(join(tmpdir(), 'lens-report-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: VIEWPORT,
    deviceScaleFactor: 1,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
});

afterAll(async () => {
  await context?.close();
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
});

describe('the HTML report in Chromium', () => {
  it('draws every chart of a run with records, with no error and no request but the file', async () => {
    const path = await writeReport('report.html', true);
    const page = await openReport(path, ARTIFACT);

    expect(page.consoleErrors).toEqual([]);
    expect(page.requests).toEqual([pathToFileURL(path).href]);
    // TTFT, E2E and ITL histogram + CDF, three over time, three comparison bars, one sweep.
    expect(page.canvases.map((c) => c.id)).toEqual([
      'compare-ttft',
      'compare-e2e',
      'compare-throughput',
      'ttft-histogram',
      'ttft-cdf',
      'e2e-histogram',
      'e2e-cdf',
      'itl-histogram',
      'itl-cdf',
      'requests-over-time',
      'tokens-over-time',
      'ttft-over-time',
      'sweep-0',
    ]);
    expect(page.chartsDrawn).toBe(13);
    expect(page.chartsInData).toBe(13);
    for (const canvas of page.canvases) {
      expect(canvas.width, canvas.id).toBeGreaterThan(300);
      expect(canvas.height, canvas.id).toBeGreaterThan(200);
      // Axes, labels and lines: a drawn chart paints thousands of pixels, an empty canvas none.
      expect(canvas.paintedPixels, canvas.id).toBeGreaterThan(2000);
    }
    expect(page.text).toContain('Knee at concurrency = 64');
    expect(page.text).toContain('rate_limited');
    expect(page.text).not.toContain('Charts not drawn');
  });

  it('draws what a summary alone supports and says which charts need the records', async () => {
    const path = await writeReport('summary-only.html', false);
    const page = await openReport(path);

    expect(page.consoleErrors).toEqual([]);
    expect(page.requests).toEqual([pathToFileURL(path).href]);
    expect(page.canvases.map((c) => c.id)).toEqual([
      'compare-ttft',
      'compare-e2e',
      'compare-throughput',
      'ttft-cdf',
      'e2e-cdf',
      'itl-cdf',
      'sweep-0',
    ]);
    for (const canvas of page.canvases)
      expect(canvas.paintedPixels, canvas.id).toBeGreaterThan(2000);
    expect(page.text).toContain('need the per-request records');
  });

  it('draws a trend of saved runs, one line per target, with no error and no request', async () => {
    const path = join(workDir, 'trend.html');
    const day = (d: number) => new Date(Date.UTC(2026, 10, d)).toISOString();
    writeFileSync(
      path,
      renderTrendHtml({
        metric: 'ttft.p95',
        unit: 'ms',
        subtitle: 'provider openai, since 30d',
        series: [
          {
            label: 'openai / a / chat',
            points: [1, 2, 3, 4].map((d) => ({
              started_at: day(d),
              run_id: `r${d}`,
              value: 100 + d * 7,
            })),
          },
          {
            label: 'openai / b / chat',
            points: [1, 3].map((d) => ({
              started_at: day(d),
              run_id: `s${d}`,
              value: d === 3 ? null : 240,
            })),
          },
        ],
      }),
    );
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => {
      if (request.url() !== pathToFileURL(path).href) problems.push(`request ${request.url()}`);
    });
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
    await page.waitForSelector('body[data-charts-drawn]', { timeout: 10_000 });
    const painted = await page.evaluate(() => {
      const { document } = globalThis as unknown as PageGlobals;
      const canvas = document.getElementById('trend') as unknown as {
        width: number;
        height: number;
        getContext(kind: '2d'): {
          getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
        };
      };
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) count++;
      return count;
    });
    await page.close();
    expect(problems).toEqual([]);
    expect(painted).toBeGreaterThan(2000);
  });

  it('keeps docs/report.png, which the README shows, in step with the page', () => {
    if (process.env.UPDATE_REPORT_SCREENSHOT === '1') {
      mkdirSync(dirname(README_SCREENSHOT), { recursive: true });
      copyFileSync(ARTIFACT, README_SCREENSHOT);
    }
    expect(
      existsSync(README_SCREENSHOT),
      'docs/report.png is missing: run the test once with UPDATE_REPORT_SCREENSHOT=1',
    ).toBe(true);
    expect(pngWidth(README_SCREENSHOT)).toBe(pngWidth(ARTIFACT));
    // The same page is as tall: a layout change shows here until the README's copy is
    // remade (2 % allows a font's rounding on another machine).
    const shown = pngHeight(README_SCREENSHOT);
    expect(Math.abs(shown - pngHeight(ARTIFACT)) / shown).toBeLessThan(0.02);
    expect(pngWidth(ARTIFACT)).toBe(VIEWPORT.width);
    expect(readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8')).toContain('docs/report.png');
  });
});
