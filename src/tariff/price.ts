// Pricing one account for one billing period: pure, exact, and cheap enough for the hot loop.
//
// The service period [startDay, endDay) is cut where tariff versions change; each segment is
// priced by its version with its share of the quantities (split.ts). Within a segment the charges
// come in a fixed order: fixed → energy → tier surcharge → demand → power-factor adjustment (on
// the energy and demand charges) → per-kWh funds → minimum top-ups → tax. Each charge is settled
// (rounded) as a whole, then its lines are appended, so the total is always the sum of the lines.
import { TOU_PERIODS } from '../../schemas/inputs.js';
import type { LineItem, PricedBill, PricingInput } from '../../schemas/bill.js';
import { isoDate } from '../calendar/index.js';
import {
  applyFraction, formatDecimal, type Fraction, roundHalfUpDiv, roundHalfUpDivBig, type ScaledRate, settleAmounts,
} from '../money/index.js';
import {
  type CompiledLine, type CompiledTariff, type CompiledVersion, type DemandPlan, ENERGY_FLAT, ENERGY_TIERS, PRORATE_DAYS_30, PRORATE_NONE,
  prorationKey, proratedLines, type SeasonPlan, type TierPlan,
} from './compile.js';
import { PricingError } from './errors.js';
import { powerFactorHundredths } from './power-factor.js';
import { splitByDays } from './split.js';
import { findVersion } from './versions.js';

/** Quantities of one version's share of the period. TOU arrays are in TOU_PERIODS order. */
interface Segment {
  version: CompiledVersion;
  days: number;
  kwh: number;
  /** kWh billed earlier in the year plus earlier segments': where this segment starts on annual tiers. */
  kwhBefore: number;
  hasTou: boolean;
  tou: number[];
  hasDemand: boolean;
  demand: number;
  hasTouDemand: boolean;
  touDemand: number[];
  hasContract: boolean;
  contract: number;
  /** Thousandths of a month: 1000 unless the period is split between versions. */
  monthMilli: number;
}

// Scratch state of the bill being priced. Pricing is synchronous and never re-entered, so one set
// per thread avoids allocating anything per call but the returned line items.
const charge = { lines: [] as CompiledLine[], rates: [] as ScaledRate[], quantities: [] as number[], amounts: [] as number[], count: 0 };
const bill = {
  lines: [] as LineItem[],
  tariffId: '',
  version: '',
  period: '',
  month: 1,
  monthDays: 30,
  perLine: false,
  // rounding: per_bill — the bill's exact running total: `whole` minor units plus `fraction` /
  // `divisor` (0 ≤ fraction < divisor, at the tariff's largest price scale), or `exactBig` in
  // units of 1 / divisor once past 2^53; and its rounded value so far.
  perBill: false,
  scale: 0,
  whole: 0,
  fraction: 0,
  exactBig: null as bigint | null,
  rounded: 0,
  divisor: 1,
  divisorBig: 1n,
  moneyMilli: 1,
  total: 0,
  segmentTotal: 0,
  preTaxTotal: 0,
  pfBase: 0,
  taxIncluded: 0,
  pfHundredths: -1,
  pfStandard: 0,
};
const single: Segment = {
  version: undefined as unknown as CompiledVersion,
  days: 0, kwh: 0, kwhBefore: 0,
  hasTou: false, tou: [0, 0, 0, 0],
  hasDemand: false, demand: 0,
  hasTouDemand: false, touDemand: [0, 0, 0, 0],
  hasContract: false, contract: 0,
  monthMilli: 1000,
};
// Effective bounds of the tier table being priced, and the bounds its labels show.
const effectiveBounds: number[] = [];
const labelBounds: number[] = [];
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function priceBill(tariff: CompiledTariff, input: PricingInput): PricedBill {
  const periodDays = input.endDay - input.startDay;
  if (!(periodDays > 0)) {
    throw new PricingError('empty_period',
      `the service period ${isoDate(input.startDay)} to ${isoDate(input.endDay)} has no days: the closing read must be after the opening read`);
  }
  checkQuantities(input);
  const month = (input.period.charCodeAt(5) - 48) * 10 + input.period.charCodeAt(6) - 48;

  charge.count = 0;
  const lines: LineItem[] = [];
  bill.lines = lines;
  bill.tariffId = tariff.id;
  bill.period = input.period;
  bill.month = month;
  bill.monthDays = month === 2 && isLeapYear(input.period) ? 29 : DAYS_IN_MONTH[month - 1]!;
  bill.perLine = tariff.perLine;
  bill.perBill = tariff.perBill;
  if (tariff.perBill) {
    bill.scale = tariff.billScale;
    bill.whole = 0;
    bill.fraction = 0;
    bill.exactBig = null;
    bill.rounded = 0;
    bill.divisorBig = 10n ** BigInt(3 + tariff.billScale - tariff.minorDigits);
    bill.divisor = Number(bill.divisorBig);
    if (!Number.isSafeInteger(bill.divisor)) bill.exactBig = 0n;
  }
  bill.moneyMilli = tariff.moneyMilli;
  bill.total = 0;
  bill.preTaxTotal = 0;
  bill.taxIncluded = 0;
  bill.pfHundredths = -1;
  if (tariff.usesPowerFactor && input.pfStandard !== null) {
    if (input.kvarhMilli === null) {
      throw new PricingError('missing_reactive',
        `tariff ${tariff.id} adjusts for power factor, but the account (PF standard ${input.pfStandard.toFixed(2)}) has no reactive energy (kvarh) reading`);
    }
    bill.pfHundredths = powerFactorHundredths(input.kwhMilli, input.kvarhMilli);
    bill.pfStandard = Math.round(input.pfStandard * 100);
  }

  const first = findVersion(tariff, input.startDay);
  if (!first) throw noVersion(tariff, input, input.startDay);
  let versions: string[];
  if (first.toDay >= input.endDay) {
    fillSingle(first, input, periodDays);
    priceSegment(single, input, month, periodDays, true);
    versions = [first.version];
  } else {
    const segments = splitSegments(tariff, input);
    for (let i = 0; i < segments.length; i++) priceSegment(segments[i]!, input, month, periodDays, i === segments.length - 1);
    versions = segments.map((s) => s.version.version);
  }
  return { currency: tariff.currency, lineItems: lines, totalMinor: bill.total, taxIncludedMinor: bill.taxIncluded, versions };
}

function isLeapYear(period: string): boolean {
  const year = Number(period.slice(0, 4));
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function checkQuantities(input: PricingInput): void {
  const negative = (what: string, milli: number, unit: string): PricingError => new PricingError('negative_quantity',
    `${what} is negative (${formatDecimal({ units: BigInt(milli), scale: 3 })} ${unit}): check the meter reads before billing`);
  if (input.kwhMilli < 0) throw negative('energy', input.kwhMilli, 'kWh');
  const tou = input.touKwhMilli;
  // Spelled out rather than looped over period names: this runs for every bill.
  if (tou && (tou.sharp < 0 || tou.peak < 0 || tou.flat < 0 || tou.valley < 0)) {
    const p = TOU_PERIODS.find((period) => tou[period] < 0)!;
    throw negative(`${p} energy`, tou[p], 'kWh');
  }
  if (input.demandMilli !== null && input.demandMilli < 0) throw negative('maximum demand', input.demandMilli, 'kW');
  const touDemand = input.touDemandMilli;
  if (touDemand && (touDemand.sharp < 0 || touDemand.peak < 0 || touDemand.flat < 0 || touDemand.valley < 0)) {
    const p = TOU_PERIODS.find((period) => touDemand[period] < 0)!;
    throw negative(`${p} demand`, touDemand[p], 'kW');
  }
  if (input.contractKva !== null && input.contractKva < 0) throw negative('contracted capacity', Math.round(input.contractKva * 1000), 'kVA');
}

function noVersion(tariff: CompiledTariff, input: PricingInput, day: number): PricingError {
  return new PricingError('no_version_in_force',
    `no version of tariff ${tariff.id} is in force on ${isoDate(day)} (service period ${isoDate(input.startDay)} to ${isoDate(input.endDay - 1)})`);
}

function fillSingle(version: CompiledVersion, input: PricingInput, periodDays: number): void {
  const s = single;
  s.version = version;
  s.days = periodDays;
  s.kwh = input.kwhMilli;
  s.kwhBefore = input.ytdKwhMilli;
  const tou = input.touKwhMilli;
  s.hasTou = tou !== null;
  if (tou) {
    s.tou[0] = tou.sharp;
    s.tou[1] = tou.peak;
    s.tou[2] = tou.flat;
    s.tou[3] = tou.valley;
  }
  s.hasDemand = input.demandMilli !== null;
  s.demand = input.demandMilli ?? 0;
  const touDemand = input.touDemandMilli;
  s.hasTouDemand = touDemand !== null;
  if (touDemand) {
    s.touDemand[0] = touDemand.sharp;
    s.touDemand[1] = touDemand.peak;
    s.touDemand[2] = touDemand.flat;
    s.touDemand[3] = touDemand.valley;
  }
  s.hasContract = input.contractKva !== null;
  s.contract = input.contractKva === null ? 0 : Math.round(input.contractKva * 1000);
  s.monthMilli = 1000;
}

/** Segments of a period that spans version changes, with every quantity split by days. */
function splitSegments(tariff: CompiledTariff, input: PricingInput): Segment[] {
  const versions: CompiledVersion[] = [];
  const days: number[] = [];
  for (let day = input.startDay; day < input.endDay;) {
    const version = findVersion(tariff, day);
    if (!version) throw noVersion(tariff, input, day);
    const end = Math.min(input.endDay, version.toDay);
    versions.push(version);
    days.push(end - day);
    day = end;
  }
  const split = (total: number | null | undefined): number[] => (total == null ? days.map(() => 0) : splitByDays(total, days));
  const kwh = split(input.kwhMilli);
  const tou = TOU_PERIODS.map((p) => split(input.touKwhMilli?.[p]));
  const demand = split(input.demandMilli);
  const touDemand = TOU_PERIODS.map((p) => split(input.touDemandMilli?.[p]));
  const contract = split(input.contractKva === null ? null : Math.round(input.contractKva * 1000));
  const month = split(1000);
  let before = input.ytdKwhMilli;
  return versions.map((version, i) => {
    const segment: Segment = {
      version,
      days: days[i]!,
      kwh: kwh[i]!,
      kwhBefore: before,
      hasTou: input.touKwhMilli !== null,
      tou: tou.map((parts) => parts[i]!),
      hasDemand: input.demandMilli !== null,
      demand: demand[i]!,
      hasTouDemand: input.touDemandMilli !== null,
      touDemand: touDemand.map((parts) => parts[i]!),
      hasContract: input.contractKva !== null,
      contract: contract[i]!,
      monthMilli: month[i]!,
    };
    before += kwh[i]!;
    return segment;
  });
}

function priceSegment(s: Segment, input: PricingInput, month: number, periodDays: number, last: boolean): void {
  const v = s.version;
  const plan = v.seasons[v.seasonOfMonth[month - 1]!]!;
  bill.version = v.version;
  bill.segmentTotal = 0;
  bill.pfBase = 0;

  const fixed = plan.fixed;
  for (let i = 0; i < fixed.length; i++) {
    add(fixed[i]!, plan.fixedPerDay[i] ? s.days * 1000 : s.monthMilli);
    settle();
  }

  if (plan.energyKind === ENERGY_FLAT) add(plan.flat!, s.kwh);
  else if (plan.energyKind === ENERGY_TIERS) addTiers(plan.tiers!, s.kwh, s, input, periodDays);
  else addTou(plan, s, v);
  settle();
  if (plan.tierSurcharge) {
    addTiers(plan.tierSurcharge, s.kwh, s, input, periodDays);
    settle();
  }
  if (plan.demand) priceDemand(plan.demand, s, input, periodDays);

  if (v.pf !== null && bill.pfHundredths >= 0) {
    const table = v.pf.get(bill.pfStandard);
    if (!table) {
      throw new PricingError('pf_standard_unsupported',
        `tariff version ${v.version} has no power-factor table for the account's standard ${(bill.pfStandard / 100).toFixed(2)} (tables: 0.90, 0.85, 0.80)`);
    }
    const line = table[bill.pfHundredths];
    if (line && bill.pfBase !== 0) {
      add(line, bill.pfBase * bill.moneyMilli);
      settle();
    }
  }

  const funds = plan.funds;
  for (let i = 0; i < funds.length; i++) {
    add(funds[i]!, s.kwh);
    settle();
  }

  if (v.minimumMonthlyMinor > 0) {
    const minimum = s.days === periodDays ? v.minimumMonthlyMinor : prorateAmount(v.minimumMonthly, s.days, periodDays);
    const shortfall = minimum - bill.segmentTotal;
    if (shortfall > 0) {
      add(v.minimumLine, shortfall * bill.moneyMilli);
      settle();
    }
  }
  // The annual minimum is settled in the bill whose billing month is December, against everything
  // billed that year (ytdAmountMinor) plus this bill before tax.
  if (last && month === 12 && v.minimumAnnualMinor > 0) {
    const shortfall = v.minimumAnnualMinor - (input.ytdAmountMinor + bill.preTaxTotal + bill.segmentTotal);
    if (shortfall > 0) {
      add(v.annualMinimumLine, shortfall * bill.moneyMilli);
      settle();
    }
  }
  bill.preTaxTotal += bill.segmentTotal;

  const tax = v.tax;
  if (tax) {
    if (tax.added) {
      add(tax.line, bill.segmentTotal * bill.moneyMilli);
      settle();
    } else {
      bill.taxIncluded += applyFraction(bill.segmentTotal, tax.included);
    }
  }
}

/** An exact amount (fraction of minor units) × days / periodDays, rounded half-up. */
function prorateAmount(amount: Fraction, days: number, periodDays: number): number {
  const n = amount.units * days;
  const d = amount.divisor * periodDays;
  if (Number.isSafeInteger(n) && Number.isSafeInteger(d)) return roundHalfUpDiv(n, d);
  return Number(roundHalfUpDivBig(amount.unitsBig * BigInt(days), amount.divisorBig * BigInt(periodDays)));
}

function addTou(plan: SeasonPlan, s: Segment, v: CompiledVersion): void {
  const lines = plan.tou!;
  if (!s.hasTou) {
    throw new PricingError('missing_tou',
      `tariff version ${v.version} prices energy by time of use, but the account has no TOU readings (registers or interval data)`);
  }
  for (let p = 0; p < 4; p++) {
    const quantity = s.tou[p]!;
    if (quantity === 0) continue;
    const line = lines[p];
    if (!line) throw periodNotPriced(plan, v, TOU_PERIODS[p]!, 'energy', quantity, 'kWh');
    add(line, quantity);
  }
}

function priceDemand(plan: DemandPlan, s: Segment, input: PricingInput, periodDays: number): void {
  const v = s.version;
  if (plan.tou) {
    if (!s.hasTouDemand) {
      throw new PricingError('missing_tou_demand',
        `tariff version ${v.version} charges demand per TOU period, but the account has no demand per period (interval data)`);
    }
    for (let p = 0; p < 4; p++) {
      const quantity = s.touDemand[p]!;
      if (quantity === 0) continue;
      const tiers = plan.tou[p];
      if (!tiers) throw periodNotPriced(v.seasons[v.seasonOfMonth[bill.month - 1]!]!, v, TOU_PERIODS[p]!, 'demand', quantity, 'kW');
      addTiers(tiers, quantity, s, input, periodDays);
      settle();
    }
    return;
  }
  if (plan.useMax && (s.hasDemand || !plan.useContract)) {
    if (!s.hasDemand) {
      throw new PricingError('missing_demand', `tariff version ${v.version} charges maximum demand, but the account has no demand (kW) reading`);
    }
    let normal = s.demand;
    let excess = 0;
    if (plan.penalty && s.hasContract) {
      const threshold = applyFraction(s.contract, plan.penalty.above);
      if (normal > threshold) {
        excess = normal - threshold;
        normal = threshold;
      }
    }
    addTiers(plan.max!, normal, s, input, periodDays);
    settle();
    if (excess > 0) {
      add(plan.penalty!.line, excess);
      settle();
    }
    return;
  }
  if (!s.hasContract) {
    throw new PricingError('missing_contract',
      `tariff version ${v.version} charges contracted capacity, but the account has no contracted capacity (kVA)`);
  }
  add(plan.contract!, s.contract);
  settle();
}

/**
 * A period with quantity but no price in the season the billing month picked. With interval data
 * this happens when the period's days reach into another season's months: the schedule classifies
 * each interval by its own date, the season follows the billing month.
 */
function periodNotPriced(plan: SeasonPlan, v: CompiledVersion, period: string, what: string, quantity: number, unit: string): PricingError {
  const season = plan.season ? `season ${plan.season} (picked by the billing month ${bill.period} for the whole bill)` : 'it';
  const how = plan.season
    ? '; the TOU schedule classifies each interval by its own date, so days in another season\'s months can bring periods this season does not price'
    : '';
  return new PricingError('tou_period_not_priced',
    `the account has ${formatDecimal({ units: BigInt(quantity), scale: 3 })} ${unit} of ${period} ${what}, but tariff version ${v.version} has no ${period}${what === 'demand' ? ' demand' : ''} price in ${season}${how}`);
}

/** The period's maximum demand, which kWh-per-kW bounds multiply. */
function peakDemand(s: Segment): number {
  if (s.hasDemand) return s.demand;
  if (s.hasTouDemand) return Math.max(s.touDemand[0]!, s.touDemand[1]!, s.touDemand[2]!, s.touDemand[3]!);
  throw new PricingError('missing_demand',
    `tariff version ${s.version.version} has tier bounds in kWh per kW, but the account has no maximum demand (kW)`);
}

/**
 * Fills effectiveBounds with the table's bounds for this segment, in Wh: per day × days; monthly
 * bounds × the segment's days / the proration divisor (30, the billing month's days, or the
 * period's days when a version change splits it); kWh per kW × the segment's demand. A table
 * mixing units caps each bound by every later one. Returns the lines to use (prorated labels).
 */
function tierBounds(plan: TierPlan, variant: TierPlan['base'], s: Segment, periodDays: number): readonly CompiledLine[] {
  const raw = variant.bounds;
  const perKw = variant.perKw;
  const n = raw.length;
  const prorated = plan.prorate !== PRORATE_NONE && plan.basis === 'month';
  const divisor = !prorated ? periodDays : plan.prorate === PRORATE_DAYS_30 ? 30 : bill.monthDays;
  const scaled = prorated || s.days !== periodDays;
  const demand = perKw === null ? 0 : peakDemand(s);
  for (let i = 0; i < n; i++) {
    const bound = raw[i]!;
    let b = bound;
    if (bound === Number.POSITIVE_INFINITY) b = bound;
    else if (perKw !== null && perKw[i]) b = roundHalfUpDiv(bound * demand, 1000) * (plan.basis === 'day' ? s.days : 1);
    else if (plan.basis === 'day') b = bound * s.days;
    else if (plan.basis === 'month' && scaled) b = roundHalfUpDiv(bound * s.days, divisor);
    effectiveBounds[i] = b;
    if (prorated) labelBounds[i] = perKw !== null && perKw[i] ? bound : b;
  }
  if (perKw !== null) {
    for (let i = n - 2; i >= 0; i--) if (effectiveBounds[i + 1]! < effectiveBounds[i]!) effectiveBounds[i] = effectiveBounds[i + 1]!;
  }
  return prorated ? proratedLines(variant, prorationKey(s.days, divisor), labelBounds) : variant.lines;
}

function addTiers(plan: TierPlan, quantity: number, s: Segment, input: PricingInput, periodDays: number): void {
  const variant = plan.bonus !== null && input.householdSize !== null && input.householdSize >= plan.minMembers ? plan.bonus : plan.base;
  let lines = variant.lines;
  let bounds: readonly number[] = variant.bounds;
  // Most tables price a whole period by their written bounds: no copy then.
  if (variant.perKw !== null || plan.prorate !== PRORATE_NONE || plan.basis === 'day' || (plan.basis === 'month' && s.days !== periodDays)) {
    lines = tierBounds(plan, variant, s, periodDays);
    bounds = effectiveBounds;
  }
  const offset = plan.basis === 'year' ? s.kwhBefore : 0;
  const end = offset + quantity;
  if (plan.volume) {
    for (let i = 0; i < lines.length; i++) {
      if (end <= bounds[i]!) {
        if (!(plan.skipZeroRates && lines[i]!.rate.units === 0)) add(lines[i]!, quantity);
        return;
      }
    }
    return;
  }
  let lower = 0;
  for (let i = 0; i < lines.length; i++) {
    const upper = bounds[i]!;
    const from = offset > lower ? offset : lower;
    const to = end < upper ? end : upper;
    if (to > from && !(plan.skipZeroRates && lines[i]!.rate.units === 0)) add(lines[i]!, to - from);
    if (upper >= end) return;
    lower = upper;
  }
}

function add(line: CompiledLine, quantity: number): void {
  if (quantity === 0) return;
  const i = charge.count++;
  charge.lines[i] = line;
  charge.rates[i] = line.rate;
  charge.quantities[i] = quantity;
}

/** Rounds the charge gathered by add() and appends its lines to the bill. */
function settle(): void {
  const n = charge.count;
  if (n === 0) return;
  charge.count = 0;
  if (bill.perBill) settleIntoBill(n);
  else settleAmounts(charge.quantities, charge.rates, n, bill.perLine, charge.amounts);
  for (let i = 0; i < n; i++) {
    const line = charge.lines[i]!;
    const amount = charge.amounts[i]!;
    bill.lines.push({
      component: line.component,
      label: line.label,
      unit: line.unit,
      quantityMilli: charge.quantities[i]!,
      rate: line.rate.text,
      amountMinor: amount,
      tariffId: bill.tariffId,
      tariffVersion: bill.version,
    });
    bill.total += amount;
    bill.segmentTotal += amount;
    if (line.pfBase) bill.pfBase += amount;
  }
}

/**
 * rounding: per_bill. Each line's exact amount joins the bill's exact running total; its amount
 * is the change of that total rounded half-up, so the lines add up to the exact bill rounded once.
 * A line's exact amount is split into whole minor units and a remainder below one, and only the
 * remainders are summed at the common scale: that stays within safe integers where a sum at the
 * largest scale would not.
 */
function settleIntoBill(n: number): void {
  const divisor = bill.divisor;
  for (let i = 0; i < n; i++) {
    const rate = charge.rates[i]!;
    const quantity = charge.quantities[i]!;
    let rounded: number;
    if (bill.exactBig === null) {
      const product = quantity * rate.units;
      const lineDivisor = rate.divisor;
      if (Number.isSafeInteger(product) && lineDivisor === lineDivisor) {
        let whole = Math.floor(product / lineDivisor);
        let rest = product - whole * lineDivisor;
        if (rest < 0) {
          whole--;
          rest += lineDivisor;
        } else if (rest >= lineDivisor) {
          whole++;
          rest -= lineDivisor;
        }
        bill.whole += whole;
        bill.fraction += rest * POW10[bill.scale - rate.scale]!;
        if (bill.fraction >= divisor) {
          bill.whole++;
          bill.fraction -= divisor;
        }
        // Half away from zero, as roundHalfUpDiv: a negative total rounds up only past the half.
        const twice = bill.fraction * 2;
        rounded = bill.whole + (bill.whole >= 0 ? (twice >= divisor ? 1 : 0) : (twice > divisor ? 1 : 0));
        charge.amounts[i] = rounded - bill.rounded;
        bill.rounded = rounded;
        continue;
      }
      bill.exactBig = BigInt(bill.whole) * bill.divisorBig + BigInt(bill.fraction);
    }
    bill.exactBig += BigInt(quantity) * rate.unitsBig * 10n ** BigInt(bill.scale - rate.scale);
    rounded = Number(roundHalfUpDivBig(bill.exactBig, bill.divisorBig));
    charge.amounts[i] = rounded - bill.rounded;
    bill.rounded = rounded;
  }
}
