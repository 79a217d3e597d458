// A store billed from a few hand-written accounts and reads on GD-RES, for tests whose expected
// bills are worked out by hand.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

const AFTER_THE_DATA = new Date('2026-12-01T09:00:00Z');

const GD_RES = join(import.meta.dirname, '..', '..', 'samples', 'tariffs', 'GD-RES.yaml');

/** Loads GD-RES, the accounts and reads (CSV lines, header first) and bills `period`; returns the folder and the store. */
export async function billHandData(accounts: string[], reads: string[], period: string): Promise<{ dir: string; db: string }> {
  const dir = tempDir();
  const db = join(dir, 'store.duckdb');
  expect((await runCli(['tariff', 'load', GD_RES], db)).code).toBe(0);
  writeFileSync(join(dir, 'accounts.csv'), accounts.join('\n') + '\n');
  writeFileSync(join(dir, 'reads.csv'), reads.join('\n') + '\n');
  for (const [kind, file] of [['accounts', 'accounts.csv'], ['readings', 'reads.csv']] as const) {
    // The load's clock after the hand data's last read (reads dated in the future are rejected).
    const load = await runCli(['load', kind, join(dir, file)], db, AFTER_THE_DATA);
    expect(load.code, load.err).toBe(0);
  }
  const run = await runCli(['bill', '--period', period, '--out', join(dir, 'out')], db);
  expect(run.code, run.err).toBe(0);
  return { dir, db };
}
