// The HTML review report in a real browser: Debian's Chromium driven by playwright-core.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../setup/browser.js';
import { runCli } from '../helpers.js';
import { PERIOD, reviewFixture, SCRIPT_NAME, type ListRow, type ReviewFixture } from './fixture.js';

const SCREENSHOTS = join(import.meta.dirname, '..', 'tmp');
const LEAD_SCREENSHOT = '/tmp/review-report.png';

let fx: ReviewFixture;
let browser: Browser;
// The whole file works on one store and one report (tempDir() would be removed after the first test).
let dir: string;
let db: string;
let report: string;
let html: string;

async function list(...args: string[]): Promise<ListRow[]> {
  const result = await runCli(['review', 'list', '--period', PERIOD, '--format', 'json', ...args], db);
  expect(result.code, result.err).toBe(0);
  return JSON.parse(result.out) as ListRow[];
}

beforeAll(async () => {
  fx = await reviewFixture();
  dir = mkdtempSync(join(tmpdir(), 'billrun-report-'));
  db = join(dir, 'store.duckdb');
  copyFileSync(fx.billed.db, db);
  // Some decisions, so the report shows every kind of state.
  const decisions: [string, string][] = [[fx.held[0]!, 'release'], [fx.held[1]!, 'correct'], [fx.held[4]!, 'escalate'], [fx.held[5]!, 'dismiss']];
  for (const [account, action] of decisions) {
    const result = await runCli(['review', 'decide', account, '--period', PERIOD, '--action', action, '--reviewer', 'pat', '--note', `${action} <b>now</b>`], db);
    expect(result.code, result.err).toBe(0);
  }
  report = join(dir, 'report.html');
  const written = await runCli(['review', 'report', '--period', PERIOD, '--out', report], db);
  expect(written.code, written.err).toBe(0);
  html = readFileSync(report, 'utf8');
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  fx?.billed.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  requests: string[];
  dialogs: string[];
  errors: string[];
}

async function open(): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const opened: Opened = { page, requests: [], dialogs: [], errors: [] };
  page.on('request', (request) => opened.requests.push(request.url()));
  page.on('dialog', (dialog) => {
    opened.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => opened.errors.push(error.message));
  await page.goto(pathToFileURL(report).href);
  return opened;
}

const visibleAccounts = (page: Page) => page.$$eval('#queue-table tbody tr:not([hidden])', (rows) => rows.map((r) => r.getAttribute('data-account')!));

describe('review report', () => {
  it('is one file that loads nothing else', async () => {
    expect(html).not.toMatch(/<(link|img|iframe)\b/i);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*"(?!#)/i);
    expect(html).toContain("default-src 'none'");
    const { page, requests, errors } = await open();
    expect(requests).toEqual([pathToFileURL(report).href]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('filters the ranked list by status, rule, region, score and name', async () => {
    const { page } = await open();
    const open_ = await list('--status', 'open');
    expect(await visibleAccounts(page)).toEqual(open_.map((r) => r.account_id));
    expect(await page.textContent('#shown')).toBe(`${open_.length} of ${(await list('--status', 'all')).length} accounts`);

    const rule = open_[0]!.rules.at(-1)!;
    await page.selectOption('select[name=rule]', rule);
    expect(await visibleAccounts(page)).toEqual((await list('--status', 'open', '--rule', rule)).map((r) => r.account_id));

    await page.selectOption('select[name=rule]', '');
    await page.selectOption('select[name=status]', '');
    const region = open_[0]!.region;
    await page.selectOption('select[name=region]', region);
    expect(await visibleAccounts(page)).toEqual((await list('--status', 'all', '--region', region)).map((r) => r.account_id));

    await page.selectOption('select[name=region]', '');
    await page.selectOption('select[name=status]', 'corrected');
    expect(await visibleAccounts(page)).toEqual([fx.held[1]!]);

    await page.selectOption('select[name=status]', '');
    const all = await list('--status', 'all');
    await page.fill('input[name=minScore]', String(all[3]!.score));
    expect(await visibleAccounts(page)).toEqual(all.slice(0, 4).map((r) => r.account_id));
    await page.fill('input[name=minScore]', '');

    await page.fill('input[name=search]', '<script>');
    expect(await visibleAccounts(page)).toEqual([fx.scriptAccount]);
    await page.close();
  });

  it('sorts by a column both ways', async () => {
    const { page } = await open();
    await page.selectOption('select[name=status]', '');
    const amounts = () => page.$$eval('#queue-table tbody tr:not([hidden])', (rows) => rows.map((r) => Number(r.getAttribute('data-amount'))));
    await page.click('button[data-sort=amount]');
    const descending = await amounts();
    expect(descending).toEqual([...descending].sort((a, b) => b - a));
    expect(await page.getAttribute('th[data-key=amount]', 'aria-sort')).toBe('descending');
    await page.click('button[data-sort=amount]');
    const ascending = await amounts();
    expect(ascending).toEqual([...descending].sort((a, b) => a - b));
    expect(await page.getAttribute('th[data-key=score]', 'aria-sort')).toBe('none');
    await page.close();
  });

  it('opens an account: its history chart with the flagged period marked, its reasons and line items', async () => {
    const { page } = await open();
    const account = fx.held[2]!;
    const shown = JSON.parse((await runCli(['review', 'show', account, '--period', PERIOD, '--json'], db)).out) as {
      flags: unknown[]; lineItems: unknown[];
    };
    const rule = (await list('--status', 'open')).find((r) => r.account_id === account)!.rules[0]!;
    await page.selectOption('select[name=rule]', rule);
    await page.click(`#queue-table tr[data-account="${account}"] td:nth-child(4)`);
    expect(new URL(page.url()).hash).toBe(`#acct-${account}`);
    const detail = page.locator(`#acct-${account}`);
    expect(await detail.isVisible()).toBe(true);
    expect(await page.locator('article.account:visible').count()).toBe(1);
    expect(await detail.locator('svg rect').count()).toBeGreaterThanOrEqual(13);
    expect(await detail.locator('svg rect[fill="#d9534f"]').count()).toBe(1);
    expect(await detail.locator('svg rect[fill="#d9534f"] title').textContent()).toMatch(/^02\/25: /);
    expect(await detail.locator('ul.reasons li').count()).toBe(shown.flags.length);
    expect(await detail.locator('table tbody tr').count()).toBe(shown.lineItems.length);
    expect(await page.getAttribute(`#queue-table tr[data-account="${account}"]`, 'class')).toBe('selected');

    // For the record: the filtered list with this account open below it.
    await page.evaluate('window.scrollTo(0, 0)');
    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = join(SCREENSHOTS, 'review-report.png');
    await page.screenshot({ path: file, fullPage: true });
    copyFileSync(file, LEAD_SCREENSHOT);
    await page.close();
  });

  it('shows hostile names and notes as text', async () => {
    const { page, dialogs } = await open();
    await page.selectOption('select[name=status]', '');
    expect(await page.textContent(`#queue-table tr[data-account="${fx.scriptAccount}"] td:nth-child(2)`)).toBe(SCRIPT_NAME);
    await page.click(`a[href="#acct-${fx.scriptAccount}"]`);
    expect(await page.textContent(`#acct-${fx.scriptAccount} .name`)).toBe(SCRIPT_NAME);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('b:text("now")').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
  });
});
