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
/** A label is material when it moves the billed kWh by more than 5%. */
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
  /** Flagged bills that carry a label (of any size) / flagged bills. */
  precision: number | null;
  /** Material labels flagged / material labels billed. */
  recall: number | null;
  /** Labels flagged / labels billed. */
  recall_all: number | null;
  true_positives: number;
  /** Precision of each period's list cut at `top`, over all periods. */
  top_k_precision: number | null;
  /** Flagged bills without a label whose account is labelled in one of the next 3 periods (counted as false above). */
  early_warnings: number;
}

export interface KindScore {
  labels: number;
  material: number;
  /** Labels whose account-period has no bill (rejected by the run as an error). */
  unbilled: number;
  billrun_recall: number | null;
  naive_recall: number | null;
  billrun_recall_all: number | null;
  naive_recall_all: number | null;
}

export interface RuleScore {
  flagged: number;
  precision: number | null;
  suppressed: number;
  /** Suppressions on labelled bills: what the suppression cost. */
  suppressed_labelled: number;
  /** Flags on unlabelled bills of accounts labelled in one of the next 3 periods. */
  early_warnings: number;
}

export interface PeriodScore {
  period: string;
  bills: number;
  labelled: number;
  billrun: { flagged: number; flag_rate: number; precision: number | null; recall: number | null };
  naive: { flagged: number; flag_rate: number; precision: number | null; recall: number | null };
}

export interface EvaluationReport {
  window: {
    from: string; to: string; periods: number; bills: number; labelled: number; material: number;
    anomaly_rate: number; material_share: number; naive_change: number; top_k: number;
    rules_versions: string[]; unmatched_labels: number;
  };
  billrun: Score;
  naive: Score;
  by_kind: Record<string, KindScore>;
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
  if (missing.length) throw FatalError.at({ file: options.labelsPath }, `labels need the columns account_id, period, kind; missing ${missing.join(', ')}`);
  const withKwh = columns.includes('true_kwh') && columns.includes('billed_kwh');
  const from = periodKey(options.from);
  const to = periodKey(options.to);
  try {
    if (withKwh) await store.run(SQL.labels!, { path: options.labelsPath, material_share: MATERIAL_SHARE });
    else await store.run(SQL['labels-without-kwh']!, { path: options.labelsPath });
  } catch (error) {
    throw FatalError.at({ file: options.labelsPath }, `cannot read the labels: ${(error as Error).message.split('\n')[0]}`);
  }
  await store.run(SQL.bills!, { from, to, naive_change: NAIVE_CHANGE });

  const t = (await store.rows(SQL.totals!))[0]!;
  const top = (await store.rows(SQL['top-k']!, { top: options.top }))[0]!;
  const bills = num(t.bills);
  const materialBilled = num(t.material);
  const labelledBilled = num(t.labelled);
  const score = (system: 'billrun' | 'naive'): Score => ({
    flagged: num(t[`${system}_flagged`]),
    flag_rate: bills > 0 ? num(t[`${system}_flagged`]) / bills : 0,
    precision: ratio(num(t[`${system}_true`]), num(t[`${system}_flagged`])),
    recall: ratio(num(t[`${system}_material`]), materialBilled),
    recall_all: ratio(num(t[`${system}_true`]), labelledBilled),
    true_positives: num(t[`${system}_true`]),
    top_k_precision: ratio(num(top[`${system}_true`]), num(top[`${system}_listed`])),
    early_warnings: num(t[`${system}_early`]),
  });

  const byKind: Record<string, KindScore> = {};
  for (const r of await store.rows(SQL['by-kind']!, { from, to })) {
    byKind[String(r.kind)] = {
      labels: num(r.labels), material: num(r.material), unbilled: num(r.unbilled),
      billrun_recall: ratio(num(r.billrun_material), num(r.material_billed)),
      naive_recall: ratio(num(r.naive_material), num(r.material_billed)),
      billrun_recall_all: ratio(num(r.billrun_caught), num(r.billed)),
      naive_recall_all: ratio(num(r.naive_caught), num(r.billed)),
    };
  }
  const byRule: Record<string, RuleScore> = {};
  const versions = new Set<string>();
  for (const r of await store.rows(SQL['by-rule']!)) {
    byRule[String(r.rule_id)] = {
      flagged: num(r.flagged), precision: ratio(num(r.labelled), num(r.flagged)),
      suppressed: num(r.suppressed), suppressed_labelled: num(r.suppressed_labelled), early_warnings: num(r.early),
    };
    for (const v of String(r.rules_versions ?? '').split(', ')) if (v) versions.add(v);
  }
  const byPeriod = (await store.rows(SQL['by-period']!)).map((r): PeriodScore => {
    const n = num(r.bills);
    const side = (system: 'billrun' | 'naive') => ({
      flagged: num(r[`${system}_flagged`]),
      flag_rate: n > 0 ? num(r[`${system}_flagged`]) / n : 0,
      precision: ratio(num(r[`${system}_true`]), num(r[`${system}_flagged`])),
      recall: ratio(num(r[`${system}_material`]), num(r.material)),
    });
    return { period: periodFromKey(num(r.period)), bills: n, labelled: num(r.labelled), billrun: side('billrun'), naive: side('naive') };
  });
  const unmatched = num((await store.rows(SQL['unmatched-labels']!, { from, to }))[0]!.n);
  return {
    window: {
      from: options.from, to: options.to, periods: byPeriod.length, bills, labelled: labelledBilled, material: materialBilled,
      anomaly_rate: bills > 0 ? labelledBilled / bills : 0, material_share: MATERIAL_SHARE, naive_change: NAIVE_CHANGE, top_k: options.top,
      rules_versions: [...versions].sort(), unmatched_labels: unmatched,
    },
    billrun: score('billrun'),
    naive: score('naive'),
    by_kind: byKind,
    by_rule: byRule,
    by_period: byPeriod,
  };
}
