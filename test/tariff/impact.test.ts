import { describe, expect, it } from 'vitest';
import { lineChanges, summariseImpact, type ImpactRow } from '../../src/tariff/index.js';

const row = (accountId: string, customerClass: string, oldMinor: number, newMinor: number, extra: Partial<ImpactRow> = {}): ImpactRow => ({
  accountId, customerName: `Name ${accountId}`, customerClass, region: 'R1', period: '2026-01', kwhPerDay: 10, oldMinor, newMinor, trusted: true, ...extra,
});

const rows = [
  row('A1', 'residential', 10_000, 10_800), // +8.00, +8%
  row('A2', 'residential', 20_000, 21_600, { region: 'R2' }), // +16.00, +8%
  row('A3', 'residential', 5_000, 5_000), // 0
  row('B1', 'industrial', 1_000_000, 950_000, { period: '2026-02' }), // −500.00, −5%
  row('C1', 'commercial', 0, 3_000), // +30.00, no % (nothing before)
  row('H1', 'residential', 9_000_000, 9_900_000, { trusted: false }), // held: +9,000.00, +10%
];

describe('summariseImpact', () => {
  const s = summariseImpact(rows, 'CNY', { top: 3 });

  it('totals the revenue change over trusted bills and counts the held ones apart', () => {
    // old 1,035,000, new 990,400 → −44,600 (−4.3092…%)
    expect([s.bills, s.accounts, s.oldMinor, s.newMinor, s.changeMinor]).toEqual([5, 5, 1_035_000, 990_400, -44_600]);
    expect(s.changePercent).toBeCloseTo(-4.30918, 4);
    expect(s.untrusted).toEqual({ bills: 1, oldMinor: 9_000_000, newMinor: 9_900_000, changeMinor: 900_000, included: false });
    expect([s.from, s.to]).toEqual(['2026-01', '2026-02']);
  });

  it('breaks the change down by month, customer class and region', () => {
    expect(s.byClass.map((c) => [c.key, c.bills, c.changeMinor, c.increased, c.decreased, c.unchanged, c.medianChangeMinor])).toEqual([
      ['commercial', 1, 3_000, 1, 0, 0, 3_000],
      ['industrial', 1, -50_000, 0, 1, 0, -50_000],
      ['residential', 3, 2_400, 2, 0, 1, 800],
    ]);
    expect(s.byClass[2]!.changePercent).toBeCloseTo(6.85714, 4); // 2,400 / 35,000
    expect(s.byClass[0]!.changePercent).toBeNull();
    expect(s.byMonth.map((m) => [m.key, m.bills, m.changeMinor])).toEqual([['2026-01', 4, 5_400], ['2026-02', 1, -50_000]]);
    expect(s.byRegion.map((m) => [m.key, m.bills, m.changeMinor])).toEqual([['R1', 4, -46_200], ['R2', 1, 1_600]]);
  });

  it('gives nearest-rank percentiles of the per-bill change', () => {
    // Changes sorted: −50000, 0, 800, 1600, 3000; rank ⌈p/100 × 5⌉
    expect(s.changeMinorPercentiles).toEqual({ min: -50_000, p5: -50_000, p25: 0, p50: 800, p75: 1_600, p95: 3_000, max: 3_000 });
    // Percent changes (C1 has none): −5, 0, 8, 8
    expect(s.changePercentPercentiles).toEqual({ min: -5, p5: -5, p25: -5, p50: 0, p75: 8, p95: 8, max: 8 });
    expect(s.billsWithoutOldAmount).toBe(1);
  });

  it('draws a histogram and lists the most affected bills', () => {
    expect(s.histogram.filter((b) => b.bills > 0).map((b) => [b.label, b.bills])).toEqual([
      ['-5% to -2%', 1], ['0% to 2%', 1], ['5% to 10%', 2],
    ]);
    expect(s.mostAffected.map((a) => [a.accountId, a.changeMinor])).toEqual([['B1', -50_000], ['C1', 3_000], ['A2', 1_600]]);
    expect(s.text).toContain('total billed: 10350.00 → 9904.00  change -446.00 (-4.31%)');
    expect(s.text).toContain('left out: 1 held or escalated bill (review not decided), billed 90000.00 → 99000.00, change +9000.00; --include-held adds them');
    expect(s.text).toContain('    B1 Name B1 (industrial, R1) 2026-02, 10.0 kWh/day: 10000.00 → 9500.00  -500.00 (-5.00%)');
    expect(s.text).toMatch(/5% to 10% +\|#{40}\| 2/);
  });

  it('puts held bills back with includeHeld, visibly', () => {
    const all = summariseImpact(rows, 'CNY', { top: 1, includeHeld: true });
    expect([all.bills, all.changeMinor - s.changeMinor]).toEqual([6, 900_000]);
    expect(all.untrusted.included).toBe(true);
    expect(all.mostAffected.map((a) => a.accountId)).toEqual(['H1']);
    expect(all.text).toContain('Impact on 6 bills of 6 accounts');
    expect(all.text).toContain('included: 1 held or escalated bill');
  });

  it('copes with no rows', () => {
    const empty = summariseImpact([], 'USD');
    expect([empty.bills, empty.changePercent, empty.changeMinorPercentiles, empty.mostAffected, empty.from]).toEqual([0, null, null, [], null]);
  });
});

describe('lineChanges', () => {
  it('lists the line items whose amounts moved, summed by label over versions', () => {
    const before = [{ label: 'Tier 1', amountMinor: 100 }, { label: 'Tier 3', amountMinor: 50 }, { label: 'Tier 3', amountMinor: 20 }];
    const after = [{ label: 'Tier 1', amountMinor: 100 }, { label: 'Tier 3', amountMinor: 80 }, { label: 'Fund', amountMinor: 5 }];
    expect(lineChanges(before, after)).toEqual([{ label: 'Tier 3', oldMinor: 70, newMinor: 80 }, { label: 'Fund', oldMinor: 0, newMinor: 5 }]);
  });
});
