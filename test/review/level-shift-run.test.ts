// An open level shift through real bill runs: generated data billed through the CLI, a reviewer's
// release and accept decided through the CLI, the next periods billed again. A release lets the bill
// go out but does not accept the level; an accept restarts the account's history at the new level.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { parseCsv } from '../../src/text/csv.js';
import { billedStore, type BilledStore } from '../billed-store.js';
import { runCli } from '../helpers.js';

let billed: BilledStore;

beforeAll(async () => {
  // 2024-01..2024-12 billed; 2025-01 and 2025-02 are billed by the test after the decisions.
  billed = await billedStore({ accounts: 400, months: 14, start: '2024-01', seed: 7, anomalyRate: 0.04, billedMonths: 12 });
}, 600_000);

afterAll(() => billed?.remove());

async function usageFlags(accountId: string, period: number): Promise<{ rule_id: string; reason: string; status: string }[]> {
  const store = await openStore(billed.db, { readOnly: true });
  try {
    return (await store.rows(`SELECT f.rule_id, f.reason, b.status::VARCHAR AS status
      FROM flags f JOIN bills b USING (account_key, period, bill_version) JOIN accounts a USING (account_key)
      WHERE a.account_id = $id AND f.period = $period AND b.is_current AND NOT f.suppressed
        AND f.rule_id IN ('mom_kwh_per_day', 'yoy_kwh_per_day', 'level_shift') ORDER BY f.rule_id`,
    { id: accountId, period })) as { rule_id: string; reason: string; status: string }[];
  } finally {
    store.close();
  }
}

async function run(args: string[]): Promise<void> {
  const result = await runCli(args, billed.db);
  expect(result.code === 0 || result.code === 3, `${args.join(' ')}: ${result.err}`).toBe(true);
}

it('keeps a wrong level held after a release and lets the next bill go once the level is accepted', async () => {
  // A level the generator made wrong (a persisting drop or wrong multiplier through 2025-02), held as a level shift in 2024-12.
  const [header, ...records] = parseCsv(readFileSync(join(billed.data, 'labels.csv'), 'utf8'));
  const column = (name: string) => header!.cells.indexOf(name);
  const persisting = new Set(records.filter((r) => ['sustained_drop', 'wrong_multiplier'].includes(r.cells[column('kind')]!)
    && r.cells[column('period')] === '2025-02' && r.cells[column('must_flag')] === '1').map((r) => r.cells[column('account_id')]!));
  const store = await openStore(billed.db, { readOnly: true });
  const candidates = (await store.rows(`SELECT a.account_id FROM flags f JOIN bills b USING (account_key, period, bill_version)
    JOIN accounts a USING (account_key)
    WHERE f.period = 202412 AND f.rule_id = 'level_shift' AND NOT f.suppressed AND b.is_current AND b.status = 'held'
    ORDER BY a.account_id`)).map((r) => String(r.account_id)).filter((id) => persisting.has(id));
  store.close();
  expect(candidates.length).toBeGreaterThan(0);
  const account = candidates[0]!;

  await run(['review', 'decide', account, '--period', '2024-12', '--action', 'release', '--reviewer', 'li', '--note', 'customer called']);
  await run(['bill', '--from', '2025-01', '--to', '2025-01', '--out', billed.out]);
  const afterRelease = await usageFlags(account, 202501);
  expect(afterRelease.map((f) => [f.rule_id, f.status])).toEqual([['level_shift', 'held']]);
  expect(afterRelease[0]!.reason).toMatch(/since 20\d\d-\d\d/);
  expect(afterRelease[0]!.reason).toContain('released once without accepting the level');

  await run(['review', 'decide', account, '--period', '2025-01', '--action', 'accept', '--reviewer', 'li', '--note', 'new process line']);
  await run(['bill', '--from', '2025-02', '--to', '2025-02', '--out', billed.out]);
  expect(await usageFlags(account, 202502)).toEqual([]);
}, 600_000);
