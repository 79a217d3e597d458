import { totalmem } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultMemoryLimit, memoryLimit, openStore } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';

const GiB = 2 ** 30;

describe('DuckDB memory limit', () => {
  it('takes the flag, else the environment, else the default for this machine', () => {
    expect(memoryLimit('2GB', { BILLRUN_MEMORY_LIMIT: '3GB' })).toBe('2GB');
    expect(memoryLimit(undefined, { BILLRUN_MEMORY_LIMIT: '3GB' })).toBe('3GB');
    expect(memoryLimit(undefined, {})).toBe(defaultMemoryLimit(totalmem()));
  });

  it('defaults to 40% of RAM, at most 3 GiB', () => {
    // 40% of 4 GiB = 1638.4 MiB; of 7 GiB = 2867.2 MiB; of 7.5 GiB = 3072 MiB exactly, the cap.
    expect(defaultMemoryLimit(4 * GiB)).toBe('1638MiB');
    expect(defaultMemoryLimit(7 * GiB)).toBe('2867MiB');
    expect(defaultMemoryLimit(7.5 * GiB)).toBe('3072MiB');
    // Past 7.5 GiB the cap holds: 40% of 8 GiB would be 3276 MiB, of 24 GiB 9830 MiB, of 64 GiB 26214 MiB.
    expect(defaultMemoryLimit(8 * GiB)).toBe('3072MiB');
    expect(defaultMemoryLimit(24 * GiB)).toBe('3072MiB');
    expect(defaultMemoryLimit(64 * GiB)).toBe('3072MiB');
    // A 1 GiB machine: 409.6 MiB.
    expect(defaultMemoryLimit(1 * GiB)).toBe('409MiB');
  });

  it('is the limit DuckDB runs with', async () => {
    const store = await openStore(join(tempDir(), 'limit.duckdb'), { memoryLimit: '1GB' });
    const [row] = await store.rows(`SELECT current_setting('memory_limit') AS limit`);
    store.close();
    // DuckDB reports the limit in its own units: 1GB is 953.6 MiB.
    expect(String(row!.limit)).toBe('953.6 MiB');
  });

  it('reaches DuckDB by default, and DuckDB spills beside the store', async () => {
    const path = join(tempDir(), 'default.duckdb');
    const store = await openStore(path, { memoryLimit: defaultMemoryLimit(24 * GiB) });
    const [row] = await store.rows(`SELECT current_setting('memory_limit') AS limit, current_setting('temp_directory') AS temp`);
    store.close();
    expect(row).toEqual({ limit: '3.0 GiB', temp: `${path}.tmp` });
  });
});
