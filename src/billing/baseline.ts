// The account's trusted baseline as the review rules take it (determinants.sql binds these as
// $baseline_periods and $history_from) and as `review show`, the report and the desk print it
// (src/review/review.sql level-history): the 12 latest trusted periods with kWh, reaching back up
// to three years — a level held undecided for a year must not leave the account without a
// reference and become it.
import { addPeriods, periodKey } from '../calendar/index.js';

export const BASELINE_PERIODS = 12;
export const HISTORY_REACH_PERIODS = 36;

/** The window's parameters for the period YYYY-MM: how many trusted periods, and the first period (YYYYMM) the history reaches. */
export function baselineParams(period: string): { baseline_periods: number; history_from: number } {
  return { baseline_periods: BASELINE_PERIODS, history_from: periodKey(addPeriods(period, -HISTORY_REACH_PERIODS)) };
}
