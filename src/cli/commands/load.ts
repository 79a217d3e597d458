// billrun load accounts|readings FILE... — the account master and meter reads into the store.
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { EXIT, formatLocation } from '../../diagnostics/index.js';
import { loadAccounts, loadReadings, type LoadReport } from '../../ingest/index.js';
import { storePath } from '../../store/index.js';
import type { CommandContext } from '../context.js';

export function loadCommand(ctx: CommandContext): Command {
  const load = new Command('load').description('load the account master or meter readings (CSV or Parquet) into the store');
  const addKind = (name: 'accounts' | 'readings', description: string, loader: typeof loadAccounts) => {
    const kind = load
      .command(`${name} <files...>`)
      .description(description)
      .option('--rejects <dir>', 'where to write <file>.rejects.csv (default: rejects/ beside the store)')
      .option('--json', 'print the load report as JSON');
    if (name === 'readings') {
      kind.option('--time-zone <zone>', 'the utility\'s time zone (IANA, e.g. Asia/Shanghai): times with a UTC offset are converted to it, and rejected without it (default: $BILLRUN_TIME_ZONE)');
    }
    kind.action(async (files: string[], options: { rejects?: string; json?: boolean; timeZone?: string }, command: Command) => {
      const rejectsDir = options.rejects ?? join(dirname(storePath(ctx.globals(command).db, ctx.effects.env)), 'rejects');
      const timeZone = name === 'readings' ? options.timeZone ?? ctx.effects.env.BILLRUN_TIME_ZONE : undefined;
      const reports = await ctx.withStore(command, (store) => loader(store, files, { rejectsDir, now: ctx.effects.now(), timeZone }));
      if (options.json) ctx.print(JSON.stringify(reports, null, 2));
      else reports.forEach((report) => printReport(ctx, report));
      if (reports.some((r) => r.rejected > 0)) ctx.finishWith(EXIT.dataErrors);
    });
  };
  addKind('accounts', 'load the account master (accounts are added or updated by account_id)', loadAccounts);
  addKind('readings', 'load register readings or interval readings (told apart by their columns)', loadReadings);
  return load;
}

function printReport(ctx: CommandContext, report: LoadReport): void {
  const n = (x: number) => x.toLocaleString('en-US');
  ctx.print(`${report.file} (${report.kind}): read ${n(report.rowsRead)} = loaded ${n(report.loaded)} + already stored ${n(report.unchanged)} + rejected ${n(report.rejected)}`);
  for (const reject of report.sample) {
    // One line per reject: a broken record's text can span lines of the file.
    const text = reject.value.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
    const value = text === '' ? '' : ` '${text.length > 40 ? `${text.slice(0, 40)}…` : text}'`;
    ctx.note(`  ${formatLocation({ file: report.file, line: reject.line, column: reject.column })}:${value} ${reject.reason}`);
  }
  if (report.rejectsFile) ctx.note(`  all ${n(report.rejected)} rejected rows with their reasons: ${report.rejectsFile}`);
  if (report.superseded > 0) {
    ctx.print(`  of the loaded: ${n(report.superseded)} actual reads replaced stored estimates (the estimates are kept in superseded_readings)`);
  }
  if (report.outsideAccountLife > 0) {
    ctx.print(`  of the loaded: ${n(report.outsideAccountLife)} reads dated before their account's start_date or after its end_date`);
  }
  for (const { period, accounts } of report.rebill) {
    const some = accounts.slice(0, 5).join(', ') + (accounts.length > 5 ? ', …' : '');
    ctx.note(`  ${period} was billed from a replaced estimate for ${n(accounts.length)} account${accounts.length === 1 ? '' : 's'} (${some}): billrun bill --period ${period} --rebill`);
  }
}
