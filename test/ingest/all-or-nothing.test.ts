// One load command is one change: every file and the rejects folder are checked before anything is
// committed, so a refused load (exit 2, or 6 for the environment) leaves the store as it was.
import { existsSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';
import { writeParquet } from '../parquet.js';
import { ACCOUNTS_HEADER, storeWithAccounts, storeWithTariff, storedRows } from './fixture.js';

const GOOD = `${ACCOUNTS_HEADER}\nA1,Li,1 Road,residential,GD-RES,R01,M1,2023-01-01\nA2,Wang,2 Road,residential,GD-RES,R01,M2,2023-01-01\n`;

async function counts(db: string): Promise<Record<string, unknown>> {
  return (await storedRows(db, `SELECT (SELECT count(*) FROM accounts)::INTEGER AS accounts, (SELECT count(*) FROM meters)::INTEGER AS meters,
    (SELECT count(*) FROM readings)::INTEGER AS readings, (SELECT count(*) FROM input_files)::INTEGER AS files`))[0]!;
}

describe('a multi-file load is all or nothing', () => {
  it('commits no account when a later file is missing, has an unknown column or has no data rows', async () => {
    const dir = tempDir();
    const db = await storeWithTariff(dir);
    const good = join(dir, 'good.csv');
    writeFileSync(good, GOOD);
    const unknown = join(dir, 'unknown.csv');
    writeFileSync(unknown, `${ACCOUNTS_HEADER},colour\nA3,Z,3 Road,residential,GD-RES,R01,M3,2023-01-01,red\n`);
    const headerOnly = join(dir, 'header-only.csv');
    writeFileSync(headerOnly, `${ACCOUNTS_HEADER}\n`);
    const cases: [string, RegExp][] = [
      [join(dir, 'missing.csv'), /missing\.csv: no such file/],
      [unknown, /unknown\.csv: line 1: column colour: unknown column/],
      [headerOnly, /header-only\.csv: the file has a header but no data rows/],
    ];
    for (const [second, message] of cases) {
      const result = await runCli(['load', 'accounts', good, second, '--rejects', dir], db);
      expect(result.code, second).toBe(2);
      expect(result.err, second).toMatch(message);
      // No summary for good.csv: nothing of it was kept.
      expect(result.out, second).toBe('');
      expect(await counts(db), second).toEqual({ accounts: 0, meters: 0, readings: 0, files: 0 });
    }
    // The same two good files load together, each with its own summary.
    const more = join(dir, 'more.csv');
    writeFileSync(more, `${ACCOUNTS_HEADER}\nA3,Zhao,3 Road,residential,GD-RES,R01,M3,2023-01-01\n`);
    const result = await runCli(['load', 'accounts', good, more], db);
    expect(result.code).toBe(0);
    expect(result.out).toContain('good.csv (accounts): read 2 = loaded 2 + already stored 0 + rejected 0');
    expect(result.out).toContain('more.csv (accounts): read 1 = loaded 1 + already stored 0 + rejected 0');
    expect(await counts(db)).toEqual({ accounts: 3, meters: 3, readings: 0, files: 2 });
  });

  it('commits no reading when a later file is a truncated Parquet file, and writes no rejects of the refused load', async () => {
    const dir = tempDir();
    const db = await storeWithAccounts(dir);
    const reads = join(dir, 'reads.csv');
    writeFileSync(reads, 'meter_id,read_at,register,value,read_type\nM1,2024-01-05,total,10,actual\nM9,2024-01-05,total,10,actual\n');
    const parquet = join(dir, 'more.parquet');
    await writeParquet(parquet, `SELECT 'M2' AS meter_id, DATE '2024-01-05' + i::INTEGER AS read_at, 'total' AS register, i::DOUBLE AS value,
                                'actual' AS read_type FROM range(1000) t(i)`);
    truncateSync(parquet, Math.floor(statSync(parquet).size / 2));
    const rejects = join(dir, 'rejects');
    const result = await runCli(['load', 'readings', reads, parquet, '--rejects', rejects], db);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/more\.parquet: not a readable Parquet file/);
    expect(result.out).toBe('');
    expect(await counts(db)).toEqual({ accounts: 2, meters: 2, readings: 0, files: 1 });
    expect(existsSync(join(rejects, 'reads.csv.rejects.csv'))).toBe(false);
  });
});

describe('the rejects folder is checked before anything is committed', () => {
  it('refuses with exit 6 naming the folder when it cannot be made, and keeps no good row', async () => {
    const dir = tempDir();
    const db = await storeWithTariff(dir);
    const file = join(dir, 'accounts.csv');
    writeFileSync(file, `${GOOD}A3,Bad Class,3 Road,residental,GD-RES,R01,M3,2023-01-01\n`);
    // A file where the folder should be: the same failure as a folder without write permission,
    // and one that holds for root too.
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'not a folder');
    for (const rejects of [blocker, join(blocker, 'rejects')]) {
      const result = await runCli(['load', 'accounts', file, '--rejects', rejects], db);
      expect(result.code, rejects).toBe(6);
      expect(result.err, rejects).toContain(`cannot write rejects to ${rejects}: ${blocker} is a file, not a folder`);
      expect(result.err, rejects).not.toMatch(/internal error|\n\s+at /);
      expect(await counts(db), rejects).toEqual({ accounts: 0, meters: 0, readings: 0, files: 0 });
    }
  });
});

describe('rejects files of one load', () => {
  it('keeps a rejects file for each of two files of one name from different folders', async () => {
    const dir = tempDir();
    const db = await storeWithAccounts(dir);
    const header = 'meter_id,read_at,register,value,read_type';
    const first = join(dir, 'day1', 'reads.csv');
    const second = join(dir, 'day2', 'reads.csv');
    mkdirSync(dirname(first));
    mkdirSync(dirname(second));
    writeFileSync(first, `${header}\nM1,2024-01-05,total,NaN,actual\n`);
    writeFileSync(second, `${header}\nM1,2024-01-06,total,abc,actual\nM2,2024-01-06,total,-1,actual\n`);
    const rejects = join(dir, 'rejects');
    const result = await runCli(['load', 'readings', first, second, '--rejects', rejects], db);
    expect(result.code).toBe(3);
    expect(result.out).toContain(`${first} (readings): read 1 = loaded 0 + already stored 0 + rejected 1`);
    expect(result.out).toContain(`${second} (readings): read 2 = loaded 0 + already stored 0 + rejected 2`);
    expect(result.err).toContain(`all 1 rejected rows with their reasons: ${join(rejects, 'reads.csv.rejects.csv')}`);
    expect(result.err).toContain(`all 2 rejected rows with their reasons: ${join(rejects, 'reads.csv.2.rejects.csv')}`);
    expect(readFileSync(join(rejects, 'reads.csv.rejects.csv'), 'utf8').trim().split('\n').slice(1)).toEqual([
      `${first},2,value,NaN,not a number`,
    ]);
    expect(readFileSync(join(rejects, 'reads.csv.2.rejects.csv'), 'utf8').trim().split('\n').slice(1)).toEqual([
      `${second},2,value,abc,not a number`,
      `${second},3,value,-1,must not be negative (register values are cumulative)`,
    ]);
  });
});
