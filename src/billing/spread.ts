// The account's own spread of log kWh/day, as determinants.sql's measured_changes computes it
// from its measured months' changes (m of them, up to 23 in two years): the root mean square of
// the smallest keptChanges(m) of them, times CHANGE_SPREAD_FACTORS[m − 1].
//
// Why not the median change (a MAD): with 23 changes its relative error is 26% (36% with 11),
// so for about one account in six a band of spread_z σ drawn from it is a band of ~3 σ and
// flags honest months — most single-month false alarms of volatile accounts (bench/evaluation.md,
// rules 2026.6). The trimmed RMS is as robust where it matters — a level shift is one large change,
// a misread two, and from three changes on at least one is left out, as a median of three leaves
// one out (test/anomaly/baseline-reach.test.ts: a level halved in a home's fifth month does not
// widen its band) — and errs by 21% (32%).
//
// Each factor makes the trimmed RMS of m changes between m + 1 independent normal months estimate
// what a MAD estimates (0.6745 σ), so the rules' MAD-to-σ conversion stays one: 0.6745 / E[RMS]
// for σ = 1, by Monte Carlo over 400,000 sequences per m (numpy, seed 20261207; standard error
// < 0.1%). test/billing/change-spread.test.ts checks them by its own simulation.
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import type { ReviewRules } from '../../schemas/rules.js';
import { MAD_TO_SIGMA } from '../anomaly/evaluate-account.js';
import { BASELINE_PERIODS, classParams } from './baseline.js';

/** How many of m changes the spread keeps: the smallest m − ⌈m/5⌉, all of them while m ≤ 2. */
export function keptChanges(m: number): number {
  return m >= 3 ? m - Math.ceil(m / 5) : m;
}

export const CHANGE_SPREAD_FACTORS: readonly number[] = [
  0.5980, 0.5463, 0.7747, 0.7069, 0.6688, 0.8216, 0.7733, 0.7369, 0.7101, 0.6888, 0.7745, 0.7509,
  0.7294, 0.7122, 0.6974, 0.7574, 0.7414, 0.7268, 0.7136, 0.7024, 0.7488, 0.7364, 0.7256,
];

/** The estimator as determinants.sql takes it: $spread_kept[m] and $spread_factors[m] for m changes. */
export function changeSpreadParams(): Record<string, DuckDBValue> {
  return {
    spread_kept: listValue(CHANGE_SPREAD_FACTORS.map((_, i) => keptChanges(i + 1))),
    spread_factors: listValue([...CHANGE_SPREAD_FACTORS]),
  };
}

/**
 * Where an account's months are independent normal draws, the class's median z of
 * determinants.sql's spread-scales: z = the smaller of |this month off the median of the 12
 * months before it| and |this month off the same month last year| / √2, over the spread the
 * changes of its 24 measured months give (23 changes, in MAD units); and the same with the
 * average of this month and the median of the last three, (d + 3·recent) / 4, in place of the
 * first. By Monte Carlo over 1,000,000 accounts (numpy, seed 20261207; the last digit is
 * uncertain): 0.6549 and 0.3725. With lag-one autocorrelation 0.5 the same medians are 1.41 and
 * 1.67 times these, with 0.8 2.12 and 2.75 times: the bands such accounts need are that much
 * wider. test/billing/change-spread.test.ts checks both by its own simulation.
 */
export const NULL_LEVEL_Z = 0.6549;
export const NULL_SHIFT_Z = 0.3725;

/** Each class's min_peers as the statements take it ($min_residential …): a smaller group uses its class's levels. */
export function minPeersParams(classes: ReviewRules['classes']): Record<string, number> {
  return classParams(classes, 'min', (t) => t.min_peers);
}

/** spread-scales' parameters: each class's min_peers and its min_spread (a σ) as a MAD, and the null medians above. */
export function spreadScaleParams(classes: ReviewRules['classes']): Record<string, number> {
  return {
    ...minPeersParams(classes), ...classParams(classes, 'spread', (t) => t.min_spread / MAD_TO_SIGMA),
    baseline_periods: BASELINE_PERIODS, null_level_z: NULL_LEVEL_Z, null_shift_z: NULL_SHIFT_Z,
  };
}
