import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { ROOT, runStageScript, tempDir } from '../testing';
import { regressions } from '.';

const data = join(tempDir('shoplab-report-'), 'data');
const out = join(data, '..', 'reports');
/** Screenshots of the pages this test opened, for a person to look at (git-ignored, outside reports/). */
const SCREENSHOTS = join(ROOT, '.test-data', 'screenshots');
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

beforeAll(() => {
  const stages: [string, string[]][] = [
    ['generate', ['--events', '40000', '--seed', '5']],
    ['sessionize', []],
    ['split', []],
    ['features', []],
  ];
  for (const family of ['ranking', 'purchase', 'category', 'recommend'])
    stages.push(['train', ['--family', family]], ['promote', ['--family', family]]);
  // A second ranking version, so its page compares against a production model.
  stages.push(['train', ['--family', 'ranking']], ['promote', ['--family', 'ranking']], ['report', ['--out', out]]);
  for (const [stage, args] of stages) {
    const run = runStageScript(stage, [...args, '--data', data]);
    expect(run.status, `${stage}: ${run.stderr}`).toBe(0);
  }
}, 240_000);

describe('report pages in headless Chromium', () => {
  it('each page loads from file:// with no console error and no network request, and every chart draws', async () => {
    const pages = readdirSync(out)
      .filter((f) => f.endsWith('.html'))
      .sort();
    expect(pages).toEqual(['category.html', 'index.html', 'purchase.html', 'ranking.html', 'recommend.html']);
    mkdirSync(SCREENSHOTS, { recursive: true });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
    try {
      for (const name of pages) {
        const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
        const errors: string[] = [];
        const requests: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('request', (r) => {
          if (!r.url().startsWith('file:')) requests.push(r.url());
        });
        await page.goto(pathToFileURL(join(out, name)).href, { waitUntil: 'load' });
        const charts = await page.locator('.shoplab-chart').count();
        // Plotly marks a div it has drawn into with .js-plotly-plot and puts its SVG inside.
        await page.waitForFunction(
          `[...document.querySelectorAll('.shoplab-chart')].every((d) => d.querySelector('.main-svg'))`,
          undefined,
          { timeout: 20_000 },
        );
        const drawn = await page.locator('.shoplab-chart.js-plotly-plot:has(.main-svg)').count();
        await page.screenshot({ path: join(SCREENSHOTS, name.replace('.html', '.png')), fullPage: true });
        await page.close();
        expect(errors, name).toEqual([]);
        expect(requests, name).toEqual([]);
        expect(drawn, name).toBe(charts);
        if (name !== 'index.html') expect(charts, name).toBeGreaterThanOrEqual(6);
      }
    } finally {
      await browser.close();
    }
    expect(readdirSync(SCREENSHOTS)).toEqual(
      expect.arrayContaining(['index.png', 'ranking.png', 'purchase.png', 'category.png', 'recommend.png']),
    );
  }, 120_000);

  it('marks a guard metric that got worse than production', () => {
    const report = {
      primary: 'ndcg@10',
      guards: ['mrr', 'ndcg@1'],
      production: { version: 1, metrics: { 'ndcg@10': 0.7, mrr: 0.5, 'ndcg@1': 0.4 } },
    };
    expect(
      regressions({
        ...report,
        metrics: { random: null, baseline: null, oracle: null, model: { 'ndcg@10': 0.75, mrr: 0.49, 'ndcg@1': 0.4 } },
      }),
    ).toEqual(['mrr']);
    expect(
      regressions({
        ...report,
        production: null,
        metrics: { random: null, baseline: null, oracle: null, model: { 'ndcg@10': 0.1 } },
      }),
    ).toEqual([]);
  });
});
