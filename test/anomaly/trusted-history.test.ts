// Migration 004's trusted_bills: the one definition of which earlier bills a baseline may learn
// from. Bills are written by hand, one per case, and the view must keep exactly the trusted ones.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';

let store: Store;

async function bill(account: number, period: number, status: string, options: { version?: number; current?: boolean; readFlags?: number } = {}): Promise<void> {
  await store.run(`INSERT INTO bills VALUES ($account, $period, $version, 1, $current, $status, DATE '2025-01-01', DATE '2025-01-31', 30,
    300000, NULL, NULL, NULL, NULL, NULL, NULL, 18000, 0, 0, $read_flags, 0, 0)`, {
    account, period, version: options.version ?? 1, current: options.current ?? true, status, read_flags: options.readFlags ?? 0,
  });
}

async function flag(account: number, period: number, ruleId: string, suppressed: boolean, version = 1): Promise<void> {
  await store.run(`INSERT INTO flags VALUES ($account, $period, $version, $rule, 'hold', $suppressed, 1, 'reason', 'test')`,
    { account, period, version, rule: ruleId, suppressed });
}

async function decision(account: number, period: number, action: string): Promise<void> {
  await store.run(`INSERT INTO review_decisions (account_key, period, action, from_status, to_status, bill_version, amount_before_minor,
    reviewer, note, source, decided_at) VALUES ($account, $period, $action, 'held', 'released', 1, 18000, 'li', 'n', 'cli', TIMESTAMP '2025-06-03 10:00:00')`,
  { account, period, action });
}

beforeAll(async () => {
  store = await openStore(join(tempDir(), 'trusted.duckdb'));
  // Account 1: one case per period.
  await bill(1, 202501, 'ready');                          // trusted: measured, nothing open
  await bill(1, 202502, 'ready', { readFlags: 1 });         // estimated close
  await bill(1, 202503, 'ready', { readFlags: 2 });         // catch-up after an estimate
  await bill(1, 202504, 'held');                            // waiting for a reviewer
  await flag(1, 202504, 'mom_kwh_per_day', false);
  await bill(1, 202505, 'released');                        // released, but its level was questioned
  await flag(1, 202505, 'level_shift', false);
  await bill(1, 202506, 'released');                        // released after a flag about the amount only
  await flag(1, 202506, 'amount_change', false);
  await bill(1, 202507, 'dismissed');                       // dismissed; the usage flag was a suppressed record
  await flag(1, 202507, 'mom_kwh_per_day', true);
  await bill(1, 202508, 'corrected', { current: false });   // corrected: the re-bill is current and trusted
  await flag(1, 202508, 'mom_kwh_per_day', false);
  await bill(1, 202508, 'ready', { version: 2 });
  await bill(1, 202509, 'escalated');
  // Account 2: a level accepted in 2025-03 starts its history again.
  await bill(2, 202501, 'ready');
  await bill(2, 202502, 'held');
  await flag(2, 202502, 'level_shift', false);
  await bill(2, 202503, 'released');
  await flag(2, 202503, 'level_shift', false);
  await decision(2, 202503, 'accept');
  await bill(2, 202504, 'ready');
  // Account 3: a plain release does not accept the level.
  await bill(3, 202501, 'ready');
  await bill(3, 202502, 'released');
  await flag(3, 202502, 'level_shift', false);
  await decision(3, 202502, 'release');
  await bill(3, 202503, 'ready');
});
afterAll(() => store.close());

describe('trusted_bills', () => {
  it('keeps measured bills nobody questioned, released non-usage flags and re-bills; drops estimates, open flags and released levels', async () => {
    const rows = await store.rows('SELECT account_key, period, bill_version FROM trusted_bills ORDER BY ALL');
    expect(rows.map((r) => [Number(r.account_key), Number(r.period), Number(r.bill_version)])).toEqual([
      [1, 202501, 1], [1, 202506, 1], [1, 202507, 1], [1, 202508, 2],
      [2, 202503, 1], [2, 202504, 1],
      [3, 202501, 1], [3, 202503, 1],
    ]);
  });
});
