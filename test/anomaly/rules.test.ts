// One account's features through the shipped rules: each rule fires on what it is for and stays
// quiet on its look-alike (a heat wave, a tariff change, a catch-up, a vacancy, a season).
import { describe, expect, it } from 'vitest';
import { READ_FLAGS, type AccountFeatures, type Flag } from '../../schemas/review.js';
import { evaluateAccount, loadRules } from '../../src/anomaly/index.js';

const rules = loadRules(undefined);

/**
 * A residential account that used 10 kWh/day all year at 0.60 a kWh, now using `kpd` kWh/day.
 * Amounts follow the kWh at that price unless given (a reversed read is billed as nothing).
 */
function account(kpd: number, over: Partial<AccountFeatures> = {}): AccountFeatures {
  const days = over.days ?? 30;
  const prevKpd = over.prevKpd === undefined ? 10_000 : over.prevKpd;
  const amount = Math.round(Math.max(0, kpd) * days * 60);
  const base: AccountFeatures = {
    customerClass: 'residential', period: '2025-07', days, kwhMilli: Math.round(kpd * 1000 * days), touKwhMilli: null,
    kpd: kpd * 1000, amountMinor: amount, pricePrevMinor: amount,
    prevKpd, prevAmountMinor: prevKpd === null ? null : Math.round(prevKpd * 30 * 0.06), prevDays: 30, yoyKpd: 10_000, yoyAmountMinor: 18_000,
    baseMedianKpd: 10_000, baseMadKpd: 700, baseMaxKpd: 12_000, baseN: 12,
    peerMom: 1, peerYoy: 1, peerBase: 1, peerN: 800, classMom: 1, classYoy: 1, classBase: 1, classN: 8000,
    readFlags: 0, estStreak: 0, estKwhMilli: 0, estDays: 0, lastActualKpd: 10_000,
    demandMilli: null, demandMedianMilli: null, pf: null, pfMedian: null, capacityMilli: 1e9,
  };
  return { ...base, ...over };
}

function evaluate(f: AccountFeatures): Flag[] {
  const flags = evaluateAccount(f, rules);
  for (const flag of flags) {
    expect(flag.reason).not.toMatch(/NaN|undefined|Infinity|null/);
    expect(flag.score).toBeGreaterThanOrEqual(0);
  }
  return flags;
}
const raised = (flags: Flag[]) => flags.filter((f) => !f.suppressed).map((f) => f.ruleId);
const suppressed = (flags: Flag[]) => flags.filter((f) => f.suppressed);

describe('review rules', () => {
  it('say nothing about an ordinary month', () => {
    expect(evaluate(account(10.8))).toEqual([]);
  });

  describe('mom_kwh_per_day', () => {
    it('holds a tenfold jump that last year and the baseline both call unusual, with the numbers', () => {
      const flags = evaluate(account(121, { prevKpd: 12_100, yoyKpd: 11_500, baseMedianKpd: 11_800, peerMom: 1.04 }));
      expect(raised(flags)).toEqual(['mom_kwh_per_day']);
      expect(flags[0]!.severity).toBe('hold');
      expect(flags[0]!.reason).toBe('kWh/day 12.1 → 121.0 (×10) vs last month; region peers +4%; last year 11.5; looks like a digit slip or a wrong multiplier');
    });

    it('flags a drop to a third and points at the meter', () => {
      const flags = evaluate(account(3.3));
      expect(raised(flags)).toEqual(['mom_kwh_per_day']);
      expect(flags[0]!.reason).toContain('check for a stopped, failing or bypassed meter');
    });

    it('does not flag a change inside the class band', () => {
      expect(raised(evaluate(account(13.5)))).toEqual([]);
    });

    it('does not flag 2 → 5 kWh: below the minimum absolute change', () => {
      const flags = evaluate(account(5 / 30, { prevKpd: 2000 / 30, yoyKpd: 2000 / 30, baseMedianKpd: 2000 / 30, lastActualKpd: 2000 / 30 }));
      expect(flags).toEqual([]);
    });

    it('lets a heat wave that lifts the whole region pass, and records why', () => {
      const flags = evaluate(account(16, { peerMom: 1.55, peerYoy: 1.5, peerBase: 1.6 }));
      expect(raised(flags)).toEqual([]);
      expect(suppressed(flags).map((f) => f.reason)).toEqual([
        'kWh/day 10.0 → 16.0 (+60%) vs last month, but region peers +55%: the whole group moved (weather or season)',
      ]);
    });

    it('uses the whole class when the region has too few accounts to trust', () => {
      const flags = evaluate(account(16, { peerN: 4, peerMom: 1, peerYoy: 1, peerBase: 1, classMom: 1.55, classYoy: 1.5, classBase: 1.6 }));
      expect(raised(flags)).toEqual([]);
      expect(suppressed(flags)[0]!.reason).toContain('class peers +55%');
    });

    it('lets a seasonal swing pass when the same month last year was as high', () => {
      const flags = evaluate(account(22, { prevKpd: 11_000, yoyKpd: 21_000, baseMedianKpd: 14_000, peerBase: 1.3 }));
      expect(raised(flags)).toEqual([]);
      expect(suppressed(flags)[0]!.reason).toContain('in line with same month last year 21.0');
    });

    it('lets a return to normal pass (last month was the unusual one)', () => {
      const flags = evaluate(account(10, { prevKpd: 400 }));
      expect(raised(flags)).toEqual([]);
      expect(suppressed(flags)[0]!.reason).toContain('last month was the unusual one');
    });

    it('does not flag a low level again once it has held a month', () => {
      expect(evaluate(account(3.3, { prevKpd: 3400 }))).toEqual([]);
    });

    it('records a drop to standby load in a home as a vacancy instead of holding it', () => {
      const flags = evaluate(account(0.3));
      expect(raised(flags)).toEqual([]);
      expect(suppressed(flags)[0]!.reason).toBe('kWh/day 0.3 vs usual 10.0 (3%): standby load only, looks like a vacant home');
    });

    it('holds the same drop on a commercial account (no vacancy rule for businesses)', () => {
      const shop = account(3, { customerClass: 'commercial', prevKpd: 100_000, yoyKpd: 100_000, baseMedianKpd: 100_000 });
      expect(raised(evaluate(shop))).toEqual(['mom_kwh_per_day']);
    });

    it('needs a change twice the band when nothing can confirm it (a new account)', () => {
      const young = { yoyKpd: null, baseMedianKpd: null, baseN: 1 };
      expect(raised(evaluate(account(18, young)))).toEqual([]);
      expect(raised(evaluate(account(25, young)))).toEqual(['mom_kwh_per_day']);
    });
  });

  describe('yoy_kwh_per_day', () => {
    it('compares with the same month last year when there is no last month', () => {
      const flags = evaluate(account(30, { prevKpd: null, prevDays: null, prevAmountMinor: null }));
      expect(raised(flags)).toEqual(['yoy_kwh_per_day']);
      expect(flags[0]!.reason).toContain('kWh/day 10.0 → 30.0 (×3.00) vs same month last year');
    });

    it('stays quiet when the baseline says the level is normal', () => {
      const flags = evaluate(account(30, { prevKpd: null, prevDays: null, prevAmountMinor: null, baseMedianKpd: 27_000 }));
      expect(raised(flags)).toEqual([]);
    });
  });

  describe('meter integrity', () => {
    it('zero_advance holds a stopped meter on an active account with usage', () => {
      const flags = evaluate(account(0));
      expect(raised(flags)).toEqual(['zero_advance']);
      expect(flags[0]!.reason).toBe('no advance in 30 days on an active account that usually uses 10.0 kWh/day (300 kWh): stopped or stuck meter?');
    });

    it('zero_advance still has money at stake in the second stuck month (priced at last year\'s rate)', () => {
      const flags = evaluate(account(0, { prevKpd: 0, prevAmountMinor: 1_500 }));
      expect(raised(flags)).toEqual(['zero_advance']);
      expect(flags[0]!.score).toBeCloseTo(0.9 * 300 * 60, 0);
    });

    it('zero_advance stays quiet for an account moving out, or without usage history', () => {
      expect(raised(evaluate(account(0, { readFlags: READ_FLAGS.moveOut })))).toEqual([]);
      expect(raised(evaluate(account(0, { prevKpd: null, yoyKpd: null, baseMedianKpd: null, baseN: 0 })))).toEqual([]);
    });

    it('negative_advance holds a register that ran backwards', () => {
      const flags = evaluate(account(-2, { readFlags: READ_FLAGS.negativeAdvance }));
      expect(raised(flags)).toEqual(['negative_advance']);
      expect(flags[0]!.reason).toContain('closing read is 60 kWh below the opening read');
    });

    it('after an estimate, a read below the estimated one is the estimate running ahead, not reverse rotation', () => {
      const f = account(-3, { readFlags: READ_FLAGS.negativeAdvance | READ_FLAGS.estimatedOpen, estStreak: 1, estKwhMilli: 500_000, estDays: 30 });
      const flags = evaluate(f);
      expect(raised(flags)).toEqual(['estimate_catch_up']);
      expect(flags[0]!.reason).toContain('ran ahead of the meter');
    });

    it('beyond_capacity holds an advance of more than half the register', () => {
      const flags = evaluate(account(20_000, { capacityMilli: 1e9 }));
      expect(raised(flags)).toContain('beyond_capacity');
      expect(raised(evaluate(account(12, { capacityMilli: 1e6 })))).not.toContain('beyond_capacity');
    });

    it('sentinel_value holds an error code and says nothing derived from it', () => {
      const flags = evaluate(account(143_165, { readFlags: READ_FLAGS.sentinel }));
      expect(raised(flags)).toEqual(['amount_bounds', 'sentinel_value']);
      expect(flags.find((f) => f.ruleId === 'sentinel_value')!.severity).toBe('hold');
    });

    it('sentinel_value stays quiet on clean reads', () => {
      expect(raised(evaluate(account(10)))).not.toContain('sentinel_value');
    });

    it('duplicate_reads lists a period with a register read twice, without holding it', () => {
      const flags = evaluate(account(10, { readFlags: READ_FLAGS.extraReads }));
      expect(flags.map((f) => [f.ruleId, f.severity])).toEqual([['duplicate_reads', 'review']]);
      expect(evaluate(account(10, { readFlags: READ_FLAGS.meterExchange }))).toEqual([]);
    });

    it('register_mismatch holds a total register that disagrees with its TOU registers', () => {
      const flags = evaluate(account(10, { touKwhMilli: 30_000 }));
      expect(raised(flags)).toEqual(['register_mismatch']);
      expect(flags[0]!.reason).toBe('total register advanced 300 kWh but the TOU registers add up to 30 kWh (×10): one of them is misread');
      expect(evaluate(account(10, { touKwhMilli: 299_000 }))).toEqual([]);
    });
  });

  describe('estimates', () => {
    const estimated = READ_FLAGS.estimatedClose;

    it('estimated_streak lists the third estimate in a row', () => {
      const flags = evaluate(account(10, { readFlags: estimated | READ_FLAGS.estimatedOpen, estStreak: 2, estKwhMilli: 600_000, estDays: 60 }));
      expect(flags.map((f) => [f.ruleId, f.severity])).toEqual([['estimated_streak', 'review']]);
      expect(flags[0]!.reason).toContain('3rd estimated read in a row (90 days without an actual read)');
    });

    it('estimated_streak stays quiet on a second estimate', () => {
      expect(evaluate(account(10, { readFlags: estimated | READ_FLAGS.estimatedOpen, estStreak: 1, estKwhMilli: 300_000, estDays: 30 }))).toEqual([]);
    });

    it('an estimated read is not judged as a measurement (recorded, not flagged)', () => {
      const flags = evaluate(account(3, { readFlags: estimated }));
      expect(raised(flags)).toEqual([]);
      expect(suppressed(flags)[0]!.reason).toContain('on an estimated read: not a measurement');
    });

    it('estimate_catch_up explains a big bill after low estimates as a catch-up, not a spike', () => {
      // Two estimates billed 3 kWh/day; the actual read shows 10 kWh/day over the 90 days.
      const f = account(24, { readFlags: READ_FLAGS.estimatedOpen, prevKpd: 3000, estStreak: 2, estKwhMilli: 180_000, estDays: 60 });
      const flags = evaluate(f);
      expect(flags.map((x) => [x.ruleId, x.severity, x.suppressed])).toEqual([['estimate_catch_up', 'review', false]]);
      expect(flags[0]!.reason).toBe(
        'catch-up after 2 estimated read(s): they billed 3.0 kWh/day, the meter shows 10.0 over 90 days; this bill carries 420 kWh (58%) the estimates missed');
    });

    it('a catch-up that only settles a small shortfall is neither a catch-up flag nor a spike', () => {
      const f = account(16, { readFlags: READ_FLAGS.estimatedOpen, prevKpd: 7000, estStreak: 1, estKwhMilli: 210_000, estDays: 30 });
      const flags = evaluate(f);
      expect(raised(flags)).toEqual([]);
      expect(suppressed(flags)[0]!.reason).toContain('catch-up of the estimates\' shortfall');
    });

    it('holds a bill after estimates that is more than any catch-up', () => {
      const f = account(95, { readFlags: READ_FLAGS.estimatedOpen, prevKpd: 10_000, estStreak: 1, estKwhMilli: 300_000, estDays: 30 });
      const flags = evaluate(f);
      expect(raised(flags)).toEqual(['mom_kwh_per_day']);
      expect(flags[0]!.reason).toContain('more than a catch-up');
    });
  });

  describe('amounts', () => {
    it('amount_change: a tariff change alone never flags, and the suppression says so', () => {
      // Same kWh, prices up 60%: at last month's prices the bill would not have moved.
      const flags = evaluate(account(10, { amountMinor: 28_800, pricePrevMinor: 18_000 }));
      expect(raised(flags)).toEqual([]);
      expect(suppressed(flags).map((f) => [f.ruleId, f.reason])).toEqual([
        ['amount_change', 'amount 180.00 → 288.00 (+60%): prices +60%, use at last month\'s prices +0%: the price change explains it (tariff version or season)'],
      ]);
    });

    it('amount_change holds an amount that neither prices nor kWh explain', () => {
      const flags = evaluate(account(10, { amountMinor: 36_000, pricePrevMinor: 36_000 }));
      expect(raised(flags)).toEqual(['amount_change']);
      expect(flags[0]!.reason).toContain('at last month\'s prices +100% while kWh +0%');
    });

    it('amount_change leaves a volume change to the kWh rules', () => {
      const flags = evaluate(account(16, { amountMinor: 30_000, pricePrevMinor: 30_000, prevKpd: 10_000, yoyKpd: 15_000, baseMedianKpd: 14_000 }));
      expect(raised(flags)).toEqual([]);
    });

    it('amount_bounds holds a residential bill above the class ceiling', () => {
      const flags = evaluate(account(10, { amountMinor: 600_000, pricePrevMinor: 600_000, prevAmountMinor: 590_000 }));
      expect(raised(flags)).toEqual(['amount_bounds']);
      expect(flags[0]!.reason).toBe('amount 6,000.00 is above the residential ceiling of 5,000.00');
      expect(raised(evaluate(account(10, { amountMinor: 499_000, pricePrevMinor: 499_000, prevAmountMinor: 490_000 })))).toEqual([]);
    });
  });

  describe('industrial demand and power factor', () => {
    const plant = (over: Partial<AccountFeatures>) => account(10_000, {
      customerClass: 'industrial', prevKpd: 10_000_000, yoyKpd: 10_000_000, baseMedianKpd: 10_000_000, lastActualKpd: 10_000_000,
      amountMinor: 20_000_000, pricePrevMinor: 20_000_000, prevAmountMinor: 20_000_000,
      demandMilli: 800_000, demandMedianMilli: 800_000, pf: 0.92, pfMedian: 0.92, ...over,
    });

    it('demand_change holds a demand that tripled while energy did not move', () => {
      const flags = evaluate(plant({ demandMilli: 2_400_000 }));
      expect(raised(flags)).toEqual(['demand_change']);
      expect(flags[0]!.reason).toContain('maximum demand 800.0 → 2400.0 kW (×3.00)');
    });

    it('demand_change holds a demand below the average load', () => {
      expect(evaluate(plant({ demandMilli: 300_000 }))[0]!.reason).toContain('below the average load 416.7 kW');
    });

    it('demand_change stays quiet when energy moved with it, and on ordinary demand', () => {
      expect(raised(evaluate(plant({ demandMilli: 900_000 })))).toEqual([]);
      const grown = plant({ demandMilli: 2_400_000 });
      const busier = { ...grown, kpd: 30_000_000, kwhMilli: 900_000_000 };
      expect(raised(evaluate(busier))).not.toContain('demand_change');
    });

    it('power_factor lists a power factor far from the account\'s own', () => {
      const flags = evaluate(plant({ pf: 0.7 }));
      expect(flags.map((f) => [f.ruleId, f.severity])).toEqual([['power_factor', 'review']]);
      expect(raised(evaluate(plant({ pf: 0.88 })))).toEqual([]);
    });
  });

  describe('score', () => {
    it('ranks by money at stake times the rule\'s likelihood', () => {
      const usage = (flags: Flag[]) => flags.find((f) => f.ruleId === 'mom_kwh_per_day')!;
      const small = usage(evaluate(account(100)));
      const large = usage(evaluate(account(1000, { prevKpd: 100_000, yoyKpd: 100_000, baseMedianKpd: 100_000 })));
      expect(large.score).toBeGreaterThan(small.score);
      // ×10 on 10 kWh/day: 2,700 kWh too many at 0.60 a kWh, times mom_kwh_per_day's likelihood 0.8.
      expect(small.score).toBeCloseTo(0.8 * 2700 * 60, 0);
    });
  });
});
