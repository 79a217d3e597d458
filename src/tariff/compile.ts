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
  add, type Decimal, decimalFraction, decimalOf, formatDecimal, type Fraction, fractionOf, minorDigits, minorToMilli, multiply, ONE,
  type ScaledRate, scaledRate, toMilli, unitsAtScale,
} from '../money/index.js';
import { PricingError } from './errors.js';
import { expandPfTable } from './power-factor.js';
import { formatProblem } from './problems.js';
import { buildScheduleGrid, holidayDays } from './schedule.js';
import { inSeason, seasonIndex } from './seasons.js';
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
  /** Upper bounds in thousandths of the basis unit, ascending; the last is +Infinity. */
  readonly bounds: readonly number[];
  readonly lines: readonly CompiledLine[];
}

export interface TierPlan {
  readonly volume: boolean;
  readonly basis: 'month' | 'day' | 'year';
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
  readonly holidays: ReadonlySet<number>;
  /** PF standard in hundredths (90, 85, 80) → line per PF hundredth (null where the adjustment is 0). */
  readonly pf: ReadonlyMap<number, readonly (CompiledLine | null)[]> | null;
  readonly minimumMonthlyMinor: number;
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
  constructor(readonly currency: string, readonly digits: number) {}

  /** Lines of one charge, their rates brought to the charge's largest scale. */
  lines(component: LineComponent, specs: readonly LineSpec[]): CompiledLine[] {
    const scale = specs.reduce((s, spec) => Math.max(s, spec.rate.scale), 0);
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
    return {
      version: v.version,
      fromDay: epochDay(v.effective_from),
      toDay: v.effective_to ? epochDay(v.effective_to) + 1 : Number.POSITIVE_INFINITY,
      seasonOfMonth: seasons.ofMonth,
      seasons: seasons.ids.map((id) => this.season(v, id)),
      schedule: v.tou_schedule ? buildScheduleGrid(v.tou_schedule).grid : null,
      holidays: holidayDays(v.holidays),
      pf: v.power_factor ? this.powerFactor(v.power_factor) : null,
      minimumMonthlyMinor: this.minor(v.minimum?.monthly),
      minimumAnnualMinor: this.minor(v.minimum?.annual),
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

  minor(amount: string | number | undefined): number {
    return amount === undefined ? 0 : Number(unitsAtScale(dec(amount), this.digits));
  }

  season(v: TariffVersion, seasonId: string): SeasonPlan {
    const energy = v.energy;
    const at = (value: SeasonalAmount): Decimal => dec(inSeason(value, seasonId));
    const fixed = v.fixed ?? [];
    let tou: (CompiledLine | null)[] | null = null;
    if (energy.tou) {
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
      fixed: this.lines('fixed', fixed.map((f) => ({ label: f.label ?? 'Basic charge', unit: f.per, rate: at(f.amount) }))),
      fixedPerDay: fixed.map((f) => f.per === 'day'),
      energyKind: energy.tou ? ENERGY_TOU : energy.tiers ? ENERGY_TIERS : ENERGY_FLAT,
      flat: energy.rate !== undefined ? this.line('energy', { label: energy.label ?? 'Energy', unit: 'kWh', rate: at(energy.rate) }) : null,
      tiers: energy.tiers ? this.tiers('energy', energy.tiers, seasonId, 'Tier', 'kWh') : null,
      tou,
      tierSurcharge: energy.tier_surcharge
        ? this.tiers('tier_surcharge', energy.tier_surcharge, seasonId, 'Tier surcharge', 'kWh', true)
        : null,
      demand: v.demand ? this.demand(v, v.demand, seasonId) : null,
      funds: this.lines('surcharge', (v.surcharges ?? []).map((s) => ({ label: s.label, unit: 'kWh', rate: at(s.rate) }))),
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
    const bounds = blocks.map((b, i) =>
      (i === blocks.length - 1 || b.up_to === undefined ? Number.POSITIVE_INFINITY : milliOf(inSeason(b.up_to, seasonId)) + raise));
    const lines = this.lines(component, blocks.map((b, i) => {
      const name = b.label ?? (blocks.length === 1 ? defaultName : `${defaultName} ${i + 1}`);
      return {
        label: blocks.length === 1 ? name : `${name} (${rangeText(i === 0 ? 0 : bounds[i - 1]!, bounds[i]!)} ${boundUnit})`,
        unit,
        rate: dec(inSeason(b.rate, seasonId)),
      };
    }));
    return { bounds, lines };
  }

  demand(v: TariffVersion, demand: Demand, seasonId: string): DemandPlan {
    const useMax = demand.basis === 'max_demand' || demand.basis === 'max_demand_or_contract';
    const useContract = demand.basis === 'contract' || demand.basis === 'max_demand_or_contract';
    const label = demand.label ?? 'Maximum demand';
    const priceTiers = (price: DemandPrice, name: string): TierPlan => ({
      volume: false,
      basis: 'month',
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
        return price ? priceTiers(price, `${labels?.[period] ?? DEFAULT_TOU_LABELS[period]} demand`) : null;
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

/** "0–260", "261–600", ">600" as published tier tables write them (whole kWh start at the next unit). */
function rangeText(lower: number, upper: number): string {
  if (upper === Number.POSITIVE_INFINITY) return `>${quantityText(lower)}`;
  if (lower === 0) return `0–${quantityText(upper)}`;
  const start = lower % 1000 === 0 ? quantityText(lower + 1000) : quantityText(lower);
  return `${start}–${quantityText(upper)}`;
}
