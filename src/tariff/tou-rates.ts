// TOU prices are often published as ratios of the flat price (peak 1.7×, valley 0.38×) and in
// chains (critical = peak × 1.25). Derived prices are computed exactly (decimal products), and only
// rounded when the policy says so (`decimals`), as some regulators publish rounded prices.
import { TOU_PERIODS, type TouPeriod } from '../../schemas/inputs.js';
import type { TouEnergy } from '../../schemas/tariff.js';
import { add, type Decimal, decimalOf, multiply, ONE, roundDecimal, ZERO } from '../money/index.js';
import { inSeasonIfGiven, isSeasonMap } from './seasons.js';

export interface TouRateIssue {
  period: TouPeriod;
  code: 'unknown_period' | 'rate_cycle';
  message: string;
}

/**
 * Prices per period (index = TOU_PERIODS order; undefined = not priced) in one season. A map per
 * season that leaves this season out prices nothing here (validation allows that only for periods
 * the season's months never schedule).
 */
export function resolveTouRates(
  rates: TouEnergy['rates'], seasonId: string,
): { values: (Decimal | undefined)[]; issues: TouRateIssue[] } {
  const values: (Decimal | undefined)[] = [undefined, undefined, undefined, undefined];
  // Depth-first visit marks: a period met again while 'visiting' closes a cycle of derived prices.
  const state: ('unvisited' | 'visiting' | 'done')[] = ['unvisited', 'unvisited', 'unvisited', 'unvisited'];
  const issues: TouRateIssue[] = [];

  const resolve = (p: number, chain: TouPeriod[]): Decimal | undefined => {
    if (state[p] === 'done') return values[p];
    const period = TOU_PERIODS[p]!;
    const spec = rates[period];
    if (spec === undefined) return undefined;
    if (state[p] === 'visiting') {
      const cycle = [...chain.slice(chain.indexOf(period)), period];
      issues.push({ period, code: 'rate_cycle', message: `derived prices form a cycle: ${cycle.join(' → ')}` });
      return undefined;
    }
    state[p] = 'visiting';
    let value: Decimal | undefined;
    if (typeof spec === 'object' && !isSeasonMap(spec)) {
      const basePeriod = TOU_PERIODS.indexOf(spec.of);
      const base = resolve(basePeriod, [...chain, period]);
      if (rates[spec.of] === undefined) {
        issues.push({ period, code: 'unknown_period', message: `derives from ${spec.of}, which has no price` });
      } else if (base) {
        const timesValue = spec.times === undefined ? 1 : inSeasonIfGiven(spec.times, seasonId);
        const plusValue = spec.plus === undefined ? 0 : inSeasonIfGiven(spec.plus, seasonId);
        const times = timesValue === undefined ? undefined : spec.times === undefined ? ONE : decimalOf(timesValue);
        const plus = plusValue === undefined ? undefined : spec.plus === undefined ? ZERO : decimalOf(plusValue);
        if (times && plus) {
          value = add(multiply(base, times), plus);
          if (spec.decimals !== undefined) value = roundDecimal(value, spec.decimals);
        }
      }
    } else {
      const given = inSeasonIfGiven(spec, seasonId);
      value = given === undefined ? undefined : decimalOf(given);
    }
    values[p] = value;
    state[p] = 'done';
    return value;
  };

  for (let p = 0; p < TOU_PERIODS.length; p++) resolve(p, []);
  return { values, issues };
}
