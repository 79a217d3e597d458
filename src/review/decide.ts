// Review decisions against the store: check a decision (planDecision), then apply it in the
// caller's transaction (applyDecision). A decision changes a bill only through a guarded UPDATE
// (still current, still in the state it was decided on), so of two reviewers deciding the same
// bill at once exactly one wins and the trail shows one decision.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { BillStatus, LineItem, PricedBill, PricingInput } from '../../schemas/bill.js';
import type { CustomerClass, Register, ReadType } from '../../schemas/inputs.js';
import type { TariffPolicy } from '../../schemas/tariff.js';
import { defineReadDerivation, dimensionKey, INTERVAL_RULE_PARAMS, isPeriodBilled } from '../billing/index.js';
import { epochDay, parseBillingPeriod, type BillingPeriod } from '../calendar/index.js';
import { EXIT, FatalError, type ExitCode } from '../diagnostics/index.js';
import { inTransaction, sqlStatements, type Store } from '../store/index.js';
import { compileTariff, isPricingError, priceBill, type CompiledTariff } from '../tariff/index.js';
import {
  applyReads, deriveQuantities, DERIVED_FLAGS, estimateReads, type CorrectedRead, type ReadCorrection, type RegisterReads,
} from './correction.js';
import { transition, type ReviewAction } from './transitions.js';

const SQL = sqlStatements(import.meta.url, 'decide.sql');
const REVIEW_SQL = sqlStatements(import.meta.url, 'review.sql');

export interface DecisionRequest {
  accountId: string;
  period: string;
  action: ReviewAction;
  reviewer: string;
  note: string;
  /** Corrected closing reads (correct only); none means an estimate from the account's baseline. */
  reads: ReadCorrection[];
  /** 'cli', or '<file>:<line>' of a bulk import. */
  source: string;
}

/** Why a decision cannot be taken, and which input field it is about. */
export interface DecisionProblem {
  field: 'account_id' | 'period' | 'action' | 'reviewer' | 'note' | 'reads';
  message: string;
  exitCode: ExitCode;
}

export interface BillVersion {
  billVersion: number;
  status: BillStatus;
  isCurrent: boolean;
  runId: number;
  startDate: string;
  endDate: string;
  days: number;
  kwhMilli: number;
  touKwhMilli: { sharp: number; peak: number; flat: number; valley: number } | null;
  demandMilli: number | null;
  kvarhMilli: number | null;
  amountMinor: number;
  readFlags: number;
  flagCount: number;
  score: number;
  currency: string;
  tariffId: string;
  tariffVersions: string;
}

/** The next bill version a correction writes. */
export interface Rebill {
  billVersion: number;
  basis: 'read' | 'estimate';
  reads: CorrectedRead[];
  kwhMilli: number;
  touKwhMilli: BillVersion['touKwhMilli'];
  demandMilli: number | null;
  kvarhMilli: number | null;
  readFlags: number;
  priced: PricedBill;
  tariffId: string;
  contextKey: number;
}

export interface PlannedDecision {
  request: DecisionRequest;
  accountKey: number;
  periodKey: number;
  bill: BillVersion;
  to: BillStatus;
  rebill: Rebill | null;
}

/** What a decision does to its bill, known once it is planned, before anything is written. */
export interface DecisionOutcome {
  accountId: string;
  period: string;
  action: ReviewAction;
  fromStatus: BillStatus;
  toStatus: BillStatus;
  billVersion: number;
  newBillVersion: number | null;
  amountBeforeMinor: number;
  amountAfterMinor: number | null;
  currency: string;
  reviewer: string;
}

export function decisionOutcome({ request, bill, to, rebill }: PlannedDecision): DecisionOutcome {
  return {
    accountId: request.accountId, period: request.period, action: request.action, fromStatus: bill.status, toStatus: to,
    billVersion: bill.billVersion, newBillVersion: rebill?.billVersion ?? null, amountBeforeMinor: bill.amountMinor,
    amountAfterMinor: rebill?.priced.totalMinor ?? null, currency: bill.currency, reviewer: request.reviewer.trim(),
  };
}

/** A decision as written to the audit trail. */
export interface DecisionRecord extends DecisionOutcome {
  decisionId: number;
  decidedAt: string;
  /** correct: what the re-bill was derived from. */
  correction: { basis: Rebill['basis']; reads: CorrectedRead[]; kwhBeforeMilli: number; kwhAfterMilli: number } | null;
}

/** State shared by the decisions of one command: its connection and the tariffs compiled so far. */
export interface ReviewSession {
  connection: DuckDBConnection;
  tariffs: Map<string, CompiledTariff>;
}

const problem = (field: DecisionProblem['field'], message: string, exitCode: ExitCode = EXIT.usage): DecisionProblem => ({ field, message, exitCode });

export function isProblem(x: PlannedDecision | DecisionProblem): x is DecisionProblem {
  return 'field' in x;
}

async function rows(connection: DuckDBConnection, sql: string, params: Record<string, DuckDBValue>): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql, params)).getRowObjectsJson() as Record<string, unknown>[];
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Checks a decision against the store as it is now; nothing is written. */
export async function planDecision(session: ReviewSession, request: DecisionRequest): Promise<PlannedDecision | DecisionProblem> {
  const { connection } = session;
  if (!request.reviewer.trim()) return problem('reviewer', 'a decision needs the reviewer\'s name');
  if (!request.note.trim()) return problem('note', 'a decision needs a note saying why');
  const billing = parseBillingPeriod(request.period);
  if (!billing) return problem('period', `period must be YYYY-MM, not '${request.period}'`);
  const key = billing.key;
  const account = (await rows(connection, REVIEW_SQL.account!, { account_id: request.accountId }))[0];
  if (!account) return problem('account_id', `unknown account '${request.accountId}'`);
  if (!(await isPeriodBilled(connection, request.period))) {
    return problem('period', `${request.period} has not been billed`);
  }
  const running = (await rows(connection, REVIEW_SQL['run-in-progress']!, { period: key }))[0];
  if (running) {
    return problem('period', `a bill run of ${request.period} (run ${running.run_id}) has not finished: finish it before deciding`, EXIT.refused);
  }
  const bill = (await rows(connection, REVIEW_SQL['bill-versions']!, { account_key: Number(account.account_key), period: key }))
    .map(billVersion).find((b) => b.isCurrent);
  if (!bill) return problem('account_id', `account ${request.accountId} has no bill for ${request.period}`);
  const step = transition(bill.status, request.action);
  if (!step.ok) {
    const last = (await rows(connection, REVIEW_SQL['last-decision']!, { account_key: Number(account.account_key), period: key }))[0];
    const earlier = last
      ? ` (${last.action} by ${last.reviewer} at ${last.decided_at}${last.new_bill_version === null ? '' : `; version ${last.new_bill_version} is the re-bill`})`
      : '';
    return problem('action', `${step.reason}${earlier}`, EXIT.refused);
  }
  if (request.reads.length > 0 && request.action !== 'correct') return problem('reads', 'corrected reads only go with the action correct');
  const plan: PlannedDecision = { request, accountKey: Number(account.account_key), periodKey: key, bill, to: step.to, rebill: null };
  if (request.action !== 'correct') return plan;
  const rebill = await planRebill(session, account, bill, request, billing);
  if ('field' in rebill) return rebill;
  return { ...plan, rebill };
}

export function billVersion(r: Record<string, unknown>): BillVersion {
  const touKeys = ['kwh_sharp_milli', 'kwh_peak_milli', 'kwh_flat_milli', 'kwh_valley_milli'];
  return {
    billVersion: Number(r.bill_version),
    status: r.status as BillStatus,
    isCurrent: Boolean(r.is_current),
    runId: Number(r.run_id),
    startDate: String(r.start_date),
    endDate: String(r.end_date),
    days: Number(r.days),
    kwhMilli: Number(r.kwh_milli),
    touKwhMilli: touKeys.every((k) => r[k] === null) ? null
      : { sharp: num(r.kwh_sharp_milli) ?? 0, peak: num(r.kwh_peak_milli) ?? 0, flat: num(r.kwh_flat_milli) ?? 0, valley: num(r.kwh_valley_milli) ?? 0 },
    demandMilli: num(r.demand_milli),
    kvarhMilli: num(r.kvarh_milli),
    amountMinor: Number(r.amount_minor),
    readFlags: Number(r.read_flags),
    flagCount: Number(r.flag_count),
    score: Number(r.score),
    currency: String(r.currency),
    tariffId: String(r.tariff_id),
    tariffVersions: String(r.tariff_versions),
  };
}

/** The account's registers over a billed period, as the bill run read them. */
export async function periodRegisters(connection: DuckDBConnection, accountKey: number, period: BillingPeriod): Promise<RegisterReads[]> {
  const found = await rows(connection, SQL.registers!, { account_key: accountKey, ...period.readWindow });
  return found.map((r) => ({
    meterKey: Number(r.meter_key),
    meterId: String(r.meter_id),
    register: r.register as Register,
    digits: Number(r.register_digits),
    multiplierE4: Number(r.multiplier_e4),
    openValue: Number(r.open_value),
    openAt: String(r.open_at),
    priorType: (r.prior_type ?? null) as ReadType | null,
    closeValue: Number(r.close_value),
    closeAt: String(r.close_at),
    closeType: r.close_type as ReadType,
  }));
}

/**
 * The bill the reads give, priced as the bill run prices it: TOU energy from registers, else
 * (interval data) as billed; demand from the demand register, else as billed; TOU demand from
 * interval data. With unchanged reads this reproduces the stored bill exactly.
 */
export async function repriceBill(
  session: ReviewSession, account: Record<string, unknown>, bill: BillVersion, period: BillingPeriod, registers: readonly RegisterReads[],
): Promise<Omit<Rebill, 'billVersion' | 'basis' | 'reads'> | string> {
  const { connection } = session;
  const accountKey = Number(account.account_key);
  const derived = deriveQuantities(registers);
  const tariff = await tariffFor(session, String(account.tariff_id));
  if (typeof tariff === 'string') return tariff;
  const demand = (await rows(connection, SQL['interval-demand']!, {
    ...INTERVAL_RULE_PARAMS, account_key: accountKey, ...period.readWindow, start_date: bill.startDate, end_date: bill.endDate,
  }))[0]!;
  const touDemand = ['sharp', 'peak', 'flat', 'valley'].some((p) => demand[p] !== null)
    ? { sharp: num(demand.sharp) ?? 0, peak: num(demand.peak) ?? 0, flat: num(demand.flat) ?? 0, valley: num(demand.valley) ?? 0 }
    : null;
  const ytd = (await rows(connection, SQL['year-to-date']!, {
    account_key: accountKey, period: period.key, year_start: period.yearStartKey, baseline_from: period.historyKeys.at(-1)!,
  }))[0]!;
  const touKwhMilli = derived.touKwhMilli ?? bill.touKwhMilli;
  const demandMilli = registers.some((r) => r.register === 'demand_kw') ? derived.demandMilli : bill.demandMilli;
  const nonNegative = (q: number) => Math.max(0, q);
  const input: PricingInput = {
    period: period.text,
    startDay: epochDay(bill.startDate),
    endDay: epochDay(bill.endDate),
    customerClass: account.customer_class as CustomerClass,
    householdSize: num(account.household_size),
    contractKva: num(account.contract_kva),
    pfStandard: num(account.pf_standard),
    // As the bill run does: a reverse advance is billed as nothing (and the bill stays flagged).
    kwhMilli: nonNegative(derived.kwhMilli),
    touKwhMilli: touKwhMilli && {
      sharp: nonNegative(touKwhMilli.sharp), peak: nonNegative(touKwhMilli.peak), flat: nonNegative(touKwhMilli.flat), valley: nonNegative(touKwhMilli.valley),
    },
    demandMilli,
    touDemandMilli: touDemand,
    kvarhMilli: derived.kvarhMilli,
    ytdKwhMilli: Number(ytd.kwh_milli),
    ytdAmountMinor: Number(ytd.amount_minor),
  };
  let priced: PricedBill;
  try {
    priced = priceBill(tariff, input);
  } catch (error) {
    if (isPricingError(error)) return `the corrected bill cannot be priced: ${error.message}`;
    throw error;
  }
  return {
    kwhMilli: derived.kwhMilli,
    touKwhMilli,
    demandMilli,
    kvarhMilli: derived.kvarhMilli,
    readFlags: (bill.readFlags & ~DERIVED_FLAGS) | derived.readFlags,
    priced,
    tariffId: tariff.id,
    contextKey: dimensionKey([tariff.id, priced.versions.join('+'), priced.currency]),
  };
}

async function tariffFor(session: ReviewSession, tariffId: string): Promise<CompiledTariff | string> {
  const row = (await rows(session.connection, SQL.policy!, { tariff_id: tariffId }))[0];
  if (!row) return `tariff ${tariffId} is not loaded`;
  const cacheKey = `${tariffId}\u0001${row.revision}`;
  let tariff = session.tariffs.get(cacheKey);
  if (!tariff) {
    tariff = compileTariff(JSON.parse(String(row.policy)) as TariffPolicy);
    session.tariffs.set(cacheKey, tariff);
  }
  return tariff;
}

async function planRebill(
  session: ReviewSession, account: Record<string, unknown>, bill: BillVersion, request: DecisionRequest, period: BillingPeriod,
): Promise<Rebill | DecisionProblem> {
  const accountKey = Number(account.account_key);
  const registers = await periodRegisters(session.connection, accountKey, period);
  let corrected;
  if (request.reads.length > 0) {
    corrected = applyReads(registers, request.reads);
  } else {
    const b = (await rows(session.connection, SQL.baseline!, {
      account_key: accountKey, period: period.key, from: period.historyKeys.at(-1)!,
    }))[0]!;
    const tou = b.sharp === null && b.peak === null && b.flat === null && b.valley === null ? null
      : { sharp: num(b.sharp) ?? 0, peak: num(b.peak) ?? 0, flat: num(b.flat) ?? 0, valley: num(b.valley) ?? 0 };
    corrected = estimateReads(registers, bill.days, { periods: Number(b.periods), kpd: num(b.kpd), tou, kvarhRatio: num(b.kvarh_ratio) });
  }
  if (!corrected.ok) return problem('reads', corrected.message);
  const repriced = await repriceBill(session, account, bill, period, corrected.registers);
  if (typeof repriced === 'string') return problem('reads', repriced);
  return { ...repriced, billVersion: bill.billVersion + 1, basis: request.reads.length > 0 ? 'read' : 'estimate', reads: corrected.reads };
}

/** A conflict with another reviewer's decision: nothing of this one was written. */
function conflict(plan: PlannedDecision): FatalError {
  const { accountId, period } = plan.request;
  return new FatalError(
    `${accountId} ${period}: another decision on this bill was taken at the same time (it is no longer ${plan.bill.status} at ` +
    `version ${plan.bill.billVersion}); nothing was changed — look again with: billrun review show ${accountId} --period ${period}`,
    EXIT.refused);
}

/** DuckDB's optimistic concurrency: a second writer of the same row fails instead of waiting. */
export function isWriteConflict(error: unknown): boolean {
  return error instanceof Error && /conflict/i.test(error.message);
}

/** Writes a planned decision in the caller's transaction; throws a conflict if the bill moved meanwhile. */
export async function applyDecision(connection: DuckDBConnection, plan: PlannedDecision, decidedAt: Date): Promise<DecisionRecord> {
  const { request, bill, rebill } = plan;
  const decisionId = Number((await rows(connection, SQL['next-decision-id']!, {}))[0]!.id);
  let changed: number;
  try {
    changed = (await connection.run(SQL['decide-bill']!, {
      to_status: plan.to, is_current: rebill === null, account_key: plan.accountKey, period: plan.periodKey,
      bill_version: bill.billVersion, from_status: bill.status,
    })).rowsChanged;
  } catch (error) {
    if (isWriteConflict(error)) throw conflict(plan);
    throw error;
  }
  if (changed !== 1) throw conflict(plan);
  if (rebill) await writeRebill(connection, plan, rebill, decisionId);
  const at = decidedAt.toISOString().slice(0, 19).replace('T', ' ');
  await connection.run(SQL['insert-decision']!, {
    decision_id: decisionId, account_key: plan.accountKey, period: plan.periodKey, action: request.action,
    from_status: bill.status, to_status: plan.to, bill_version: bill.billVersion, new_bill_version: rebill?.billVersion ?? null,
    amount_before_minor: bill.amountMinor, amount_after_minor: rebill?.priced.totalMinor ?? null,
    correction: rebill ? JSON.stringify({
      basis: rebill.basis,
      reads: rebill.reads.map((r) => ({ meter_id: r.meterId, register: r.register, value_milli: r.valueMilli, replaces_milli: r.replacesMilli, read_type: r.readType })),
    }) : null,
    reviewer: request.reviewer.trim(), note: request.note, source: request.source, decided_at: at,
  });
  return {
    decisionId, ...decisionOutcome(plan), decidedAt: at,
    correction: rebill && { basis: rebill.basis, reads: rebill.reads, kwhBeforeMilli: bill.kwhMilli, kwhAfterMilli: rebill.kwhMilli },
  };
}

async function writeRebill(connection: DuckDBConnection, plan: PlannedDecision, rebill: Rebill, decisionId: number): Promise<void> {
  const { bill } = plan;
  const tou = rebill.touKwhMilli;
  await connection.run(SQL['insert-bill']!, {
    account_key: plan.accountKey, period: plan.periodKey, bill_version: rebill.billVersion, run_id: bill.runId,
    start_date: bill.startDate, end_date: bill.endDate, days: bill.days, kwh_milli: BigInt(rebill.kwhMilli),
    kwh_sharp_milli: tou && BigInt(tou.sharp), kwh_peak_milli: tou && BigInt(tou.peak), kwh_flat_milli: tou && BigInt(tou.flat),
    kwh_valley_milli: tou && BigInt(tou.valley), demand_milli: rebill.demandMilli === null ? null : BigInt(rebill.demandMilli),
    kvarh_milli: rebill.kvarhMilli === null ? null : BigInt(rebill.kvarhMilli), amount_minor: BigInt(rebill.priced.totalMinor),
    tax_included_minor: BigInt(rebill.priced.taxIncludedMinor), context_key: BigInt(rebill.contextKey), read_flags: rebill.readFlags,
  });
  for (const [seq, item] of rebill.priced.lineItems.entries()) {
    await connection.run(SQL['insert-line-item']!, {
      account_key: plan.accountKey, period: plan.periodKey, bill_version: rebill.billVersion, seq,
      charge_key: BigInt(chargeKey(item)), quantity_milli: BigInt(item.quantityMilli), amount_minor: BigInt(item.amountMinor),
    });
  }
  for (const read of rebill.reads) {
    await connection.run(SQL['insert-reading']!, {
      meter_key: read.meterKey, read_at: read.readAt, register: read.register, value_milli: BigInt(read.valueMilli),
      read_type: read.readType, decision_id: decisionId,
    });
  }
}

function chargeKey(item: LineItem): number {
  return dimensionKey([item.component, item.label, item.unit, item.rate, item.tariffId, item.tariffVersion]);
}

// Dimension rows are shared by every bill; two decisions registering the same new row at once
// would both insert it (an insert is no write conflict in DuckDB), so registration is one at a time.
let dimensionLane: Promise<unknown> = Promise.resolve();

/**
 * Registers the charges and bill contexts the re-bills use, in their own transaction before the
 * decisions' (a dimension row names a text, whether or not a bill uses it yet).
 */
export function registerDimensions(store: Store, rebills: readonly Rebill[]): Promise<void> {
  const work = dimensionLane.then(() => writeDimensions(store, rebills));
  dimensionLane = work.catch(() => undefined);
  return work;
}

async function writeDimensions(store: Store, rebills: readonly Rebill[]): Promise<void> {
  const charges = new Map<number, string[]>();
  const contexts = new Map<number, string[]>();
  for (const rebill of rebills) {
    for (const item of rebill.priced.lineItems) {
      charges.set(chargeKey(item), [item.component, item.label, item.unit, item.rate, item.tariffId, item.tariffVersion]);
    }
    contexts.set(rebill.contextKey, [rebill.tariffId, rebill.priced.versions.join('+'), rebill.priced.currency]);
  }
  await store.transaction(async (connection) => {
    for (const [key, text] of charges) {
      const known = (await rows(connection, SQL.charge!, { key: BigInt(key) }))[0];
      if (known) {
        assertSameText(key, Object.values(known).map(String), text);
        continue;
      }
      const [component, label, unit, rate, tariffId, tariffVersion] = text as [string, string, string, string, string, string];
      await connection.run(SQL['insert-charge']!, {
        key: BigInt(key), component, label, unit, rate, tariff_id: tariffId, tariff_version: tariffVersion,
      });
    }
    for (const [key, text] of contexts) {
      const known = (await rows(connection, SQL.context!, { key: BigInt(key) }))[0];
      if (known) {
        assertSameText(key, Object.values(known).map(String), text);
        continue;
      }
      const [tariffId, versions, currency] = text as [string, string, string];
      await connection.run(SQL['insert-context']!, { key: BigInt(key), tariff_id: tariffId, versions, currency });
    }
  });
}

function assertSameText(key: number, stored: string[], text: string[]): void {
  if (stored.join('\u0001') !== text.join('\u0001')) {
    throw new Error(`dimension key collision: ${key} names both '${stored.join(' | ')}' and '${text.join(' | ')}'`);
  }
}

function problemError(p: DecisionProblem, request: DecisionRequest): FatalError {
  return new FatalError(`${request.accountId} ${request.period}: ${p.message}`, p.exitCode);
}

/** A session on its own connection, so concurrent decisions are concurrent transactions. */
export async function openSession(store: Store): Promise<ReviewSession> {
  const connection = await store.instance.connect();
  await defineReadDerivation(connection);
  return { connection, tariffs: new Map() };
}

/** Checks and applies one decision in one transaction. */
export async function decide(store: Store, request: DecisionRequest, now: Date): Promise<DecisionRecord> {
  const session = await openSession(store);
  let plan: PlannedDecision | undefined;
  try {
    return await inTransaction(session.connection, async () => {
      const checked = await planDecision(session, request);
      if (isProblem(checked)) throw problemError(checked, request);
      plan = checked;
      if (plan.rebill) await registerDimensions(store, [plan.rebill]);
      return applyDecision(session.connection, plan, now);
    });
  } catch (error) {
    if (plan && isWriteConflict(error)) throw conflict(plan);
    throw error;
  } finally {
    session.connection.closeSync();
  }
}
