// The running history summary (migration 015, src/billing/history.sql): kept up run by run, it
// must equal the summary recomputed from the bills after bill runs, a reviewer's decisions
// (release, dismiss, accept a new level, correct with a re-bill), a re-bill of an earlier period
// and an account load that moves accounts to another region (their season-free levels change).
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { requireBillingPeriod } from '../../src/calendar/index.js';
import { refreshHistory } from '../../src/billing/index.js';
import { openStore } from '../../src/store/index.js';
import { billedStore, type BilledStore } from '../billed-store.js';
import { runCli, tempDir } from '../helpers.js';

let billed: BilledStore;
beforeAll(async () => {
  billed = await billedStore({ accounts: 300, months: 10, billedMonths: 6, start: '2024-01', seed: 11, anomalyRate: 0.05 });
}, 600_000);
afterAll(() => billed?.remove());

/** Rows of the kept summary not in the recomputed one and back (0, 0 when they are equal), and the summary's size. */
async function againstRecomputed(period: string): Promise<{ kept: number; onlyKept: number; onlyRecomputed: number; asOf: number }> {
  const store = await openStore(billed.db);
  try {
    const [state] = await store.rows('SELECT as_of FROM history_summary_state');
    // Rolled back: the store keeps the summary the runs carried forward.
    await store.run('BEGIN TRANSACTION');
    await store.run('CREATE TEMP TABLE kept AS FROM history_summary');
    await refreshHistory(store.connection, requireBillingPeriod(period), 100, true);
    const [row] = await store.rows(`SELECT (SELECT count(*) FROM kept) AS kept,
      (SELECT count(*) FROM (FROM kept EXCEPT ALL FROM history_summary)) AS only_kept,
      (SELECT count(*) FROM (FROM history_summary EXCEPT ALL FROM kept)) AS only_recomputed`);
    await store.run('ROLLBACK');
    return { kept: Number(row!.kept), onlyKept: Number(row!.only_kept), onlyRecomputed: Number(row!.only_recomputed), asOf: Number(state!.as_of) };
  } finally {
    store.close();
  }
}

async function cli(...args: string[]): Promise<string> {
  const result = await runCli(args, billed.db);
  expect(result.code === 0 || result.code === 3, `${args.join(' ')}: ${result.err}`).toBe(true);
  return result.out;
}

async function heldBills(period: number): Promise<string[]> {
  const store = await openStore(billed.db);
  try {
    return (await store.rows(`SELECT a.account_id FROM bills b JOIN accounts a USING (account_key)
      WHERE b.period = $period AND b.is_current AND b.status = 'held' ORDER BY a.account_id`, { period })).map((r) => String(r.account_id));
  } finally {
    store.close();
  }
}

it('equals the summary recomputed from the bills after monthly runs', async () => {
  // The store was billed 2024-01 to 2024-06 in one command: the summary was carried forward five times.
  expect(await againstRecomputed('2024-06')).toEqual({ kept: expect.any(Number), onlyKept: 0, onlyRecomputed: 0, asOf: 202406 });
  await cli('bill', '--period', '2024-07', '--out', tempDir());
  const after = await againstRecomputed('2024-07');
  expect(after).toEqual({ kept: after.kept, onlyKept: 0, onlyRecomputed: 0, asOf: 202407 });
  expect(after.kept).toBeGreaterThan(280);
}, 300_000);

it('equals it after a reviewer released, dismissed, accepted and corrected bills', async () => {
  const held = await heldBills(202406);
  expect(held.length).toBeGreaterThanOrEqual(4);
  const [release, dismiss, accept, correct] = held;
  await cli('review', 'decide', release!, '--period', '2024-06', '--action', 'release', '--reviewer', 'ana', '--note', 'confirmed');
  await cli('review', 'decide', dismiss!, '--period', '2024-06', '--action', 'dismiss', '--reviewer', 'ana', '--note', 'heat');
  await cli('review', 'decide', accept!, '--period', '2024-06', '--action', 'accept', '--reviewer', 'ana', '--note', 'new tenant');
  await cli('review', 'decide', correct!, '--period', '2024-06', '--action', 'correct', '--reviewer', 'ana', '--note', 'estimate');
  // The decisions changed what 2024-06's bills say: recomputed, the summary of 2024-07 differs from the one kept.
  const stale = await againstRecomputed('2024-07');
  expect(stale.onlyKept).toBeGreaterThan(0);
  // The next run brings the decided accounts back from their bills.
  await cli('bill', '--period', '2024-08', '--out', tempDir());
  expect(await againstRecomputed('2024-08')).toMatchObject({ onlyKept: 0, onlyRecomputed: 0, asOf: 202408 });
}, 300_000);

it('equals it after an earlier period was billed again', async () => {
  await cli('bill', '--period', '2024-05', '--rebill', '--out', tempDir());
  expect(await againstRecomputed('2024-05')).toMatchObject({ onlyKept: 0, onlyRecomputed: 0, asOf: 202405 });
  await cli('bill', '--period', '2024-09', '--out', tempDir());
  expect(await againstRecomputed('2024-09')).toMatchObject({ onlyKept: 0, onlyRecomputed: 0, asOf: 202409 });
}, 300_000);

it('equals it after an account load moved accounts to another region', async () => {
  const changed = join(tempDir(), 'accounts-moved.csv');
  const store = await openStore(billed.db);
  try {
    await store.run(`COPY (SELECT * REPLACE (CASE WHEN region = 'R01' THEN 'R02' ELSE 'R01' END AS region)
      FROM read_csv($file, all_varchar = true) LIMIT 5) TO '${changed.replaceAll("'", "''")}' (HEADER)`, { file: join(billed.data, 'accounts.csv') });
  } finally {
    store.close();
  }
  expect(await cli('load', 'accounts', changed)).toContain('read 5 = loaded 5 + already stored 0 + rejected 0');
  const moved = await openStore(billed.db);
  try {
    const [row] = await moved.rows(`SELECT count(*) AS n FROM history_summary s JOIN accounts a USING (account_key) WHERE a.region <> s.region`);
    expect(Number(row!.n)).toBe(5);
  } finally {
    moved.close();
  }
  await cli('bill', '--period', '2024-10', '--out', tempDir());
  expect(await againstRecomputed('2024-10')).toMatchObject({ onlyKept: 0, onlyRecomputed: 0, asOf: 202410 });
}, 300_000);
