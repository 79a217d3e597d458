// The review rules over one account's features. Runs in the billing workers' hot loop for every
// account, so: no closures, no regexes, no allocation unless a rule fires (a reason string and a
// flag object then); most accounts return the shared empty list.
//
// How a usage change is judged. Every reference comes from the account's trusted history (bills
// that passed review or were corrected; not estimates, not open flags: migration 004), moved by
// what the peer group (class × region, measured reads; a group too small for its own median
// takes its class's change moved by as much of the region's weather as explains the bill) did this period —
//   B  the account's season-free median level × the peers' level this period (the trigger),
//   Y  the same month last year × the peers' year-over-year change,
//   M  last month × the peers' month-over-month change (the trigger without B or Y),
//   S  the median of the account's few trusted periods, too few for B (the trigger without B, Y or M:
//      an account held since its second month still has the months before the hold).
// The band is the account's own: a robust spread (of the changes between its measured months of two
// years, season-free, trusted or not: src/billing/spread.ts) pulled toward its peers' typical
// spread while its history is short, times `spread_z`, never below the class's floor, and wider
// where little money is at stake. One month beyond it holds the bill when the same month last year
// agrees; a level that stays moved holds on a quarter's evidence — every month, for as long as it
// lasts: a held, released or dismissed level never becomes the baseline (the baseline reaches back
// up to three years for trusted periods); only a reviewer's `accept` resets it.
import { READ_FLAGS, type AccountFeatures, type Flag } from '../../schemas/review.js';
import type { ClassThresholds, ReviewRules, RuleId } from '../../schemas/rules.js';

const NO_FLAGS: readonly Flag[] = Object.freeze([]);

const EST_CLOSE = READ_FLAGS.estimatedClose;
const EST_OPEN = READ_FLAGS.estimatedOpen;
const NOT_ACTIVE = READ_FLAGS.moveIn | READ_FLAGS.moveOut;

/** Flags of the evaluation in progress, allocated on the first flag (evaluations never overlap: the loop is synchronous). */
let found: Flag[] | null = null;

function add(rules: ReviewRules, ruleId: RuleId, suppressed: boolean, stakeMinor: number, reason: string): void {
  const setting = rules.rules[ruleId];
  const flag: Flag = {
    ruleId, severity: setting.severity, suppressed,
    score: Math.round(setting.likelihood * Math.abs(stakeMinor) * 100) / 100, reason,
  };
  if (found) found.push(flag);
  else found = [flag];
}

function raisedSoFar(): boolean {
  if (found) for (const flag of found) if (!flag.suppressed) return true;
  return false;
}

// ---- formatting (only ever called for a rule that fires) ----

const kwhDay = (wh: number): string => (wh / 1000).toFixed(wh !== 0 && Math.abs(wh) < 100 ? 2 : 1);
const kwh = (wh: number): string => Math.round(wh / 1000).toLocaleString('en-US');
const money = (minor: number): string => (minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
function pct(ratio: number): string {
  const p = Math.round((ratio - 1) * 100);
  return `${p >= 0 ? '+' : ''}${p}%`;
}
function times(ratio: number): string {
  if (ratio >= 10) return `×${Math.round(ratio)}`;
  return ratio >= 0.1 ? `×${ratio.toFixed(2)}` : `×${ratio.toPrecision(1)}`;
}
function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

/** A guess at the cause from the shape of a change, for the reviewer's first look. */
function causeHint(ratio: number): string {
  const decades = Math.log10(ratio);
  const whole = Math.round(decades);
  if (whole !== 0 && Math.abs(decades - whole) < 0.05) return 'looks like a digit slip or a wrong multiplier';
  if (ratio > 1) return 'looks like a misread';
  return 'check for a stopped, failing or bypassed meter';
}

function eventNote(readFlags: number): string {
  if (readFlags & READ_FLAGS.meterExchange) return '; meter exchanged this period';
  if (readFlags & READ_FLAGS.rollover) return '; register rolled over';
  return '';
}

// ---- references ----

/** MAD × this = σ for normally distributed values. */
export const MAD_TO_SIGMA = 1.4826;

/** What this evaluation compares against; kept in module state so the hot loop allocates nothing. */
const ref = {
  peerMom: 1, peerYoy: 1, peerBase: 1, peerDemand: 1,
  /** Whose change moved the references, as the reason names it ('' = no peer data). */
  peerScope: '',
  /** How much of the region's weather moved a small group's class peers (0: none; regionalWeather). */
  weatherShare: 0,
  M: NaN, Y: NaN, B: NaN, S: NaN,
  /** The account's robust σ of log kWh/day (shrunk toward its peers'). */
  spread: 0,
  /**
   * How many of those σ a month strays from a median of earlier months, and the quarter's
   * evidence, where successive months are not independent (the class's spread-scales; 1 when they are).
   */
  levelSigmas: 1,
  shiftSigmas: 1,
  /** Minor units per Wh, from a normal bill (last month's if there is one). */
  unitPrice: 0,
};

function prepare(f: AccountFeatures, t: ClassThresholds): void {
  const region = f.peerN >= t.min_peers;
  const usable = region || f.classN >= t.min_peers;
  ref.peerScope = usable ? (region ? 'region peers' : 'class peers') : '';
  ref.weatherShare = 0;
  ref.peerMom = (usable ? (region ? f.peerMom : f.classMom) : null) ?? 1;
  ref.peerYoy = (usable ? (region ? f.peerYoy : f.classYoy) : null) ?? 1;
  ref.peerBase = (usable ? (region ? f.peerBase : f.classBase) : null) ?? 1;
  ref.peerDemand = (usable ? (region ? f.peerDemand : f.classDemand) : null) ?? 1;
  setReferences(f, t);
  if (usable && !region && f.regionN >= t.min_peers) regionalWeather(f, t);
  // The account's spread, pulled toward its peers' (spread_prior_periods periods' worth) while its own history is short.
  const peerSpread = (region ? f.peerSpread : null) ?? f.classSpread;
  const own = f.baseLogMad !== null && f.baseN >= 2 ? f.baseLogMad * MAD_TO_SIGMA : NaN;
  const prior = peerSpread !== null ? peerSpread * MAD_TO_SIGMA : t.min_spread;
  const n = Number.isNaN(own) ? 0 : f.baseN;
  const k = t.spread_prior_periods;
  ref.spread = Math.max(t.min_spread, Math.sqrt((n * (Number.isNaN(own) ? 0 : own * own) + k * prior * prior) / (n + k)));
  ref.levelSigmas = f.levelScale;
  ref.shiftSigmas = f.shiftScale;
  const prevWh = f.prevKpd !== null && f.prevDays !== null ? f.prevKpd * f.prevDays : 0;
  const yoyWh = f.yoyKpd !== null ? f.yoyKpd * f.days : 0;
  ref.unitPrice = f.prevAmountMinor !== null && f.prevAmountMinor > 0 && prevWh > 0 ? f.prevAmountMinor / prevWh
    : f.yoyAmountMinor !== null && f.yoyAmountMinor > 0 && yoyWh > 0 ? f.yoyAmountMinor / yoyWh
      : f.kwhMilli > 0 && f.amountMinor > 0 ? f.amountMinor / f.kwhMilli : 0;
}

function setReferences(f: AccountFeatures, t: ClassThresholds): void {
  ref.B = f.baseN >= t.min_baseline_periods && f.baseMedianKpd !== null && f.baseMedianKpd > 0 ? f.baseMedianKpd * ref.peerBase : NaN;
  ref.Y = f.yoyKpd !== null && f.yoyKpd > 0 ? f.yoyKpd * ref.peerYoy : NaN;
  ref.M = f.prevKpd !== null && f.prevKpd > 0 ? f.prevKpd * ref.peerMom : NaN;
  ref.S = f.baseN > 0 && f.baseN < t.min_baseline_periods && f.baseMedianKpd !== null && f.baseMedianKpd > 0 ? f.baseMedianKpd * ref.peerBase : NaN;
}

/**
 * A class × region group too small for a median of its own followed its class (a plant that does
 * not feel the weather), its region's weather (a shop in a heat wave) or something between (a
 * plant that cools its halls): which, is unknown. So the account is measured against its class's
 * change moved by as much of the region's weather (the region's accounts against their classes)
 * as explains it, none to all. Where the region did what its classes did, nothing changes.
 */
function regionalWeather(f: AccountFeatures, t: ClassThresholds): void {
  const trigger = usualKpd();
  if (Number.isNaN(trigger) || f.kpd <= 0) return;
  const mom = f.regionMom ?? 1;
  const yoy = f.regionYoy ?? 1;
  const base = f.regionBase ?? 1;
  const weather = Math.log(!Number.isNaN(ref.B) ? base : !Number.isNaN(ref.Y) ? yoy : !Number.isNaN(ref.M) ? mom : base);
  if (weather === 0) return;
  const share = Math.max(0, Math.min(1, dev(f.kpd, trigger) / weather));
  if (share === 0) return;
  ref.weatherShare = share;
  ref.peerMom *= mom ** share;
  ref.peerYoy *= yoy ** share;
  ref.peerBase *= base ** share;
  setReferences(f, t);
}

/**
 * Half-width of the band around a reference, on the log scale: `spread_z` σ of the compared value
 * (`sigmas` of the account's σ: 1 for a month against the baseline, √2 against a single earlier
 * month, itself as noisy as this one, less for an average of months), never below the class's
 * floor `floor`, widened by up to ×2 when the money at stake is below the class's `small_stake_minor`.
 */
function band(t: ClassThresholds, floor: number, sigmas: number, stakeMinor: number): number {
  const widen = stakeMinor >= t.small_stake_minor ? 1 : Math.min(2, Math.sqrt(Math.sqrt(t.small_stake_minor / Math.max(stakeMinor, 1))));
  return Math.max(Math.log(1 + floor), t.spread_z * ref.spread * sigmas) * widen;
}

/**
 * A usage band's width on the side the month moved: a rise needs at least `rise_change` (widened
 * for small money at stake like any band, not doubled where one month is the only reference):
 * honest use rises in bursts — a cold week, guests, a new appliance — while the errors that
 * over-bill by less than that are rare; SAP's tolerance groups are asymmetric the same way. A
 * fall keeps the width.
 */
function sideWidth(t: ClassThresholds, width: number, sign: number, stakeMinor: number): number {
  return sign > 0 ? Math.max(width, band(t, t.rise_change, 0, stakeMinor)) : width;
}

/**
 * σ of the average of this month's deviation and `n` recent months' median deviation, in units
 * of the account's σ: the median of n normal values has variance c·σ²/n, c = 1 for one or two
 * values and 1.35 for three (0.449 σ²).
 */
function recentSigmas(n: number): number {
  const c = n >= 3 ? 1.35 : 1;
  return Math.sqrt(1 + n * c) / (1 + n);
}

/** The account's usual kWh/day this period, best reference first; NaN when it has no history. */
function usualKpd(): number {
  if (!Number.isNaN(ref.B)) return ref.B;
  if (!Number.isNaN(ref.Y)) return ref.Y;
  if (!Number.isNaN(ref.M)) return ref.M;
  return ref.S;
}

function peerText(ratio: number): string {
  if (!ref.peerScope) return 'no peer data';
  if (ref.weatherShare === 0) return `${ref.peerScope} ${pct(ratio)}`;
  const share = Math.round(100 * ref.weatherShare);
  return `class peers in ${share === 100 ? 'the' : `${share}% of the`} region's weather ${pct(ratio)}`;
}

/** Log-ratio of kWh/day `kpd` to reference `r` (NaN without a reference). */
const dev = (kpd: number, r: number): number => Math.log(kpd / r);

/** Whether kWh/day `kpd` is beyond `share` of ×(1+limit) from reference `r` in direction `sign`. */
function exceeds(kpd: number, r: number, limit: number, sign: number, share: number): boolean {
  return !Number.isNaN(r) && dev(kpd, r) * sign > share * Math.log(1 + limit);
}

/** "×12", "1/80", "+35%": how far a level is from another, the way a reviewer says it. */
function level(ratio: number): string {
  if (ratio >= 2) return times(ratio);
  if (ratio <= 0.5) return `1/${ratio >= 0.1 ? String(Number((1 / ratio).toFixed(1))) : Math.round(1 / ratio)}`;
  return pct(ratio);
}

/** "at 1/80 of its level", "at ×12 its level", "−47% from its level". */
function levelPhrase(ratio: number): string {
  if (ratio >= 2) return `at ${times(ratio)} its level`;
  if (ratio <= 0.5) return `at ${level(ratio)} of its level`;
  return `${pct(ratio)} from its level`;
}

/** The period before YYYY-MM, as YYYYMM. */
function previousPeriod(period: string): number {
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(5, 7));
  return month === 1 ? (year - 1) * 100 + 12 : year * 100 + month - 1;
}

/** YYYYMM → YYYY-MM. */
const periodText = (key: number): string => `${Math.floor(key / 100)}-${String(key % 100).padStart(2, '0')}`;

// ---- the rules ----

export function evaluateAccount(f: AccountFeatures, rules: ReviewRules): Flag[] {
  const t = rules.classes[f.customerClass];
  found = null;
  prepare(f, t);
  amountBounds(f, rules, t);
  if (!meterIntegrity(f, rules, t)) {
    if (f.readFlags & EST_CLOSE) estimated(f, rules, t);
    else if ((f.readFlags & EST_OPEN) && f.estStreak > 0) catchUp(f, rules, t);
    else usageChange(f, rules, t);
    if (!(f.readFlags & EST_CLOSE)) {
      amountChange(f, rules, t);
      demandAndPowerFactor(f, rules, t);
    }
  }
  if (f.readFlags & READ_FLAGS.extraReads) {
    add(rules, 'duplicate_reads', false, f.amountMinor,
      'a register was read more than once in the period (duplicate or re-read); the bill used the last read: check which one is right');
  }
  intervalEstimates(f, rules);
  const flags = found ?? (NO_FLAGS as Flag[]);
  found = null;
  return flags;
}

/** A bill from interval data alone that VEE estimated beyond short gaps (issue 16: src/billing/reads.sql interval_series). */
function intervalEstimates(f: AccountFeatures, rules: ReviewRules): void {
  const profiled = (f.readFlags & READ_FLAGS.intervalsProfiled) !== 0;
  const spikes = (f.readFlags & READ_FLAGS.intervalSpikes) !== 0;
  if (!profiled && !spikes) return;
  const what = profiled && spikes ? 'a gap longer than the policy\'s interpolation limit was estimated from the account\'s own profile and spike values were replaced'
    : profiled ? 'a gap longer than the policy\'s interpolation limit was estimated from the account\'s own profile'
      : 'spike values (beyond the policy\'s multiple of the meter\'s 95th percentile) were replaced';
  add(rules, 'interval_estimated', false, f.amountMinor, `billed from interval data: ${what}; check the meter's communication (review show counts the intervals)`);
}

function amountBounds(f: AccountFeatures, rules: ReviewRules, t: ClassThresholds): void {
  if (f.amountMinor > t.max_amount_minor) {
    add(rules, 'amount_bounds', false, f.amountMinor - t.max_amount_minor,
      `amount ${money(f.amountMinor)} is above the ${f.customerClass} ceiling of ${money(t.max_amount_minor)}`);
  } else if (f.amountMinor < t.min_amount_minor) {
    add(rules, 'amount_bounds', false, t.min_amount_minor - f.amountMinor,
      `amount ${money(f.amountMinor)} is below the ${f.customerClass} floor of ${money(t.min_amount_minor)}`);
  }
}

/**
 * Reads that cannot be consumption: error codes, a register running backwards, an advance beyond
 * the dial, a stopped meter, registers that disagree. Returns whether the kWh are unusable (then
 * no usage rule runs: one clear reason beats three derived ones).
 */
function meterIntegrity(f: AccountFeatures, rules: ReviewRules, t: ClassThresholds): boolean {
  // Any usage history counts for what the period should have shown (S: a trusted period or two).
  const usual = usualKpd();
  const expectedWh = Number.isNaN(usual) ? NaN : usual * f.days;
  if (f.readFlags & READ_FLAGS.sentinel) {
    const shown = Number.isNaN(expectedWh) ? '' : `; usual for ${f.days} days is ${kwh(expectedWh)} kWh`;
    add(rules, 'sentinel_value', false, Math.abs(f.kwhMilli - (Number.isNaN(expectedWh) ? 0 : expectedWh)) * ref.unitPrice,
      `a read is a meter error code (4294967.295 or all nines) or beyond the register: billed ${kwh(f.kwhMilli)} kWh is not consumption${shown}`);
    return true;
  }
  if (f.kwhMilli < 0 || (f.readFlags & READ_FLAGS.negativeAdvance)) {
    if ((f.readFlags & EST_OPEN) && f.estStreak > 0) {
      // The estimates ran ahead of the meter: the actual read lands below the estimated one.
      if (-f.kwhMilli >= t.min_change_kwh * 1000) {
        add(rules, 'estimate_catch_up', false, -f.kwhMilli * ref.unitPrice,
          `actual read is ${kwh(-f.kwhMilli)} kWh below the estimated opening read: the last ${f.estStreak} estimate(s) ran ahead of the meter; ` +
          'billed as 0 kWh, the over-billed energy needs a credit');
      }
      return true;
    }
    const usualText = Number.isNaN(expectedWh) ? '' : ` (usual ${kwh(expectedWh)} kWh)`;
    add(rules, 'negative_advance', false, (Math.abs(f.kwhMilli) + (Number.isNaN(expectedWh) ? 0 : expectedWh)) * ref.unitPrice,
      `closing read is ${kwh(-f.kwhMilli)} kWh below the opening read and not a rollover${usualText}: reverse rotation or a misread; billed as 0 kWh`);
    return true;
  }
  if (f.capacityMilli !== null && f.kwhMilli > t.capacity_share * f.capacityMilli) {
    add(rules, 'beyond_capacity', false, (f.kwhMilli - (Number.isNaN(expectedWh) ? 0 : expectedWh)) * ref.unitPrice,
      `advance of ${kwh(f.kwhMilli)} kWh is ${Math.round((100 * f.kwhMilli) / f.capacityMilli)}% of the register's whole range ` +
      `(${kwh(f.capacityMilli)} kWh)${eventNote(f.readFlags)}: a misread or a backward step, not consumption`);
    return true;
  }
  if (f.kwhMilli === 0 && !(f.readFlags & (EST_CLOSE | NOT_ACTIVE)) && expectedWh >= t.min_change_kwh * 1000) {
    add(rules, 'zero_advance', false, expectedWh * ref.unitPrice,
      `no advance in ${f.days} days on an active account that usually uses ${kwhDay(usual)} kWh/day (${kwh(expectedWh)} kWh): stopped or stuck meter?`);
    return true;
  }
  if (f.touKwhMilli !== null) {
    const gap = f.kwhMilli - f.touKwhMilli;
    if (Math.abs(gap) > t.register_tolerance * Math.max(f.kwhMilli, f.touKwhMilli) && Math.abs(gap) >= t.min_change_kwh * 1000) {
      add(rules, 'register_mismatch', false, Math.abs(gap) * ref.unitPrice,
        `total register advanced ${kwh(f.kwhMilli)} kWh but the TOU registers add up to ${kwh(f.touKwhMilli)} kWh (${times(f.kwhMilli / f.touKwhMilli)}): ` +
        'one of them is misread');
    }
  }
  // Nothing to compare on an actual read of zero that the zero-advance rule let pass (move-in, no history).
  return f.kwhMilli <= 0 && !(f.readFlags & EST_CLOSE);
}

/** A bill on an estimated closing read: a streak of them flags; usage rules wait for a real read. */
function estimated(f: AccountFeatures, rules: ReviewRules, t: ClassThresholds): void {
  const streak = f.estStreak + 1;
  const usual = usualKpd();
  const spanDays = f.estDays + f.days;
  const spanKpd = (f.estKwhMilli + f.kwhMilli) / spanDays;
  if (streak >= t.estimated_streak) {
    // An estimate is a legitimate bill: the streak is work for the meter readers, recorded for
    // them, not a bill for a reviewer to hold or list.
    const gap = Number.isNaN(usual) ? '' : ` vs usual ${kwhDay(usual)}`;
    add(rules, 'estimated_streak', true, Number.isNaN(usual) ? f.amountMinor : Math.abs(usual - spanKpd) * spanDays * ref.unitPrice,
      `${ordinal(streak)} estimated read in a row (${spanDays} days without an actual read): estimates bill ${kwhDay(spanKpd)} kWh/day${gap}; ` +
      'schedule an actual read');
  }
  const sign = Number.isNaN(ref.M) ? 0 : Math.sign(f.kpd - ref.M);
  if (sign !== 0 && exceeds(f.kpd, ref.M, t.mom_change, sign, 1) && Math.abs(f.kpd - ref.M) * f.days >= t.min_change_kwh * 1000) {
    add(rules, 'mom_kwh_per_day', true, Math.abs(f.kpd - ref.M) * f.days * ref.unitPrice,
      `kWh/day ${kwhDay(f.prevKpd!)} → ${kwhDay(f.kpd)} (${times(f.kpd / f.prevKpd!)}) vs last month on an estimated read: ` +
      'not a measurement; the next actual read settles it');
  }
}

/**
 * The first actual read after estimates. The bill is right when it carries about what the
 * estimates missed: the span's expected use (the account's usual level over the estimated periods
 * and this one) less the kWh the estimates already billed. The span's use is as uncertain as the
 * account's months added up, so the tolerance grows with √(months): beyond it the catch-up billed
 * clearly more (an overshooting read) or less than the shortfall, and the bill holds.
 */
function catchUp(f: AccountFeatures, rules: ReviewRules, t: ClassThresholds): void {
  const spanDays = f.estDays + f.days;
  const spanKpd = (f.estKwhMilli + f.kwhMilli) / spanDays;
  const estKpd = f.estDays > 0 ? f.estKwhMilli / f.estDays : 0;
  // The estimated months are taken at this period's level, the nearest one known (each month at
  // its peers' level was tried: an account's own season differs from its peers' by as much, see
  // bench/evaluation.md, 2026.5 step 2).
  const A = f.lastActualKpd !== null && f.lastActualKpd > 0 ? f.lastActualKpd : NaN;
  const usual = !Number.isNaN(ref.B) ? ref.B : A;
  if (Number.isNaN(usual)) return;
  const shortfall = usual * spanDays - f.estKwhMilli;
  const excess = f.kwhMilli - shortfall;
  const months = spanDays / 30.4;
  const stake = Math.abs(excess) * ref.unitPrice;
  const tolerance = (Math.exp(band(t, t.baseline_change, ref.levelSigmas, stake)) - 1) * usual * 30.4 * Math.sqrt(months);
  const minWh = t.min_change_kwh * 1000;
  if (Math.abs(excess) > tolerance && Math.abs(excess) >= minWh) {
    if (excess < 0 && spanKpd < t.vacancy_share * usual) {
      add(rules, 'mom_kwh_per_day', true, -excess * ref.unitPrice,
        `kWh/day ${kwhDay(spanKpd)} over ${f.estStreak} estimated period(s) and this one vs usual ${kwhDay(usual)} (${Math.round((100 * spanKpd) / usual)}%): ` +
        'standby load only, looks like a vacant home');
      return;
    }
    add(rules, 'estimate_catch_up', false, stake,
      `catch-up after ${f.estStreak} estimated read(s) bills ${kwh(f.kwhMilli)} kWh; the estimates (${kwhDay(estKpd)} kWh/day) left a shortfall of about ` +
      `${kwh(Math.max(0, shortfall))} kWh at the usual ${kwhDay(usual)} kWh/day over ${spanDays} days: ${kwh(Math.abs(excess))} kWh ${excess > 0 ? 'more' : 'less'} ` +
      `than that (tolerance ${kwh(tolerance)}): ${excess > 0 ? 'the actual read overshoots' : 'the actual read falls short'}; check it`);
    return;
  }
  const carried = f.kwhMilli - spanKpd * f.days;
  if (carried >= t.catch_up_share * f.kwhMilli && carried >= minWh) {
    add(rules, 'estimate_catch_up', true, carried * ref.unitPrice,
      `catch-up after ${f.estStreak} estimated read(s): they billed ${kwhDay(estKpd)} kWh/day, the meter shows ${kwhDay(spanKpd)} over ${spanDays} days; ` +
      `this bill carries ${kwh(carried)} kWh (${Math.round((100 * carried) / f.kwhMilli)}%) the estimates missed, as expected: tell the customer why`);
  }
}

/**
 * This period's kWh/day against the trusted references: the baseline B triggers (else last year
 * Y, else last month M, else the few trusted periods S; M and S alone need twice the band: one or
 * two months, nothing to confirm them). Last year in line with this month
 * vetoes (an account's own seasonal habit, or a baseline that lags a real change of a year ago).
 * A change that began earlier and is still there — the previous bill was not trusted either and
 * sat off the baseline the same way — is an open level shift and says since when.
 */
function usageChange(f: AccountFeatures, rules: ReviewRules, t: ClassThresholds): void {
  const minWh = t.min_change_kwh * 1000;
  const kpd = f.kpd;
  const { M, Y, B, S } = ref;
  const onB = !Number.isNaN(B);
  const onY = !onB && !Number.isNaN(Y);
  const onM = !onB && !onY && !Number.isNaN(M);
  const trigger = onB ? B : onY ? Y : onM ? M : S;
  if (Number.isNaN(trigger)) return;
  const changeWh = Math.abs(kpd - trigger) * f.days;
  const stake = changeWh * ref.unitPrice;
  // Against a median of months or a month a year before, the class's scale for lasting swings;
  // against last month, the changes' own spread is the right one.
  const d = dev(kpd, trigger);
  const sign = Math.sign(d);
  const width = sideWidth(t, onB ? band(t, t.baseline_change, ref.levelSigmas, stake)
    : onY ? band(t, t.yoy_change, Math.SQRT2 * ref.levelSigmas, stake) : 2 * band(t, t.mom_change, Math.SQRT2, stake), sign, stake);
  // The previous bill against the same level (moved back by the peers' change since).
  const lastDev = onB && f.lastKpd !== null && f.lastKpd > 0 ? dev(f.lastKpd * ref.peerMom, trigger) : 0;
  const persisting = onB && persistingShift(f, t, d, sign, width, stake);
  if ((Math.abs(d) <= width && !persisting) || changeWh < minWh) {
    peersMoved(f, rules, t);
    return;
  }
  // The same month last year (moved by the peers' change since) carries the account's own season,
  // which the peers' level does not. One month is held only when it agrees (a single month, as
  // noisy as this one: √2 σ; off the same way by half its band is agreement). A quarter's evidence
  // is weighed against one month of last year only when that month shows the same season (off the
  // baseline the same way, this month in line with it) and so did the same quarter last year: a
  // single noisy month cannot outvote a quarter, nor can the first months of a drop that passed
  // (trusted, they became last year's reference; since 2026.10).
  // A held month of last year is not a reference (it was tried, 2026.5 step 1 in
  // bench/evaluation.md: a persisting level whose months sometimes pass vetoed itself).
  const seasonQuarter = !persisting || quarterLastYear(f, sign, width);
  const seasonal = onB && !Number.isNaN(Y) && (persisting
    ? dev(Y, B) * sign > width / 2 && Math.abs(dev(kpd, Y)) <= width && seasonQuarter
    : dev(kpd, Y) * sign <= band(t, t.yoy_change, Math.SQRT2 * ref.levelSigmas, stake) / 2);
  if (seasonal) {
    add(rules, 'yoy_kwh_per_day', true, stake,
      `kWh/day ${kwhDay(kpd)} vs the usual ${kwhDay(B)} (${level(kpd / B)} after season), but in line with the same month last year ` +
      `${kwhDay(f.yoyKpd!)} (${pct(kpd / Y)} after peers): the account's own season`);
    return;
  }
  if (onB && seasonQuarter && ownSeason(f, t, kpd, sign, width, stake)) {
    add(rules, 'yoy_kwh_per_day', true, stake,
      `kWh/day ${kwhDay(kpd)} vs the usual ${kwhDay(B)} (${level(kpd / B)} after season), but the same month last year was off as far ` +
      `(${kwhDay(f.yoyLevelKpd! * ref.peerBase)} at this month's season) and the use was back at the usual in between: ` +
      `the account's own season, not its peers'`);
    return;
  }
  // A home that stands empty was at its level the month before. Standby use right after a month
  // beyond the band above it is that month's read paid back (a misread or an overshooting
  // catch-up): the two reads together are the usual use, not a vacancy.
  const payback = sign < 0 && lastDev > width;
  if (!payback && vacancy(f, rules, t, onB || onY ? 'yoy_kwh_per_day' : 'mom_kwh_per_day', sign, trigger)) return;
  if (sign > 0 && backFromStandby(f, rules, t, trigger, onB || (!onY && !onM) ? 'usual' : onY ? 'the same month last year' : 'last month', width, stake)) return;
  const hint = payback ? `last month's ${kwhDay(f.lastKpd!)} kWh/day was beyond the band above: looks like that read was too high and this one pays it back`
    : `${causeHint(kpd / trigger)}${eventNote(f.readFlags)}`;
  if (persisting || lastDev * sign > width / 2) {
    const since = f.shiftN > 0 && f.shiftSince !== null ? f.shiftSince : previousPeriod(f.period);
    const released = f.shiftReleased > 0 ? `; released ${f.shiftReleased === 1 ? 'once' : `${f.shiftReleased} times`} without accepting the level` : '';
    const exchange = f.shiftN > 0 && f.shiftReadFlags & READ_FLAGS.meterExchange ? ` (meter exchanged in ${periodText(since)})` : '';
    add(rules, 'level_shift', false, stake,
      `kWh/day ${levelPhrase(kpd / trigger)} since ${periodText(since)}${exchange}: ${kwhDay(kpd)} vs usual ${kwhDay(trigger)}` +
      `${released}; ${hint}; accept the new level or correct the bill`);
    return;
  }
  const against = onB
    ? `usual ${kwhDay(B)} (${level(kpd / B)} after season, ${peerText(ref.peerBase)})${Number.isNaN(M) ? '' : `; last month ${kwhDay(f.prevKpd!)}`}`
    : onY ? `same month last year ${kwhDay(f.yoyKpd!)} (${level(kpd / Y)}, ${peerText(ref.peerYoy)})`
      : onM ? `last month ${kwhDay(f.prevKpd!)} (${level(kpd / M)}, ${peerText(ref.peerMom)}); no longer history`
        : `usual ${kwhDay(S)} over the ${f.baseN === 1 ? 'one trusted period' : `${f.baseN} trusted periods`} before (${level(kpd / S)} after season, ` +
          `${peerText(ref.peerBase)}); the bills since were not trusted`;
  add(rules, onB || !onY ? 'mom_kwh_per_day' : 'yoy_kwh_per_day', false, stake,
    `kWh/day ${kwhDay(kpd)} vs ${against}; band ${sign > 0 ? `+${Math.round(100 * (Math.exp(width) - 1))}` : `-${Math.round(100 * (1 - Math.exp(-width)))}`}% for this account; ${hint}`);
}

/**
 * An account whose season is not its peers' (an electrically heated home among summer-peaking
 * ones): the same month last year, measured, was off the baseline the same way by half the band
 * and this month is within half the band for one month a year apart of it (either way: a month
 * far less off than last year's is no repeat of a season), and in between the use came back to
 * within half the band of the baseline in some measured month, or beyond it (not merely inside a
 * band that small money at stake widens: a drop that has lasted over a year sits inside such a band).
 * Those months count trusted or not: a heated home's first winter was held, so its next winter
 * has no trusted month last year; where last year's month was estimated, the months beside it
 * stand in (2026.13). A held month of last year alone is no reference (2026.5 step 1 in
 * bench/evaluation.md: a persisting level vetoed itself); a level that stayed — a wrong
 * multiplier for over a year, a drop that lasts — never came back, a season came and went. Any
 * month in between, not the one half a year away (rules 2026.12): a heated home's baseline is
 * its winters' (its summers were held), which a shoulder month meets and midsummer does not.
 */
function ownSeason(f: AccountFeatures, t: ClassThresholds, kpd: number, sign: number, width: number, stake: number): boolean {
  // Back means up to within half the band below the baseline after a low month, down to it after a high one.
  const back = sign < 0 ? f.sinceHighKpd : f.sinceLowKpd;
  if (f.yoyLevelKpd === null || back === null || f.baseMedianKpd === null) return false;
  if (f.yoyLevelKpd <= 0 || back <= 0 || f.baseMedianKpd <= 0) return false;
  const lastYear = Math.log(f.yoyLevelKpd / f.baseMedianKpd);
  return lastYear * sign > width / 2 && Math.log(back / f.baseMedianKpd) * sign <= width / 2
    && Math.abs(dev(kpd, f.yoyLevelKpd * ref.peerBase)) <= band(t, t.yoy_change, Math.SQRT2 * ref.levelSigmas, stake) / 2;
}

/**
 * Whether the quarter before this month, a year ago, was off the baseline the same way by half the
 * band (its measured months' median, season-free, trusted or not): a quarter off now is the
 * account's own season only if it was.
 */
function quarterLastYear(f: AccountFeatures, sign: number, width: number): boolean {
  if (f.yoyRecentLogLevel === null || f.baseMedianKpd === null || f.baseMedianKpd <= 0) return false;
  return (f.yoyRecentLogLevel - Math.log(f.baseMedianKpd)) * sign > width / 2;
}

/**
 * Evidence that the level moved and stays moved, gathered over months: this month and the median
 * of the last quarter's measured months (season-free, trusted or not) both off the baseline the
 * same way by half the band, and their average beyond the band that an average of that many
 * months deserves (σ shrinks with the months, the class's floor does not). A recent month beyond
 * the band counts only as far as the band (one misread is not a quarter's evidence).
 */
function persistingShift(f: AccountFeatures, t: ClassThresholds, d: number, sign: number, width: number, stake: number): boolean {
  if (f.recentN === 0 || f.recentLogLevel === null || f.baseMedianKpd === null || f.baseMedianKpd <= 0) return false;
  const recent = Math.max(-width, Math.min(width, f.recentLogLevel - Math.log(f.baseMedianKpd)));
  if (recent * sign <= width / 2 || d * sign <= width / 2) return false;
  const n = f.recentN;
  return ((d + n * recent) / (1 + n)) * sign > sideWidth(t, band(t, t.baseline_change, recentSigmas(n) * ref.shiftSigmas, stake), sign, stake);
}

/**
 * The peers made the difference: record why a raw change of this size did not flag. Only when
 * they moved the way the account did, and far enough that what is left of the change is inside
 * the floor: a rise while the peers fell, or a doubling while they rose 17%, passed on the
 * account's own band, and saying the group moved would give the reviewer the wrong reason.
 */
function peersMoved(f: AccountFeatures, rules: ReviewRules, t: ClassThresholds): void {
  const prev = f.prevKpd;
  if (prev === null || prev <= 0) return;
  const kpd = f.kpd;
  const rawSign = Math.sign(kpd - prev);
  if (rawSign !== 0 && exceeds(kpd, prev, t.mom_change, rawSign, 1) && Math.abs(kpd - prev) * f.days >= t.min_change_kwh * 1000
    && Math.log(ref.peerMom) * rawSign > Math.log(1 + t.mom_change) / 2 && !exceeds(kpd, prev * ref.peerMom, t.mom_change, rawSign, 1)) {
    add(rules, 'mom_kwh_per_day', true, Math.abs(kpd - prev) * f.days * ref.unitPrice,
      `kWh/day ${kwhDay(prev)} → ${kwhDay(kpd)} (${pct(kpd / prev)}) vs last month, but ${peerText(ref.peerMom)}: the whole group moved (weather or season)`);
  }
}

/** A drop to standby level (not to zero) on a class where premises stand empty: recorded, not flagged. */
function vacancy(f: AccountFeatures, rules: ReviewRules, t: ClassThresholds, ruleId: RuleId, sign: number, usual: number): boolean {
  if (sign >= 0 || f.kpd >= t.vacancy_share * usual) return false;
  add(rules, ruleId, true, (usual - f.kpd) * f.days * ref.unitPrice,
    `kWh/day ${kwhDay(f.kpd)} vs usual ${kwhDay(usual)} (${Math.round((100 * f.kpd) / usual)}%): standby load only, looks like a vacant home`);
  return true;
}

/**
 * A reference that is a standby month of a home that stood empty (below `vacancy_share` of its
 * highest trusted month, its occupied level): last month or the same month last year, or the
 * months the baseline has left when its standby ones are left out (migration 014) are too few for
 * it. Use coming back up to the occupied level (after season, within the band) is the home lived
 * in again, not a change to hold: recorded, not flagged.
 */
function backFromStandby(f: AccountFeatures, rules: ReviewRules, t: ClassThresholds, trigger: number, what: string, width: number, stake: number): boolean {
  const occupied = f.baseMaxKpd;
  if (t.vacancy_share <= 0 || occupied === null || occupied <= 0) return false;
  const usual = occupied * ref.peerBase;
  if (trigger >= t.vacancy_share * usual || dev(f.kpd, usual) > width) return false;
  add(rules, 'mom_kwh_per_day', true, stake,
    `kWh/day ${kwhDay(f.kpd)} vs ${what} ${kwhDay(trigger)} (${level(f.kpd / trigger)}), a standby level: the account's occupied months ` +
    `used ${kwhDay(usual)} after season; back in use after standing empty`);
  return true;
}

/** The amount moved although neither prices nor kWh explain it (demand, TOU split, wrong tariff). */
function amountChange(f: AccountFeatures, rules: ReviewRules, t: ClassThresholds): void {
  const prev = f.prevAmountMinor;
  if (prev === null || prev <= 0 || f.amountMinor <= 0 || f.pricePrevMinor === null || f.pricePrevMinor <= 0) return;
  const limit = Math.log(1 + t.amount_change);
  const total = Math.log(f.amountMinor / prev);
  if (Math.abs(total) <= limit || Math.abs(f.amountMinor - prev) < t.min_change_amount_minor) return;
  const volume = Math.log(f.pricePrevMinor / prev);
  const prices = total - volume;
  if (Math.abs(volume) <= limit) {
    // At last month's prices the amount stays in the band; worth a record only when prices did most of the moving.
    if (Math.abs(prices) > Math.abs(volume)) {
      add(rules, 'amount_change', true, Math.abs(f.amountMinor - prev),
        `amount ${money(prev)} → ${money(f.amountMinor)} (${pct(f.amountMinor / prev)}): prices ${pct(Math.exp(prices))}, ` +
        `use at last month's prices ${pct(Math.exp(volume))}: the price change explains it (tariff version or season)`);
    }
    return;
  }
  const prevKwh = f.prevKpd !== null && f.prevDays !== null ? f.prevKpd * f.prevDays : 0;
  if (prevKwh <= 0 || f.kwhMilli <= 0) return;
  const energy = Math.log(f.kwhMilli / prevKwh);
  if (Math.sign(energy) === Math.sign(volume) && Math.abs(energy) >= Math.abs(volume) / 2) return;
  const demand = f.demandMilli !== null && f.demandMedianMilli !== null && f.demandMedianMilli > 0
    ? `; demand ${kwhDay(f.demandMilli)} kW vs usual ${kwhDay(f.demandMedianMilli)}` : '';
  add(rules, 'amount_change', false, Math.abs(f.pricePrevMinor - prev),
    `amount ${money(prev)} → ${money(f.amountMinor)} (${pct(f.amountMinor / prev)}): at last month's prices ${pct(Math.exp(volume))} ` +
    `while kWh ${pct(Math.exp(energy))}${demand}: check demand, TOU split and tariff`);
}

function demandAndPowerFactor(f: AccountFeatures, rules: ReviewRules, t: ClassThresholds): void {
  // Once the kWh are flagged, demand judged against them would only repeat (and misplace) the blame.
  if (f.demandMilli !== null && f.demandMilli > 0 && f.kwhMilli > 0 && !raisedSoFar()) {
    // A catch-up bill's kWh were used over the whole span since the last actual read (the
    // estimates billed part of them): its own days' average load would be the span's crowded
    // into one period, above any honest maximum demand.
    const catchUp = (f.readFlags & EST_OPEN) !== 0 && f.estStreak > 0;
    const kpd = catchUp ? (f.estKwhMilli + f.kwhMilli) / (f.estDays + f.days) : f.kpd;
    const averageW = kpd / 24;
    const median = f.demandMedianMilli;
    if (f.demandMilli < averageW * 0.99) {
      add(rules, 'demand_change', false, f.amountMinor,
        `maximum demand ${kwhDay(f.demandMilli)} kW is below the average load ${kwhDay(averageW)} kW: the demand register is misread`);
    } else if (median !== null && median > 0) {
      // Like energy, demand is judged after what the peers' demand did (a heat wave lifts every peak).
      const d = Math.log(f.demandMilli / median / ref.peerDemand);
      const usual = usualKpd();
      const energy = Number.isNaN(usual) ? 0 : Math.log(kpd / usual);
      const unexplained = Math.sign(energy) !== Math.sign(d) || Math.abs(energy) < Math.abs(d) / 2;
      if (Math.abs(d) > Math.log(1 + t.demand_change) && unexplained) {
        add(rules, 'demand_change', false, Math.abs(f.demandMilli - median) / f.demandMilli * f.amountMinor,
          `maximum demand ${kwhDay(median)} → ${kwhDay(f.demandMilli)} kW (${times(f.demandMilli / median)}) vs the 12-period median, ${peerText(ref.peerDemand)}, ` +
          `while kWh/day ${Number.isNaN(usual) ? 'has no history' : pct(kpd / usual)}: demand register misread or a new load`);
      }
    }
  }
  if (f.pf !== null && f.pfMedian !== null && Math.abs(f.pf - f.pfMedian) > t.pf_change) {
    // A PF table moves the energy and demand charges by about half a percent per 0.01 of PF.
    add(rules, 'power_factor', false, f.amountMinor * 0.5 * Math.abs(f.pf - f.pfMedian),
      `power factor ${f.pf.toFixed(2)} vs the 12-period median ${f.pfMedian.toFixed(2)}: check the reactive register and the multiplier`);
  }
}
