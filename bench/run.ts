// The bill-run benchmark: `npm run bench -- --accounts N --months M [--seed S] [--workers LIST] [--memory-limit SIZE] [--ci]`.
//
// Generates data (cached by its parameters under bench/data/), loads it into a store and bills
// every month but the last (the history, cached too), then measures the last month's run once per
// worker count, each on a fresh copy of the history store, and in the same run times the SQL floor
// (bench/floor.sql) on another copy. Results go to bench/results/*.json and the table in
// bench/README.md; with --ci a small size is used and the run fails when pipeline/floor exceeds
// bench/limits.json. Ratios measured in one run do not depend on how fast the machine is.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { loadRules } from '../src/anomaly/index.js';
import { DEFAULT_STAGE_SIZE } from '../src/billing/index.js';
import { addPeriods, periodBounds, periodKey, requireBillingPeriod } from '../src/calendar/index.js';
import { memoryLimit, openStore, sqlStatements } from '../src/store/index.js';
import { billrun, freshCopy, ROOT } from './cli.js';
import { runTwin, type TwinResult } from './twin.js';

const FLOOR = sqlStatements(import.meta.url, 'floor.sql').floor!;
/**
 * Residential accounts whose smart meters are billed from their interval data alone: 0.5% (800 of
 * the CI size's 200k), each costing about twelve register accounts' run time (README, Performance).
 */
const INTERVAL_ONLY_SHARE = 0.005;

interface Args {
  accounts: number;
  months: number;
  seed: number;
  workers: number[];
  /** DuckDB memory for the measured runs (--memory-limit); billrun's default when absent. */
  memoryLimit: string | undefined;
  ci: boolean;
}

function parseArgs(argv: string[]): Args {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const ci = argv.includes('--ci');
  const cores = availableParallelism();
  return {
    accounts: Number(value('--accounts') ?? (ci ? 200_000 : 1_000_000)),
    months: Number(value('--months') ?? (ci ? 13 : 25)),
    seed: Number(value('--seed') ?? 1),
    workers: (value('--workers') ?? Array.from({ length: cores }, (_, i) => i + 1).join(',')).split(',').map(Number),
    memoryLimit: value('--memory-limit'),
    ci,
  };
}

function prepare(args: Args, dataDir: string): { historyDb: string; setup: Record<string, number> } {
  const data = join(dataDir, 'data');
  const setup: Record<string, number> = {};
  if (!existsSync(join(data, 'labels.csv'))) {
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    setup.generate_ms = billrun(['generate', '--accounts', String(args.accounts), '--months', String(args.months),
      '--start', '2024-01', '--seed', String(args.seed), '--interval-only-share', String(INTERVAL_ONLY_SHARE), '--out', data]).ms;
  }
  const historyDb = join(dataDir, 'history.duckdb');
  const readingsFile = join(data, 'readings.parquet');
  if (!existsSync(historyDb)) {
    const building = join(dataDir, 'building.duckdb');
    rmSync(building, { force: true });
    const tariffs = readdirSync(join(data, 'tariffs')).map((f) => join(data, 'tariffs', f));
    billrun(['--db', building, 'tariff', 'load', ...tariffs]);
    setup.ingest_accounts_ms = billrun(['--db', building, 'load', 'accounts', join(data, 'accounts.csv')]).ms;
    const extra = readdirSync(data).filter((f) => f.startsWith('intervals.')).map((f) => join(data, f));
    const load = billrun(['--db', building, 'load', 'readings', readingsFile, ...extra]);
    setup.ingest_readings_ms = load.ms;
    // Register and interval rows: one "read N" line per file.
    setup.readings = [...load.out.matchAll(/read ([\d,]+)/g)].reduce((sum, m) => sum + Number(m[1]!.replaceAll(',', '')), 0);
    setup.readings_per_s = Math.round(setup.readings / (load.ms / 1000));
    setup.history_ms = billrun(['--db', building, 'bill', '--from', '2024-01', '--to', addPeriods('2024-01', args.months - 2), '--out', join(dataDir, 'out')]).ms;
    copyFileSync(building, historyDb);
    rmSync(building, { force: true });
  }
  // A rebuilt history keeps the generate time of the data it was built from.
  const saved = existsSync(join(dataDir, 'setup.json')) ? JSON.parse(readFileSync(join(dataDir, 'setup.json'), 'utf8')) : {};
  if (Object.keys(setup).length > 0) writeFileSync(join(dataDir, 'setup.json'), JSON.stringify({ ...saved, ...setup }, null, 2));
  return { historyDb, setup: { ...saved, ...setup } };
}

async function floorMs(historyDb: string, workDir: string, period: string, threads: number, memory: string): Promise<number> {
  const db = join(workDir, 'floor.duckdb');
  freshCopy(historyDb, db);
  const store = await openStore(db, { threads, memoryLimit: memory });
  const { firstDay, nextFirstDay } = periodBounds(period);
  const day = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);
  const params = {
    first: day(firstDay), next: day(nextFirstDay), lookback: day(firstDay - 100),
    prev: periodKey(addPeriods(period, -1)), yoy: periodKey(addPeriods(period, -12)),
  };
  // Best of three: at CI's size the floor takes a fraction of a second, where one slow start
  // would move the ratio by a quarter.
  let ms = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await store.run(FLOOR, params);
    ms = Math.min(ms, performance.now() - t0);
  }
  store.close();
  rmSync(db, { force: true });
  return ms;
}

/**
 * The SQL twin of the run (bench/twin.ts) on a fresh copy of the history: the same determinants (the shipped rules', as the run's),
 * bills priced in SQL, with the run's DuckDB memory (with DuckDB's own default of 80% of RAM the twin's determinants took
 * 202 s at 10M accounts against the run's 295 s under 4 GiB).
 */
async function twin(historyDb: string, workDir: string, period: string, threads: number, memory: string): Promise<TwinResult & { ms: number }> {
  const db = join(workDir, 'twin.duckdb');
  freshCopy(historyDb, db);
  const store = await openStore(db, { threads, memoryLimit: memory });
  const t0 = performance.now();
  const result = await runTwin(store.connection, requireBillingPeriod(period), loadRules(undefined).classes, DEFAULT_STAGE_SIZE);
  const ms = performance.now() - t0;
  store.close();
  rmSync(db, { force: true });
  return { ...result, ms };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // The interval-only share is in the key: data cached before it was generated has none.
  const dataKey = `${args.accounts}x${args.months}-s${args.seed}-io${INTERVAL_ONLY_SHARE}`;
  const key = `${dataKey}${args.memoryLimit ? `-m${args.memoryLimit}` : ''}`;
  const dataDir = join(ROOT, 'bench', 'data', dataKey);
  const period = addPeriods('2024-01', args.months - 1);
  console.log(`bench ${key}: measuring the ${period} run`);
  const { historyDb, setup } = prepare(args, dataDir);
  const workDir = join(dataDir, 'work');
  mkdirSync(workDir, { recursive: true });

  const runs = [];
  for (const workers of args.workers) {
    const db = join(workDir, `run-${workers}.duckdb`);
    freshCopy(historyDb, db);
    const limit = args.memoryLimit ? ['--memory-limit', args.memoryLimit] : [];
    const { ms, out } = billrun(['--db', db, ...limit, 'bill', '--period', period, '--workers', String(workers), '--out', join(workDir, `out-${workers}`), '--json']);
    const summary = JSON.parse(out) as { accountsIn: number; timingsMs: Record<string, number>; peakRssMb: number; lineItems: number };
    const runMs = (summary.timingsMs.determinants ?? 0) + (summary.timingsMs.batches ?? 0) + (summary.timingsMs.finalize ?? 0);
    runs.push({ workers, wall_ms: Math.round(ms), run_ms: runMs, accounts_per_s: Math.round(summary.accountsIn / (runMs / 1000)),
      peak_rss_mb: summary.peakRssMb, stages_ms: summary.timingsMs, accounts: summary.accountsIn, line_items: summary.lineItems });
    rmSync(db, { force: true });
    console.log(`  workers ${workers}: ${(runMs / 1000).toFixed(1)} s (${runs.at(-1)!.accounts_per_s.toLocaleString('en-US')} accounts/s), peak RSS ${summary.peakRssMb} MB`);
  }
  const cores = availableParallelism();
  // The floor and the twin get the memory the run had (--memory-limit, else billrun's default).
  const memory = memoryLimit(args.memoryLimit, process.env);
  const floor = await floorMs(historyDb, workDir, period, cores, memory);
  const best = runs.find((r) => r.workers === cores) ?? runs.at(-1)!;
  const ratio = best.run_ms / floor;
  console.log(`  floor (one SQL statement): ${(floor / 1000).toFixed(1)} s → pipeline / floor = ${ratio.toFixed(2)}`);
  const twinRun = await twin(historyDb, workDir, period, cores, memory);
  const overTwin = best.run_ms / twinRun.ms;
  const share = twinRun.bills / best.accounts;
  console.log(`  SQL twin: ${(twinRun.ms / 1000).toFixed(1)} s for ${twinRun.bills.toLocaleString('en-US')} bills (${(share * 100).toFixed(0)}% of the accounts; ` +
    `determinants ${(twinRun.stagesMs.determinants / 1000).toFixed(1)} s, pricing ${(twinRun.stagesMs.pricing / 1000).toFixed(1)} s) → pipeline / twin = ${overTwin.toFixed(2)}`);

  const result = {
    key, accounts: args.accounts, months: args.months, seed: args.seed, period, memory_limit: args.memoryLimit ?? `default (${memoryLimit(undefined, process.env)})`,
    machine: { cores, cpu: cpus()[0]?.model ?? 'unknown', memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version },
    setup_ms: setup, runs, floor_ms: Math.round(floor), pipeline_over_floor: Number(ratio.toFixed(3)),
    twin: { ms: Math.round(twinRun.ms), bills: twinRun.bills, line_items: twinRun.lineItems, stages_ms: twinRun.stagesMs, unsupported: twinRun.unsupported },
    pipeline_over_twin: Number(overTwin.toFixed(3)),
  };
  if (!args.ci) {
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', `${key}.json`), `${JSON.stringify(result, null, 2)}\n`);
    writeSummary();
  }
  rmSync(workDir, { recursive: true, force: true });
  if (args.ci) {
    const limits = JSON.parse(readFileSync(join(ROOT, 'bench', 'limits.json'), 'utf8')) as { pipeline_over_twin: number; pipeline_over_floor: number };
    // The twin does the same determinants and most of the pricing: its ratio is the guard. The
    // floor's 0.2 s jitters, so it only backs the guard against a gross slowdown of the stage
    // both share.
    const checks = [['pipeline / twin', overTwin, limits.pipeline_over_twin], ['pipeline / floor', ratio, limits.pipeline_over_floor]] as const;
    let failed = false;
    for (const [name, value, limit] of checks) {
      if (value > limit) {
        console.error(`bench: ${name} = ${value.toFixed(2)} exceeds the limit ${limit} in bench/limits.json`);
        failed = true;
      } else console.log(`bench: ${name} = ${value.toFixed(2)} ≤ ${limit}: ok`);
    }
    if (failed) process.exit(1);
  }
}

/** Regenerates the results table in bench/README.md from bench/results/*.json. */
function writeSummary(): void {
  const dir = join(ROOT, 'bench', 'results');
  const rows = readdirSync(dir).filter((f) => f.endsWith('.json') && /^\d+x\d+/.test(f)).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
    .sort((a, b) => a.accounts - b.accounts || a.months - b.months || a.key.localeCompare(b.key));
  const table = [
    '| accounts × months | DuckDB memory | readings loaded | load readings/s | month run | whole command | accounts/s | peak RSS | workers 1 → max | floor | pipeline / floor | SQL twin (bills) | pipeline / twin |',
    '|---|---|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|',
  ];
  const n = (x: number | undefined) => (x === undefined ? '–' : Math.round(x).toLocaleString('en-US'));
  for (const r of rows) {
    const best = r.runs.at(-1);
    table.push(`| ${n(r.accounts)} × ${r.months} | ${r.memory_limit} | ${n(r.setup_ms.readings)} | ${n(r.setup_ms.readings_per_s)} | ${(best.run_ms / 1000).toFixed(1)} s | ` +
      `${(best.wall_ms / 1000).toFixed(1)} s | ${n(best.accounts_per_s)} | ${n(best.peak_rss_mb)} MB | ` +
      `${r.runs.map((x: { run_ms: number }) => `${(x.run_ms / 1000).toFixed(1)} s`).join(' → ')} | ` +
      `${(r.floor_ms / 1000).toFixed(2)} s | ${r.pipeline_over_floor.toFixed(2)} | ` +
      `${r.twin ? `${(r.twin.ms / 1000).toFixed(2)} s (${n(r.twin.bills)})` : '–'} | ${r.pipeline_over_twin?.toFixed(2) ?? '–'} |`);
  }
  const readme = join(ROOT, 'bench', 'README.md');
  const text = existsSync(readme) ? readFileSync(readme, 'utf8') : '';
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  const block = `${start}\n${table.join('\n')}\n${end}`;
  writeFileSync(readme, text.includes(start) ? text.replace(new RegExp(`${start}[\\s\\S]*${end}`), block) : `${text}\n${block}\n`);
}

await main();
