// Messages between the bill run (pool side) and the billing workers (thread side), shared so
// both agree on the columns. What both worker pools share (the task's tables in the one batch
// format, moved not copied; results moved back) is src/store/pool-protocol.ts; expected failures
// come back as values, because errors lose their class across threads.
import type { Columns, ColumnSpec, Table, WireTask } from '../store/index.js';
import type { ReviewRules } from '../../schemas/rules.js';
import type { Flag } from '../../schemas/review.js';

/** Columns of one batch of staged accounts, as the `batch` statement of determinants.sql returns them. */
export const BATCH_COLUMNS = [
  { name: 'account_key', kind: 'int32' },
  { name: 'class_code', kind: 'uint8' },
  { name: 'tariff_code', kind: 'int32' },
  { name: 'household_size', kind: 'int32' },
  { name: 'contract_kva', kind: 'double' },
  { name: 'pf_standard', kind: 'double' },
  { name: 'start_day', kind: 'date' },
  { name: 'end_day', kind: 'date' },
  { name: 'days', kind: 'int32' },
  { name: 'tou_source', kind: 'uint8' },
  { name: 'read_flags', kind: 'int32' },
  { name: 'kwh', kind: 'double' },
  { name: 'kwh_sharp', kind: 'double' },
  { name: 'kwh_peak', kind: 'double' },
  { name: 'kwh_flat', kind: 'double' },
  { name: 'kwh_valley', kind: 'double' },
  { name: 'demand', kind: 'double' },
  { name: 'demand_sharp', kind: 'double' },
  { name: 'demand_peak', kind: 'double' },
  { name: 'demand_flat', kind: 'double' },
  { name: 'demand_valley', kind: 'double' },
  { name: 'kvarh', kind: 'double' },
  { name: 'capacity', kind: 'double' },
  { name: 'prev_kpd', kind: 'double' },
  { name: 'prev_amount', kind: 'double' },
  { name: 'prev_start', kind: 'date' },
  { name: 'prev_days', kind: 'int32' },
  { name: 'yoy_kpd', kind: 'double' },
  { name: 'yoy_amount', kind: 'double' },
  { name: 'base_median', kind: 'double' },
  { name: 'base_mad', kind: 'double' },
  { name: 'base_log_mad', kind: 'double' },
  { name: 'base_max', kind: 'double' },
  { name: 'base_n', kind: 'int32' },
  { name: 'recent_log_level', kind: 'double' },
  { name: 'recent_n', kind: 'int32' },
  { name: 'yoy_recent_log_level', kind: 'double' },
  { name: 'ytd_kwh', kind: 'double' },
  { name: 'ytd_amount', kind: 'double' },
  { name: 'est_streak', kind: 'int32' },
  { name: 'est_kwh', kind: 'double' },
  { name: 'est_days', kind: 'int32' },
  { name: 'last_actual_kpd', kind: 'double' },
  { name: 'last_kpd', kind: 'double' },
  { name: 'shift_since', kind: 'int32' },
  { name: 'shift_n', kind: 'int32' },
  { name: 'shift_flags', kind: 'int32' },
  { name: 'shift_released', kind: 'int32' },
  { name: 'demand_median', kind: 'double' },
  { name: 'pf_median', kind: 'double' },
  { name: 'yoy_level', kind: 'double' },
  { name: 'since_low', kind: 'double' },
  { name: 'since_high', kind: 'double' },
  { name: 'peer_mom', kind: 'double' },
  { name: 'peer_yoy', kind: 'double' },
  { name: 'peer_base', kind: 'double' },
  { name: 'peer_n', kind: 'int32' },
  { name: 'class_mom', kind: 'double' },
  { name: 'class_yoy', kind: 'double' },
  { name: 'class_base', kind: 'double' },
  { name: 'class_n', kind: 'int32' },
  { name: 'peer_spread', kind: 'double' },
  { name: 'class_spread', kind: 'double' },
  { name: 'peer_demand', kind: 'double' },
  { name: 'class_demand', kind: 'double' },
  { name: 'region_mom', kind: 'double' },
  { name: 'region_yoy', kind: 'double' },
  { name: 'region_base', kind: 'double' },
  { name: 'region_n', kind: 'int32' },
  { name: 'tou_kwh', kind: 'double' },
  { name: 'level_scale', kind: 'double' },
  { name: 'shift_scale', kind: 'double' },
] as const satisfies readonly ColumnSpec[];

export type BatchColumnName = (typeof BATCH_COLUMNS)[number]['name'];
export type BatchColumns = Columns<typeof BATCH_COLUMNS>;

export interface TariffRef {
  code: number;
  tariffId: string;
  revision: number;
  /** The policy document as stored (JSON); workers compile and cache it by id and revision. */
  policy: string;
}

export interface PriceTask {
  batchNo: number;
  period: string;
  prevPeriod: string;
  batch: Table<BatchColumns>;
  tariffs: TariffRef[];
  rules: ReviewRules;
}

export const TASK_TABLES = { batch: BATCH_COLUMNS } as const;

/** A PriceTask as it crosses to the worker. */
export type PriceMessage = WireTask<PriceTask, typeof TASK_TABLES>;

/** Per-account results, row i ↔ account i of the task. */
export interface BillColumns {
  account_key: Int32Array;
  /** 0 billed, 1 held, 2 error (no bill). */
  outcome: Uint8Array;
  amount_minor: BigInt64Array;
  tax_included_minor: BigInt64Array;
  context_key: BigInt64Array;
  flag_count: Int16Array;
  score: Float64Array;
}

export interface LineItemColumns {
  account_key: Int32Array;
  seq: Int16Array;
  charge_key: BigInt64Array;
  quantity_milli: BigInt64Array;
  amount_minor: BigInt64Array;
}

/** A row of the store's `charges` dimension: what a line item charges. */
export interface ChargeDim {
  key: number;
  component: string;
  label: string;
  unit: string;
  rate: string;
  tariffId: string;
  tariffVersion: string;
}

/** A row of the store's `bill_contexts` dimension: the tariff, versions and currency that priced a bill. */
export interface ContextDim {
  key: number;
  tariffId: string;
  /** '+'-joined, as bill_contexts keeps them. */
  versions: string;
  currency: string;
}

export interface FlagRow extends Flag {
  accountKey: number;
}

export interface ErrorRow {
  accountKey: number;
  code: string;
  message: string;
}

export interface PriceResult {
  batchNo: number;
  rowCount: number;
  bills: BillColumns;
  lineItemCount: number;
  lineItems: LineItemColumns;
  charges: ChargeDim[];
  contexts: ContextDim[];
  flags: FlagRow[];
  errors: ErrorRow[];
  priceMs: number;
}

export const OUTCOME = { billed: 0, held: 1, error: 2 } as const;

/** The typed arrays of a result, for the transfer list. */
export function resultArrays(result: PriceResult): ArrayBufferView[] {
  return [...Object.values(result.bills), ...Object.values(result.lineItems)] as ArrayBufferView[];
}
