// The review rules over one account's features. Runs in the billing workers' hot loop for every
// account, so: no closures, no regexes, no allocation unless a rule fires (a reason string and a
// flag object then); most accounts return the shared empty list.
//
// How a usage change is judged: the current kWh/day is compared with up to three references,
// each moved by what the peer group (class × region, measured reads) did this period —
//   M  last month × the peers' month-over-month change,
//   Y  the same month last year × the peers' year-over-year change,
//   B  the median of the account's last 12 periods × the peers' level against their medians.
// M is the trigger (something changed now); Y and B must see the change too, so a seasonal swing
// (Y says normal), a return from a vacancy (Y and B say normal) or a level that has held for
// months (M says normal: it was flagged when it began) does not flag. Without a usable last month
// Y (else B) is the trigger.
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

/** What this evaluation compares against; kept in module state so the hot loop allocates nothing. */
const ref = {
  peerMom: 1, peerYoy: 1, peerBase: 1,
  /** 'region' | 'class' | '' (no peer data). */
  peerScope: '',
  M: NaN, Y: NaN, B: NaN,
  /** Minor units per Wh, from a normal bill (last month's if there is one). */
  unitPrice: 0,
};

function prepare(f: AccountFeatures, t: ClassThresholds): void {
  const region = f.peerN >= t.min_peers;
  const usable = region || f.classN >= t.min_peers;
  ref.peerScope = usable ? (region ? 'region' : 'class') : '';
  ref.peerMom = (usable ? (region ? f.peerMom : f.classMom) : null) ?? 1;
  ref.peerYoy = (usable ? (region ? f.peerYoy : f.classYoy) : null) ?? 1;
  ref.peerBase = (usable ? (region ? f.peerBase : f.classBase) : null) ?? 1;
  ref.B = f.baseN >= t.min_baseline_periods && f.baseMedianKpd !== null && f.baseMedianKpd > 0 ? f.baseMedianKpd * ref.peerBase : NaN;
  ref.Y = f.yoyKpd !== null && f.yoyKpd > 0 ? f.yoyKpd * ref.peerYoy : NaN;
  ref.M = f.prevKpd !== null && f.prevKpd > 0 ? f.prevKpd * ref.peerMom : NaN;
  const prevWh = f.prevKpd !== null && f.prevDays !== null ? f.prevKpd * f.prevDays : 0;
  const yoyWh = f.yoyKpd !== null ? f.yoyKpd * f.days : 0;
  ref.unitPrice = f.prevAmountMinor !== null && f.prevAmountMinor > 0 && prevWh > 0 ? f.prevAmountMinor / prevWh
    : f.yoyAmountMinor !== null && f.yoyAmountMinor > 0 && yoyWh > 0 ? f.yoyAmountMinor / yoyWh
      : f.kwhMilli > 0 && f.amountMinor > 0 ? f.amountMinor / f.kwhMilli : 0;
}

/** The account's usual kWh/day this period, best reference first; NaN when it has no history. */
function usualKpd(): number {
  if (!Number.isNaN(ref.B)) return ref.B;
  if (!Number.isNaN(ref.Y)) return ref.Y;
  return ref.M;
}

function peerText(ratio: number): string {
  return ref.peerScope ? `${ref.peerScope} peers ${pct(ratio)}` : 'no peer data';
}

/** Log-ratio of kWh/day `kpd` to reference `r` (NaN without a reference). */
const dev = (kpd: number, r: number): number => Math.log(kpd / r);

/** Whether kWh/day `kpd` is within ×(1+limit) either way of reference `r`. */
function near(kpd: number, r: number, limit: number): boolean {
  return !Number.isNaN(r) && Math.abs(dev(kpd, r)) <= Math.log(1 + limit);
}

/** Whether kWh/day `kpd` is beyond `share` of ×(1+limit) from reference `r` in direction `sign`. */
function exceeds(kpd: number, r: number, limit: number, sign: number, share: number): boolean {
  return !Number.isNaN(r) && dev(kpd, r) * sign > share * Math.log(1 + limit);
}

/** Whether reference `r` sees the change too, beyond its own band (a missing reference does not object). */
function confirms(kpd: number, r: number, limit: number, sign: number): boolean {
  return Number.isNaN(r) || exceeds(kpd, r, limit, sign, 1);
}

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
  const flags = found ?? (NO_FLAGS as Flag[]);
  found = null;
  return flags;
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
  // Any usage history counts for what the period should have shown, even too short to compare with.
  const usual = Number.isNaN(usualKpd()) && f.baseMedianKpd !== null && f.baseMedianKpd > 0 ? f.baseMedianKpd : usualKpd();
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
    const gap = Number.isNaN(usual) ? '' : ` vs usual ${kwhDay(usual)}`;
    add(rules, 'estimated_streak', false, Number.isNaN(usual) ? f.amountMinor : Math.abs(usual - spanKpd) * spanDays * ref.unitPrice,
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

/** The first actual read after estimates: the bill carries what the estimates missed. */
function catchUp(f: AccountFeatures, rules: ReviewRules, t: ClassThresholds): void {
  const spanDays = f.estDays + f.days;
  const spanKpd = (f.estKwhMilli + f.kwhMilli) / spanDays;
  const estKpd = f.estDays > 0 ? f.estKwhMilli / f.estDays : 0;
  // References for the whole span: the last actual period before the estimates; the 12-period
  // median moved by the season only for this period's share of the span (earlier months' peers are
  // not known here); this month last year. The span is explained when any of them agrees.
  const A = f.lastActualKpd !== null && f.lastActualKpd > 0 ? f.lastActualKpd : NaN;
  const B = Number.isNaN(ref.B) ? NaN : (f.baseMedianKpd! * (f.days * ref.peerBase + f.estDays)) / spanDays;
  const limit = t.baseline_change;
  const usual = Number.isNaN(B) ? A : B;
  if (!Number.isNaN(usual) && !near(spanKpd, A, limit) && !near(spanKpd, B, limit) && !near(spanKpd, ref.Y, limit)) {
    if (Math.abs(spanKpd - usual) * spanDays < t.min_change_kwh * 1000) return;
    if (spanKpd < usual && spanKpd < t.vacancy_share * usual) {
      add(rules, 'mom_kwh_per_day', true, (usual - spanKpd) * spanDays * ref.unitPrice,
        `kWh/day ${kwhDay(spanKpd)} over ${f.estStreak} estimated period(s) and this one vs usual ${kwhDay(usual)} (${Math.round((100 * spanKpd) / usual)}%): ` +
        'standby load only, looks like a vacant home');
      return;
    }
    const last = Number.isNaN(A) ? '' : `, last actual ${kwhDay(A)}`;
    add(rules, 'mom_kwh_per_day', false, Math.abs(spanKpd - usual) * spanDays * ref.unitPrice,
      `kWh/day ${kwhDay(spanKpd)} over ${f.estStreak} estimated period(s) and this one vs usual ${kwhDay(usual)} (${times(spanKpd / usual)})${last}: ` +
      `more than a catch-up, ${causeHint(spanKpd / usual)}`);
    return;
  }
  const excess = f.kwhMilli - spanKpd * f.days;
  if (excess >= t.catch_up_share * f.kwhMilli && excess >= t.min_change_kwh * 1000) {
    add(rules, 'estimate_catch_up', false, excess * ref.unitPrice,
      `catch-up after ${f.estStreak} estimated read(s): they billed ${kwhDay(estKpd)} kWh/day, the meter shows ${kwhDay(spanKpd)} over ${spanDays} days; ` +
      `this bill carries ${kwh(excess)} kWh (${Math.round((100 * excess) / f.kwhMilli)}%) the estimates missed`);
  } else if (f.prevKpd !== null && f.prevKpd > 0 && exceeds(f.kpd, f.prevKpd, t.mom_change, 1, 1)) {
    add(rules, 'mom_kwh_per_day', true, excess * ref.unitPrice,
      `kWh/day ${kwhDay(f.prevKpd)} → ${kwhDay(f.kpd)} vs last month's estimate: catch-up of the estimates' shortfall ` +
      `(${kwhDay(spanKpd)} kWh/day over ${spanDays} days), not a spike`);
  }
}

/** Month-over-month change, confirmed by last year and the baseline; year-over-year without a last month. */
function usageChange(f: AccountFeatures, rules: ReviewRules, t: ClassThresholds): void {
  const minWh = t.min_change_kwh * 1000;
  const kpd = f.kpd;
  const { M, Y, B } = ref;
  if (Number.isNaN(M)) {
    yearOverYear(f, rules, t);
    return;
  }
  const sign = Math.sign(kpd - M);
  const changeWh = Math.abs(kpd - M) * f.days;
  const prev = f.prevKpd!;
  // With nothing to confirm it, a change must be twice as large.
  const alone = Number.isNaN(Y) && Number.isNaN(B) ? 2 : 1;
  if (sign !== 0 && exceeds(kpd, M, t.mom_change, sign, alone) && changeWh >= minWh) {
    const yoyAgrees = confirms(kpd, Y, t.yoy_change, sign);
    const baseAgrees = confirms(kpd, B, t.baseline_change, sign);
    if (!yoyAgrees || !baseAgrees) {
      const against = !yoyAgrees
        ? `same month last year ${kwhDay(f.yoyKpd!)} (${pct(kpd / Y)} after peers)`
        : `the 12-period median ${kwhDay(f.baseMedianKpd!)} (${pct(kpd / B)} after season)`;
      add(rules, 'mom_kwh_per_day', true, changeWh * ref.unitPrice,
        `kWh/day ${kwhDay(prev)} → ${kwhDay(kpd)} (${times(kpd / prev)}) vs last month, but in line with ${against}: last month was the unusual one`);
      return;
    }
    if (vacancy(f, rules, t, 'mom_kwh_per_day', sign, Number.isNaN(B) ? (Number.isNaN(Y) ? M : Y) : B)) return;
    const history = !Number.isNaN(Y) ? `; last year ${kwhDay(f.yoyKpd!)}` : !Number.isNaN(B) ? `; 12-period median ${kwhDay(f.baseMedianKpd!)}` : '';
    add(rules, 'mom_kwh_per_day', false, changeWh * ref.unitPrice,
      `kWh/day ${kwhDay(prev)} → ${kwhDay(kpd)} (${times(kpd / prev)}) vs last month; ${peerText(ref.peerMom)}${history}; ${causeHint(kpd / M)}${eventNote(f.readFlags)}`);
    return;
  }
  // The peers made the difference: record why a raw change of this size did not flag.
  const rawSign = Math.sign(kpd - prev);
  if (rawSign !== 0 && exceeds(kpd, prev, t.mom_change, rawSign, 1) && Math.abs(kpd - prev) * f.days >= minWh
    && Math.abs(Math.log(ref.peerMom)) > Math.log(1 + t.mom_change) / 2) {
    add(rules, 'mom_kwh_per_day', true, Math.abs(kpd - prev) * f.days * ref.unitPrice,
      `kWh/day ${kwhDay(prev)} → ${kwhDay(kpd)} (${pct(kpd / prev)}) vs last month, but ${peerText(ref.peerMom)}: the whole group moved (weather or season)`);
  }
}

/**
 * Without a last month to compare with (none, or it was not a positive reading), the same month
 * last year is the trigger, else the 12-period median; the other must see the change too.
 */
function yearOverYear(f: AccountFeatures, rules: ReviewRules, t: ClassThresholds): void {
  const kpd = f.kpd;
  const { Y, B } = ref;
  const onYoy = !Number.isNaN(Y);
  const trigger = onYoy ? Y : B;
  if (Number.isNaN(trigger)) return;
  const sign = Math.sign(kpd - trigger);
  if (sign === 0 || !exceeds(kpd, trigger, onYoy ? t.yoy_change : t.baseline_change, sign, 1)
    || Math.abs(kpd - trigger) * f.days < t.min_change_kwh * 1000) return;
  if (onYoy && !confirms(kpd, B, t.baseline_change, sign)) return;
  if (vacancy(f, rules, t, 'yoy_kwh_per_day', sign, Number.isNaN(B) ? trigger : B)) return;
  const against = onYoy
    ? `kWh/day ${kwhDay(f.yoyKpd!)} → ${kwhDay(kpd)} (${times(kpd / f.yoyKpd!)}) vs same month last year; ${peerText(ref.peerYoy)}`
    : `kWh/day ${kwhDay(kpd)} vs the 12-period median ${kwhDay(f.baseMedianKpd!)} (${times(kpd / B)} after season)`;
  add(rules, 'yoy_kwh_per_day', false, Math.abs(kpd - trigger) * f.days * ref.unitPrice,
    `${against}; no usable last month to compare; ${causeHint(kpd / trigger)}${eventNote(f.readFlags)}`);
}

/** A drop to standby level (not to zero) on a class where premises stand empty: recorded, not flagged. */
function vacancy(f: AccountFeatures, rules: ReviewRules, t: ClassThresholds, ruleId: RuleId, sign: number, usual: number): boolean {
  if (sign >= 0 || f.kpd >= t.vacancy_share * usual) return false;
  add(rules, ruleId, true, (usual - f.kpd) * f.days * ref.unitPrice,
    `kWh/day ${kwhDay(f.kpd)} vs usual ${kwhDay(usual)} (${Math.round((100 * f.kpd) / usual)}%): standby load only, looks like a vacant home`);
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
    const averageW = f.kpd / 24;
    const median = f.demandMedianMilli;
    if (f.demandMilli < averageW * 0.99) {
      add(rules, 'demand_change', false, f.amountMinor,
        `maximum demand ${kwhDay(f.demandMilli)} kW is below the average load ${kwhDay(averageW)} kW: the demand register is misread`);
    } else if (median !== null && median > 0) {
      const d = Math.log(f.demandMilli / median);
      const usual = usualKpd();
      const energy = Number.isNaN(usual) ? 0 : Math.log(f.kpd / usual);
      const unexplained = Math.sign(energy) !== Math.sign(d) || Math.abs(energy) < Math.abs(d) / 2;
      if (Math.abs(d) > Math.log(1 + t.demand_change) && unexplained) {
        add(rules, 'demand_change', false, Math.abs(f.demandMilli - median) / f.demandMilli * f.amountMinor,
          `maximum demand ${kwhDay(median)} → ${kwhDay(f.demandMilli)} kW (${times(f.demandMilli / median)}) vs the 12-period median ` +
          `while kWh/day ${Number.isNaN(usual) ? 'has no history' : pct(f.kpd / usual)}: demand register misread or a new load`);
      }
    }
  }
  if (f.pf !== null && f.pfMedian !== null && Math.abs(f.pf - f.pfMedian) > t.pf_change) {
    // A PF table moves the energy and demand charges by about half a percent per 0.01 of PF.
    add(rules, 'power_factor', false, f.amountMinor * 0.5 * Math.abs(f.pf - f.pfMedian),
      `power factor ${f.pf.toFixed(2)} vs the 12-period median ${f.pfMedian.toFixed(2)}: check the reactive register and the multiplier`);
  }
}
