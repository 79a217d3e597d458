import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runCli, tempDir } from '../helpers.js';
import { ACCOUNTS_HEADER, storeWithAccounts, storedRows, storeWithTariff } from './fixture.js';

const HEADER = 'account_id,name,address,customer_class,tariff_id,region,meter_id,multiplier,register_digits,household_size,start_date';

describe('load accounts', () => {
  it('loads good rows, rejects bad ones with line, column and reason, and counts add up', async () => {
    const dir = tempDir();
    const db = await storeWithTariff(dir);
    const file = join(dir, 'accounts.csv');
    writeFileSync(file, [
      HEADER,
      'A1,Li Wei,"1 Road, Apt ""3""",residential,GD-RES,R01,M1,1,6,4,2023-01-01',
      'A2,Wang Fang,"2 Road\nBlock B",commercial,GD-RES,R01,M2,,,,2023-02-01',
      'A3,Bad Class,3 Road,residental,GD-RES,R02,M3,1,6,,2023-01-01',
      'A1,Twice,4 Road,residential,GD-RES,R02,M4,1,6,,2023-01-01',
      'A5,No Tariff,5 Road,residential,XX-UNKNOWN,R02,M5,1,6,,2023-01-01',
      'A6,Bad Mult,6 Road,residential,GD-RES,R02,M6,abc,6,,2023-01-01',
      'A 7,Bad Id,7 Road,residential,GD-RES,R02,M7,1,6,,2023-01-01',
      'A8,Short Row,8 Road',
      'A9,Bad Date,9 Road,residential,GD-RES,R02,M9,1,6,,2023-02-30',
      'A10,Meter Twice,10 Road,residential,GD-RES,R02,M1,1,6,,2023-01-01',
    ].join('\n') + '\n');

    const result = await runCli(['load', 'accounts', file, '--rejects', dir], db);
    expect(result.code).toBe(3);
    // 10 data rows: A1 and A2 load; 8 rejects. A2's address spans lines 3–4, so A3 is on line 5.
    expect(result.out).toContain('read 10 = loaded 2 + already stored 0 + rejected 8');
    const rejects = readFileSync(join(dir, 'accounts.csv.rejects.csv'), 'utf8').trim().split('\n');
    expect(rejects[0]).toBe('file,line,column,value,reason');
    const byLine = new Map(rejects.slice(1).map((r) => {
      const cells = r.split(',');
      return [Number(cells[1]), { column: cells[2], value: cells[3], reason: cells.slice(4).join(',') }];
    }));
    expect([...byLine.keys()]).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(byLine.get(5)).toMatchObject({ column: 'customer_class', value: 'residental' });
    expect(byLine.get(6)).toMatchObject({ column: 'account_id', reason: 'duplicate account: already on line 2' });
    expect(byLine.get(7)).toMatchObject({ column: 'tariff_id', value: 'XX-UNKNOWN' });
    expect(byLine.get(8)).toMatchObject({ column: 'multiplier', value: 'abc', reason: 'not a number' });
    expect(byLine.get(9)?.column).toBe('account_id');
    expect(byLine.get(10)?.reason).toMatch(/wrong number of fields: expected: 11 found: 3/);
    expect(byLine.get(11)).toMatchObject({ column: 'start_date', reason: 'not a date (YYYY-MM-DD)' });
    expect(byLine.get(12)).toMatchObject({ column: 'meter_id', reason: 'meter already used on line 2' });
    expect(result.err).toContain(`${file}: line 5: column customer_class: 'residental' must be one of`);

    const store = await openStore(db);
    const rows = await store.rows(`SELECT account_id, address, multiplier::VARCHAR AS m, register_digits AS d, household_size AS h
                                   FROM accounts ORDER BY account_id`);
    expect(rows).toEqual([
      { account_id: 'A1', address: '1 Road, Apt "3"', m: '1.0000', d: 6, h: 4 },
      { account_id: 'A2', address: '2 Road\nBlock B', m: '1.0000', d: 6, h: null },
    ]);
    expect(await store.rows('SELECT meter_id, account_key FROM meters ORDER BY meter_id')).toEqual([
      { meter_id: 'M1', account_key: 1 },
      { meter_id: 'M2', account_key: 2 },
    ]);
    store.close();
  });

  it('loading the same file twice adds nothing, and a changed row updates in place', async () => {
    const dir = tempDir();
    const db = await storeWithTariff(dir);
    const file = join(dir, 'accounts.csv');
    writeFileSync(file, `${HEADER}\nA1,Li Wei,1 Road,residential,GD-RES,R01,M1,1,6,4,2023-01-01\n`);
    expect((await runCli(['load', 'accounts', file], db)).out).toContain('loaded 1 + already stored 0 + rejected 0');
    expect((await runCli(['load', 'accounts', file], db)).out).toContain('loaded 0 + already stored 1 + rejected 0');
    writeFileSync(file, `${HEADER}\nA1,Li Wei,1 New Road,residential,GD-RES,R01,M1,1,6,4,2023-01-01\n`);
    expect((await runCli(['load', 'accounts', file], db)).out).toContain('loaded 1 + already stored 0 + rejected 0');
    const store = await openStore(db);
    expect(await store.rows('SELECT account_key, address FROM accounts')).toEqual([{ account_key: 1, address: '1 New Road' }]);
    expect(await store.rows('SELECT count(*)::INTEGER AS n FROM input_files')).toEqual([{ n: 3 }]);
    store.close();
  });

  it('refuses unusable files with one message and no stack', async () => {
    const dir = tempDir();
    const db = await storeWithTariff(dir);
    const cases: [string, string, RegExp][] = [
      ['missing.csv', '', /missing\.csv: no such file/],
      ['empty.csv', '', /empty\.csv: the file is empty \(no header line\)/],
      ['header.csv', `${HEADER}\n`, /header\.csv: the file has a header but no data rows/],
      ['unknown.csv', `${HEADER},colour\nA1,x,y,residential,GD-RES,R,M,1,6,,2023-01-01,red\n`, /unknown\.csv: line 1: column colour: unknown column in the account master/],
      ['missing-col.csv', 'account_id,name\nA1,x\n', /missing-col\.csv: line 1: missing required column 'address'/],
      ['accounts.txt', 'x', /accounts\.txt: unsupported file type '\.txt'/],
    ];
    for (const [name, content, message] of cases) {
      const file = join(dir, name);
      if (name !== 'missing.csv') writeFileSync(file, content);
      const result = await runCli(['load', 'accounts', file], db);
      expect(result.code, name).toBe(2);
      expect(result.err, name).toMatch(message);
      expect(result.err, name).not.toMatch(/\n\s+at /);
    }
    const store = await openStore(db);
    expect(await store.rows('SELECT count(*)::INTEGER AS n FROM accounts')).toEqual([{ n: 0 }]);
    store.close();
  });
});

describe('load accounts: numbers are taken as written, never rounded', () => {
  it('refuses numbers DuckDB would round or read as hex or digit groups, and keeps plain ones exactly', async () => {
    const dir = tempDir();
    const db = await storeWithTariff(dir);
    const file = join(dir, 'numbers.csv');
    const header = `${HEADER},contract_kva,pf_standard`;
    // Each row's expectation worked out from the input contract: a number is plain decimal text
    // with at most as many decimals as the column keeps (multiplier 4, kVA 3, power factor 2);
    // zeros past them are no decimals.
    writeFileSync(file, [
      header,
      'A1,Ok,1 Road,industrial,GD-RES,R01,M1,80.0000,6.0,3,2023-01-01,315.000,0.900',
      'A2,Ok,2 Road,residential,GD-RES,R01,M2,1.23456,6,,2023-01-01,,',
      'A3,Ok,3 Road,residential,GD-RES,R01,M3,1_000,6,,2023-01-01,,',
      'A4,Ok,4 Road,residential,GD-RES,R01,M4,123456789,6,,2023-01-01,,',
      'A5,Ok,5 Road,residential,GD-RES,R01,M5,1,0x6,,2023-01-01,,',
      'A6,Ok,6 Road,residential,GD-RES,R01,M6,1,6,2.5,2023-01-01,,',
      'A7,Ok,7 Road,residential,GD-RES,R01,M7,1,6,.5,2023-01-01,,',
      'A8,Ok,8 Road,industrial,GD-RES,R01,M8,1,6,,2023-01-01,315.0004,',
      'A9,Ok,9 Road,industrial,GD-RES,R01,M9,1,6,,2023-01-01,315,0.899',
    ].join('\n') + '\n');
    const result = await runCli(['load', 'accounts', file, '--rejects', dir], db);
    expect(result.code).toBe(3);
    expect(result.out).toContain('read 9 = loaded 1 + already stored 0 + rejected 8');
    expect(readFileSync(join(dir, 'numbers.csv.rejects.csv'), 'utf8').trim().split('\n').slice(1)).toEqual([
      `${file},3,multiplier,1.23456,has more than 4 decimals`,
      `${file},4,multiplier,1_000,not a number`,
      `${file},5,multiplier,123456789,too large: at most 99999999.9999`,
      `${file},6,register_digits,0x6,must be a whole number from 3 to 12`,
      `${file},7,household_size,2.5,must be a whole number of at least 1`,
      `${file},8,household_size,.5,must be a whole number of at least 1`,
      `${file},9,contract_kva,315.0004,has more than 3 decimals`,
      `${file},10,pf_standard,0.899,"must be 0.90, 0.85 or 0.80"`,
    ]);
    expect(await storedRows(db, `SELECT account_id, multiplier::VARCHAR AS m, register_digits AS d, household_size AS h,
      contract_kva::VARCHAR AS kva, pf_standard::VARCHAR AS pf FROM accounts`)).toEqual([
      { account_id: 'A1', m: '80.0000', d: 6, h: 3, kva: '315.000', pf: '0.90' },
    ]);
  });
});

describe('load accounts: dates are calendar dates as written', () => {
  it('refuses the words and years DuckDB\'s date cast would take', async () => {
    const dir = tempDir();
    const db = await storeWithTariff(dir);
    const file = join(dir, 'dates.csv');
    writeFileSync(file, [
      `${ACCOUNTS_HEADER},end_date`,
      'A1,Ok,1 Road,residential,GD-RES,R01,M1,2023-1-5,2024-12-31',
      'A2,Ok,2 Road,residential,GD-RES,R01,M2,epoch,',
      'A3,Ok,3 Road,residential,GD-RES,R01,M3,2023-01-01,infinity',
      'A4,Ok,4 Road,residential,GD-RES,R01,M4,-2023-01-01,',
      'A5,Ok,5 Road,residential,GD-RES,R01,M5,12023-01-01,',
    ].join('\n') + '\n');
    const result = await runCli(['load', 'accounts', file, '--rejects', dir], db);
    expect(result.out).toContain('read 5 = loaded 1 + already stored 0 + rejected 4');
    expect(readFileSync(join(dir, 'dates.csv.rejects.csv'), 'utf8').trim().split('\n').slice(1)).toEqual([
      `${file},3,start_date,epoch,not a date (YYYY-MM-DD)`,
      `${file},4,end_date,infinity,not a date (YYYY-MM-DD)`,
      // A cell that opens with - is written as text, so a spreadsheet does not read it as a formula.
      `${file},5,start_date,'-2023-01-01,not a date (YYYY-MM-DD)`,
      `${file},6,start_date,12023-01-01,not a date (YYYY-MM-DD)`,
    ]);
    expect(await storedRows(db, 'SELECT account_id, start_date::VARCHAR AS s, end_date::VARCHAR AS e FROM accounts')).toEqual([
      { account_id: 'A1', s: '2023-01-05', e: '2024-12-31' },
    ]);
  });
});

describe('load accounts against stored accounts', () => {
  it('names the stored account a meter serves, and sorts repeats, changes and unchanged rows', async () => {
    const dir = tempDir();
    const db = await storeWithAccounts(dir, [ACCOUNTS_HEADER, 'A1,Li,1 Road,residential,GD-RES,R01,M1,2023-01-01',
      'A2,Wang,2 Road,residential,GD-RES,R01,M2,2023-01-01', 'A7,Qian,7 Road,residential,GD-RES,R01,M7,2023-01-01'].join('\n') + '\n');
    const file = join(dir, 'more.csv');
    writeFileSync(file, [
      ACCOUNTS_HEADER,
      'A3,Zhao,3 Road,residential,GD-RES,R01,M7,2023-01-01', // M7 serves A7
      'A1,Li,1 Road,residential,GD-RES,R01,M1,2023-01-01', // as stored
      'A4,Sun,4 Road,residential,GD-RES,R01,M4,2023-01-01',
      'A4,Sun,4 Road,residential,GD-RES,R01,M6,2023-01-01', // A4 again
      'A5,Zhou,5 Road,residential,GD-RES,R01,M4,2023-01-01', // M4 again
      'A2,Wang Fang,2 Road,residential,GD-RES,R01,M2,2023-01-01', // renamed
    ].join('\n') + '\n');
    const result = await runCli(['load', 'accounts', file, '--rejects', dir], db);
    expect(result.code).toBe(3);
    expect(result.out).toContain('read 6 = loaded 2 + already stored 1 + rejected 3');
    expect(readFileSync(join(dir, 'more.csv.rejects.csv'), 'utf8').trim().split('\n').slice(1)).toEqual([
      `${file},2,meter_id,M7,meter already serves account A7`,
      `${file},5,account_id,A4,duplicate account: already on line 4`,
      `${file},6,meter_id,M4,meter already used on line 4`,
    ]);
    // A4 takes the next key after A1, A2 and A7, its meter the next meter key.
    expect(await storedRows(db, `SELECT a.account_key, a.account_id, a.name, m.meter_key, m.meter_id
      FROM accounts a JOIN meters m USING (account_key) ORDER BY a.account_key`)).toEqual([
      { account_key: 1, account_id: 'A1', name: 'Li', meter_key: 1, meter_id: 'M1' },
      { account_key: 2, account_id: 'A2', name: 'Wang Fang', meter_key: 2, meter_id: 'M2' },
      { account_key: 3, account_id: 'A7', name: 'Qian', meter_key: 3, meter_id: 'M7' },
      { account_key: 4, account_id: 'A4', name: 'Sun', meter_key: 4, meter_id: 'M4' },
    ]);
  });
});
