// The billrun command line: `createCli(effects)` builds the commander program, one file per
// command in ./commands; `main` runs it and is the one place errors turn into messages and exit
// codes (FatalError → its message and code; anything else is a bug, with a stack under --debug).
// Everything printed passes through the context's terminal-safe effects (control characters from
// data become spaces).
import { Command, CommanderError } from 'commander';
import { EXIT, FatalError } from '../diagnostics/index.js';
import { createContext, type CommandContext } from './context.js';
import type { Effects } from './effects.js';
import { billCommand } from './commands/bill.js';
import { demoCommand } from './commands/demo.js';
import { evaluateCommand } from './commands/evaluate.js';
import { explainCommand } from './commands/explain.js';
import { generateCommand } from './commands/generate.js';
import { loadCommand } from './commands/load.js';
import { reviewCommand } from './commands/review.js';
import { serveCommand } from './commands/serve.js';
import { statementsCommand } from './commands/statements.js';
import { tariffCommand } from './commands/tariff.js';
import { usersCommand } from './commands/users.js';

export { VERSION } from './version.js';
import { VERSION } from './version.js';

export function createCli(processEffects: Effects, ctx: CommandContext = createContext(processEffects)): Command {
  const { effects } = ctx;
  const program = new Command('billrun')
    .description('Billing-run anomaly review for electric and gas utilities')
    .version(VERSION)
    .option('--db <path>', 'store file (default: $BILLRUN_DB or ./billrun.duckdb)')
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 4GB (default: $BILLRUN_MEMORY_LIMIT, else 40% of RAM up to 3 GiB)')
    .option('--debug', 'show stack traces for unexpected errors')
    .option('--quiet', 'no progress output')
    .showHelpAfterError()
    .configureOutput({
      writeOut: (text) => effects.stdout(text),
      writeErr: (text) => effects.stderr(text),
    });
  program.addCommand(generateCommand(ctx));
  program.addCommand(loadCommand(ctx));
  program.addCommand(billCommand(ctx));
  program.addCommand(tariffCommand(ctx));
  program.addCommand(reviewCommand(ctx));
  program.addCommand(statementsCommand(ctx));
  program.addCommand(explainCommand(ctx));
  program.addCommand(evaluateCommand(ctx));
  program.addCommand(serveCommand(ctx));
  program.addCommand(usersCommand(ctx));
  program.addCommand(demoCommand(ctx, async (argv) => {
    const step = createCli(processEffects, ctx);
    exitOverrideDeep(step);
    await step.parseAsync(argv, { from: 'user' });
  }));
  return program;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: string[], effects: Effects): Promise<number> {
  const ctx = createContext(effects);
  const program = createCli(effects, ctx);
  // Messages carry arguments and data: they go out through the context's terminal-safe effects.
  const { stderr } = ctx.effects;
  exitOverrideDeep(program);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof FatalError) {
      stderr(`billrun: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    stderr(`billrun: internal error: ${message}\n`);
    if (debug && error instanceof Error && error.stack) stderr(`${error.stack}\n`);
    else stderr('(run again with --debug for the stack trace)\n');
    return EXIT.internal;
  }
}

function exitOverrideDeep(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) exitOverrideDeep(sub);
}
