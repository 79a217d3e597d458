// What the three benchmarks share: running the built billrun CLI as a clerk would, and starting
// each timed step with nothing left for the disk to write back.
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceDir } from '../src/store/index.js';

export const ROOT = join(sourceDir(import.meta.url), '..');
export const BIN = join(ROOT, 'dist', 'src', 'cli', 'bin.js');

/** Runs `billrun --quiet ARGS`; exit code 3 (some rows or accounts rejected, reported) is not a failure. */
export function billrun(args: string[]): { ms: number; out: string } {
  const t0 = performance.now();
  const result = spawnSync(process.execPath, [BIN, '--quiet', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  if (result.status !== 0 && result.status !== 3) throw new Error(`billrun ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return { ms, out: result.stdout };
}

/** Seconds to write back every dirty page: what a run leaves the disk to do after it returns. */
export function sync(): number {
  const t0 = performance.now();
  spawnSync('sync');
  return (performance.now() - t0) / 1000;
}

/**
 * A fresh copy of a store for one measured run, written back before the run starts: the copy of
 * a 3 GB store otherwise leaves gigabytes of dirty pages that the disk writes back during the run
 * (at 1M × 25 that cost the run 2–6 s).
 */
export function freshCopy(from: string, to: string): void {
  copyFileSync(from, to);
  sync();
}
