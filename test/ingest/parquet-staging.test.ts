// Parquet files are checked through a view over the file, CSV files through a staged text table:
// the same rows must load, and be rejected, the same way from either, and the files of one command
// must each be read from their own file whatever format came before.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';
import { writeParquet } from '../parquet.js';
import { ACCOUNTS_HEADER, storedRows, storeWithAccounts, storeWithTariff } from './fixture.js';

const ACCOUNT_ROWS = [
  'A1,Li,1 Road,residential,GD-RES,R01,M1,2023-01-01',
  'A2,Wang,2 Road,residental,GD-RES,R01,M2,2023-01-01',
  'A3,Zhao,3 Road,commercial,GD-RES,R02,M3,2023-02-01',
];

async function toParquet(csv: string, parquet: string): Promise<void> {
  await writeParquet(parquet, 'SELECT * FROM read_csv($csv, all_varchar = true)', { csv });
}

const STORED_ACCOUNTS = `SELECT a.account_id, a.customer_class::VARCHAR AS class, a.region, a.start_date::VARCHAR AS start_date,
  a.household_size, a.contract_kva, m.meter_id FROM accounts a JOIN meters m USING (account_key) ORDER BY a.account_id`;

describe('Parquet input read in place', () => {
  it('loads and rejects an account master without its optional columns as the same rows in CSV do', async () => {
    const dir = tempDir();
    const csv = join(dir, 'accounts.csv');
    writeFileSync(csv, [ACCOUNTS_HEADER, ...ACCOUNT_ROWS, ''].join('\n'));
    const parquet = join(dir, 'accounts.parquet');
    await toParquet(csv, parquet);

    const fromCsv = await storeWithTariff(join(dir));
    const csvRun = await runCli(['load', 'accounts', csv, '--rejects', dir], fromCsv);
    const parquetDir = tempDir();
    const fromParquet = await storeWithTariff(parquetDir);
    const parquetRun = await runCli(['load', 'accounts', parquet, '--rejects', parquetDir], fromParquet);

    expect(csvRun.out).toContain('read 3 = loaded 2 + already stored 0 + rejected 1');
    expect(parquetRun.out).toContain('read 3 = loaded 2 + already stored 0 + rejected 1');
    // The second record: line 3 of the CSV (under its header), row 2 of the Parquet file.
    expect(csvRun.err).toContain("line 3: column customer_class: 'residental'");
    expect(parquetRun.err).toContain("line 2: column customer_class: 'residental'");
    const stored = await storedRows(fromParquet, STORED_ACCOUNTS);
    expect(stored).toEqual(await storedRows(fromCsv, STORED_ACCOUNTS));
    expect(stored.map((row) => [row.account_id, row.class, row.household_size, row.meter_id]))
      .toEqual([['A1', 'residential', null, 'M1'], ['A3', 'commercial', null, 'M3']]);
  });

  it('reads each file of one command from its own file, whatever format the file before had', async () => {
    const dir = tempDir();
    const db = await storeWithAccounts(dir);
    const first = join(dir, 'first.csv');
    writeFileSync(first, 'meter_id,read_at,register,value,read_type\nM1,2024-01-05,total,10,actual\n');
    const second = join(dir, 'second.parquet');
    await writeParquet(second, `SELECT * FROM (VALUES ('M2', '2024-01-05', 'total', 20.5, 'actual'), ('M2', '2024-01-06', 'total', -1, 'actual'))
                                t(meter_id, read_at, register, value, read_type)`);
    const third = join(dir, 'third.parquet');
    await writeParquet(third, `SELECT * FROM (VALUES ('M1', TIMESTAMP '2024-01-05 00:00', 60, 1.25))
                               t(meter_id, interval_start, interval_minutes, kwh)`);
    const fourth = join(dir, 'fourth.csv');
    writeFileSync(fourth, 'meter_id,read_at,register,value,read_type\nM2,2024-02-05,total,30,actual\n');

    const result = await runCli(['load', 'readings', first, second, third, fourth, '--rejects', dir], db);
    expect(result.code).toBe(3); // loaded, with rejects
    expect(result.out).toContain('first.csv (readings): read 1 = loaded 1 + already stored 0 + rejected 0');
    expect(result.out).toContain('second.parquet (readings): read 2 = loaded 1 + already stored 0 + rejected 1');
    expect(result.out).toContain('third.parquet (intervals): read 1 = loaded 1 + already stored 0 + rejected 0');
    expect(result.out).toContain('fourth.csv (readings): read 1 = loaded 1 + already stored 0 + rejected 0');
    expect(result.err).toContain("second.parquet: line 2: column value: '-1.0' must not be negative");
    expect(await storedRows(db, `SELECT meter_id, read_date::VARCHAR AS day, value_milli::INTEGER AS milli, line::INTEGER AS line
      FROM readings JOIN meters USING (meter_key) ORDER BY meter_id, read_date`)).toEqual([
      { meter_id: 'M1', day: '2024-01-05', milli: 10_000, line: 2 },
      { meter_id: 'M2', day: '2024-01-05', milli: 20_500, line: 1 },
      { meter_id: 'M2', day: '2024-02-05', milli: 30_000, line: 2 },
    ]);
    expect(await storedRows(db, 'SELECT wh::INTEGER AS wh FROM intervals')).toEqual([{ wh: 1250 }]);
  });
});
