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
    baseMedianKpd: 10_000, baseMadKpd: 700, baseMaxKpd: 12_000, baseN: 12, recentLogLevel: Math.log(10_000), recentN: 1, yoyRecentLogLevel: null,
    peerMom: 1, peerYoy: 1, peerBase: 1, peerN: 800, classMom: 1, classYoy: 1, classBase: 1, classN: 8000,
    regionMom: 1, regionYoy: 1, regionBase: 1, regionN: 8000,
    readFlags: 0, estStreak: 0, estKwhMilli: 0, estDays: 0, lastActualKpd: 10_000,
    demandMilli: null, demandMedianMilli: null, pf: null, pfMedian: null, capacityMilli: 1e9,
    // A steady home: σ of log kWh/day 0.074 (MAD 0.05) among peers a little more volatile (MAD 0.06).
    baseLogMad: 0.05, peerSpread: 0.06, classSpread: 0.06, levelScale: 1, shiftScale: 1, yoyLevelKpd: null, sinceLowKpd: null, sinceHighKpd: null, peerDemand: 1, classDemand: 1,
    lastKpd: prevKpd, shiftSince: null, shiftN: 0, shiftReadFlags: 0, shiftReleased: 0,
  };
  const lastKpd = over.lastKpd === undefined ? (over.prevKpd === undefined ? base.lastKpd : over.prevKpd) : over.lastKpd;
  // The recent evidence is last month alone unless a test gives a quarter's.
  const recent = lastKpd !== null && lastKpd > 0 ? { recentLogLevel: Math.log(lastKpd), recentN: 1 } : { recentLogLevel: null, recentN: 0 };
  return { ...base, ...recent, ...over, lastKpd };
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
    it('holds a tenfold jump that last year and the baseline both call unusual, with the numbers and the account\'s band', () => {
      const flags = evaluate(account(121, { prevKpd: 12_100, yoyKpd: 11_500, baseMedianKpd: 11_800, peerMom: 1.04 }));
      expect(raised(flags)).toEqual(['mom_kwh_per_day']);
      expect(flags[0]!.severity).toBe('hold');
      // σ = 1.4826 × √((12 × 0.05² + 3 × 0.06²) / 15) = 0.0773; 4σ = 0.309 on the log scale (×1.36),
      // under the floor of a rise, ln 1.6: +60%.
      expect(flags[0]!.reason).toBe('kWh/day 121.0 vs usual 11.8 (×10 after season, region peers +0%); last month 12.1; band +60% for this account; ' +
        'looks like a digit slip or a wrong multiplier');
    });

    it('flags a drop to a third and points at the meter', () => {
      const flags = evaluate(account(3.3));
      expect(raised(flags)).toEqual(['mom_kwh_per_day']);
      expect(flags[0]!.reason).toContain('check for a stopped, failing or bypassed meter');
    });

    it('does not flag a change inside the class band', () => {
      expect(raised(evaluate(account(13.5)))).toEqual([]);
    });

    it('lets a rise of +45% go on a steady home and holds the fall of the same size: a rise needs +60%', () => {
      // 4σ = 0.309 (as above). ln 1.45 = 0.372 is beyond it either way; a rise also needs ln 1.6 = 0.470.
      expect(raised(evaluate(account(14.5)))).toEqual([]);
      const fall = evaluate(account(10 / 1.45));
      expect(raised(fall)).toEqual(['mom_kwh_per_day']);
      // 1 − e^−0.309 = 26.6%: the band below the usual.
      expect(fall[0]!.reason).toContain('(-31% after season, region peers +0%); last month 10.0; band -27% for this account');
      // ln 1.7 = 0.531 clears the rise's floor.
      const rise = evaluate(account(17));
      expect(raised(rise)).toEqual(['mom_kwh_per_day']);
      expect(rise[0]!.reason).toContain('(+70% after season, region peers +0%); last month 10.0; band +60% for this account');
    });

    it('does not double the floor of a rise where last month is the only reference', () => {
      // A second bill: one month against another needs twice the band, 2 × ln 1.3 = 0.525 for a
      // steady home (σ = 1.4826 × 0.01 = 0.0148); a rise also needs ln 1.6 = 0.470, once.
      // ln 1.8 = 0.588 is beyond both (doubled, the rise's floor would be 0.940).
      const second = { yoyKpd: null, baseMedianKpd: null, baseN: 0, baseLogMad: 0.01, peerSpread: 0.01, classSpread: 0.01 };
      const flags = evaluate(account(18, second));
      expect(raised(flags)).toEqual(['mom_kwh_per_day']);
      expect(flags[0]!.reason).toContain('vs last month 10.0 (+80%, region peers +0%); no longer history; band +69% for this account');
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

    it('does not say the group moved when the peers went the other way or far less (the account\'s own band let it pass)', () => {
      // +60% while the region fell 22%: inside the band of a home whose months swing (σ = 0.3 × 1.4826 = 0.44, 4σ = 1.78),
      // so nothing is held, and the peers explain nothing.
      const flags = evaluate(account(16, { peerMom: 0.78, baseLogMad: 0.3, peerSpread: 0.3, classSpread: 0.3 }));
      expect(flags).toEqual([]);
      // Nor when they rose far less: +60% against the region's +15% leaves +39%, beyond the floor of +30%.
      expect(evaluate(account(16, { peerMom: 1.15, baseLogMad: 0.3, peerSpread: 0.3, classSpread: 0.3 }))).toEqual([]);
      // The same rise with the region up 55% is recorded as the group's.
      expect(suppressed(evaluate(account(16, { peerMom: 1.55, baseLogMad: 0.3, peerSpread: 0.3, classSpread: 0.3 })))[0]!.reason)
        .toContain('but region peers +55%: the whole group moved');
    });

    it('uses the whole class when the region has too few accounts to trust', () => {
      const flags = evaluate(account(16, { peerN: 4, peerMom: 1, peerYoy: 1, peerBase: 1, classMom: 1.55, classYoy: 1.5, classBase: 1.6 }));
      expect(raised(flags)).toEqual([]);
      expect(suppressed(flags)[0]!.reason).toContain('class peers +55%');
    });

    describe('a class × region group too small for its own median', () => {
      // 4 shops in the region: the class's change (all regions) or the class's change moved by
      // the region's weather (its accounts against their classes), whichever explains the account.
      const small = { peerN: 4, peerMom: 1, peerYoy: 1, peerBase: 1, classMom: 1.05, classYoy: 1, classBase: 1.05 };

      it('lets a regional heat wave pass that the class as a whole did not feel', () => {
        const flags = evaluate(account(16, { ...small, regionMom: 1.5, regionYoy: 1.55, regionBase: 1.5 }));
        expect(raised(flags)).toEqual([]);
        // 1.05 × 1.5 = 1.575: the class's change moved by the region's weather.
        expect(suppressed(flags).map((f) => f.reason)).toEqual([
          'kWh/day 10.0 → 16.0 (+60%) vs last month, but class peers in the region\'s weather +58%: the whole group moved (weather or season)',
        ]);
      });

      it('lets an account pass that did not feel the region\'s weather (its class did not either)', () => {
        expect(evaluate(account(10.5, { ...small, regionMom: 1.5, regionYoy: 1.55, regionBase: 1.5 }))).toEqual([]);
      });

      it('lets an account pass that felt part of the region\'s weather (a plant cooling its halls)', () => {
        // ln(13.5 / 10.5) / ln 1.5 = 0.62 of the region's weather: 1.05 × 1.5^0.62 = 1.35.
        const flags = evaluate(account(13.5, { ...small, regionMom: 1.5, regionYoy: 1.55, regionBase: 1.5 }));
        expect(raised(flags)).toEqual([]);
        expect(suppressed(flags).map((f) => f.reason)).toEqual([
          'kWh/day 10.0 → 13.5 (+35%) vs last month, but class peers in 62% of the region\'s weather +35%: the whole group moved (weather or season)',
        ]);
      });

      it('still holds a drop to a third in the heat wave, against the class\'s level (the nearer explanation)', () => {
        const flags = evaluate(account(3.3, { ...small, regionMom: 1.5, regionYoy: 1.55, regionBase: 1.5 }));
        expect(raised(flags)).toEqual(['mom_kwh_per_day']);
        expect(flags[0]!.reason).toContain('(1/3.2 after season, class peers +5%)');
      });

      // 18 kWh/day against the class's 10.5: ln(18 / 10.5) = 0.539, beyond a rise's band ln 1.6 = 0.470.
      it('holds a heat-wave month when the region has too few measured accounts to tell its weather', () => {
        const flags = evaluate(account(18, { ...small, regionMom: 1.5, regionYoy: 1.55, regionBase: 1.5, regionN: 20 }));
        expect(raised(flags)).toEqual(['mom_kwh_per_day']);
      });

      it('holds the same month when the region did what its classes did (no weather of its own)', () => {
        expect(raised(evaluate(account(18, small)))).toEqual(['mom_kwh_per_day']);
      });
    });

    it('lets a season pass: the baseline is moved by the peers\' level this period', () => {
      expect(evaluate(account(22, { prevKpd: 11_000, yoyKpd: 21_000, baseMedianKpd: 14_000, peerBase: 1.3 }))).toEqual([]);
    });

    it('lets the account\'s own season pass when the same month last year was as high', () => {
      const flags = evaluate(account(30, { yoyKpd: 29_000, baseMedianKpd: 14_000, peerBase: 1.3 }));
      expect(raised(flags)).toEqual([]);
      expect(suppressed(flags)[0]!.reason).toContain('in line with the same month last year 29.0');
    });

    it('holds one month only when the same month last year agrees it is off (half its band)', () => {
      // ÷1.4 (ln 1.4 = 0.336 below) is beyond the baseline's band 0.309. Last year is a single month:
      // band max(ln 1.3, 4σ·√2) = 0.437, half of it 0.219. Against 8.7 kWh/day the month is
      // ln(8.7/7.14) = 0.197 off: last year does not agree (the account's own season); against 10, 0.336: it does.
      const flags = evaluate(account(10 / 1.4, { yoyKpd: 8_700 }));
      expect(raised(flags)).toEqual([]);
      expect(suppressed(flags)[0]!.reason).toContain('in line with the same month last year 8.7');
      expect(raised(evaluate(account(10 / 1.4, { yoyKpd: 10_000 })))).toEqual(['mom_kwh_per_day']);
    });

    it('lets a return to normal pass: the trusted baseline, not last month, is the reference', () => {
      expect(evaluate(account(10, { prevKpd: 400 }))).toEqual([]);
    });

    it('holds one month off by a quarter only when the month before was off the same way (two months: σ/√2)', () => {
      expect(evaluate(account(7.5))).toEqual([]);
      const flags = evaluate(account(7.5, { lastKpd: 7500 }));
      expect(raised(flags)).toEqual(['level_shift']);
      expect(flags[0]!.reason).toBe('kWh/day -25% from its level since 2025-06: 7.5 vs usual 10.0; check for a stopped, failing or bypassed meter; ' +
        'accept the new level or correct the bill');
    });

    it('records a drop to standby load in a home as a vacancy instead of holding it', () => {
      const flags = evaluate(account(0.3));
      expect(raised(flags)).toEqual([]);
      expect(suppressed(flags)[0]!.reason).toBe('kWh/day 0.3 vs usual 10.0 (3%): standby load only, looks like a vacant home');
    });

    it('holds standby use right after a month beyond the band above: that read paid back, not a vacancy', () => {
      // Last month 19.7 kWh/day (an overshooting catch-up, held, not trusted): ln 1.97 = 0.678 beyond the band 0.309.
      const flags = evaluate(account(0.3, { prevKpd: null, lastKpd: 19_700 }));
      expect(raised(flags)).toEqual(['mom_kwh_per_day']);
      expect(flags[0]!.reason).toContain('last month\'s 19.7 kWh/day was beyond the band above: looks like that read was too high and this one pays it back');
      expect(raised(evaluate(account(0.3, { prevKpd: null, lastKpd: 12_000 })))).toEqual([]);
    });

    describe('a home back in use after standing empty (its references standby months)', () => {
      // One occupied month (12.0 kWh/day) and four standby ones (0.3, the last of them last month),
      // all trusted: the standby months are left out of the baseline, whose one month is too few
      // for it; last month (0.3) is the reference, below a tenth of the occupied level.
      const empty = { baseN: 1, baseMedianKpd: 12_000, baseMaxKpd: 12_000, prevKpd: 300, yoyKpd: null };

      it('records use back at its occupied level instead of holding it against the standby month', () => {
        const flags = evaluate(account(11, empty));
        expect(raised(flags)).toEqual([]);
        expect(suppressed(flags).map((f) => f.reason)).toEqual(['kWh/day 11.0 vs last month 0.3 (×37), a standby level: ' +
          'the account\'s occupied months used 12.0 after season; back in use after standing empty']);
      });

      it('does the same against a standby month a year ago', () => {
        const flags = evaluate(account(11, { ...empty, prevKpd: null, yoyKpd: 300 }));
        expect(raised(flags)).toEqual([]);
        expect(suppressed(flags)[0]!.reason).toContain('vs the same month last year 0.3 (×37), a standby level');
      });

      it('holds use far above its occupied level (×10: a digit slip, not a family moving in)', () => {
        expect(raised(evaluate(account(120, empty)))).toEqual(['mom_kwh_per_day']);
      });

      it('holds the same on a shop: businesses have no standby rule', () => {
        const shop = { ...empty, baseMedianKpd: 120_000, baseMaxKpd: 120_000, prevKpd: 3000 };
        expect(raised(evaluate(account(110, { ...shop, customerClass: 'commercial' })))).toEqual(['mom_kwh_per_day']);
      });
    });

    it('holds the same drop on a commercial account (no vacancy rule for businesses)', () => {
      const shop = account(3, { customerClass: 'commercial', prevKpd: 100_000, yoyKpd: 100_000, baseMedianKpd: 100_000 });
      expect(raised(evaluate(shop))).toEqual(['mom_kwh_per_day']);
    });

    it('needs a change twice the band when nothing can confirm it (a new account)', () => {
      // No own spread yet: the peers' σ 0.089; vs one earlier month × √2, and twice that alone: ×2.73.
      const young = { yoyKpd: null, baseMedianKpd: null, baseN: 1 };
      expect(raised(evaluate(account(25, young)))).toEqual([]);
      expect(raised(evaluate(account(30, young)))).toEqual(['mom_kwh_per_day']);
    });

    it('compares with the few trusted periods before a hold when nothing else is left (held since its third month)', () => {
      // Two trusted months at 10 kWh/day, then every bill held: no baseline (three periods), no
      // trusted last month or last year. σ = 1.4826·√((2·0.05² + 3·0.06²)/5) = 0.0833; twice the
      // band of one month against another: 2 · 4σ · √2 = 0.943 (×2.57): 25 passes (ln 2.5 = 0.916), 30 holds.
      const held = { prevKpd: null, prevAmountMinor: null, lastKpd: 30_000, yoyKpd: null, baseMedianKpd: 10_000, baseN: 2, recentN: 0, recentLogLevel: null };
      expect(raised(evaluate(account(25, held)))).toEqual([]);
      const flags = evaluate(account(30, held));
      expect(raised(flags)).toEqual(['mom_kwh_per_day']);
      expect(flags[0]!.reason).toBe('kWh/day 30.0 vs usual 10.0 over the 2 trusted periods before (×3.00 after season, region peers +0%); ' +
        'the bills since were not trusted; band +157% for this account; looks like a misread');
    });
  });

  describe('yoy_kwh_per_day', () => {
    describe('an account whose season is not its peers\' (an electrically heated home among summer-peaking ones)', () => {
      // 18 kWh/day against the usual 10 (ln 1.8 = 0.588, beyond a rise's band ln 1.6 = 0.470) and no
      // trusted month last year (its first winter was held). Last year's same month, measured, was 17
      // (ln 1.7 = 0.531, beyond half the band 0.235; this month ln(18/17) = 0.057 within half the
      // one-month-a-year-apart band, 4 × 0.0773 × √2 / 2 = 0.219). sinceLowKpd: the lowest of the
      // months since, back down to 10.5 (ln 1.05 = 0.049, within half the band).
      const winter = { yoyKpd: null, yoyLevelKpd: 17_000 };

      it('records a winter as far off as last winter as the account\'s own season when the use came back to the usual in between', () => {
        const flags = evaluate(account(18, { ...winter, sinceLowKpd: 10_500 }));
        expect(raised(flags)).toEqual([]);
        expect(suppressed(flags)[0]!.reason).toBe('kWh/day 18.0 vs the usual 10.0 (+80% after season), but the same month last year was off as far ' +
          '(17.0 at this month\'s season) and the use was back at the usual in between: the account\'s own season, not its peers\'');
      });

      it('holds it when the level never came back since: a level that stayed, not a season', () => {
        expect(raised(evaluate(account(18, { ...winter, sinceLowKpd: 17_500 })))).toEqual(['mom_kwh_per_day']);
        // At best back to 13 (ln 1.3 = 0.262): inside the band, not within half of it (0.235).
        expect(raised(evaluate(account(18, { ...winter, sinceLowKpd: 13_000 })))).toEqual(['mom_kwh_per_day']);
      });

      it('holds it in the first winter, with no month last year to show the season', () => {
        expect(raised(evaluate(account(18, { yoyKpd: null, sinceLowKpd: 10_500 })))).toEqual(['mom_kwh_per_day']);
      });

      it('holds a winter far beyond last winter\'s', () => {
        // ln(30/17) = 0.568, beyond half the band 0.219: not the season.
        expect(raised(evaluate(account(30, { ...winter, sinceLowKpd: 10_500 })))).toEqual(['mom_kwh_per_day']);
      });
    });

    it('compares with the same month last year when there is no baseline', () => {
      const flags = evaluate(account(30, { prevKpd: null, prevDays: null, prevAmountMinor: null, baseMedianKpd: null, baseN: 0 }));
      expect(raised(flags)).toEqual(['yoy_kwh_per_day']);
      expect(flags[0]!.reason).toContain('kWh/day 30.0 vs same month last year 10.0 (×3.00, region peers +0%); band +65% for this account');
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

    it('estimated_streak records the third estimate in a row for the meter readers, without listing the bill', () => {
      const flags = evaluate(account(10, { readFlags: estimated | READ_FLAGS.estimatedOpen, estStreak: 2, estKwhMilli: 600_000, estDays: 60 }));
      expect(flags.map((f) => [f.ruleId, f.suppressed])).toEqual([['estimated_streak', true]]);
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

    it('estimate_catch_up records a big bill after low estimates that bills exactly their shortfall, without holding it', () => {
      // Two estimates billed 3 kWh/day; at the usual 10 kWh/day the 90 days used 900 kWh: 720 kWh were missing, 720 are billed.
      const f = account(24, { readFlags: READ_FLAGS.estimatedOpen, prevKpd: 3000, estStreak: 2, estKwhMilli: 180_000, estDays: 60 });
      const flags = evaluate(f);
      expect(flags.map((x) => [x.ruleId, x.suppressed])).toEqual([['estimate_catch_up', true]]);
      expect(flags[0]!.reason).toBe('catch-up after 2 estimated read(s): they billed 3.0 kWh/day, the meter shows 10.0 over 90 days; ' +
        'this bill carries 420 kWh (58%) the estimates missed, as expected: tell the customer why');
    });

    it('a catch-up within the tolerance of the shortfall is not flagged', () => {
      // Shortfall 60 × 10 − 210 = 390 kWh; billed 480: 90 more, within 0.362 × 10 × 30.4 × √(60/30.4) = 155 kWh.
      const f = account(16, { readFlags: READ_FLAGS.estimatedOpen, prevKpd: 7000, estStreak: 1, estKwhMilli: 210_000, estDays: 30 });
      expect(evaluate(f)).toEqual([]);
    });

    it('holds a catch-up that bills far more than the estimates missed (an overshooting read)', () => {
      // Shortfall 60 × 10 − 300 = 300 kWh; the bill carries 2,850.
      const f = account(95, { readFlags: READ_FLAGS.estimatedOpen, prevKpd: 10_000, estStreak: 1, estKwhMilli: 300_000, estDays: 30 });
      const flags = evaluate(f);
      expect(raised(flags)).toEqual(['estimate_catch_up']);
      expect(flags[0]!.severity).toBe('hold');
      expect(flags[0]!.reason).toContain('left a shortfall of about 300 kWh at the usual 10.0 kWh/day over 60 days: 2,550 kWh more than that');
      expect(flags[0]!.reason).toContain('the actual read overshoots');
    });
  });

  describe('trusted baselines and level shifts', () => {
    // A plant at 10,000 kWh/day whose meter was exchanged in 2025-10 with a multiplier 80 times too small.
    const plant = (kpd: number, over: Partial<AccountFeatures>) => account(kpd, {
      customerClass: 'industrial', period: '2025-12', prevKpd: null, prevAmountMinor: null, lastKpd: 125_000,
      yoyKpd: 10_000_000, yoyAmountMinor: 18_000_000, baseMedianKpd: 10_000_000, lastActualKpd: 125_000,
      shiftSince: 202510, shiftN: 2, shiftReadFlags: READ_FLAGS.meterExchange, shiftReleased: 1, ...over,
    });

    it('keeps holding a wrong level every month, saying since when and that a release did not accept it', () => {
      const flags = evaluate(plant(125, {}));
      expect(raised(flags)).toEqual(['level_shift']);
      expect(flags[0]!.severity).toBe('hold');
      expect(flags[0]!.reason).toBe('kWh/day at 1/80 of its level since 2025-10 (meter exchanged in 2025-10): 125.0 vs usual 10000.0; ' +
        'released once without accepting the level; check for a stopped, failing or bypassed meter; accept the new level or correct the bill');
    });

    it('stays quiet once the level is accepted: the history starts again at the new level', () => {
      expect(evaluate(plant(125, {
        prevKpd: 125_000, prevAmountMinor: 225_000, yoyKpd: null, baseMedianKpd: 125_000, baseN: 1, shiftSince: null, shiftN: 0, shiftReleased: 0,
      }))).toEqual([]);
    });
  });

  describe('a level held on a quarter\'s evidence', () => {
    // The steady home: σ = 1.4826·√((12·0.05² + 3·0.06²)/15) = 0.0773, band vs the baseline
    // max(ln 1.3, 4σ) = 0.309 (±36%). A quarter's median and this month, averaged: σ·√(1 + 3·1.35)/4 =
    // 0.562σ, 4 × that = 0.174, so the class floor ln 1.3 = 0.262 (−23%) is the bar.
    const quarter = (kpd: number, recentKpd: number) => account(kpd, { lastKpd: recentKpd * 1000, recentLogLevel: Math.log(recentKpd * 1000), recentN: 3 });

    it('holds −25% that has lasted a quarter (ln 0.75 = −0.288 beyond −0.262), though one month of it passes', () => {
      expect(evaluate(account(7.5, { lastKpd: 10_000 }))).toEqual([]);
      expect(raised(evaluate(quarter(7.5, 7.5)))).toEqual(['level_shift']);
    });

    it('holds −30% on a volatile home after a quarter, where two months were not enough', () => {
      // Own MAD 0.1: σ = 1.4826·√((12·0.1² + 3·0.06²)/15) = 0.138, band 4σ = 0.554. Two months average
      // with σ/√2: bar 0.392; a quarter's: 4 × 0.562σ = 0.311. ln 0.7 = −0.357 is between the two.
      const volatile = { baseLogMad: 0.1 };
      expect(evaluate(account(7, { ...volatile, lastKpd: 7_000, recentLogLevel: Math.log(7_000), recentN: 1 }))).toEqual([]);
      expect(raised(evaluate(account(7, { ...volatile, lastKpd: 7_000, recentLogLevel: Math.log(7_000), recentN: 3 })))).toEqual(['level_shift']);
    });

    it('does not hold −20% however long it lasts (ln 0.8 = −0.223, inside the class floor)', () => {
      expect(raised(evaluate(quarter(8, 8)))).toEqual([]);
    });

    it('does not hold a month back at its level after a low quarter (this month must be off by half the band, 0.155)', () => {
      expect(raised(evaluate(quarter(9, 7.5)))).toEqual([]);
    });

    it('lets last year\'s month call a low quarter the account\'s season only when last year\'s quarter was low too', () => {
      // The same month last year at 7.5 (ln 0.75 = −0.288, off by more than half the band, 0.155; this
      // month in line with it). Its quarter before at 7.5 too: a season that comes every year.
      const season = evaluate(account(7.5, { lastKpd: 7_500, recentLogLevel: Math.log(7_500), recentN: 3, yoyKpd: 7_500, yoyRecentLogLevel: Math.log(7_500) }));
      expect(raised(season)).toEqual([]);
      expect(suppressed(season)[0]!.reason).toContain('in line with the same month last year 7.5');
      // Last year's quarter at the usual 10 (or not measured): the drop began last year with a month
      // that passed and became trusted; it is not a season.
      for (const yoyRecentLogLevel of [Math.log(10_000), null]) {
        const drop = evaluate(account(7.5, { lastKpd: 7_500, recentLogLevel: Math.log(7_500), recentN: 3, yoyKpd: 7_500, yoyRecentLogLevel }));
        expect(raised(drop)).toEqual(['level_shift']);
      }
    });
  });

  describe('account-adaptive bands', () => {
    it('leave a volatile account\'s ordinary -38% alone and hold a steady account\'s -26%', () => {
      // σ = 1.4826·√((12·0.25² + 3·0.06²)/15) = 0.333: 4σ = 1.33 holds ln 1.6 = 0.470; the steady
      // account's band is the floor ln 1.3 = 0.262, and ln(10/7.4) = 0.301 is beyond it.
      expect(evaluate(account(10 / 1.6, { baseLogMad: 0.25 }))).toEqual([]);
      expect(raised(evaluate(account(7.4, { baseLogMad: 0.01, peerSpread: 0.01 })))).toEqual(['mom_kwh_per_day']);
    });

    it('lean on the peers\' spread while the account\'s own history is short', () => {
      // Own MAD 0.001 over 3 periods, peers 0.25: σ = 0.262, band ×2.85; over 12 periods σ = 0.166, band ×1.94.
      expect(evaluate(account(22, { baseLogMad: 0.001, peerSpread: 0.25, baseN: 3 }))).toEqual([]);
      expect(raised(evaluate(account(22, { baseLogMad: 0.001, peerSpread: 0.25, baseN: 12 })))).toEqual(['mom_kwh_per_day']);
    });

    it('widen by the class\'s scale where honest months stray further from a year\'s median than their changes say', () => {
      // ÷1.45 (ln 1.45 = 0.372) is beyond 4σ = 0.309; where the class's months carry over (spread-scales
      // 1.5: its honest months stray 1.5 times what their changes say) the band is 0.464 (-37%).
      expect(raised(evaluate(account(10 / 1.45)))).toEqual(['mom_kwh_per_day']);
      expect(evaluate(account(10 / 1.45, { levelScale: 1.5 }))).toEqual([]);
    });

    it('weigh a quarter\'s evidence of a moved level by the class\'s scale for it', () => {
      // −25% for a quarter is a level shift (0.288 beyond 0.262, see above); the class's quarters
      // straying twice what independent months would make the bar 4 × 0.562 × 2 × 0.0773 = 0.347.
      const quarter = { lastKpd: 7_500, recentLogLevel: Math.log(7_500), recentN: 3 };
      expect(raised(evaluate(account(7.5, quarter)))).toEqual(['level_shift']);
      expect(evaluate(account(7.5, { ...quarter, shiftScale: 2 }))).toEqual([]);
    });

    it('widen where little money is at stake', () => {
      // ÷1.4 of 10 kWh/day (ln 1.4 = 0.336, beyond 0.309): 85.7 kWh, 51.43 at 0.60 a kWh; 8.57 at 0.10
      // widens the band by (30/8.57)^¼ = 1.37 to 0.423.
      expect(raised(evaluate(account(10 / 1.4)))).toEqual(['mom_kwh_per_day']);
      expect(evaluate(account(10 / 1.4, { prevAmountMinor: 3_000, amountMinor: 2_143, pricePrevMinor: 2_143 }))).toEqual([]);
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

    describe('on a catch-up after estimates (two months estimated at half the use, 61 days)', () => {
      // The actual read carries 10,000 kWh/day × 91 days − 305,000 estimated = 605,000 kWh in 30
      // days: 840 kW on this period's days alone, 416.7 kW over the span the energy was used in.
      const catchUp = {
        readFlags: READ_FLAGS.estimatedOpen, estStreak: 2, estDays: 61, estKwhMilli: 305_000_000, kwhMilli: 605_000_000, kpd: 605_000_000 / 30, capacityMilli: 1e12,
      };

      it('demand_change stays quiet on an honest maximum demand above the span\'s average load', () => {
        expect(raised(evaluate(plant(catchUp)))).toEqual([]);
      });

      it('demand_change holds a demand below the span\'s average load', () => {
        const flags = evaluate(plant({ ...catchUp, demandMilli: 300_000 }));
        expect(raised(flags)).toEqual(['demand_change']);
        expect(flags.find((f) => !f.suppressed)!.reason).toContain('below the average load 416.7 kW');
      });
    });

    it('demand_change stays quiet when the peers\' demand rose as much (a heat wave)', () => {
      expect(raised(evaluate(plant({ demandMilli: 2_400_000, peerDemand: 2.5 })))).toEqual([]);
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
