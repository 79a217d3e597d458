// Input contracts: the columns billing staff hand to `billrun load`. The README's column tables
// are written from these; ingest validates files against them in SQL (for speed) and uses the
// zod shapes for column names, enums and single-row checks.
import { z } from 'zod';

export const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
export const AccountId = z.string().regex(ACCOUNT_ID_PATTERN, 'must be 1–32 of A–Z a–z 0–9 _ -');
export type AccountId = z.infer<typeof AccountId>;

export const CUSTOMER_CLASSES = ['residential', 'commercial', 'industrial', 'agricultural'] as const;
export const CustomerClass = z.enum(CUSTOMER_CLASSES);
export type CustomerClass = z.infer<typeof CustomerClass>;

/** Registers a meter reports. The TOU registers together make up `total` on a TOU meter. */
export const REGISTERS = ['total', 'sharp', 'peak', 'flat', 'valley', 'demand_kw', 'reactive_kvarh'] as const;
export const Register = z.enum(REGISTERS);
export type Register = z.infer<typeof Register>;

export const TOU_PERIODS = ['sharp', 'peak', 'flat', 'valley'] as const;
export const TouPeriod = z.enum(TOU_PERIODS);
export type TouPeriod = z.infer<typeof TouPeriod>;

export const READ_TYPES = ['actual', 'estimated', 'customer'] as const;
export const ReadType = z.enum(READ_TYPES);
export type ReadType = z.infer<typeof ReadType>;

export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date YYYY-MM-DD');
/**
 * The years a billing period may have. A period's history reaches 13 months and 62 days back and
 * its reads window a month ahead; each of those months must be a date that DuckDB and Date.UTC
 * read as written (Date.UTC takes years 0–99 for 1900–1999, and 10000-01 is not YYYY-MM).
 */
export const FIRST_PERIOD_YEAR = 1900;
export const LAST_PERIOD_YEAR = 9998;
export const Period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a period YYYY-MM')
  .refine((text) => Number(text.slice(0, 4)) >= FIRST_PERIOD_YEAR && Number(text.slice(0, 4)) <= LAST_PERIOD_YEAR,
    `must be a period from ${FIRST_PERIOD_YEAR}-01 to ${LAST_PERIOD_YEAR}-12`);
export type Period = z.infer<typeof Period>;

/** PF standards a utility assigns by connection size (domain primer). */
export const PF_STANDARDS = ['0.90', '0.85', '0.80'] as const;

export const AccountRow = z.object({
  account_id: AccountId,
  name: z.string().min(1),
  address: z.string().min(1),
  customer_class: CustomerClass,
  tariff_id: z.string().min(1),
  region: z.string().min(1),
  meter_id: z.string().min(1),
  multiplier: z.number().positive().default(1),
  register_digits: z.number().int().min(3).max(12).default(6),
  household_size: z.number().int().positive().nullable().default(null),
  start_date: IsoDate,
  end_date: IsoDate.nullable().default(null),
  /** Contracted capacity (kVA) for capacity-based demand charges and penalty thresholds. */
  contract_kva: z.number().positive().nullable().default(null),
  /** Power-factor standard (0.90 | 0.85 | 0.80) for the PF adjustment table. */
  pf_standard: z.enum(PF_STANDARDS).nullable().default(null),
  /** The meter this account's `meter_id` replaced, when a meter exchange happened. */
  previous_meter_id: z.string().min(1).nullable().default(null),
  /** Date of that exchange: the old meter's final read and the new meter's initial read. */
  meter_exchanged_at: IsoDate.nullable().default(null),
});
export type AccountRow = z.infer<typeof AccountRow>;

export const REQUIRED_ACCOUNT_COLUMNS = [
  'account_id', 'name', 'address', 'customer_class', 'tariff_id', 'region', 'meter_id', 'start_date',
] as const;
export const ACCOUNT_COLUMNS = Object.keys(AccountRow.shape) as (keyof AccountRow)[];

export const RegisterReadingRow = z.object({
  meter_id: z.string().min(1),
  /** ISO date or datetime; the date part is the read date used for billing periods. */
  read_at: z.string(),
  register: Register,
  /** Cumulative register value; for demand_kw the period's maximum demand. At most 3 decimals. */
  value: z.number(),
  read_type: ReadType,
});
export type RegisterReadingRow = z.infer<typeof RegisterReadingRow>;
export const REGISTER_READING_COLUMNS = Object.keys(RegisterReadingRow.shape) as (keyof RegisterReadingRow)[];

export const IntervalReadingRow = z.object({
  meter_id: z.string().min(1),
  interval_start: z.string(),
  interval_minutes: z.number().int().positive(),
  kwh: z.number().nonnegative(),
});
export type IntervalReadingRow = z.infer<typeof IntervalReadingRow>;
export const INTERVAL_READING_COLUMNS = Object.keys(IntervalReadingRow.shape) as (keyof IntervalReadingRow)[];

/** Labels the generator writes and `billrun evaluate` reads: the truth about injected anomalies. */
export const ANOMALY_KINDS = [
  'misread', 'stuck_meter', 'sustained_drop', 'negative_advance', 'wrong_multiplier',
  'estimate_catch_up', 'sentinel',
] as const;
export const AnomalyKind = z.enum(ANOMALY_KINDS);
export type AnomalyKind = z.infer<typeof AnomalyKind>;

/** Legitimate events a labels file may name (must_flag 0): what a review must not need to hold. */
export const EVENT_KINDS = ['heat_wave', 'estimated_read', 'catch_up', 'meter_exchange', 'move_in', 'move_out', 'vacancy'] as const;

export const LabelRow = z.object({
  account_id: AccountId,
  period: Period,
  kind: z.union([AnomalyKind, z.enum(EVENT_KINDS)]),
  /** 1: an error the review must flag; 0: a legitimate event it must not need to; ambiguous: left out of scoring. */
  must_flag: z.enum(['1', '0', 'ambiguous']),
  /** kWh the bill would have had without the anomaly (optional; lets evaluation weigh impact). */
  true_kwh: z.number().nullable().default(null),
  /** kWh the anomaly makes the meter data show. */
  billed_kwh: z.number().nullable().default(null),
});
export type LabelRow = z.infer<typeof LabelRow>;
