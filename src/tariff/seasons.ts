// Seasons split the calendar months of a version; any amount may be given once or per season.
// The billing month (PricingInput.period) picks the season, also for days of a period that fall
// in another month, as utilities price a whole bill by its billing month.
import type { Season, SeasonalAmount, TouRate } from '../../schemas/tariff.js';

/** Season ids in declaration order ([''] for a version without seasons) and the season index of each month. */
export interface SeasonIndex {
  readonly ids: readonly string[];
  readonly labels: readonly string[];
  /** ofMonth[month − 1] = index into ids. */
  readonly ofMonth: readonly number[];
}

export function seasonIndex(seasons: readonly Season[] | undefined): SeasonIndex {
  if (!seasons || seasons.length === 0) return { ids: [''], labels: [''], ofMonth: new Array<number>(12).fill(0) };
  const ofMonth = new Array<number>(12).fill(0);
  seasons.forEach((season, i) => {
    for (const month of season.months) ofMonth[month - 1] = i;
  });
  return { ids: seasons.map((s) => s.id), labels: seasons.map((s) => s.label ?? s.id), ofMonth };
}

export function isSeasonMap(value: SeasonalAmount | TouRate | undefined): value is Record<string, string | number> {
  return typeof value === 'object' && value !== null && !('of' in value);
}

/** The value in season `seasonId`, or undefined when a per-season map leaves that season out. */
export function inSeasonIfGiven(value: SeasonalAmount, seasonId: string): string | number | undefined {
  return isSeasonMap(value) ? value[seasonId] : value;
}

/** The value of `value` in season `seasonId` (the value itself when it is not given per season). */
export function inSeason(value: SeasonalAmount, seasonId: string): string | number {
  if (!isSeasonMap(value)) return value;
  const v = value[seasonId];
  if (v === undefined) throw new RangeError(`no value for season ${seasonId}`);
  return v;
}
