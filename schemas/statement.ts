// A customer statement as facts, for e-bill channels: the JSON format of `billrun statements`
// carries exactly what the HTML and text statements show, without their wording or layout.
// `billrun statements schema` prints this schema as JSON Schema.
//
// Versioning: `schemaVersion` is the major version. Adding an optional field keeps it; renaming,
// removing or re-typing a field, or changing a unit, raises it, and consumers reject versions
// they do not know. Units follow schemas/bill.ts: *Milli are thousandths of the unit named
// beside them (Wh for kWh), *Minor the currency's minor unit; dates are ISO YYYY-MM-DD; a
// period is the billing month YYYY-MM. Null means "not known" (no such bill, no such register).
import { z } from 'zod';
import { BillStatus, IntervalCounts, LineItem } from './bill.js';
import { CauseKind, Comparison } from './explanation.js';
import { CustomerClass, IsoDate, Period, ReadType, Register } from './inputs.js';
import { READ_FLAGS, type ReadFlag } from './review.js';
import { StatementLocale } from './utility.js';

export const STATEMENT_SCHEMA_ID = 'billrun.statement';
export const STATEMENT_SCHEMA_VERSION = 1;

const int = () => z.number().int();
const ReadFlagName = z.enum(Object.keys(READ_FLAGS) as [ReadFlag, ...ReadFlag[]]);

export const MeterRead = z.object({
  date: IsoDate,
  /** Register value × 1000, as read (before the multiplier). */
  valueMilli: int(),
  readType: ReadType,
});
export type MeterRead = z.infer<typeof MeterRead>;

export const RegisterReads = z.object({
  register: Register,
  /** Null for maximum demand, which is not an advance between two reads. */
  opening: MeterRead.nullable(),
  closing: MeterRead,
  /** Closing − opening (counting a rollover past the last digit), or the demand read; × 1000. */
  advanceMilli: int(),
  /** Advance × multiplier, in thousandths of `unit`: what the bill uses. */
  quantityMilli: int(),
  unit: z.enum(['kWh', 'kW', 'kvarh']),
});
export type RegisterReads = z.infer<typeof RegisterReads>;

export const MeterReads = z.object({
  meterId: z.string(),
  /** `removed`: the meter taken out by a meter exchange in this period (its final read closes it). */
  role: z.enum(['current', 'removed']),
  /** CT/PT ratio as exact decimal text, e.g. "80". */
  multiplier: z.string(),
  registers: z.array(RegisterReads),
});
export type MeterReads = z.infer<typeof MeterReads>;

export const UsagePoint = z.object({
  period: Period,
  days: int().nullable(),
  kwhMilli: int().nullable(),
  /** kWh per day in Wh per day, rounded half-up: periods differ in length, this compares fairly. */
  whPerDay: int().nullable(),
  amountMinor: int().nullable(),
});
export type UsagePoint = z.infer<typeof UsagePoint>;

/**
 * "Why your bill changed": present only when the amount moved notably against last month (else
 * the same month last year), by the rules file's `explain` thresholds. The causes add up exactly
 * to `changeMinor` (`billrun explain` gives the full explanation).
 */
export const WhyChanged = z.object({
  against: Comparison,
  comparedPeriod: Period,
  previousAmountMinor: int(),
  changeMinor: int(),
  causes: z.array(z.object({ kind: CauseKind, label: z.string(), amountMinor: int() })),
  /** The short customer text in the statement's locale. */
  text: z.string(),
});
export type WhyChanged = z.infer<typeof WhyChanged>;

export const Statement = z.object({
  schema: z.literal(STATEMENT_SCHEMA_ID),
  schemaVersion: z.literal(STATEMENT_SCHEMA_VERSION),
  locale: StatementLocale,
  /** A held bill rendered for a reviewer (`--include-held`): never to be sent. */
  draft: z.boolean(),
  utility: z.object({
    name: z.string(),
    address: z.array(z.string()),
    phone: z.string(),
    email: z.string().nullable(),
    website: z.string().nullable(),
    taxId: z.string().nullable(),
    paymentInstructions: z.string(),
  }),
  account: z.object({
    id: z.string(),
    name: z.string(),
    serviceAddress: z.string(),
    customerClass: CustomerClass,
    region: z.string(),
  }),
  tariff: z.object({
    id: z.string(),
    name: z.string(),
    /** Versions that priced the bill: more than one when a price changed inside the period. */
    versions: z.array(z.string()),
  }),
  bill: z.object({
    period: Period,
    version: int(),
    status: BillStatus,
    currency: z.string(),
    /** The amount due: exactly the sum of the line items. */
    amountMinor: int(),
    /** Tax contained in the amount when prices include it ("of which VAT"); 0 otherwise. */
    taxIncludedMinor: int(),
    dueDate: IsoDate,
    /**
     * Set when second review corrected an earlier version of this bill (a held bill, so never
     * sent): this one replaces it.
     */
    correction: z.object({ replacesVersion: int(), replacedAmountMinor: int() }).nullable(),
    readFlags: z.array(ReadFlagName),
  }),
  /** From the opening read to the closing read; `days` is the difference. */
  service: z.object({ from: IsoDate, to: IsoDate, days: int() }),
  meters: z.array(MeterReads),
  meterExchange: z.object({ date: IsoDate, removedMeterId: z.string(), installedMeterId: z.string() }).nullable(),
  /** Present when the bill was priced from interval data alone (a smart meter without register reads). */
  intervals: IntervalCounts.optional(),
  consumption: z.object({
    kwhMilli: int(),
    whPerDay: int().nullable(),
    touKwhMilli: z.object({ sharp: int(), peak: int(), flat: int(), valley: int() }).nullable(),
    demandMilli: int().nullable(),
    kvarhMilli: int().nullable(),
    /** kWh / √(kWh² + kvarh²) to 2 decimals, as the power-factor adjustment uses it. */
    powerFactor: z.string().nullable(),
  }),
  /** The bill's line items as priced; which tariff version priced them is the bill's business. */
  lineItems: z.array(LineItem.omit({ tariffId: true, tariffVersion: true })),
  comparison: z.object({
    current: UsagePoint,
    previousMonth: UsagePoint.nullable(),
    sameMonthLastYear: UsagePoint.nullable(),
    /** Change of kWh per day in percent, one decimal; null without that bill. */
    changeVsPreviousMonthPercent: z.number().nullable(),
    changeVsLastYearPercent: z.number().nullable(),
  }),
  whyChanged: WhyChanged.optional(),
  /** The 13 periods ending with this one, oldest first (the usage chart). */
  usage: z.array(UsagePoint).length(13),
});
export type Statement = z.infer<typeof Statement>;
