import { describe, expect, it } from 'vitest';
import { summariseImpact } from '../../src/tariff/index.js';

const rows = [
  { accountId: 'A1', customerClass: 'residential', oldMinor: 10_000, newMinor: 10_800 }, // +8.00, +8%
  { accountId: 'A2', customerClass: 'residential', oldMinor: 20_000, newMinor: 21_600 }, // +16.00, +8%
  { accountId: 'A3', customerClass: 'residential', oldMinor: 5_000, newMinor: 5_000 }, // 0
  { accountId: 'B1', customerClass: 'industrial', oldMinor: 1_000_000, newMinor: 950_000 }, // −500.00, −5%
  { accountId: 'C1', customerClass: 'commercial', oldMinor: 0, newMinor: 3_000 }, // +30.00, no % (nothing before)
];

describe('summariseImpact', () => {
  const s = summariseImpact(rows, 'CNY', { top: 3 });

  it('totals the revenue change', () => {
    // old 1,035,000, new 990,400 → −44,600 (−4.3092…%)
    expect([s.accounts, s.oldMinor, s.newMinor, s.changeMinor]).toEqual([5, 1_035_000, 990_400, -44_600]);
    expect(s.changePercent).toBeCloseTo(-4.30918, 4);
  });

  it('breaks the change down by customer class', () => {
    expect(s.byClass.map((c) => [c.customerClass, c.accounts, c.changeMinor, c.increased, c.decreased, c.unchanged, c.medianChangeMinor])).toEqual([
      ['commercial', 1, 3_000, 1, 0, 0, 3_000],
      ['industrial', 1, -50_000, 0, 1, 0, -50_000],
      ['residential', 3, 2_400, 2, 0, 1, 800],
    ]);
    expect(s.byClass[2]!.changePercent).toBeCloseTo(6.85714, 4); // 2,400 / 35,000
    expect(s.byClass[0]!.changePercent).toBeNull();
  });

  it('gives nearest-rank percentiles of the per-account change', () => {
    // Changes sorted: −50000, 0, 800, 1600, 3000; rank ⌈p/100 × 5⌉
    expect(s.changeMinorPercentiles).toEqual({ min: -50_000, p5: -50_000, p25: 0, p50: 800, p75: 1_600, p95: 3_000, max: 3_000 });
    // Percent changes (C1 has none): −5, 0, 8, 8
    expect(s.changePercentPercentiles).toEqual({ min: -5, p5: -5, p25: -5, p50: 0, p75: 8, p95: 8, max: 8 });
    expect(s.accountsWithoutOldAmount).toBe(1);
  });

  it('draws a histogram and lists the most affected accounts', () => {
    expect(s.histogram.filter((b) => b.accounts > 0).map((b) => [b.label, b.accounts])).toEqual([
      ['-5% to -2%', 1], ['0% to 2%', 1], ['5% to 10%', 2],
    ]);
    expect(s.mostAffected.map((a) => [a.accountId, a.changeMinor])).toEqual([['B1', -50_000], ['C1', 3_000], ['A2', 1_600]]);
    expect(s.text).toContain('total billed: 10350.00 → 9904.00  change -446.00 (-4.31%)');
    expect(s.text).toContain('    B1 (industrial): 10000.00 → 9500.00  -500.00 (-5.00%)');
    expect(s.text).toMatch(/5% to 10% +\|#{40}\| 2/);
  });

  it('copes with no rows', () => {
    const empty = summariseImpact([], 'USD');
    expect([empty.accounts, empty.changePercent, empty.changeMinorPercentiles, empty.mostAffected]).toEqual([0, null, null, []]);
  });
});
