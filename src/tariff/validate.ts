// Policy validation: the zod schema checks shape and field syntax, then the rules below check what
// needs several fields at once. Every problem is reported in one pass: when the schema rejects part
// of a policy, the rules still run on each version that is well-formed on its own.
import { z } from 'zod';
import { IsoDate, TOU_PERIODS } from '../../schemas/inputs.js';
import {
  DEMAND_BASES, FixedCharge, PF_STANDARD_KEYS, PfBand, ScheduleMatrix, ScheduleRule, Season, SeasonalAmount, Surcharge,
  type TariffPolicy, TariffPolicy as TariffPolicySchema, TierTable, type TouEnergy, TouRate, TouSchedule,
} from '../../schemas/tariff.js';
import { epochDay, isoDate } from '../calendar/index.js';
import { compare, CURRENCY_CODES, type Decimal, decimalOf, formatDecimal, isCurrency, ZERO } from '../money/index.js';
import { expandPfTable, pfBandProblem } from './power-factor.js';
import { type PathSegment, type Problem, ProblemList, pathText } from './problems.js';
import { buildScheduleGrid, cellOf, DAY_TYPES, parseHourRanges, rangeProblem, UNASSIGNED } from './schedule.js';
import { isSeasonMap } from './seasons.js';
import { resolveTouRates } from './tou-rates.js';

/** A problem whose path is still a list of segments (parsePolicy maps these to line numbers). */
export type LocatedProblem = ProblemList['items'][number];

export function validatePolicy(raw: unknown): { policy?: TariffPolicy; problems: Problem[] } {
  const { policy, items } = validateLocated(raw);
  return { ...(policy ? { policy } : {}), problems: items.map(toProblem) };
}

export function toProblem(item: LocatedProblem): Problem {
  return { code: item.code, severity: item.severity, path: pathText(item.path), message: item.message };
}

export function validateLocated(raw: unknown): { policy?: TariffPolicy; items: LocatedProblem[] } {
  const list = new ProblemList();
  const parsed = TariffPolicySchema.safeParse(raw);
  if (!parsed.success) for (const issue of parsed.error.issues) addZodIssue(list, issue, []);
  const obj = isRecord(raw) ? raw : {};

  const currency = typeof obj.currency === 'string' ? obj.currency : undefined;
  if (currency !== undefined && /^[A-Z]{3}$/.test(currency) && !isCurrency(currency)) {
    list.error('unknown_currency', ['currency'], `unknown currency ${currency} (accepted: ${CURRENCY_CODES.join(', ')})`);
  }

  const rawVersions = Array.isArray(obj.versions) ? (obj.versions as unknown[]) : [];
  rawVersions.forEach((rawVersion, i) => {
    if (isRecord(rawVersion)) checkVersion(rawVersion, ['versions', i], list);
  });
  checkVersionRanges(rawVersions, list);

  const failed = list.items.some((p) => p.severity === 'error');
  return { ...(parsed.success && !failed ? { policy: parsed.data } : {}), items: list.items };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// zod issues → problems

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  errors?: ZodIssueLike[][];
  expected?: string;
}

const NEGATIVE = 'must not be negative';
/** Fields whose keys are TOU period names, so an unknown key there is an unknown period. */
const PERIOD_KEYED = new Set(['rates', 'labels', 'periods', 'tou']);

function addZodIssue(list: ProblemList, issue: ZodIssueLike, base: PathSegment[]): void {
  const path = [...base, ...issue.path.map((s) => (typeof s === 'number' ? s : String(s)))];
  if (issue.code === 'invalid_union' && issue.errors) {
    // A branch whose only complaint is a wrong type at the union itself did not match at all; of
    // the branches that did, the one with fewest issues says what the author meant.
    const matched = issue.errors.filter((branch) => !(branch.length === 1 && branch[0]!.code === 'invalid_type' && branch[0]!.path.length === 0));
    if (matched.length > 0) {
      const best = matched.reduce((a, b) => (b.length < a.length ? b : a));
      for (const inner of best) addZodIssue(list, inner, path);
      return;
    }
    const expected = [...new Set(issue.errors.map((b) => b[0]?.expected).filter((e): e is string => !!e))];
    list.error('schema', path, `expected ${expected.join(' or ') || 'a different value'}`);
    return;
  }
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    const parent = path[path.length - 1];
    for (const key of issue.keys) {
      if (typeof parent === 'string' && PERIOD_KEYED.has(parent)) {
        list.error('unknown_period', [...path, key], `unknown TOU period "${key}" (periods are ${TOU_PERIODS.join(', ')})`);
      } else {
        list.error('schema', [...path, key], `unknown field "${key}"`);
      }
    }
    return;
  }
  if (issue.message === NEGATIVE) {
    list.error('negative_rate', path, NEGATIVE);
    return;
  }
  const message = /received undefined$/.test(issue.message) ? 'is required' : issue.message;
  list.error('schema', path, message);
}

// ---------------------------------------------------------------------------------------------
// one version
//
// These checks read the raw policy and take each piece only if it is well-formed on its own
// (`valid`), so one malformed field does not hide the problems of its neighbours.

interface VersionContext {
  list: ProblemList;
  seasonIds: string[];
  /** False when `seasons` is malformed: per-season maps cannot be judged then. */
  seasonsKnown: boolean;
  /** Per TOU period, the seasons whose months never schedule it (energy and demand schedules). */
  unusedEnergy: Map<string, string[]>;
  unusedDemand: Map<string, string[]>;
}

function valid<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> | undefined {
  if (value === undefined) return undefined;
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

function recordOf(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function checkVersion(raw: Record<string, unknown>, path: PathSegment[], list: ProblemList): void {
  const dates = { from: valid(IsoDate, raw.effective_from), to: valid(IsoDate, raw.effective_to) };
  for (const [field, date] of [['effective_from', dates.from], ['effective_to', dates.to]] as const) {
    if (date !== undefined && Number.isNaN(epochDay(date))) list.error('invalid_date', [...path, field], `${date} is not a calendar date`);
  }
  if (dates.from !== undefined && dates.to !== undefined && epochDay(dates.to) < epochDay(dates.from)) {
    list.error('inverted_range', [...path, 'effective_to'], `must not be before effective_from (${dates.from})`);
  }

  const seasons = raw.seasons === undefined ? [] : valid(z.array(Season), raw.seasons);
  const seasonIds = seasons ? checkSeasons(seasons, path, list) : [];
  const energySchedule = valid(TouSchedule, raw.tou_schedule);
  const demandSchedule = raw.demand_schedule === undefined ? energySchedule : valid(TouSchedule, raw.demand_schedule);
  const ctx: VersionContext = {
    list, seasonIds, seasonsKnown: seasons !== undefined,
    unusedEnergy: unusedBySeason(seasons ?? [], energySchedule),
    unusedDemand: unusedBySeason(seasons ?? [], demandSchedule),
  };
  arrayOf(raw.fixed).forEach((item, i) => checkSeasonal(ctx, valid(FixedCharge, item)?.amount, [...path, 'fixed', i, 'amount']));
  if (isRecord(raw.energy)) checkEnergy(ctx, raw.energy, [...path, 'energy']);
  if (isRecord(raw.demand)) checkDemand(ctx, raw.demand, [...path, 'demand']);
  if (isRecord(raw.power_factor)) checkPowerFactor(list, raw.power_factor, [...path, 'power_factor']);
  arrayOf(raw.surcharges).forEach((item, i) => checkSeasonal(ctx, valid(Surcharge, item)?.rate, [...path, 'surcharges', i, 'rate']));
  checkSchedule(ctx, raw, path);
}

/**
 * Per TOU period, the seasons none of whose months schedule it on any day or hour: a per-season
 * TOU price may leave those seasons out. Without a valid schedule (TOU registers) every season may
 * see every period, so none is listed.
 */
function unusedBySeason(seasons: readonly Season[], schedule: TouSchedule | undefined): Map<string, string[]> {
  const unused = new Map<string, string[]>();
  if (!schedule || seasons.length === 0) return unused;
  const { grid } = buildScheduleGrid(schedule);
  for (const [p, period] of TOU_PERIODS.entries()) {
    const seasonsWithout = seasons.filter((season) => !season.months.some((month) =>
      [0, 1].some((dayType) => Array.from({ length: 24 }, (_, h) => grid[cellOf(month - 1, dayType, h)]).includes(p))));
    unused.set(period, seasonsWithout.map((season) => season.id));
  }
  return unused;
}

function checkSeasons(seasons: readonly Season[], path: PathSegment[], list: ProblemList): string[] {
  if (seasons.length === 0) return [];
  const ids: string[] = [];
  const owner = new Map<number, string>();
  seasons.forEach((season, i) => {
    if (ids.includes(season.id)) list.error('season_coverage', [...path, 'seasons', i, 'id'], `season ${season.id} is declared twice`);
    ids.push(season.id);
    for (const month of season.months) {
      const other = owner.get(month);
      if (other !== undefined && other !== season.id) {
        list.error('season_coverage', [...path, 'seasons', i, 'months'], `month ${month} is already in season ${other}`);
      }
      owner.set(month, season.id);
    }
  });
  const missing = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].filter((m) => !owner.has(m));
  if (missing.length > 0) list.error('season_coverage', [...path, 'seasons'], `months ${missing.join(', ')} are in no season`);
  return ids;
}

/** A per-season map must give exactly the version's seasons (`optional` ones may be left out). */
function checkSeasonal(
  ctx: VersionContext, value: SeasonalAmount | TouRate | undefined, path: PathSegment[], optional: readonly string[] = [],
): void {
  if (!isSeasonMap(value) || !ctx.seasonsKnown) return;
  if (ctx.seasonIds.length === 0) {
    ctx.list.error('unknown_season', path, 'values per season need `seasons` in the version');
    return;
  }
  for (const key of Object.keys(value)) {
    if (!ctx.seasonIds.includes(key)) {
      ctx.list.error('unknown_season', [...path, key], `unknown season "${key}" (seasons are ${ctx.seasonIds.join(', ')})`);
    }
  }
  const missing = ctx.seasonIds.filter((id) => value[id] === undefined && !optional.includes(id));
  if (missing.length > 0) ctx.list.error('missing_season', path, `no value for season ${missing.join(', ')}`);
}

/** The season ids a value has to be evaluated in ('' when the version has no seasons). */
function seasonsOf(ctx: VersionContext): string[] {
  return ctx.seasonIds.length > 0 ? ctx.seasonIds : [''];
}

function valueIn(value: SeasonalAmount, seasonId: string): Decimal | undefined {
  const v = isSeasonMap(value) ? value[seasonId] : value;
  return v === undefined ? undefined : decimalOf(v);
}

function checkEnergy(ctx: VersionContext, energy: Record<string, unknown>, path: PathSegment[]): void {
  const given = (['rate', 'tiers', 'tou'] as const).filter((k) => energy[k] !== undefined);
  if (given.length !== 1) {
    ctx.list.error('energy_pricing', path, given.length === 0
      ? 'must price energy with one of rate, tiers or tou'
      : `must have exactly one of rate, tiers or tou (found ${given.join(' and ')})`);
  }
  checkSeasonal(ctx, valid(SeasonalAmount, energy.rate), [...path, 'rate']);
  for (const field of ['tiers', 'tier_surcharge'] as const) {
    const table = energy[field];
    if (isRecord(table)) checkTierTable(ctx, table, [...path, field]);
  }
  if (isRecord(energy.tou)) checkTouEnergy(ctx, energy.tou, [...path, 'tou']);
}

function checkTierTable(ctx: VersionContext, table: Record<string, unknown>, path: PathSegment[]): void {
  const household = valid(TierTable.shape.household, table.household);
  if (household) checkQuantityPrecision(ctx, household.add, [...path, 'household', 'add']);
  if (Array.isArray(table.blocks)) checkBlocks(ctx, table.blocks, [...path, 'blocks'], true);
  const perKw = arrayOf(table.blocks).some((block) => recordOf(block).up_to_per_kw !== undefined);
  if (perKw && table.household !== undefined) {
    ctx.list.error('energy_pricing', [...path, 'household'], 'cannot raise bounds given in kWh per kW (up_to_per_kw)');
  }
  if (perKw && table.basis === 'year') ctx.list.error('energy_pricing', [...path, 'basis'], 'year cannot have bounds in kWh per kW (up_to_per_kw)');
  if (table.prorate !== undefined && table.prorate !== 'none' && (table.basis ?? 'month') !== 'month') {
    ctx.list.warning('energy_pricing', [...path, 'prorate'], `is ignored with basis ${String(table.basis)}: only monthly bounds are prorated`);
  }
}

function checkQuantityPrecision(ctx: VersionContext, value: SeasonalAmount, path: PathSegment[]): void {
  for (const seasonId of seasonsOf(ctx)) {
    const d = valueIn(value, seasonId);
    if (d && d.scale > 3) {
      ctx.list.error('precision', path, 'quantities have at most 3 decimals (1 Wh)');
      return;
    }
  }
}

function checkBlocks(ctx: VersionContext, rawBlocks: readonly unknown[], path: PathSegment[], energy = false): void {
  const blocks = rawBlocks.map((raw) => {
    const block = recordOf(raw);
    const perKw = block.up_to_per_kw !== undefined;
    return {
      given: block.up_to !== undefined || perKw,
      field: perKw ? 'up_to_per_kw' : 'up_to',
      both: block.up_to !== undefined && perKw,
      upTo: valid(SeasonalAmount, perKw ? block.up_to_per_kw : block.up_to),
      rate: valid(SeasonalAmount, block.rate),
    };
  });
  blocks.forEach((block, i) => {
    const blockPath = [...path, i];
    checkSeasonal(ctx, block.rate, [...blockPath, 'rate']);
    checkSeasonal(ctx, block.upTo, [...blockPath, block.field]);
    const last = i === blocks.length - 1;
    if (!block.given && !last) ctx.list.error('open_block', [...blockPath, 'up_to'], 'is required on every block but the last');
    if (block.given && last) ctx.list.error('open_block', [...blockPath, block.field], 'must be left out: the last block is open-ended');
    if (block.both) ctx.list.error('open_block', [...blockPath, 'up_to_per_kw'], 'give either up_to or up_to_per_kw, not both');
    if (block.field === 'up_to_per_kw' && !energy) {
      ctx.list.error('demand_pricing', [...blockPath, 'up_to_per_kw'], 'only energy tiers can have bounds in kWh per kW');
    }
    if (block.upTo !== undefined) checkQuantityPrecision(ctx, block.upTo, [...blockPath, block.field]);
  });
  if (!ctx.seasonsKnown) return;
  // Bounds of one unit must increase; kWh bounds may sit between kWh-per-kW bounds (they nest).
  for (const seasonId of seasonsOf(ctx)) {
    const previous = new Map<string, Decimal>();
    blocks.forEach((block, i) => {
      if (block.upTo === undefined) return;
      const bound = valueIn(block.upTo, seasonId);
      if (!bound) return;
      const before = previous.get(block.field) ?? ZERO;
      if (compare(bound, before) <= 0) {
        const where = seasonId ? ` in season ${seasonId}` : '';
        ctx.list.error('bounds_not_increasing', [...path, i, block.field], `must be greater than ${formatDecimal(before)}${where}`);
      } else {
        previous.set(block.field, bound);
      }
    });
  }
}

function checkTouEnergy(ctx: VersionContext, tou: Record<string, unknown>, path: PathSegment[]): void {
  const rawRates = recordOf(tou.rates);
  const priced = TOU_PERIODS.filter((p) => rawRates[p] !== undefined);
  if (isRecord(tou.rates) && priced.length === 0) ctx.list.error('energy_pricing', [...path, 'rates'], 'must price at least one TOU period');
  const rates: TouEnergy['rates'] = {};
  let complete = true;
  for (const period of priced) {
    const spec = valid(TouRate, rawRates[period]);
    const ratePath = [...path, 'rates', period];
    if (spec === undefined) {
      complete = false;
      continue;
    }
    rates[period] = spec;
    const optional = ctx.unusedEnergy.get(period) ?? [];
    if (typeof spec === 'object' && !isSeasonMap(spec)) {
      checkSeasonal(ctx, spec.times, [...ratePath, 'times'], optional);
      checkSeasonal(ctx, spec.plus, [...ratePath, 'plus'], optional);
    } else {
      checkSeasonal(ctx, spec, ratePath, optional);
    }
  }
  if (!complete || !ctx.seasonsKnown) return;
  const reported = new Set<string>();
  for (const seasonId of seasonsOf(ctx)) {
    const { values, issues } = resolveTouRates(rates, seasonId);
    for (const issue of issues) {
      const key = `${issue.period}:${issue.code}`;
      if (reported.has(key)) continue;
      reported.add(key);
      ctx.list.error(issue.code, [...path, 'rates', issue.period, 'of'], issue.message);
    }
    // A derived price whose base leaves out a season the derived period is used in.
    for (const period of priced) {
      const spec = rates[period];
      if (values[TOU_PERIODS.indexOf(period)] !== undefined || typeof spec !== 'object' || isSeasonMap(spec)) continue;
      if ((ctx.unusedEnergy.get(period) ?? []).includes(seasonId) || issues.length > 0) continue;
      ctx.list.error('missing_season', [...path, 'rates', period, 'of'],
        `derives from ${spec.of}, which has no price in season ${seasonId}, where ${period} is used`);
    }
  }
}

function checkDemand(ctx: VersionContext, demand: Record<string, unknown>, path: PathSegment[]): void {
  const { list } = ctx;
  const basis = valid(z.enum(DEMAND_BASES), demand.basis);
  const has = (field: string): boolean => demand[field] !== undefined;
  checkSeasonal(ctx, valid(SeasonalAmount, demand.rate), [...path, 'rate']);
  checkSeasonal(ctx, valid(SeasonalAmount, demand.contract_rate), [...path, 'contract_rate']);
  if (Array.isArray(demand.blocks)) checkBlocks(ctx, demand.blocks, [...path, 'blocks']);
  const tou = recordOf(demand.tou);
  for (const period of TOU_PERIODS) {
    const price = recordOf(tou[period]);
    checkSeasonal(ctx, valid(SeasonalAmount, price.rate), [...path, 'tou', period, 'rate'], ctx.unusedDemand.get(period) ?? []);
    if (Array.isArray(price.blocks)) checkBlocks(ctx, price.blocks, [...path, 'tou', period, 'blocks']);
  }
  if (basis === undefined) return;

  const usesMax = basis === 'max_demand' || basis === 'max_demand_or_contract';
  const usesContract = basis === 'contract' || basis === 'max_demand_or_contract';
  if (usesMax && has('rate') === has('blocks')) list.error('demand_pricing', path, `basis ${basis} needs exactly one of rate or blocks`);
  if (usesContract && !has('contract_rate')) list.error('demand_pricing', [...path, 'contract_rate'], `is required with basis ${basis}`);
  if (basis === 'tou') {
    const periods = TOU_PERIODS.filter((p) => tou[p] !== undefined);
    if (periods.length === 0) list.error('demand_pricing', [...path, 'tou'], 'basis tou needs a price for at least one TOU period');
    for (const period of periods) {
      const price = recordOf(tou[period]);
      if ((price.rate === undefined) === (price.blocks === undefined)) {
        list.error('demand_pricing', [...path, 'tou', period], 'needs exactly one of rate or blocks');
      }
    }
  }
  const ignored = [
    ...(!usesMax && has('rate') ? ['rate'] : []),
    ...(!usesMax && has('blocks') ? ['blocks'] : []),
    ...(!usesContract && has('contract_rate') ? ['contract_rate'] : []),
    ...(basis !== 'tou' && has('tou') ? ['tou'] : []),
  ];
  for (const field of ignored) list.warning('demand_pricing', [...path, field], `is ignored with basis ${basis}`);
  if (has('penalty') && (!usesMax || !has('rate'))) {
    list.error('demand_pricing', [...path, 'penalty'], 'needs basis max_demand or max_demand_or_contract with a single rate to multiply');
  }
}

function checkPowerFactor(list: ProblemList, pf: Record<string, unknown>, path: PathSegment[]): void {
  if (!isRecord(pf.tables)) return;
  const tables = pf.tables;
  for (const standard of PF_STANDARD_KEYS) {
    const tablePath = [...path, 'tables', standard];
    if (tables[standard] === undefined) {
      list.error('missing_pf_standard', [...path, 'tables'], `no table for PF standard ${standard} (accounts may have 0.90, 0.85 or 0.80)`);
      continue;
    }
    const bands = arrayOf(tables[standard]).map((band) => valid(PfBand, band));
    const usable: PfBand[] = [];
    bands.forEach((band, b) => {
      if (!band) return;
      const problem = pfBandProblem(band);
      if (problem) list.error('pf_value', [...tablePath, b, problem.field], problem.message);
      else usable.push(band);
    });
    if (usable.length !== bands.length) continue;
    const table = expandPfTable(usable);
    for (const { band, hundredths, other } of table.overlaps) {
      list.error('pf_table_overlap', [...tablePath, band], `PF ${pfText(hundredths)} is already in band ${other}`);
    }
    for (const [from, to] of runs(table.bandOf.map((b) => b === -1))) {
      list.error('pf_table_gap', tablePath, `PF ${pfText(from)}${to > from ? `–${pfText(to)}` : ''} is in no band`);
    }
  }
}

function pfText(hundredths: number): string {
  return (hundredths / 100).toFixed(2);
}

/** Index runs [first, last] where `flags` is true. */
function runs(flags: readonly boolean[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < flags.length; i++) {
    if (!flags[i]) continue;
    let j = i;
    while (j + 1 < flags.length && flags[j + 1]) j++;
    out.push([i, j]);
    i = j;
  }
  return out;
}

function checkSchedule(ctx: VersionContext, version: Record<string, unknown>, path: PathSegment[]): void {
  const { list } = ctx;
  const energyRates = recordOf(recordOf(recordOf(version.energy).tou).rates);
  const demand = recordOf(version.demand);
  const demandTou = demand.basis === 'tou' ? recordOf(demand.tou) : {};
  const ownDemandSchedule = version.demand_schedule !== undefined;
  const holidays = arrayOf(version.holidays);
  holidays.forEach((raw, i) => {
    const date = valid(IsoDate, raw);
    if (date === undefined) return;
    if (Number.isNaN(epochDay(date))) list.error('invalid_date', [...path, 'holidays', i], `${date} is not a calendar date`);
    else if (holidays.indexOf(date) < i) list.warning('duplicate_holiday', [...path, 'holidays', i], `${date} is listed twice`);
  });
  if (version.tou_schedule === undefined && !ownDemandSchedule) {
    if (holidays.length > 0) list.warning('unused_schedule', [...path, 'holidays'], 'holidays only matter with a tou_schedule');
    return;
  }
  if (version.tou_schedule !== undefined) {
    const priced = new Set(TOU_PERIODS.filter((p) => energyRates[p] !== undefined || (!ownDemandSchedule && demandTou[p] !== undefined)));
    const where = `energy.tou.rates${!ownDemandSchedule && demand.basis === 'tou' ? ' or demand.tou' : ''}`;
    checkOneSchedule(list, version.tou_schedule, [...path, 'tou_schedule'], priced, where);
  }
  if (ownDemandSchedule) {
    const priced = new Set(TOU_PERIODS.filter((p) => demandTou[p] !== undefined));
    if (demand.basis !== 'tou') {
      list.warning('unused_schedule', [...path, 'demand_schedule'], 'only demand with basis tou is classified by a schedule');
    }
    checkOneSchedule(list, version.demand_schedule, [...path, 'demand_schedule'], priced, 'demand.tou');
  }
}

function checkOneSchedule(list: ProblemList, schedule: unknown, path: PathSegment[], priced: ReadonlySet<string>, pricedWhere: string): void {
  if (priced.size === 0) list.warning('unused_schedule', path, 'no TOU prices use this schedule');
  if (!Array.isArray(schedule)) {
    checkScheduleMatrix(list, schedule, path, priced, pricedWhere);
    return;
  }
  const parsedRules = schedule.map((rule) => valid(ScheduleRule, rule));
  parsedRules.forEach((rule, r) => {
    if (!rule) return;
    for (const period of TOU_PERIODS) {
      const text = rule.periods[period];
      if (text === undefined) continue;
      const periodPath = [...path, r, 'periods', period];
      for (const range of parseHourRanges(text)) {
        const problem = rangeProblem(range);
        if (problem) list.error('hour_range', periodPath, problem);
      }
      if (priced.size > 0 && !priced.has(period)) list.error('unknown_period', periodPath, `${period} has no price in ${pricedWhere}`);
    }
  });
  const rules = parsedRules.filter((rule): rule is ScheduleRule => rule !== undefined);
  if (rules.length !== parsedRules.length) return;
  const { grid, conflicts } = buildScheduleGrid(rules);
  const conflictText = new Map<string, { rule: number; months: number[]; text: string }>();
  for (const c of conflicts) {
    const month = Math.floor(c.cell / 48) + 1;
    const dayType = DAY_TYPES[Math.floor(c.cell / 24) % 2]!;
    const hour = c.cell % 24;
    const key = `${c.rule}|${dayType}|${hour}|${c.period}|${c.previous}`;
    const entry = conflictText.get(key) ?? { rule: c.rule, months: [], text: `${dayType} hour ${hour} is both ${c.previous} and ${c.period}` };
    entry.months.push(month);
    conflictText.set(key, entry);
  }
  const merged = new Map<string, { rule: number; text: string; hours: string[] }>();
  for (const entry of conflictText.values()) {
    const key = `${entry.rule}|${entry.months.join(',')}`;
    const item = merged.get(key) ?? { rule: entry.rule, text: `in ${monthsText(entry.months)}`, hours: [] };
    item.hours.push(entry.text);
    merged.set(key, item);
  }
  for (const item of merged.values()) {
    list.error('schedule_overlap', [...path, item.rule], `${item.text}: ${item.hours.slice(0, 3).join('; ')}${item.hours.length > 3 ? ` (+${item.hours.length - 3} more hours)` : ''}`);
  }
  // Gaps, grouped by day type and the same missing hours across months for a readable message.
  const gaps = new Map<string, number[]>();
  for (let month = 0; month < 12; month++) {
    for (let dayType = 0; dayType < 2; dayType++) {
      const missing = Array.from({ length: 24 }, (_, h) => grid[cellOf(month, dayType, h)] === UNASSIGNED);
      const hours = runs(missing).map(([a, b]) => `${a}-${b + 1}`).join(', ');
      if (!hours) continue;
      const key = `${DAY_TYPES[dayType]} hours ${hours}`;
      gaps.set(key, [...(gaps.get(key) ?? []), month + 1]);
    }
  }
  for (const [text, months] of gaps) {
    list.error('schedule_gap', path, `${text} have no TOU period in ${monthsText(months)}`);
  }
}

/** A 12×24 schedule: every id in the matrices named in `periods`, every named period priced. */
function checkScheduleMatrix(list: ProblemList, raw: unknown, path: PathSegment[], priced: ReadonlySet<string>, pricedWhere: string): void {
  const matrix = valid(ScheduleMatrix, raw);
  if (!matrix) return;
  for (const [id, period] of Object.entries(matrix.periods)) {
    if (priced.size > 0 && !priced.has(period)) list.error('unknown_period', [...path, 'periods', id], `${period} has no price in ${pricedWhere}`);
  }
  for (const dayType of DAY_TYPES) {
    const months = new Map<number, number[]>();
    matrix[dayType].forEach((row, m) => {
      for (const id of new Set(row)) {
        if (matrix.periods[String(id)] === undefined) months.set(id, [...(months.get(id) ?? []), m + 1]);
      }
    });
    for (const [id, inMonths] of months) {
      list.error('schedule_gap', [...path, dayType], `period id ${id} (${monthsText(inMonths)}) is not named in periods`);
    }
  }
}

function monthsText(months: readonly number[]): string {
  const flags = Array.from({ length: 13 }, (_, m) => months.includes(m));
  const parts = runs(flags).map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`));
  return `month${months.length === 1 ? '' : 's'} ${parts.join(', ')}`;
}

// ---------------------------------------------------------------------------------------------
// versions against each other

function checkVersionRanges(rawVersions: readonly unknown[], list: ProblemList): void {
  interface Range { index: number; id: string | undefined; from: number; to: number }
  const ranges: Range[] = [];
  const seenIds = new Map<string, number>();
  rawVersions.forEach((raw, index) => {
    if (!isRecord(raw)) return;
    const id = typeof raw.version === 'string' ? raw.version : undefined;
    if (id !== undefined) {
      const first = seenIds.get(id);
      if (first !== undefined) list.error('duplicate_version', ['versions', index, 'version'], `version ${id} is already used by versions[${first}]`);
      else seenIds.set(id, index);
    }
    const from = typeof raw.effective_from === 'string' ? epochDay(raw.effective_from) : Number.NaN;
    const to = raw.effective_to === null || raw.effective_to === undefined
      ? Number.POSITIVE_INFINITY
      : typeof raw.effective_to === 'string' ? epochDay(raw.effective_to) : Number.NaN;
    if (Number.isNaN(from) || Number.isNaN(to) || to < from) return;
    ranges.push({ index, id, from, to });
  });
  ranges.sort((a, b) => a.from - b.from || a.index - b.index);
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1]!;
    const next = ranges[i]!;
    const prevName = `version ${prev.id ?? '?'} (versions[${prev.index}])`;
    const at = ['versions', next.index, 'effective_from'];
    if (prev.to >= next.from) {
      const until = prev.to === Number.POSITIVE_INFINITY ? 'is open-ended' : `runs to ${isoDate(prev.to)}`;
      list.error('version_overlap', at, `starts ${isoDate(next.from)}, but ${prevName} ${until}`);
    } else if (prev.to + 1 < next.from) {
      list.error('version_gap', at,
        `leaves ${isoDate(prev.to + 1)} to ${isoDate(next.from - 1)} without a version in force (${prevName} ends ${isoDate(prev.to)})`);
    }
  }
}
