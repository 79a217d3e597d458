// Ingest stage: account master, register readings and interval readings into the store.
//
// Inputs: CSV or Parquet files (by extension) following the contracts in schemas/inputs.ts.
// Outputs: rows in accounts/meters/readings/intervals, one input_files record per file, and a
// rejects CSV per file listing each rejected row's line, column, value and reason; estimates that
// an actual read replaced, in superseded_readings.
// Invariants: rows read = loaded + unchanged + rejected for every file; the files of one command
// load in one transaction, their rejects written before it commits (a bad file, an unwritable
// rejects folder or a crash leaves the store as it was); loading the same file twice adds nothing.
import { basename, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  ACCOUNT_COLUMNS, INTERVAL_READING_COLUMNS, REGISTER_READING_COLUMNS, REQUIRED_ACCOUNT_COLUMNS,
} from '../../schemas/inputs.js';
import { FatalError } from '../diagnostics/index.js';
import { assertWritableFolder, nextKey, sqlStatements, type Store } from '../store/index.js';
import {
  checkColumns, dropStaged, fileColumns, readStaged, scanFile, stageFile, type Contract, type FileScan, type StagedFile, type StructuralReject,
} from './source.js';
import { writeRejects, type Reject } from './rejects.js';

const ACCOUNTS_SQL = sqlStatements(import.meta.url, 'accounts.sql');
const READINGS_SQL = sqlStatements(import.meta.url, 'readings.sql');

/**
 * The largest register value or interval kWh accepted: 3 decimals below 10^12 stay exact through
 * a DOUBLE (Parquet's usual type, and the cast the checks use), and no register has more than 12
 * digits (`register_digits`). Larger values are rejected rather than stored rounded.
 */
export const LARGEST_READING = '999999999999.999';

/** Reads may be dated up to this many days after the load's date: a meter's local date runs ahead of UTC. */
export const FUTURE_READ_DAYS = 1;

export type InputKind = 'accounts' | 'readings' | 'intervals';

/** Billed periods that used an estimate an actual read has now replaced. */
export interface RebillNeed {
  /** YYYY-MM. */
  period: string;
  accounts: string[];
}

export interface LoadReport {
  file: string;
  kind: InputKind;
  rowsRead: number;
  /** New or changed rows written to the store. */
  loaded: number;
  /** Rows identical to what the store already holds. */
  unchanged: number;
  rejected: number;
  /** Of `loaded`: stored estimates replaced by an actual read (the estimate kept in superseded_readings). */
  superseded: number;
  /** Of `loaded`: reads dated before their account's start_date or after its end_date. */
  outsideAccountLife: number;
  /** Current bills whose read span covers a replaced estimate. */
  rebill: RebillNeed[];
  /** Path of the rejects CSV, when anything was rejected. */
  rejectsFile: string | null;
  /** The first few rejects, for the terminal. */
  sample: Reject[];
}

export interface LoadOptions {
  /** Directory for `<file>.rejects.csv`. */
  rejectsDir: string;
  now: Date;
  /**
   * The utility's time zone (IANA name): reading times that carry a UTC offset are converted to
   * its local clock. Without it such a time is rejected, never read off by its offset.
   */
  timeZone?: string;
}

/** Why a reading time with a UTC offset is rejected when the load was given no time zone. */
const OFFSET_REASON = "has a UTC offset: billrun keeps the utility's local clock; give --time-zone (e.g. Asia/Shanghai) to convert it";

const ACCOUNT_CONTRACT: Contract = {
  describe: 'account master',
  columns: ACCOUNT_COLUMNS,
  required: REQUIRED_ACCOUNT_COLUMNS,
};
const REGISTER_CONTRACT: Contract = {
  describe: 'register readings',
  columns: REGISTER_READING_COLUMNS,
  required: REGISTER_READING_COLUMNS,
};
const INTERVAL_CONTRACT: Contract = {
  describe: 'interval readings',
  columns: INTERVAL_READING_COLUMNS,
  required: INTERVAL_READING_COLUMNS,
};

export async function loadAccounts(store: Store, paths: string[], options: LoadOptions): Promise<LoadReport[]> {
  return loadFiles(store, paths, options, () => ({ kind: 'accounts', contract: ACCOUNT_CONTRACT, loadRows: loadAccountRows }));
}

/** Register or interval readings, told apart by their columns. */
export async function loadReadings(store: Store, paths: string[], options: LoadOptions): Promise<LoadReport[]> {
  return loadFiles(store, paths, options, (path, columns) => readingsKind(path, columns) === 'readings'
    ? { kind: 'readings', contract: REGISTER_CONTRACT, loadRows: loadRegisterRows }
    : { kind: 'intervals', contract: INTERVAL_CONTRACT, loadRows: loadIntervalRows });
}

function readingsKind(path: string, columns: string[]): 'readings' | 'intervals' {
  const has = (name: string) => columns.includes(name);
  if (has('register') || has('read_at') || has('value') || has('read_type')) return 'readings';
  if (has('interval_start') || has('interval_minutes') || has('kwh')) return 'intervals';
  throw FatalError.at({ file: path, line: 1 },
    `not readings: expected register readings (${REGISTER_READING_COLUMNS.join(', ')}) or interval readings (${INTERVAL_READING_COLUMNS.join(', ')})`);
}

/** A zone DuckDB's time zone data knows, or one clear message (DuckDB's own lists every zone). */
async function assertTimeZone(connection: DuckDBConnection, zone: string): Promise<void> {
  try {
    await connection.run(`SELECT timezone($zone, TIMESTAMPTZ '2024-01-01 00:00:00+00')`, { zone });
  } catch {
    throw new FatalError(`--time-zone: unknown time zone '${zone}' (an IANA name such as Asia/Shanghai or America/New_York)`);
  }
}

interface FilePlan {
  kind: InputKind;
  contract: Contract;
  loadRows: RowLoader;
}

interface PlannedFile extends FilePlan {
  path: string;
  columns: string[];
  /** `<file>.rejects.csv`, or `<file>.N.rejects.csv` for the N-th file of that name in one command. */
  rejectsName: string;
}

interface RowContext {
  fileKey: number;
  checks: { latest_date: string; largest_value: string; time_zone: string; offset_reason: string };
}

interface RowOutcome {
  rejects: Reject[];
  loaded: number;
  unchanged: number;
  superseded: number;
  outsideAccountLife: number;
  rebill: RebillNeed[];
}

type RowLoader = (connection: DuckDBConnection, context: RowContext) => Promise<RowOutcome>;

/**
 * All or nothing, as `tariff load`: every file's columns and the rejects folder are checked
 * before the store is touched, then the files load in one transaction that commits only after
 * the last file loaded and every rejects file was written.
 */
async function loadFiles(
  store: Store,
  paths: string[],
  options: LoadOptions,
  plan: (path: string, columns: string[]) => FilePlan,
): Promise<LoadReport[]> {
  const planned: PlannedFile[] = [];
  // Files of one name from different folders (day1/reads.csv, day2/reads.csv) keep a rejects
  // file each: the later one would otherwise replace the earlier one's.
  const sameName = new Map<string, number>();
  for (const path of paths) {
    const columns = await fileColumns(store.connection, path);
    const filePlan = plan(path, columns);
    checkColumns(path, columns, filePlan.contract);
    const name = basename(path);
    const nth = (sameName.get(name) ?? 0) + 1;
    sameName.set(name, nth);
    planned.push({ path, columns, rejectsName: nth === 1 ? `${name}.rejects.csv` : `${name}.${nth}.rejects.csv`, ...filePlan });
  }
  // A load whose rejects cannot be kept must not commit its good rows: checked before the store
  // is touched (the folder itself is made only when something is rejected).
  assertWritableFolder(options.rejectsDir, 'rejects to');
  const latest = new Date(options.now.getTime() + FUTURE_READ_DAYS * 86_400_000);
  const timeZone = options.timeZone ?? '';
  if (timeZone !== '') await assertTimeZone(store.connection, timeZone);
  const checks = { latest_date: latest.toISOString().slice(0, 10), largest_value: LARGEST_READING, time_zone: timeZone, offset_reason: OFFSET_REASON };
  // Staged before the transaction (see stageFile) and dropped after it whatever happens: a drop
  // inside it would free nothing before the commit, as a rollback must bring the rows back.
  const staged: { file: PlannedFile; scan: FileScan; staged: StagedFile }[] = [];
  try {
    for (const [index, file] of planned.entries()) {
      const scan = await scanFile(file.path);
      staged.push({ file, scan, staged: await stageFile(store.connection, file.path, file.contract, file.columns, scan, `staged_${index + 1}`) });
    }
    return await store.transaction(async (connection) => {
      const loads: { report: LoadReport; rejects: Reject[] }[] = [];
      for (const one of staged) {
        loads.push(await loadOne(connection, one.file, one.scan, one.staged, options, checks));
      }
      // Last, so that a file that fails to load leaves no rejects file of a load that never happened.
      for (const { report, rejects } of loads) {
        if (report.rejectsFile) await writeRejects(connection, report.rejectsFile, report.file, rejects);
      }
      return loads.map((load) => load.report);
    });
  } finally {
    for (const one of staged) await dropStaged(store.connection, one.staged);
  }
}

async function loadOne(
  connection: DuckDBConnection,
  { path, kind, loadRows, rejectsName }: PlannedFile,
  scan: FileScan,
  staged: StagedFile,
  options: LoadOptions,
  checks: RowContext['checks'],
): Promise<{ report: LoadReport; rejects: Reject[] }> {
  await readStaged(connection, staged);
  const fileKey = await nextKey(connection, 'input_files', 'file_key');
  const outcome = await loadRows(connection, { fileKey, checks });
  const { loaded, unchanged } = outcome;
  const rejects = mergeRejects(staged.structuralRejects, outcome.rejects);
  const rowsRead = staged.staged + staged.structuralRejects.length;
  if (loaded + unchanged + rejects.length !== rowsRead) {
    throw new Error(`ingest bookkeeping: ${path}: read ${rowsRead} ≠ loaded ${loaded} + unchanged ${unchanged} + rejected ${rejects.length}`);
  }
  await connection.run(
    `INSERT INTO input_files VALUES ($file_key, $kind, $path, $sha256, $read, $loaded, $unchanged, $rejected, $at)`,
    { file_key: fileKey, kind, path, sha256: scan.sha256, read: rowsRead, loaded, unchanged, rejected: rejects.length, at: options.now.toISOString() },
  );
  const rejectsFile = rejects.length > 0 ? join(options.rejectsDir, rejectsName) : null;
  const report: LoadReport = {
    file: path,
    kind,
    rowsRead,
    loaded,
    unchanged,
    rejected: rejects.length,
    superseded: outcome.superseded,
    outsideAccountLife: outcome.outsideAccountLife,
    rebill: outcome.rebill,
    rejectsFile,
    sample: rejects.slice(0, 5),
  };
  return { report, rejects };
}

function mergeRejects(structural: StructuralReject[], rejects: Reject[]): Reject[] {
  return [...structural, ...rejects].sort((a, b) => a.line - b.line);
}

async function selectRejects(connection: DuckDBConnection, sql: string): Promise<Reject[]> {
  const rows = (await connection.runAndReadAll(sql)).getRowObjectsJson();
  return rows.map((row) => ({
    line: Number(row.line),
    column: String(row.column_name),
    value: row.value === null ? '' : String(row.value),
    reason: String(row.reason),
  }));
}

async function count(connection: DuckDBConnection, sql: string): Promise<number> {
  return Number((await connection.runAndReadAll(sql)).getRowsJson()[0]![0]);
}

const loadAccountRows: RowLoader = async (connection, { fileKey }) => {
  await connection.run(ACCOUNTS_SQL.check!);
  const rejects = await selectRejects(connection, ACCOUNTS_SQL.rejects!);
  await connection.run(ACCOUNTS_SQL['number-new']!, { first_key: await nextKey(connection, 'accounts', 'account_key') });
  await connection.run(ACCOUNTS_SQL['good-rows']!);
  const changed = await count(connection, `SELECT count(*) FROM account_good WHERE change = 'changed'`);
  const unchanged = await count(connection, `SELECT count(*) FROM account_good WHERE change = 'unchanged'`);
  await connection.run(ACCOUNTS_SQL['update-changed']!, { file_key: fileKey });
  const inserted = await connection.run(ACCOUNTS_SQL['insert-new']!, { file_key: fileKey });
  await connection.run(ACCOUNTS_SQL['assign-meters']!, { first_key: await nextKey(connection, 'meters', 'meter_key') });
  await connection.run(ACCOUNTS_SQL['close-replaced-meters']!);
  return { rejects, loaded: changed + inserted.rowsChanged, unchanged, superseded: 0, outsideAccountLife: 0, rebill: [] };
};

const loadRegisterRows: RowLoader = async (connection, { fileKey, checks }) => {
  await connection.run(READINGS_SQL['check-registers']!, checks);
  const dates = (await connection.runAndReadAll(READINGS_SQL['good-dates']!)).getRowObjectsJson()[0]!;
  await connection.run(READINGS_SQL['stored-register-matches']!, {
    first_date: dates.first_date === null ? null : String(dates.first_date),
    last_date: dates.last_date === null ? null : String(dates.last_date),
  });
  const rejects = await selectRejects(connection, READINGS_SQL['register-rejects']!);
  const counts = (await connection.runAndReadAll(READINGS_SQL['count-registers']!)).getRowObjectsJson()[0]!;
  const superseded = Number(counts.superseded);
  const inserted = await connection.run(READINGS_SQL['insert-registers']!, { file_key: fileKey });
  let rebill: RebillNeed[] = [];
  if (superseded > 0) {
    await connection.run(READINGS_SQL['keep-superseded']!, { file_key: fileKey });
    await connection.run(READINGS_SQL['supersede-estimates']!, { file_key: fileKey });
    rebill = (await connection.runAndReadAll(READINGS_SQL['rebill-superseded']!)).getRowObjectsJson().map((row) => ({
      period: `${String(row.period).slice(0, 4)}-${String(row.period).slice(4)}`,
      accounts: (row.accounts as string[]).map(String),
    }));
  }
  return {
    rejects,
    loaded: inserted.rowsChanged + superseded,
    unchanged: Number(counts.unchanged),
    superseded,
    outsideAccountLife: Number(counts.outside_account_life),
    rebill,
  };
};

const loadIntervalRows: RowLoader = async (connection, { fileKey, checks }) => {
  await connection.run(READINGS_SQL['check-intervals']!, checks);
  await connection.run(READINGS_SQL['stored-intervals-in-range']!);
  const rejects = await selectRejects(connection, READINGS_SQL['interval-rejects']!);
  const unchanged = await count(connection, `SELECT count(*) FROM reading_checks c JOIN stored_in_range r USING (meter_key, interval_start)
    WHERE c.problem IS NULL AND r.wh = c.wh AND r.interval_minutes = c.interval_minutes`);
  const outsideAccountLife = await count(connection, READINGS_SQL['count-intervals-outside-account-life']!);
  const inserted = await connection.run(READINGS_SQL['insert-intervals']!, { file_key: fileKey });
  return { rejects, loaded: inserted.rowsChanged, unchanged, superseded: 0, outsideAccountLife, rebill: [] };
};

export type { Reject } from './rejects.js';
