// billrun demo — the whole monthly job on sample data, as a billing clerk would run it:
// generate, load, bill every month, list what is held for review, evaluate the flags against the
// generator's labels, write statements and the review report. Each step prints the command it
// runs, so the demo doubles as a walkthrough. Rerunning it reuses what is already there.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { addPeriods } from '../../calendar/index.js';
import { EXIT } from '../../diagnostics/index.js';
import type { CommandContext } from '../context.js';
import { positiveInt } from './bill.js';

/** Runs one billrun command line in this process with the same context. */
export type RunCommand = (argv: string[]) => Promise<void>;

const START = '2024-01';
const SEED = '42';
/** Residential smart meters billed from their interval data alone (issue 16): the demo shows them. */
const INTERVAL_ONLY_SHARE = '0.02';

export function demoCommand(ctx: CommandContext, run: RunCommand): Command {
  return new Command('demo')
    .description('generate sample data and run the whole monthly job on the store (set up once, rerun freely)')
    .option('--accounts <n>', 'accounts to generate', '20000')
    .option('--months <n>', 'months of readings (the last is the month under review)', '25')
    .option('--dir <dir>', 'where the sample data and outputs go', 'demo')
    .action(async (options: { accounts: string; months: string; dir: string }, command: Command) => {
      // Each step is a fresh command line, so the global options travel with it.
      const globals = ctx.globals(command);
      const prefix = [...(globals.db ? ['--db', globals.db] : []), ...(globals.memoryLimit ? ['--memory-limit', globals.memoryLimit] : []),
        ...(globals.quiet ? ['--quiet'] : [])];
      const months = positiveInt(options.months, '--months');
      positiveInt(options.accounts, '--accounts');
      const data = join(options.dir, 'data');
      const last = addPeriods(START, months - 1);
      const step = async (title: string, argv: string[]) => {
        ctx.print(`\n== ${title}\n$ billrun ${argv.join(' ')}`);
        await run([...prefix, ...argv]);
      };
      if (!existsSync(join(data, 'labels.csv'))) {
        await step('Generate sample data', ['generate', '--accounts', options.accounts, '--months', String(months), '--start', START, '--seed', SEED,
          '--interval-only-share', INTERVAL_ONLY_SHARE, '--out', data]);
      } else {
        ctx.print(`\n== Sample data already in ${data} (delete the folder to generate it again)`);
      }
      const files = (pattern: RegExp, dir = data) => readdirSync(dir).filter((f) => pattern.test(f)).sort().map((f) => join(dir, f));
      await step('Load the price policies', ['tariff', 'load', ...files(/\.ya?ml$/, join(data, 'tariffs'))]);
      await step('Load the account master', ['load', 'accounts', join(data, 'accounts.csv')]);
      await step('Load the meter readings', ['load', 'readings', ...files(/^(readings|intervals)\.(parquet|csv)$/)]);
      await step('Bill every month (history first, then the month under review)', ['bill', '--from', START, '--to', last, '--out', join(options.dir, 'out')]);
      await step(`Bills held for second review in ${last}, highest stake first`, ['review', 'list', '--period', last, '--limit', '15']);
      await step('How good the flags are, against the generator\'s labels', ['evaluate', '--labels', join(data, 'labels.csv'), '--period', last]);
      await step('Customer statements', ['statements', '--period', last, '--out', join(options.dir, 'statements')]);
      await step('Review report for reviewers and managers', ['review', 'report', '--period', last, '--out', join(options.dir, 'review-report.html')]);
      // Sample data carries anomalies and unbillable accounts on purpose: they are the demo's point.
      if (ctx.exitCode === EXIT.dataErrors) ctx.resetExitCode();
      ctx.print(`\nDone. Statements: ${join(options.dir, 'statements', last)}/  Review report: ${join(options.dir, 'review-report.html')}`);
      ctx.print(`Next: billrun review show ACCOUNT --period ${last}   (an account from the list above)`);
    });
}
