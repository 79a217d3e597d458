import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateInTemp, openDuckDB, removeTempDirs, scalar } from './helpers.js';

const OPTIONS = { accounts: 600, months: 14, start: '2024-03', seed: 5, intervalAccounts: 2 } as const;

async function filesOf(dir: string): Promise<Map<string, Buffer>> {
  const names = [...(await readdir(dir)).filter((n) => n !== 'tariffs'), ...(await readdir(path.join(dir, 'tariffs'))).map((n) => `tariffs/${n}`)];
  return new Map(await Promise.all(names.sort().map(async (n) => [n, await readFile(path.join(dir, n))] as const)));
}

afterAll(removeTempDirs);

describe('determinism', () => {
  it('writes identical bytes for the same options, in either format', async () => {
    for (const format of ['parquet', 'csv'] as const) {
      const first = await filesOf((await generateInTemp({ ...OPTIONS, format })).dir);
      const second = await filesOf((await generateInTemp({ ...OPTIONS, format })).dir);
      expect([...first.keys()]).toEqual([
        'accounts.csv', `intervals.${format}`, 'labels.csv', `readings.${format}`, 'tariffs/GD-RES.yaml', 'tariffs/RES-MKT.yaml',
      ]);
      for (const [name, bytes] of first) expect(bytes.equals(second.get(name)!), `${format}: ${name}`).toBe(true);
    }
  });

  it('writes different data for another seed', async () => {
    const first = await filesOf((await generateInTemp(OPTIONS)).dir);
    const other = await filesOf((await generateInTemp({ ...OPTIONS, seed: 6 })).dir);
    for (const name of ['accounts.csv', 'readings.parquet', 'intervals.parquet', 'labels.csv']) {
      expect(first.get(name)!.equals(other.get(name)!), name).toBe(false);
    }
  });

  it('puts the same rows in the parquet and the CSV files', async () => {
    const parquet = (await generateInTemp(OPTIONS)).dir;
    const csv = (await generateInTemp({ ...OPTIONS, format: 'csv' })).dir;
    const db = await openDuckDB();
    for (const name of ['readings', 'intervals']) {
      // Text against text: the CSV must print exactly the values the parquet file holds.
      // $1 the Parquet file, $2 the CSV file.
      const files = [path.join(parquet, `${name}.parquet`), path.join(csv, `${name}.csv`)];
      const fromParquet = 'SELECT COLUMNS(*)::VARCHAR FROM read_parquet($1)';
      const fromCsv = 'SELECT * FROM read_csv($2, header = true, all_varchar = true)';
      const differing = await scalar(db, `SELECT count(*) FROM ((${fromParquet} EXCEPT ALL ${fromCsv}) UNION ALL (${fromCsv} EXCEPT ALL ${fromParquet}))`, files);
      expect(await scalar(db, 'SELECT count(*) FROM read_csv($1, header = true, all_varchar = true)', [files[1]!])).toBeGreaterThan(1000);
      expect(differing, name).toBe(0);
    }
  });
});
