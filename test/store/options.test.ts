import { totalmem } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLimit, openStore } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';

describe('DuckDB memory limit', () => {
  it('takes the flag, else the environment, else 40% of RAM', () => {
    expect(memoryLimit('2GB', { BILLRUN_MEMORY_LIMIT: '3GB' })).toBe('2GB');
    expect(memoryLimit(undefined, { BILLRUN_MEMORY_LIMIT: '3GB' })).toBe('3GB');
    expect(memoryLimit(undefined, {})).toBe(`${Math.max(1, Math.floor((totalmem() * 0.4) / 2 ** 30))}GB`);
  });

  it('is the limit DuckDB runs with', async () => {
    const store = await openStore(join(tempDir(), 'limit.duckdb'), { memoryLimit: '1GB' });
    const [row] = await store.rows(`SELECT current_setting('memory_limit') AS limit`);
    store.close();
    // DuckDB reports the limit in its own units: 1GB is 953.6 MiB.
    expect(String(row!.limit)).toBe('953.6 MiB');
  });
});
