// What the review rules see of an account for one period (features), and what they say (flags).
// Units follow schemas/bill.ts: *Milli are thousandths (Wh, W), *Minor currency minor units;
// kWh per day is carried as Wh per day. Null means "not known" (no history, no such register).
import { z } from 'zod';
import { CustomerClass } from './inputs.js';

/** Bits of `readFlags`: meter events and read qualities found while deriving determinants. */
export const READ_FLAGS = {
  estimatedClose: 1,
  estimatedOpen: 2,
  customerRead: 4,
  rollover: 8,
  negativeAdvance: 16,
  sentinel: 32,
  meterExchange: 64,
  moveIn: 128,
  moveOut: 256,
  extraReads: 512,
  noOpeningRead: 1024,
  noReads: 2048,
  unclassifiedIntervals: 4096,
  /** Billed from interval data alone with intervals estimated from the account's profile (a long gap). */
  intervalsProfiled: 8192,
  /** Billed from interval data alone with spike values replaced. */
  intervalSpikes: 16384,
} as const;
export type ReadFlag = keyof typeof READ_FLAGS;

export function readFlagNames(bits: number): ReadFlag[] {
  return (Object.keys(READ_FLAGS) as ReadFlag[]).filter((name) => (bits & READ_FLAGS[name]) !== 0);
}

const num = () => z.number().nullable();

export const AccountFeatures = z.object({
  customerClass: CustomerClass,
  period: z.string(),
  days: z.number().int(),
  kwhMilli: z.number().int(),
  /** Sum of the TOU registers' advances when the meter has both them and a total register. */
  touKwhMilli: num(),
  /** Wh per day this period. */
  kpd: z.number(),
  amountMinor: z.number().int(),
  /** This period's determinants priced on the previous period's tariff version: the amount had prices not moved. */
  pricePrevMinor: num(),
  prevKpd: num(),
  prevAmountMinor: num(),
  prevDays: num(),
  yoyKpd: num(),
  yoyAmountMinor: num(),
  /**
   * Robust baseline of the account's trusted periods among the last 12 (migration 004's
   * trusted_bills), each divided by its peer group's level that period: Wh per day net of season
   * and weather. prevKpd, yoyKpd and the amounts above are trusted periods' too (null otherwise).
   */
  baseMedianKpd: num(),
  baseMadKpd: num(),
  /**
   * The account's own spread of log kWh/day, as a MAD (0.6745 σ): from the changes between its
   * measured months of the last 12, trusted or not (median |change| / √2), so that neither a
   * level shift nor the band's own verdicts narrow it.
   */
  baseLogMad: num(),
  baseMaxKpd: num(),
  baseN: z.number().int(),
  /**
   * Median of ln(season-free kWh/day) over the bills of the last three periods measured on actual
   * reads, trusted or not (same scale as ln(baseMedianKpd)), and how many there are.
   */
  recentLogLevel: num(),
  recentN: z.number().int(),
  /** The same for the same three periods a year before: was the account's quarter off then too? */
  yoyRecentLogLevel: num(),
  /**
   * Season-free Wh per day of the bill of the same month last year, when measured on actual reads,
   * trusted or not (baseMedianKpd's scale): the account's own season. Where that bill was estimated
   * (or was the catch-up after an estimate), the months beside it: their geometric mean, or the one measured.
   */
  yoyLevelKpd: num(),
  /**
   * The lowest and highest season-free Wh per day of the measured months since that month (trusted
   * or not, baseMedianKpd's scale): did the use come back to the baseline in between? A season
   * comes and goes; a level that stayed does not.
   */
  sinceLowKpd: num(),
  sinceHighKpd: num(),
  /**
   * Median ratio of kWh/day to last month / last year / the 12-period median in the account's
   * class × region this period (measured reads only): what weather and season did to everyone.
   */
  peerMom: num(),
  peerYoy: num(),
  peerBase: num(),
  peerN: z.number().int(),
  /** The same medians over the whole class, for peer groups too small to trust. */
  classMom: num(),
  classYoy: num(),
  classBase: num(),
  classN: z.number().int(),
  /** The typical spread (baseLogMad) of accounts with a year of history, in the peer group and the class. */
  peerSpread: num(),
  classSpread: num(),
  /**
   * How much wider than the account's spread its class's honest months stray from their baseline
   * this period (≥ 1), and the quarter's evidence of a moved level: determinants.sql's
   * spread-scales. 1 where months are independent or the class is too young to tell.
   */
  levelScale: z.number(),
  shiftScale: z.number(),
  /** Median ratio of maximum demand to the account's median in the peer group and the class this period. */
  peerDemand: num(),
  classDemand: num(),
  /**
   * The region's weather with the class mix taken out (median over the region's measured accounts
   * of each one's ratio over its class's): for a peer group too small for a median of its own.
   */
  regionMom: num(),
  regionYoy: num(),
  regionBase: num(),
  regionN: z.number().int(),
  readFlags: z.number().int(),
  /** Consecutive earlier periods that closed on an estimated read, and their billed energy and days. */
  estStreak: z.number().int(),
  estKwhMilli: z.number(),
  estDays: z.number().int(),
  /** kWh/day of the latest earlier period that closed on an actual read (before a run of estimates). */
  lastActualKpd: num(),
  /** kWh/day of the previous period's bill, trusted or not. */
  lastKpd: num(),
  /**
   * An open level shift: the first period (YYYYMM) billed on actual reads after the last trusted
   * one, how many such bills there are, that first bill's read flags (a meter exchange?), and how
   * many of them a reviewer released or dismissed without accepting the level.
   */
  shiftSince: z.number().int().nullable(),
  shiftN: z.number().int(),
  shiftReadFlags: z.number().int(),
  shiftReleased: z.number().int(),
  demandMilli: num(),
  demandMedianMilli: num(),
  /** Power factor this period and the account's median over 12 periods. */
  pf: num(),
  pfMedian: num(),
  /** Largest advance the register can show (10^digits × multiplier), Wh. */
  capacityMilli: num(),
});
export type AccountFeatures = z.infer<typeof AccountFeatures>;

export const SEVERITIES = ['info', 'review', 'hold'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

export const Flag = z.object({
  ruleId: z.string(),
  severity: Severity,
  /** A suppressed flag is kept for the record (why a rule did not hold the bill) but holds nothing. */
  suppressed: z.boolean(),
  /** Likelihood × money at stake, for ranking. */
  score: z.number(),
  /** One line a reviewer understands without opening anything else. */
  reason: z.string(),
});
export type Flag = z.infer<typeof Flag>;
