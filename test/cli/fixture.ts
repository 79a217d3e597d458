// A tiny store billed through the CLI for the boundary tests: two GD-RES accounts in 2024-07.
// A1's name carries terminal escape sequences (retitle the window, clear the screen); -A2 has no
// reads, so it cannot be billed and lands in errors.csv with an id a spreadsheet reads as a formula.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from '../helpers.js';

export const POLICY = join(import.meta.dirname, '..', '..', 'samples', 'tariffs', 'GD-RES.yaml');
export const EVIL_NAME = 'Evil\x1b]0;PWNED\x07\x1b[2J';
export const PERIOD = '2024-07';

export interface SmallStore {
  dir: string;
  db: string;
  out: string;
}

/** Loads the policy, the two accounts and their reads; bills 2024-07 unless `bill` is false. */
export async function smallStore(dir: string, options: { bill?: boolean } = {}): Promise<SmallStore> {
  const db = join(dir, 'store.duckdb');
  const out = join(dir, 'out');
  writeFileSync(join(dir, 'accounts.csv'), [
    'account_id,name,address,customer_class,tariff_id,region,meter_id,start_date',
    `A1,"${EVIL_NAME}",1 Road,residential,GD-RES,R1,M1,2020-01-01`,
    '-A2,No reads,2 Road,residential,GD-RES,R1,M2,2020-01-01',
  ].join('\n') + '\n');
  writeFileSync(join(dir, 'reads.csv'), [
    'meter_id,read_at,register,value,read_type',
    'M1,2024-06-15,total,1000,actual',
    'M1,2024-07-15,total,1700,actual',
  ].join('\n') + '\n');
  for (const args of [['tariff', 'load', POLICY], ['load', 'accounts', join(dir, 'accounts.csv')], ['load', 'readings', join(dir, 'reads.csv')]]) {
    const result = await runCli(args, db);
    expect(result.code, `${args.join(' ')}: ${result.err}`).toBe(0);
  }
  if (options.bill !== false) {
    const bill = await runCli(['bill', '--period', PERIOD, '--out', out], db);
    expect(bill.code, bill.err).toBe(3); // -A2 cannot be billed
  }
  return { dir, db, out };
}
