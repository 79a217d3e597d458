// A bulk load under DuckDB's memory limit: the staged text of a file is made before the load's
// transaction (src/ingest/source.ts, stageFile), where DuckDB can spill it. Staged inside the
// transaction, these 500,000 accounts ran out of a 100 MB limit (as the 40M-account master ran
// out of 4 GiB, then the default); every row must still be loaded or rejected with its line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runCli, tempDir } from '../helpers.js';
import { storeWithTariff, storedRows } from './fixture.js';

const ACCOUNTS = 500_000;

it('loads a 500,000-account master under a 100 MB memory limit, rejecting its bad rows by line', async () => {
  const dir = tempDir();
  const db = await storeWithTariff(dir);
  const file = join(dir, 'accounts.csv');
  const store = await openStore(db);
  try {
    // Every 100,000th account has a start date that is not a date: account i is on line i + 1.
    await store.run(`COPY (SELECT 'A' || i AS account_id, 'Customer ' || i AS name, i || ' Long Garden Road, Riverside District' AS address,
        'residential' AS customer_class, 'GD-RES' AS tariff_id, 'R0' || (i % 5 + 1) AS region, 'M' || i AS meter_id,
        CASE WHEN i % 100000 = 0 THEN 'soon' ELSE (DATE '2023-01-01' + (i % 365)::INTEGER)::VARCHAR END AS start_date
      FROM range(1, ${ACCOUNTS} + 1) t(i)) TO '${file.replaceAll("'", "''")}' (HEADER)`);
  } finally {
    store.close();
  }
  const result = await runCli(['--memory-limit', '100MB', 'load', 'accounts', file, '--rejects', dir], db);
  expect(result.code, result.err).toBe(3);
  expect(result.out).toContain('read 500,000 = loaded 499,995 + already stored 0 + rejected 5');
  const rejects = readFileSync(join(dir, 'accounts.csv.rejects.csv'), 'utf8').trim().split('\n').slice(1);
  expect(rejects.map((line) => line.split(',').slice(1, 4).join(','))).toEqual(
    [100001, 200001, 300001, 400001, 500001].map((line) => `${line},start_date,soon`));
  expect(await storedRows(db, `SELECT count(*)::INTEGER AS accounts, count(DISTINCT meter_id)::INTEGER AS meters,
    min(account_id) AS first, max(start_date)::VARCHAR AS latest FROM accounts`))
    .toEqual([{ accounts: 499_995, meters: 499_995, first: 'A1', latest: '2023-12-31' }]);
}, 120_000);
