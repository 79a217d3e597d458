// What every command needs: the effects, global options, and the store opened on demand.
import { Command } from 'commander';
import { EXIT, FatalError, type ExitCode } from '../diagnostics/index.js';
import { findDesk } from '../server/runs.js';
import { damagedStoreError, memoryLimit, openStore, outOfMemoryError, storePath, type Store, type StoreOptions } from '../store/index.js';
import { terminalSafe, type Effects } from './effects.js';
import { createProgress } from './progress.js';

export interface GlobalOptions {
  db?: string;
  memoryLimit?: string;
  debug?: boolean;
  quiet?: boolean;
}

export interface CommandContext {
  /** Output through these is terminal-safe (terminalSafe). */
  effects: Effects;
  /** Global options of the invocation (--db, --debug, --quiet). */
  globals(command: Command): GlobalOptions;
  /** Opens the store named by --db / BILLRUN_DB / the default, creating and migrating it. */
  withStore<T>(command: Command, work: (store: Store) => Promise<T>, options?: StoreOptions): Promise<T>;
  progress(command: Command, unit: string): ReturnType<typeof createProgress>;
  /** Prints a line on stdout. */
  print(line?: string): void;
  /** Prints a line on stderr (notes, warnings, progress). */
  note(line: string): void;
  /** Records that the command finished with problems (the highest code wins). */
  finishWith(code: ExitCode): void;
  /** The exit code recorded so far. */
  readonly exitCode: ExitCode;
  /** Forgets recorded problems (the demo expects the data problems it shows). */
  resetExitCode(): void;
}

export function createContext(processEffects: Effects): CommandContext {
  const effects = terminalSafe(processEffects);
  const globals = (command: Command) => command.optsWithGlobals() as GlobalOptions;
  let exitCode: ExitCode = EXIT.ok;
  return {
    effects,
    globals,
    async withStore(command, work, options) {
      const global = globals(command);
      const path = storePath(global.db, effects.env);
      const limit = memoryLimit(global.memoryLimit, effects.env);
      const store = await openStore(path, { memoryLimit: limit, ...options }).catch((error: unknown) => {
        // The process holding the store may be a review desk: say so, and what goes through it.
        const desk = error instanceof FatalError && error.exitCode === EXIT.busy ? findDesk(path) : null;
        if (!desk) throw error;
        throw new FatalError(`the review desk at ${desk.url} (pid ${desk.pid}) holds the store ${path}: \`billrun bill\` and \`billrun review decide\` ` +
          'go through it; for anything else (loads among them) stop the desk (Ctrl-C where `billrun serve` runs), run the command, and start the desk again', EXIT.busy);
      });
      try {
        return await work(store);
      } catch (error) {
        throw damagedStoreError(store.path, error) ?? outOfMemoryError(limit, error) ?? error;
      } finally {
        store.close();
      }
    },
    progress(command, unit) {
      // The bar redraws itself with control characters of its own; it makes its text safe itself.
      return createProgress(processEffects, { quiet: Boolean(globals(command).quiet), unit });
    },
    print(line = '') {
      effects.stdout(`${line}\n`);
    },
    note(line) {
      effects.stderr(`${line}\n`);
    },
    finishWith(code) {
      if (code > exitCode) exitCode = code;
    },
    get exitCode() {
      return exitCode;
    },
    resetExitCode() {
      exitCode = EXIT.ok;
    },
  };
}
