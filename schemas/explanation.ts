// "Why did my bill change?": one bill's change against an earlier bill, as a waterfall of causes
// in money that add up exactly to the change, with a script for the call-centre agent and a
// short text for the customer in every statement locale. `billrun explain` prints and exports
// it; the statement's "Why your bill changed" box and the review desk's explanation endpoint
// show it. Units follow schemas/bill.ts: *Minor the currency's minor unit, *Milli thousandths.
import { z } from 'zod';
import { CustomerClass, Period } from './inputs.js';
import { STATEMENT_LOCALES } from './utility.js';

const int = () => z.number().int();

/** The earlier bill a change is measured against. */
export const COMPARISONS = ['last_month', 'last_year'] as const;
export const Comparison = z.enum(COMPARISONS);
export type Comparison = z.infer<typeof Comparison>;

/**
 * Causes, in the order the waterfall applies them:
 * - `days`: the same kWh per day over the new period's number of days;
 * - `weather`: the change the account's peers (same class and region) saw in kWh per day;
 * - `usage`: the account's own change beyond its peers;
 * - `estimate`: the new bill's usage comes from an estimated read;
 * - `catch_up`: energy an earlier run of estimates did not bill, billed now on an actual read;
 * - `meter_exchange`: the change in usage as read across a meter exchange in the new period;
 * - `tier`: what crossing a tier boundary adds beyond the usage at the old marginal price;
 * - `season`: the new billing month falls in another season of the tariff;
 * - `price_version`: a new price version (or another tariff) in force for the new period;
 * - `correction`: second review corrected the new bill's reads before it was sent;
 * - `other`: what re-pricing today cannot reproduce (a bill priced under an earlier revision
 *   of its tariff, or account data changed since).
 */
export const CAUSE_KINDS = [
  'days', 'weather', 'usage', 'estimate', 'catch_up', 'meter_exchange', 'tier', 'season', 'price_version', 'correction', 'other',
] as const;
export const CauseKind = z.enum(CAUSE_KINDS);
export type CauseKind = z.infer<typeof CauseKind>;

/** The numbers behind one cause, for the texts and for an agent's screen. */
export const CauseFacts = z.object({
  fromDays: int().optional(),
  toDays: int().optional(),
  /** Peers' change of kWh per day, percent with one decimal. */
  peerChangePercent: z.number().optional(),
  /** Wh per day before and after the step. */
  fromWhPerDay: int().optional(),
  toWhPerDay: int().optional(),
  /** Energy the step adds (negative: removes), Wh. */
  kwhMilli: int().optional(),
  /** Bills closed on estimated reads before this one (catch-up). */
  estimatedBills: int().optional(),
  /** The tariff's label of the highest tier reached before and after. */
  fromTier: z.string().optional(),
  toTier: z.string().optional(),
  /** Billing months whose seasons differ. */
  fromPeriod: Period.optional(),
  toPeriod: Period.optional(),
  /** Tariff versions (tariff id and version) that priced the earlier and the new bill. */
  fromVersions: z.array(z.string()).optional(),
  toVersions: z.array(z.string()).optional(),
  /** The amount of the bill as first read (correction). */
  firstAmountMinor: int().optional(),
  /** ISO date of the meter exchange. */
  date: z.string().optional(),
});
export type CauseFacts = z.infer<typeof CauseFacts>;

export const Cause = z.object({
  kind: CauseKind,
  amountMinor: int(),
  facts: CauseFacts,
});
export type Cause = z.infer<typeof Cause>;

export const BillPoint = z.object({
  period: Period,
  days: int(),
  kwhMilli: int(),
  amountMinor: int(),
});
export type BillPoint = z.infer<typeof BillPoint>;

export const ExplanationText = z.object({
  /** What the agent says, in full sentences with the numbers. */
  agent: z.string(),
  /** A short text for the statement, the app or a text message. */
  customer: z.string(),
});
export type ExplanationText = z.infer<typeof ExplanationText>;

export const Explanation = z.object({
  accountId: z.string(),
  customerClass: CustomerClass,
  region: z.string(),
  period: Period,
  against: Comparison,
  /** Whether the change passes the rules file's `explain` thresholds (bulk exports hold only these). */
  notable: z.boolean(),
  currency: z.string(),
  previous: BillPoint,
  current: BillPoint,
  /** current.amountMinor − previous.amountMinor: exactly the sum of the causes' amounts. */
  changeMinor: int(),
  /** Change in percent of the earlier amount, one decimal; null when that was zero. */
  changePercent: z.number().nullable(),
  causes: z.array(Cause),
  text: z.object(Object.fromEntries(STATEMENT_LOCALES.map((l) => [l, ExplanationText])) as Record<(typeof STATEMENT_LOCALES)[number], typeof ExplanationText>),
  /** The account's bills of the 13 periods ending with this one, oldest first (single-account views). */
  history: z.array(BillPoint).optional(),
});
export type Explanation = z.infer<typeof Explanation>;

/** When a change is notable enough to explain (the `explain` section of the rules file). */
export const ExplainSettings = z.strictObject({
  /** Relative change of the amount against the earlier bill (0.2 = 20%, either way). */
  min_change: z.number().positive(),
  /** Minimum absolute change, in minor units of the bill's currency. */
  min_change_amount_minor: z.number().int().nonnegative(),
});
export type ExplainSettings = z.infer<typeof ExplainSettings>;
export const DEFAULT_EXPLAIN_SETTINGS: ExplainSettings = { min_change: 0.2, min_change_amount_minor: 1000 };
