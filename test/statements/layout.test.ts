// Where statements go: shard sizing, paths that stay inside the output directory, a new period
// that appears whole, files replaced atomically and left alone when identical.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fnv1a, isSafeAccountId, MAX_FILES_PER_DIRECTORY, openPeriodDirectory, publishPeriod, regionDirectory, shardDigitsFor, statementPath,
  writeStatementFile,
} from '../../src/statements/layout.js';
import { tempDir } from '../helpers.js';

describe('statement layout', () => {
  it('sizes shards so a region of any size keeps every directory to a few thousand files', () => {
    for (const bills of [1, 1_000, 50_000, 200_000, 2_000_000, 40_000_000]) {
      const digits = shardDigitsFor(bills);
      expect((bills * 3) / 16 ** digits).toBeLessThanOrEqual(MAX_FILES_PER_DIRECTORY);
      // …and uses no more levels than it needs.
      if (digits > 1) expect((bills * 3) / 16 ** (digits - 1)).toBeGreaterThan(MAX_FILES_PER_DIRECTORY);
    }
    expect(shardDigitsFor(200_000)).toBe(3);
  });

  it('spreads accounts evenly over the shards', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 64_000; i++) {
      const shard = statementPath(`A${String(i).padStart(7, '0')}`, 'R01', 2, false, 'html').split('/')[1]!;
      counts.set(shard, (counts.get(shard) ?? 0) + 1);
    }
    expect(counts.size).toBe(256);
    // 250 expected per shard; a fair hash keeps every shard well within ±30%.
    for (const n of counts.values()) expect(Math.abs(n - 250)).toBeLessThan(75);
  });

  it('makes paths from safe names only: account ids by the input contract, regions by their hash otherwise', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(statementPath('A0000001', 'R01', 3, false, 'html')).toMatch(/^R01\/[0-9a-f]{2}\/[0-9a-f]\/A0000001\.html$/);
    expect(statementPath('A0000001', 'R01', 4, true, 'json')).toMatch(/^drafts\/R01\/[0-9a-f]{2}\/[0-9a-f]{2}\/A0000001\.json$/);
    for (const region of ['../..', 'a/b', '佛山 南海', '', '.']) expect(regionDirectory(region)).toMatch(/^region-[0-9a-f]{8}$/);
    expect(regionDirectory('GZ-HZ_2')).toBe('GZ-HZ_2');
    for (const id of ['../x', 'a/b', '', 'x'.repeat(33), 'A 1', '.hidden']) expect(isSafeAccountId(id)).toBe(false);
    expect(isSafeAccountId('RES-TIER_01')).toBe(true);
  });

  it('replaces a file through a temporary one and leaves a file that already holds the bytes alone', () => {
    const dir = tempDir();
    const path = join(dir, 'R01', 'ab', 'A1.html');
    expect(writeStatementFile(path, Buffer.from('one'), false)).toBe('written');
    const first = statSync(path).mtimeMs;
    expect(writeStatementFile(path, Buffer.from('one'), false)).toBe('unchanged');
    expect(statSync(path).mtimeMs).toBe(first);
    // Same size, other bytes: rewritten.
    expect(writeStatementFile(path, Buffer.from('two'), false)).toBe('written');
    expect(readFileSync(path, 'utf8')).toBe('two');
    writeFileSync(path, 'a longer damaged file');
    expect(writeStatementFile(path, Buffer.from('two'), false)).toBe('written');
    expect(readdirSync(join(dir, 'R01', 'ab'))).toEqual(['A1.html']);
  });

  it('writes a new period in a directory of its own that appears whole, and takes over one a crashed run left', () => {
    const out = tempDir();
    const first = openPeriodDirectory(out, '2025-07');
    expect(first).toMatchObject({ root: join(out, `2025-07.${process.pid}.tmp`), target: join(out, '2025-07'), fresh: true });
    writeStatementFile(join(first.root, 'R01', 'a', 'A1.html'), Buffer.from('x'), true);
    expect(existsSync(first.target)).toBe(false);
    publishPeriod(first);
    expect(readFileSync(join(out, '2025-07', 'R01', 'a', 'A1.html'), 'utf8')).toBe('x');
    expect(readdirSync(out)).toEqual(['2025-07']);
    // Written before: updated in place.
    expect(openPeriodDirectory(out, '2025-07')).toEqual({ root: join(out, '2025-07'), target: join(out, '2025-07'), fresh: false });

    // A dead run's directory is taken over (its files are compared, not trusted blindly) …
    const dead = join(out, '2025-08.99999999.tmp');
    mkdirSync(join(dead, 'R01'), { recursive: true });
    const adopted = openPeriodDirectory(out, '2025-08');
    expect(adopted).toMatchObject({ root: join(out, `2025-08.${process.pid}.tmp`), fresh: false });
    expect(existsSync(join(adopted.root, 'R01'))).toBe(true);
    // … a live one's is not.
    mkdirSync(join(out, `2025-09.${process.ppid}.tmp`));
    expect(() => openPeriodDirectory(out, '2025-09')).toThrow(/another run \(pid \d+\) is writing the 2025-09 statements/);
  });
});
