// Ingest stage: account master, register readings and interval readings into the store.
//
// Inputs: CSV or Parquet files (by extension) following the contracts in schemas/inputs.ts.
// Outputs: rows in accounts/meters/readings/intervals, one input_files record per file, and a
// rejects CSV per file listing each rejected row's line, column, value and reason.
// Invariants: rows read = loaded + unchanged + rejected for every file; each file loads in one
// transaction (a crash leaves the store as it was); loading the same file twice adds nothing.
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  ACCOUNT_COLUMNS, INTERVAL_READING_COLUMNS, REGISTER_READING_COLUMNS, REQUIRED_ACCOUNT_COLUMNS,
} from '../../schemas/inputs.js';
import { FatalError } from '../diagnostics/index.js';
import { nextKey, sha256File, sqlStatements, type Store } from '../store/index.js';
import { checkColumns, fileColumns, stageFile, type Contract, type StructuralReject } from './source.js';
import { writeRejects, type Reject } from './rejects.js';

const ACCOUNTS_SQL = sqlStatements(import.meta.url, 'accounts.sql');
const READINGS_SQL = sqlStatements(import.meta.url, 'readings.sql');

export type InputKind = 'accounts' | 'readings' | 'intervals';

export interface LoadReport {
  file: string;
  kind: InputKind;
  rowsRead: number;
  /** New or changed rows written to the store. */
  loaded: number;
  /** Rows identical to what the store already holds. */
  unchanged: number;
  rejected: number;
  /** Path of the rejects CSV, when anything was rejected. */
  rejectsFile: string | null;
  /** The first few rejects, for the terminal. */
  sample: Reject[];
}

export interface LoadOptions {
  /** Directory for `<file>.rejects.csv`. */
  rejectsDir: string;
  now: Date;
}

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
  const reports: LoadReport[] = [];
  for (const path of paths) {
    const columns = await fileColumns(store.connection, path);
    checkColumns(path, columns, ACCOUNT_CONTRACT);
    reports.push(await loadOne(store, path, 'accounts', ACCOUNT_CONTRACT, columns, options, loadAccountRows));
  }
  return reports;
}

/** Register or interval readings, told apart by their columns. */
export async function loadReadings(store: Store, paths: string[], options: LoadOptions): Promise<LoadReport[]> {
  const reports: LoadReport[] = [];
  for (const path of paths) {
    const columns = await fileColumns(store.connection, path);
    const kind = readingsKind(path, columns);
    const contract = kind === 'readings' ? REGISTER_CONTRACT : INTERVAL_CONTRACT;
    checkColumns(path, columns, contract);
    reports.push(await loadOne(store, path, kind, contract, columns, options, kind === 'readings' ? loadRegisterRows : loadIntervalRows));
  }
  return reports;
}

function readingsKind(path: string, columns: string[]): 'readings' | 'intervals' {
  const has = (name: string) => columns.includes(name);
  if (has('register') || has('read_at') || has('value') || has('read_type')) return 'readings';
  if (has('interval_start') || has('interval_minutes') || has('kwh')) return 'intervals';
  throw FatalError.at({ file: path, line: 1 },
    `not readings: expected register readings (${REGISTER_READING_COLUMNS.join(', ')}) or interval readings (${INTERVAL_READING_COLUMNS.join(', ')})`);
}

type RowLoader = (connection: DuckDBConnection, fileKey: number) => Promise<{ rejects: Reject[]; loaded: number; unchanged: number }>;

async function loadOne(
  store: Store,
  path: string,
  kind: InputKind,
  contract: Contract,
  columns: string[],
  options: LoadOptions,
  loadRows: RowLoader,
): Promise<LoadReport> {
  const sha256 = await sha256File(path);
  const report = await store.transaction(async (connection) => {
    const staged = await stageFile(connection, path, contract, columns);
    const fileKey = await nextKey(connection, 'input_files', 'file_key');
    const { rejects, loaded, unchanged } = await loadRows(connection, fileKey);
    const all = mergeRejects(staged.structuralRejects, rejects);
    const rowsRead = staged.staged + staged.structuralRejects.length;
    if (loaded + unchanged + all.length !== rowsRead) {
      throw new Error(`ingest bookkeeping: ${path}: read ${rowsRead} ≠ loaded ${loaded} + unchanged ${unchanged} + rejected ${all.length}`);
    }
    await connection.run(
      `INSERT INTO input_files VALUES ($file_key, $kind, $path, $sha256, $read, $loaded, $unchanged, $rejected, $at)`,
      { file_key: fileKey, kind, path, sha256, read: rowsRead, loaded, unchanged, rejected: all.length, at: options.now.toISOString() },
    );
    return { rowsRead, loaded, unchanged, rejects: all };
  });
  let rejectsFile: string | null = null;
  if (report.rejects.length > 0) {
    mkdirSync(options.rejectsDir, { recursive: true });
    rejectsFile = join(options.rejectsDir, `${basename(path)}.rejects.csv`);
    await writeRejects(store.connection, rejectsFile, path, report.rejects);
  }
  return {
    file: path,
    kind,
    rowsRead: report.rowsRead,
    loaded: report.loaded,
    unchanged: report.unchanged,
    rejected: report.rejects.length,
    rejectsFile,
    sample: report.rejects.slice(0, 5),
  };
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

const loadAccountRows: RowLoader = async (connection, fileKey) => {
  await connection.run(ACCOUNTS_SQL.check!);
  const rejects = await selectRejects(connection, ACCOUNTS_SQL.rejects!);
  await connection.run(ACCOUNTS_SQL.classify!);
  const changed = await count(connection, `SELECT count(*) FROM account_good WHERE change = 'changed'`);
  const unchanged = await count(connection, `SELECT count(*) FROM account_good WHERE change = 'unchanged'`);
  await connection.run(ACCOUNTS_SQL['update-changed']!, { file_key: fileKey });
  const inserted = await connection.run(ACCOUNTS_SQL['insert-new']!, {
    first_key: await nextKey(connection, 'accounts', 'account_key'),
    file_key: fileKey,
  });
  await connection.run(ACCOUNTS_SQL['assign-meters']!, { first_key: await nextKey(connection, 'meters', 'meter_key') });
  await connection.run(ACCOUNTS_SQL['close-replaced-meters']!);
  return { rejects, loaded: changed + inserted.rowsChanged, unchanged };
};

const loadRegisterRows: RowLoader = async (connection, fileKey) => {
  await connection.run(READINGS_SQL['check-registers']!);
  // The staged text is the largest thing in memory during a bulk load; the checks hold what is left.
  await connection.run('DROP TABLE raw_rows');
  await connection.run(READINGS_SQL['stored-registers-in-range']!);
  const rejects = await selectRejects(connection, READINGS_SQL['register-rejects']!);
  const unchanged = await count(connection, `SELECT count(*) FROM reading_checks c JOIN stored_in_range r USING (meter_key, read_at, register)
    WHERE c.problem IS NULL AND r.value_milli = c.value_milli AND r.read_type = c.read_type`);
  const inserted = await connection.run(READINGS_SQL['insert-registers']!, { file_key: fileKey });
  return { rejects, loaded: inserted.rowsChanged, unchanged };
};

const loadIntervalRows: RowLoader = async (connection, fileKey) => {
  await connection.run(READINGS_SQL['check-intervals']!);
  await connection.run('DROP TABLE raw_rows');
  await connection.run(READINGS_SQL['stored-intervals-in-range']!);
  const rejects = await selectRejects(connection, READINGS_SQL['interval-rejects']!);
  const unchanged = await count(connection, `SELECT count(*) FROM reading_checks c JOIN stored_in_range r USING (meter_key, interval_start)
    WHERE c.problem IS NULL AND r.wh = c.wh AND r.interval_minutes = c.interval_minutes`);
  const inserted = await connection.run(READINGS_SQL['insert-intervals']!, { file_key: fileKey });
  return { rejects, loaded: inserted.rowsChanged, unchanged };
};

export type { Reject } from './rejects.js';
