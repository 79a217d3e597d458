// A hand-made billed store for `tariff simulate`: six GD-RES accounts read on the 15th, billed
// monthly up to 2026-01 with steady use, and in 2026-01 three meters sending the all-nines error
// value: A4's bill stays held, A5's is corrected by a reviewer (450 kWh), A6's is escalated.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { TariffPolicy, TariffVersion } from '../../schemas/tariff.js';
import { addPeriods, periodRange } from '../../src/calendar/index.js';
import { runCli } from '../helpers.js';
import { samplePolicy } from './helpers.js';

/** kWh per month of each account, every month (A4–A6 until their meter fails in 2026-01). */
export const MONTHLY_KWH: Record<string, number> = { A1: 300, A2: 500, A3: 150, A4: 300, A5: 300, A6: 300 };
export const LAST_PERIOD = '2026-01';
/** The all-nines error value of a 6-digit register. */
export const SENTINEL = '999999.999';
/** A5's closing read as the reviewer corrected it: 450 kWh over its opening read. */
export const CORRECTED_KWH = 450;

export interface ImpactStore {
  dir: string;
  db: string;
  periods: string[];
  /** Deletes the store and its files (call from afterAll: it outlives single tests). */
  remove(): void;
}

/** The store billed from `first` to 2026-01 (reads start the month before `first`). */
export async function impactStore(first: string, names: Record<string, string> = {}): Promise<ImpactStore> {
  const dir = mkdtempSync(join(tmpdir(), 'billrun-impact-'));
  const db = join(dir, 'store.duckdb');
  const base = join(dir, 'GD-RES.json');
  writeFileSync(base, JSON.stringify(samplePolicy('GD-RES')));
  expect((await runCli(['tariff', 'load', base], db)).code).toBe(0);
  const ids = Object.keys(MONTHLY_KWH);
  writeFileSync(join(dir, 'accounts.csv'), [
    'account_id,name,address,customer_class,tariff_id,region,meter_id,start_date',
    ...ids.map((id, i) => `${id},"${(names[id] ?? `Customer ${id}`).replaceAll('"', '""')}",${i + 1} Road,residential,GD-RES,${i % 2 ? 'R2' : 'R1'},M${id},2020-01-01`),
  ].join('\n') + '\n');
  const periods = periodRange(first, LAST_PERIOD);
  const reads = ['meter_id,read_at,register,value,read_type'];
  [addPeriods(first, -1), ...periods].forEach((period, i) => {
    for (const id of ids) {
      const failed = period === LAST_PERIOD && ['A4', 'A5', 'A6'].includes(id);
      reads.push(`M${id},${period}-15,total,${failed ? SENTINEL : 1000 + i * MONTHLY_KWH[id]!},actual`);
    }
  });
  writeFileSync(join(dir, 'reads.csv'), reads.join('\n') + '\n');
  expect((await runCli(['load', 'accounts', join(dir, 'accounts.csv')], db)).code).toBe(0);
  expect((await runCli(['load', 'readings', join(dir, 'reads.csv')], db)).code).toBe(0);
  const billed = await runCli(['bill', '--from', first, '--to', LAST_PERIOD, '--workers', '1', '--out', join(dir, 'out')], db);
  expect(billed.code, billed.err).toBe(0);

  const opening = 1000 + (periods.length - 1) * MONTHLY_KWH.A5!;
  const decide = (account: string, ...args: string[]) =>
    runCli(['review', 'decide', account, '--period', LAST_PERIOD, '--reviewer', 'pat', '--note', 'meter error', ...args], db);
  for (const [account, args] of [['A5', ['--action', 'correct', '--read', `total=${opening + CORRECTED_KWH}`]], ['A6', ['--action', 'escalate']]] as const) {
    const decided = await decide(account, ...args);
    expect(decided.code, decided.err).toBe(0);
  }
  return { dir, db, periods, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** GD-RES with its version 2012-07 changed, written as a policy file in `dir`. */
export function changedRate(dir: string, name: string, change: (version: TariffVersion, policy: TariffPolicy) => void): string {
  const policy: TariffPolicy = samplePolicy('GD-RES');
  change(policy.versions[0]!, policy);
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(policy));
  return path;
}
