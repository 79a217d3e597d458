// Side effects the CLI performs, passed in so tests run silent and assert on what was printed.
import { terminalText } from '../text/index.js';

export interface Effects {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal: progress bars redraw in place there, plain log lines elsewhere. */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** Clock for elapsed times and audit timestamps. */
  now(): Date;
}

export const processEffects: Effects = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stderr.isTTY),
  env: process.env,
  now: () => new Date(),
};

/**
 * The effects every command prints through: text from data (a customer's name, a file's cell, an
 * argument) reaches the terminal without its control characters, so an escape sequence in a name
 * cannot retitle the window or clear the screen. Applied once, here, so no command can forget it.
 */
export function terminalSafe(effects: Effects): Effects {
  return { ...effects, stdout: (text) => effects.stdout(terminalText(text)), stderr: (text) => effects.stderr(terminalText(text)) };
}

/** Effects that record output, for tests. */
export function captureEffects(env: NodeJS.ProcessEnv = {}): Effects & { out: string; err: string } {
  const captured = {
    out: '',
    err: '',
    isTTY: false,
    env,
    now: () => new Date('2026-01-15T09:00:00Z'),
    stdout(text: string) {
      captured.out += text;
    },
    stderr(text: string) {
      captured.err += text;
    },
  };
  return captured;
}
