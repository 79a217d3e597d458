// billrun generate — deterministic sample data: accounts, readings, tariffs and anomaly labels.
import { Command } from 'commander';
import { GenerateOptions } from '../../../schemas/generate.js';
import { FatalError } from '../../diagnostics/index.js';
import { generateSampleData } from '../../generate/index.js';
import type { CommandContext } from '../context.js';

interface Flags {
  accounts: string;
  months: string;
  start: string;
  seed: string;
  out: string;
  format: string;
  anomalyRate: string;
  regions: string;
  heatWaveSize: string;
  volatility: string;
  noiseMemory: string;
  heatingShare: string;
  intervalAccounts?: string;
  intervalOnlyShare: string;
  json?: boolean;
}

export function generateCommand(ctx: CommandContext): Command {
  return new Command('generate')
    .description('write realistic sample data with labelled anomalies (same seed, same bytes)')
    .option('--accounts <n>', 'number of accounts', '10000')
    .option('--months <n>', 'billing periods from --start', '25')
    .option('--start <YYYY-MM>', 'first billing period', '2024-01')
    .option('--seed <n>', 'random seed', '1')
    .requiredOption('--out <dir>', 'output directory')
    .option('--format <parquet|csv>', 'readings file format', 'parquet')
    .option('--anomaly-rate <r>', 'share of account-periods with an injected anomaly', '0.01')
    .option('--regions <n>', 'number of regions', '5')
    .option('--heat-wave-size <x>', 'relative lift of consumption in the heat-wave region and month', '0.35')
    .option('--volatility <x>', 'scale of every account\'s month-to-month swings (1 = usual)', '1')
    .option('--noise-memory <φ>', 'how much of a month\'s swing carries into the next (0 = independent months, up to 0.95)', '0')
    .option('--heating-share <r>', 'share of homes heated electrically, whose use peaks in winter (0 = none)', '0')
    .option('--interval-accounts <n>', 'commercial accounts with hourly interval data (default 0.1%, 1–200)')
    .option('--interval-only-share <r>', 'share of residential accounts whose smart meters send only hourly intervals, no register reads (demo: 0.02)', '0')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: Flags, command: Command) => {
      const parsed = GenerateOptions.safeParse({
        accounts: Number(flags.accounts), months: Number(flags.months), start: flags.start, seed: Number(flags.seed),
        out: flags.out, format: flags.format, anomalyRate: Number(flags.anomalyRate), regions: Number(flags.regions),
        heatWaveSize: Number(flags.heatWaveSize),
        volatility: Number(flags.volatility),
        noiseMemory: Number(flags.noiseMemory),
        heatingShare: Number(flags.heatingShare),
        intervalAccounts: flags.intervalAccounts === undefined ? undefined : Number(flags.intervalAccounts),
        intervalOnlyShare: Number(flags.intervalOnlyShare),
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new FatalError(`--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${issue.message}`);
      }
      const progress = ctx.progress(command, 'items');
      const summary = await generateSampleData(parsed.data, progress).finally(() => progress.done());
      if (flags.json) return ctx.print(JSON.stringify(summary, null, 2));
      const n = (x: number) => x.toLocaleString('en-US');
      ctx.print(`${flags.out}: ${n(summary.accounts)} accounts, periods ${summary.firstPeriod}..${summary.lastPeriod}, ${n(summary.readings)} readings`);
      ctx.print(`  labelled anomalies: ${n(summary.labelledPeriods)} account-periods (${(100 * summary.labelRate).toFixed(2)}%): ` +
        Object.entries(summary.labels).map(([kind, count]) => `${kind} ${n(count)}`).join(', '));
      const wave = summary.heatWave;
      const change = summary.tariffChange;
      ctx.print(`  heat wave: ${wave ? `region ${wave.region} in ${wave.period} (+${Math.round(100 * wave.size)}%)` : 'none (no summer in the window)'}; ` +
        `tariff change: ${change ? `${change.tariffId} from ${change.effectiveFrom}` : 'none in the window'}`);
    });
}
