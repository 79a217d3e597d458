// Atomic, durable output files: the data is on disk before the rename, the rename is on disk
// after it, and leftovers of dead writers go. fsync is observed through a wrapped node:fs, since
// a power loss cannot be staged in a test.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from '../helpers.js';

const events: string[] = [];
const openPaths = new Map<number, string>();

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return {
    ...actual,
    openSync: (path: fs.PathLike, ...rest: unknown[]) => {
      const fd = (actual.openSync as (...args: unknown[]) => number)(path, ...rest);
      openPaths.set(fd, String(path));
      return fd;
    },
    fsyncSync: (fd: number) => {
      events.push(`fsync ${openPaths.get(fd)}`);
      actual.fsyncSync(fd);
    },
    renameSync: (from: fs.PathLike, to: fs.PathLike) => {
      events.push(`rename ${String(from)} -> ${String(to)}`);
      actual.renameSync(from, to);
    },
  };
});

const { writeFileAtomic } = await import('../../src/store/files.js');

describe('writeFileAtomic', () => {
  it('syncs the file before the rename and its folder after it', () => {
    const dir = tempDir();
    const target = join(dir, 'manifest.json');
    const temp = `${target}.${process.pid}.tmp`;
    events.length = 0;
    writeFileAtomic(target, '{"total": 459.21}\n');
    expect(events).toEqual([`fsync ${temp}`, `rename ${temp} -> ${target}`, `fsync ${dir}`]);
    expect(fs.readFileSync(target, 'utf8')).toBe('{"total": 459.21}\n');
    expect(fs.existsSync(temp)).toBe(false);
  });
});
