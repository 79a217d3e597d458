// A bill's change against an earlier bill as a waterfall of causes, priced by the tariff engine.
//
// The earlier bill is moved towards the new one one cause at a time, and every intermediate
// point is priced by priceBill: the earlier determinants over the new number of days, then
// scaled by the peers' change, then the account's own determinants, then the new billing month's
// season, then the tariff versions in force for the new period, then review's correction. Each
// step's difference is one cause; the chain starts at the earlier bill's stored amount and ends
// at the new bill's, so the causes add up to the change exactly, to the minor unit, by
// construction (whatever the tariff's rounding does in between). Steps that re-pricing cannot
// reproduce (a stored amount priced under an earlier tariff revision, a policy that no longer
// prices the determinants) go to `other`, never lost.
//
// "Old prices" means the version in force on the earlier bill's last day, made to cover every
// day (a frozen tariff): dates then only count days, and the season follows the billing month
// given, so days, volume and season are each measured at unchanged prices.
import type { PricedBill, PricingInput } from '../../schemas/bill.js';
import { type Cause, type CauseFacts, type CauseKind, type Comparison } from '../../schemas/explanation.js';
import { READ_FLAGS } from '../../schemas/review.js';
import { roundHalfUpDiv, roundHalfUpDivBig } from '../money/index.js';
import { priceBill, splitByDays, type CompiledLine, type CompiledTariff, type CompiledVersion } from '../tariff/index.js';

/** A stored bill with what re-pricing it needs. */
export interface PricedPoint {
  input: PricingInput;
  amountMinor: number;
  readFlags: number;
  tariff: CompiledTariff;
}

export interface ChangeInput {
  against: Comparison;
  previous: PricedPoint;
  current: PricedPoint;
  /** The current bill's determinants as first read, when second review corrected its reads. */
  firstRead: { input: PricingInput; readFlags: number } | null;
  /** Median ratio of kWh per day, current over previous, in the account's class × region; null when unknown. */
  peerRatio: number | null;
  /** Bills closed on estimated reads just before the current one, with their energy and days. */
  estimatesBefore: { bills: number; kwhMilli: number; days: number } | null;
  /** ISO date of a meter exchange in the current period. */
  meterExchangeDate: string | null;
}

class NotPriceable extends Error {}

function price(tariff: CompiledTariff, input: PricingInput): PricedBill {
  try {
    return priceBill(tariff, input);
  } catch (error) {
    // Expected failures (a determinant the frozen version cannot price) end the chain; the rest
    // of the change goes to `other`. Anything else is a bug and must surface.
    if ((error as { code?: unknown }).code !== undefined) throw new NotPriceable((error as Error).message);
    throw error;
  }
}

/** a × b / c rounded half-up, exact for large products. */
function mulDiv(a: number, b: number, c: number): number {
  const product = a * b;
  if (Number.isSafeInteger(product)) return roundHalfUpDiv(product, c);
  return Number(roundHalfUpDivBig(BigInt(a) * BigInt(b), BigInt(c)));
}

/** The input with `kwhMilli` of energy, its TOU split and reactive energy scaled in proportion. */
export function withEnergy(input: PricingInput, kwhMilli: number): PricingInput {
  const base = input.kwhMilli;
  const target = Math.max(0, kwhMilli);
  let tou = input.touKwhMilli;
  if (tou) {
    const weights = [tou.sharp, tou.peak, tou.flat, tou.valley];
    const touTotal = weights[0]! + weights[1]! + weights[2]! + weights[3]!;
    if (touTotal > 0 && base > 0) {
      const parts = splitByDays(mulDiv(touTotal, target, base), weights);
      tou = { sharp: parts[0]!, peak: parts[1]!, flat: parts[2]!, valley: parts[3]! };
    } else {
      tou = { sharp: 0, peak: 0, flat: target, valley: 0 };
    }
  }
  const kvarh = input.kvarhMilli === null || base <= 0 ? input.kvarhMilli : mulDiv(input.kvarhMilli, target, base);
  return { ...input, kwhMilli: target, touKwhMilli: tou, kvarhMilli: kvarh };
}

const frozenCache = new WeakMap<CompiledVersion, CompiledTariff>();

function versionOn(tariff: CompiledTariff, day: number): CompiledVersion | undefined {
  return tariff.versions.find((v) => day >= v.fromDay && day < v.toDay);
}

/** The tariff with one version in force on every day: prices held still while quantities move. */
function frozen(tariff: CompiledTariff, version: CompiledVersion): CompiledTariff {
  let f = frozenCache.get(version);
  if (!f) {
    f = { ...tariff, versions: [{ ...version, fromDay: Number.NEGATIVE_INFINITY, toDay: Number.POSITIVE_INFINITY }] };
    frozenCache.set(version, f);
  }
  return f;
}

const TIERED = new Set(['energy', 'tier_surcharge']);

/** Label of the last line of each tiered charge: the highest tier the energy reached. */
function topTiers(bill: PricedBill): Map<string, string> {
  const top = new Map<string, string>();
  for (const line of bill.lineItems) if (TIERED.has(line.component)) top.set(line.component, line.label);
  return top;
}

function sameTiers(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/**
 * The frozen tariff with every tier of a tiered charge priced at the rate of the tier `top`
 * names: a price list without boundaries, at the marginal price the earlier usage paid. The
 * lines of one charge share a scale (compile.ts), so swapping rates within a charge is exact.
 */
function marginalTariff(tariff: CompiledTariff, top: Map<string, string>): CompiledTariff {
  const version = tariff.versions[0]!;
  const flatten = (lines: readonly CompiledLine[]): CompiledLine[] => {
    const marginal = lines.find((l) => top.get(l.component) === l.label) ?? lines[0]!;
    return lines.map((l) => ({ ...l, rate: marginal.rate }));
  };
  const flattenPlan = <T extends { base: { bounds: readonly number[]; lines: readonly CompiledLine[] }; bonus: { bounds: readonly number[]; lines: readonly CompiledLine[] } | null }>(plan: T | null): T | null =>
    plan && {
      ...plan,
      base: { ...plan.base, lines: flatten(plan.base.lines) },
      bonus: plan.bonus && { ...plan.bonus, lines: flatten(plan.bonus.lines) },
    };
  const seasons = version.seasons.map((s) => ({ ...s, tiers: flattenPlan(s.tiers), tierSurcharge: flattenPlan(s.tierSurcharge) }));
  return { ...tariff, versions: [{ ...version, seasons }] };
}

const whPerDay = (kwhMilli: number, days: number) => (days > 0 ? roundHalfUpDiv(kwhMilli, days) : 0);
const days = (input: PricingInput) => input.endDay - input.startDay;
const versionsOf = (tariff: CompiledTariff, bill: PricedBill) => bill.versions.map((v) => `${tariff.id} ${v}`);

/** The causes of `current.amountMinor − previous.amountMinor`; their amounts add up to it exactly. */
export function waterfall(change: ChangeInput): Cause[] {
  const { previous, current } = change;
  const causes = new Map<CauseKind, Cause>();
  let at = previous.amountMinor;
  const add = (kind: CauseKind, amountMinor: number, facts: CauseFacts = {}) => {
    const cause = causes.get(kind);
    // A cause takes its place in the order at its first non-zero step.
    if (!cause && amountMinor === 0) return;
    if (cause) {
      cause.amountMinor += amountMinor;
      Object.assign(cause.facts, facts);
    } else {
      causes.set(kind, { kind, amountMinor, facts: { ...facts } });
    }
  };
  const move = (kind: CauseKind, total: number, facts?: CauseFacts) => {
    add(kind, total - at, facts);
    at = total;
  };

  try {
    move('other', price(previous.tariff, previous.input).totalMinor);
    const oldVersion = versionOn(previous.tariff, previous.input.endDay - 1);
    if (!oldVersion) throw new NotPriceable('no version in force on the earlier bill\'s last day');
    const oldPrices = frozen(previous.tariff, oldVersion);
    const earlierBill = price(oldPrices, previous.input);
    move('price_version', earlierBill.totalMinor);

    // Days: the earlier kWh per day over the new period (season and prices still the earlier ones).
    const fromDays = days(previous.input);
    const toDays = days(current.input);
    const overNewDays = withEnergy({ ...previous.input, startDay: current.input.startDay, endDay: current.input.endDay },
      mulDiv(previous.input.kwhMilli, toDays, fromDays));
    const daysBill = price(oldPrices, overNewDays);
    move('days', daysBill.totalMinor, { fromDays, toDays });

    // Volume: weather (the peers' change), then the account's own determinants, at old prices.
    const target = change.firstRead ?? { input: current.input, readFlags: current.readFlags };
    const atOldSeason = { ...target.input, period: previous.input.period };
    const points: { kind: CauseKind; input: PricingInput; facts: CauseFacts }[] = [];
    let last = overNewDays;
    const ratio = change.peerRatio;
    if (ratio !== null && Number.isFinite(ratio) && ratio > 0 && ratio !== 1) {
      const weather = withEnergy(overNewDays, Math.round(overNewDays.kwhMilli * ratio));
      points.push({
        kind: 'weather', input: weather,
        facts: { peerChangePercent: Math.round((ratio - 1) * 1000) / 10, fromWhPerDay: whPerDay(last.kwhMilli, toDays), toWhPerDay: whPerDay(weather.kwhMilli, toDays) },
      });
      last = weather;
    }
    const flags = target.readFlags;
    const estimated = (flags & READ_FLAGS.estimatedClose) !== 0;
    const estimates = change.estimatesBefore;
    if (!estimated && (flags & READ_FLAGS.estimatedOpen) !== 0 && estimates && estimates.bills > 0) {
      // The actual read bills what the estimates missed: spread the energy read over the whole
      // run at one rate, and what lands beyond this period's days is the catch-up.
      const own = mulDiv(estimates.kwhMilli + target.input.kwhMilli, toDays, estimates.days + toDays);
      const usage = withEnergy(atOldSeason, own);
      points.push({ kind: 'usage', input: usage, facts: { fromWhPerDay: whPerDay(last.kwhMilli, toDays), toWhPerDay: whPerDay(own, toDays) } });
      points.push({ kind: 'catch_up', input: atOldSeason, facts: { kwhMilli: target.input.kwhMilli - own, estimatedBills: estimates.bills } });
    } else {
      const kind: CauseKind = estimated ? 'estimate' : (flags & READ_FLAGS.meterExchange) !== 0 ? 'meter_exchange' : 'usage';
      const facts: CauseFacts = { fromWhPerDay: whPerDay(last.kwhMilli, toDays), toWhPerDay: whPerDay(target.input.kwhMilli, toDays) };
      if (kind === 'meter_exchange' && change.meterExchangeDate) facts.date = change.meterExchangeDate;
      points.push({ kind, input: atOldSeason, facts });
    }
    const totals = points.map((p) => price(oldPrices, p.input));
    const finalBill = totals.at(-1)!;
    const fromTop = topTiers(daysBill);
    const toTop = topTiers(finalBill);
    if (sameTiers(fromTop, toTop)) {
      for (let i = 0; i < points.length; i++) move(points[i]!.kind, totals[i]!.totalMinor, points[i]!.facts);
    } else {
      // A tier boundary was crossed: each volume step is measured at the earlier marginal price,
      // and what the tiers add beyond that is the crossing.
      const marginal = marginalTariff(oldPrices, fromTop);
      let flatAt = price(marginal, overNewDays).totalMinor;
      for (const p of points) {
        const flat = price(marginal, p.input).totalMinor;
        add(p.kind, flat - flatAt, p.facts);
        at += flat - flatAt;
        flatAt = flat;
      }
      const component = fromTop.has('tier_surcharge') || toTop.has('tier_surcharge') ? 'tier_surcharge' : 'energy';
      move('tier', finalBill.totalMinor, { fromTier: fromTop.get(component), toTier: toTop.get(component) });
    }

    // Season: the same determinants in the new billing month, still at the earlier version.
    const seasonBill = price(oldPrices, target.input);
    const month = (p: string) => Number(p.slice(5, 7));
    const seasonChanged = oldVersion.seasonOfMonth[month(previous.input.period) - 1] !== oldVersion.seasonOfMonth[month(current.input.period) - 1];
    move(seasonChanged ? 'season' : 'other', seasonBill.totalMinor,
      seasonChanged ? { fromPeriod: previous.input.period, toPeriod: current.input.period } : {});

    // Prices: the tariff versions in force for the new period (a mid-period change prorated).
    const newPrices = price(current.tariff, target.input);
    move('price_version', newPrices.totalMinor, {
      fromVersions: versionsOf(previous.tariff, price(previous.tariff, previous.input)), toVersions: versionsOf(current.tariff, newPrices),
    });
    if (change.firstRead) move('correction', price(current.tariff, current.input).totalMinor, { firstAmountMinor: newPrices.totalMinor });
  } catch (error) {
    if (!(error instanceof NotPriceable)) throw error;
  }
  move('other', current.amountMinor);

  const out = [...causes.values()].filter((c) => c.amountMinor !== 0);
  const sum = out.reduce((s, c) => s + c.amountMinor, 0);
  if (sum !== current.amountMinor - previous.amountMinor) throw new Error(`waterfall does not add up: ${sum} against ${current.amountMinor - previous.amountMinor}`);
  return out;
}
