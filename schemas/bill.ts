// Billing determinants in, priced bills out: the contract between the bill run and the tariff
// engine, and the shape of every stored bill and line item.
//
// Units are exact integers so no binary-float sum ever touches money:
//   *Milli  — thousandths of the unit (Wh for kWh, W for kW, varh for kvarh)
//   *Minor  — the currency's minor unit (fen for CNY, cents for USD)
// Dates are epoch days (days since 1970-01-01, UTC) on the hot path and ISO strings at the edges.
import { z } from 'zod';
import { CustomerClass, Period } from './inputs.js';

const int = () => z.number().int();
const TouQuantities = z.object({ sharp: int(), peak: int(), flat: int(), valley: int() });
export type TouQuantities = z.infer<typeof TouQuantities>;

/**
 * What validation, estimation and editing did to the intervals of a bill priced from interval
 * data alone (no register read in its period); absent on a bill priced from register reads.
 * actual + estimated = the intervals of the service period; missing (never received) and
 * spikes (received, replaced) are among the estimated, and so are interpolated + profiled.
 */
export const IntervalCounts = z.object({
  intervalMinutes: int(),
  actual: int(),
  estimated: int(),
  missing: int(),
});
export type IntervalCounts = z.infer<typeof IntervalCounts>;

/** What the tariff engine needs to price one account for one billing period. */
export const PricingInput = z.object({
  /** Billing month YYYY-MM: the month of the closing read; picks seasons. */
  period: Period,
  /** Epoch day of the opening read: service from (inclusive). */
  startDay: int(),
  /** Epoch day of the closing read: service to (exclusive). days = endDay − startDay. */
  endDay: int(),
  customerClass: CustomerClass,
  householdSize: int().nullable(),
  contractKva: z.number().nullable(),
  pfStandard: z.number().nullable(),
  /** Total energy, Wh. */
  kwhMilli: int(),
  /** Energy per TOU period (from TOU registers or interval data through the schedule), Wh. */
  touKwhMilli: TouQuantities.nullable(),
  /** Maximum demand of the period, W. */
  demandMilli: int().nullable(),
  /** Maximum demand per TOU period (interval data), W. */
  touDemandMilli: TouQuantities.nullable(),
  /** Reactive energy, varh (power factor). */
  kvarhMilli: int().nullable(),
  /** Energy billed earlier in the same calendar year, Wh (annual tiers). */
  ytdKwhMilli: int(),
  /** Amount billed earlier in the same calendar year, minor units (annual minimum). */
  ytdAmountMinor: int(),
});
export type PricingInput = z.infer<typeof PricingInput>;

export const LINE_COMPONENTS = [
  'fixed', 'energy', 'tou', 'tier_surcharge', 'demand', 'capacity', 'demand_penalty',
  'pf_adjustment', 'surcharge', 'minimum', 'tax',
] as const;
export const LineComponent = z.enum(LINE_COMPONENTS);
export type LineComponent = z.infer<typeof LineComponent>;

/**
 * One line of a bill. `label`, `unit` and `rate` come from the tariff (a small set of distinct
 * values per policy, so the store keeps them in a dimension table); quantity and amount are per
 * account. A statement is rebuilt from line items alone.
 */
export const LineItem = z.object({
  component: LineComponent,
  /** As the customer's tariff names it, e.g. "Tier 2 (201–400 kWh)", "Peak". */
  label: z.string(),
  /** Unit of the quantity: kWh, kW, kVA, kvarh, day, month, or a currency code for money bases. */
  unit: z.string(),
  /** Quantity in thousandths of the unit. */
  quantityMilli: int(),
  /** Exact decimal text: a price per unit, or a multiplier such as "-0.0075" for adjustments. */
  rate: z.string(),
  amountMinor: int(),
  tariffId: z.string(),
  tariffVersion: z.string(),
});
export type LineItem = z.infer<typeof LineItem>;

export const PricedBill = z.object({
  currency: z.string(),
  lineItems: z.array(LineItem),
  /** Always exactly the sum of the line items' amounts. */
  totalMinor: int(),
  /** Tax contained in the total when the tariff quotes tax-inclusive prices (informational). */
  taxIncludedMinor: int(),
  /** Tariff versions that priced this bill (several when a version changed mid-period). */
  versions: z.array(z.string()),
});
export type PricedBill = z.infer<typeof PricedBill>;

/**
 * Review states of a stored bill version. `ready` bills were not flagged; a flagged bill is
 * `held` until a reviewer decides. `corrected` marks a version replaced by a re-bill.
 */
export const BILL_STATUSES = ['ready', 'held', 'released', 'dismissed', 'escalated', 'corrected'] as const;
export const BillStatus = z.enum(BILL_STATUSES);
export type BillStatus = z.infer<typeof BillStatus>;
/** States whose bills must not reach a customer. */
export const HELD_STATUSES: readonly BillStatus[] = ['held', 'escalated'];
