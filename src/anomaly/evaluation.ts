// Evaluating the review flags of billed periods against labels: flag rate, precision, recall
// (on anomalies that move the bill, and on all), per anomaly kind, per rule, per period, and the
// precision of the ranked list's top k — for billrun's rules and for the naive baseline side by
// side. Reads the store and the labels file only (temp tables): the flags are those the bill run
// recorded, so what is evaluated is exactly what reviewers would see.
import { closeSync, openSync, readSync } from 'node:fs';
import { periodFromKey, periodKey } from '../calendar/index.js';
import { assertReadable, FatalError } from '../diagnostics/index.js';
import { sqlStatements, type Store } from '../store/index.js';

const SQL = sqlStatements(import.meta.url, 'evaluation.sql');

/** The naive rule of the issue: kWh/day changed by more than 30% month-over-month or year-over-year. */
const NAIVE_CHANGE = 0.3;
/** Without a must_flag column, a label that moves the billed kWh by at most 5% is ambiguous. */
const MATERIAL_SHARE = 0.05;

export interface EvaluationOptions {
  labelsPath: string;
  /** YYYY-MM, inclusive. */
  from: string;
  to: string;
  /** Length of each period's review list for the top-k precision. */
  top: number;
}

export interface Score {
  flagged: number;
  flag_rate: number;
  /** Flagged bills / must-flag bills: how many bills reach the list per real error. */
  flag_ratio: number | null;
  /** Flagged must-flag bills / flagged bills without an ambiguous label. */
  precision: number | null;
  /** Must-flag bills flagged / must-flag bills. */
  recall: number | null;
  /** Recall in months 2–6 of an error that persists (consecutive must-flag labels of one kind). */
  recall_persisting: number | null;
  true_positives: number;
  /** Precision of each period's list cut at `top`, over all periods. */
  top_k_precision: number | null;
  /** Flagged bills without a must-flag label whose account has one in the next 3 periods (counted as false above). */
  early_warnings: number;
}

export interface KindScore {
  /** must (an error), legitimate (an event that needs no review), ambiguous. */
  verdict: 'must' | 'legitimate' | 'ambiguous';
  labels: number;
  /** Labels whose account-period has no bill (rejected by the run as an error). */
  unbilled: number;
  /** Share of the kind's billed labels flagged: recall for errors, the false alarm rate for events. */
  billrun_flagged: number | null;
  naive_flagged: number | null;
  /** The same over months 2–6 of a persisting error. */
  billrun_persisting: number | null;
}

/** One rule set's scores on the bills of a group (a customer class, a period). */
export interface GroupScore {
  flag_rate: number;
  precision: number | null;
  recall: number | null;
}

export interface ClassScore {
  bills: number;
  must: number;
  billrun: GroupScore;
  naive: GroupScore;
}

export interface RuleScore {
  flagged: number;
  precision: number | null;
  suppressed: number;
  /** Suppressions on must-flag bills: what the suppression cost. */
  suppressed_must: number;
  /** Flags on bills of accounts with a must-flag label in one of the next 3 periods. */
  early_warnings: number;
}

export interface PeriodScore {
  period: string;
  bills: number;
  must: number;
  billrun: GroupScore & { flagged: number };
  naive: GroupScore & { flagged: number };
}

export interface EvaluationReport {
  window: {
    from: string; to: string; periods: number; bills: number;
    /** Bills by the strongest label they carry. */
    must: number; ambiguous: number; legitimate: number;
    /** must / bills: the true anomaly rate. */
    anomaly_rate: number; persisting: number; naive_change: number; top_k: number;
    /** How the verdicts were read: the file's must_flag column, or derived from true/billed kWh, or every label must. */
    verdicts: 'must_flag' | 'kwh' | 'kind';
    rules_versions: string[]; unmatched_labels: number;
  };
  billrun: Score;
  naive: Score;
  /** Keyed `kind` (must-flag) or `kind (legitimate)` / `kind (ambiguous)`. */
  by_kind: Record<string, KindScore>;
  by_class: Record<string, ClassScore>;
  by_rule: Record<string, RuleScore>;
  by_period: PeriodScore[];
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
const num = (v: unknown): number => Number(v ?? 0);

/** Column names of the labels file's header line. */
function labelColumns(path: string): string[] {
  assertReadable(path);
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '');
    return text.split(/\r?\n/)[0]!.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  } finally {
    closeSync(fd);
  }
}

export async function evaluateFlags(store: Store, options: EvaluationOptions): Promise<EvaluationReport> {
  const columns = labelColumns(options.labelsPath);
  const missing = ['account_id', 'period', 'kind'].filter((c) => !columns.includes(c));
  if (missing.length) throw FatalError.at({ file: options.labelsPath }, `labels need the columns account_id, period, kind (and must_flag); missing ${missing.join(', ')}`);
  const verdicts = columns.includes('must_flag') ? 'must_flag' : columns.includes('true_kwh') && columns.includes('billed_kwh') ? 'kwh' : 'kind';
  const from = periodKey(options.from);
  const to = periodKey(options.to);
  try {
    if (verdicts === 'must_flag') await store.run(SQL.source!, { path: options.labelsPath });
    else if (verdicts === 'kwh') await store.run(SQL['source-with-kwh']!, { path: options.labelsPath, material_share: MATERIAL_SHARE });
    else await store.run(SQL['source-kinds-only']!, { path: options.labelsPath });
  } catch (error) {
    throw FatalError.at({ file: options.labelsPath }, `cannot read the labels: ${(error as Error).message.split('\n')[0]}`);
  }
  const bad = (await store.rows(SQL['bad-verdicts']!))[0];
  if (bad) {
    throw FatalError.at({ file: options.labelsPath, line: num(bad.line), column: 'must_flag' },
      `must_flag must be 1, 0 or ambiguous, not '${bad.given ?? ''}'`);
  }
  await store.run(SQL.labels!);
  await store.run(SQL.bills!, { from, to, naive_change: NAIVE_CHANGE });

  const t = (await store.rows(SQL.totals!))[0]!;
  const top = (await store.rows(SQL['top-k']!, { top: options.top }))[0]!;
  const bills = num(t.bills);
  const must = num(t.must);
  const score = (system: 'billrun' | 'naive'): Score => ({
    flagged: num(t[`${system}_flagged`]),
    flag_rate: bills > 0 ? num(t[`${system}_flagged`]) / bills : 0,
    flag_ratio: ratio(num(t[`${system}_flagged`]), must),
    precision: ratio(num(t[`${system}_true`]), num(t[`${system}_judged`])),
    recall: ratio(num(t[`${system}_true`]), must),
    recall_persisting: ratio(num(t[`${system}_persisting`]), num(t.persisting)),
    true_positives: num(t[`${system}_true`]),
    top_k_precision: ratio(num(top[`${system}_true`]), num(top[`${system}_listed`])),
    early_warnings: num(t[`${system}_early`]),
  });

  const byKind: Record<string, KindScore> = {};
  for (const r of await store.rows(SQL['by-kind']!, { from, to })) {
    const verdict = (r.verdict ?? 'must') as KindScore['verdict'];
    byKind[verdict === 'must' ? String(r.kind) : `${String(r.kind)} (${verdict})`] = {
      verdict, labels: num(r.labels), unbilled: num(r.unbilled),
      billrun_flagged: ratio(num(r.billrun_flagged), num(r.billed)),
      naive_flagged: ratio(num(r.naive_flagged), num(r.billed)),
      billrun_persisting: ratio(num(r.billrun_persisting), num(r.persisting)),
    };
  }
  const side = (r: Record<string, unknown>, system: 'billrun' | 'naive', n: number) => ({
    flagged: num(r[`${system}_flagged`]),
    flag_rate: n > 0 ? num(r[`${system}_flagged`]) / n : 0,
    precision: ratio(num(r[`${system}_true`]), num(r[`${system}_judged`])),
    recall: ratio(num(r[`${system}_true`]), num(r.must)),
  });
  const grouped = await store.rows(SQL['by-class-and-period']!);
  const byClass: Record<string, ClassScore> = {};
  for (const r of grouped.filter((g) => g.grouped_by === 'class')) {
    const n = num(r.bills);
    const { flagged: _b, ...billrun } = side(r, 'billrun', n);
    const { flagged: _n, ...naive } = side(r, 'naive', n);
    byClass[String(r.customer_class)] = { bills: n, must: num(r.must), billrun, naive };
  }
  const byRule: Record<string, RuleScore> = {};
  const versions = new Set<string>();
  for (const r of await store.rows(SQL['by-rule']!)) {
    byRule[String(r.rule_id)] = {
      flagged: num(r.flagged), precision: ratio(num(r.must), num(r.judged)),
      suppressed: num(r.suppressed), suppressed_must: num(r.suppressed_must), early_warnings: num(r.early),
    };
    for (const v of String(r.rules_versions ?? '').split(', ')) if (v) versions.add(v);
  }
  const byPeriod = grouped.filter((g) => g.grouped_by === 'period').map((r): PeriodScore => {
    const n = num(r.bills);
    return { period: periodFromKey(num(r.period)), bills: n, must: num(r.must), billrun: side(r, 'billrun', n), naive: side(r, 'naive', n) };
  });
  const unmatched = num((await store.rows(SQL['unmatched-labels']!, { from, to }))[0]!.n);
  return {
    window: {
      from: options.from, to: options.to, periods: byPeriod.length, bills, must, ambiguous: num(t.ambiguous), legitimate: num(t.legitimate),
      anomaly_rate: bills > 0 ? must / bills : 0, persisting: num(t.persisting), naive_change: NAIVE_CHANGE, top_k: options.top,
      verdicts, rules_versions: [...versions].sort(), unmatched_labels: unmatched,
    },
    billrun: score('billrun'),
    naive: score('naive'),
    by_kind: byKind,
    by_class: byClass,
    by_rule: byRule,
    by_period: byPeriod,
  };
}
