// Price policies (tariffs): the file format tariff admins write in YAML or JSON, and the single
// source of its types. A policy is a list of versions by effective date; each version is a
// complete price document combining fixed, energy (flat, tiered or TOU), demand, power-factor,
// surcharge, minimum and tax components.
//
// This schema checks shape and field syntax only. Rules that need several fields at once (tier
// bounds increasing, a TOU schedule covering every hour, versions neither overlapping nor
// leaving gaps, known currency, …) are checked by src/tariff/validate.ts, which reports every
// problem with its path. Decimals are exact text ("0.58886875"); plain JS numbers are accepted
// too and read by their shortest round-trip text.
import { z } from 'zod';
import { IsoDate } from './inputs.js';

const DECIMAL_TEXT = /^[+-]?\d+(\.\d+)?$/;
/** Non-negative decimal text: the JSON Schema pattern admits no sign the validator would refuse. */
const NON_NEGATIVE_TEXT = /^\+?\d+(\.\d+)?$/;
const DECIMAL_MESSAGE = 'must be a decimal number such as 0.58886875';
const NEGATIVE_MESSAGE = 'must not be negative';

/** Any exact decimal (signed): adjustments such as a power-factor percentage. */
export const DecimalValue = z.union([
  z.string().regex(DECIMAL_TEXT, DECIMAL_MESSAGE),
  z.number(),
]).describe('Exact decimal: quoted text or a number');
export type DecimalValue = z.infer<typeof DecimalValue>;

/** A price, bound or amount: an exact decimal that must not be negative. */
export const Amount = z.union([
  z.string().regex(NON_NEGATIVE_TEXT, {
    error: (issue) => (typeof issue.input === 'string' && DECIMAL_TEXT.test(issue.input.trim()) ? NEGATIVE_MESSAGE : DECIMAL_MESSAGE),
  }),
  z.number().nonnegative(NEGATIVE_MESSAGE),
]).describe('Exact non-negative decimal: quoted text or a number, any number of decimals');
export type Amount = z.infer<typeof Amount>;

/**
 * A value that is either the same all year or given per season: `0.6` or `{ summer: 0.65, winter: 0.6 }`
 * (keys are the version's season ids; every season must be given).
 */
export const SeasonalAmount = z.union([Amount, z.record(z.string(), Amount)])
  .describe('A non-negative decimal, or a map of season id → decimal');
export type SeasonalAmount = z.infer<typeof SeasonalAmount>;

export const TOU_PERIOD_NAMES = ['sharp', 'peak', 'flat', 'valley'] as const;
export const TouPeriodName = z.enum(TOU_PERIOD_NAMES);
export type TouPeriodName = z.infer<typeof TouPeriodName>;

const Label = z.string().min(1, 'must not be empty');
const Month = z.number().int('must be a whole month 1–12').min(1, 'must be a month 1–12').max(12, 'must be a month 1–12');

export const Season = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a lower-case id such as summer'),
  label: Label.optional(),
  months: z.array(Month).min(1, 'must list at least one month'),
}).describe(
  'A named set of calendar months. The billing month (the month of the closing read) picks the season for the whole '
  + 'bill, also for days that fall in another month; the TOU schedule still classifies each interval by its own date');
export type Season = z.infer<typeof Season>;

export const FixedCharge = z.strictObject({
  label: Label.optional().describe('Default "Basic charge"'),
  per: z.enum(['month', 'day']).describe('month: once per billing period; day: × days in the period'),
  amount: SeasonalAmount,
});
export type FixedCharge = z.infer<typeof FixedCharge>;

export const Block = z.strictObject({
  up_to: SeasonalAmount.optional().describe(
    'Upper bound of the block (kWh or kW, at most 3 decimals), inclusive; omitted on the last block'),
  up_to_per_kw: SeasonalAmount.optional().describe(
    'Energy tiers only, instead of up_to: upper bound in kWh per kW of the period\'s maximum demand ("hours use"), '
    + 'e.g. 200 with a 150 kW peak ends the block at 30,000 kWh (rounded half-up to 1 Wh). Where a table mixes kWh and '
    + 'kWh-per-kW bounds, each block ends at the lowest of its own bound and every later block\'s bound, so kWh blocks '
    + 'nest inside the kWh-per-kW step that follows them and a block that is reached empty is skipped'),
  rate: SeasonalAmount,
  label: Label.optional().describe(
    'Default "Tier n" in energy tiers, "Tier surcharge n" in a tier_surcharge, "<demand label> n" in demand blocks '
    + '(without n when the table has one block), followed by the block\'s range, e.g. "Tier 2 (261–600 kWh)"'),
});
export type Block = z.infer<typeof Block>;

export const TIER_MODES = ['graduated', 'volume'] as const;
export const TIER_BASES = ['month', 'day', 'year'] as const;
export const PRORATE_RULES = ['none', 'days_30', 'days_in_month'] as const;

export const TierTable = z.strictObject({
  mode: z.enum(TIER_MODES).optional()
    .describe('graduated (default): each block priced at its own rate; volume: all kWh at the rate of the block the total reaches'),
  basis: z.enum(TIER_BASES).optional()
    .describe('month (default): bounds per billing period; day: bounds per day × days; year: cumulative over the calendar year'),
  prorate: z.enum(PRORATE_RULES).optional().describe(
    'Monthly kWh bounds scaled by the service period\'s days (opening read day to closing read day): none (default): '
    + 'as written; days_30: × days / 30; days_in_month: × days / days in the billing month. A prorated bound is '
    + 'rounded half-up to 1 Wh and the line labels show the prorated bounds (100/300 kWh over 45 days with days_30: '
    + '"Tier 1 (0–150 kWh)", "Tier 2 (151–450 kWh)"). kWh-per-kW bounds are not prorated'),
  household: z.strictObject({
    min_members: z.number().int('must be a whole number').positive('must be at least 1'),
    add: Amount.describe('kWh added to every bound, in the basis unit'),
  }).optional().describe('Bounds raised for households with at least min_members members'),
  blocks: z.array(Block).min(1, 'must have at least one block'),
});
export type TierTable = z.infer<typeof TierTable>;

/** A TOU price derived from another period's price: `of × times + plus`, optionally rounded. */
export const DerivedRate = z.strictObject({
  of: TouPeriodName,
  times: SeasonalAmount.optional(),
  plus: SeasonalAmount.optional(),
  decimals: z.number().int('must be a whole number').min(0).max(12).optional()
    .describe('Round the derived price half-up to this many decimals'),
});
export type DerivedRate = z.infer<typeof DerivedRate>;

export const TouRate = z.union([Amount, DerivedRate, z.record(z.string(), Amount)])
  .describe('A price, a price per season, or { of: period, times, plus } derived from another period. A map per season '
    + 'may leave out seasons whose months never use the period in the TOU schedule');
export type TouRate = z.infer<typeof TouRate>;

const perPeriod = <T extends z.ZodType>(value: T) => z.strictObject({
  sharp: value.optional(), peak: value.optional(), flat: value.optional(), valley: value.optional(),
});

export const TouEnergy = z.strictObject({
  rates: perPeriod(TouRate),
  labels: perPeriod(Label).optional().describe('Defaults: Critical peak, Peak, Flat, Valley'),
});
export type TouEnergy = z.infer<typeof TouEnergy>;

export const Energy = z.strictObject({
  label: Label.optional().describe('Label of a flat energy line; default "Energy"'),
  rate: SeasonalAmount.optional().describe('Flat price per kWh'),
  tiers: TierTable.optional().describe('Energy priced by blocks of the total'),
  tou: TouEnergy.optional().describe('Energy priced per TOU period'),
  tier_surcharge: TierTable.optional()
    .describe('Added on top of the energy price on the total kWh ("TOU prices first, then a tier surcharge")'),
}).describe('Exactly one of rate, tiers or tou');
export type Energy = z.infer<typeof Energy>;

/** Hour ranges, end exclusive: "0-8, 22-24". */
export const HourRanges = z.string()
  .regex(/^\s*\d{1,2}\s*-\s*\d{1,2}(\s*,\s*\d{1,2}\s*-\s*\d{1,2})*\s*$/, 'must be hour ranges such as "8-12, 14-17" (end exclusive)');

export const DAY_KINDS = ['weekday', 'weekend', 'all'] as const;

export const ScheduleRule = z.strictObject({
  months: z.array(Month).min(1, 'must list at least one month'),
  days: z.enum(DAY_KINDS).describe('Holidays count as weekend days'),
  periods: perPeriod(HourRanges),
}).describe('Which TOU period each hour belongs to for these months and day kind');
export type ScheduleRule = z.infer<typeof ScheduleRule>;

const MatrixRow = z.array(z.number().int('must be a whole period id')).length(24, 'must have 24 hours (0–23)');
const Matrix = z.array(MatrixRow).length(12, 'must have 12 months (January first)');

/** The public rate databases' format: 12 months × 24 hours of period ids, weekday and weekend. */
export const ScheduleMatrix = z.strictObject({
  periods: z.record(z.string().regex(/^\d+$/, 'must be a period id such as 1'), TouPeriodName)
    .describe('Period id used in the matrices → TOU period; several ids may share a period (e.g. one per season)'),
  weekday: Matrix.describe('Row = month (January first), column = hour beginning 0–23, value = period id'),
  weekend: Matrix.describe('As weekday, for Saturdays, Sundays and listed holidays'),
}).describe('A 12×24 schedule as rate databases publish it');
export type ScheduleMatrix = z.infer<typeof ScheduleMatrix>;

export const TouSchedule = z.union([z.array(ScheduleRule), ScheduleMatrix]).describe(
  'Hour-range rules (a list) or 12×24 matrices. Each interval is classified by its own date: the month of that date, '
  + 'weekday or weekend (holidays count as weekend) and the hour it begins in');
export type TouSchedule = z.infer<typeof TouSchedule>;

export const DemandPrice = z.strictObject({
  rate: SeasonalAmount.optional(),
  blocks: z.array(Block).min(1, 'must have at least one block').optional(),
}).describe('Exactly one of rate or blocks');
export type DemandPrice = z.infer<typeof DemandPrice>;

export const DEMAND_BASES = ['max_demand', 'contract', 'max_demand_or_contract', 'tou'] as const;

export const Demand = z.strictObject({
  basis: z.enum(DEMAND_BASES).describe(
    'max_demand: kW × rate; contract: contracted kVA × contract_rate; max_demand_or_contract: max demand when metered, else contract; tou: per-period demand'),
  label: Label.optional().describe('Default "Maximum demand"'),
  rate: SeasonalAmount.optional().describe('Per kW of maximum demand per month'),
  blocks: z.array(Block).min(1, 'must have at least one block').optional().describe('Demand tiers instead of a single rate'),
  contract_label: Label.optional().describe('Default "Contracted capacity"'),
  contract_rate: SeasonalAmount.optional().describe('Per kVA of contracted capacity per month'),
  tou: perPeriod(DemandPrice).optional().describe('Per TOU period: charged on that period\'s maximum demand'),
  penalty: z.strictObject({
    above: Amount.describe('Fraction of the contracted capacity, e.g. 1.05'),
    multiple: Amount.describe('Demand above the threshold is charged at rate × multiple'),
    label: Label.optional(),
  }).optional(),
});
export type Demand = z.infer<typeof Demand>;

export const PfBand = z.strictObject({
  from: DecimalValue.describe('Lowest power factor of the band (two decimals)'),
  to: DecimalValue.describe('Highest power factor of the band, inclusive'),
  percent: DecimalValue.describe('Adjustment in % of the energy and demand charges (negative = discount)'),
  step_percent: DecimalValue.optional().describe('Further % per 0.01 of distance from step_from'),
  step_from: DecimalValue.optional(),
});
export type PfBand = z.infer<typeof PfBand>;

export const PF_STANDARD_KEYS = ['0.90', '0.85', '0.80'] as const;

export const PowerFactor = z.strictObject({
  label: Label.optional().describe('Default "Power factor adjustment"'),
  tables: z.strictObject({
    '0.90': z.array(PfBand).optional(),
    '0.85': z.array(PfBand).optional(),
    '0.80': z.array(PfBand).optional(),
  }).describe('One table per PF standard; together the bands of a table cover 0.00–1.00 once'),
});
export type PowerFactor = z.infer<typeof PowerFactor>;

export const Surcharge = z.strictObject({
  label: Label,
  rate: SeasonalAmount.describe('Per kWh of total energy'),
});
export type Surcharge = z.infer<typeof Surcharge>;

export const Minimum = z.strictObject({
  monthly: Amount.optional().describe(
    'Minimum bill before tax per billing period, rounded half-up to the minor unit; a version\'s share of a split '
    + 'period gets minimum × its days / the period\'s days, rounded half-up'),
  annual: Amount.optional().describe(
    'Minimum for the calendar year (rounded half-up to the minor unit), topped up in the bill whose billing month is December'),
});
export type Minimum = z.infer<typeof Minimum>;

export const Tax = z.strictObject({
  label: Label.describe('e.g. "VAT 13%"'),
  rate: Amount.describe('e.g. 0.13'),
  mode: z.enum(['included', 'added']).describe('included: prices contain the tax (reported, not added); added: a tax line'),
});
export type Tax = z.infer<typeof Tax>;

const VERSION_ID = /^[A-Za-z0-9._-]{1,32}$/;

export const TariffVersion = z.strictObject({
  version: z.string().regex(VERSION_ID, 'must be 1–32 of A–Z a–z 0–9 . _ -'),
  effective_from: IsoDate.describe('First day in force'),
  effective_to: IsoDate.nullable().optional().describe('Last day in force, inclusive; null or absent = open-ended'),
  note: z.string().optional(),
  seasons: z.array(Season).optional(),
  fixed: z.array(FixedCharge).optional(),
  energy: Energy,
  demand: Demand.optional(),
  power_factor: PowerFactor.optional(),
  surcharges: z.array(Surcharge).optional().describe('Per-kWh government funds and additions: not TOU-scaled, outside the PF base'),
  minimum: Minimum.optional(),
  tax: Tax.optional(),
  tou_schedule: TouSchedule.optional().describe(
    'Classifies interval energy (and demand, without demand_schedule): month × weekday/weekend × hour → period'),
  demand_schedule: TouSchedule.optional().describe(
    'Classifies interval demand for demand.basis tou when it differs from the energy schedule'),
  holidays: z.array(IsoDate).optional().describe('Dates priced as weekend days by the TOU schedule'),
});
export type TariffVersion = z.infer<typeof TariffVersion>;

export const ROUNDING_MODES = ['per_charge', 'per_line', 'per_bill'] as const;

/** What an absent `intervals` field (or one of its fields) means. */
export const INTERVAL_RULE_DEFAULTS = { demand_minutes: 15, interpolate_up_to_minutes: 120, spike_factor: 10 } as const;

export const IntervalRules = z.strictObject({
  demand_minutes: z.union([z.literal(15), z.literal(30), z.literal(60)]).optional().describe(
    `Demand window (default ${INTERVAL_RULE_DEFAULTS.demand_minutes}): kW = kWh in a clock-aligned window × 60 / minutes, `
    + 'the maximum per demand period; intervals longer than the window are their own window'),
  interpolate_up_to_minutes: z.number().int().min(0).max(1440).optional().describe(
    `Longest gap (default ${INTERVAL_RULE_DEFAULTS.interpolate_up_to_minutes}) filled by linear interpolation between the `
    + 'intervals either side; a longer gap is estimated from the account\'s own weekday-type × time-of-day mean and the bill is flagged'),
  spike_factor: z.number().min(2).max(1000).optional().describe(
    `An interval above this multiple (default ${INTERVAL_RULE_DEFAULTS.spike_factor}) of the meter's own 95th percentile `
    + 'in the period is a spike: replaced like a missing interval'),
}).describe('How meters without register reads are billed from their interval data (validation, estimation, demand)');
export type IntervalRules = z.infer<typeof IntervalRules>;

export const TariffPolicy = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 of A–Z a–z 0–9 _ -'),
  name: Label,
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY'),
  description: z.string().optional(),
  rounding: z.enum(ROUNDING_MODES).optional().describe(
    'Half-up to the minor unit in every mode. per_charge (default): each charge is rounded once on its exact total and '
    + 'its lines get the differences of rounded running totals. One charge = one fixed item; the energy price (the flat '
    + 'line, the blocks of the tier table or the TOU periods together); the tier surcharge\'s blocks; the demand blocks '
    + '(per TOU period with basis tou); the contracted capacity; the demand penalty; the power-factor adjustment; one '
    + 'per-kWh surcharge; a minimum top-up; the added tax. A charge of one line always shows quantity × rate = amount. '
    + 'per_line: every line rounded on its own. per_bill: the bill is rounded once on its exact total and each line '
    + 'gets the change of the rounded running total of the bill, so the lines still add up to the total and each is '
    + 'within one minor unit of its exact amount'),
  intervals: IntervalRules.optional(),
  versions: z.array(TariffVersion).min(1, 'must have at least one version').describe(
    'Versions by effective date, without gaps or overlaps. A service period that spans a change is split by days; '
    + 'each version prices its share (see the EXAMPLE-ANNOTATED policy for how kWh, bounds, fixed months, minimums and tax split)'),
}).meta({
  title: 'billrun price policy',
  description: 'A read belongs to the calendar date of its read_at; the billing month is the month of the closing read and '
    + 'the service period runs from the opening read\'s date (included) to the closing read\'s date (excluded). The billing '
    + 'month picks the season for the whole bill; the TOU schedule classifies each interval by its own date. '
    + 'samples/tariffs/EXAMPLE-ANNOTATED.yaml states every pricing rule with an example.',
});
export type TariffPolicy = z.infer<typeof TariffPolicy>;
