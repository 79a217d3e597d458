// Stores for the ingest tests: a tariff id to point accounts at, and optionally accounts loaded
// through the CLI, so the readings tests start from what a real load makes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../helpers.js';

export const ACCOUNTS_HEADER = 'account_id,name,address,customer_class,tariff_id,region,meter_id,start_date';

/** A store in `dir` whose tariff GD-RES exists (accounts only need the id; the tariff stage loads real policies). */
export async function storeWithTariff(dir: string): Promise<string> {
  const db = join(dir, 'store.duckdb');
  const store = await openStore(db);
  await store.run(`INSERT INTO tariff_policies VALUES ('GD-RES', 1, 'test', 'CNY', '{}', 0, now())`);
  store.close();
  return db;
}

/** A store with the account master `accountsCsv` loaded (default: A1/M1 and A2/M2 from 2023-01-01). */
export async function storeWithAccounts(dir: string, accountsCsv = `${ACCOUNTS_HEADER}\n` +
  'A1,Li,1 Road,residential,GD-RES,R01,M1,2023-01-01\nA2,Wang,2 Road,residential,GD-RES,R01,M2,2023-01-01\n'): Promise<string> {
  const db = await storeWithTariff(dir);
  const accounts = join(dir, 'accounts.csv');
  writeFileSync(accounts, accountsCsv);
  expect((await runCli(['load', 'accounts', accounts], db)).code).toBe(0);
  return db;
}

/** Rows of `sql` over the store at `db`, opened and closed around the query. */
export async function storedRows(db: string, sql: string): Promise<Record<string, unknown>[]> {
  const store = await openStore(db);
  try {
    return await store.rows(sql);
  } finally {
    store.close();
  }
}
