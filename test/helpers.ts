// Shared test plumbing: temporary directories and running the CLI in-process with captured output.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { captureEffects } from '../src/cli/effects.js';
import { main } from '../src/cli/index.js';

const made: string[] = [];

/** A fresh directory removed after the test. */
export function tempDir(prefix = 'billrun-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

afterEach(() => {
  while (made.length) rmSync(made.pop()!, { recursive: true, force: true });
});

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `billrun ...args` in-process against the store `db`. */
/** Runs the CLI silently; `now` is the clock (loads reject reads dated after it). */
export async function runCli(args: string[], db?: string, now?: Date): Promise<CliResult> {
  const effects = captureEffects({});
  if (now) effects.now = () => now;
  const code = await main(db ? ['--db', db, '--quiet', ...args] : args, effects);
  return { code, out: effects.out, err: effects.err };
}

/** The median of a non-empty list (the mean of the middle two for an even count), worked out in JavaScript. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
