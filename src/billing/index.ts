// Billing stage: the monthly bill run.
//
// Inputs: the store's accounts, meters, readings, intervals, price policies and earlier bills;
// a period YYYY-MM. Outputs: bills, line items, flags and error records in the store (a new
// bill version of the period), what VEE did to the intervals of bills priced from interval data
// alone (bill_intervals), Parquet exports and a manifest under <out>/<period>/; the running
// history summary (history_summary) brought to the period, which the next run adds to.
// An account with a register read dated in the period is billed from its registers; one without
// from its meters' intervals alone, after validation, estimation and editing (reads.sql
// interval_series), over the calendar month.
// Invariants: accounts in = billed + held + errored; every bill's amount is the exact sum of its
// line items; a run killed at any moment resumes to exactly the bills of an uninterrupted run;
// outputs are the same bytes whatever the worker count. Whether a period has been billed is
// decided here (billed.ts) for every stage that reads a period's bills.
export { billPeriod, DEFAULT_BATCH_SIZE, DEFAULT_STAGE_SIZE, stageDeterminants, type BillRunOptions, type RunSummary } from './run.js';
export { assertPeriodBilled, isPeriodBilled } from './billed.js';
export { defaultWorkers } from './pool.js';
export { refreshHistory } from './history.js';
export { BASELINE_PERIODS, baselineParams, HISTORY_REACH_PERIODS } from './baseline.js';
export { CHANGE_SPREAD_FACTORS, changeSpreadParams, keptChanges, NULL_LEVEL_Z, NULL_SHIFT_Z } from './spread.js';
export { dimensionKey } from './keys.js';
export type { ChargeDim, ContextDim } from './protocol.js';
export { defineReadDerivation, INTERVAL_RULE_PARAMS } from './reads.js';
