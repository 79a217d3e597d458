// Messages between the statements run (pool side) and the statement workers (thread side). What
// both worker pools share (the task's tables in the one batch format, text as Utf8, every buffer
// moved; results moved back) is src/store/pool-protocol.ts. Rows of the ragged tables (line
// items, reads, history) are sorted by ordinal, so a worker walks them with one cursor each.
import type { WhyChanged } from '../../schemas/statement.js';
import type { StatementLocale, UtilityConfig } from '../../schemas/utility.js';
import type { ChargeDim as BilledCharge, ContextDim as BilledContext } from '../billing/index.js';
import type { Columns, ColumnSpec, Table, WireTask } from '../store/index.js';

export const ACCOUNT_COLUMNS = [
  { name: 'ordinal', kind: 'int32' },
  { name: 'account_id', kind: 'varchar' },
  { name: 'name', kind: 'varchar' },
  { name: 'address', kind: 'varchar' },
  { name: 'region', kind: 'varchar' },
  { name: 'class_code', kind: 'uint8' },
  { name: 'bill_version', kind: 'int32' },
  { name: 'status_code', kind: 'uint8' },
  { name: 'context_key', kind: 'double' },
  { name: 'start_date', kind: 'date' },
  { name: 'end_date', kind: 'date' },
  { name: 'days', kind: 'int32' },
  { name: 'kwh', kind: 'double' },
  { name: 'kwh_sharp', kind: 'double' },
  { name: 'kwh_peak', kind: 'double' },
  { name: 'kwh_flat', kind: 'double' },
  { name: 'kwh_valley', kind: 'double' },
  { name: 'demand', kind: 'double' },
  { name: 'kvarh', kind: 'double' },
  { name: 'amount', kind: 'double' },
  { name: 'tax_included', kind: 'double' },
  { name: 'read_flags', kind: 'int32' },
  { name: 'replaces_version', kind: 'int32' },
  { name: 'replaced_amount', kind: 'double' },
  { name: 'interval_minutes', kind: 'int32' },
  { name: 'intervals_actual', kind: 'int32' },
  { name: 'intervals_estimated', kind: 'int32' },
  { name: 'intervals_missing', kind: 'int32' },
] as const satisfies readonly ColumnSpec[];

export const LINE_COLUMNS = [
  { name: 'ordinal', kind: 'int32' },
  { name: 'charge_key', kind: 'double' },
  { name: 'quantity', kind: 'double' },
  { name: 'amount', kind: 'double' },
] as const satisfies readonly ColumnSpec[];

export const READ_COLUMNS = [
  { name: 'ordinal', kind: 'int32' },
  { name: 'meter_id', kind: 'varchar' },
  { name: 'removed', kind: 'uint8' },
  { name: 'removed_on', kind: 'date' },
  { name: 'register_code', kind: 'uint8' },
  { name: 'open_value', kind: 'double' },
  { name: 'open_date', kind: 'date' },
  { name: 'open_type', kind: 'uint8' },
  { name: 'close_value', kind: 'double' },
  { name: 'close_date', kind: 'date' },
  { name: 'close_type', kind: 'uint8' },
  { name: 'advance', kind: 'double' },
  { name: 'quantity', kind: 'double' },
  { name: 'multiplier', kind: 'double' },
] as const satisfies readonly ColumnSpec[];

export const HISTORY_COLUMNS = [
  { name: 'ordinal', kind: 'int32' },
  { name: 'back', kind: 'uint8' },
  { name: 'days', kind: 'int32' },
  { name: 'kwh', kind: 'double' },
  { name: 'amount', kind: 'double' },
] as const satisfies readonly ColumnSpec[];

export type AccountColumns = Columns<typeof ACCOUNT_COLUMNS>;
export type LineColumns = Columns<typeof LINE_COLUMNS>;
export type ReadColumns = Columns<typeof READ_COLUMNS>;
export type HistoryColumns = Columns<typeof HISTORY_COLUMNS>;

/** A charge as a statement shows it: the bill's context already names the tariff and its versions. */
export type ChargeDim = Omit<BilledCharge, 'tariffId' | 'tariffVersion'>;

export interface ContextDim extends BilledContext {
  /** The name of the tariff's latest loaded revision. */
  tariffName: string;
}

export const STATEMENT_FORMATS = ['html', 'txt', 'json'] as const;
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

/** `files`: one file per account and format; `stream`: one file per batch and format, with an index (stream.ts). */
export const STATEMENT_LAYOUTS = ['files', 'stream'] as const;
export type StatementLayout = (typeof STATEMENT_LAYOUTS)[number];

/** What stays the same for every batch of a run. */
export interface RunSettings {
  period: string;
  /** Absolute directory of the period's statements (<out>/<period>). */
  root: string;
  formats: StatementFormat[];
  /** Absent: 'files'. */
  layout?: StatementLayout;
  locale: StatementLocale;
  utility: UtilityConfig;
  shardDigits: number;
  /** `root` is a directory this run made and publishes at the end: no file can be there yet. */
  fresh: boolean;
  charges: ChargeDim[];
  contexts: ContextDim[];
}

export interface StatementTask {
  batchNo: number;
  settings: RunSettings;
  accounts: Table<AccountColumns>;
  lines: Table<LineColumns>;
  reads: Table<ReadColumns>;
  history: Table<HistoryColumns>;
  /** "Why your bill changed" boxes of the batch's notable changes, by row. */
  changes?: Record<number, WhyChanged>;
}

export const TASK_TABLES = { accounts: ACCOUNT_COLUMNS, lines: LINE_COLUMNS, reads: READ_COLUMNS, history: HISTORY_COLUMNS } as const;

/** A StatementTask as it crosses to the worker. */
export type StatementMessage = WireTask<StatementTask, typeof TASK_TABLES>;

/** Per file slot (account i, format f) at index i × formats + f. */
export const FILE_OUTCOME = { none: 0, written: 1, unchanged: 2 } as const;

export interface StatementResult {
  batchNo: number;
  rowCount: number;
  /** 1 where the account's statement is a draft (a held bill under --include-held). */
  drafts: Uint8Array;
  fileOutcome: Uint8Array;
  fileBytes: Int32Array;
  fileSha256: string[];
  /** Accounts that got no statement, with the reason (data problems, reported not thrown). */
  rejects: { row: number; reason: string }[];
  /** The batch's print streams (stream layout only; empty otherwise). */
  streams: StreamPart[];
  renderMs: number;
  writeMs: number;
}

/** One stream file a batch wrote, with the index of the statements in it (row = batch row). */
export interface StreamPart {
  /** Relative to the streams directory. */
  file: string;
  format: StatementFormat;
  draft: boolean;
  bytes: number;
  sha256: string;
  rows: number[];
  offsets: number[];
  lengths: number[];
  sha256s: string[];
}

/** The typed arrays of a result, for the transfer list. */
export function resultArrays(result: StatementResult): ArrayBufferView[] {
  return [result.drafts, result.fileOutcome, result.fileBytes];
}
