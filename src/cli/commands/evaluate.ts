// billrun evaluate --labels FILE --period P | --from P --to Q — how the review flags of billed
// periods compare with labelled anomalies, beside the naive MoM/YoY 30% rule on the same bills.
import { Command, Option } from 'commander';
import { isPeriod, periodRange } from '../../calendar/index.js';
import { FatalError } from '../../diagnostics/index.js';
import { evaluateFlags, type EvaluationReport, type GroupScore, type PeriodScore, type Score } from '../../anomaly/index.js';
import type { CommandContext } from '../context.js';
import { renderTable, type TableColumn } from '../format.js';
import { positiveInt } from './bill.js';

interface EvaluateOptions {
  labels: string;
  period?: string;
  from?: string;
  to?: string;
  top: string;
  json?: boolean;
}

export function evaluateCommand(ctx: CommandContext): Command {
  return new Command('evaluate')
    .description('precision, recall and flag rate of the review flags against labels, beside the naive 30% MoM/YoY rule')
    .requiredOption('--labels <file>', 'labels CSV: account_id, period, kind, must_flag (1 | 0 | ambiguous)')
    .addOption(new Option('--period <YYYY-MM>', 'one billed period').conflicts(['from', 'to']))
    .option('--from <YYYY-MM>', 'first period of the window (with --to)')
    .option('--to <YYYY-MM>', 'last period of the window')
    .option('--top <k>', 'length of each period\'s review list for the top-k precision', '100')
    .option('--json', 'print the report as JSON')
    .action(async (options: EvaluateOptions, command: Command) => {
      const [from, to] = windowOf(options);
      const top = positiveInt(options.top, '--top');
      const report = await ctx.withStore(command, (store) => evaluateFlags(store, { labelsPath: options.labels, from, to, top }), { readOnly: true });
      if (report.window.bills === 0) throw new FatalError(`no bills in ${from}..${to}: bill the periods first (billrun bill)`);
      if (report.window.unmatched_labels > 0) ctx.note(`note: ${report.window.unmatched_labels} labels name accounts this store does not have`);
      if (options.json) ctx.print(JSON.stringify(report, null, 2));
      else printReport(ctx, report);
    });
}

function windowOf(options: EvaluateOptions): [string, string] {
  const from = options.period ?? options.from;
  const to = options.period ?? options.to;
  if (!from || !to) throw new FatalError('give --period YYYY-MM, or --from YYYY-MM and --to YYYY-MM');
  for (const [flag, value] of [['--from', from], ['--to', to]] as const) {
    if (!isPeriod(value)) throw new FatalError(`${options.period ? '--period' : flag} must be YYYY-MM, not '${value}'`);
  }
  if (periodRange(from, to).length === 0) throw new FatalError(`--from ${from} is after --to ${to}`);
  return [from, to];
}

const pct = (x: number | null, digits = 1): string => (x === null ? '–' : `${(100 * x).toFixed(digits)}%`);
const n = (x: number): string => x.toLocaleString('en-US');

function groupScoreColumns<T>(rules: string, score: (row: T) => GroupScore): TableColumn<T>[] {
  return [
    { header: `${rules} flag rate`, value: (row) => pct(score(row).flag_rate, 2), align: 'right' },
    { header: 'precision', value: (row) => pct(score(row).precision), align: 'right' },
    { header: 'recall', value: (row) => pct(score(row).recall), align: 'right' },
  ];
}

function printReport(ctx: CommandContext, r: EvaluationReport): void {
  const w = r.window;
  ctx.print(`${w.from === w.to ? w.from : `${w.from}..${w.to}`}: ${n(w.bills)} bills; ${n(w.must)} must be flagged (${pct(w.anomaly_rate, 2)}; ` +
    `${n(w.persisting)} in months 2–6 of a persisting error), ${n(w.legitimate)} legitimate events, ${n(w.ambiguous)} ambiguous ` +
    `(verdicts from ${w.verdicts === 'must_flag' ? 'must_flag' : w.verdicts === 'kwh' ? 'true/billed kWh' : 'the kinds: every label must'}); ` +
    `rules ${w.rules_versions.join(', ') || '(no flags)'}`);
  ctx.print('');
  const systems: [string, Score][] = [['billrun', r.billrun], [`naive (kWh/day ±${pct(w.naive_change, 0)} MoM or YoY)`, r.naive]];
  ctx.print(renderTable(systems, [
    { header: 'rules', value: ([name]) => name },
    { header: 'flagged', value: ([, s]) => n(s.flagged), align: 'right' },
    { header: 'flag rate', value: ([, s]) => pct(s.flag_rate, 2), align: 'right' },
    { header: '× true', value: ([, s]) => (s.flag_ratio === null ? '–' : `${s.flag_ratio.toFixed(2)}×`), align: 'right' },
    { header: 'precision', value: ([, s]) => pct(s.precision), align: 'right' },
    { header: 'recall', value: ([, s]) => pct(s.recall), align: 'right' },
    { header: 'recall months 2–6', value: ([, s]) => pct(s.recall_persisting), align: 'right' },
    { header: `top-${w.top_k} precision`, value: ([, s]) => pct(s.top_k_precision), align: 'right' },
    { header: 'early warnings', value: ([, s]) => n(s.early_warnings), align: 'right' },
  ]));
  ctx.print('(recall on must-flag bills; precision leaves ambiguous bills out; early warnings: flagged bills whose account must be flagged in one of the next 3 periods, counted as false)');
  ctx.print('');
  ctx.print(renderTable(Object.entries(r.by_kind), [
    { header: 'label kind', value: ([kind]) => kind },
    { header: 'labels', value: ([, k]) => n(k.labels), align: 'right' },
    { header: 'unbilled', value: ([, k]) => n(k.unbilled), align: 'right' },
    { header: 'billrun flagged', value: ([, k]) => pct(k.billrun_flagged), align: 'right' },
    { header: 'months 2–6', value: ([, k]) => pct(k.billrun_persisting), align: 'right' },
    { header: 'naive flagged', value: ([, k]) => pct(k.naive_flagged), align: 'right' },
  ]));
  ctx.print('');
  ctx.print(renderTable(Object.entries(r.by_class), [
    { header: 'class', value: ([c]) => c },
    { header: 'bills', value: ([, c]) => n(c.bills), align: 'right' },
    { header: 'must', value: ([, c]) => n(c.must), align: 'right' },
    ...groupScoreColumns<[string, EvaluationReport['by_class'][string]]>('billrun', ([, c]) => c.billrun),
    { header: 'naive precision', value: ([, c]) => pct(c.naive.precision), align: 'right' },
  ]));
  ctx.print('');
  ctx.print(renderTable(Object.entries(r.by_rule), [
    { header: 'rule', value: ([rule]) => rule },
    { header: 'flagged', value: ([, s]) => n(s.flagged), align: 'right' },
    { header: 'precision', value: ([, s]) => pct(s.precision), align: 'right' },
    { header: 'suppressed', value: ([, s]) => n(s.suppressed), align: 'right' },
    { header: 'early warnings', value: ([, s]) => n(s.early_warnings), align: 'right' },
    { header: 'suppressed on must-flag', value: ([, s]) => n(s.suppressed_must), align: 'right' },
  ]));
  ctx.print('');
  ctx.print(renderTable(r.by_period, [
    { header: 'period', value: (p) => p.period },
    { header: 'bills', value: (p) => n(p.bills), align: 'right' },
    { header: 'must', value: (p) => pct(p.bills > 0 ? p.must / p.bills : null, 2), align: 'right' },
    ...groupScoreColumns<PeriodScore>('billrun', (p) => p.billrun),
    ...groupScoreColumns<PeriodScore>('naive', (p) => p.naive),
  ]));
}
