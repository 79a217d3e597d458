// A store billed end to end from generated data, for tests of the stages after the bill run
// (review, statements, evaluation). Built through the CLI exactly as a billing clerk would.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from './helpers.js';

export interface BilledStoreOptions {
  accounts: number;
  months: number;
  start?: string;
  seed?: number;
  anomalyRate?: number;
  /** Bill only the first `billedMonths` periods (default: all). */
  billedMonths?: number;
}

export interface BilledStore {
  dir: string;
  db: string;
  data: string;
  out: string;
  periods: string[];
  /** Deletes the store and its files (call from afterAll: it outlives single tests). */
  remove(): void;
}

export async function billedStore(options: BilledStoreOptions): Promise<BilledStore> {
  const dir = mkdtempSync(join(tmpdir(), 'billrun-billed-'));
  const data = join(dir, 'data');
  const db = join(dir, 'store.duckdb');
  const out = join(dir, 'out');
  const start = options.start ?? '2024-01';
  const generate = await runCli(['generate', '--accounts', String(options.accounts), '--months', String(options.months),
    '--start', start, '--seed', String(options.seed ?? 1), '--anomaly-rate', String(options.anomalyRate ?? 0.01), '--out', data]);
  expect(generate.code, generate.err).toBe(0);
  const tariffs = readdirSync(join(data, 'tariffs')).map((f) => join(data, 'tariffs', f));
  for (const args of [['tariff', 'load', ...tariffs], ['load', 'accounts', join(data, 'accounts.csv')],
    ['load', 'readings', ...readdirSync(data).filter((f) => /^(readings|intervals)\./.test(f)).map((f) => join(data, f))]]) {
    const result = await runCli(args, db);
    expect(result.code, `${args.join(' ')}: ${result.err}`).toBe(0);
  }
  const [year, month] = start.split('-').map(Number) as [number, number];
  const periods = Array.from({ length: options.billedMonths ?? options.months }, (_, i) => {
    const index = year * 12 + month - 1 + i;
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  });
  const bill = await runCli(['bill', '--from', periods[0]!, '--to', periods.at(-1)!, '--out', out], db);
  expect(bill.code === 0 || bill.code === 3, bill.err).toBe(true);
  return { dir, db, data, out, periods, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
