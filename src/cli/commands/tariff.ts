// billrun tariff validate|load|list|show|diff|simulate|schema — price policies for tariff admins.
import { Command, Option } from 'commander';
import { stringify as toYaml } from 'yaml';
import { epochDay, isPeriod } from '../../calendar/index.js';
import { EXIT, FatalError } from '../../diagnostics/index.js';
import { assertWritableFile, sha256File, writeFileAtomic } from '../../store/index.js';
import { dayRangeText, diffPolicies, formatProblem, hasErrors, renderImpactHtml, tariffJsonSchema } from '../../tariff/index.js';
import { listPolicies, loadPolicies, readPolicyFiles, storedPolicy, validPolicies } from '../../tariff/registry.js';
import { simulateChange } from '../../tariff/simulate.js';
import type { CommandContext } from '../context.js';
import { renderTable } from '../format.js';
import { periodsOf, positiveInt } from './bill.js';

export function tariffCommand(ctx: CommandContext): Command {
  const tariff = new Command('tariff').description('price policies: validate, load, list, show, diff, simulate');

  tariff.command('validate <files...>')
    .description('check policy files and report every problem with its path in the file')
    .action((files: string[]) => {
      const read = readPolicyFiles(files);
      for (const file of read) {
        if (file.problems.length === 0) ctx.print(`${file.path}: ok (${file.policy!.id}, ${file.policy!.versions.length} version${file.policy!.versions.length === 1 ? '' : 's'})`);
        for (const problem of file.problems) ctx.print(formatProblem(problem));
      }
      if (read.some((f) => hasErrors(f.problems))) ctx.finishWith(EXIT.usage);
    });

  tariff.command('load <files...>')
    .description('validate and store policies as new revisions (a change to billed periods needs --rebill-from)')
    .option('--rebill-from <YYYY-MM>', 'accept a change that reaches periods already billed, from this period on')
    .action(async (files: string[], options: { rebillFrom?: string }, command: Command) => {
      if (options.rebillFrom && !isPeriod(options.rebillFrom)) throw new FatalError(`--rebill-from must be YYYY-MM, not '${options.rebillFrom}'`);
      const read = readPolicyFiles(files);
      validPolicies(read);
      const loads = await ctx.withStore(command, (store) => loadPolicies(store, read, { rebillFrom: options.rebillFrom, now: ctx.effects.now(), sha256: sha256File }));
      for (const load of loads) {
        ctx.print(`${load.tariffId}: ${load.outcome}${load.outcome === 'unchanged' ? '' : ` as revision ${load.revision}`} (${load.file})`);
        if (load.outcome !== 'updated') continue;
        for (const change of load.changes) ctx.print(`  ${change.text}`);
        const reach = load.reach.map(dayRangeText).join(', ');
        if (load.rebill) {
          ctx.print(`  prices differ on ${reach}: billed periods ${load.rebill.from}..${load.rebill.to} (${load.rebill.bills.toLocaleString('en-US')} bills)`);
          ctx.note(`  re-bill the periods this change reaches: billrun bill --rebill --from ${load.rebill.from} --to ${load.rebill.to}`);
        } else {
          ctx.print(reach ? `  prices differ on ${reach}: no billed period reached` : '  no price changes on any day: no billed period reached');
        }
      }
    });

  tariff.command('list')
    .description('the policies in the store')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const rows = await ctx.withStore(command, (store) => listPolicies(store));
      if (options.json) return ctx.print(JSON.stringify(rows, null, 2));
      ctx.print(renderTable(rows, [
        { header: 'tariff', value: (r) => String(r.tariff_id) },
        { header: 'name', value: (r) => String(r.name), flexible: true },
        { header: 'currency', value: (r) => String(r.currency) },
        { header: 'versions', value: (r) => String(r.versions), align: 'right' },
        { header: 'revision', value: (r) => String(r.revision), align: 'right' },
        { header: 'accounts', value: (r) => Number(r.accounts).toLocaleString('en-US'), align: 'right' },
        { header: 'loaded', value: (r) => String(r.loaded_at).slice(0, 19) },
      ]));
    });

  tariff.command('show <id>')
    .description('print a stored policy (or only the version in force on --at)')
    .option('--at <YYYY-MM-DD>', 'the version in force on this date')
    .option('--json', 'print as JSON')
    .action(async (id: string, options: { at?: string; json?: boolean }, command: Command) => {
      const stored = await ctx.withStore(command, (store) => storedPolicy(store, id));
      if (!stored) throw new FatalError(`no tariff '${id}' in the store (billrun tariff list shows what is there)`);
      let shown: unknown = stored.policy;
      if (options.at) {
        if (Number.isNaN(epochDay(options.at))) throw new FatalError(`--at must be a date YYYY-MM-DD, not '${options.at}'`);
        const version = stored.policy.versions.find((v) => v.effective_from <= options.at! && (!v.effective_to || v.effective_to >= options.at!));
        if (!version) throw new FatalError(`tariff ${id} has no version in force on ${options.at}`);
        shown = { id: stored.policy.id, name: stored.policy.name, currency: stored.policy.currency, versions: [version] };
      }
      ctx.print(options.json ? JSON.stringify(shown, null, 2) : `# ${id}, revision ${stored.revision}, loaded ${stored.loadedAt}\n${toYaml(shown)}`);
    });

  tariff.command('diff <file>')
    .description('what a policy file changes against the stored policy, component by component')
    .action(async (file: string, _options: unknown, command: Command) => {
      const [policy] = validPolicies(readPolicyFiles([file]));
      const stored = await ctx.withStore(command, (store) => storedPolicy(store, policy!.id));
      const changes = diffPolicies(stored?.policy ?? null, policy!);
      if (changes.length === 0) ctx.print(`${policy!.id}: no changes against revision ${stored!.revision}`);
      for (const change of changes) ctx.print(change.text);
    });

  tariff.command('simulate <file>')
    .description('price billed periods again under a proposed policy, changing nothing: the change per month, class and region, from trusted bills')
    .addOption(new Option('--period <YYYY-MM>', 'the billed period to price again').conflicts(['from', 'to']))
    .option('--from <YYYY-MM>', 'first billed period of a range (with --to): a seasonal price is judged over a year')
    .option('--to <YYYY-MM>', 'last billed period of the range')
    .option('--include-held', 'count held and escalated bills in the totals too (they are always reported on their own line)')
    .option('--top <n>', 'most affected bills to list', '10')
    .option('--json', 'print the impact as JSON')
    .option('--out <file.html>', 'also write the impact as one self-contained HTML file, with revenue per month as a chart')
    .action(async (file: string, options: SimulateOptions, command: Command) => {
      const periods = periodsOf(options);
      const top = positiveInt(options.top, '--top');
      const [policy] = validPolicies(readPolicyFiles([file]));
      if (options.out) assertWritableFile(options.out);
      const from = periods[0]!;
      const to = periods.at(-1)!;
      const simulation = await ctx.withStore(command, (store) => simulateChange(store, policy!, { from, to, top, includeHeld: Boolean(options.includeHeld) }));
      if (!simulation) throw new FatalError(`tariff ${policy!.id} is not in the store yet: nothing was billed on it to compare with`);
      const { summary, stored, unpriced } = simulation;
      const range = from === to ? from : `${from}..${to}`;
      if (summary.bills + summary.untrusted.bills === 0 && unpriced === 0) throw new FatalError(`no current bills on tariff ${policy!.id} in ${range}`);
      if (options.out) {
        const html = renderImpactHtml(summary, { tariffId: policy!.id, storedRevision: stored.revision, proposedFile: file, generatedAt: ctx.effects.now().toISOString() });
        try {
          writeFileAtomic(options.out, html);
        } catch (error) {
          throw new FatalError(`cannot write ${options.out}: ${(error as Error).message}`, EXIT.environment);
        }
      }
      if (options.json) ctx.print(JSON.stringify({ tariffId: policy!.id, storedRevision: stored.revision, proposedFile: file, ...summary, text: undefined, unpriced }, null, 2));
      else {
        ctx.print(`${policy!.id} in ${range}: revision ${stored.revision} (stored) → ${file}`);
        ctx.print(summary.text);
        if (unpriced) ctx.print(`${unpriced} bill(s) could not be priced under one of the policies`);
        if (options.out) ctx.print(`${options.out}: the impact as HTML`);
      }
    });

  tariff.command('schema')
    .description('print the JSON Schema of policy files (for editors)')
    .action(() => ctx.print(JSON.stringify(tariffJsonSchema(), null, 2)));

  return tariff;
}

interface SimulateOptions {
  period?: string;
  from?: string;
  to?: string;
  includeHeld?: boolean;
  top: string;
  json?: boolean;
  out?: string;
}
