// `--interval-only-share`: residential smart meters that send only hourly intervals (issue 16).
// Every such account has intervals for every hour of every read month (it is billed by calendar
// month) and no register read. (The other accounts are not exactly as without the option: meters
// fitted at exchanges are renumbered and the anomaly plan, which spreads anomalies over the
// accounts that can carry one, picks some others.)
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateInTemp, openDuckDB, removeTempDirs, rows } from './helpers.js';

afterAll(removeTempDirs);

describe('interval-only meters', () => {
  it('gives a share of residential accounts hourly intervals for whole months and no register reads', async () => {
    const { dir } = await generateInTemp({ accounts: 400, months: 2, start: '2024-01', seed: 7, intervalAccounts: 1, intervalOnlyShare: 0.1 });
    const db = await openDuckDB();
    const file = (f: string) => ({ path: path.join(dir, f) });
    await db.run('CREATE TABLE accounts AS SELECT * FROM read_csv($path, all_varchar = true)', file('accounts.csv'));
    await db.run('CREATE TABLE readings AS SELECT * FROM read_parquet($path)', file('readings.parquet'));
    await db.run('CREATE TABLE intervals AS SELECT * FROM read_parquet($path)', file('intervals.parquet'));
    // Meters with intervals and no register read: all residential, about a tenth of them.
    const [[only, residential, classes]] = await rows(db, `
      SELECT count(*), (SELECT count(*) FROM accounts WHERE customer_class = 'residential'), list(DISTINCT a.customer_class)
      FROM accounts a
      WHERE a.meter_id IN (SELECT meter_id FROM intervals) AND a.meter_id NOT IN (SELECT meter_id FROM readings)`) as [[number, number, string[]]];
    expect(classes).toEqual(['residential']);
    expect(Number(only)).toBeGreaterThan(0.05 * Number(residential));
    expect(Number(only)).toBeLessThan(0.15 * Number(residential));
    // Every hour of read months 0..2 (December 2023 to February 2024: 31 + 31 + 29 days).
    const hours = await rows(db, `
      SELECT count(*) = ${(31 + 31 + 29) * 24}, min(interval_start), max(interval_start)
      FROM intervals WHERE meter_id IN (SELECT meter_id FROM accounts a WHERE a.meter_id NOT IN (SELECT meter_id FROM readings))
      GROUP BY meter_id`);
    expect(new Set(hours.map((h) => JSON.stringify(h)))).toEqual(new Set([JSON.stringify([true, '2023-12-01T00:00:00', '2024-02-29T23:00:00'])]));
  }, 60_000);
});
