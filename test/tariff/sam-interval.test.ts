// Interval billing on public data: NREL SAM's "commercial demand charges" tariff and hourly load
// (fixtures/sam/README.md). The SAM schedule is converted to a policy; the hourly loads are
// classified with touPeriodAt and priced with priceBill, and both are checked against a
// straightforward computation that reads the SAM matrices directly.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TouPeriod } from '../../schemas/inputs.js';
import type { ScheduleRule, TariffPolicy } from '../../schemas/tariff.js';
import { epochDay, isoDate } from '../../src/calendar/index.js';
import { compileTariff, priceBill, touPeriodAt } from '../../src/tariff/index.js';
import { monthInput } from './helpers.js';

interface SamCase {
  fixed_monthly_charge: number;
  energy: { weekday_schedule: number[][]; weekend_schedule: number[][]; periods: Record<string, { max: number | null; rate: number }[]> };
  demand: { weekday_schedule: number[][]; weekend_schedule: number[][]; periods: Record<string, { max: number | null; rate: number }[]> };
}

const fixtures = new URL('./fixtures/sam/', import.meta.url);
const sam = JSON.parse(readFileSync(new URL('commercial_demand.json', fixtures), 'utf8')) as SamCase;
const loads = readFileSync(new URL('commercial-jan-jul.csv', fixtures), 'utf8').trim().split('\n').slice(1)
  .map((line) => line.split(',').map(Number) as [number, number]);

// SAM energy periods 1/2 are summer peak/off-peak (May–Oct), 3/4 the winter ones; demand periods
// 1/2 are peak/off-peak all year. Off-peak becomes our flat period.
const ENERGY_PERIOD: Record<number, TouPeriod> = { 1: 'peak', 2: 'flat', 3: 'peak', 4: 'flat' };
const DEMAND_PERIOD: Record<number, TouPeriod> = { 1: 'peak', 2: 'flat' };
// The data's year: 365 days, 1 January a Monday, no holidays: 2018 is such a year.
const YEAR_START = epochDay('2018-01-01');
const SUMMER = [5, 6, 7, 8, 9, 10];

function hourRanges(row: readonly number[], samPeriod: number): string | undefined {
  const ranges: string[] = [];
  for (let h = 0; h < 24; h++) {
    if (row[h] !== samPeriod) continue;
    let end = h;
    while (end + 1 < 24 && row[end + 1] === samPeriod) end++;
    ranges.push(`${h}-${end + 1}`);
    h = end;
  }
  return ranges.length > 0 ? ranges.join(', ') : undefined;
}

function samPolicy(): TariffPolicy {
  const rules: ScheduleRule[] = [];
  for (let m = 0; m < 12; m++) {
    for (const [days, matrix] of [['weekday', sam.energy.weekday_schedule], ['weekend', sam.energy.weekend_schedule]] as const) {
      const periods: ScheduleRule['periods'] = {};
      for (const samPeriod of [1, 2, 3, 4]) {
        const ranges = hourRanges(matrix[m]!, samPeriod);
        if (ranges) periods[ENERGY_PERIOD[samPeriod]!] = ranges;
      }
      rules.push({ months: [m + 1], days, periods });
    }
  }
  const rate = (p: string) => String(sam.energy.periods[p]![0]!.rate);
  const demandBlocks = (p: string) => sam.demand.periods[p]!.map((tier) => (tier.max === null ? { rate: tier.rate } : { up_to: tier.max, rate: tier.rate }));
  return {
    id: 'SAM-COM-DEMAND',
    name: 'NREL SAM commercial demand charges',
    currency: 'USD',
    versions: [{
      version: 'sam',
      effective_from: '2018-01-01',
      seasons: [{ id: 'summer', months: SUMMER }, { id: 'winter', months: [1, 2, 3, 4, 11, 12] }],
      fixed: [{ label: 'Fixed charge', per: 'month', amount: sam.fixed_monthly_charge }],
      energy: { tou: { rates: { peak: { summer: rate('1'), winter: rate('3') }, flat: { summer: rate('2'), winter: rate('4') } } } },
      demand: { basis: 'tou', tou: { peak: { blocks: demandBlocks('1') }, flat: { blocks: demandBlocks('2') } } },
      tou_schedule: rules,
    }],
  };
}

/** Period of record k straight from the SAM matrices (weekday = Monday–Friday of the data's year). */
function samPeriods(k: number): { energy: TouPeriod; demand: TouPeriod } {
  const dayOfYear = Math.floor(k / 24);
  const weekend = dayOfYear % 7 >= 5;
  const month = new Date(Date.UTC(2018, 0, 1 + dayOfYear)).getUTCMonth();
  const energy = (weekend ? sam.energy.weekend_schedule : sam.energy.weekday_schedule)[month]![k % 24]!;
  const demand = (weekend ? sam.demand.weekend_schedule : sam.demand.weekday_schedule)[month]![k % 24]!;
  return { energy: ENERGY_PERIOD[energy]!, demand: DEMAND_PERIOD[demand]! };
}

describe('SAM commercial demand tariff on hourly loads', () => {
  const tariff = compileTariff(samPolicy());

  it('classifies every hour of the year as the SAM schedules do', () => {
    for (let k = 0; k < 8760; k++) {
      const { energy, demand } = samPeriods(k);
      // One schedule serves energy and demand: the SAM matrices agree hour by hour.
      expect(demand, `record ${k}`).toBe(energy);
      expect(touPeriodAt(tariff, YEAR_START + Math.floor(k / 24), k % 24), `record ${k}`).toBe(energy);
    }
  });

  for (const [period, first] of [['2018-01', 0], ['2018-07', 4344]] as const) {
    it(`prices ${period} from the hourly loads`, () => {
      const hours = loads.filter(([k]) => k >= first && k < first + 744);
      expect(hours).toHaveLength(744);
      // Classify with touPeriodAt; hourly kW over one hour is kWh, kept as whole Wh.
      const kwh = { sharp: 0, peak: 0, flat: 0, valley: 0 };
      const peakKw = { sharp: 0, peak: 0, flat: 0, valley: 0 };
      for (const [k, kw] of hours) {
        const p = touPeriodAt(tariff, YEAR_START + Math.floor(k / 24), k % 24);
        const wh = Math.round(kw * 1000);
        kwh[p] += wh;
        peakKw[p] = Math.max(peakKw[p], wh);
      }
      const total = kwh.peak + kwh.flat;
      const bill = priceBill(tariff, monthInput(period, 0, { kwhMilli: total, touKwhMilli: kwh, touDemandMilli: peakKw, customerClass: 'commercial' }));

      // Independent: SAM matrices, integer arithmetic in millicents.
      const summer = SUMMER.includes(Number(period.slice(5)));
      const energyRate = { peak: sam.energy.periods[summer ? '1' : '3']![0]!.rate, flat: sam.energy.periods[summer ? '2' : '4']![0]!.rate };
      let energyExact = 0; // Wh × $/kWh × 1e5 = 1e-3 cents × 1e-3
      const demandW = { peak: 0, flat: 0 };
      for (const [k, kw] of hours) {
        const p = samPeriods(k).energy as 'peak' | 'flat';
        const wh = Math.round(kw * 1000);
        energyExact += wh * Math.round(energyRate[p] * 1000); // Wh × mills/kWh = 1e-6 $
        demandW[p] = Math.max(demandW[p], wh);
      }
      const roundDiv = (n: number, d: number) => Math.floor((n + d / 2) / d);
      const energyCents = roundDiv(energyExact, 10_000); // 1e-6 $ → cents
      const demandCents = (w: number, tiers: { max: number | null; rate: number }[]) => {
        let left = w;
        let lower = 0;
        let exact = 0; // W × $/kW = 1e-3 $
        for (const tier of tiers) {
          const width = tier.max === null ? left : Math.min(left, tier.max * 1000 - lower);
          exact += width * tier.rate;
          left -= width;
          lower += width;
        }
        return roundDiv(exact, 10);
      };
      const expected = sam.fixed_monthly_charge * 100 + energyCents
        + demandCents(demandW.peak, sam.demand.periods['1']!) + demandCents(demandW.flat, sam.demand.periods['2']!);

      expect(kwh.sharp + kwh.valley).toBe(0);
      expect({ peak: peakKw.peak, flat: peakKw.flat }).toEqual(demandW);
      expect(bill.totalMinor).toBe(expected);
      expect(bill.lineItems.map((l) => l.label)).toEqual([
        'Fixed charge', 'Peak', 'Flat',
        ...(demandW.peak > 100_000 ? ['Peak demand 1 (0–100 kW)', 'Peak demand 2 (>100 kW)'] : ['Peak demand 1 (0–100 kW)']),
        ...(demandW.flat > 100_000 ? ['Flat demand 1 (0–100 kW)', 'Flat demand 2 (>100 kW)'] : ['Flat demand 1 (0–100 kW)']),
      ]);
      expect(isoDate(YEAR_START + Math.floor(first / 24))).toBe(`${period}-01`);
    });
  }
});
