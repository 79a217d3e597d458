// The store path and the store's settings at the CLI boundary: a file that is not a store is
// refused before DuckDB sees it, a damaged store and a bad memory limit are environment faults
// (exit 6) naming the store or the setting, never "internal error".
import { mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureEffects } from '../../src/cli/effects.js';
import { main } from '../../src/cli/index.js';
import { runCli, tempDir } from '../helpers.js';

const POLICY = join(import.meta.dirname, '..', '..', 'samples', 'tariffs', 'GD-RES.yaml');

/** A store holding GD-RES, and a copy of its bytes (so each test can damage its own copy). */
async function storeWithPolicy(dir: string): Promise<string> {
  const db = join(dir, 'store.duckdb');
  const load = await runCli(['tariff', 'load', POLICY], db);
  expect(load.code, load.err).toBe(0);
  return db;
}

describe('--db naming a file that is not a store', () => {
  it('refuses a CSV file with exit 2 naming it, and leaves the file as it was', async () => {
    const dir = tempDir();
    const csv = join(dir, 'customers.csv');
    writeFileSync(csv, 'account_id,name\nA1,Li\n');
    const result = await runCli(['tariff', 'load', POLICY], csv);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`${csv} is not a billrun store (a DuckDB database file) but a text file`);
    expect(result.out).toBe('');
    expect(readFileSync(csv, 'utf8')).toBe('account_id,name\nA1,Li\n');
  });

  it('refuses a Parquet file, saying what it is', async () => {
    const dir = tempDir();
    const parquet = join(dir, 'reads.parquet');
    writeFileSync(parquet, Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64), Buffer.from('PAR1')]));
    const result = await runCli(['tariff', 'list'], parquet);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`${parquet} is not a billrun store (a DuckDB database file) but a Parquet file`);
  });

  it('refuses an empty path and DuckDB\'s in-memory names with exit 2: nothing would be saved', async () => {
    for (const db of ['', ':memory:', ':memory:billing']) {
      const effects = captureEffects({});
      const code = await main(['--db', db, 'tariff', 'load', POLICY], effects);
      expect([code, effects.out], db).toEqual([2, '']);
      expect(effects.err).toBe(`billrun: --db and BILLRUN_DB take the path of a store file, not '${db}' (DuckDB would keep that store in ` +
        'memory or elsewhere, and nothing would be saved)\n');
    }
    const fromEnv = captureEffects({ BILLRUN_DB: '' });
    expect(await main(['tariff', 'list'], fromEnv)).toBe(2);
    expect(fromEnv.err).toContain("take the path of a store file, not ''");
  });

  it('opens a new path as a new store, and the store again afterwards', async () => {
    const dir = tempDir();
    const db = await storeWithPolicy(dir);
    const list = await runCli(['tariff', 'list'], db);
    expect(list.code, list.err).toBe(0);
    expect(list.out).toContain('GD-RES');
  });
});

describe('a damaged store', () => {
  const cases: [string, (db: string) => void, RegExp][] = [
    ['truncated to half', (db) => truncateSync(db, Math.floor(statSync(db).size / 2 / 4096) * 4096), /is damaged and cannot be read \(Could not read enough bytes/],
    ['with a corrupted block', (db) => {
      // The block after the header blocks holds the catalog: every command reads it.
      const bytes = readFileSync(db);
      bytes.fill(0x5a, 12288 + 100, 12288 + 200);
      writeFileSync(db, bytes);
    }, /is damaged and cannot be read \(Corrupt database file: computed checksum/],
    ['with a header that is not DuckDB\'s', (db) => {
      const bytes = readFileSync(db);
      bytes.fill(0x5a, 4096, 4200);
      writeFileSync(db, bytes);
    }, /is damaged and cannot be read/],
    ['of zero bytes', (db) => truncateSync(db, 0), /is empty \(0 bytes\)/],
  ];
  for (const [name, damage, message] of cases) {
    it(`${name}: exit 6 naming the store`, async () => {
      const db = await storeWithPolicy(tempDir());
      damage(db);
      const result = await runCli(['tariff', 'list'], db);
      expect(result.err).toMatch(message);
      expect(result.err).toContain(`the store ${db} `);
      expect(result.err).not.toContain('internal error');
      expect(result.code).toBe(6);
    });
  }

  it('a folder given as the store: exit 6 naming it', async () => {
    const dir = join(tempDir(), 'store.duckdb');
    mkdirSync(dir);
    const result = await runCli(['tariff', 'list'], dir);
    expect(result.code).toBe(6);
    expect(result.err).toContain(`the store ${dir} is a folder, not a store file`);
  });
});

describe('a store path that cannot be opened', () => {
  it('through a file: exit 6 naming the store; a folder that is not there: exit 2', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plain-file'), 'not a folder\n');
    const blocked = join(dir, 'plain-file', 'store.duckdb');
    const result = await runCli(['tariff', 'list'], blocked);
    expect([result.code, result.err]).toEqual([6, `billrun: cannot open the store ${blocked}: Not a directory\n`]);
    const missing = join(dir, 'no-such-folder', 'store.duckdb');
    const typo = await runCli(['tariff', 'list'], missing);
    expect([typo.code, typo.err]).toEqual([2, `billrun: cannot open the store ${missing}: No such file or directory\n`]);
  });
});

describe('the memory limit setting', () => {
  it('--memory-limit lots: exit 6 naming the option and the accepted form, before the store is made', async () => {
    const dir = tempDir();
    const db = join(dir, 'store.duckdb');
    const result = await runCli(['--memory-limit', 'lots', 'tariff', 'load', POLICY], db);
    expect(result.code).toBe(6);
    expect(result.err).toBe("billrun: --memory-limit must be a size such as 4GB or 512MB (a number above 0 and KB, MB, GB, TB, KiB, MiB, GiB or TiB), not 'lots'\n");
    expect(statSync(db, { throwIfNoEntry: false })).toBeUndefined();
  });

  it('BILLRUN_MEMORY_LIMIT=lots: exit 6 naming the variable', async () => {
    const effects = captureEffects({ BILLRUN_MEMORY_LIMIT: 'lots' });
    const code = await main(['--db', join(tempDir(), 'store.duckdb'), 'tariff', 'list'], effects);
    expect(code).toBe(6);
    expect(effects.err).toContain("BILLRUN_MEMORY_LIMIT must be a size such as 4GB or 512MB");
    expect(effects.err).toContain("not 'lots'");
  });

  it('a limit the work does not fit in: exit 6 naming the limit and what to change, for a new store and an existing one', async () => {
    const dir = tempDir();
    const fresh = await runCli(['--memory-limit', '1KB', 'tariff', 'load', POLICY], join(dir, 'new.duckdb'));
    const db = await storeWithPolicy(dir);
    const existing = await runCli(['--memory-limit', '1KB', 'tariff', 'list'], db);
    for (const result of [fresh, existing]) {
      expect(result.code, result.err).toBe(6);
      expect(result.err).toMatch(/^billrun: DuckDB ran out of memory under its limit of 1KB \(.+\): raise --memory-limit \(or BILLRUN_MEMORY_LIMIT\); a bill run can also use fewer --workers\n$/);
    }
    // The store is as it was: the same command with room works; the store the first one began is gone.
    expect((await runCli(['tariff', 'list'], db)).out).toContain('GD-RES');
    expect(readdirSync(dir).filter((f) => f.startsWith('new.duckdb'))).toEqual([]);
  });

  it('takes the forms DuckDB takes, and the option over the variable', async () => {
    for (const size of ['4GB', '512MB', '1.5GiB', '2 gb']) {
      const effects = captureEffects({ BILLRUN_MEMORY_LIMIT: 'lots' });
      const code = await main(['--db', join(tempDir(), 'store.duckdb'), '--memory-limit', size, 'tariff', 'list'], effects);
      expect(code, `${size}: ${effects.err}`).toBe(0);
    }
    for (const size of ['0GB', '4', '80%', '-1GB']) {
      const result = await runCli(['--memory-limit', size, 'tariff', 'list'], join(tempDir(), 'store.duckdb'));
      expect(result.code, size).toBe(6);
    }
  });
});
