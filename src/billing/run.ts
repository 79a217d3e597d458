// One period's bill run: stage determinants in SQL, price and score batches on the worker pool,
// write each batch in its own transaction, then make the period current and write its outputs.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { LIST, listValue, VARCHAR, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import pLimit from 'p-limit';
import type { ReviewRules } from '../../schemas/rules.js';
import { addPeriods, periodKey, requireBillingPeriod, type BillingPeriod } from '../calendar/index.js';
import { EXIT, FatalError, stageTimer } from '../diagnostics/index.js';
import {
  appendBatch, inTransaction, makeFolder, objectsToBatch, publishFile, readColumns, sqlStatements, tempPathFor, toWireTables, writeFileAtomic,
  type ColumnBatch, type ColumnSpec, type Store,
} from '../store/index.js';
import { writeCsvFile } from '../text/csv.js';
import { createBillingPool } from './pool.js';
import { defineReadDerivation, INTERVAL_RULE_PARAMS } from './reads.js';
import { BATCH_COLUMNS, OUTCOME, TASK_TABLES, type PriceResult, type TariffRef } from './protocol.js';
import { standbyParams } from './baseline.js';
import { refreshHistory } from './history.js';
import { changeSpreadParams, minPeersParams, spreadScaleParams } from './spread.js';

const STAGE_SQL = sqlStatements(import.meta.url, 'determinants.sql');
const WRITE_SQL = sqlStatements(import.meta.url, 'write.sql');
/** Accounts per determinants query: at 10M accounts the SQL stage took as long under a 4 GB memory limit as under 9.6 GB (bench/README.md). */
export const DEFAULT_STAGE_SIZE = 2_000_000;
/**
 * Accounts per batch. Each batch reads its accounts from run_staging, whose rows are not in key
 * order, and commits once; at 1M accounts 200,000 took a fifth less CPU than 50,000 and ~0.1 GB
 * more peak memory (bench/README.md, "Issue 12: the batch stage's alternatives").
 */
export const DEFAULT_BATCH_SIZE = 200_000;

export interface BillRunOptions {
  period: string;
  workers: number;
  batchSize: number;
  /** Account keys per determinants query: its hash tables hold this many accounts' reads and bills. */
  stageSize: number;
  rebill: boolean;
  /** Outputs go to <outDir>/<period>/. */
  outDir: string;
  rules: ReviewRules;
  softwareVersion: string;
  now: () => Date;
  onProgress?: (done: number, total: number, stage: string) => void;
}

export interface RunSummary {
  runId: number;
  period: string;
  billVersion: number;
  resumed: boolean;
  accountsIn: number;
  billed: number;
  held: number;
  errored: number;
  flagged: number;
  flagRate: number;
  lineItems: number;
  amounts: { currency: string; bills: number; amountMinor: number }[];
  errorsByCode: { code: string; accounts: number }[];
  timingsMs: Record<string, number>;
  peakRssMb: number;
  outputs: Record<string, string>;
}

interface RunRow {
  run_id: number;
  bill_version: number;
  status: 'running' | 'finalizing' | 'done';
  batch_size: number;
  batch_count: number;
  accounts_in: number;
  started_at: string;
}

export async function billPeriod(store: Store, options: BillRunOptions): Promise<RunSummary> {
  const billing = requireBillingPeriod(options.period);
  const period = billing.key;
  const timings: Record<string, number> = {};
  const timed = stageTimer(timings);

  let run = await openRun(store, period);
  const resumed = run !== null;
  if (!run) run = await timed('determinants', () => startRun(store, options, billing));
  else await completeOlderRun(store, options);

  const writer = await store.instance.connect();
  try {
    if (run.status === 'running') await timed('batches', () => runBatches(store, writer, run!, options, period, timings));
    return await finishRun(store, run!, options, period, resumed, timings);
  } finally {
    writer.closeSync();
  }
}

/** Columns of run_staging added since rules 2026.7: a resumed older run gets them empty (not measured). */
const LATER_STAGED_COLUMNS = ['yoy_level', 'since_low', 'since_high', 'yoy_recent_log_level'] as const;

/**
 * A run interrupted by an older billrun (an upgrade in between) has its staged rows and peers but
 * maybe not what later versions stage: the band scales (rules 2026.8) are measured from those
 * rows, as its start would have; the own-season columns (2026.8, 2026.10, 2026.12) are left
 * empty, so the rules that need them hold such a month, as for an account without them.
 */
async function completeOlderRun(store: Store, options: BillRunOptions): Promise<void> {
  const [row] = await store.rows(`SELECT count(*) AS n FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'run_scales'`);
  if (Number(row!.n) === 0) await store.connection.run(STAGE_SQL['spread-scales']!, spreadScaleParams(options.rules.classes));
  const present = new Set((await store.rows(`SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = 'run_staging'`))
    .map((r) => String(r.column_name)));
  if (present.size === 0) return;
  for (const column of LATER_STAGED_COLUMNS) {
    if (!present.has(column)) await store.connection.run(`ALTER TABLE run_staging ADD COLUMN "${column}" DOUBLE`);
  }
}

async function openRun(store: Store, period: number): Promise<RunRow | null> {
  const rows = (await store.rows(
    `SELECT run_id, bill_version, status::VARCHAR AS status, batch_size, batch_count, accounts_in, started_at::VARCHAR AS started_at
     FROM runs WHERE period = $period AND status <> 'done' ORDER BY run_id DESC LIMIT 1`, { period })) as unknown as RunRow[];
  return rows[0] ? { ...rows[0], accounts_in: Number(rows[0].accounts_in) } : null;
}

async function startRun(store: Store, options: BillRunOptions, billing: BillingPeriod): Promise<RunRow> {
  const period = billing.key;
  const done = await store.rows(
    `SELECT run_id, bill_version, finished_at::VARCHAR AS finished_at FROM runs WHERE period = $period AND status = 'done' ORDER BY run_id DESC LIMIT 1`,
    { period });
  if (done[0] && !options.rebill) {
    throw new FatalError(
      `${options.period} is already billed (run ${done[0].run_id}, version ${done[0].bill_version}, finished ${done[0].finished_at}); ` +
      `use --rebill to bill it again as a new version (the earlier bills are kept for audit)`, EXIT.refused);
  }
  return store.transaction(async (connection) => {
    const runId = Number((await connection.runAndReadAll('SELECT coalesce(max(run_id), 0) + 1 FROM runs')).getRowsJson()[0]![0]);
    const billVersion = Number((await connection.runAndReadAll(
      'SELECT coalesce(max(bill_version), 0) + 1 FROM bills WHERE period = $period', { period })).getRowsJson()[0]![0]);
    await stageDeterminants(connection, billing, options.rules.classes, runId, options.stageSize);
    await connection.run(STAGE_SQL['keep-peer-levels']!, { period, ...minPeersParams(options.rules.classes) });
    await connection.run(STAGE_SQL['spread-scales']!, spreadScaleParams(options.rules.classes));
    const [accountsIn, maxKey] = (await connection.runAndReadAll('SELECT count(*), coalesce(max(account_key), -1) FROM run_staging')).getRowsJson()[0]!.map(Number) as [number, number];
    // Batches are account-key ranges: fixed by the data, so a resumed run cuts the same batches.
    const batchCount = Math.ceil((maxKey + 1) / options.batchSize);
    const row: RunRow = {
      run_id: runId, bill_version: billVersion, status: 'running', batch_size: options.batchSize, batch_count: batchCount,
      accounts_in: accountsIn, started_at: options.now().toISOString(),
    };
    await connection.run(
      `INSERT INTO runs VALUES ($run_id, $period, $bill_version, 'running', $batch_size, $batch_count, $accounts_in, $started_at, NULL, $options, NULL)`,
      {
        run_id: runId, period, bill_version: billVersion, batch_size: options.batchSize, batch_count: batchCount,
        accounts_in: accountsIn, started_at: row.started_at,
        options: JSON.stringify({ batch_size: options.batchSize, rebill: options.rebill, rules_version: options.rules.version, rules: options.rules }),
      });
    return row;
  });
}

/**
 * The determinants stage: every active account's quantities and review features for the period
 * (run_staging), its peer groups (run_peers) and the policies it uses (run_tariffs). The bill run
 * starts with it; the SQL twin of the run (bench/twin.ts) starts with the same call.
 */
export async function stageDeterminants(
  connection: DuckDBConnection, billing: BillingPeriod, classes: ReviewRules['classes'], runId: number, stageSize: number,
): Promise<void> {
  await defineReadDerivation(connection);
  await refreshHistory(connection, billing, stageSize);
  // The history the statement names: the previous period, the third before, and the same month a year before with the months beside it.
  const history = billing.historyKeys;
  const params = { run_id: runId, ...billing.readWindow, p1: history[0]!, p3: history[2]!, p11: history[10]!, p12: history[11]!, p13: periodKey(addPeriods(billing.text, -13)), year_start: billing.yearStartKey, ...INTERVAL_RULE_PARAMS,
    ...changeSpreadParams(), ...standbyParams(classes) };
  const keys = Number((await connection.runAndReadAll('SELECT coalesce(max(account_key), -1) + 1 FROM accounts')).getRowsJson()[0]![0]);
  // The first range creates the table, so a store without accounts still gets an empty one.
  for (let lo = 0; lo === 0 || lo < keys; lo += stageSize) {
    const into = lo === 0 ? 'CREATE OR REPLACE TABLE run_staging AS' : 'INSERT INTO run_staging';
    // The range's meter keys bound its scans of readings and intervals (reads.sql); an empty range, none.
    const [meterLo, meterHi] = (await connection.runAndReadAll(
      'SELECT coalesce(min(meter_key), 0), coalesce(max(meter_key), -1) FROM meters WHERE account_key >= $lo AND account_key < $hi',
      { lo, hi: lo + stageSize })).getRowsJson()[0]!.map(Number) as [number, number];
    await connection.run(`${into}\n${STAGE_SQL.staged!}`, { ...params, lo, hi: lo + stageSize, meter_lo: meterLo, meter_hi: meterHi });
  }
  await connection.run(STAGE_SQL.peers!);
  await connection.run(STAGE_SQL.tariffs!);
}

async function runBatches(
  store: Store, writer: DuckDBConnection, run: RunRow, options: BillRunOptions, period: number, timings: Record<string, number>,
): Promise<void> {
  const doneRows = await store.rows('SELECT batch_no, accounts FROM run_batches WHERE run_id = $run_id', { run_id: run.run_id });
  const done = new Set(doneRows.map((r) => Number(r.batch_no)));
  let accountsDone = doneRows.reduce((sum, r) => sum + Number(r.accounts), 0);
  const pending = Array.from({ length: run.batch_count }, (_, i) => i).filter((i) => !done.has(i));
  options.onProgress?.(accountsDone, run.accounts_in, `billing ${options.period}`);
  if (pending.length === 0) return;

  const tariffs = (await store.rows('SELECT tariff_code, tariff_id, revision, policy FROM run_tariffs ORDER BY tariff_code')).map(
    (r): TariffRef => ({ code: Number(r.tariff_code), tariffId: String(r.tariff_id), revision: Number(r.revision ?? 0), policy: String(r.policy ?? '') }));
  const knownCharges = await loadDimension(store, 'SELECT charge_key, component, label, unit, rate, tariff_id, tariff_version FROM charges');
  const knownContexts = await loadDimension(store, 'SELECT context_key, tariff_id, versions, currency FROM bill_contexts');
  await writer.run(WRITE_SQL['results-table']!);

  const pool = createBillingPool(options.workers);
  // Reading, pricing and writing overlap: a few batches are in flight, writes go one at a time.
  const inFlight = pLimit(options.workers + 1);
  const writes = pLimit(1);
  const tasks: Promise<void>[] = [];
  try {
    for (const batchNo of pending) {
      tasks.push(inFlight(async () => {
        const t0 = performance.now();
        const lo = batchNo * run.batch_size;
        const batch = await readColumns(store.connection, STAGE_SQL.batch!, { lo, hi: lo + run.batch_size }, BATCH_COLUMNS);
        timings.read = (timings.read ?? 0) + performance.now() - t0;
        if (batch.rowCount === 0) {
          await writes(() => writeEmptyBatch(writer, run.run_id, batchNo));
          return;
        }
        const result = await pool.price({
          batchNo, period: options.period, prevPeriod: addPeriods(options.period, -1),
          ...toWireTables({ batch }, TASK_TABLES), tariffs, rules: options.rules,
        });
        timings.price = (timings.price ?? 0) + result.priceMs;
        await writes(async () => {
          const t1 = performance.now();
          await writeBatch(writer, run, period, lo, result, { charges: knownCharges, contexts: knownContexts }, options.rules.version);
          timings.write = (timings.write ?? 0) + performance.now() - t1;
        });
        accountsDone += result.rowCount;
        options.onProgress?.(accountsDone, run.accounts_in, `billing ${options.period}`);
      }));
    }
    await Promise.all(tasks);
  } finally {
    await pool.close();
  }
}

async function writeEmptyBatch(writer: DuckDBConnection, runId: number, batchNo: number): Promise<void> {
  await writer.run('INSERT INTO run_batches VALUES ($run_id, $batch_no, 0, 0, 0, 0, 0, 0, 0, 0)', { run_id: runId, batch_no: batchNo });
}

/**
 * Runs an export with a dimension's columns bound as lists, each row at its number in key order
 * (write.sql export-bills). Typed, because DuckDB cannot type an empty list: a period whose every
 * bill failed has no charge.
 */
async function exportWithLists(store: Store, sql: string, params: Record<string, DuckDBValue>, statement: 'context-lists' | 'charge-lists'): Promise<void> {
  const reader = await store.connection.runAndReadAll(WRITE_SQL[statement]!);
  const rows = reader.getRowsJson();
  const names = reader.columnNames();
  const lists = Object.fromEntries(names.map((name, i) => [name, listValue(rows.map((row) => String(row[i])))]));
  await store.connection.run(sql, { ...params, ...lists }, Object.fromEntries(names.map((name) => [name, LIST(VARCHAR)])));
}

type Dimension = Map<number, string>;

async function loadDimension(store: Store, sql: string): Promise<Dimension> {
  const reader = await store.connection.runAndReadAll(sql);
  return new Map(reader.getRowsJson().map((row) => [Number(row[0]), row.slice(1).join('\u0001')]));
}

/** Registers dimension rows new to the store; a key that names a different text is a hash collision. */
function newDimensionRows<T extends { key: number }>(known: Dimension, rows: T[], text: (row: T) => string[]): T[] {
  const fresh: T[] = [];
  for (const row of rows) {
    const value = text(row).join('\u0001');
    const existing = known.get(row.key);
    if (existing === undefined) {
      known.set(row.key, value);
      fresh.push(row);
    } else if (existing !== value) {
      throw new Error(`dimension key collision: ${row.key} names both '${existing}' and '${value}'`);
    }
  }
  return fresh;
}

const RESULT_SPECS: ColumnSpec[] = [
  { name: 'account_key', kind: 'int32' }, { name: 'outcome', kind: 'uint8' }, { name: 'amount_minor', kind: 'int64' },
  { name: 'tax_included_minor', kind: 'int64' }, { name: 'context_key', kind: 'int64' }, { name: 'flag_count', kind: 'int16' },
  { name: 'score', kind: 'double' },
];
const LINE_ITEM_SPECS: ColumnSpec[] = [
  { name: 'account_key', kind: 'int32' }, { name: 'period', kind: 'int32' }, { name: 'bill_version', kind: 'int16' },
  { name: 'seq', kind: 'int16' }, { name: 'charge_key', kind: 'int64' }, { name: 'quantity_milli', kind: 'int64' },
  { name: 'amount_minor', kind: 'int64' },
];
const CHARGE_SPECS: ColumnSpec[] = [
  { name: 'key', kind: 'int64' }, { name: 'component', kind: 'varchar' }, { name: 'label', kind: 'varchar' },
  { name: 'unit', kind: 'varchar' }, { name: 'rate', kind: 'varchar' }, { name: 'tariffId', kind: 'varchar' },
  { name: 'tariffVersion', kind: 'varchar' },
];
const CONTEXT_SPECS: ColumnSpec[] = [
  { name: 'key', kind: 'int64' }, { name: 'tariffId', kind: 'varchar' }, { name: 'versions', kind: 'varchar' },
  { name: 'currency', kind: 'varchar' },
];
const FLAG_SPECS: ColumnSpec[] = [
  { name: 'accountKey', kind: 'int32' }, { name: 'period', kind: 'int32' }, { name: 'billVersion', kind: 'int16' },
  { name: 'ruleId', kind: 'varchar' }, { name: 'severity', kind: 'varchar' }, { name: 'suppressed', kind: 'bool' },
  { name: 'score', kind: 'double' }, { name: 'reason', kind: 'varchar' }, { name: 'rulesVersion', kind: 'varchar' },
];
const ERROR_SPECS: ColumnSpec[] = [
  { name: 'runId', kind: 'int32' }, { name: 'accountKey', kind: 'int32' }, { name: 'period', kind: 'int32' },
  { name: 'code', kind: 'varchar' }, { name: 'message', kind: 'varchar' },
];

async function writeBatch(
  writer: DuckDBConnection, run: RunRow, period: number, lo: number, result: PriceResult,
  known: { charges: Dimension; contexts: Dimension }, rulesVersion: string,
): Promise<void> {
  const t0 = performance.now();
  const charges = newDimensionRows(known.charges, result.charges, (c) => [c.component, c.label, c.unit, c.rate, c.tariffId, c.tariffVersion]);
  const contexts = newDimensionRows(known.contexts, result.contexts, (c) => [c.tariffId, c.versions, c.currency]);
  const n = result.rowCount;
  const count = (outcome: number) => result.bills.outcome.reduce((sum, o) => sum + (o === outcome ? 1 : 0), 0);
  const [billed, held, errored] = [count(OUTCOME.billed), count(OUTCOME.held), count(OUTCOME.error)];
  let amount = 0n;
  for (let i = 0; i < n; i++) if (result.bills.outcome[i] !== OUTCOME.error) amount += result.bills.amount_minor[i]!;
  const m = result.lineItemCount;
  await inTransaction(writer, async () => {
    await appendBatch(writer, 'batch_results', RESULT_SPECS, { rowCount: n, columns: result.bills as unknown as ColumnBatch['columns'], nulls: {} });
    await writer.run(WRITE_SQL['insert-bills']!, { period, bill_version: run.bill_version, run_id: run.run_id, lo, hi: lo + run.batch_size });
    await writer.run(WRITE_SQL['insert-bill-intervals']!, { period, bill_version: run.bill_version, lo, hi: lo + run.batch_size });
    await writer.run(WRITE_SQL['clear-results']!);
    await appendBatch(writer, 'line_items', LINE_ITEM_SPECS, {
      rowCount: m,
      columns: { ...result.lineItems, period: new Int32Array(m).fill(period), bill_version: new Int16Array(m).fill(run.bill_version) },
      nulls: {},
    });
    if (charges.length) await appendBatch(writer, 'charges', CHARGE_SPECS, objectsToBatch(CHARGE_SPECS, charges));
    if (contexts.length) await appendBatch(writer, 'bill_contexts', CONTEXT_SPECS, objectsToBatch(CONTEXT_SPECS, contexts));
    if (result.flags.length) {
      const rows = result.flags.map((f) => ({ ...f, period, billVersion: run.bill_version, rulesVersion }));
      await appendBatch(writer, 'flags', FLAG_SPECS, objectsToBatch(FLAG_SPECS, rows));
    }
    if (result.errors.length) {
      const rows = result.errors.map((e) => ({ ...e, runId: run.run_id, period }));
      await appendBatch(writer, 'bill_errors', ERROR_SPECS, objectsToBatch(ERROR_SPECS, rows));
    }
    await writer.run(
      `INSERT INTO run_batches VALUES ($run_id, $batch_no, $accounts, $billed, $held, $errored, $amount, $line_items, $price_ms, $write_ms)`,
      {
        run_id: run.run_id, batch_no: result.batchNo, accounts: n, billed, held, errored, amount,
        line_items: m, price_ms: result.priceMs, write_ms: performance.now() - t0,
      });
  });
}

async function finishRun(
  store: Store, run: RunRow, options: BillRunOptions, period: number, resumed: boolean, timings: Record<string, number>,
): Promise<RunSummary> {
  const started = performance.now();
  const params = { period, bill_version: run.bill_version };
  const timed = stageTimer(timings);
  const step = <T>(name: string, work: () => Promise<T>): Promise<T> => timed(`finalize_${name}`, work);
  if (run.status === 'running') {
    await step('make_current', () => store.transaction(async (connection) => {
      await connection.run(WRITE_SQL['make-current']!, params);
      await connection.run(`UPDATE runs SET status = 'finalizing' WHERE run_id = $run_id`, { run_id: run.run_id });
    }));
  }
  const batches = (await store.rows(
    `SELECT coalesce(sum(accounts), 0)::BIGINT AS accounts, coalesce(sum(billed), 0)::BIGINT AS billed, coalesce(sum(held), 0)::BIGINT AS held,
            coalesce(sum(errored), 0)::BIGINT AS errored, coalesce(sum(amount_minor), 0)::BIGINT AS amount, coalesce(sum(line_items), 0)::BIGINT AS line_items
     FROM run_batches WHERE run_id = $run_id`, { run_id: run.run_id }))[0]!;
  const [totals, lineTotals] = await step('reconcile', async () => [
    (await store.rows(WRITE_SQL['run-totals']!, params))[0]!,
    (await store.rows(WRITE_SQL['line-item-total']!, params))[0]!,
  ]);
  const accountsIn = run.accounts_in;
  const [billed, held, errored] = [Number(batches.billed), Number(batches.held), Number(batches.errored)];
  // The run's own bookkeeping must reconcile; a mismatch is a bug, never something to paper over.
  if (billed + held + errored !== accountsIn || Number(totals.bills) !== billed + held || Number(totals.held) !== held) {
    throw new Error(`run ${run.run_id}: accounts in ${accountsIn} ≠ billed ${billed} + held ${held} + errored ${errored} (bills stored ${totals.bills})`);
  }
  if (String(totals.amount_minor) !== String(lineTotals.amount_minor) || String(totals.amount_minor) !== String(batches.amount)) {
    throw new Error(`run ${run.run_id}: bill total ${totals.amount_minor} ≠ line items ${lineTotals.amount_minor}`);
  }

  const outDir = join(options.outDir, options.period);
  const outputs: Record<string, string> = {};
  const exports: [string, (path: string) => Promise<void>][] = [
    ['bills.parquet', (path) => exportWithLists(store, WRITE_SQL['export-bills']!, { ...params, path }, 'context-lists')],
    ['line_items.parquet', (path) => exportWithLists(store, WRITE_SQL['export-line-items']!, { ...params, path }, 'charge-lists')],
    ['flags.parquet', (path) => store.run(WRITE_SQL['export-flags']!, { ...params, path })],
    ['errors.csv', async (path) => {
      const errors = await store.connection.stream(WRITE_SQL.errors!, { run_id: run.run_id });
      await writeCsvFile(path, ['account_id', 'code', 'message'], errors.yieldRowsJson() as AsyncIterable<string[][]>);
    }],
  ];
  await writingOutputs(outDir, options.period, async () => {
    makeFolder(outDir);
    for (const [file, write] of exports) {
      const target = join(outDir, file);
      await step(file.replace(/\..*$/, ''), () => write(tempPathFor(target)));
      publishFile(target);
      outputs[file] = target;
    }
  });

  const { amounts, errorsByCode, flagsByRule, flagged, inputs, tariffsUsed, bandScales } = await step('manifest', async () => ({
    amounts: (await store.rows(WRITE_SQL['amounts-by-currency']!, params)).map((r) => ({
      currency: String(r.currency), bills: Number(r.bills), amountMinor: Number(r.amount_minor),
    })),
    errorsByCode: (await store.rows(WRITE_SQL['errors-by-code']!, { run_id: run.run_id })).map((r) => ({
      code: String(r.code), accounts: Number(r.accounts),
    })),
    flagsByRule: await store.rows(WRITE_SQL['flags-by-rule']!, params),
    flagged: Number((await store.rows(
      `SELECT count(*) AS n FROM bills WHERE period = $period AND bill_version = $bill_version AND flag_count > 0`, params))[0]!.n),
    inputs: await store.rows(WRITE_SQL.inputs!),
    tariffsUsed: await store.rows(WRITE_SQL['tariffs-used']!, params),
    bandScales: await store.rows(WRITE_SQL['band-scales']!),
  }));
  // The whole finalize stage but the manifest file itself (written next, in milliseconds).
  timings.finalize = performance.now() - started;
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const finishedAt = options.now().toISOString();
  const manifest = {
    software: { name: 'billrun', version: options.softwareVersion },
    period: options.period,
    run_id: run.run_id,
    bill_version: run.bill_version,
    rules_version: options.rules.version,
    inputs,
    tariffs: tariffsUsed,
    accounts: { in: accountsIn, billed, held, errored },
    amounts,
    line_items: { count: Number(lineTotals.line_items), amount_minor: Number(lineTotals.amount_minor) },
    flags: flagsByRule,
    // How much the classes' bands widened this period for swings that last (determinants.sql spread-scales).
    band_scales: bandScales,
    errors: errorsByCode,
    outputs: Object.fromEntries(Object.entries(outputs).map(([file, path]) => [file, { path, bytes: statSync(path).size }])),
    run: {
      workers: options.workers, batch_size: run.batch_size, batches: run.batch_count, resumed,
      started_at: run.started_at, finished_at: finishedAt, timings_ms: roundTimings(timings), peak_rss_mb: peakRssMb,
    },
  };
  const manifestPath = join(outDir, 'manifest.json');
  await writingOutputs(outDir, options.period, async () => writeFileAtomic(manifestPath, `${JSON.stringify(manifest, bigintSafe, 2)}\n`));
  outputs['manifest.json'] = manifestPath;

  await store.transaction(async (connection) => {
    await connection.run(`UPDATE runs SET status = 'done', finished_at = $at, manifest = $manifest WHERE run_id = $run_id`, {
      run_id: run.run_id, at: finishedAt, manifest: JSON.stringify(manifest, bigintSafe),
    });
    for (const table of ['run_staging', 'run_peers', 'run_scales', 'run_tariffs']) await connection.run(`DROP TABLE IF EXISTS ${table}`);
  });
  return {
    runId: run.run_id, period: options.period, billVersion: run.bill_version, resumed, accountsIn, billed, held, errored,
    flagged, flagRate: accountsIn > 0 ? flagged / accountsIn : 0, lineItems: Number(lineTotals.line_items), amounts, errorsByCode,
    timingsMs: roundTimings(timings), peakRssMb, outputs,
  };
}

const FILE_SYSTEM_FAULTS = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EISDIR', 'EEXIST']);

/**
 * Runs the writing of a period's outputs. They are written after the bills are made current, so
 * a folder that fails now (a full disk, a folder changed under the run) leaves a complete store
 * and a run marked finalizing: the same command writes the outputs again, it does not re-bill.
 */
async function writingOutputs(outDir: string, period: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    // DuckDB's COPY reports the file system as an IO Error naming the file, without an errno code.
    if (!(code && FILE_SYSTEM_FAULTS.has(code)) && !(/^IO Error: /.test(message) && message.includes(outDir))) throw error;
    throw new FatalError(`cannot write the outputs of ${period} to ${outDir} (${message.replace(/^IO Error: /, '')}); ` +
      `the bills are stored and current: run the same command again to write the outputs`, EXIT.environment);
  }
}

function roundTimings(timings: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)]));
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? Number(value) : value;
}
