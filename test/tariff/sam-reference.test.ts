// The four public SAM hourly-load cases (test/fixtures/sam-reference/data, a copy of ../shared/data/sam-utilityrate) billed for the twelve
// calendar months of their year and compared, to the cent, with the bills of an independent
// calculator (test/fixtures/sam-reference/sam_reference.py, exact rational arithmetic straight
// from SAM's JSON). The determinants are summed here from the hourly loads by the policy's own
// 12×24 matrices, without billrun's schedule code; billrun's engine only prices them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PricingInput } from '../../schemas/bill.js';
import type { ScheduleMatrix, TariffPolicy, TouPeriodName } from '../../schemas/tariff.js';
import { compileTariff, formatProblem, parsePolicy, priceBill, touPeriodAt } from '../../src/tariff/index.js';
import { lineSum } from './helpers.js';

const fixtures = new URL('../fixtures/sam-reference/', import.meta.url);
const data = new URL('data/', fixtures);

interface Expected {
  months: Record<string, { kwh: string; peak_kw: string; bill: string; bill_cents: number }>;
  year_cents: number;
}
const expected = JSON.parse(readFileSync(new URL('expected-bills.json', fixtures), 'utf8')) as Record<string, Expected>;

const CASES = [
  { name: 'residential_tou', policy: 'SAM-RES-TOU', load: 'residential.csv' },
  { name: 'residential_tou_tiers', policy: 'SAM-RES-TOU-TIERS', load: 'residential.csv' },
  { name: 'commercial_demand', policy: 'SAM-COM-DEMAND', load: 'commercial.csv' },
  { name: 'commercial_kwh_per_kw', policy: 'SAM-COM-KWH-PER-KW', load: 'commercial_large.csv' },
] as const;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** The data's year: 365 days, 1 January a Monday — 2018 is such a year. */
const YEAR_START_DAY = Date.UTC(2018, 0, 1) / 86_400_000;

/** Hourly kW text → whole Wh (W), rounded half-up from the decimal text itself, never via a float. */
function wattHours(text: string): number {
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) throw new Error(`not a plain non-negative decimal: ${text}`);
  const fraction = (match[2] ?? '').padEnd(4, '0');
  return Number(match[1]) * 1000 + Number(fraction.slice(0, 3)) + (fraction.charCodeAt(3) >= 53 ? 1 : 0);
}

function loadWh(file: string): number[] {
  const lines = readFileSync(new URL(`loads/${file}`, data), 'utf8').trim().split('\n');
  expect(lines[0]).toBe('kw');
  return lines.slice(1).map(wattHours);
}

function policyOf(id: string): TariffPolicy {
  const { policy, problems } = parsePolicy(readFileSync(new URL(`policies/${id}.yaml`, fixtures), 'utf8'), 'yaml', `${id}.yaml`);
  if (!policy) throw new Error(problems.map(formatProblem).join('\n'));
  return policy;
}

type Quantities = Record<TouPeriodName, number>;
const zero = (): Quantities => ({ sharp: 0, peak: 0, flat: 0, valley: 0 });

/** One calendar month's determinants: the hours summed (and maxed) by the policy's matrices. */
function determinants(policy: TariffPolicy, wh: readonly number[], month: number): PricingInput {
  const version = policy.versions[0]!;
  const energy = version.tou_schedule as ScheduleMatrix | undefined;
  const demand = (version.demand_schedule ?? version.tou_schedule) as ScheduleMatrix | undefined;
  const firstDay = DAYS_IN_MONTH.slice(0, month).reduce((a, b) => a + b, 0);
  const days = DAYS_IN_MONTH[month]!;
  const periodOf = (schedule: ScheduleMatrix, day: number, hour: number): TouPeriodName =>
    schedule.periods[String((day % 7 >= 5 ? schedule.weekend : schedule.weekday)[month]![hour])]!;
  const touKwh = zero();
  const touDemand = zero();
  let kwh = 0;
  let peak = 0;
  for (let day = firstDay; day < firstDay + days; day++) {
    for (let hour = 0; hour < 24; hour++) {
      const value = wh[day * 24 + hour]!;
      kwh += value;
      peak = Math.max(peak, value);
      if (energy) touKwh[periodOf(energy, day, hour)] += value;
      if (demand) {
        const p = periodOf(demand, day, hour);
        touDemand[p] = Math.max(touDemand[p], value);
      }
    }
  }
  return {
    period: `2018-${String(month + 1).padStart(2, '0')}`,
    startDay: YEAR_START_DAY + firstDay,
    endDay: YEAR_START_DAY + firstDay + days,
    customerClass: 'commercial',
    householdSize: null,
    contractKva: null,
    pfStandard: null,
    kwhMilli: kwh,
    touKwhMilli: energy ? touKwh : null,
    demandMilli: peak,
    touDemandMilli: demand ? touDemand : null,
    kvarhMilli: null,
    ytdKwhMilli: 0,
    ytdAmountMinor: 0,
  };
}

const milliText = (milli: number) => `${Math.floor(milli / 1000)}.${String(milli % 1000).padStart(3, '0')}`.replace(/\.?0+$/, '');

describe('SAM hourly-load cases against the independent reference', () => {
  for (const { name, policy: id, load } of CASES) {
    describe(name, () => {
      const policy = policyOf(id);
      const tariff = compileTariff(policy);
      const wh = loadWh(load);
      const reference = expected[name]!;

      it('bills each calendar month of the year to the cent', () => {
        let year = 0;
        for (let month = 0; month < 12; month++) {
          const input = determinants(policy, wh, month);
          const want = reference.months[input.period]!;
          // The same determinants as the reference read: total kWh and the month's peak kW.
          expect(milliText(input.kwhMilli), `${input.period} kWh`).toBe(want.kwh.replace(/\.?0+$/, ''));
          expect(milliText(input.demandMilli!), `${input.period} peak`).toBe(want.peak_kw.replace(/\.?0+$/, ''));
          const bill = priceBill(tariff, input);
          expect(bill.totalMinor, `${input.period} bill`).toBe(want.bill_cents);
          expect(lineSum(bill)).toBe(bill.totalMinor);
          year += bill.totalMinor;
        }
        expect(year).toBe(reference.year_cents);
      });

      it('classifies every hour as the policy\'s matrices say (touPeriodAt)', () => {
        const version = policy.versions[0]!;
        if (!version.tou_schedule) return;
        for (const [use, schedule] of [['energy', version.tou_schedule], ['demand', version.demand_schedule ?? version.tou_schedule]] as const) {
          const matrix = schedule as ScheduleMatrix;
          for (let day = 0; day < 365; day++) {
            const month = new Date(Date.UTC(2018, 0, 1 + day)).getUTCMonth();
            for (let hour = 0; hour < 24; hour++) {
              const id = (day % 7 >= 5 ? matrix.weekend : matrix.weekday)[month]![hour]!;
              expect(touPeriodAt(tariff, YEAR_START_DAY + day, hour, use)).toBe(matrix.periods[String(id)]);
            }
          }
        }
      });
    });
  }
});
