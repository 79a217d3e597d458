// One period's statements: stage what they show in SQL, render and write batches on the worker
// pool, then withdraw what no longer belongs, and write the file index and the manifest.
import { hash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { LIST, listValue, VARCHAR } from '@duckdb/node-api';
import pLimit from 'p-limit';
import { z } from 'zod';
import { BILL_STATUSES, HELD_STATUSES } from '../../schemas/bill.js';
import { CUSTOMER_CLASSES, READ_TYPES, REGISTERS } from '../../schemas/inputs.js';
import type { ReviewRules } from '../../schemas/rules.js';
import { STATEMENT_SCHEMA_ID, STATEMENT_SCHEMA_VERSION, type WhyChanged } from '../../schemas/statement.js';
import type { StatementLocale } from '../../schemas/utility.js';
import { assertPeriodBilled, defineReadDerivation } from '../billing/index.js';
import { requireBillingPeriod } from '../calendar/index.js';
import { EXIT, FatalError, stageTimer } from '../diagnostics/index.js';
import { explainPeriod, statementBox } from '../explain/index.js';
import {
  appendColumns, publishFile, readColumns, sha256File, sqlStatements, tempPathFor, toWireTables, writeFileAtomic,
  type ColumnBatch, type ColumnSpec, type Store,
} from '../store/index.js';
import { formatCsv } from '../text/csv.js';
import { openPeriodDirectory, publishPeriod, shardDigitsFor, statementPath, type PeriodDirectory } from './layout.js';
import { INDEX_HEADER, indexFileName, openStreamsDirectory, publishStreams, type StreamsDirectory } from './stream.js';
import { createStatementPool } from './pool.js';
import {
  ACCOUNT_COLUMNS, FILE_OUTCOME, HISTORY_COLUMNS, LINE_COLUMNS, READ_COLUMNS, TASK_TABLES, type ChargeDim, type ContextDim,
  type RunSettings, type StatementFormat, type StatementLayout, type StatementResult,
} from './protocol.js';
import type { LoadedUtility } from './utility.js';

const SQL = sqlStatements(import.meta.url, 'statements.sql');
const MANIFEST = 'manifest.json';
const INDEX = 'files.parquet';
const REJECTS = 'rejects.csv';

export interface StatementsOptions {
  period: string;
  /** Statements go to <outDir>/<period>/. */
  outDir: string;
  formats: StatementFormat[];
  layout: StatementLayout;
  locale: StatementLocale;
  /** Only these accounts (empty: all). */
  accounts: string[];
  region: string | null;
  includeHeld: boolean;
  utility: LoadedUtility;
  workers: number;
  batchSize: number;
  softwareVersion: string;
  /** Rules whose `explain` section decides which statements get a "Why your bill changed" box (default: the shipped rules). */
  rules?: ReviewRules;
  onProgress?: (done: number, total: number, stage: string) => void;
}

export interface StatementsSummary {
  period: string;
  layout: StatementLayout;
  directory: string;
  /** Current bills the run covered (after --account / --region). */
  bills: number;
  /** Held bills left without a statement (no --include-held). */
  heldSkipped: number;
  /** Accounts rendered: statements to send plus drafts. */
  statements: number;
  drafts: number;
  rejected: { accountId: string; reason: string }[];
  /** --account ids without a current bill in the period. */
  missingAccounts: string[];
  /** In the stream layout: stream files (written) and the bytes of the statements in them. */
  files: { written: number; unchanged: number; withdrawn: number; bytes: number };
  /** The whole directory after the run (earlier runs' files included). */
  directoryFiles: { format: string; draft: boolean; files: number; bytes: number }[];
  amounts: { currency: string; statements: number; amountMinor: number }[];
  statementsPerSecond: number;
  timingsMs: Record<string, number>;
  outputs: Record<string, string>;
}

/** What a run reads back from the manifest of an earlier run of the period. */
const EarlierManifest = z.object({
  schema: z.literal('billrun.statements-manifest'),
  layout: z.object({ shard_digits: z.number().int().min(1).max(8) }),
  index: z.object({ file: z.string() }).nullable(),
});

export async function writeStatements(store: Store, options: StatementsOptions): Promise<StatementsSummary> {
  const billing = requireBillingPeriod(options.period);
  await assertPeriodBilled(store.connection, options.period, 'no statements to write');
  const timings: Record<string, number> = {};
  const timed = stageTimer(timings);
  const filtered = options.accounts.length > 0 || options.region !== null;
  const streaming = options.layout === 'stream';
  if (streaming && filtered) {
    throw new FatalError('--layout stream writes the whole period (a rerun replaces its streams): it takes no --account or --region');
  }
  const streamsDirectory = streaming ? openStreamsDirectory(options.outDir, options.period) : null;
  const directory = streaming ? null : openPeriodDirectory(options.outDir, options.period);
  const root = streamsDirectory?.root ?? directory!.root;
  const fresh = streaming || directory!.fresh;
  const earlier = streaming ? null : readEarlierManifest(root);
  const connection = store.connection;
  const period = billing.key;
  const unsendable = listValue([...HELD_STATUSES]);
  const accountsParam = listValue(options.accounts);
  const formatsParam = listValue([...options.formats]);

  const staged = await timed('stage', async () => {
    // Streams need no shard directories.
    const shardDigits = streaming ? 1 : earlier?.layout.shard_digits ??
      shardDigitsFor(Number((await connection.runAndReadAll(SQL['largest-region']!, { period })).getRowsJson()[0]![0]));
    // Typed, because DuckDB cannot infer the type of an empty list or a null.
    await connection.run(SQL.scope!, { period, region: options.region, accounts: accountsParam }, { region: VARCHAR, accounts: LIST(VARCHAR) });
    const counts = (await store.rows(SQL['scope-counts']!, { unsendable }))[0]!;
    const missingAccounts = options.accounts.length === 0 ? []
      : (await store.rows(SQL['missing-accounts']!, { accounts: accountsParam })).map((r) => String(r.account_id));
    await connection.run(SQL.stage!, { period, unsendable, include_held: options.includeHeld });
    await connection.run(SQL['stage-lines']!, { period });
    await defineReadDerivation(connection);
    await connection.run(SQL['stage-reads']!, {
      ...billing.readWindow,
      registers: listValue([...REGISTERS]), read_types: listValue([...READ_TYPES]),
    });
    await connection.run(SQL['stage-history']!, {
      period, month_index: billing.index, history_from: billing.historyKeys.at(-1)!,
    });
    const rendered = Number((await connection.runAndReadAll('SELECT count(*) FROM statement_staging')).getRowsJson()[0]![0]);
    const contexts = (await store.rows(SQL.contexts!)).map((r): ContextDim => ({
      key: Number(r.context_key), tariffId: String(r.tariff_id), tariffName: String(r.tariff_name), versions: String(r.versions), currency: String(r.currency),
    }));
    const charges = (await store.rows(SQL.charges!)).map((r): ChargeDim => ({
      key: Number(r.charge_key), component: String(r.component), label: String(r.label), unit: String(r.unit), rate: String(r.rate),
    }));
    if (streaming) return { shardDigits, bills: Number(counts.bills), held: Number(counts.held), missingAccounts, rendered, contexts, charges };
    await connection.run(SQL['files-table']!);
    const earlierIndex = earlier?.index ? join(root, earlier.index.file) : null;
    if (earlierIndex && existsSync(earlierIndex)) await connection.run(SQL['previous-index']!, { path: earlierIndex });
    else await connection.run(SQL['empty-previous-index']!);
    return { shardDigits, bills: Number(counts.bills), held: Number(counts.held), missingAccounts, rendered, contexts, charges };
  });

  const settings: RunSettings = {
    period: options.period, root, formats: options.formats, layout: options.layout, locale: options.locale, utility: options.utility.config,
    shardDigits: staged.shardDigits, fresh, charges: staged.charges, contexts: staged.contexts,
  };
  const changes = await timed('explain', () => whyChanged(store, options));
  const progress = await timed('batches', () => renderBatches(connection, settings, staged.rendered, options, timings, changes));

  const run = { ...staged, ...progress, filtered, formatsParam, timings };
  return streamsDirectory ? finishStreams(streamsDirectory, settings, options, run) : finish(store, directory!, settings, options, run);
}

interface BatchProgress {
  written: number;
  unchanged: number;
  bytes: number;
  drafts: number;
  rejected: { accountId: string; reason: string }[];
  /** Stream layout: the streams written so far. */
  streams: StreamEntry[];
}

interface StreamEntry {
  file: string;
  index: string;
  format: StatementFormat;
  draft: boolean;
  statements: number;
  bytes: number;
  sha256: string;
  index_sha256: string;
}

const FILE_SPECS: ColumnSpec[] = [
  { name: 'ordinal', kind: 'int32' }, { name: 'format', kind: 'varchar' }, { name: 'draft', kind: 'bool' },
  { name: 'path', kind: 'varchar' }, { name: 'bytes', kind: 'int32' }, { name: 'sha256', kind: 'varchar' },
];

/** The "Why your bill changed" box of every notable change in the period, by account id. */
async function whyChanged(store: Store, options: StatementsOptions): Promise<Map<string, WhyChanged>> {
  const only = options.accounts.length === 1 ? options.accounts[0] : undefined;
  const { explanations } = await explainPeriod(store, options.period, { rules: options.rules, accountId: only });
  const boxes = new Map<string, WhyChanged>();
  for await (const e of explanations) boxes.set(e.accountId, statementBox(e, options.locale));
  return boxes;
}

async function renderBatches(
  connection: DuckDBConnection, settings: RunSettings, total: number, options: StatementsOptions, timings: Record<string, number>,
  boxes: Map<string, WhyChanged>,
): Promise<BatchProgress> {
  const progress: BatchProgress = { written: 0, unchanged: 0, bytes: 0, drafts: 0, rejected: [], streams: [] };
  const stage = `statements ${options.period}`;
  options.onProgress?.(0, total, stage);
  if (total === 0) return progress;
  const batchParams = {
    statuses: listValue([...BILL_STATUSES]), classes: listValue([...CUSTOMER_CLASSES]),
  };
  const pool = createStatementPool(options.workers);
  // Temp tables belong to this one connection, so every query and append on it goes in turn.
  const db = pLimit(1);
  const inFlight = pLimit(options.workers + 1);
  const appender = settings.layout === 'files' ? await connection.createAppender('statement_files', 'main', 'temp') : null;
  let done = 0;
  try {
    const batches = Array.from({ length: Math.ceil(total / options.batchSize) }, (_, b) => b);
    await Promise.all(batches.map((batchNo) => inFlight(async () => {
      const lo = batchNo * options.batchSize;
      const range = { lo, hi: lo + options.batchSize };
      const t0 = performance.now();
      const [accounts, lines, reads, history] = await db(async () => [
        await readColumns(connection, SQL['batch-accounts']!, { ...range, ...batchParams }, ACCOUNT_COLUMNS),
        await readColumns(connection, SQL['batch-lines']!, range, LINE_COLUMNS),
        await readColumns(connection, SQL['batch-reads']!, range, READ_COLUMNS),
        await readColumns(connection, SQL['batch-history']!, range, HISTORY_COLUMNS),
      ] as const);
      timings.read = (timings.read ?? 0) + performance.now() - t0;
      // The task carries the strings encoded; these arrays stay here for the index.
      const accountIds = accounts.columns.account_id as string[];
      const regions = accounts.columns.region as string[];
      const changes: Record<number, WhyChanged> = {};
      accountIds.forEach((id, row) => {
        const box = boxes.get(id);
        if (box) changes[row] = box;
      });
      const result = await pool.render({
        batchNo, settings, changes, ...toWireTables({ accounts, lines, reads, history }, TASK_TABLES),
      });
      timings.render = (timings.render ?? 0) + result.renderMs;
      timings.write = (timings.write ?? 0) + result.writeMs;
      const t1 = performance.now();
      if (appender) await db(async () => appendColumns(appender, FILE_SPECS, fileRows(result, lo, accountIds, regions, settings, progress)));
      else await writeStreamIndexes(result, accountIds, regions, settings, progress);
      timings.index = (timings.index ?? 0) + performance.now() - t1;
      done += result.rowCount;
      options.onProgress?.(done, total, stage);
    })));
    appender?.flushSync();
  } finally {
    appender?.closeSync();
    await pool.close();
  }
  return progress;
}

/** The index rows of a finished batch (row i of the batch is ordinal lo + i), counting as it goes. */
function fileRows(
  result: StatementResult, lo: number, accountIds: string[], regions: string[], settings: RunSettings, progress: BatchProgress,
): ColumnBatch {
  const formats = settings.formats;
  const rows = { ordinal: [] as number[], format: [] as string[], draft: [] as number[], path: [] as string[], bytes: [] as number[], sha256: [] as string[] };
  for (const reject of result.rejects) progress.rejected.push({ accountId: accountIds[reject.row]!, reason: reject.reason });
  for (let i = 0; i < result.rowCount; i++) {
    if (result.drafts[i]) progress.drafts++;
    for (let f = 0; f < formats.length; f++) {
      const slot = i * formats.length + f;
      const outcome = result.fileOutcome[slot]!;
      if (outcome === FILE_OUTCOME.none) continue;
      if (outcome === FILE_OUTCOME.written) progress.written++;
      else progress.unchanged++;
      progress.bytes += result.fileBytes[slot]!;
      rows.ordinal.push(lo + i);
      rows.format.push(formats[f]!);
      rows.draft.push(result.drafts[i]!);
      rows.path.push(statementPath(accountIds[i]!, regions[i]!, settings.shardDigits, result.drafts[i] === 1, formats[f]!));
      rows.bytes.push(result.fileBytes[slot]!);
      rows.sha256.push(result.fileSha256[slot]!);
    }
  }
  return {
    rowCount: rows.ordinal.length,
    columns: {
      ordinal: Int32Array.from(rows.ordinal), format: rows.format, draft: Uint8Array.from(rows.draft), path: rows.path,
      bytes: Int32Array.from(rows.bytes), sha256: rows.sha256,
    },
    nulls: {},
  };
}

/** Stream layout: the index of each of a batch's streams, next to it; counts as fileRows does. */
async function writeStreamIndexes(
  result: StatementResult, accountIds: string[], regions: string[], settings: RunSettings, progress: BatchProgress,
): Promise<void> {
  for (const reject of result.rejects) progress.rejected.push({ accountId: accountIds[reject.row]!, reason: reject.reason });
  for (let i = 0; i < result.rowCount; i++) if (result.drafts[i]) progress.drafts++;
  for (const part of result.streams) {
    // Pages are not known: they depend on the vendor's paper, fonts and margins.
    const rows = part.rows.map((row, k) => [accountIds[row]!, regions[row]!, part.offsets[k]!, part.lengths[k]!, null, part.sha256s[k]!]);
    const index = indexFileName(part.file);
    const csv = await formatCsv(INDEX_HEADER, rows);
    writeFileAtomic(join(settings.root, index), csv);
    progress.written++;
    progress.bytes += part.lengths.reduce((a, b) => a + b, 0);
    progress.streams.push({
      file: part.file, index, format: part.format, draft: part.draft, statements: part.rows.length, bytes: part.bytes, sha256: part.sha256,
      index_sha256: hash('sha256', csv, 'hex'),
    });
  }
}

interface Finishing extends BatchProgress {
  shardDigits: number;
  bills: number;
  held: number;
  rendered: number;
  missingAccounts: string[];
  filtered: boolean;
  formatsParam: ReturnType<typeof listValue>;
  timings: Record<string, number>;
}

async function finish(
  store: Store, directory: PeriodDirectory, settings: RunSettings, options: StatementsOptions, run: Finishing,
): Promise<StatementsSummary> {
  const started = performance.now();
  const root = directory.root;
  const scopeParams = { formats: run.formatsParam, filtered: run.filtered };
  const withdrawn = (await store.rows(SQL.withdrawn!, scopeParams)).map((r) => String(r.path));
  for (const path of withdrawn) rmSync(join(root, path), { force: true });
  await store.run(SQL.index!, scopeParams);

  const indexPath = join(root, INDEX);
  await store.run(SQL['write-index']!, { path: tempPathFor(indexPath) });
  publishFile(indexPath);
  const directoryFiles = (await store.rows(SQL['index-totals']!)).map((r) => ({
    format: String(r.format), draft: Boolean(r.draft), files: Number(r.files), bytes: Number(r.bytes),
  }));
  const amounts = (await store.rows(SQL['index-amounts']!)).map((r) => ({
    currency: String(r.currency), statements: Number(r.statements), amountMinor: Number(r.amount_minor),
  }));

  // Reported where the files end up once the run's own directory is published.
  const outputs: Record<string, string> = { directory: directory.target, index: join(directory.target, INDEX) };
  const rejectsPath = join(root, REJECTS);
  if (run.rejected.length > 0) {
    writeFileAtomic(rejectsPath, await formatCsv(['account_id', 'reason'], run.rejected.map((r) => [r.accountId, r.reason])));
    outputs.rejects = join(directory.target, REJECTS);
  } else {
    rmSync(rejectsPath, { force: true });
  }

  // The whole finalize stage but the manifest (written below, in milliseconds), so the summary has it.
  run.timings.finalize = performance.now() - started;
  const seconds = (run.timings.batches ?? 0) / 1000;
  const statements = run.rendered - run.rejected.length;
  const summary: StatementsSummary = {
    period: options.period,
    layout: 'files',
    ...runCounts(directory.target, run, options, statements),
    files: { written: run.written, unchanged: run.unchanged, withdrawn: withdrawn.length, bytes: run.bytes },
    directoryFiles,
    amounts,
    statementsPerSecond: seconds > 0 ? Math.round(statements / seconds) : 0,
    timingsMs: Object.fromEntries(Object.entries(run.timings).map(([k, v]) => [k, Math.round(v)])),
    outputs,
  };
  const manifestPath = join(root, MANIFEST);
  const manifest = {
    ...manifestHeader('billrun.statements-manifest', settings, options),
    layout: {
      shard_digits: settings.shardDigits,
      statements: '<region>/<shard>/<account_id>.<format>',
      drafts: 'drafts/<region>/<shard>/<account_id>.<format>',
      shard: 'the first shard_digits hex digits of FNV-1a-32 of the account id, in directory levels of two digits',
    },
    index: { file: INDEX, sha256: await sha256File(indexPath), files: directoryFiles.reduce((n, d) => n + d.files, 0) },
    directory: { files: directoryFiles, amounts },
    last_run: {
      formats: settings.formats,
      include_held: options.includeHeld,
      filters: { accounts: options.accounts, region: options.region },
      bills: summary.bills,
      held_skipped: summary.heldSkipped,
      statements: summary.statements,
      drafts: summary.drafts,
      rejected: summary.rejected.length,
      missing_accounts: summary.missingAccounts,
      files: summary.files,
      workers: options.workers,
      batch_size: options.batchSize,
      statements_per_second: summary.statementsPerSecond,
      timings_ms: summary.timingsMs,
    },
  };
  writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  outputs.manifest = join(directory.target, MANIFEST);
  publishPeriod(directory);
  return summary;
}

/**
 * Stream layout: the manifest lists every stream with its index and checksums; then the new
 * streams directory replaces the old one whole. Nothing in it depends on when the run happened.
 */
/** What both layouts' summaries report of the run: where it wrote, and what became of the bills. */
function runCounts(directory: string, run: Finishing, options: StatementsOptions, statements: number) {
  return {
    directory,
    bills: run.bills,
    heldSkipped: options.includeHeld ? 0 : run.held,
    statements,
    drafts: run.drafts,
    rejected: run.rejected,
    missingAccounts: run.missingAccounts,
  };
}

/** What both layouts' manifests open with: which software, period, locale and inputs made them. */
function manifestHeader(schema: string, settings: RunSettings, options: StatementsOptions) {
  return {
    schema,
    schemaVersion: 1,
    software: { name: 'billrun', version: options.softwareVersion },
    period: options.period,
    locale: settings.locale,
    statement_schema: { id: STATEMENT_SCHEMA_ID, version: STATEMENT_SCHEMA_VERSION },
    utility: { sha256: options.utility.sha256 },
  };
}

async function finishStreams(
  directory: StreamsDirectory, settings: RunSettings, options: StatementsOptions, run: Finishing,
): Promise<StatementsSummary> {
  const started = performance.now();
  const streams = [...run.streams].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const outputs: Record<string, string> = { directory: directory.target, manifest: join(directory.target, MANIFEST) };
  const rejectsPath = join(directory.root, REJECTS);
  if (run.rejected.length > 0) {
    // Batches finish in any order; the file must not.
    const rows = [...run.rejected].sort((a, b) => (a.accountId < b.accountId ? -1 : 1)).map((r) => [r.accountId, r.reason]);
    writeFileAtomic(rejectsPath, await formatCsv(['account_id', 'reason'], rows));
    outputs.rejects = join(directory.target, REJECTS);
  }
  const statements = run.rendered - run.rejected.length;
  const directoryFiles = [...new Set(streams.map((s) => `${s.format} ${s.draft}`))].map((key) => {
    const of = streams.filter((s) => `${s.format} ${s.draft}` === key);
    return { format: of[0]!.format, draft: of[0]!.draft, files: of.length, bytes: of.reduce((n, s) => n + s.bytes, 0) };
  });
  const manifest = {
    ...manifestHeader('billrun.statements-streams', settings, options),
    layout: {
      streams: 'statements-<batch>.<html|txt|jsonl>, one per batch of batch_size accounts in account id order and format',
      drafts: 'drafts/statements-<batch>.<format>',
      index: '<stream>.index.csv: account_id, region, offset, length (bytes of the statement itself), pages (empty: not known), sha256',
      batch_size: options.batchSize,
      framing: {
        html: 'one document; each statement is a <main> element with a page break after it',
        txt: 'statements separated by a form feed',
        jsonl: 'one JSON statement per line',
      },
    },
    formats: settings.formats,
    include_held: options.includeHeld,
    bills: run.bills,
    held_skipped: options.includeHeld ? 0 : run.held,
    statements,
    drafts: run.drafts,
    rejected: run.rejected.length,
    streams,
  };
  writeFileAtomic(join(directory.root, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  publishStreams(directory);
  run.timings.finalize = performance.now() - started;
  const seconds = (run.timings.batches ?? 0) / 1000;
  return {
    period: options.period,
    layout: 'stream',
    ...runCounts(directory.target, run, options, statements),
    files: { written: run.written, unchanged: 0, withdrawn: 0, bytes: run.bytes },
    directoryFiles,
    amounts: [],
    statementsPerSecond: seconds > 0 ? Math.round(statements / seconds) : 0,
    timingsMs: Object.fromEntries(Object.entries(run.timings).map(([k, v]) => [k, Math.round(v)])),
    outputs,
  };
}

function readEarlierManifest(root: string): z.infer<typeof EarlierManifest> | null {
  const path = join(root, MANIFEST);
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw FatalError.at({ file: path }, `cannot read the earlier run's manifest (${(error as Error).message}); move it away to start the period afresh`);
  }
  const parsed = EarlierManifest.safeParse(raw);
  if (!parsed.success) {
    throw FatalError.at({ file: path }, 'not a statements manifest; --out must be a directory of billrun statements', EXIT.refused);
  }
  return parsed.data;
}

