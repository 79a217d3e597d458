import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runCli, tempDir } from '../helpers.js';
import { writeParquet } from '../parquet.js';
import { storeWithAccounts } from './fixture.js';

describe('load readings', () => {
  it('checks every register reading and stores exact values', async () => {
    const dir = tempDir();
    const db = await storeWithAccounts(dir);
    const file = join(dir, 'reads.csv');
    writeFileSync(file, [
      'meter_id,read_at,register,value,read_type',
      'M1,2024-01-05,total,12345.678,actual',
      'M1,2024-02-05T08:30:00,total,12400.5,estimated',
      'M9,2024-01-05,total,100,actual',
      'M2,2024-01-05,total,abc,actual',
      'M2,2024-01-06,total,1.2345,actual',
      'M2,2024-01-07,total,-5,actual',
      'M2,2024-01-08,volts,5,actual',
      'M2,2024-13-01,total,5,actual',
      'M2,2024-01-09,total,5,guessed',
      'M1,2024-01-05,total,12345.678,actual',
      'M2,2024-01-10,total,4294967.295,actual',
    ].join('\n') + '\n');
    const result = await runCli(['load', 'readings', file, '--rejects', dir], db);
    expect(result.code).toBe(3);
    expect(result.out).toContain('read 11 = loaded 3 + already stored 0 + rejected 8');
    const rejects = readFileSync(join(dir, 'reads.csv.rejects.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rejects).toEqual([
      `${file},4,meter_id,M9,unknown meter (no account in the account master has it)`,
      `${file},5,value,abc,not a number`,
      `${file},6,value,1.2345,has more than 3 decimals`,
      `${file},7,value,-5,must not be negative (register values are cumulative)`,
      `${file},8,register,volts,"must be one of total, sharp, peak, flat, valley, demand_kw, reactive_kvarh"`,
      `${file},9,read_at,2024-13-01,not an ISO date or datetime`,
      `${file},10,read_type,guessed,"must be one of actual, estimated, customer"`,
      `${file},11,read_at,2024-01-05,"duplicate reading: same meter, time and register as line 2"`,
    ]);
    const store = await openStore(db);
    // Sentinel values are loaded: they are a meter's error report that the review must see.
    expect(await store.rows(`SELECT m.meter_id, r.read_date::VARCHAR AS d, r.value_milli::BIGINT::VARCHAR AS v, r.read_type::VARCHAR AS t, r.line::INTEGER AS line
                             FROM readings r JOIN meters m USING (meter_key) ORDER BY r.line`)).toEqual([
      { meter_id: 'M1', d: '2024-01-05', v: '12345678', t: 'actual', line: 2 },
      { meter_id: 'M1', d: '2024-02-05', v: '12400500', t: 'estimated', line: 3 },
      { meter_id: 'M2', d: '2024-01-10', v: '4294967295', t: 'actual', line: 12 },
    ]);
    store.close();
  });

  it('accepts Parquet, adds nothing on reload and rejects a conflicting re-read', async () => {
    const dir = tempDir();
    const db = await storeWithAccounts(dir);
    const parquet = join(dir, 'reads.parquet');
    await writeParquet(parquet, `SELECT * FROM (VALUES ('M1', DATE '2024-01-05', 'total', 100.5::DOUBLE, 'actual'),
                                                ('M2', DATE '2024-01-05', 'total', 7::DOUBLE, 'actual'))
                                 t(meter_id, read_at, register, value, read_type)`);
    expect((await runCli(['load', 'readings', parquet], db)).out).toContain('read 2 = loaded 2 + already stored 0 + rejected 0');
    expect((await runCli(['load', 'readings', parquet], db)).out).toContain('read 2 = loaded 0 + already stored 2 + rejected 0');
    const csv = join(dir, 'again.csv');
    writeFileSync(csv, 'meter_id,read_at,register,value,read_type\nM1,2024-01-05,total,100.6,actual\n');
    const conflict = await runCli(['load', 'readings', csv, '--rejects', dir], db);
    expect(conflict.out).toContain('read 1 = loaded 0 + already stored 0 + rejected 1');
    expect(conflict.err).toContain("line 2: column value: '100.600' conflicts with the stored reading 100.500 (actual)");
  });

  it("stores a file's readings clustered by meter, whatever their order in the file", async () => {
    // The bill run reads one range of meters at a time and skips storage blocks outside it only
    // when a load's rows are stored in meter order; a monthly file usually comes date by date.
    const dir = tempDir();
    const db = await storeWithAccounts(dir);
    const file = join(dir, 'by-date.csv');
    writeFileSync(file, 'meter_id,read_at,register,value,read_type\n' +
      'M2,2024-01-05,total,10,actual\nM1,2024-01-05,total,20,actual\nM2,2024-02-05,total,11,actual\n' +
      'M1,2024-02-05,peak,5,actual\nM1,2024-02-05,total,21,actual\nM2,2024-03-05,total,12,actual\n');
    expect((await runCli(['load', 'readings', file], db)).out).toContain('loaded 6');
    const store = await openStore(db);
    expect((await store.rows(`SELECT m.meter_id || ' ' || r.read_date::VARCHAR || ' ' || r.register::VARCHAR AS r
                              FROM readings r JOIN meters m USING (meter_key) ORDER BY r.rowid`)).map((row) => row.r)).toEqual([
      'M1 2024-01-05 total', 'M1 2024-02-05 total', 'M1 2024-02-05 peak',
      'M2 2024-01-05 total', 'M2 2024-02-05 total', 'M2 2024-03-05 total',
    ]);
    store.close();
  });

  it('loads interval readings, told apart by their columns', async () => {
    const dir = tempDir();
    const db = await storeWithAccounts(dir);
    const file = join(dir, 'intervals.csv');
    writeFileSync(file, 'meter_id,interval_start,interval_minutes,kwh\nM1,2024-01-05T00:00:00,60,1.25\nM1,2024-01-05T01:00:00,45,1\n');
    const result = await runCli(['load', 'readings', file, '--rejects', dir], db);
    expect(result.out).toContain('intervals): read 2 = loaded 1 + already stored 0 + rejected 1');
    expect(result.err).toContain("line 3: column interval_minutes: '45' must be 5, 10, 15, 30 or 60");
    const store = await openStore(db);
    expect(await store.rows('SELECT wh::INTEGER AS wh, interval_minutes AS m FROM intervals')).toEqual([{ wh: 1250, m: 60 }]);
    store.close();
  });
});
