// billrun statements --period P --out DIR — customer statements for a billed period; and
// billrun statements schema — the JSON statement's JSON Schema.
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { ACCOUNT_ID_PATTERN } from '../../../schemas/inputs.js';
import { STATEMENT_LOCALES, type StatementLocale } from '../../../schemas/utility.js';
import { isPeriod } from '../../calendar/index.js';
import { EXIT, FatalError } from '../../diagnostics/index.js';
import {
  loadUtility, statementJsonSchema, STATEMENT_FORMATS, STATEMENT_LAYOUTS, writeStatements, type StatementFormat, type StatementLayout,
  type StatementsSummary,
} from '../../statements/index.js';
import { assertWritableFolder } from '../../store/index.js';
import type { CommandContext } from '../context.js';
import { formatAmount } from '../format.js';
import { duration } from '../progress.js';
import { VERSION } from '../version.js';
import { positiveInt, workerCount } from './bill.js';

interface StatementsCliOptions {
  period?: string;
  out?: string;
  format: string;
  layout: string;
  account: string[];
  region?: string;
  locale: string;
  includeHeld?: boolean;
  utility?: string;
  workers: string;
  batchSize: string;
  json?: boolean;
}

export function statementsCommand(ctx: CommandContext): Command {
  const statements = new Command('statements')
    .description('write customer statements for a billed period (held bills get none unless --include-held)')
    .option('--period <YYYY-MM>', 'the billed period')
    .option('--out <dir>', 'output directory; statements go to <dir>/<period>/')
    .option('--format <list>', `comma-separated formats: ${STATEMENT_FORMATS.join(', ')}`, 'html')
    .option('--layout <layout>', `${STATEMENT_LAYOUTS.join(' | ')}: one file per account, or one print stream per batch with an index`, 'files')
    .option('--account <id...>', 'only these accounts (repeatable)', [])
    .option('--region <region>', 'only accounts of this region')
    .option('--locale <locale>', `language of the statements: ${STATEMENT_LOCALES.join(' | ')}`, 'en')
    .option('--include-held', 'also render held bills, as drafts under <period>/drafts/ (never to be sent)')
    .option('--utility <file>', 'utility name, contact and payment terms (YAML; default: samples/utility.yaml)')
    .option('--workers <n>', 'worker threads rendering and writing', String(Math.max(1, availableParallelism())))
    .option('--batch-size <n>', 'accounts per batch', '25000')
    .option('--json', 'print the run summary as JSON')
    .action(async (options: StatementsCliOptions, command: Command) => {
      if (!options.period || !isPeriod(options.period)) throw new FatalError(`--period must be YYYY-MM, not '${options.period ?? ''}'`);
      if (!options.out) throw new FatalError('--out <dir> is required: the directory the statements go to');
      const formats = parseFormats(options.format);
      if (!(STATEMENT_LAYOUTS as readonly string[]).includes(options.layout)) {
        throw new FatalError(`--layout must be one of ${STATEMENT_LAYOUTS.join(', ')}, not '${options.layout}'`);
      }
      if (!(STATEMENT_LOCALES as readonly string[]).includes(options.locale)) {
        throw new FatalError(`--locale must be one of ${STATEMENT_LOCALES.join(', ')}, not '${options.locale}'`);
      }
      const bad = options.account.find((id) => !ACCOUNT_ID_PATTERN.test(id));
      if (bad !== undefined) throw new FatalError(`--account '${bad}' is not an account id (1–32 of A–Z a–z 0–9 _ -)`);
      const workers = workerCount(options.workers);
      const batchSize = positiveInt(options.batchSize, '--batch-size');
      const utility = loadUtility(options.utility);
      assertWritableFolder(options.out);
      const progress = ctx.progress(command, 'statements');
      const summary = await ctx.withStore(command, async (store) => {
        try {
          return await writeStatements(store, {
            period: options.period!, outDir: options.out!, formats, layout: options.layout as StatementLayout, locale: options.locale as StatementLocale,
            accounts: [...new Set(options.account)], region: options.region ?? null, includeHeld: Boolean(options.includeHeld),
            utility, workers, batchSize, softwareVersion: VERSION, onProgress: progress,
          });
        } finally {
          progress.done();
        }
      }, { readOnly: true, threads: workers });
      if (options.json) ctx.print(JSON.stringify(summary, null, 2));
      else printSummary(ctx, summary);
      if (summary.rejected.length > 0 || summary.missingAccounts.length > 0) ctx.finishWith(EXIT.dataErrors);
    });

  statements.command('schema')
    .description('print the JSON Schema of the JSON statement (for e-bill channels)')
    .action(() => ctx.print(JSON.stringify(statementJsonSchema(), null, 2)));
  return statements;
}

function parseFormats(text: string): StatementFormat[] {
  const formats = [...new Set(text.split(',').map((f) => f.trim()).filter(Boolean))];
  const unknown = formats.find((f) => !(STATEMENT_FORMATS as readonly string[]).includes(f));
  if (unknown !== undefined || formats.length === 0) {
    throw new FatalError(`--format takes a comma-separated list of ${STATEMENT_FORMATS.join(', ')}, not '${text}'`);
  }
  return formats as StatementFormat[];
}

function printSummary(ctx: CommandContext, s: StatementsSummary): void {
  const n = (x: number) => x.toLocaleString('en-US');
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  const held = s.heldSkipped > 0 ? ` + ${n(s.heldSkipped)} held for review (no statement)` : '';
  const rejected = s.rejected.length > 0 ? ` + ${n(s.rejected.length)} rejected` : '';
  ctx.print(`${s.period}: ${n(s.bills)} bills = ${n(s.statements - s.drafts)} statements${s.drafts ? ` + ${n(s.drafts)} drafts` : ''}${held}${rejected}`);
  if (s.layout === 'stream') {
    ctx.print(`  streams: ${n(s.files.written)} written, each with an index (${mb(s.files.bytes)} of statements)`);
  } else {
    ctx.print(`  files: ${n(s.files.written)} written, ${n(s.files.unchanged)} unchanged, ${n(s.files.withdrawn)} withdrawn (${mb(s.files.bytes)})`);
  }
  for (const a of s.amounts) ctx.print(`  total ${formatAmount(a.amountMinor, a.currency)} ${a.currency} over ${n(a.statements)} statements`);
  for (const r of s.rejected.slice(0, 5)) ctx.note(`  ${r.accountId}: ${r.reason}`);
  if (s.outputs.rejects) ctx.note(`  all ${n(s.rejected.length)} rejected accounts with their reasons: ${s.outputs.rejects}`);
  for (const id of s.missingAccounts.slice(0, 5)) ctx.note(`  ${id}: no current bill in ${s.period}`);
  const t = s.timingsMs;
  // Every stage the command waited for, the "why your bill changed" boxes (the period's explanations) included.
  ctx.print(`  took ${duration(((t.stage ?? 0) + (t.explain ?? 0) + (t.batches ?? 0) + (t.finalize ?? 0)) / 1000)} ` +
    `(staging ${duration((t.stage ?? 0) / 1000)}, why-changed boxes ${duration((t.explain ?? 0) / 1000)}, ` +
    `rendering and writing ${duration((t.batches ?? 0) / 1000)} at ${n(s.statementsPerSecond)}/s)`);
  ctx.print(`  outputs: ${s.directory}/ (manifest.json${s.layout === 'stream' ? ', <stream>.index.csv' : ', files.parquet'})`);
}
