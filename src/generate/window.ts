// The data window: read months m = 0 … months, where m = 0 is the opening read in the month
// before `start` and read m ≥ 1 closes billing period m (named after the closing read's month).
import { periodBounds, periodFromIndex, periodIndex } from '../calendar/index.js';
import { Stream, uniform } from './random.js';

export interface DataWindow {
  /** Month index (year × 12 + month − 1) of read month 0. */
  openingIndex: number;
  months: number;
  /** First epoch day of read month m at [m + 1], for m = −1 … months + 1. */
  monthFirstDay: Int32Array;
}

export function makeWindow(start: string, months: number): DataWindow {
  const openingIndex = periodIndex(start) - 1;
  const monthFirstDay = new Int32Array(months + 3);
  for (let m = -1; m <= months + 1; m++) monthFirstDay[m + 1] = periodBounds(periodFromIndex(openingIndex + m)).firstDay;
  return { openingIndex, months, monthFirstDay };
}

export function firstDayOfRead(window: DataWindow, m: number): number {
  return window.monthFirstDay[m + 1]!;
}

function daysInReadMonth(window: DataWindow, m: number): number {
  return window.monthFirstDay[m + 2]! - window.monthFirstDay[m + 1]!;
}

/** Billing period closed by read m. */
export function periodOfRead(window: DataWindow, m: number): string {
  return periodFromIndex(window.openingIndex + m);
}

/** First day after the window (end of the last read month). */
export function windowEndDay(window: DataWindow): number {
  return window.monthFirstDay[window.months + 2]!;
}

function rawJitter(seed: number, account: number, monthIndex: number): number {
  const u = uniform(seed, Stream.jitter, account, monthIndex);
  return u < 0.25 ? -1 : u < 0.75 ? 0 : 1;
}

/**
 * Epoch day of an account's regular read m: its cycle day (1–28) moved by a day of jitter and
 * kept inside 1–28 so the read stays in its month. After a short month (February) the jitter may
 * not fall below the previous read's, so every period has 28–33 days. It is a pure function of
 * (seed, account, m): move-in, move-out and exchange dates are planned against it up front.
 */
export function readDay(seed: number, window: DataWindow, account: number, cycleDay: number, m: number): number {
  const monthIndex = window.openingIndex + m;
  let jitter = rawJitter(seed, account, monthIndex);
  if (daysInReadMonth(window, m - 1) < 30) jitter = Math.max(jitter, rawJitter(seed, account, monthIndex - 1));
  const dayOfMonth = Math.min(28, Math.max(1, cycleDay + jitter));
  return firstDayOfRead(window, m) + dayOfMonth - 1;
}
