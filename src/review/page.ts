// The review desk's view of the queue: one page of a period's flagged bills at a time, ranked and
// filtered in SQL, and the claims that keep two reviewers off the same bill.
import { BILL_STATUSES, type BillStatus } from '../../schemas/bill.js';
import { CUSTOMER_CLASSES } from '../../schemas/inputs.js';
import { addPeriods, isPeriod, periodFromKey, periodKey } from '../calendar/index.js';
import { FatalError } from '../diagnostics/index.js';
import { sqlStatements, type Store } from '../store/index.js';
import type { QueueFilter } from './queue.js';

const SQL = sqlStatements(import.meta.url, 'page.sql');

/** The queue's filters, with who claimed the bill, as one page of `limit` rows from `offset`. */
export interface PageFilter extends Omit<QueueFilter, 'limit'> {
  /** A user's name, '' for unclaimed bills; undefined for any. */
  assignee?: string;
  offset: number;
  limit: number;
}

/** One row of a queue page. kWh per day as Wh per day (*_kpd), money in minor units. */
export interface PageItem {
  accountId: string;
  name: string;
  region: string;
  customerClass: string;
  billVersion: number;
  status: BillStatus;
  score: number;
  rules: string[];
  reason: string;
  kpd: number | null;
  prevKpd: number | null;
  amountMinor: number;
  currency: string;
  claimedBy: string | null;
  lastAction: string | null;
  lastReviewer: string | null;
}

export interface QueuePage {
  items: PageItem[];
  /** Matching bills in the whole period. */
  total: number;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function checkFilter(filter: PageFilter): void {
  if (!isPeriod(filter.period)) throw new FatalError(`period must be YYYY-MM, not '${filter.period}'`);
  if (filter.customerClass && !(CUSTOMER_CLASSES as readonly string[]).includes(filter.customerClass)) {
    throw new FatalError(`unknown customer class '${filter.customerClass}': use ${CUSTOMER_CLASSES.join(', ')}`);
  }
  const bad = filter.statuses.find((s) => !(BILL_STATUSES as readonly string[]).includes(s));
  if (bad !== undefined) throw new FatalError(`unknown status '${bad}'`);
}

// Fills of review_queue under way, per DuckDB instance and period: concurrent pages of one process
// wait for one fill instead of each writing the same rows (which DuckDB would refuse as a conflict).
const filling = new WeakMap<object, Map<number, Promise<void>>>();

/**
 * Brings the period's review_queue rows (012_review_queue.sql) up to date: filled again from
 * review_candidates when the period's runs or the account loads have changed since the last fill.
 */
export async function refreshQueue(store: Store, period: string): Promise<void> {
  const key = periodKey(period);
  const fills = filling.get(store.instance) ?? new Map<number, Promise<void>>();
  filling.set(store.instance, fills);
  const running = fills.get(key);
  if (running) return running;
  const fill = store.transaction(async (connection) => {
    // One transaction: the inputs and the rows filled from them are of one snapshot.
    const read = async (sql: string) => (await connection.runAndReadAll(sql, { period: key })).getRowObjectsJson()[0];
    const inputs = String((await read(SQL['queue-inputs']!))!.inputs);
    if ((await read(SQL['queue-filled-from']!))?.inputs === inputs) return;
    await connection.run(SQL['queue-clear']!, { period: key });
    await connection.run(SQL['queue-fill']!, { period: key });
    await connection.run(SQL['queue-filled']!, { period: key, inputs });
  }).finally(() => fills.delete(key));
  fills.set(key, fill);
  return fill;
}

/** One page of the period's queue, highest score first. */
export async function queuePage(store: Store, filter: PageFilter): Promise<QueuePage> {
  checkFilter(filter);
  await refreshQueue(store, filter.period);
  const params = (offset: number, limit: number) => ({
    period: periodKey(filter.period), prev: periodKey(addPeriods(filter.period, -1)), statuses: filter.statuses.join(','),
    rule: filter.rule ?? null, region: filter.region ?? null, class: filter.customerClass ?? null, min_score: filter.minScore ?? null,
    assignee: filter.assignee ?? null, limit, offset,
  });
  const found = await store.rows(SQL.page!, params(filter.offset, filter.limit));
  // Past the last page the window has no row to carry the total: ask for the first row instead.
  const total = found.length > 0 ? Number(found[0]!.total)
    : filter.offset > 0 ? Number((await store.rows(SQL.page!, params(0, 1)))[0]?.total ?? 0) : 0;
  return {
    total,
    items: found.map((r): PageItem => ({
      accountId: String(r.account_id), name: String(r.name), region: String(r.region), customerClass: String(r.customer_class),
      billVersion: Number(r.bill_version), status: r.status as BillStatus, score: Number(r.score), rules: (r.rules as string[]) ?? [],
      reason: String(r.reason), kpd: num(r.kpd), prevKpd: num(r.prev_kpd), amountMinor: Number(r.amount_minor), currency: String(r.currency),
      claimedBy: (r.claimed_by as string | null) ?? null, lastAction: (r.last_action as string | null) ?? null,
      lastReviewer: (r.last_reviewer as string | null) ?? null,
    })),
  };
}

/** The rules and regions a period's queue can be filtered by. */
export async function queueFacets(store: Store, period: string): Promise<{ rules: string[]; regions: string[] }> {
  if (!isPeriod(period)) throw new FatalError(`period must be YYYY-MM, not '${period}'`);
  await refreshQueue(store, period);
  const found = await store.rows(SQL.facets!, { period: periodKey(period) });
  const of = (facet: string) => found.filter((r) => r.facet === facet).map((r) => String(r.value));
  return { rules: of('rule'), regions: of('region') };
}

export type ClaimResult = { ok: true } | { ok: false; holder: string; claimedAt: string };

/**
 * Claims an account's bill of a period for `user`: one claim per bill, so of two reviewers
 * claiming at once exactly one holds it and the other learns who does. Claiming one's own claim
 * again succeeds.
 */
export async function claimBill(store: Store, accountId: string, period: string, user: string, now: Date): Promise<ClaimResult> {
  const key = periodKey(period);
  try {
    await store.run(SQL.claim!, { account_id: accountId, period: key, user_name: user, now: now.toISOString().slice(0, 19).replace('T', ' ') });
  } catch (error) {
    // Two concurrent inserts of one key: DuckDB fails the later transaction; the holder is read below.
    if (!(error instanceof Error && /conflict|constraint/i.test(error.message))) throw error;
  }
  const holder = await claimHolder(store, accountId, period);
  if (!holder || holder.user === user) return { ok: true };
  return { ok: false, holder: holder.user, claimedAt: holder.claimedAt };
}

export async function claimHolder(store: Store, accountId: string, period: string): Promise<{ user: string; claimedAt: string } | null> {
  const r = (await store.rows(SQL['claim-holder']!, { account_id: accountId, period: periodKey(period) }))[0];
  return r ? { user: String(r.user_name), claimedAt: String(r.claimed_at) } : null;
}

/** Gives up `user`'s claim (or, with user null, anyone's: a decided bill needs no claim). */
export async function unclaimBill(store: Store, accountId: string, period: string, user: string | null): Promise<void> {
  await store.run(SQL.unclaim!, { account_id: accountId, period: periodKey(period), user_name: user });
}

/** The status of an account's current bill of a period, or null without one. */
export async function currentStatus(store: Store, accountId: string, period: string): Promise<BillStatus | null> {
  const r = (await store.rows(SQL['current-status']!, { account_id: accountId, period: periodKey(period) }))[0];
  return r ? (r.status as BillStatus) : null;
}

/** Billed periods, newest first, with how many of their bills are flagged. */
export async function billedPeriods(store: Store): Promise<{ period: string; flagged: number }[]> {
  return (await store.rows(SQL['billed-periods']!)).map((r) => ({ period: periodFromKey(Number(r.period)), flagged: Number(r.flagged) }));
}

/** The periods one account has bills for, newest first. */
export async function accountPeriods(store: Store, accountId: string): Promise<string[]> {
  return (await store.rows(SQL['account-periods']!, { account_id: accountId })).map((r) => periodFromKey(Number(r.period)));
}
