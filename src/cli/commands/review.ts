// billrun review list|show|decide|import|export|stats|report — the second review of held bills.
import { Command, Option } from 'commander';
import { readFlagNames } from '../../../schemas/review.js';
import { textBarChart } from '../../charts/index.js';
import { FatalError } from '../../diagnostics/index.js';
import {
  accountReview, decide, EXPORT_COLUMNS, historyScaleMax, levelLines, exportQueue, importDecisions, parseReadCorrection, parseStatuses, REVIEW_ACTIONS, reviewQueue,
  reviewStats, writeReport, type AccountReview, type DecisionRecord, type ImportReport, type ReadCorrection, type ReviewAction,
  type ReviewItem, type ReviewStats,
} from '../../review/index.js';
import { decideThroughDesk, findDesk } from '../../server/index.js';
import { assertWritableFile, storePath } from '../../store/index.js';
import { formatCsv } from '../../text/csv.js';
import type { CommandContext } from '../context.js';
import { formatAmount, renderTable } from '../format.js';
import { positiveInt } from './bill.js';

const WIDTH = 120;
const n = (x: number) => x.toLocaleString('en-US');
const kwh = (wh: number | null) => (wh === null ? '–' : (wh / 1000).toFixed(1));
const milli = (x: number) => (x / 1000).toLocaleString('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 });
/** A ratio as a change: "+35%", or "×12.0" for the large moves misreads make. */
const percent = (ratio: number | null) => {
  if (ratio === null) return '–';
  if (ratio >= 10 || ratio < 0) return `×${ratio.toFixed(1)}`;
  return `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(0)}%`;
};
const compact = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(1)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));

interface ListOptions {
  period: string;
  status: string;
  rule?: string;
  region?: string;
  class?: string;
  minScore?: string;
  limit?: string;
  format: 'table' | 'json' | 'csv';
}

export function reviewCommand(ctx: CommandContext): Command {
  const review = new Command('review').description('second review of held bills: list, show, decide, import, export, stats, report')
    // Subcommands inherit this; a command added to the program does not inherit the program's.
    .configureOutput({ writeOut: (text) => ctx.effects.stdout(text), writeErr: (text) => ctx.effects.stderr(text) });
  /** With --json the result as JSON, for scripts; otherwise as lines for a person. */
  const printResult = <T>(result: T, json: boolean | undefined, lines: (result: T) => string[]): void => {
    if (json) ctx.print(JSON.stringify(result, null, 2));
    else for (const line of lines(result)) ctx.print(line);
  };

  review.command('list')
    .description('the flagged bills of a period, highest score first')
    .requiredOption('--period <YYYY-MM>', 'billing period')
    .option('--status <statuses>', 'open (held, escalated), decided, all, or statuses separated by commas', 'open')
    .option('--rule <id>', 'only bills this rule flagged')
    .option('--region <region>', 'only this region')
    .option('--class <class>', 'only this customer class')
    .option('--min-score <score>', 'only scores at least this')
    .option('--limit <n>', 'at most this many bills')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .action(async (options: ListOptions, command: Command) => {
      const minScore = options.minScore === undefined ? undefined : Number(options.minScore);
      if (minScore !== undefined && !Number.isFinite(minScore)) throw new FatalError(`--min-score must be a number, not '${options.minScore}'`);
      const filter = {
        period: options.period, statuses: parseStatuses(options.status), rule: options.rule, region: options.region,
        customerClass: options.class, minScore, limit: options.limit === undefined ? undefined : positiveInt(options.limit, '--limit'),
      };
      const items = await ctx.withStore(command, (store) => reviewQueue(store, filter, ctx.effects.now()));
      if (options.format === 'json') return ctx.print(JSON.stringify(items.map(listJson), null, 2));
      if (options.format === 'csv') return ctx.effects.stdout(await formatCsv(LIST_CSV, items.map((i) => LIST_CSV.map((c) => csvCell(i, c)))));
      if (items.length === 0) return ctx.print(`no ${options.status} bills in the review queue of ${options.period} match`);
      ctx.print(renderTable(items, [
        { header: 'account', value: (i) => i.account_id },
        { header: 'status', value: (i) => i.status },
        { header: 'score', value: (i) => compact(i.score), align: 'right' },
        { header: 'rules', value: (i) => (i.rules.length > 1 ? `${i.rules[0]} +${i.rules.length - 1}` : i.rules[0] ?? '') },
        { header: 'region', value: (i) => i.region },
        { header: 'kWh/day', value: (i) => kwh(i.kpd), align: 'right' },
        { header: 'vs prev', value: (i) => (i.kpd !== null && i.prev_kpd ? percent(i.kpd / i.prev_kpd) : '–'), align: 'right' },
        { header: 'amount', value: (i) => formatAmount(i.amount_minor, i.currency), align: 'right' },
        { header: 'reason', value: (i) => i.reason, flexible: true },
      ], WIDTH));
      ctx.print(`\n${n(items.length)} bill${items.length === 1 ? '' : 's'}; details: billrun review show ACCOUNT --period ${options.period}`);
    });

  review.command('show <account>')
    .description('why an account was flagged: history, reads, determinants, line items, reasons, peers, decisions')
    .requiredOption('--period <YYYY-MM>', 'billing period')
    .option('--json', 'print as JSON')
    .action(async (accountId: string, options: { period: string; json?: boolean }, command: Command) => {
      const found = await ctx.withStore(command, (store) => accountReview(store, accountId, options.period));
      printResult(found, options.json, showLines);
    });

  review.command('decide <account>')
    .description('decide a held bill: release, correct (re-bill), hold, dismiss (false alarm) or escalate (field check)')
    .requiredOption('--period <YYYY-MM>', 'billing period')
    .addOption(new Option('--action <action>', 'the decision').choices(REVIEW_ACTIONS).makeOptionMandatory())
    .requiredOption('--reviewer <name>', 'who decides')
    .requiredOption('--note <text>', 'why')
    .option('--read <REGISTER=VALUE>', 'correct: the right closing read of a register (repeat for several); without it, an estimate',
      (text: string, all: ReadCorrection[]) => {
        const parsed = parseReadCorrection(text);
        if (typeof parsed === 'string') throw new FatalError(`--read ${parsed}`);
        return [...all, parsed];
      }, [] as ReadCorrection[])
    .option('--json', 'print the decision as JSON')
    .action(async (accountId: string, options: { period: string; action: ReviewAction; reviewer: string; note: string; read: ReadCorrection[]; json?: boolean }, command: Command) => {
      // A running review desk holds the store: the decision goes to it, as `bill` hands it runs.
      const desk = findDesk(storePath(ctx.globals(command).db, ctx.effects.env));
      if (desk) ctx.note(`the review desk at ${desk.url} holds the store: the decision goes there`);
      const record = desk
        ? await decideThroughDesk<DecisionRecord>(desk, {
          account: accountId, period: options.period, action: options.action, reviewer: options.reviewer, note: options.note, reads: options.read,
        })
        : await ctx.withStore(command, (store) => decide(store, {
          accountId, period: options.period, action: options.action, reviewer: options.reviewer, note: options.note, reads: options.read, source: 'cli',
        }, ctx.effects.now()));
      printResult(record, options.json, decisionLines);
    });

  review.command('import <file>')
    .description('decisions from a CSV (account_id, period, action, reviewer, note, reads): all rows or none')
    .option('--dry-run', 'check every row and show what would change, without changing anything')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, options: { dryRun?: boolean; json?: boolean }, command: Command) => {
      const report = await ctx.withStore(command, (store) => importDecisions(store, file, { dryRun: Boolean(options.dryRun), now: ctx.effects.now() }));
      printResult(report, options.json, importLines);
    });

  review.command('export')
    .description('the queue of a period as CSV for a spreadsheet (fill in action, reviewer, note, reads and import it back)')
    .requiredOption('--period <YYYY-MM>', 'billing period')
    .requiredOption('--out <file>', 'CSV file to write')
    .option('--status <statuses>', 'open, decided, all, or statuses separated by commas', 'all')
    .action(async (options: { period: string; out: string; status: string }, command: Command) => {
      assertWritableFile(options.out);
      const rows = await ctx.withStore(command, (store) =>
        exportQueue(store, { period: options.period, statuses: parseStatuses(options.status) }, options.out, ctx.effects.now()));
      ctx.print(`${options.out}: ${n(rows)} bill${rows === 1 ? '' : 's'} (${EXPORT_COLUMNS.length} columns)`);
    });

  review.command('stats')
    .description('per rule: flagged, decided, confirmed, dismissed, hit rate; backlog by age; reviewers; the naive ±30% rule for comparison')
    .requiredOption('--period <YYYY-MM>', 'billing period')
    .option('--json', 'print as JSON')
    .action(async (options: { period: string; json?: boolean }, command: Command) => {
      const stats = await ctx.withStore(command, (store) => reviewStats(store, options.period, ctx.effects.now()));
      printResult(stats, options.json, statsLines);
    });

  review.command('report')
    .description('one self-contained HTML file: summaries, the ranked list with filters and sorting, each account\'s history and reasons')
    .requiredOption('--period <YYYY-MM>', 'billing period')
    .requiredOption('--out <file>', 'HTML file to write')
    .option('--limit <n>', 'accounts listed and detailed (highest scores first)', '1000')
    .action(async (options: { period: string; out: string; limit: string }, command: Command) => {
      const limit = positiveInt(options.limit, '--limit');
      assertWritableFile(options.out);
      const listed = await ctx.withStore(command, (store) => writeReport(store, options.period, options.out, { limit, now: ctx.effects.now() }));
      ctx.print(`${options.out}: review report of ${options.period}, ${n(listed)} account${listed === 1 ? '' : 's'} listed`);
    });

  return review;
}

const LIST_CSV = ['account_id', 'status', 'score', 'rules', 'reason', 'name', 'region', 'customer_class', 'kwh_per_day', 'prev_kwh_per_day',
  'yoy_kwh_per_day', 'amount', 'currency', 'bill_version', 'held_at', 'age_days', 'last_action', 'reviewer', 'decided_at'] as const;

function listJson(i: ReviewItem): Record<string, unknown> {
  return {
    account_id: i.account_id, name: i.name, status: i.status, score: i.score, rules: i.rules, reason: i.reason, region: i.region,
    customer_class: i.customer_class, tariff_id: i.tariff_id, bill_version: i.bill_version, start_date: i.start_date, end_date: i.end_date,
    days: i.days, kwh_per_day: i.kpd === null ? null : i.kpd / 1000, prev_kwh_per_day: i.prev_kpd === null ? null : i.prev_kpd / 1000,
    yoy_kwh_per_day: i.yoy_kpd === null ? null : i.yoy_kpd / 1000, amount_minor: i.amount_minor, currency: i.currency,
    meter_events: readFlagNames(i.read_flags), current_version: i.current_version, current_amount_minor: i.current_amount_minor,
    held_at: i.held_at, age_days: i.age_days, decisions: i.decisions, last_action: i.last_action, reviewer: i.reviewer, note: i.note,
    decided_at: i.decided_at,
  };
}

function csvCell(i: ReviewItem, column: (typeof LIST_CSV)[number]): string | number | null {
  switch (column) {
    case 'rules': return i.rules.join(' ');
    case 'score': return Math.round(i.score);
    case 'kwh_per_day': return kwh(i.kpd);
    case 'prev_kwh_per_day': return kwh(i.prev_kpd);
    case 'yoy_kwh_per_day': return kwh(i.yoy_kpd);
    case 'amount': return formatAmount(i.amount_minor, i.currency).replaceAll(',', '');
    default: return i[column];
  }
}

function showLines(r: AccountReview): string[] {
  const a = r.account;
  const b = r.bill;
  const money = (minor: number) => `${formatAmount(minor, b.currency)} ${b.currency}`;
  const lines = [
    `${a.accountId}  ${a.name} — ${a.address}`,
    `${a.customerClass} · tariff ${a.tariffId} · region ${a.region} · meter ${a.meterId} (×${a.multiplier}, ${a.registerDigits} digits)` +
      `${a.previousMeterId ? ` · replaced ${a.previousMeterId} on ${a.meterExchangedAt}` : ''} · since ${a.startDate}${a.endDate ? ` until ${a.endDate}` : ''}`,
    '',
    `Bill ${r.period} version ${b.billVersion}: ${b.status.toUpperCase()}  score ${n(Math.round(b.score))}`,
    `  service ${b.startDate} to ${b.endDate} (${b.days} days): ${milli(b.kwhMilli)} kWh = ${kwh(b.days > 0 ? b.kwhMilli / b.days : null)} kWh/day` +
      `${b.touKwhMilli ? ` (sharp ${milli(b.touKwhMilli.sharp)}, peak ${milli(b.touKwhMilli.peak)}, flat ${milli(b.touKwhMilli.flat)}, valley ${milli(b.touKwhMilli.valley)})` : ''}` +
      `${b.demandMilli !== null ? `, demand ${milli(b.demandMilli)} kW` : ''}${b.kvarhMilli !== null ? `, ${milli(b.kvarhMilli)} kvarh` : ''}`,
    `  amount ${money(b.amountMinor)} (tariff ${b.tariffId} ${b.tariffVersions})`,
    `  meter events: ${r.meterEvents.length ? r.meterEvents.join(', ') : 'none'}`,
  ];
  const iv = r.intervals;
  if (iv) {
    lines.push(`  intervals (${iv.intervalMinutes} min): ${n(iv.actual)} actual, ${n(iv.estimated)} estimated, ${n(iv.missing)} missing ` +
      `(estimated: ${n(iv.interpolated)} interpolated, ${n(iv.profiled)} from the account's profile, ${n(iv.spikes)} spikes replaced)`);
  }
  if (r.rebill) {
    lines.push(`  corrected: version ${r.rebill.billVersion} is ${r.rebill.status}, ${milli(r.rebill.kwhMilli)} kWh, amount ${money(r.rebill.amountMinor)}`);
  }
  lines.push('', 'Why it was flagged');
  if (r.flags.length === 0) lines.push('  no flags');
  for (const f of r.flags) lines.push(`  ${f.severity.padEnd(6)} ${f.ruleId}${f.suppressed ? ' (suppressed)' : ''}, score ${n(Math.round(f.score))}: ${f.reason}`);
  const p = r.peers;
  lines.push('', `Peers (${p.customerClass}, region ${p.region}, ${n(p.peers)} bills): median kWh/day ${percent(p.mom)} vs last month, ` +
    `${percent(p.yoy)} vs last year; this account ${percent(p.ownMom)} and ${percent(p.ownYoy)}`);

  lines.push('', 'Trusted baseline and level', ...levelLines(r.level, r.account.meterExchangedAt).map((line) => `  ${line}`));

  const scaleMax = historyScaleMax(r.history.filter((h) => !h.reviewed).map((h) => h.kwhPerDay), r.history.at(-1)!.kwhPerDay);
  lines.push('', `kWh per day, ${r.history[0]!.period} to ${r.period} (· = not trusted: estimated, under review, or a level nobody accepted)`);
  lines.push(...textBarChart(r.history.map((h) => ({ label: `${h.period}${h.trusted || h.kwhPerDay === null ? ' ' : '·'}`, value: h.kwhPerDay, highlight: h.reviewed })),
    { width: 48, scaleMax }).map((line) => `  ${line}`));

  lines.push('', 'Reads and determinants');
  lines.push(...indent(renderTable(r.determinants, [
    { header: 'meter', value: (d) => d.meterId },
    { header: 'register', value: (d) => d.register },
    { header: 'opening', value: (d) => milli(d.openValue), align: 'right' },
    { header: 'on', value: (d) => d.openAt.slice(0, 10) },
    { header: 'type', value: (d) => d.openType ?? 'first' },
    { header: 'closing', value: (d) => milli(d.closeValue), align: 'right' },
    { header: 'on', value: (d) => d.closeAt.slice(0, 10) },
    { header: 'type', value: (d) => d.closeType },
    { header: '×', value: (d) => String(d.multiplier), align: 'right' },
    { header: 'quantity', value: (d) => milli(d.quantityMilli), align: 'right' },
  ], WIDTH - 2)));
  const entered = r.reads.filter((x) => x.source.startsWith('review decision'));
  for (const x of entered) lines.push(`  ${x.readAt} ${x.meterId} ${x.register} ${milli(x.valueMilli)} (${x.readType}) entered by ${x.source}`);

  lines.push('', `Line items (version ${b.billVersion})`);
  lines.push(...lineItemLines(r.lineItems, b.currency));
  if (r.rebill) {
    lines.push('', `Line items of the re-bill (version ${r.rebill.billVersion})`);
    lines.push(...lineItemLines(r.rebillLineItems, r.rebill.currency));
  }
  lines.push('', 'Decisions on this account');
  if (r.decisions.length === 0) lines.push('  none yet');
  for (const d of r.decisions) {
    const versions = d.newBillVersion === null ? `v${d.billVersion}` : `v${d.billVersion} → v${d.newBillVersion}`;
    lines.push(`  ${d.decidedAt}  ${d.period} ${versions}  ${d.action}: ${d.fromStatus} → ${d.toStatus} by ${d.reviewer}: "${d.note}"`);
  }
  return lines;
}

function lineItemLines(items: AccountReview['lineItems'], currency: string): string[] {
  return indent(renderTable(items, [
    { header: '#', value: (l) => String(l.seq + 1), align: 'right' },
    { header: 'item', value: (l) => l.label, flexible: true },
    { header: 'quantity', value: (l) => `${milli(l.quantityMilli)} ${l.unit}`, align: 'right' },
    { header: 'rate', value: (l) => l.rate, align: 'right' },
    { header: `amount ${currency}`, value: (l) => formatAmount(l.amountMinor, currency), align: 'right' },
  ], WIDTH - 2));
}

function indent(text: string): string[] {
  return text.split('\n').map((line) => `  ${line}`);
}

function decisionLines(d: DecisionRecord): string[] {
  const lines = [`${d.accountId} ${d.period}: ${d.fromStatus} → ${d.toStatus} by ${d.reviewer} (decision ${d.decisionId})`];
  if (d.correction) {
    const from = d.correction.basis === 'read'
      ? `the corrected ${d.correction.reads.map((r) => `${r.register} reading ${milli(r.valueMilli)} (was ${milli(r.replacesMilli)})`).join(', ')}`
      : `an estimate from the account's baseline (${d.correction.reads.map((r) => `${r.register} ${milli(r.valueMilli)}`).join(', ')})`;
    lines.push(`  re-billed as version ${d.newBillVersion} from ${from}`);
    lines.push(`  ${milli(d.correction.kwhBeforeMilli)} → ${milli(d.correction.kwhAfterMilli)} kWh; ` +
      `amount ${formatAmount(d.amountBeforeMinor, d.currency)} → ${formatAmount(d.amountAfterMinor!, d.currency)} ${d.currency}`);
  }
  return lines;
}

function importLines(r: ImportReport): string[] {
  const lines = r.changes.length === 0 ? [] : renderTable(r.changes, [
    { header: 'line', value: (c) => String(c.line), align: 'right' },
    { header: 'account', value: (c) => c.accountId },
    { header: 'period', value: (c) => c.period },
    { header: 'action', value: (c) => c.action },
    { header: 'status', value: (c) => `${c.fromStatus} → ${c.toStatus}` },
    { header: 'version', value: (c) => (c.newBillVersion === null ? String(c.billVersion) : `${c.billVersion} → ${c.newBillVersion}`) },
    { header: 'amount', value: (c) => formatAmount(c.amountBeforeMinor, c.currency) +
      (c.amountAfterMinor === null ? '' : ` → ${formatAmount(c.amountAfterMinor, c.currency)}`), align: 'right' },
    { header: 'reviewer', value: (c) => c.reviewer, flexible: true },
  ], WIDTH).split('\n');
  const skipped = r.skipped ? `; ${n(r.skipped)} row${r.skipped === 1 ? '' : 's'} without an action skipped` : '';
  lines.push(r.applied
    ? `${r.file}: applied ${n(r.changes.length)} decision${r.changes.length === 1 ? '' : 's'}${skipped}`
    : `${r.file}: dry run — ${n(r.changes.length)} decision${r.changes.length === 1 ? '' : 's'} would apply${skipped}; nothing was changed`);
  return lines;
}

function statsLines(s: ReviewStats): string[] {
  const rate = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(0)}%`);
  const lines = [`Review of ${s.period}: ${n(s.total.flagged)} flagged bills, ${n(s.total.open + s.total.escalated)} still held`, ''];
  lines.push(...renderTable([...s.rules, s.total], [
    { header: 'rule', value: (r) => r.rule },
    { header: 'flagged', value: (r) => n(r.flagged), align: 'right' },
    { header: 'not held', value: (r) => n(r.notHeld), align: 'right' },
    { header: 'open', value: (r) => n(r.open), align: 'right' },
    { header: 'decided', value: (r) => n(r.decided), align: 'right' },
    { header: 'released', value: (r) => n(r.released), align: 'right' },
    { header: 'dismissed', value: (r) => n(r.dismissed), align: 'right' },
    { header: 'corrected', value: (r) => n(r.corrected), align: 'right' },
    { header: 'escalated', value: (r) => n(r.escalated), align: 'right' },
    { header: 'hit rate', value: (r) => rate(r.hitRate), align: 'right' },
  ], WIDTH).split('\n'));
  lines.push('  (a bill flagged by several rules counts under each; hit rate = (corrected + escalated) / decided)', '');
  lines.push('Backlog by age (still held)');
  if (s.backlog.length === 0) lines.push('  none');
  for (const b of s.backlog) lines.push(`  ${b.age.padEnd(13)} ${n(b.bills).padStart(7)}${b.escalated ? ` (${n(b.escalated)} escalated)` : ''}`);
  lines.push('', 'Reviewers');
  if (s.reviewers.length === 0) lines.push('  no decisions yet');
  else {
    lines.push(...indent(renderTable(s.reviewers, [
      { header: 'reviewer', value: (r) => r.reviewer, flexible: true },
      { header: 'decisions', value: (r) => n(r.decisions), align: 'right' },
      ...(['release', 'correct', 'dismiss', 'escalate', 'hold'] as const).map((a) => ({ header: a, value: (r: ReviewStats['reviewers'][number]) => n(r.byAction[a]), align: 'right' as const })),
      { header: 'per day', value: (r) => r.perDay.toFixed(1), align: 'right' },
      { header: 'median hours', value: (r) => (r.medianHours === null ? '–' : r.medianHours.toFixed(1)), align: 'right' },
    ], WIDTH - 2)));
  }
  const v = s.naive;
  const share = (x: number) => (v.bills > 0 ? `${((100 * x) / v.bills).toFixed(1)}%` : '–');
  lines.push('', 'Against the naive rule (kWh/day changed by more than 30% vs last month or the same month last year)');
  lines.push(`  naive rule flags ${n(v.naiveFlagged)} of ${n(v.bills)} bills (${share(v.naiveFlagged)}); the review rules held ${n(v.rulesHeld)} (${share(v.rulesHeld)}), ${n(v.both)} of them flagged by both`);
  lines.push(`  confirmed problems so far: ${n(v.confirmed)}, of which the naive rule flags ${n(v.naiveConfirmed)}`);
  return lines;
}
