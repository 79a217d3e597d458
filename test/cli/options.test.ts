// Counts given on the command line are digits, read as written: Number() alone would take '1e3',
// '0x10' and ' 8 ', and a thousand workers ran the process out of heap after seven minutes.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

describe('counts on the command line', () => {
  it('refuses exponents, hex, blanks and more workers than 4 per core', async () => {
    const db = join(tempDir(), 'store.duckdb');
    const most = 4 * availableParallelism();
    const cases: [string[], string][] = [
      [['bill', '--period', '2024-03', '--workers', '1e3'], "--workers must be a whole number of at least 1, not '1e3'"],
      [['bill', '--period', '2024-03', '--batch-size', '0x10'], "--batch-size must be a whole number of at least 1, not '0x10'"],
      [['bill', '--period', '2024-03', '--stage-size', ' 8'], "--stage-size must be a whole number of at least 1, not ' 8'"],
      [['bill', '--period', '2024-03', '--workers', String(most + 1)], `--workers must be at most ${most} on this machine (4 per core), not ${most + 1}`],
      [['statements', '--period', '2024-03', '--out', tempDir(), '--workers', String(most + 1)], `--workers must be at most ${most}`],
      [['review', 'list', '--period', '2024-03', '--limit', '1.0'], "--limit must be a whole number of at least 1, not '1.0'"],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args, db);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.err, args.join(' ')).toContain(message);
    }
  });
});
