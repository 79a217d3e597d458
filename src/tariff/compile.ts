// Policy → CompiledTariff: every price, bound and label the bill run needs, computed once per
// policy so pricing an account only adds and multiplies integers. Labels, units and rate texts
// are all made here, which keeps the set of distinct line-item dimensions small and fixed per
// policy (the store dictionary-encodes them).
import { TOU_PERIODS } from '../../schemas/inputs.js';
import type { LineComponent } from '../../schemas/bill.js';
import {
  type Block, type Demand, type DemandPrice, PF_STANDARD_KEYS, type PowerFactor, type SeasonalAmount, type TariffPolicy,
  type TariffVersion, type TierTable,
} from '../../schemas/tariff.js';
import { epochDay } from '../calendar/index.js';
import {
  add, applyFraction, type Decimal, decimalFraction, decimalOf, formatDecimal, type Fraction, fractionOf, minorDigits, minorToMilli,
  multiply, ONE, type ScaledRate, scaledRate, toMilli, unitsAtScale, ZERO,
} from '../money/index.js';
import { PricingError } from './errors.js';
import { expandPfTable } from './power-factor.js';
import { formatProblem } from './problems.js';
import { buildScheduleGrid, holidayDays } from './schedule.js';
import { inSeason, inSeasonIfGiven, seasonIndex } from './seasons.js';
import { resolveTouRates } from './tou-rates.js';
import { validatePolicy } from './validate.js';

export interface CompiledLine {
  readonly component: LineComponent;
  readonly label: string;
  readonly unit: string;
  /** Lines of one charge share a scale, so their exact amounts can be summed before rounding. */
  readonly rate: ScaledRate;
  /** Part of the power-factor adjustment's base (energy and demand charges). */
  readonly pfBase: boolean;
}

/** Blocks of a tier table for one season and household size. */
export interface TierVariant {
  /**
   * Upper bounds in thousandths of the basis unit (of kWh per kW where `perKw[i]`); the last is
   * +Infinity. Ascending among bounds of one unit; a table mixing units is capped at price time.
   */
  readonly bounds: readonly number[];
  /** Which bounds are kWh per kW of maximum demand; null when none is. */
  readonly perKw: readonly boolean[] | null;
  readonly lines: readonly CompiledLine[];
  /** Block names without their ranges, and the bound unit, for labels of prorated bounds. */
  readonly names: readonly string[];
  readonly boundUnit: string;
  /** Lines labelled with prorated bounds, by prorationKey(): made once per day count, then reused. */
  readonly prorated: Map<number, readonly CompiledLine[]>;
}

export const PRORATE_NONE = 0;
export const PRORATE_DAYS_30 = 1;
export const PRORATE_DAYS_IN_MONTH = 2;

export interface TierPlan {
  readonly volume: boolean;
  readonly basis: 'month' | 'day' | 'year';
  readonly prorate: typeof PRORATE_NONE | typeof PRORATE_DAYS_30 | typeof PRORATE_DAYS_IN_MONTH;
  readonly base: TierVariant;
  /** Raised bounds for households with at least `minMembers` members. */
  readonly bonus: TierVariant | null;
  readonly minMembers: number;
  /** A surcharge table's zero-priced first block adds nothing worth a line. */
  readonly skipZeroRates: boolean;
}

export interface DemandPlan {
  readonly useMax: boolean;
  readonly useContract: boolean;
  readonly max: TierPlan | null;
  readonly contract: CompiledLine | null;
  /** Per TOU period (TOU_PERIODS order) when demand is charged per period. */
  readonly tou: readonly (TierPlan | null)[] | null;
  readonly penalty: { readonly line: CompiledLine; readonly above: Fraction } | null;
}

export const ENERGY_FLAT = 0;
export const ENERGY_TIERS = 1;
export const ENERGY_TOU = 2;

export interface SeasonPlan {
  /** Season id ('' in a version without seasons), for messages. */
  readonly season: string;
  readonly fixed: readonly CompiledLine[];
  readonly fixedPerDay: readonly boolean[];
  readonly energyKind: typeof ENERGY_FLAT | typeof ENERGY_TIERS | typeof ENERGY_TOU;
  readonly flat: CompiledLine | null;
  readonly tiers: TierPlan | null;
  readonly tou: readonly (CompiledLine | null)[] | null;
  readonly tierSurcharge: TierPlan | null;
  readonly demand: DemandPlan | null;
  readonly funds: readonly CompiledLine[];
}

export interface CompiledVersion {
  readonly version: string;
  readonly fromDay: number;
  /** First day no longer in force; +Infinity when open-ended. */
  readonly toDay: number;
  readonly seasonOfMonth: readonly number[];
  readonly seasons: readonly SeasonPlan[];
  /** Month × day type × hour → TOU period index (schedule.ts), or null without a schedule. */
  readonly schedule: Int8Array | null;
  /** The grid that classifies demand: demand_schedule's, else the energy schedule's. */
  readonly demandSchedule: Int8Array | null;
  readonly holidays: ReadonlySet<number>;
  /** PF standard in hundredths (90, 85, 80) → line per PF hundredth (null where the adjustment is 0). */
  readonly pf: ReadonlyMap<number, readonly (CompiledLine | null)[]> | null;
  /** Rounded half-up to the minor unit; a split segment prorates the exact minimum instead. */
  readonly minimumMonthlyMinor: number;
  /** The exact monthly minimum as units / divisor minor units. */
  readonly minimumMonthly: Fraction;
  readonly minimumAnnualMinor: number;
  readonly minimumLine: CompiledLine;
  readonly annualMinimumLine: CompiledLine;
  readonly tax: { readonly line: CompiledLine; readonly added: boolean; readonly included: Fraction } | null;
}

export interface CompiledTariff {
  readonly id: string;
  readonly name: string;
  readonly currency: string;
  readonly minorDigits: number;
  /** Multiplier from minor units to thousandths of the currency (money used as a quantity). */
  readonly moneyMilli: number;
  readonly perLine: boolean;
  /** rounding: per_bill: one rounding of the bill's exact total, shared out over the lines. */
  readonly perBill: boolean;
  /** The largest price scale of any line: per_bill sums exact amounts at this scale. */
  readonly billScale: number;
  /** Sorted by date; validated to neither overlap nor leave gaps. */
  readonly versions: readonly CompiledVersion[];
  readonly usesPowerFactor: boolean;
}

const DEFAULT_TOU_LABELS = { sharp: 'Critical peak', peak: 'Peak', flat: 'Flat', valley: 'Valley' } as const;
const PF_BASE_COMPONENTS: ReadonlySet<LineComponent> = new Set<LineComponent>(
  ['energy', 'tou', 'tier_surcharge', 'demand', 'capacity', 'demand_penalty']);

/**
 * Compiles a policy for pricing. Validates it first (cheap next to a batch of bills) so a worker
 * handed a bad policy fails once, clearly, instead of on every account.
 */
export function compileTariff(policy: TariffPolicy): CompiledTariff {
  const { problems } = validatePolicy(policy);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw new PricingError('invalid_policy',
      `tariff ${policy.id} is not valid:\n${errors.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
  }
  const digits = minorDigits(policy.currency)!;
  const c = new Compiler(policy.currency, digits);
  const versions = [...policy.versions]
    .sort((a, b) => epochDay(a.effective_from) - epochDay(b.effective_from))
    .map((v) => c.version(v));
  return {
    id: policy.id,
    name: policy.name,
    currency: policy.currency,
    minorDigits: digits,
    moneyMilli: minorToMilli(1, digits),
    perLine: policy.rounding === 'per_line',
    perBill: policy.rounding === 'per_bill',
    billScale: c.maxScale,
    versions,
    usesPowerFactor: versions.some((v) => v.pf !== null),
  };
}

interface LineSpec {
  label: string;
  unit: string;
  rate: Decimal;
}

class Compiler {
  maxScale = 0;

  constructor(readonly currency: string, readonly digits: number) {}

  /** Lines of one charge, their rates brought to the charge's largest scale. */
  lines(component: LineComponent, specs: readonly LineSpec[]): CompiledLine[] {
    const scale = specs.reduce((s, spec) => Math.max(s, spec.rate.scale), 0);
    this.maxScale = Math.max(this.maxScale, scale);
    return specs.map((spec) => ({
      component,
      label: spec.label,
      unit: spec.unit,
      rate: scaledRate(spec.rate, this.digits, scale),
      pfBase: PF_BASE_COMPONENTS.has(component),
    }));
  }

  line(component: LineComponent, spec: LineSpec): CompiledLine {
    return this.lines(component, [spec])[0]!;
  }

  version(v: TariffVersion): CompiledVersion {
    const seasons = seasonIndex(v.seasons);
    const minimumLine = this.line('minimum', { label: 'Minimum charge top-up', unit: this.currency, rate: ONE });
    const annualMinimumLine = this.line('minimum', { label: 'Annual minimum charge top-up', unit: this.currency, rate: ONE });
    const monthly = this.money(v.minimum?.monthly);
    const schedule = v.tou_schedule ? buildScheduleGrid(v.tou_schedule).grid : null;
    return {
      version: v.version,
      fromDay: epochDay(v.effective_from),
      toDay: v.effective_to ? epochDay(v.effective_to) + 1 : Number.POSITIVE_INFINITY,
      seasonOfMonth: seasons.ofMonth,
      seasons: seasons.ids.map((id) => this.season(v, id)),
      schedule,
      demandSchedule: v.demand_schedule ? buildScheduleGrid(v.demand_schedule).grid : schedule,
      holidays: holidayDays(v.holidays),
      pf: v.power_factor ? this.powerFactor(v.power_factor) : null,
      minimumMonthlyMinor: applyFraction(1, monthly),
      minimumMonthly: monthly,
      minimumAnnualMinor: applyFraction(1, this.money(v.minimum?.annual)),
      minimumLine,
      annualMinimumLine,
      tax: v.tax
        ? {
          line: this.line('tax', { label: v.tax.label, unit: this.currency, rate: dec(v.tax.rate) }),
          added: v.tax.mode === 'added',
          // Tax inside a tax-inclusive amount T at rate r is T · r / (1 + r).
          included: taxInsideFraction(dec(v.tax.rate)),
        }
        : null,
    };
  }

  /** An amount of money with any number of decimals, as an exact fraction of minor units. */
  money(amount: string | number | undefined): Fraction {
    const d = amount === undefined ? ZERO : dec(amount);
    const scale = Math.max(d.scale, this.digits);
    return fractionOf(unitsAtScale(d, scale), 10n ** BigInt(scale - this.digits));
  }

  season(v: TariffVersion, seasonId: string): SeasonPlan {
    const energy = v.energy;
    const at = (value: SeasonalAmount): Decimal => dec(inSeason(value, seasonId));
    const fixed = v.fixed ?? [];
    let tou: (CompiledLine | null)[] | null = null;
    if (energy.tou) {
      // A season may lack a price for a period its months never schedule (validate.ts).
      const { values } = resolveTouRates(energy.tou.rates, seasonId);
      const priced = TOU_PERIODS.filter((_, p) => values[p] !== undefined);
      const lines = this.lines('tou', priced.map((period) => ({
        label: energy.tou!.labels?.[period] ?? DEFAULT_TOU_LABELS[period],
        unit: 'kWh',
        rate: values[TOU_PERIODS.indexOf(period)]!,
      })));
      tou = TOU_PERIODS.map((period) => lines[priced.indexOf(period)] ?? null);
    }
    return {
      season: seasonId,
      // Each fixed item is a charge of its own (rounded alone), so its line shows quantity × rate = amount.
      fixed: fixed.map((f) => this.line('fixed', { label: f.label ?? 'Basic charge', unit: f.per, rate: at(f.amount) })),
      fixedPerDay: fixed.map((f) => f.per === 'day'),
      energyKind: energy.tou ? ENERGY_TOU : energy.tiers ? ENERGY_TIERS : ENERGY_FLAT,
      flat: energy.rate !== undefined ? this.line('energy', { label: energy.label ?? 'Energy', unit: 'kWh', rate: at(energy.rate) }) : null,
      tiers: energy.tiers ? this.tiers('energy', energy.tiers, seasonId, 'Tier', 'kWh') : null,
      tou,
      tierSurcharge: energy.tier_surcharge
        ? this.tiers('tier_surcharge', energy.tier_surcharge, seasonId, 'Tier surcharge', 'kWh', true)
        : null,
      demand: v.demand ? this.demand(v, v.demand, seasonId) : null,
      funds: (v.surcharges ?? []).map((s) => this.line('surcharge', { label: s.label, unit: 'kWh', rate: at(s.rate) })),
    };
  }

  tiers(
    component: LineComponent, table: TierTable, seasonId: string, defaultName: string, unit: string, skipZeroRates = false,
  ): TierPlan {
    const basis = table.basis ?? 'month';
    const basisUnit = basis === 'day' ? `${unit}/day` : basis === 'year' ? `${unit}/year` : unit;
    const bonus = table.household ? milliOf(table.household.add) : 0;
    const variant = (add: number): TierVariant => this.blocks(component, table.blocks, seasonId, defaultName, unit, basisUnit, add);
    return {
      volume: table.mode === 'volume',
      basis,
      prorate: table.prorate === 'days_30' ? PRORATE_DAYS_30 : table.prorate === 'days_in_month' ? PRORATE_DAYS_IN_MONTH : PRORATE_NONE,
      base: variant(0),
      bonus: table.household ? variant(bonus) : null,
      minMembers: table.household?.min_members ?? Number.POSITIVE_INFINITY,
      skipZeroRates,
    };
  }

  blocks(
    component: LineComponent, blocks: readonly Block[], seasonId: string, defaultName: string, unit: string, boundUnit: string,
    raise: number,
  ): TierVariant {
    const last = blocks.length - 1;
    const perKwFlags = blocks.map((b, i) => i < last && b.up_to === undefined && b.up_to_per_kw !== undefined);
    const perKw = perKwFlags.includes(true) ? perKwFlags : null;
    const bounds = blocks.map((b, i) => {
      if (i === last) return Number.POSITIVE_INFINITY;
      if (perKwFlags[i]) return milliOf(inSeason(b.up_to_per_kw!, seasonId));
      return b.up_to === undefined ? Number.POSITIVE_INFINITY : milliOf(inSeason(b.up_to, seasonId)) + raise;
    });
    const names = blocks.map((b, i) => b.label ?? (blocks.length === 1 ? defaultName : `${defaultName} ${i + 1}`));
    const labels = blockLabels(names, bounds, perKw, boundUnit);
    const lines = this.lines(component, blocks.map((b, i) => ({ label: labels[i]!, unit, rate: dec(inSeason(b.rate, seasonId)) })));
    return { bounds, perKw, lines, names, boundUnit, prorated: new Map() };
  }

  demand(v: TariffVersion, demand: Demand, seasonId: string): DemandPlan {
    const useMax = demand.basis === 'max_demand' || demand.basis === 'max_demand_or_contract';
    const useContract = demand.basis === 'contract' || demand.basis === 'max_demand_or_contract';
    const label = demand.label ?? 'Maximum demand';
    const priceTiers = (price: DemandPrice, name: string): TierPlan => ({
      volume: false,
      basis: 'month',
      prorate: PRORATE_NONE,
      base: this.blocks('demand', price.blocks ?? [{ rate: price.rate! }], seasonId, name, 'kW', 'kW', 0),
      bonus: null,
      minMembers: Number.POSITIVE_INFINITY,
      skipZeroRates: false,
    });
    let tou: (TierPlan | null)[] | null = null;
    if (demand.basis === 'tou') {
      const labels = v.energy.tou?.labels;
      tou = TOU_PERIODS.map((period) => {
        const price = demand.tou?.[period];
        // A season may lack a rate for a period its months never schedule (validate.ts).
        if (!price || (price.rate !== undefined && inSeasonIfGiven(price.rate, seasonId) === undefined)) return null;
        return priceTiers(price, `${labels?.[period] ?? DEFAULT_TOU_LABELS[period]} demand`);
      });
    }
    let penalty: DemandPlan['penalty'] = null;
    if (demand.penalty && demand.rate !== undefined) {
      const above = dec(demand.penalty.above);
      const rate = multiply(dec(inSeason(demand.rate, seasonId)), dec(demand.penalty.multiple));
      const percent = formatDecimal(multiply(above, { units: 100n, scale: 0 }));
      penalty = {
        line: this.line('demand_penalty', { label: demand.penalty.label ?? `Demand above ${percent}% of contract`, unit: 'kW', rate }),
        above: decimalFraction(above),
      };
    }
    return {
      useMax,
      useContract,
      max: useMax ? priceTiers(demand.blocks ? { blocks: demand.blocks } : { rate: demand.rate! }, label) : null,
      contract: useContract
        ? this.line('capacity', { label: demand.contract_label ?? 'Contracted capacity', unit: 'kVA', rate: dec(inSeason(demand.contract_rate!, seasonId)) })
        : null,
      tou,
      penalty,
    };
  }

  powerFactor(pf: PowerFactor): Map<number, (CompiledLine | null)[]> {
    const label = pf.label ?? 'Power factor adjustment';
    const byStandard = new Map<number, (CompiledLine | null)[]>();
    for (const standard of PF_STANDARD_KEYS) {
      const { fractions } = expandPfTable(pf.tables[standard]!);
      byStandard.set(Math.round(Number(standard) * 100), fractions.map((fraction, h) => (fraction && fraction.units !== 0n
        ? this.line('pf_adjustment', {
          label: `${label} (PF ${(h / 100).toFixed(2)}, standard ${standard})`,
          unit: this.currency,
          rate: fraction,
        })
        : null)));
    }
    return byStandard;
  }
}

function dec(value: string | number): Decimal {
  const d = decimalOf(value);
  if (!d) throw new RangeError(`not a decimal: ${String(value)}`);
  return d;
}

function milliOf(value: string | number): number {
  const milli = toMilli(dec(value));
  if (milli === undefined) throw new RangeError(`not a quantity with at most 3 decimals: ${String(value)}`);
  return milli;
}

function taxInsideFraction(rate: Decimal): Fraction {
  const denominator = add(ONE, rate);
  const scale = Math.max(rate.scale, denominator.scale);
  return fractionOf(unitsAtScale(rate, scale), unitsAtScale(denominator, scale));
}

function quantityText(milli: number): string {
  return formatDecimal({ units: BigInt(milli), scale: 3 });
}

/**
 * Block labels: "Tier 1 (0–260 kWh)", "Tier 2 (261–600 kWh)", "Tier 3 (>600 kWh)"; a bound in kWh
 * per kW reads "Tier 4 (up to 200 kWh/kW)" where the unit changes. A table of one block is its name.
 */
export function blockLabels(names: readonly string[], bounds: readonly number[], perKw: readonly boolean[] | null, boundUnit: string): string[] {
  if (names.length === 1) return [names[0]!];
  const unitOf = (i: number): string => (perKw?.[i] ? boundUnit.replace(/^([^/]+)/, '$1/kW') : boundUnit);
  return names.map((name, i) => {
    const upper = bounds[i]!;
    const unitChanged = i > 0 && perKw !== null && perKw[i - 1] !== perKw[i] && upper !== Number.POSITIVE_INFINITY;
    if (upper === Number.POSITIVE_INFINITY) return `${name} (>${quantityText(i === 0 ? 0 : bounds[i - 1]!)} ${unitOf(i - 1)})`;
    if (unitChanged) return `${name} (up to ${quantityText(upper)} ${unitOf(i)})`;
    return `${name} (${rangeText(i === 0 ? 0 : bounds[i - 1]!, upper)} ${unitOf(i)})`;
  });
}

/** Key of a prorated label set: the day count and the proration's divisor. */
export function prorationKey(days: number, divisor: number): number {
  return days * 64 + divisor;
}

/** The variant's lines labelled with these (prorated) bounds, made once per key. */
export function proratedLines(variant: TierVariant, key: number, bounds: ArrayLike<number>): readonly CompiledLine[] {
  let lines = variant.prorated.get(key);
  if (!lines) {
    const labels = blockLabels(variant.names, Array.from(bounds).slice(0, variant.names.length), variant.perKw, variant.boundUnit);
    lines = variant.lines.map((line, i) => ({ ...line, label: labels[i]! }));
    variant.prorated.set(key, lines);
  }
  return lines;
}

/** "0–260", "261–600", ">600" as published tier tables write them (whole kWh start at the next unit). */
function rangeText(lower: number, upper: number): string {
  if (upper === Number.POSITIVE_INFINITY) return `>${quantityText(lower)}`;
  if (lower === 0) return `0–${quantityText(upper)}`;
  const start = lower % 1000 === 0 ? quantityText(lower + 1000) : quantityText(lower);
  return `${start}–${quantityText(upper)}`;
}
