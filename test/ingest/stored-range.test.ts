import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';
import { storeWithAccounts, storedRows } from './fixture.js';

const HEADER = 'meter_id,read_at,register,value,read_type';

/** Loads `rows` as a readings CSV named `name`; returns the CLI result and the rejects file's rows. */
async function load(dir: string, db: string, name: string, rows: string[]) {
  const file = join(dir, name);
  writeFileSync(file, [HEADER, ...rows].join('\n') + '\n');
  const result = await runCli(['load', 'readings', file, '--rejects', dir], db);
  const rejects = result.code === 3 ? readFileSync(join(dir, `${name}.rejects.csv`), 'utf8').trim().split('\n').slice(1)
    .map((row) => row.slice(file.length + 1)) : [];
  return { code: result.code, out: result.out, rejects };
}

// The stored reads a file is matched against are those in its good rows' dates, passed to the
// query as values: reads stored outside them must change nothing, and a file with no good row
// has no dates at all.
describe('load readings against the store', () => {
  const first = ['M1,2024-01-05,total,100,estimated', 'M1,2024-02-05,total,200,actual', 'M2,2024-02-05,total,9,actual'];
  const again = [
    'M1,2024-01-05,total,150,actual', // replaces the estimate
    'M1,2024-02-05,total,200,actual', // unchanged
    'M2,2024-02-05,total,7,actual', // conflicts with the stored 9
    'M2,2024-03-05,total,10,actual', // new
  ];

  it('finds the same unchanged, replaced and conflicting reads whether or not reads outside its dates are stored', async () => {
    const outcomes = [];
    for (const outside of [[], ['M1,2023-12-05,total,90,actual', 'M2,2024-06-05,total,20,actual']]) {
      const dir = tempDir();
      const db = await storeWithAccounts(dir);
      expect((await load(dir, db, 'first.csv', [...first, ...outside])).code).toBe(0);
      const result = await load(dir, db, 'again.csv', again);
      expect(result.code).toBe(3);
      // 4 rows: the replaced estimate and the new read loaded, one unchanged, one conflict.
      expect(result.out).toContain('read 4 = loaded 2 + already stored 1 + rejected 1');
      expect(result.rejects).toEqual(['4,value,7.000,conflicts with the stored reading 9.000 (actual)']);
      outcomes.push(await storedRows(db, `SELECT m.meter_id, r.read_date::VARCHAR AS d, r.value_milli::INTEGER AS v, r.read_type::VARCHAR AS t
        FROM readings r JOIN meters m USING (meter_key) WHERE r.read_date BETWEEN '2024-01-01' AND '2024-05-31' ORDER BY 1, 2`));
    }
    expect(outcomes[0]).toEqual([
      { meter_id: 'M1', d: '2024-01-05', v: 150_000, t: 'actual' },
      { meter_id: 'M1', d: '2024-02-05', v: 200_000, t: 'actual' },
      { meter_id: 'M2', d: '2024-02-05', v: 9_000, t: 'actual' },
      { meter_id: 'M2', d: '2024-03-05', v: 10_000, t: 'actual' },
    ]);
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it('counts a file whose every row is rejected, with reads stored', async () => {
    const dir = tempDir();
    const db = await storeWithAccounts(dir);
    expect((await load(dir, db, 'first.csv', first)).code).toBe(0);
    const result = await load(dir, db, 'bad.csv', ['M9,2024-01-05,total,1,actual', 'M1,2024-01-06,total,x,actual']);
    expect(result.code).toBe(3);
    expect(result.out).toContain('read 2 = loaded 0 + already stored 0 + rejected 2');
    expect(result.rejects).toEqual([
      '2,meter_id,M9,unknown meter (no account in the account master has it)',
      '3,value,x,not a number',
    ]);
  });

  it('adds only the intervals not stored, and counts those outside the account life among them', async () => {
    const dir = tempDir();
    const db = await storeWithAccounts(dir);
    const write = (name: string, rows: string[]) => {
      writeFileSync(join(dir, name), ['meter_id,interval_start,interval_minutes,kwh', ...rows].join('\n') + '\n');
      return runCli(['load', 'readings', join(dir, name), '--rejects', dir], db);
    };
    expect((await write('first.csv', ['M1,2024-01-05T00:00:00,60,1.5', 'M1,2024-01-05T01:00:00,60,2'])).code).toBe(0);
    const result = await write('again.csv', [
      'M1,2024-01-05T00:00:00,60,1.5', // unchanged
      'M1,2024-01-05T01:00:00,60,3', // conflicts with the stored 2
      'M1,2024-01-05T02:00:00,60,1', // new
      'M2,2022-12-31T23:00:00,60,1', // new, before the account's start (2023-01-01)
      'M1,2022-12-31T23:00:00,60,1', // new, before the account's start
    ]);
    expect(result.code).toBe(3);
    expect(result.out).toContain('read 5 = loaded 3 + already stored 1 + rejected 1');
    expect(result.out).toContain('of the loaded: 2 reads dated before');
    expect(readFileSync(join(dir, 'again.csv.rejects.csv'), 'utf8')).toContain('again.csv,3,kwh,3.000,conflicts with the stored interval 2.000 kWh');
    expect(await storedRows(db, 'SELECT count(*)::INTEGER AS n, sum(wh)::INTEGER AS wh FROM intervals')).toEqual([{ n: 5, wh: 6_500 }]);
  });
});
