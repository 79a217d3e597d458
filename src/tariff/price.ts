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
import { applyFraction, formatDecimal, roundHalfUpDiv, type ScaledRate, settleAmounts } from '../money/index.js';
import {
  type CompiledLine, type CompiledTariff, type CompiledVersion, type DemandPlan, ENERGY_FLAT, ENERGY_TIERS, type TierPlan,
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
  perLine: false,
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
  bill.perLine = tariff.perLine;
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
  for (let i = 0; i < fixed.length; i++) add(fixed[i]!, plan.fixedPerDay[i] ? s.days * 1000 : s.monthMilli);
  settle();

  if (plan.energyKind === ENERGY_FLAT) add(plan.flat!, s.kwh);
  else if (plan.energyKind === ENERGY_TIERS) addTiers(plan.tiers!, s.kwh, s, input, periodDays);
  else addTou(plan.tou!, s, v);
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
  for (let i = 0; i < funds.length; i++) add(funds[i]!, s.kwh);
  settle();

  if (v.minimumMonthlyMinor > 0) {
    const minimum = s.days === periodDays ? v.minimumMonthlyMinor : roundHalfUpDiv(v.minimumMonthlyMinor * s.days, periodDays);
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

function addTou(lines: readonly (CompiledLine | null)[], s: Segment, v: CompiledVersion): void {
  if (!s.hasTou) {
    throw new PricingError('missing_tou',
      `tariff version ${v.version} prices energy by time of use, but the account has no TOU readings (registers or interval data)`);
  }
  for (let p = 0; p < 4; p++) {
    const quantity = s.tou[p]!;
    if (quantity === 0) continue;
    const line = lines[p];
    if (!line) {
      throw new PricingError('tou_period_not_priced',
        `the account has ${TOU_PERIODS[p]} energy, but tariff version ${v.version} has no ${TOU_PERIODS[p]} price`);
    }
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
      if (!tiers) {
        throw new PricingError('tou_period_not_priced',
          `the account has ${TOU_PERIODS[p]} demand, but tariff version ${v.version} has no ${TOU_PERIODS[p]} demand price`);
      }
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

function boundAt(plan: TierPlan, bound: number, s: Segment, periodDays: number): number {
  if (bound === Number.POSITIVE_INFINITY) return bound;
  if (plan.basis === 'day') return bound * s.days;
  if (plan.basis === 'month' && s.days !== periodDays) return roundHalfUpDiv(bound * s.days, periodDays);
  return bound;
}

function addTiers(plan: TierPlan, quantity: number, s: Segment, input: PricingInput, periodDays: number): void {
  const variant = plan.bonus !== null && input.householdSize !== null && input.householdSize >= plan.minMembers ? plan.bonus : plan.base;
  const bounds = variant.bounds;
  const lines = variant.lines;
  const offset = plan.basis === 'year' ? s.kwhBefore : 0;
  const end = offset + quantity;
  if (plan.volume) {
    for (let i = 0; i < lines.length; i++) {
      if (end <= boundAt(plan, bounds[i]!, s, periodDays)) {
        if (!(plan.skipZeroRates && lines[i]!.rate.units === 0)) add(lines[i]!, quantity);
        return;
      }
    }
    return;
  }
  let lower = 0;
  for (let i = 0; i < lines.length; i++) {
    const upper = boundAt(plan, bounds[i]!, s, periodDays);
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
  settleAmounts(charge.quantities, charge.rates, n, bill.perLine, charge.amounts);
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
