// Decisions in bulk from a spreadsheet, and the queue out to one. An import is all-or-nothing:
// every row is checked against the store first and every problem reported with its line and
// column; only a file without problems is applied, in one transaction.
import { readFileSync } from 'node:fs';
import { assertReadable, EXIT, FatalError, formatLocation, type ExitCode, type Location } from '../diagnostics/index.js';
import { formatMinor } from '../money/index.js';
import { inTransaction, writeFileAtomic, type Store } from '../store/index.js';
import { parseReadCorrection, type ReadCorrection } from './correction.js';
import { cellText, formatCsv, parseCsv } from '../text/csv.js';
import {
  applyDecision, decisionOutcome, isProblem, isWriteConflict, openSession, planDecision, registerDimensions, type DecisionOutcome, type DecisionRequest, type PlannedDecision,
} from './decide.js';
import { queueItems, prepareItems, type QueueFilter } from './queue.js';
import { REVIEW_ACTIONS, ReviewAction } from './transitions.js';

const IMPORT_COLUMNS = ['account_id', 'period', 'action', 'reviewer', 'note'] as const;
/** Optional: corrected closing reads of a `correct` row, "total=1234.5" or several separated by ';' or spaces. */
const READS_COLUMN = 'reads';

/** A decision the file asks for: what it does to its bill, and the line that asks for it. */
export interface ImportedChange extends DecisionOutcome {
  line: number;
}

export interface ImportReport {
  file: string;
  /** Data rows in the file. */
  rows: number;
  /** Rows without an action (e.g. the untouched rows of an exported queue). */
  skipped: number;
  changes: ImportedChange[];
  applied: boolean;
}

interface Problem {
  at: Location;
  message: string;
  exitCode: ExitCode;
}

/** Most problems listed in one message; the count says how many more there are. */
const SHOWN_PROBLEMS = 50;

export async function importDecisions(store: Store, file: string, options: { dryRun: boolean; now: Date }): Promise<ImportReport> {
  assertReadable(file);
  let records;
  try {
    records = parseCsv(readFileSync(file, 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError) throw FatalError.at({ file }, error.message);
    throw error;
  }
  const header = records.shift();
  if (!header) throw FatalError.at({ file }, 'the file is empty: it needs a header row with account_id, period, action, reviewer, note');
  const columns = new Map(header.cells.map((name, i) => [name.trim().toLowerCase(), i]));
  const missing = IMPORT_COLUMNS.filter((c) => !columns.has(c));
  if (missing.length) {
    throw FatalError.at({ file, line: header.line },
      `missing column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}: decisions need ${IMPORT_COLUMNS.join(', ')} (and ${READS_COLUMN} for corrections)`);
  }

  const problems: Problem[] = [];
  const requests: { line: number; request: DecisionRequest }[] = [];
  const seen = new Map<string, number>();
  let skipped = 0;
  for (const record of records) {
    const cell = (name: string) => {
      const index = columns.get(name);
      return index === undefined ? '' : cellText((record.cells[index] ?? '').trim());
    };
    const at = (column: string): Location => ({ file, line: record.line, column });
    const actionText = cell('action').toLowerCase();
    if (actionText === '') {
      skipped++;
      continue;
    }
    const action = ReviewAction.safeParse(actionText);
    if (!action.success) {
      problems.push({ at: at('action'), message: `unknown action '${cell('action')}' (use ${REVIEW_ACTIONS.join(', ')})`, exitCode: EXIT.usage });
      continue;
    }
    const reads = cell(READS_COLUMN).split(/[;\s]+/).filter(Boolean).map(parseReadCorrection);
    const badRead = reads.find((r): r is string => typeof r === 'string');
    if (badRead !== undefined) {
      problems.push({ at: at(READS_COLUMN), message: badRead, exitCode: EXIT.usage });
      continue;
    }
    const billKey = `${cell('account_id')}\u0001${cell('period')}`;
    const earlier = seen.get(billKey);
    if (earlier !== undefined) {
      problems.push({ at: at('account_id'), message: `${cell('account_id')} ${cell('period')} is already decided on line ${earlier} of this file`, exitCode: EXIT.usage });
      continue;
    }
    seen.set(billKey, record.line);
    requests.push({
      line: record.line,
      request: {
        accountId: cell('account_id'), period: cell('period'), action: action.data, reviewer: cell('reviewer'), note: cell('note'),
        reads: reads as ReadCorrection[], source: `${file}:${record.line}`,
      },
    });
  }

  const session = await openSession(store);
  try {
    return await inTransaction(session.connection, async () => {
      const plans: { line: number; plan: PlannedDecision }[] = [];
      for (const { line, request } of requests) {
        const plan = await planDecision(session, request);
        if (isProblem(plan)) problems.push({ at: { file, line, column: plan.field }, message: plan.message, exitCode: plan.exitCode });
        else plans.push({ line, plan });
      }
      if (problems.length) throw problemsError(problems);
      const changes: ImportedChange[] = plans.map(({ line, plan }) => ({ line, ...decisionOutcome(plan) }));
      const report = { file, rows: records.length, skipped, changes, applied: false };
      // A dry run ends here: the transaction is rolled back by the caller's error path, so nothing is written.
      if (options.dryRun) throw new DryRun(report);
      await registerDimensions(store, plans.flatMap(({ plan }) => (plan.rebill ? [plan.rebill] : [])));
      for (const { plan } of plans) await applyDecision(session.connection, plan, options.now);
      return { ...report, applied: true };
    });
  } catch (error) {
    if (error instanceof DryRun) return error.report;
    if (isWriteConflict(error)) {
      throw FatalError.at({ file }, 'another decision was taken on one of these bills meanwhile; nothing was imported — run the import again', EXIT.refused);
    }
    throw error;
  } finally {
    session.connection.closeSync();
  }
}

/** Carries a dry run's report out of the transaction, which rolls back on the way. */
class DryRun extends Error {
  constructor(readonly report: ImportReport) {
    super('dry run');
  }
}

function problemsError(problems: Problem[]): FatalError {
  problems.sort((a, b) => (a.at.line ?? 0) - (b.at.line ?? 0));
  const lines = problems.slice(0, SHOWN_PROBLEMS).map((p) => `${formatLocation(p.at)}: ${p.message}`);
  if (problems.length > SHOWN_PROBLEMS) lines.push(`… and ${problems.length - SHOWN_PROBLEMS} more`);
  const exitCode = problems.reduce<ExitCode>((code, p) => (p.exitCode > code ? p.exitCode : code), EXIT.ok);
  return new FatalError(`${problems.length} problem${problems.length === 1 ? '' : 's'}, nothing was imported:\n  ${lines.join('\n  ')}`, exitCode);
}

/** Columns of an exported queue: the bill, its flags, the last decision, then blank columns to decide in. */
export const EXPORT_COLUMNS = [
  'account_id', 'period', 'status', 'score', 'rules', 'reason', 'name', 'address', 'customer_class', 'region', 'tariff_id',
  'kwh_per_day', 'prev_kwh_per_day', 'yoy_kwh_per_day', 'amount', 'current_amount', 'currency', 'held_at', 'age_days',
  'last_action', 'last_reviewer', 'last_note', 'decided_at', 'action', 'reviewer', 'note', READS_COLUMN,
] as const;

/** Writes the period's queue as CSV (through a temp file, renamed into place); returns the row count. */
export async function exportQueue(store: Store, filter: QueueFilter, out: string, now: Date): Promise<number> {
  await prepareItems(store, filter.period);
  const items = await queueItems(store, filter, now);
  const kwh = (wh: number | null) => (wh === null ? '' : (wh / 1000).toFixed(1));
  const rows = items.map((i) => [
    i.account_id, filter.period, i.status, Math.round(i.score), i.rules.join(' '), i.reason, i.name, i.address, i.customer_class, i.region,
    i.tariff_id, kwh(i.kpd), kwh(i.prev_kpd), kwh(i.yoy_kpd), formatMinor(i.amount_minor, i.currency),
    formatMinor(i.current_amount_minor, i.currency), i.currency, i.held_at, i.age_days, i.last_action, i.reviewer, i.note, i.decided_at,
    '', '', '', '',
  ]);
  writeFileAtomic(out, await formatCsv(EXPORT_COLUMNS, rows));
  return rows.length;
}
