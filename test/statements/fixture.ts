// The store behind the statement goldens, built from the hand-made inputs in golden/input/ through
// the CLI, as a billing clerk would: six accounts billed for 13 periods (2024-07 … 2025-07), so
// every statement has a full usage chart, last month and the same month last year.
//
//   RES-TIER-01  GD-RES residential tiers: 700 kWh in July = 459.21 CNY (docs/domain.md)
//   RES-TOU-02   RES-TOU: 100/200/100 kWh peak/flat/valley in July = 247.19 CNY; a name and an
//                address full of HTML metacharacters
//   IND-2P-03    IND-2P two-part: TOU energy, maximum demand, PF 0.92 against standard 0.90,
//                funds, VAT added; multiplier 40; a region that is not a safe directory name
//   RES-CORR-04  July read with a digit slip (4,500 kWh), held, then corrected in second review
//   RES-EXCH-05  meter exchange on 2025-07-10: the old meter's final read and the new meter's reads
//   RES-HELD-06  held in July: no statement unless --include-held
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../helpers.js';

export const PERIOD = '2025-07';
export const INPUT = join(import.meta.dirname, 'golden', 'input');
export const UTILITY = join(INPUT, 'utility.yaml');
export const HELD_ACCOUNT = 'RES-HELD-06';
export const CORRECTED_ACCOUNT = 'RES-CORR-04';

export interface StatementsFixture {
  dir: string;
  db: string;
  remove(): void;
}

export async function statementsFixture(): Promise<StatementsFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'billrun-statements-'));
  const db = join(dir, 'store.duckdb');
  const steps = [
    ['tariff', 'load', ...readdirSync(join(INPUT, 'tariffs')).sort().map((f) => join(INPUT, 'tariffs', f))],
    ['load', 'accounts', join(INPUT, 'accounts.csv')],
    ['load', 'readings', join(INPUT, 'readings.csv')],
    ['bill', '--from', '2024-07', '--to', PERIOD, '--out', join(dir, 'bills')],
  ];
  for (const args of steps) {
    const result = await runCli(args, db);
    expect(result.code, `${args.join(' ')}: ${result.err}`).toBe(0);
  }
  // Which bills the review rules hold is tuned elsewhere; pin July to the states this fixture is
  // about, as the rules would leave them: the digit slip and RES-HELD-06 held, the rest ready.
  const store = await openStore(db);
  try {
    await store.run(`UPDATE bills SET status = CASE WHEN a.account_id IN ($corrected, $held) THEN 'held' ELSE 'ready' END
                     FROM accounts a WHERE bills.account_key = a.account_key AND bills.period = 202507`,
    { corrected: CORRECTED_ACCOUNT, held: HELD_ACCOUNT });
  } finally {
    store.close();
  }
  const correct = await runCli(['review', 'decide', CORRECTED_ACCOUNT, '--period', PERIOD, '--action', 'correct', '--read', 'total=27936',
    '--reviewer', 'Wei Zhang', '--note', 'digit slip: 31986 read for 27936'], db);
  expect(correct.code, correct.err).toBe(0);
  return { dir, db, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
