// billrun explain ACCOUNT --period P — why one bill changed, as the agent reads it; and
// billrun explain --period P --out FILE [--format jsonl|csv] — every notable change of a period,
// one line per bill, for the CRM and the customer app.
import { extname } from 'node:path';
import { Command } from 'commander';
import { ACCOUNT_ID_PATTERN } from '../../../schemas/inputs.js';
import type { Explanation } from '../../../schemas/explanation.js';
import { STATEMENT_LOCALES, type StatementLocale } from '../../../schemas/utility.js';
import { loadRules } from '../../anomaly/index.js';
import { isPeriod } from '../../calendar/index.js';
import { FatalError } from '../../diagnostics/index.js';
import { causeLabel, EXPORT_FORMATS, explainBill, explainPeriod, writeExplanations, type ExportFormat } from '../../explain/index.js';
import { assertWritableFile } from '../../store/index.js';
import type { CommandContext } from '../context.js';
import { formatAmount, renderTable } from '../format.js';

interface ExplainCliOptions {
  period?: string;
  out?: string;
  format?: string;
  rules?: string;
  locale: string;
  json?: boolean;
}

export function explainCommand(ctx: CommandContext): Command {
  return new Command('explain')
    .description('why a bill changed against last month or last year: causes in money that add up to the change, with texts for agents and customers')
    .argument('[account]', 'one account: print its explanation')
    .option('--period <YYYY-MM>', 'the billed period')
    .option('--out <file>', 'write every notable change of the period to FILE, one line per bill')
    .option('--format <format>', `format of --out: ${EXPORT_FORMATS.join(' | ')} (default: by the file's extension, else jsonl)`)
    .option('--rules <file>', 'rules file whose `explain` section sets what is notable (default: built-in rules)')
    .option('--locale <locale>', `language of the printed explanation: ${STATEMENT_LOCALES.join(' | ')}`, 'en')
    .option('--json', 'print the explanation as JSON')
    .action(async (account: string | undefined, options: ExplainCliOptions, command: Command) => {
      const period = options.period;
      if (!period || !isPeriod(period)) throw new FatalError(`--period must be YYYY-MM, not '${period ?? ''}'`);
      if (account !== undefined && !ACCOUNT_ID_PATTERN.test(account)) throw new FatalError(`'${account}' is not an account id (1–32 of A–Z a–z 0–9 _ -)`);
      if (!(STATEMENT_LOCALES as readonly string[]).includes(options.locale)) {
        throw new FatalError(`--locale must be one of ${STATEMENT_LOCALES.join(', ')}, not '${options.locale}'`);
      }
      const locale = options.locale as StatementLocale;
      if (account === undefined && !options.out) throw new FatalError('give an ACCOUNT to print its explanation, or --out FILE for every notable change of the period');
      const rules = loadRules(options.rules);
      if (options.out) {
        const out = options.out;
        const format = exportFormat(out, options.format);
        assertWritableFile(out);
        const summary = await ctx.withStore(command, async (store) => {
          const started = performance.now();
          const result = await explainPeriod(store, period, { rules, accountId: account });
          const rows = await writeExplanations(out, result.explanations, format);
          return { ...result, rows, seconds: (performance.now() - started) / 1000 };
        }, { readOnly: true });
        const share = summary.bills === 0 ? 0 : (summary.rows / summary.bills) * 100;
        if (options.json) {
          ctx.print(JSON.stringify({ period, bills: summary.bills, comparable: summary.comparable, explained: summary.rows, file: out, format, seconds: summary.seconds }));
        } else {
          ctx.print(`${period}: ${summary.rows} of ${summary.bills} bills changed notably (${share.toFixed(1)}%; ${summary.comparable} had an earlier bill) → ${out}`);
        }
        return;
      }
      const explanation = await ctx.withStore(command, (store) => explainBill(store, account!, period, rules), { readOnly: true });
      if (!explanation) throw new FatalError(`account ${account} has no bill for ${period}, or no bill last month or last year to compare it with`);
      if (options.json) ctx.print(JSON.stringify(explanation, null, 2));
      else ctx.print(renderExplanation(explanation, locale));
    });
}

function exportFormat(out: string, given: string | undefined): ExportFormat {
  const format = given ?? (extname(out).toLowerCase() === '.csv' ? 'csv' : 'jsonl');
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new FatalError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, not '${format}'`);
  return format as ExportFormat;
}

/** The waterfall as a table, then the agent's script and the customer text, in one locale. */
export function renderExplanation(e: Explanation, locale: StatementLocale): string {
  const rows = [
    { label: `${e.previous.period} (${e.against === 'last_month' ? 'last month' : 'same month last year'})`, amount: formatAmount(e.previous.amountMinor, e.currency) },
    ...e.causes.map((c) => ({ label: `  ${causeLabel(c.kind, locale)}`, amount: signed(c.amountMinor, e.currency) })),
    { label: `${e.period}`, amount: formatAmount(e.current.amountMinor, e.currency) },
  ];
  const table = renderTable(rows, [
    { header: `${e.accountId} ${e.period}${e.notable ? '' : ' (not a notable change)'}`, value: (r) => r.label },
    { header: e.currency, value: (r) => r.amount, align: 'right' },
  ]);
  return [table, '', e.text[locale].agent, '', e.text[locale].customer].join('\n');
}

function signed(amountMinor: number, currency: string): string {
  return `${amountMinor >= 0 ? '+' : ''}${formatAmount(amountMinor, currency)}`;
}
