// A billed store for the review tests: generated data billed through the CLI, with two held
// accounts renamed to hostile text (an HTML tag, a spreadsheet formula) through `load accounts`,
// as a real account master could carry them. Tests take a copy each, so decisions do not leak.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { parseCsv } from '../../src/text/csv.js';
import { billedStore, type BilledStore } from '../billed-store.js';
import { runCli, tempDir } from '../helpers.js';

export const PERIOD = '2025-02';
export const SCRIPT_NAME = '<script>alert("x")</script> & Sons';
export const FORMULA_NAME = '=HYPERLINK("http://example.invalid","pay here")';

/** The fields of a `review list --format json` row the tests read. */
export interface ListRow {
  account_id: string;
  name: string;
  status: string;
  score: number;
  rules: string[];
  region: string;
  customer_class: string;
  amount_minor: number;
}

export interface ReviewFixture {
  billed: BilledStore;
  /** Accounts held in PERIOD, highest score first. */
  held: string[];
  scriptAccount: string;
  formulaAccount: string;
}

export async function reviewFixture(): Promise<ReviewFixture> {
  const billed = await billedStore({ accounts: 400, months: 14, start: '2024-01', seed: 7, anomalyRate: 0.04 });
  const store = await openStore(billed.db, { readOnly: true });
  const held = (await store.rows(`SELECT a.account_id FROM bills b JOIN accounts a USING (account_key)
    WHERE b.period = 202502 AND b.is_current AND b.status = 'held' ORDER BY b.score DESC, a.account_id`)).map((r) => String(r.account_id));
  store.close();
  expect(held.length).toBeGreaterThanOrEqual(10);
  const [scriptAccount, formulaAccount] = [held[2]!, held[3]!];

  // Rename two held accounts through the account master, the way hostile text would arrive.
  const [header, ...records] = parseCsv(readFileSync(join(billed.data, 'accounts.csv'), 'utf8'));
  const nameAt = header!.cells.indexOf('name');
  const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
  const renamed = records.flatMap((r) => {
    const name = r.cells[0] === scriptAccount ? SCRIPT_NAME : r.cells[0] === formulaAccount ? FORMULA_NAME : undefined;
    return name === undefined ? [] : [r.cells.map((c, i) => (i === nameAt ? name : c))];
  });
  const file = join(billed.dir, 'renamed.csv');
  writeFileSync(file, [header!.cells, ...renamed].map((cells) => cells.map(quote).join(',')).join('\n') + '\n');
  const load = await runCli(['load', 'accounts', file], billed.db);
  expect(load.code, load.err).toBe(0);
  return { billed, held, scriptAccount, formulaAccount };
}

/** A private copy of the fixture's store for one test. */
export function storeCopy(fixture: ReviewFixture): string {
  const db = join(tempDir('billrun-review-'), 'store.duckdb');
  copyFileSync(fixture.billed.db, db);
  return db;
}
