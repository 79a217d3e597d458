// The account's trusted baseline as the review rules take it (the running history summary,
// history.sql, binds these as $baseline_periods and $history_from) and as `review show`, the report and the desk print it
// (src/review/review.sql level-history): the 12 latest trusted periods with kWh, reaching back up
// to three years — a level held undecided for a year must not leave the account without a
// reference and become it. A home's standby months are left out (migration 014): the class's
// vacancy_share of the rules the run used.
import { CUSTOMER_CLASSES } from '../../schemas/inputs.js';
import type { ClassThresholds, ReviewRules } from '../../schemas/rules.js';
import { addPeriods, periodKey } from '../calendar/index.js';

export const BASELINE_PERIODS = 12;
export const HISTORY_REACH_PERIODS = 36;

/** The window's parameters for the period YYYY-MM: how many trusted periods, and the first period (YYYYMM) the history reaches. */
export function baselineParams(period: string): { baseline_periods: number; history_from: number } {
  return { baseline_periods: BASELINE_PERIODS, history_from: periodKey(addPeriods(period, -HISTORY_REACH_PERIODS)) };
}

/** One parameter per class, $<prefix>_<class>, for a statement that takes the account's class's value. */
export function classParams(classes: ReviewRules['classes'], prefix: string, value: (t: ClassThresholds) => number): Record<string, number> {
  return Object.fromEntries(CUSTOMER_CLASSES.map((name) => [`${prefix}_${name}`, value(classes[name])]));
}

/** What makes a trusted month a standby month, per class ($standby_<class>): its vacancy_share. */
export function standbyParams(classes: ReviewRules['classes']): Record<string, number> {
  return classParams(classes, 'standby', (t) => t.vacancy_share);
}
