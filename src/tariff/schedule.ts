// TOU schedules: which period each hour belongs to, by month and by weekday/weekend, with listed
// holidays counting as weekend days. The same grid classifies interval data in JS (touPeriodAt)
// and, materialised as rows, in SQL (touScheduleRows / holidayRows): both read one grid, so they
// cannot disagree.
import { TOU_PERIODS, type TouPeriod } from '../../schemas/inputs.js';
import type { ScheduleRule, TariffPolicy, TariffVersion, TouSchedule } from '../../schemas/tariff.js';
import { epochDay, monthOfDay, weekday } from '../calendar/index.js';
import type { CompiledTariff } from './compile.js';
import { PricingError } from './errors.js';
import { findVersion } from './versions.js';

export const DAY_TYPES = ['weekday', 'weekend'] as const;
export type DayType = (typeof DAY_TYPES)[number];
/** Cells of a grid: month (0–11) × day type (0 weekday, 1 weekend) × hour (0–23). */
export const SCHEDULE_CELLS = 12 * 2 * 24;
export const UNASSIGNED = -1;

export function cellOf(monthIndex: number, dayType: number, hour: number): number {
  return (monthIndex * 2 + dayType) * 24 + hour;
}

/** Hour ranges "0-8, 22-24" → [[0, 8], [22, 24]]; ranges are not checked here (see rangeProblem). */
export function parseHourRanges(text: string): [number, number][] {
  return text.split(',').map((part) => {
    const [a, b] = part.split('-').map((s) => Number(s.trim()));
    return [a!, b!];
  });
}

export function rangeProblem([start, end]: [number, number]): string | undefined {
  if (start >= 0 && end <= 24 && start < end) return undefined;
  return `hour range ${start}-${end} must lie within 0-24 with its start before its end (end exclusive)`;
}

export interface ScheduleCellConflict {
  rule: number;
  cell: number;
  period: TouPeriod;
  previous: TouPeriod;
}

/**
 * Fills a grid from hour-range rules (later rules do not overwrite earlier ones, conflicts are
 * listed) or from 12×24 matrices (ids missing from `periods` stay unassigned: validation reports them).
 */
export function buildScheduleGrid(schedule: TouSchedule): { grid: Int8Array; conflicts: ScheduleCellConflict[] } {
  const grid = new Int8Array(SCHEDULE_CELLS).fill(UNASSIGNED);
  const conflicts: ScheduleCellConflict[] = [];
  if (!Array.isArray(schedule)) {
    const matrices = [schedule.weekday, schedule.weekend];
    for (let dayType = 0; dayType < 2; dayType++) {
      for (let month = 0; month < 12; month++) {
        for (let hour = 0; hour < 24; hour++) {
          const period = schedule.periods[String(matrices[dayType]![month]![hour])];
          if (period !== undefined) grid[cellOf(month, dayType, hour)] = TOU_PERIODS.indexOf(period);
        }
      }
    }
    return { grid, conflicts };
  }
  const rules: readonly ScheduleRule[] = schedule;
  rules.forEach((rule, r) => {
    const dayTypes = rule.days === 'all' ? [0, 1] : [rule.days === 'weekday' ? 0 : 1];
    TOU_PERIODS.forEach((period, p) => {
      const text = rule.periods[period];
      if (text === undefined) return;
      for (const range of parseHourRanges(text)) {
        if (rangeProblem(range)) continue;
        for (const month of rule.months) {
          for (const dayType of dayTypes) {
            for (let hour = range[0]; hour < range[1]; hour++) {
              const cell = cellOf(month - 1, dayType, hour);
              const previous = grid[cell]!;
              if (previous === UNASSIGNED) grid[cell] = p;
              else conflicts.push({ rule: r, cell, period, previous: TOU_PERIODS[previous]! });
            }
          }
        }
      }
    });
  });
  return { grid, conflicts };
}

/**
 * TOU period of the hour beginning at `hour` (0–23) of `day` under the version in force that day,
 * by the energy schedule or (`demand`) the one that classifies demand.
 */
export function touPeriodAt(tariff: CompiledTariff, day: number, hour: number, use: 'energy' | 'demand' = 'energy'): TouPeriod {
  if (!(Number.isInteger(hour) && hour >= 0 && hour < 24)) throw new RangeError(`hour must be a whole hour 0–23, got ${hour}`);
  const version = findVersion(tariff, day);
  if (!version) {
    throw new PricingError('no_version_in_force', `tariff ${tariff.id} has no version in force on day ${day}`);
  }
  const grid = use === 'demand' ? version.demandSchedule : version.schedule;
  if (!grid) {
    throw new PricingError('no_tou_schedule',
      `tariff ${tariff.id} version ${version.version} has no TOU schedule, so interval data cannot be split into TOU periods`);
  }
  const dayType = version.holidays.has(day) || weekday(day) === 0 || weekday(day) === 6 ? 1 : 0;
  return TOU_PERIODS[grid[cellOf(monthOfDay(day) - 1, dayType, hour)]!]!;
}

export interface TouScheduleRow {
  tariff_id: string;
  version: string;
  effective_from: string;
  effective_to: string | null;
  month: number;
  day_type: DayType;
  hour: number;
  period: TouPeriod;
}

/** The energy schedule of every version that has one, 576 rows per version, for SQL classification. */
export function touScheduleRows(policy: TariffPolicy): TouScheduleRow[] {
  return scheduleRows(policy, (version) => version.tou_schedule);
}

/**
 * The schedule that classifies interval demand, for versions whose demand_schedule differs from
 * the energy schedule; a version not listed here classifies demand with its touScheduleRows.
 */
export function demandScheduleRows(policy: TariffPolicy): TouScheduleRow[] {
  return scheduleRows(policy, (version) => version.demand_schedule);
}

export interface StoredScheduleRow {
  tariff_id: string;
  version: string;
  month: number;
  day_type: DayType;
  hour: number;
  /** The energy period; null in a version without an energy schedule. */
  period: TouPeriod | null;
  /** The period that classifies demand: demand_schedule's, else the energy schedule's. */
  demand_period: TouPeriod | null;
}

/**
 * The rows of the store's tariff_schedule: per version that has either schedule, 576 cells with
 * the energy period and the demand period side by side, so SQL classifies interval demand by the
 * same grid compileTariff's demandSchedule (and touPeriodAt(…, 'demand')) uses.
 */
export function storedScheduleRows(policy: TariffPolicy): StoredScheduleRow[] {
  const rows: StoredScheduleRow[] = [];
  const periodOf = (grid: Int8Array | null, cell: number) => (grid && grid[cell]! !== UNASSIGNED ? TOU_PERIODS[grid[cell]!]! : null);
  for (const version of policy.versions) {
    const demandSchedule = version.demand_schedule ?? version.tou_schedule;
    if (!version.tou_schedule && !demandSchedule) continue;
    const energy = version.tou_schedule ? buildScheduleGrid(version.tou_schedule).grid : null;
    const demand = demandSchedule ? buildScheduleGrid(demandSchedule).grid : null;
    for (let month = 1; month <= 12; month++) {
      for (let dayType = 0; dayType < 2; dayType++) {
        for (let hour = 0; hour < 24; hour++) {
          const cell = cellOf(month - 1, dayType, hour);
          rows.push({
            tariff_id: policy.id, version: version.version, month, day_type: DAY_TYPES[dayType]!, hour,
            period: periodOf(energy, cell), demand_period: periodOf(demand, cell),
          });
        }
      }
    }
  }
  return rows;
}

function scheduleRows(policy: TariffPolicy, pick: (version: TariffVersion) => TouSchedule | undefined): TouScheduleRow[] {
  const rows: TouScheduleRow[] = [];
  for (const version of policy.versions) {
    const schedule = pick(version);
    if (!schedule) continue;
    const { grid } = buildScheduleGrid(schedule);
    for (let month = 1; month <= 12; month++) {
      for (let dayType = 0; dayType < 2; dayType++) {
        for (let hour = 0; hour < 24; hour++) {
          rows.push({
            tariff_id: policy.id,
            version: version.version,
            effective_from: version.effective_from,
            effective_to: version.effective_to ?? null,
            month,
            day_type: DAY_TYPES[dayType]!,
            hour,
            period: TOU_PERIODS[grid[cellOf(month - 1, dayType, hour)]!]!,
          });
        }
      }
    }
  }
  return rows;
}

export interface HolidayRow {
  tariff_id: string;
  version: string;
  date: string;
}

export function holidayRows(policy: TariffPolicy): HolidayRow[] {
  return policy.versions.flatMap((version) =>
    [...new Set(version.holidays ?? [])].map((date) => ({ tariff_id: policy.id, version: version.version, date })));
}

export function holidayDays(dates: readonly string[] | undefined): Set<number> {
  return new Set((dates ?? []).map((d) => epochDay(d)));
}
