// The HTML impact report of `tariff simulate --out` in a real browser (Debian's Chromium driven by
// playwright-core): one file that loads nothing, a chart of revenue per month under the stored and
// the proposed policy drawn to scale, the same figures as --json, and hostile names shown as text.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImpactSummary } from '../../src/tariff/index.js';
import { runCli } from '../helpers.js';
import { changedRate, impactStore, type ImpactStore } from './impact-fixture.js';

const SCRIPT_NAME = '<script>alert("x")</script> & Sons';
const SCREENSHOTS = join(import.meta.dirname, '..', 'tmp');

let fx: ImpactStore;
let browser: Browser;
let report: string;
let json: ImpactSummary;

beforeAll(async () => {
  fx = await impactStore('2025-10', { A2: SCRIPT_NAME });
  const tier3 = changedRate(fx.dir, 'tier3', (v) => {
    v.energy.tiers!.blocks[2]!.rate = '0.98886875';
  });
  report = join(fx.dir, 'impact.html');
  const args = ['tariff', 'simulate', tier3, '--from', '2025-10', '--to', '2026-01'];
  const written = await runCli([...args, '--out', report], fx.db);
  expect(written.code, written.err).toBe(0);
  expect(written.out).toContain(`${report}: the impact as HTML`);
  json = JSON.parse((await runCli([...args, '--json'], fx.db)).out) as ImpactSummary;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  fx?.remove();
});

async function open(): Promise<{ page: Page; requests: string[]; errors: string[]; dialogs: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const opened = { page, requests: [] as string[], errors: [] as string[], dialogs: [] as string[] };
  page.on('request', (request) => opened.requests.push(request.url()));
  page.on('pageerror', (error) => opened.errors.push(error.message));
  page.on('dialog', (dialog) => {
    opened.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(pathToFileURL(report).href);
  return opened;
}

describe('impact report', () => {
  it('is one file that loads and runs nothing', async () => {
    const html = readFileSync(report, 'utf8');
    expect(html).not.toMatch(/<(link|img|iframe|script)\b/i);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).toContain("default-src 'none'");
    const { page, requests, errors } = await open();
    expect(requests).toEqual([pathToFileURL(report).href]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws revenue per month, stored beside proposed, to scale', async () => {
    const { page } = await open();
    // Legend swatches first, then a stored and a proposed bar per month.
    const rects = await page.$$eval('#revenue-chart svg rect', (all) => all.map((r) => ({
      height: r.getBoundingClientRect().height, bottom: Math.round(r.getBoundingClientRect().bottom), title: r.querySelector('title')?.textContent ?? '',
    })));
    const bars = rects.filter((r) => r.title !== '');
    expect(bars.map((b) => b.title.split(':')[0])).toEqual(json.byMonth.flatMap((m) => [`${m.key} stored (revision 1)`, `${m.key} proposed`]));
    expect(new Set(bars.map((b) => b.bottom)).size).toBe(1);
    const tallest = Math.max(...json.byMonth.flatMap((m) => [m.oldMinor, m.newMinor]));
    json.byMonth.forEach((m, i) => {
      expect(bars[2 * i]!.height / bars[0]!.height).toBeCloseTo(m.oldMinor / json.byMonth[0]!.oldMinor, 1);
      expect(bars[2 * i + 1]!.height / Math.max(...bars.map((b) => b.height))).toBeCloseTo(m.newMinor / tallest, 1);
    });
    // 2025-10 is a summer month (tier 3 above 600 kWh): nothing changes; 2026-01's proposed bar is taller.
    expect(bars[0]!.height).toBeCloseTo(bars[1]!.height, 3);
    expect(bars[7]!.height).toBeGreaterThan(bars[6]!.height);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'impact-report.png'), fullPage: true });
    copyFileSync(join(SCREENSHOTS, 'impact-report.png'), '/tmp/impact-report.png');
    await page.close();
  });

  it('shows the figures of --json: per month, the held bills apart, the most affected with the line items that moved', async () => {
    const { page } = await open();
    const months = await page.$$eval('#by-month tbody tr', (rows) => rows.map((r) => [r.getAttribute('data-key'), r.querySelectorAll('td')[3]!.textContent]));
    expect(months).toEqual(json.byMonth.map((m) => [m.key, `${m.changeMinor > 0 ? '+' : ''}${(m.changeMinor / 100).toFixed(2)}`]));
    expect(await page.textContent('#untrusted')).toContain('left out: 2 held or escalated bills (review not decided)');
    const first = json.mostAffected[0]!;
    expect(await page.textContent('#most-affected tbody tr:first-child td:first-child')).toBe(first.accountId);
    expect(await page.locator('#most-affected tbody tr:first-child ul.lines li').allTextContents())
      .toEqual(first.lines.map((l) => `${l.label}: ${(l.oldMinor / 100).toFixed(2)} → ${(l.newMinor / 100).toFixed(2)}`));
    await page.close();
  });

  it('shows a hostile customer name as text', async () => {
    const { page, dialogs } = await open();
    expect(await page.textContent('#most-affected tr[data-account="A2"] .name')).toBe(SCRIPT_NAME);
    expect(await page.locator('script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
  });
});
