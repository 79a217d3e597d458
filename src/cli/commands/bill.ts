// billrun bill --period P | --from P --to Q — the monthly batch (or a backfill of several months).
import { join, dirname, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import { billPeriod, DEFAULT_BATCH_SIZE, DEFAULT_STAGE_SIZE, defaultWorkers, type RunSummary } from '../../billing/index.js';
import { isPeriod, periodRange } from '../../calendar/index.js';
import { EXIT, FatalError } from '../../diagnostics/index.js';
import { findDesk, runThroughDesk, type DeskHandoff, type RunRequest } from '../../server/index.js';
import { assertWritableFolder, storePath } from '../../store/index.js';
import { loadRules } from '../../anomaly/index.js';
import type { CommandContext } from '../context.js';
import { VERSION } from '../version.js';
import { formatAmount } from '../format.js';
import { duration } from '../progress.js';

interface BillOptions {
  period?: string;
  from?: string;
  to?: string;
  workers: string;
  batchSize: string;
  stageSize: string;
  rebill?: boolean;
  out?: string;
  rules?: string;
  json?: boolean;
}

export function billCommand(ctx: CommandContext): Command {
  return new Command('bill')
    .description('bill a period: derive determinants, price every account, flag outliers for review, write outputs')
    .addOption(new Option('--period <YYYY-MM>', 'the period to bill').conflicts(['from', 'to']))
    .option('--from <YYYY-MM>', 'first period of a backfill (with --to)')
    .option('--to <YYYY-MM>', 'last period of a backfill')
    .option('--workers <n>', 'worker threads for pricing (DuckDB gets the same number)', String(defaultWorkers()))
    .option('--batch-size <n>', 'accounts per batch', String(DEFAULT_BATCH_SIZE))
    .option('--stage-size <n>', 'accounts per determinants query (bounds its memory; results do not depend on it)', String(DEFAULT_STAGE_SIZE))
    .option('--rebill', 'bill an already billed period again as a new version (earlier bills are kept)')
    .option('--out <dir>', 'outputs directory (default: out/ beside the store)')
    .option('--rules <file>', 'review rules file (YAML or JSON; default: built-in rules)')
    .option('--json', 'print the run summary as JSON')
    .action(async (options: BillOptions, command: Command) => {
      const periods = periodsOf(options);
      const workers = workerCount(options.workers);
      const batchSize = positiveInt(options.batchSize, '--batch-size');
      const stageSize = positiveInt(options.stageSize, '--stage-size');
      const rules = loadRules(options.rules);
      const db = storePath(ctx.globals(command).db, ctx.effects.env);
      const outDir = options.out ?? join(dirname(db), 'out');
      // The outputs are written after the bills are made current: a folder that cannot take them must stop the run first.
      for (const period of periods) assertWritableFolder(join(outDir, period));
      const summaries: RunSummary[] = [];
      // A running review desk holds the store: the run goes to it and runs beside its reviewers.
      const desk = findDesk(db);
      if (desk) {
        ctx.note(`the review desk at ${desk.url} holds ${db}: the run goes there`);
        summaries.push(...await billThroughDesk(ctx, command, desk, {
          periods, rebill: Boolean(options.rebill), workers, batchSize, stageSize, out: resolve(outDir), rules: options.rules && resolve(options.rules),
        }));
      } else await ctx.withStore(command, async (store) => {
        for (const period of periods) {
          const progress = ctx.progress(command, 'accounts');
          try {
            summaries.push(await billPeriod(store, {
              period, workers, batchSize, stageSize, rebill: Boolean(options.rebill), outDir, rules, softwareVersion: VERSION,
              now: () => ctx.effects.now(), onProgress: progress,
            }));
          } catch (error) {
            // In a backfill an already billed month is skipped, not a reason to stop the range.
            if (periods.length > 1 && error instanceof FatalError && error.exitCode === EXIT.refused) {
              ctx.note(`${period}: already billed, skipped (use --rebill to bill it again)`);
              continue;
            }
            throw error;
          } finally {
            progress.done();
          }
          if (!options.json) printSummary(ctx, summaries.at(-1)!);
        }
      }, { threads: workers });
      if (desk && !options.json) for (const summary of summaries) printSummary(ctx, summary);
      if (options.json) ctx.print(JSON.stringify(periods.length === 1 ? summaries[0] : summaries, null, 2));
      if (summaries.some((s) => s.errored > 0)) ctx.finishWith(EXIT.dataErrors);
    });
}

async function billThroughDesk(ctx: CommandContext, command: Command, desk: DeskHandoff, request: RunRequest): Promise<RunSummary[]> {
  let progress: ReturnType<CommandContext['progress']> | undefined;
  try {
    return await runThroughDesk(desk, request, (event) => {
      if (event.type === 'queued') ctx.note(`waiting for ${event.ahead} run${event.ahead === 1 ? '' : 's'} before this one`);
      if (event.type === 'skipped') ctx.note(`${event.period}: already billed, skipped (use --rebill to bill it again)`);
      if (event.type === 'progress') (progress ??= ctx.progress(command, 'accounts'))(event.done, event.total, event.stage);
    });
  } finally {
    progress?.done();
  }
}

/** The periods of `--period P` or `--from P --to Q`. */
export function periodsOf(options: { period?: string; from?: string; to?: string }): string[] {
  if (options.period) {
    if (!isPeriod(options.period)) throw new FatalError(`--period must be YYYY-MM, not '${options.period}'`);
    return [options.period];
  }
  if (!options.from || !options.to) throw new FatalError('give --period YYYY-MM, or --from YYYY-MM and --to YYYY-MM');
  for (const [flag, value] of [['--from', options.from], ['--to', options.to]] as const) {
    if (!isPeriod(value)) throw new FatalError(`${flag} must be YYYY-MM, not '${value}'`);
  }
  const periods = periodRange(options.from, options.to);
  if (periods.length === 0) throw new FatalError(`--from ${options.from} is after --to ${options.to}`);
  return periods;
}

/** Digits only: Number() would also take '1e3', '0x10' and ' 8 '. */
export function positiveInt(text: string, flag: string): number {
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new FatalError(`${flag} must be a whole number of at least 1, not '${text}'`);
  return n;
}

/**
 * --workers: more threads than a few per core only share the same cores, and each holds its
 * batches in memory (1,000 asked for ran the process out of heap after seven minutes).
 */
export function workerCount(text: string): number {
  const n = positiveInt(text, '--workers');
  const most = 4 * availableParallelism();
  if (n > most) throw new FatalError(`--workers must be at most ${most} on this machine (4 per core), not ${n}`);
  return n;
}

function printSummary(ctx: CommandContext, s: RunSummary): void {
  const n = (x: number) => x.toLocaleString('en-US');
  ctx.print(`${s.period} (run ${s.runId}, version ${s.billVersion}${s.resumed ? ', resumed' : ''}): ` +
    `${n(s.accountsIn)} accounts = ${n(s.billed)} billed + ${n(s.held)} held for review + ${n(s.errored)} errors`);
  for (const a of s.amounts) ctx.print(`  total ${formatAmount(a.amountMinor, a.currency)} ${a.currency} over ${n(a.bills)} bills (${n(s.lineItems)} line items)`);
  ctx.print(`  flagged ${n(s.flagged)} (${(100 * s.flagRate).toFixed(2)}%): billrun review list --period ${s.period}`);
  if (s.errorsByCode.length) {
    ctx.print(`  errors: ${s.errorsByCode.map((e) => `${e.code} ${n(e.accounts)}`).join(', ')} (accounts and reasons: ${s.outputs['errors.csv']})`);
  }
  ctx.print(`  outputs: ${dirname(s.outputs['manifest.json']!)}/`);
  const t = s.timingsMs;
  const total = Object.entries(t).filter(([k]) => ['determinants', 'batches', 'finalize'].includes(k)).reduce((sum, [, v]) => sum + v, 0);
  ctx.print(`  took ${duration(total / 1000)} (determinants ${duration((t.determinants ?? 0) / 1000)}, pricing and writing ${duration((t.batches ?? 0) / 1000)}, ` +
    `outputs ${duration((t.finalize ?? 0) / 1000)}); peak memory ${n(s.peakRssMb)} MB`);
}
