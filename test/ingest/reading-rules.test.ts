// What a reading may hold and when: values that stay exact, dates up to a day after the load,
// reads outside the account's life counted, and an actual read replacing a stored estimate.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { parseCsv } from '../../src/text/csv.js';
import { runCli, tempDir } from '../helpers.js';
import { writeParquet } from '../parquet.js';
import { ACCOUNTS_HEADER, storeWithAccounts, storedRows } from './fixture.js';

const READS = 'meter_id,read_at,register,value,read_type';

/** A1 (M1) from 2023-01-01, open; A2 (M2) from 2023-01-01 to 2024-06-30. */
const storeWithEndedAccount = (dir: string) => storeWithAccounts(dir, `${ACCOUNTS_HEADER},end_date\n` +
  'A1,Li,1 Road,residential,GD-RES,R01,M1,2023-01-01,\nA2,Wang,2 Road,residential,GD-RES,R01,M2,2023-01-01,2024-06-30\n');

async function load(db: string, dir: string, name: string, lines: string[]) {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, ...(await runCli(['load', 'readings', file, '--rejects', dir], db)) };
}

function rejectsOf(dir: string, name: string): string[] {
  return readFileSync(join(dir, `${name}.rejects.csv`), 'utf8').trim().split('\n').slice(1).map((row) => row.split(',').slice(1).join(','));
}

describe('reading values', () => {
  it('rejects values that would not be stored exactly, and stores the largest accepted one exactly', async () => {
    const dir = tempDir();
    const db = await storeWithEndedAccount(dir);
    const result = await load(db, dir, 'big.csv', [READS,
      'M1,2024-01-05,total,123456789012345.678,actual',
      'M1,2024-01-06,total,9007199254740.993,actual',
      'M1,2024-01-07,total,1000000000000,actual',
      'M1,2024-01-08,total,999999999999.999,actual',
      'M1,2024-01-09,total,8765432109.877,actual',
      'M1,2024-01-10,total,1234567890123456789,actual',
    ]);
    expect(result.code).toBe(3);
    expect(result.out).toContain('read 6 = loaded 2 + already stored 0 + rejected 4');
    expect(rejectsOf(dir, 'big.csv')).toEqual([
      '2,value,123456789012345.678,too large: at most 999999999999.999',
      '3,value,9007199254740.993,too large: at most 999999999999.999',
      '4,value,1000000000000,too large: at most 999999999999.999',
      '7,value,1234567890123456789,too large: at most 999999999999.999',
    ]);
    expect(await storedRows(db, 'SELECT value_milli::VARCHAR AS v FROM readings ORDER BY line')).toEqual([
      { v: '999999999999999' }, { v: '8765432109877' },
    ]);

    const intervals = await load(db, dir, 'intervals.csv', ['meter_id,interval_start,interval_minutes,kwh',
      'M1,2024-01-05T00:00:00,60,9007199254740.993', 'M1,2024-01-05T01:00:00,60,999999999999.999']);
    expect(intervals.out).toContain('read 2 = loaded 1 + already stored 0 + rejected 1');
    expect(intervals.err).toContain("line 2: column kwh: '9007199254740.993' too large: at most 999999999999.999");
    expect(await storedRows(db, 'SELECT wh::VARCHAR AS wh FROM intervals')).toEqual([{ wh: '999999999999999' }]);
  });

  it('takes plain decimal text as written and refuses what a cast would round or read as hex', async () => {
    const dir = tempDir();
    const db = await storeWithEndedAccount(dir);
    const reads = await load(db, dir, 'plain.csv', [READS,
      'M1,2024-01-05,total,.5,actual',
      'M1,2024-01-06,total,12.,actual',
      'M1,2024-01-07,total,1_000,actual',
      'M1,2024-01-08,total,0x10,actual',
      'M1,2024-01-09,total,12.3450,actual',
    ]);
    expect(reads.out).toContain('read 5 = loaded 3 + already stored 0 + rejected 2');
    expect(rejectsOf(dir, 'plain.csv')).toEqual(['4,value,1_000,not a number', '5,value,0x10,not a number']);
    expect(await storedRows(db, 'SELECT value_milli::VARCHAR AS v FROM readings ORDER BY line')).toEqual([
      { v: '500' }, { v: '12000' }, { v: '12345' },
    ]);
    // 14.6 minutes is no interval length, though a whole-number cast would round it to 15.
    const intervals = await load(db, dir, 'minutes.csv', ['meter_id,interval_start,interval_minutes,kwh',
      'M1,2024-01-05T00:00:00,15.0,1', 'M1,2024-01-05T00:15:00,14.6,1', 'M1,2024-01-05T00:30:00,0xF,1']);
    expect(intervals.out).toContain('read 3 = loaded 1 + already stored 0 + rejected 2');
    expect(rejectsOf(dir, 'minutes.csv')).toEqual(['3,interval_minutes,14.6,"must be 5, 10, 15, 30 or 60"', '4,interval_minutes,0xF,"must be 5, 10, 15, 30 or 60"']);
  });

  it('names what is wrong with a register value written with an exponent, from CSV and from a Parquet DOUBLE', async () => {
    const dir = tempDir();
    const db = await storeWithEndedAccount(dir);
    const result = await load(db, dir, 'exp.csv', [READS,
      'M1,2024-01-05,total,1e16,actual',
      'M1,2024-01-06,total,-1e20,actual',
      'M1,2024-01-07,total,1.5e3,actual',
      'M1,2024-01-08,total,1e400,actual',
      'M1,2024-01-09,total,NaN,actual',
    ]);
    expect(result.out).toContain('read 5 = loaded 0 + already stored 0 + rejected 5');
    expect(rejectsOf(dir, 'exp.csv')).toEqual([
      '2,value,1e16,too large: at most 999999999999.999',
      "3,value,'-1e20,must not be negative (register values are cumulative)",
      '4,value,1.5e3,must be a decimal number without an exponent',
      '5,value,1e400,too large: at most 999999999999.999',
      '6,value,NaN,not a number',
    ]);
    // DuckDB reads a DOUBLE from 10^16 up as text with an exponent.
    const parquet = join(dir, 'double.parquet');
    await writeParquet(parquet, `SELECT 'M1' AS meter_id, DATE '2024-01-05' AS read_at, 'total' AS register, 1e16::DOUBLE AS value,
      'actual' AS read_type`);
    const fromParquet = await runCli(['load', 'readings', parquet, '--rejects', dir], db);
    expect(fromParquet.err).toContain(`${parquet}: line 1: column value: '1e+16' too large: at most 999999999999.999`);
  });

  it('rounds interval kWh once to the Wh, and names an out-of-range one beyond 18 digits as negative or too large', async () => {
    const dir = tempDir();
    const db = await storeWithEndedAccount(dir);
    const result = await load(db, dir, 'kwh.csv', ['meter_id,interval_start,interval_minutes,kwh',
      'M1,2024-01-05T00:00:00,60,2.0005',
      'M1,2024-01-05T01:00:00,60,1.5E-2',
      'M1,2024-01-05T02:00:00,60,9.99999999999999e11',
      'M1,2024-01-05T03:00:00,60,-1e20',
      'M1,2024-01-05T04:00:00,60,1e16',
      'M1,2024-01-05T05:00:00,60,-0.5',
      'M1,2024-01-05T06:00:00,60,1e40',
    ]);
    expect(result.out).toContain('read 7 = loaded 3 + already stored 0 + rejected 4');
    expect(rejectsOf(dir, 'kwh.csv')).toEqual([
      "5,kwh,'-1e20,must not be negative", // neutralised for spreadsheets: not a plain number
      '6,kwh,1e16,too large: at most 999999999999.999',
      '7,kwh,-0.5,must not be negative',
      '8,kwh,1e40,too large: at most 999999999999.999',
    ]);
    // Half away from zero at the Wh: 2.0005 kWh is 2,001 Wh; 1.5E-2 kWh is 15 Wh; 9.99999999999999e11
    // is 999,999,999,999.999 kWh, the largest accepted, exact.
    expect(await storedRows(db, 'SELECT wh::VARCHAR AS wh FROM intervals ORDER BY line')).toEqual([
      { wh: '2001' }, { wh: '15' }, { wh: '999999999999999' },
    ]);
  });

  it('keeps the largest accepted value exact when it arrives as a Parquet DOUBLE', async () => {
    const dir = tempDir();
    const db = await storeWithEndedAccount(dir);
    const parquet = join(dir, 'reads.parquet');
    await writeParquet(parquet, `SELECT * FROM (VALUES ('M1', DATE '2024-01-05', 'total', 999999999999.999::DOUBLE, 'actual'),
                                                ('M1', DATE '2024-01-06', 'total', 9007199254740.993::DOUBLE, 'actual'))
                                 t(meter_id, read_at, register, value, read_type)`);
    const result = await runCli(['load', 'readings', parquet, '--rejects', dir], db);
    expect(result.out).toContain('read 2 = loaded 1 + already stored 0 + rejected 1');
    expect(result.err).toContain('line 2: column value: ');
    expect(await storedRows(db, 'SELECT value_milli::VARCHAR AS v FROM readings')).toEqual([{ v: '999999999999999' }]);
  });
});

describe('reading dates', () => {
  // The test clock is 2026-01-15T09:00Z: reads dated up to 2026-01-16 are accepted.
  it('rejects reads dated more than a day after the load, and counts reads outside the account life', async () => {
    const dir = tempDir();
    const db = await storeWithEndedAccount(dir);
    const result = await load(db, dir, 'dates.csv', [READS,
      'M1,2026-01-16T23:59:59,total,10,actual',
      'M1,2026-01-17,total,11,actual',
      'M1,2999-01-01,total,12,actual',
      'M1,2022-12-31,total,9,actual',
      'M1,2023-01-01,total,9.5,actual',
      'M2,2024-06-30,total,20,actual',
      'M2,2024-07-01,total,21,actual',
    ]);
    expect(result.code).toBe(3);
    expect(result.out).toContain('read 7 = loaded 5 + already stored 0 + rejected 2');
    // Before A1's start (2022-12-31) and after A2's end (2024-07-01); the days themselves are inside.
    expect(result.out).toContain("of the loaded: 2 reads dated before their account's start_date or after its end_date");
    expect(rejectsOf(dir, 'dates.csv')).toEqual([
      '3,read_at,2026-01-17,"dated in the future: after 2026-01-16, a day after the load"',
      '4,read_at,2999-01-01,"dated in the future: after 2026-01-16, a day after the load"',
    ]);
    // A reload writes nothing, so it counts nothing outside the account life.
    const again = await runCli(['load', 'readings', result.file, '--rejects', dir], db);
    expect(again.out).toContain('read 7 = loaded 0 + already stored 5 + rejected 2');
    expect(again.out).not.toContain('of the loaded');

    const intervals = await load(db, dir, 'intervals.csv', ['meter_id,interval_start,interval_minutes,kwh',
      'M2,2024-07-01T00:00:00,60,1', 'M1,2026-01-17T00:00:00,60,1', 'M1,2025-01-01T00:00:00,60,1']);
    expect(intervals.out).toContain('read 3 = loaded 2 + already stored 0 + rejected 1');
    expect(intervals.out).toContain("of the loaded: 1 reads dated before their account's start_date or after its end_date");
    expect(intervals.err).toContain("line 3: column interval_start: '2026-01-17T00:00:00' dated in the future: after 2026-01-16");
  });
});

describe('reading times with a UTC offset', () => {
  // Worked out by hand: Beijing is UTC+8 all year (no daylight saving), so 16:00 UTC on 4 January
  // is midnight of the 5th there; a time written with +08:00 is already on its clock.
  it('rejects them without a time zone, and converts them to the utility\'s clock with one', async () => {
    const lines = [READS,
      'M1,2024-01-04T16:00:00Z,total,10,actual',
      'M1,2024-01-05T09:30:00+08:00,total,11,actual',
      'M1,2024-01-05T02:00:00-0500,total,12,actual',
      'M1,2024-01-06T08:00:00,total,13,actual',
      'M1,2024-01-07,total,14,actual',
    ];
    const dir = tempDir();
    const db = await storeWithEndedAccount(dir);
    const without = await load(db, dir, 'offsets.csv', lines);
    expect(without.out).toContain('read 5 = loaded 2 + already stored 0 + rejected 3');
    const reason = "has a UTC offset: billrun keeps the utility's local clock; give --time-zone (e.g. Asia/Shanghai) to convert it";
    expect(parseCsv(readFileSync(join(dir, 'offsets.csv.rejects.csv'), 'utf8')).slice(1).map((r) => r.cells.slice(1))).toEqual([
      ['2', 'read_at', '2024-01-04T16:00:00Z', reason],
      ['3', 'read_at', '2024-01-05T09:30:00+08:00', reason],
      ['4', 'read_at', '2024-01-05T02:00:00-0500', reason],
    ]);

    const file = join(dir, 'offsets.csv');
    const withZone = await runCli(['load', 'readings', file, '--rejects', dir, '--time-zone', 'Asia/Shanghai'], db);
    expect(withZone.code).toBe(0);
    expect(withZone.out).toContain('read 5 = loaded 3 + already stored 2 + rejected 0');
    expect(await storedRows(db, 'SELECT strftime(read_at, \'%Y-%m-%d %H:%M\') AS t, (value_milli / 1000)::INTEGER AS v FROM readings ORDER BY read_at')).toEqual([
      { t: '2024-01-05 00:00', v: 10 }, { t: '2024-01-05 09:30', v: 11 }, { t: '2024-01-05 15:00', v: 12 },
      { t: '2024-01-06 08:00', v: 13 }, { t: '2024-01-07 00:00', v: 14 },
    ]);
  });

  it('reads a Parquet TIMESTAMP WITH TIME ZONE as instants, and refuses an unknown zone', async () => {
    const dir = tempDir();
    const db = await storeWithEndedAccount(dir);
    const file = join(dir, 'intervals.parquet');
    // Three hours from 16:00 UTC on 4 January: 00:00, 01:00 and 02:00 of the 5th in Beijing.
    await writeParquet(file, `SELECT 'M1' AS meter_id, TIMESTAMPTZ '2024-01-04 16:00:00+00' + INTERVAL (h) HOUR AS interval_start,
      60 AS interval_minutes, 1.5 AS kwh FROM range(3) t(h)`);
    const unknown = await runCli(['load', 'readings', file, '--rejects', dir, '--time-zone', 'Asia/Beijing'], db);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("--time-zone: unknown time zone 'Asia/Beijing'");
    const without = await runCli(['load', 'readings', file, '--rejects', dir], db);
    expect(without.out).toContain('read 3 = loaded 0 + already stored 0 + rejected 3');
    const loaded = await runCli(['load', 'readings', file, '--rejects', dir, '--time-zone', 'Asia/Shanghai'], db);
    expect(loaded.code).toBe(0);
    expect(await storedRows(db, 'SELECT strftime(interval_start, \'%Y-%m-%d %H:%M\') AS t FROM intervals ORDER BY 1')).toEqual([
      { t: '2024-01-05 00:00' }, { t: '2024-01-05 01:00' }, { t: '2024-01-05 02:00' },
    ]);
  });
});

describe('an actual read and a stored estimate', () => {
  it('replaces the estimate, keeps it for audit, counts it and names the billed period for a re-bill', async () => {
    const dir = tempDir();
    const db = await storeWithEndedAccount(dir);
    const first = await load(db, dir, 'estimates.csv', [READS,
      'M1,2023-12-31,total,50,actual',
      'M1,2024-01-31,total,100,estimated',
      'M2,2024-01-31,total,70,estimated',
      'M2,2024-02-29,total,80,customer',
    ]);
    expect(first.code).toBe(0);
    // A1's January bill opened at the 2023-12-31 read and closed at the estimate.
    const store = await openStore(db);
    await store.run(`INSERT INTO bills BY NAME SELECT 1 AS account_key, 202401 AS period, 1 AS bill_version, 1 AS run_id,
      true AS is_current, 'ready' AS status, DATE '2023-12-31' AS start_date, DATE '2024-01-31' AS end_date, 31 AS days,
      50000 AS kwh_milli, 0 AS amount_minor, 0 AS tax_included_minor, 0 AS context_key, 0 AS read_flags, 0 AS flag_count, 0 AS score`);
    store.close();

    const actual = await load(db, dir, 'actual.csv', [READS,
      'M1,2024-01-31,total,104.5,actual',
      'M2,2024-01-31,total,70,actual',
      'M2,2024-02-29,total,80,actual',
    ]);
    expect(actual.code).toBe(3);
    expect(actual.out).toContain('read 3 = loaded 2 + already stored 0 + rejected 1');
    expect(actual.out).toContain('of the loaded: 2 actual reads replaced stored estimates (the estimates are kept in superseded_readings)');
    expect(actual.err).toContain('2024-01 was billed from a replaced estimate for 1 account (A1): billrun bill --period 2024-01 --rebill');
    // A customer read is not an estimate: the same value with another type says so.
    expect(actual.err).toContain(`${actual.file}: line 4: column read_type: 'actual' conflicts with the stored reading of the same value 80.000, which is customer (only an actual read replaces an estimate)`);
    expect(await storedRows(db, `SELECT m.meter_id, r.read_date::VARCHAR AS d, r.value_milli::INTEGER AS v, r.read_type::VARCHAR AS t, f.path, r.line::INTEGER AS line
                             FROM readings r JOIN meters m USING (meter_key) JOIN input_files f USING (file_key) ORDER BY m.meter_id, r.read_at`)).toEqual([
      { meter_id: 'M1', d: '2023-12-31', v: 50000, t: 'actual', path: first.file, line: 2 },
      { meter_id: 'M1', d: '2024-01-31', v: 104500, t: 'actual', path: actual.file, line: 2 },
      { meter_id: 'M2', d: '2024-01-31', v: 70000, t: 'actual', path: actual.file, line: 3 },
      { meter_id: 'M2', d: '2024-02-29', v: 80000, t: 'customer', path: first.file, line: 5 },
    ]);
    expect(await storedRows(db, `SELECT m.meter_id, s.value_milli::INTEGER AS v, s.read_type::VARCHAR AS t, f.path, s.line::INTEGER AS line,
                                    g.path AS by_path, s.superseded_by_line::INTEGER AS by_line
                             FROM superseded_readings s JOIN meters m USING (meter_key) JOIN input_files f USING (file_key)
                             JOIN input_files g ON g.file_key = s.superseded_by_file_key ORDER BY m.meter_id`)).toEqual([
      { meter_id: 'M1', v: 100000, t: 'estimated', path: first.file, line: 3, by_path: actual.file, by_line: 2 },
      { meter_id: 'M2', v: 70000, t: 'estimated', path: first.file, line: 4, by_path: actual.file, by_line: 3 },
    ]);

    // Now actual: a different actual read, or a late estimate, conflicts; the same actual is stored already.
    const later = await load(db, dir, 'later.csv', [READS,
      'M1,2024-01-31,total,105,actual',
      'M2,2024-01-31,total,70,actual',
      'M2,2024-01-31,peak,1,actual',
      'M1,2023-12-31,total,50,estimated',
    ]);
    expect(later.out).toContain('read 4 = loaded 1 + already stored 1 + rejected 2');
    expect(later.out).not.toContain('replaced');
    expect(rejectsOf(dir, 'later.csv')).toEqual([
      '2,value,105.000,conflicts with the stored reading 104.500 (actual)',
      '5,read_type,estimated,"conflicts with the stored reading of the same value 50.000, which is actual (only an actual read replaces an estimate)"',
    ]);
  });
});
