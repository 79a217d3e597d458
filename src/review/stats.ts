// Review statistics of a period for managers: which rules find real errors and which only cost
// reviewers time, how old the backlog is, how fast reviewers decide, and how the naive
// "±30% kWh/day" rule would have fared on the same bills.
import { addPeriods, periodKey } from '../calendar/index.js';
import { sqlStatements, type Store } from '../store/index.js';
import { prepareItems } from './queue.js';

const SQL = sqlStatements(import.meta.url, 'stats.sql');

/** Flagged bills by where review left them. flagged = notHeld + open + released + dismissed + corrected + escalated. */
export interface RuleStats {
  rule: string;
  flagged: number;
  /** Flagged for information only: the rules did not hold the bill. */
  notHeld: number;
  open: number;
  released: number;
  dismissed: number;
  corrected: number;
  escalated: number;
  /** Held bills a reviewer has decided on: released + dismissed + corrected + escalated. */
  decided: number;
  /** Real problems: corrected or escalated for a field check. */
  confirmed: number;
  /** confirmed / decided; null before any decision. */
  hitRate: number | null;
}

export interface BacklogBucket {
  age: string;
  bills: number;
  escalated: number;
}

export interface ReviewerStats {
  reviewer: string;
  decisions: number;
  byAction: Record<'release' | 'correct' | 'dismiss' | 'escalate' | 'hold', number>;
  activeDays: number;
  perDay: number;
  /** Median hours from the end of the bill run to the decision. */
  medianHours: number | null;
}

export interface NaiveComparison {
  /** Bills of the period the rules judged. */
  bills: number;
  /** Bills the naive ±30% MoM-or-YoY kWh/day rule flags. */
  naiveFlagged: number;
  rulesHeld: number;
  /** Held by the rules and flagged by the naive rule. */
  both: number;
  /** Confirmed problems (corrected or escalated), and how many of them the naive rule flags. */
  confirmed: number;
  naiveConfirmed: number;
}

export interface ReviewStats {
  period: string;
  rules: RuleStats[];
  /** Every flagged bill once. */
  total: RuleStats;
  backlog: BacklogBucket[];
  reviewers: ReviewerStats[];
  naive: NaiveComparison;
}

function ruleStats(rule: string, r: Record<string, unknown>): RuleStats {
  const n = (k: string) => Number(r[k]);
  const decided = n('released') + n('dismissed') + n('corrected') + n('escalated');
  const confirmed = n('corrected') + n('escalated');
  return {
    rule, flagged: n('flagged'), notHeld: n('not_held'), open: n('open'), released: n('released'), dismissed: n('dismissed'),
    corrected: n('corrected'), escalated: n('escalated'), decided, confirmed, hitRate: decided > 0 ? confirmed / decided : null,
  };
}

export async function reviewStats(store: Store, period: string, now: Date): Promise<ReviewStats> {
  await prepareItems(store, period);
  const key = periodKey(period);
  const rules = (await store.rows(SQL['by-rule']!)).map((r) => ruleStats(String(r.rule), r));
  const total = ruleStats('all flagged bills', (await store.rows(SQL.totals!))[0]!);
  const backlog = (await store.rows(SQL.backlog!, { now: now.toISOString().slice(0, 19).replace('T', ' ') })).map((r) => ({
    age: String(r.bucket), bills: Number(r.bills), escalated: Number(r.escalated),
  }));
  const reviewers = (await store.rows(SQL.reviewers!, { period: key })).map((r): ReviewerStats => ({
    reviewer: String(r.reviewer),
    decisions: Number(r.decisions),
    byAction: { release: Number(r.release), correct: Number(r.correct), dismiss: Number(r.dismiss), escalate: Number(r.escalate), hold: Number(r.hold) },
    activeDays: Number(r.active_days),
    perDay: Number(r.decisions) / Math.max(1, Number(r.active_days)),
    medianHours: r.median_hours === null ? null : Number(r.median_hours),
  }));
  const naive = (await store.rows(SQL.naive!, {
    period: key, prev: periodKey(addPeriods(period, -1)), yoy: periodKey(addPeriods(period, -12)),
  }))[0]!;
  return {
    period, rules, total, backlog, reviewers,
    naive: {
      bills: Number(naive.bills), naiveFlagged: Number(naive.naive_flagged), rulesHeld: Number(naive.rules_held), both: Number(naive.both),
      confirmed: Number(naive.confirmed), naiveConfirmed: Number(naive.naive_confirmed),
    },
  };
}
