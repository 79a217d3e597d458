// The review queue of a period: its flagged bills ranked by score, with the filters reviewers use.
import { BILL_STATUSES, HELD_STATUSES, type BillStatus } from '../../schemas/bill.js';
import { CUSTOMER_CLASSES } from '../../schemas/inputs.js';
import { addPeriods, isPeriod, periodKey } from '../calendar/index.js';
import { FatalError } from '../diagnostics/index.js';
import { assertPeriodBilled } from '../billing/index.js';
import { sqlStatements, type Store } from '../store/index.js';
import { DECIDED_STATUSES } from './transitions.js';

const SQL = sqlStatements(import.meta.url, 'review.sql');

/** One flagged bill in the queue. kWh per day as Wh per day (*_kpd), money in minor units. */
export interface ReviewItem {
  account_id: string;
  name: string;
  address: string;
  customer_class: string;
  region: string;
  tariff_id: string;
  bill_version: number;
  status: BillStatus;
  score: number;
  rules: string[];
  /** The highest-scoring flag's reason. */
  reason: string;
  read_flags: number;
  start_date: string;
  end_date: string;
  days: number;
  kwh_milli: number;
  kpd: number | null;
  prev_kpd: number | null;
  yoy_kpd: number | null;
  amount_minor: number;
  currency: string;
  /** The current version: a correction's re-bill when status is 'corrected'. */
  current_version: number;
  current_amount_minor: number;
  held_at: string | null;
  age_days: number | null;
  decisions: number;
  decided_at: string | null;
  last_action: string | null;
  reviewer: string | null;
  note: string | null;
}

export interface QueueFilter {
  period: string;
  statuses: readonly BillStatus[];
  rule?: string;
  region?: string;
  customerClass?: string;
  minScore?: number;
  limit?: number;
}

/** Named status sets for --status, besides single statuses and comma lists of them. */
const STATUS_SETS: Record<string, readonly BillStatus[]> = {
  open: HELD_STATUSES,
  decided: DECIDED_STATUSES,
  all: BILL_STATUSES,
};

export function parseStatuses(text: string): BillStatus[] {
  const statuses = text.split(',').map((s) => s.trim()).flatMap((s) => {
    const set = STATUS_SETS[s];
    if (set) return [...set];
    if ((BILL_STATUSES as readonly string[]).includes(s)) return [s as BillStatus];
    throw new FatalError(`unknown status '${s}': use ${Object.keys(STATUS_SETS).join(', ')} or ${BILL_STATUSES.join(', ')} (comma-separated)`);
  });
  return [...new Set(statuses)];
}

/** Validates the period and builds the session's review_items table for it. */
export async function prepareItems(store: Store, period: string): Promise<void> {
  if (!isPeriod(period)) throw new FatalError(`--period must be YYYY-MM, not '${period}'`);
  await assertPeriodBilled(store.connection, period, 'nothing to review');
  await store.run(SQL.items!, { period: periodKey(period), prev: periodKey(addPeriods(period, -1)), yoy: periodKey(addPeriods(period, -12)) });
}

function item(r: Record<string, unknown>): ReviewItem {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    ...(r as unknown as ReviewItem),
    bill_version: Number(r.bill_version),
    score: Number(r.score),
    read_flags: Number(r.read_flags),
    days: Number(r.days),
    kwh_milli: Number(r.kwh_milli),
    kpd: num(r.kpd),
    prev_kpd: num(r.prev_kpd),
    yoy_kpd: num(r.yoy_kpd),
    amount_minor: Number(r.amount_minor),
    current_version: Number(r.current_version),
    current_amount_minor: Number(r.current_amount_minor),
    age_days: num(r.age_days),
    decisions: Number(r.decisions),
    rules: (r.rules as string[] | null) ?? [],
  };
}

/** The period's queue, highest score first. Call prepareItems first. */
export async function queueItems(store: Store, filter: QueueFilter, now: Date): Promise<ReviewItem[]> {
  if (filter.customerClass && !(CUSTOMER_CLASSES as readonly string[]).includes(filter.customerClass)) {
    throw new FatalError(`unknown customer class '${filter.customerClass}': use ${CUSTOMER_CLASSES.join(', ')}`);
  }
  const found = await store.rows(SQL.queue!, {
    statuses: filter.statuses.join(','),
    rule: filter.rule ?? null,
    region: filter.region ?? null,
    class: filter.customerClass ?? null,
    min_score: filter.minScore ?? null,
    limit: filter.limit ?? 2 ** 31 - 1,
    now: now.toISOString().slice(0, 19).replace('T', ' '),
  });
  return found.map(item);
}

/** Prepares the period's items and returns its queue. */
export async function reviewQueue(store: Store, filter: QueueFilter, now: Date): Promise<ReviewItem[]> {
  await prepareItems(store, filter.period);
  return queueItems(store, filter, now);
}
