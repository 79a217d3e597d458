// Diagnostics shared by every stage: exit codes, the one fatal error type, and the messages a
// user sees. Three tiers (house style): data problems are values (counted, written to rejects
// files); fatal problems throw `FatalError` with an exit code and are printed in one line by the
// CLI; anything else is a bug and shows its stack only under --debug.

import { existsSync, statSync } from 'node:fs';

/** Exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  /** A bug: an unexpected exception (stack with --debug). */
  internal: 1,
  /** Bad usage or unusable input: missing file, unknown column, bad option. Nothing changed. */
  usage: 2,
  /** Finished, but some rows were rejected or some accounts could not be billed. */
  dataErrors: 3,
  /** The store is in use by another billrun process. */
  busy: 4,
  /** Refused to protect billed data (already billed without --rebill, tariff change to a billed period, illegal review transition). */
  refused: 5,
  /**
   * The environment failed, not the input or the code: the store cannot be opened or is damaged,
   * an output or rejects folder cannot be written, a setting (option or variable) is invalid. The
   * message names the path or the setting; nothing was changed.
   */
  environment: 6,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Where a problem is: a file, a 1-based line, a column or a path inside a document. */
export interface Location {
  file?: string;
  line?: number;
  column?: string;
}

export function formatLocation(at: Location): string {
  const parts: string[] = [];
  if (at.file) parts.push(at.file);
  if (at.line !== undefined) parts.push(`line ${at.line}`);
  if (at.column) parts.push(`column ${at.column}`);
  return parts.join(': ');
}

/** A fatal, expected problem: the CLI prints `message` (no stack) and exits with `exitCode`. */
export class FatalError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.usage,
  ) {
    super(message);
    this.name = 'FatalError';
  }

  static at(at: Location, message: string, exitCode: ExitCode = EXIT.usage): FatalError {
    const where = formatLocation(at);
    return new FatalError(where ? `${where}: ${message}` : message, exitCode);
  }
}

/** An input file the user named must exist and be a file; anything else is one clear message. */
export function assertReadable(path: string): void {
  if (!existsSync(path)) throw FatalError.at({ file: path }, 'no such file');
  if (!statSync(path).isFile()) throw FatalError.at({ file: path }, 'not a file');
}

/**
 * A function that runs one stage of a job and adds its wall time to `timings[stage]`, so the
 * manifests and `--json` summaries say where a run's time went.
 */
export function stageTimer(timings: Record<string, number>): <T>(stage: string, work: () => Promise<T>) => Promise<T> {
  return async (stage, work) => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      timings[stage] = (timings[stage] ?? 0) + performance.now() - t0;
    }
  };
}
