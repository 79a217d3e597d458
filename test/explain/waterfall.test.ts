// The waterfall on the bills of issue 11: every cause adds up to the change to the fen, and the
// causes carry the amounts worked out by hand (GD-RES: p1 = 0.58886875, p2 = p1 + 0.05,
// p3 = p1 + 0.30; summer bounds 260/600, other months 200/400; each charge rounded half-up once).
import { describe, expect, it } from 'vitest';
import type { Cause } from '../../schemas/explanation.js';
import { Explanation } from '../../schemas/explanation.js';
import { STATEMENT_LOCALES } from '../../schemas/utility.js';
import { explainChange, waterfall } from '../../src/explain/index.js';
import { formatMoney } from '../../src/money/index.js';
import { scenarios } from './scenarios.js';

const byKind = (causes: Cause[]) => Object.fromEntries(causes.map((c) => [c.kind, c.amountMinor]));
const all = scenarios();

describe('waterfall of a bill change', () => {
  it.each(Object.keys(all))('%s: the causes add up to the change exactly, and both languages say so', (name) => {
    const { bill, change } = all[name]!;
    const e = Explanation.parse(explainChange(bill, change, true));
    expect(e.changeMinor).toBe(change.current.amountMinor - change.previous.amountMinor);
    expect(e.causes.reduce((s, c) => s + c.amountMinor, 0)).toBe(e.changeMinor);
    expect(e.causes.every((c) => Number.isInteger(c.amountMinor) && c.amountMinor !== 0)).toBe(true);
    for (const locale of STATEMENT_LOCALES) {
      const { agent, customer } = e.text[locale];
      // The script walks every cause with its amount, then the total; the customer text gives both ends.
      expect(agent.split('\n')).toHaveLength(e.causes.length + 2);
      for (const c of e.causes) expect(agent).toContain(formatMoney(Math.abs(c.amountMinor), e.currency));
      expect(customer).toContain(formatMoney(e.previous.amountMinor, e.currency));
      expect(customer).toContain(formatMoney(e.current.amountMinor, e.currency));
    }
  });

  it('residential tiers, 520 kWh in June to 700 in July: fewer days, more usage, tier 3 reached', () => {
    // June: 260·p1 + 260·p2 = 319.21. Over 30 days: 503.226 kWh = 308.50 (−10.71). At the June
    // marginal price p2 the usage adds 700·p2 − 503.226·p2 = 447.21 − 321.50 = 125.71; tier 3
    // adds the rest, 100 kWh × 0.25 = 25.00. July is 459.21 (docs/domain.md).
    const { change } = all['residential-tiered']!;
    expect(change.previous.amountMinor).toBe(31921);
    expect(change.current.amountMinor).toBe(45921);
    const causes = waterfall(change);
    expect(causes.map((c) => c.kind)).toEqual(['days', 'usage', 'tier']);
    expect(byKind(causes)).toEqual({ days: -1071, usage: 12571, tier: 2500 });
    expect(causes[2]!.facts).toMatchObject({ fromTier: 'Tier 2 (261–600 kWh)', toTier: 'Tier 3 (>600 kWh)' });
  });

  it('weather: the peers\' +20% is priced apart from the account\'s own change', () => {
    // 300 kWh = 178.66; × 1.2 = 360 kWh = 216.99 (+38.33); 390 kWh = 236.16 (+19.17). All tier 2.
    const causes = waterfall(all.weather!.change);
    expect(byKind(causes)).toEqual({ weather: 3833, usage: 1917 });
    expect(causes[0]!.facts).toMatchObject({ peerChangePercent: 20, fromWhPerDay: 10000, toWhPerDay: 12000 });
  });

  it('a new price version in the middle of the period is the price cause, prorated by days', () => {
    // Old: 200·0.52 + 100·0.57 = 161.00. New: 15 days under 2020-01 (150 kWh, bounds 100/200) =
    // 80.50, 15 days under 2025-07 = 100·0.5616 + 50·0.6156 = 86.94; 167.44.
    const causes = waterfall(all['tariff-change']!.change);
    expect(byKind(causes)).toEqual({ price_version: 644 });
    expect(causes[0]!.facts).toMatchObject({ fromVersions: ['RES-MKT 2020-01'], toVersions: ['RES-MKT 2020-01', 'RES-MKT 2025-07'] });
  });

  it('a seasonal switch: April to May at 10 kWh a day', () => {
    // April 300 kWh (200/400): 181.66. 31 days, 310 kWh, April bounds: 188.05 (+6.39). May bounds
    // 260/600: 260·p1 + 50·p2 = 185.05 (−3.00).
    const causes = waterfall(all['seasonal-switch']!.change);
    expect(byKind(causes)).toEqual({ days: 639, season: -300 });
    expect(causes[1]!.facts).toMatchObject({ fromPeriod: '2025-04', toPeriod: '2025-05' });
  });

  it('a tier boundary crossed downwards: 500 kWh in August to 240 in September', () => {
    // Old 306.43; over 30 days 483.871 kWh = 296.13 (−10.30); at the old marginal p2 the drop is
    // −155.80; the 20 kWh now below 260 were tier-1 kWh, so the tiers give back 1.00 of that.
    const causes = waterfall(all['tier-crossing']!.change);
    expect(byKind(causes)).toEqual({ days: -1030, usage: -15580, tier: 100 });
    expect(causes[2]!.facts).toMatchObject({ fromTier: 'Tier 2 (261–600 kWh)', toTier: 'Tier 1 (0–260 kWh)' });
  });

  it('estimates and their catch-up: the energy the estimates missed is billed apart', () => {
    // Last (estimated) bill 200 kWh = 117.77; over 30 days 193.548 kWh (−3.80). 900 kWh over the
    // 91 days since the last actual read: 296.703 kWh are this period's (+60.75 at p1), 203.297
    // kWh the catch-up (+119.71 at p1); tier 2 above 260 kWh adds 240 × 0.05 = 12.00.
    const causes = waterfall(all['catch-up']!.change);
    expect(byKind(causes)).toEqual({ days: -380, usage: 6075, catch_up: 11971, tier: 1200 });
    expect(causes.find((c) => c.kind === 'catch_up')!.facts).toMatchObject({ kwhMilli: 203297, estimatedBills: 2 });
    const estimate = waterfall(all.estimate!.change);
    expect(estimate.map((c) => c.kind)).toContain('estimate');
    expect(estimate.map((c) => c.kind)).not.toContain('usage');
  });

  it('a meter exchange names the usage read across it', () => {
    const causes = waterfall(all['meter-exchange']!.change);
    expect(causes.map((c) => c.kind)).toContain('meter_exchange');
    expect(causes.find((c) => c.kind === 'meter_exchange')!.facts.date).toBe('2025-07-10');
  });

  it('a bill corrected in review: usage up to the first read, then the correction back', () => {
    // June 300 kWh = 178.66; 31 days: 310 kWh = 185.05 (+6.39). First read 4,500 kWh = 3,836.91:
    // at p2 +2,676.86, tier 3 above 600 kWh +975.00; corrected to 450 kWh = 274.49 (−3,562.42).
    const causes = waterfall(all.corrected!.change);
    expect(byKind(causes)).toEqual({ days: 639, usage: 267686, tier: 97500, correction: -356242 });
    expect(causes.find((c) => c.kind === 'correction')!.facts.firstAmountMinor).toBe(383691);
  });

  it('an amount re-pricing cannot reproduce goes to other, and the sum still holds', () => {
    const { change } = all['residential-tiered']!;
    const causes = waterfall({ ...change, previous: { ...change.previous, amountMinor: change.previous.amountMinor - 123 } });
    expect(byKind(causes)).toEqual({ other: 123, days: -1071, usage: 12571, tier: 2500 });
  });
});
