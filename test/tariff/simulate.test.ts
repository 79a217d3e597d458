// `tariff simulate` on a hand-made store (impact-fixture.ts): the impact of a price change from
// the bills that can be trusted, worked out by hand; a seasonal change over twelve months; held
// bills put back with --include-held; a version starting mid-period priced as the bill run does.
// GD-RES: summer (May–Oct) bounds 260 / 600 kWh, other months 200 / 400 kWh; rates 0.58886875,
// 0.63886875, 0.88886875 CNY/kWh, VAT included; the energy charge is rounded once, half-up.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import type { ImpactSummary } from '../../src/tariff/index.js';
import { runCli } from '../helpers.js';
import { changedRate, impactStore, LAST_PERIOD, type ImpactStore } from './impact-fixture.js';

let fx: ImpactStore;
let tier3: string;
beforeAll(async () => {
  fx = await impactStore('2025-01');
  tier3 = changedRate(fx.dir, 'tier3', (v) => {
    v.energy.tiers!.blocks[2]!.rate = '0.98886875';
  });
}, 600_000);
afterAll(() => fx?.remove());

async function simulate(file: string, ...args: string[]): Promise<ImpactSummary & { unpriced: number }> {
  const result = await runCli(['tariff', 'simulate', file, '--json', '--top', '20', ...args], fx.db);
  expect(result.code, result.err).toBe(0);
  return JSON.parse(result.out) as ImpactSummary & { unpriced: number };
}

describe('tariff simulate', () => {
  it('works out the impact from trusted bills only, and reports the held ones on their own', async () => {
    const s = await simulate(tier3, '--period', LAST_PERIOD);
    // Trusted bills of 2026-01 (other season, tier 3 above 400 kWh, +0.10):
    //   A1 300 kWh: 200 × 0.58886875 + 100 × 0.63886875 = 181.660625 → 181.66, no tier 3, unchanged
    //   A2 500 kWh: 117.77375 + 127.77375 + 100 × 0.88886875 = 334.434375 → 334.43; + 100 × 0.10 → 344.43
    //     (its tier 3 line is what the rounded running total adds: 334.43 − 245.55 = 88.88, then 98.88)
    //   A3 150 kWh: 150 × 0.58886875 = 88.3303125 → 88.33, unchanged
    //   A5 corrected to 450 kWh: 245.5475 + 50 × 0.88886875 = 289.9909375 → 289.99; + 5.00 → 294.99
    expect([s.bills, s.accounts, s.oldMinor, s.newMinor, s.changeMinor]).toEqual([4, 4, 18166 + 33443 + 8833 + 28999, 18166 + 34443 + 8833 + 29499, 1500]);
    expect(s.changePercent).toBeCloseTo((1500 / 89441) * 100, 10);
    // Held A4 and escalated A6, each 999,999.999 − 4,600 = 995,399.999 kWh, 994,999.999 of them in tier 3:
    //   245.5475 + 994,999.999 × 0.88886875 = 884,669.95286… → 884,669.95; new + 99,499.9999 → 984,169.95
    expect(s.untrusted).toEqual({ bills: 2, oldMinor: 2 * 88466995, newMinor: 2 * 98416995, changeMinor: 2 * 9950000, included: false });
    // Nothing of theirs in the percentiles, histogram or most affected list (which skips unchanged bills).
    expect(s.changeMinorPercentiles).toEqual({ min: 0, p5: 0, p25: 0, p50: 0, p75: 500, p95: 1000, max: 1000 });
    expect(s.histogram.reduce((n, b) => n + b.bills, 0)).toBe(4);
    expect(s.mostAffected.map((a) => [a.accountId, a.changeMinor, a.kwhPerDay, a.lines])).toEqual([
      ['A2', 1000, 500 / 31, [{ label: 'Tier 3 (>400 kWh)', oldMinor: 8888, newMinor: 9888 }]],
      ['A5', 500, 450 / 31, [{ label: 'Tier 3 (>400 kWh)', oldMinor: 4444, newMinor: 4944 }]],
    ]);
    expect(s.byClass.map((g) => [g.key, g.bills, g.changeMinor])).toEqual([['residential', 4, 1500]]);
    // Regions alternate R1, R2 from A1: R1 has A1, A3, A5; R2 has A2 (A4 and A6 are held).
    expect(s.byRegion.map((g) => [g.key, g.bills, g.changeMinor])).toEqual([['R1', 3, 500], ['R2', 1, 1000]]);

    const text = await runCli(['tariff', 'simulate', tier3, '--period', LAST_PERIOD], fx.db);
    expect(text.out).toContain('Impact on 4 trusted bills of 4 accounts, 2026-01 (CNY)');
    expect(text.out).toContain('total billed: 894.41 → 909.41  change +15.00 (+1.68%)');
    expect(text.out).toContain('left out: 2 held or escalated bills (review not decided), billed 1769339.90 → 1968339.90, change +199000.00; --include-held adds them');
  });

  it('--include-held adds exactly the held bills’ change, and says so', async () => {
    const trusted = await simulate(tier3, '--period', LAST_PERIOD);
    const all = await simulate(tier3, '--period', LAST_PERIOD, '--include-held');
    expect(all.untrusted).toEqual({ ...trusted.untrusted, included: true });
    expect(all.bills - trusted.bills).toBe(trusted.untrusted.bills);
    expect(all.oldMinor - trusted.oldMinor).toBe(trusted.untrusted.oldMinor);
    expect(all.changeMinor - trusted.changeMinor).toBe(trusted.untrusted.changeMinor);
    expect(all.mostAffected.slice(0, 2).map((a) => a.accountId)).toEqual(['A4', 'A6']);
    const text = await runCli(['tariff', 'simulate', tier3, '--period', LAST_PERIOD, '--include-held'], fx.db);
    expect(text.out).toContain('Impact on 6 bills of 6 accounts, 2026-01 (CNY)');
    expect(text.out).toContain('included: 2 held or escalated bills (review not decided)');
  });

  it('stops with one message when the HTML file cannot be written, or nothing was billed in the range', async () => {
    const unwritable = await runCli(['tariff', 'simulate', tier3, '--period', LAST_PERIOD, '--out', join(fx.dir, 'no-such-folder', 'impact.html')], fx.db);
    expect(unwritable.code).toBe(6);
    expect(unwritable.err).toContain(`cannot write ${join(fx.dir, 'no-such-folder', 'impact.html')}`);
    const empty = await runCli(['tariff', 'simulate', tier3, '--from', '2023-01', '--to', '2023-03'], fx.db);
    expect([empty.code, empty.err.trim()]).toEqual([2, 'billrun: no current bills on tariff GD-RES in 2023-01..2023-03']);
  });

  it('judges a seasonal change over twelve months: the year is the sum of its months', async () => {
    const summer = changedRate(fx.dir, 'summer', (v) => {
      v.energy.tiers!.blocks[0]!.rate = { summer: '0.60886875', other: '0.58886875' };
    });
    const year = await simulate(summer, '--from', '2025-01', '--to', '2025-12');
    // +0.02 on the first 260 kWh of the summer months (billing months May–October) only:
    // A3 (150 kWh) +3.00 a month, the five others (≥ 300 kWh) +5.20: 29.00 a month, 174.00 a year.
    expect(year.byMonth.map((m) => [m.key, m.bills, m.changeMinor])).toEqual(
      ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'].map((m) => [`2025-${m}`, 6, ['05', '06', '07', '08', '09', '10'].includes(m) ? 2900 : 0]));
    expect([year.bills, year.accounts, year.changeMinor]).toEqual([72, 6, 6 * 2900]);
    expect(year.changeMinor).toBe(year.byMonth.reduce((sum, m) => sum + m.changeMinor, 0));
    expect(year.oldMinor).toBe(year.byMonth.reduce((sum, m) => sum + m.oldMinor, 0));
    // The same as twelve one-month simulations.
    let months = 0;
    for (const m of year.byMonth) months += (await simulate(summer, '--period', m.key)).changeMinor;
    expect(months).toBe(year.changeMinor);
    expect(year.untrusted.bills).toBe(0);
  });

  it('a version starting mid-period is priced as the bill run prorates it', async () => {
    // 2012-07 closed on 2026-01-05; from 2026-01-06 tier 1 is 0.70 and tier 3 0.98886875. Bills of
    // 2026-01 price 2025-12-15 .. 2026-01-14: 22 days under the old version, 9 under the new.
    const proposal = changedRate(fx.dir, 'mid', (v, policy) => {
      const successor = structuredClone(v);
      v.effective_to = '2026-01-05';
      Object.assign(successor, { version: '2026-01', effective_from: '2026-01-06', effective_to: null });
      successor.energy.tiers!.blocks[0]!.rate = '0.70';
      successor.energy.tiers!.blocks[2]!.rate = '0.98886875';
      policy.versions.push(successor);
    });
    const simulated = await simulate(proposal, '--period', LAST_PERIOD);
    const predicted = new Map(simulated.mostAffected.map((a) => [a.accountId, a.newMinor]));
    expect([...predicted.keys()].sort()).toEqual(['A1', 'A2', 'A3', 'A5']);
    expect(simulated.mostAffected.every((a) => a.changeMinor > 0)).toBe(true);

    // The independent way: accept the change, re-bill the period, read what the bill run charged.
    const loaded = await runCli(['tariff', 'load', proposal, '--rebill-from', LAST_PERIOD], fx.db);
    expect(loaded.code, loaded.err).toBe(0);
    const rebilled = await runCli(['bill', '--rebill', '--period', LAST_PERIOD, '--out', join(fx.dir, 'out-rebill')], fx.db);
    expect([0, 3]).toContain(rebilled.code);
    const store = await openStore(fx.db, { readOnly: true });
    const billed = await store.rows(`SELECT a.account_id, b.amount_minor::INTEGER AS amount, c.versions
      FROM bills b JOIN accounts a USING (account_key) JOIN bill_contexts c USING (context_key)
      WHERE b.period = 202601 AND b.is_current AND a.account_id IN ('A1', 'A2', 'A3', 'A5') ORDER BY 1`);
    store.close();
    expect(billed.map((b) => [b.account_id, b.amount, b.versions])).toEqual(
      ['A1', 'A2', 'A3', 'A5'].map((id) => [id, predicted.get(id), '2012-07+2026-01']));
  });
});
