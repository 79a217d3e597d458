// The statements benchmark:
//   node dist/bench/statements.js [--accounts N] [--dir DIR] [--out DIR] [--workers N] [--format html] [--layout files|stream] [--label NAME]
//
// Generates N accounts × 13 months (cached under --dir, default /tmp/billrun-statements-<N>),
// loads them and bills every month but the last (the history store, cached too). Then, on a
// fresh copy of the history, in one run: bills the last month (timed), writes its statements
// (timed), and writes them again (timed: every file is found unchanged). The statements stage must
// not be slower than the bill run of the same accounts, and render and write ≥ 50,000 HTML
// statements per second on 2 cores (issue 12: in the stream layout). The statements go to --out (default <dir>/statements: put it
// on the file system under test). Results go to bench/results/statements-<N>[-<label>].json; the
// "## Statements" section of bench/README.md quotes them.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { addPeriods } from '../src/calendar/index.js';
import type { StatementsSummary } from '../src/statements/index.js';
import { billrun, BIN, ROOT, sync } from './cli.js';

const START = '2024-07';
const MONTHS = 13;
const PERIOD = addPeriods(START, MONTHS - 1);

function prepare(dir: string, accounts: number): string {
  const data = join(dir, 'data');
  const history = join(dir, 'history.duckdb');
  if (existsSync(history)) return history;
  if (!existsSync(join(data, 'labels.csv'))) {
    console.log(`generating ${accounts.toLocaleString('en-US')} accounts × ${MONTHS} months…`);
    billrun(['generate', '--accounts', String(accounts), '--months', String(MONTHS), '--start', START, '--out', data]);
  }
  const building = join(dir, 'building.duckdb');
  rmSync(building, { force: true });
  console.log('loading and billing the history…');
  billrun(['--db', building, 'tariff', 'load', ...readdirSync(join(data, 'tariffs')).map((f) => join(data, 'tariffs', f))]);
  billrun(['--db', building, 'load', 'accounts', join(data, 'accounts.csv')]);
  billrun(['--db', building, 'load', 'readings', ...readdirSync(data).filter((f) => /^(readings|intervals)\./.test(f)).map((f) => join(data, f))]);
  billrun(['--db', building, 'bill', '--from', START, '--to', addPeriods(PERIOD, -1), '--out', join(dir, 'bills')]);
  copyFileSync(building, history);
  rmSync(building, { force: true });
  return history;
}

/**
 * The file system's floor: creating and writing `count` files of `bytes` each, as a fresh run
 * writes statements (sharded directories, no rendering), on one thread, in microseconds per file.
 */
function fileFloorMicros(dir: string, count: number, bytes: number): number {
  const content = Buffer.alloc(bytes, 120);
  rmSync(dir, { recursive: true, force: true });
  for (let d = 0; d < 256; d++) mkdirSync(join(dir, String(d)), { recursive: true });
  sync();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) writeFileSync(join(dir, String(i % 256), `A${i}.html`), content);
  const micros = ((performance.now() - t0) * 1000) / count;
  rmSync(dir, { recursive: true, force: true });
  sync();
  return micros;
}

function diskBytes(path: string): number {
  const du = spawnSync('du', ['-sk', path], { encoding: 'utf8' });
  return Number(du.stdout.split('\t')[0]) * 1024;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      accounts: { type: 'string', default: '1000000' },
      dir: { type: 'string' },
      workers: { type: 'string', default: String(availableParallelism()) },
      format: { type: 'string', default: 'html' },
      layout: { type: 'string', default: 'files' },
      out: { type: 'string' },
      label: { type: 'string' },
    },
  });
  if (!existsSync(BIN)) throw new Error(`build first (npx tsc -p .): ${BIN} is missing`);
  const accounts = Number(values.accounts);
  const dir = values.dir ?? join('/tmp', `billrun-statements-${accounts}`);
  mkdirSync(dir, { recursive: true });
  const history = prepare(dir, accounts);
  const db = join(dir, 'run.duckdb');
  const out = values.out ?? join(dir, 'statements');
  copyFileSync(history, db);
  rmSync(out, { recursive: true, force: true });
  // Each timed step starts with nothing left to write back (a deleted tree's blocks included).
  sync();
  const load = loadavg()[0]!;

  console.log(`billing ${PERIOD}…`);
  const bill = billrun(['--db', db, 'bill', '--period', PERIOD, '--workers', values.workers, '--out', join(dir, 'bills'), '--json']);
  const billSync = sync();
  const billSummary = JSON.parse(bill.out) as { accountsIn: number; billed: number; held: number; timingsMs: Record<string, number> };
  const statementsArgs = ['--db', db, 'statements', '--period', PERIOD, '--out', out, '--format', values.format!, '--layout', values.layout!, '--workers', values.workers, '--json'];
  console.log(`writing ${PERIOD} statements…`);
  const first = billrun(statementsArgs);
  const firstSync = sync();
  const firstSummary = JSON.parse(first.out) as StatementsSummary;
  const disk = diskBytes(join(out, PERIOD));
  // Per statement and format: in the files layout, the size of one file.
  const bytesPerStatement = Math.round(firstSummary.files.bytes / Math.max(1, firstSummary.statements * values.format!.split(',').length));
  sync();
  console.log('writing them again…');
  const again = billrun(statementsArgs);
  const againSummary = JSON.parse(again.out) as StatementsSummary;
  rmSync(db, { force: true });
  rmSync(out, { recursive: true, force: true });
  sync();
  const floor = fileFloorMicros(`${out}.floor`, 50_000, bytesPerStatement);

  const rate = (summary: StatementsSummary, seconds: number) => Math.round(summary.statements / seconds);
  const result = {
    accounts, period: PERIOD, format: values.format, layout: values.layout, workers: Number(values.workers), statements_dir: out,
    machine: { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version, load_average_at_start: load },
    command: `billrun statements --period ${PERIOD} --out DIR --format ${values.format} --layout ${values.layout} --workers ${values.workers}`,
    bill: { seconds: Number((bill.ms / 1000).toFixed(1)), then_sync_seconds: Number(billSync.toFixed(1)), accounts: billSummary.accountsIn, billed: billSummary.billed, held: billSummary.held, stages_ms: billSummary.timingsMs },
    statements: {
      seconds: Number((first.ms / 1000).toFixed(1)), then_sync_seconds: Number(firstSync.toFixed(1)), statements: firstSummary.statements,
      per_second: rate(firstSummary, first.ms / 1000), per_second_with_sync: rate(firstSummary, first.ms / 1000 + firstSync),
      render_and_write_per_second: firstSummary.statementsPerSecond, stages_ms: firstSummary.timingsMs,
      files: firstSummary.files.written, bytes: firstSummary.files.bytes, disk_bytes: disk,
      bytes_per_statement: bytesPerStatement,
    },
    rerun: {
      // The stream layout rewrites its streams whole on every run: nothing is found unchanged.
      seconds: Number((again.ms / 1000).toFixed(1)), per_second: rate(againSummary, again.ms / 1000), unchanged: againSummary.files.unchanged,
      written: againSummary.files.written, stages_ms: againSummary.timingsMs,
    },
    statements_over_bill: Number((first.ms / bill.ms).toFixed(3)),
    file_floor: {
      comment: 'creating and writing one file of the average statement size on the same file system, one thread, no rendering',
      micros_per_file: Number(floor.toFixed(1)),
      files_per_second_on_all_cores: Math.round((availableParallelism() * 1e6) / floor),
    },
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const layoutTag = values.layout === 'files' ? '' : `-${values.layout}`;
  const file = join(ROOT, 'bench', 'results', `statements-${accounts}${layoutTag}${values.label ? `-${values.label}` : ''}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  const n = (x: number) => x.toLocaleString('en-US');
  console.log(`| accounts | bill ${PERIOD} | statements (${values.format}, ${values.layout}) | statements/s | + write-back | rerun (unchanged) | size | statements / bill |`);
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  console.log(`| ${n(accounts)} | ${result.bill.seconds} s | ${result.statements.seconds} s | ${n(result.statements.per_second)} | ` +
    `${result.statements.then_sync_seconds} s | ${result.rerun.seconds} s | ${(result.statements.bytes / 1e9).toFixed(2)} GB ` +
    `(${(disk / 1e9).toFixed(2)} GB on disk) | ${result.statements_over_bill} |`);
  console.log(`file floor: ${floor.toFixed(1)} µs per file on one thread (at most ${n(result.file_floor.files_per_second_on_all_cores)} files/s on ${availableParallelism()} cores)`);
  console.log(`results: ${file}`);
}

main();
