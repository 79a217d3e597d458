import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { appendBatch, readColumns, type ColumnSpec } from '../../src/store/columnar.js';

const specs: ColumnSpec[] = [
  { name: 'k', kind: 'int32' },
  { name: 'amount', kind: 'int64' },
  { name: 'kwh', kind: 'double' },
  { name: 'day', kind: 'date' },
  { name: 'label', kind: 'varchar' },
  { name: 'flag', kind: 'bool' },
];

describe('columnar copies', () => {
  it('round-trips values and nulls across vector boundaries', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    await con.run('CREATE TABLE t (k INTEGER, amount BIGINT, kwh DOUBLE, day DATE, label VARCHAR, flag BOOLEAN)');
    const n = 5000; // spans three 2048-row vectors; day 19000+4999 = 2035-09-16
    const nulls = new Uint8Array(n);
    nulls[2047] = 1;
    nulls[2048] = 1;
    nulls[4999] = 1;
    await appendBatch(con, 't', specs, {
      rowCount: n,
      columns: {
        k: Int32Array.from({ length: n }, (_, i) => i),
        amount: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 1_000_000_000_000n),
        kwh: Float64Array.from({ length: n }, (_, i) => i / 4),
        day: Int32Array.from({ length: n }, (_, i) => 19_000 + i),
        label: Array.from({ length: n }, (_, i) => `L${i % 7}`),
        flag: Uint8Array.from({ length: n }, (_, i) => i % 2),
      },
      nulls: { kwh: nulls },
    });
    const check = (await con.runAndReadAll(
      `SELECT count(*)::INTEGER, sum(k)::BIGINT, count(kwh)::INTEGER, max(day)::VARCHAR, sum(flag::INTEGER)::INTEGER,
              (SELECT label FROM t WHERE k = 4998), (SELECT amount FROM t WHERE k = 3)
       FROM t`,
    )).getRowsJson()[0];
    expect(check).toEqual([5000, '12497500', 4997, '2035-09-16', 2500, 'L0', '3000000000000']);

    const back = await readColumns(con, 'SELECT * FROM t ORDER BY k', undefined, specs);
    expect(back.rowCount).toBe(n);
    expect((back.columns.kwh as Float64Array)[4000]).toBe(1000);
    expect((back.columns.amount as BigInt64Array)[4999]).toBe(4_999_000_000_000_000n);
    expect((back.columns.label as string[])[13]).toBe('L6');
    expect([...back.nulls.kwh!.keys()].filter((i) => back.nulls.kwh![i])).toEqual([2047, 2048, 4999]);
    expect(back.nulls.k).toBeUndefined();
  });

  it('refuses a column whose SQL type does not match the spec', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    await expect(readColumns(con, 'SELECT 1.5::DOUBLE AS k', undefined, [{ name: 'k', kind: 'int32' }]))
      .rejects.toThrow(/column k is DOUBLE, expected INTEGER/);
  });

  it('reads every row when two reads share a connection at once', async () => {
    // readColumns streams its result, and DuckDB ends a stream early, without an error, when the
    // connection starts another query: the second read must wait for the first.
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    const key: ColumnSpec[] = [{ name: 'x', kind: 'int64' }];
    const [long, short] = await Promise.all([
      readColumns(con, 'SELECT range AS x FROM range(100000)', undefined, key),
      readColumns(con, 'SELECT range AS x FROM range(10)', undefined, key),
    ]);
    expect(long.rowCount).toBe(100_000);
    expect((long.columns.x as BigInt64Array)[99_999]).toBe(99_999n);
    expect(short.rowCount).toBe(10);
  });

  it('goes on reading after a read that failed', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    const key: ColumnSpec[] = [{ name: 'x', kind: 'int64' }];
    const failed = readColumns(con, 'SELECT * FROM no_such_table', undefined, key);
    const next = readColumns(con, 'SELECT 7::BIGINT AS x', undefined, key);
    await expect(failed).rejects.toThrow(/no_such_table/);
    expect((await next).columns.x).toEqual(BigInt64Array.of(7n));
  });
});
