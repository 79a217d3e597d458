// The review desk in Chromium (playwright-core, Debian's browser): sign-in, keyboard-only triage,
// a correction re-priced on the spot, two reviewers racing, an escalation resolved by a
// supervisor, an agent kept to one account, markup in a name shown as text, and a form without
// its CSRF token refused. Screenshots of the queue and an account page go to /tmp.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMinor } from '../../src/money/index.js';
import { accountReview } from '../../src/review/index.js';
import { launchBrowser } from '../setup/browser.js';
import type { BilledStore } from '../billed-store.js';
import { deskStore, PASSWORD, PERIOD, SCRIPT_NAME, startDesk, type Desk } from './fixture.js';

let billed: BilledStore;
let desk: Desk;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  billed = await deskStore();
  desk = await startDesk(billed);
  browser = await launchBrowser();
}, 600_000);
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await desk?.close();
  billed?.remove();
});

/** A fresh browser profile signed in as `name`; every dialog (an injected alert) is recorded. */
async function signedIn(name: string): Promise<Page & { dialogs: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  contexts.push(context);
  const page = Object.assign(await context.newPage(), { dialogs: [] as string[] });
  page.on('dialog', (dialog) => {
    page.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`${desk.url}/login`);
  await page.fill('input[name="name"]', name);
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.press('input[name="password"]', 'Enter')]);
  return page;
}

const decisionsOf = async (accountId: string) => (await desk.store.rows(`SELECT d.action || ' ' || d.reviewer AS d
  FROM review_decisions d JOIN accounts a USING (account_key) WHERE a.account_id = $id AND d.period = 202502 ORDER BY d.decision_id`, { id: accountId }))
  .map((r) => String(r.d));
const toast = (page: Page) => page.locator('#toast');

describe('the review desk in Chromium', () => {
  it('signs a reviewer in, and refuses a wrong password', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${desk.url}/queue`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('input[name="name"]', 'ana');
    await page.fill('input[name="password"]', 'not the password');
    await page.press('input[name="password"]', 'Enter');
    await expect.poll(() => page.locator('.error').textContent(), { timeout: 20_000 }).toBe('Wrong name or password.');
    await page.fill('input[name="name"]', 'ana');
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL(/\/queue/), page.press('input[name="password"]', 'Enter')]);
    expect(await page.locator('header .who').textContent()).toBe('ana (reviewer)');
    const cookie = (await context.cookies()).find((c) => c.name === 'billrun_desk')!;
    expect([cookie.httpOnly, cookie.sameSite]).toEqual([true, 'Strict']);
  });

  it('triages twenty bills with the keyboard only', async () => {
    const page = await signedIn('ana');
    await page.goto(`${desk.url}/queue?period=${PERIOD}&status=held&size=30`);
    // The first three rows belong to the other tests; the next twenty are triaged here.
    for (let i = 0; i < 3; i++) await page.keyboard.press('j');
    const triaged = desk.held.slice(3, 23);
    expect(await page.locator('tr.current').getAttribute('data-account')).toBe(triaged[0]);
    for (const [i, account] of triaged.entries()) {
      await page.keyboard.press(i % 4 === 3 ? 'd' : 'r');
      await page.keyboard.type(`checked ${i}`);
      await page.keyboard.press('Enter');
      await expect.poll(() => toast(page).textContent(), { timeout: 20_000 }).toContain(account);
      expect(await toast(page).getAttribute('class')).toBe('');
    }
    for (const [i, account] of triaged.entries()) {
      expect(await decisionsOf(account)).toEqual([`${i % 4 === 3 ? 'dismiss' : 'release'} ana`]);
      expect(await page.locator(`tr[data-account="${account}"] .status`).textContent()).toBe(i % 4 === 3 ? 'dismissed' : 'released');
    }
    await page.goto(`${desk.url}/queue?period=${PERIOD}&status=all&size=25`);
    await page.screenshot({ path: '/tmp/desk-queue.png', fullPage: false });
  }, 120_000);

  it('corrects a bill with a read and shows the re-priced bill beside the old one', async () => {
    // A held bill with a total register, after the ones the other tests take.
    let target: string | undefined;
    let review;
    for (const account of desk.held.slice(23, -1)) {
      review = await accountReview(desk.store, account, PERIOD);
      if (review.determinants.some((d) => d.register === 'total') && review.determinants.length === 1) {
        target = account;
        break;
      }
    }
    expect(target).toBeDefined();
    const total = review!.determinants[0]!;
    const close = total.openValue + 321_500; // 321.5 register units after the opening read
    const page = await signedIn('ana');
    await page.goto(`${desk.url}/accounts/${target}?period=${PERIOD}`);
    await page.keyboard.press('c');
    await page.keyboard.type(`total=${close / 1000}`);
    await page.keyboard.press('Tab');
    await page.keyboard.type('customer sent a photo of the meter');
    await Promise.all([page.waitForURL(/period=/), page.keyboard.press('Enter')]);
    await expect.poll(() => page.locator('p.ok').textContent(), { timeout: 20_000 }).toContain('re-billed as version 2');
    const [v2] = await desk.store.rows(`SELECT b.amount_minor::DOUBLE AS amount, b.kwh_milli::DOUBLE AS kwh, c.currency,
        (SELECT sum(l.amount_minor)::DOUBLE FROM line_items l WHERE l.account_key = b.account_key AND l.period = b.period AND l.bill_version = 2) AS items
      FROM bills b JOIN accounts a USING (account_key) JOIN bill_contexts c USING (context_key)
      WHERE a.account_id = $id AND b.period = 202502 AND b.bill_version = 2 AND b.is_current`, { id: target! });
    // 321.5 units × the multiplier, worked out here rather than read back from the desk.
    expect(Number(v2!.kwh)).toBe(Math.round(321_500 * total.multiplier));
    expect(Number(v2!.items)).toBe(Number(v2!.amount));
    const newAmount = formatMinor(Number(v2!.amount), String(v2!.currency));
    expect((await page.locator('.new-amount').textContent())!.replaceAll(',', '')).toBe(`${newAmount} ${v2!.currency}`);
    expect(await page.locator('.bill-old .amount').textContent()).toContain(review!.bill.currency);
    expect(await page.locator('.bill-new h3').textContent()).toContain('Re-bill, version 2');
    await page.screenshot({ path: '/tmp/desk-account.png', fullPage: true });
  }, 120_000);

  it('lets one of two reviewers racing for the same bill win and tells the other', async () => {
    const [ana, bob] = await Promise.all([signedIn('ana'), signedIn('bob')]);
    const target = desk.held[0]!;
    for (const page of [ana, bob]) {
      await page.goto(`${desk.url}/queue?period=${PERIOD}&status=held&size=5`);
      expect(await page.locator('tr.current').getAttribute('data-account')).toBe(target);
      await page.keyboard.press('r');
      await page.keyboard.type('looks right');
    }
    await Promise.all([ana.keyboard.press('Enter'), bob.keyboard.press('Enter')]);
    for (const page of [ana, bob]) await expect.poll(() => toast(page).textContent(), { timeout: 20_000 }).toContain(target);
    const outcomes = await Promise.all([ana, bob].map(async (page) => ({ text: await toast(page).textContent(), error: await toast(page).getAttribute('class') })));
    const winners = outcomes.filter((o) => o.error === '');
    const losers = outcomes.filter((o) => o.error === 'error');
    expect([winners.length, losers.length]).toEqual([1, 1]);
    expect(winners[0]!.text).toContain('release (held → released)');
    expect(losers[0]!.text).toMatch(/claimed by (ana|bob)|another decision/);
    expect(await decisionsOf(target)).toHaveLength(1);
  });

  it('sends an escalation to a supervisor, who resolves it', async () => {
    const target = desk.held[1]!;
    const ana = await signedIn('ana');
    await ana.goto(`${desk.url}/accounts/${target}?period=${PERIOD}`);
    await ana.keyboard.press('e');
    await ana.keyboard.type('meter may be swapped with the neighbour');
    await Promise.all([ana.waitForURL(/period=/), ana.keyboard.press('Enter')]);
    await expect.poll(() => ana.locator('p.ok').textContent(), { timeout: 20_000 }).toContain('held → escalated');
    expect(await ana.locator('.readonly').textContent()).toBe('Escalated: a supervisor decides it.');

    const sam = await signedIn('sam');
    await Promise.all([sam.waitForURL(/status=escalated/), sam.click('text=Escalations')]);
    expect(await sam.locator('tr.current').getAttribute('data-account')).toBe(target);
    await Promise.all([sam.waitForURL(/\/accounts\//), sam.keyboard.press('Enter')]);
    await sam.keyboard.press('r');
    await sam.keyboard.type('field check: meters are right');
    await Promise.all([sam.waitForURL(/period=/), sam.keyboard.press('Enter')]);
    await expect.poll(() => sam.locator('p.ok').textContent(), { timeout: 20_000 }).toContain('escalated → released');
    expect(await decisionsOf(target)).toEqual(['escalate ana', 'release sam']);
    expect(await sam.locator('table.decisions tbody tr').last().textContent()).toContain('desk 127.0.0.1');
  });

  it('lets an agent look up one account, read only, and refuses her the queue', async () => {
    const ali = await signedIn('ali');
    expect(new URL(ali.url()).pathname).toBe('/lookup');
    expect(await ali.locator('header nav a', { hasText: 'Queue' }).count()).toBe(0);
    await ali.fill('input[name="account"]', desk.held[4]!);
    await Promise.all([ali.waitForURL(/\/accounts\//), ali.press('input[name="account"]', 'Enter')]);
    expect(await ali.locator('h1').textContent()).toContain(desk.held[4]!);
    expect(await ali.locator('figure.chart svg rect').count()).toBeGreaterThanOrEqual(13);
    expect(await ali.locator('#decision-form').count()).toBe(0);
    expect(await ali.locator('.readonly').textContent()).toBe('Read only.');
    const refused = await ali.goto(`${desk.url}/queue`);
    expect(refused!.status()).toBe(403);
    expect(await ali.locator('.error').textContent()).toContain('may not use /queue');
  });

  it('shows a customer name with markup as text', async () => {
    const page = await signedIn('ana');
    await page.goto(`${desk.url}/queue?period=${PERIOD}&status=all&size=500`);
    expect(await page.locator(`tr[data-account="${desk.scriptAccount}"] td.name`).textContent()).toBe(SCRIPT_NAME);
    await page.goto(`${desk.url}/accounts/${desk.scriptAccount}?period=${PERIOD}`);
    expect(await page.locator('h1 .name').textContent()).toBe(SCRIPT_NAME);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    expect(page.dialogs).toEqual([]);
  });

  it('refuses a form posted without its CSRF token', async () => {
    const target = desk.held[2]!;
    const page = await signedIn('ana');
    await page.goto(`${desk.url}/accounts/${target}?period=${PERIOD}`);
    await page.locator('#decision-form input[name="_csrf"]').evaluate((input) => input.remove());
    await page.keyboard.press('r');
    await page.keyboard.type('forged');
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.keyboard.press('Enter')]);
    expect(response.status()).toBe(403);
    await expect.poll(() => page.locator('.error').textContent(), { timeout: 20_000 }).toContain('CSRF');
    expect(await decisionsOf(target)).toEqual([]);
  });
});
