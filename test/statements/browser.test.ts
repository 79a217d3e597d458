// HTML statements in a real browser (Debian's Chromium through playwright-core): the usage chart
// renders with a bar per month, the "Why your bill changed" box shows its waterfall, the page
// fits its width, and nothing is fetched or run.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../setup/browser.js';
import { statementPath } from '../../src/statements/index.js';
import { runCli } from '../helpers.js';
import { PERIOD, statementsFixture, UTILITY, type StatementsFixture } from './fixture.js';

const SCREENSHOTS = join(import.meta.dirname, '..', 'tmp');
const LEAD_SCREENSHOT = '/tmp/statement.png';

let fx: StatementsFixture;
let browser: Browser;
beforeAll(async () => {
  fx = await statementsFixture();
  for (const locale of ['en', 'zh-CN']) {
    const result = await runCli(['statements', '--period', PERIOD, '--out', join(fx.dir, locale), '--locale', locale, '--utility', UTILITY], fx.db);
    expect(result.code, result.err).toBe(0);
  }
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  fx?.remove();
});

describe.each(['en', 'zh-CN'])('an HTML statement in Chromium (%s)', (locale) => {
  it('draws the 13-month usage chart with this period highlighted, fits the page and loads nothing', async () => {
    const root = join(fx.dir, locale, PERIOD);
    const digits = (JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as { layout: { shard_digits: number } }).layout.shard_digits;
    const file = join(root, statementPath('IND-2P-03', '佛山 南海', digits, false, 'html'));
    const page = await browser.newPage({ viewport: { width: 860, height: 1200 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pathToFileURL(file).href);

    const chart = {
      width: await page.$eval('svg', (svg) => svg.getBoundingClientRect().width),
      bars: await page.$$eval('svg rect', (rects) => rects.map((rect) => {
        const box = rect.getBoundingClientRect();
        return { height: box.height, bottom: Math.round(box.bottom), fill: rect.closest('[fill]')!.getAttribute('fill') };
      })),
      labels: await page.$$eval('svg text', (texts) => texts.length),
    };
    expect(chart.width).toBeGreaterThan(600);
    expect(chart.bars).toHaveLength(13);
    for (const bar of chart.bars) expect(bar.height).toBeGreaterThan(10);
    // All bars stand on one baseline; only this period's is drawn in the accent colour.
    expect(new Set(chart.bars.map((b) => b.bottom)).size).toBe(1);
    expect(chart.bars.filter((b) => b.fill === '#d9534f')).toHaveLength(1);
    expect(chart.bars.at(-1)!.fill).toBe('#d9534f');
    // A value above each bar and a month under it.
    expect(chart.labels).toBe(26);

    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBe(0);
    expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
    expect(errors).toEqual([]);

    mkdirSync(SCREENSHOTS, { recursive: true });
    const shot = join(SCREENSHOTS, `statement-${locale}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    if (locale === 'en') copyFileSync(shot, LEAD_SCREENSHOT);
    await page.close();
  });

  it('shows "Why your bill changed" with the causes from last month\'s amount to this one, within the page', async () => {
    const root = join(fx.dir, locale, PERIOD);
    const digits = (JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as { layout: { shard_digits: number } }).layout.shard_digits;
    const page = await browser.newPage({ viewport: { width: 860, height: 1200 } });
    await page.goto(pathToFileURL(join(root, statementPath('RES-TIER-01', 'GZ-HZ', digits, false, 'html'))).href);
    const box = page.locator('section.w');
    expect(await box.locator('h3').textContent()).toBe(locale === 'en' ? 'Why your bill changed' : '账单变化原因');
    // June's 319.21, three causes (days −10.71, usage +125.71, tier +25.00), July's 459.21.
    const amounts = await box.locator('tr td:last-child').allTextContents();
    expect(amounts).toEqual(['319.21', '-10.71', '+125.71', '+25.00', '459.21']);
    expect((await box.boundingBox())!.width).toBeGreaterThan(300);
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await box.screenshot({ path: join(SCREENSHOTS, `why-changed-${locale}.png`) });
    await page.close();
  });
});
