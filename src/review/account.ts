// Everything a reviewer looks at for one account and period: the account, its kWh/day history,
// the reads and the determinants they give, the line items, every reason with its numbers, how
// its peers moved, and the decisions taken on it before.
import type { IntervalCounts } from '../../schemas/bill.js';
import type { ReadType, Register } from '../../schemas/inputs.js';
import { readFlagNames, type ReadFlag } from '../../schemas/review.js';
import { addPeriods, periodFromKey, periodKey, requireBillingPeriod, shiftPeriod } from '../calendar/index.js';
import { assertPeriodBilled, BASELINE_PERIODS, baselineParams, defineReadDerivation, HISTORY_REACH_PERIODS } from '../billing/index.js';
import { FatalError } from '../diagnostics/index.js';
import { sqlStatements, type Store } from '../store/index.js';
import { deriveQuantities } from './correction.js';
import { billVersion, periodRegisters, type BillVersion } from './decide.js';
import { groupPeerChange, type PeerSource } from './peers.js';

const SQL = sqlStatements(import.meta.url, 'review.sql');
/** Periods of history shown: the period and the 15 before it (13+ for a year-on-year view). */
export const HISTORY_PERIODS = 16;

/**
 * Top of a history chart's scale: a misread can be 1000× the usual month, which would flatten
 * every other bar, so a flagged value above 3× the other months' highest is cut at 1.5× it.
 */
export function historyScaleMax(others: readonly (number | null)[], flagged: number | null): number | undefined {
  const usual = Math.max(0, ...others.map((v) => v ?? 0));
  return usual > 0 && flagged !== null && flagged > 3 * usual ? 1.5 * usual : undefined;
}

export interface AccountInfo {
  accountKey: number;
  accountId: string;
  name: string;
  address: string;
  customerClass: string;
  tariffId: string;
  region: string;
  meterId: string;
  multiplier: string;
  registerDigits: number;
  householdSize: number | null;
  startDate: string;
  endDate: string | null;
  contractKva: number | null;
  pfStandard: number | null;
  previousMeterId: string | null;
  meterExchangedAt: string | null;
}

export interface HistoryPoint {
  period: string;
  /** kWh per day; null when the period has no bill. */
  kwhPerDay: number | null;
  status: string | null;
  reviewed: boolean;
  /** The bill counts toward the account's baseline (migration 004's trusted_bills). */
  trusted: boolean;
}

/** What the usage rules compared the period with, and an open level shift's history. */
export interface LevelHistory {
  /** The baseline's trusted periods (the 12 latest with kWh within three years), their median kWh/day, and the latest trusted period. */
  trustedPeriods: number;
  trustedKwhPerDay: number | null;
  lastTrusted: string | null;
  /** The period a reviewer accepted a new level from: history before it no longer counts. */
  acceptedFrom: string | null;
  /** Bills on actual reads since the last trusted one (this one included): null when there are none. */
  shift: { since: string; bills: number; releases: string | null } | null;
}

export async function levelHistory(store: Store, accountKey: number, period: string): Promise<LevelHistory> {
  const r = (await store.rows(SQL['level-history']!, { account_key: accountKey, period: periodKey(period), ...baselineParams(period) }))[0]!;
  const bills = Number(r.shift_bills);
  return {
    trustedPeriods: Number(r.trusted_periods),
    trustedKwhPerDay: r.trusted_kpd === null ? null : Number(r.trusted_kpd) / 1000,
    lastTrusted: r.last_trusted === null ? null : periodFromKey(Number(r.last_trusted)),
    acceptedFrom: r.accepted_from === null ? null : periodFromKey(Number(r.accepted_from)),
    shift: bills > 0 && r.shift_since !== null
      ? { since: periodFromKey(Number(r.shift_since)), bills, releases: (r.releases as string | null) ?? null } : null,
  };
}

const REACH_YEARS = HISTORY_REACH_PERIODS / 12;

/** One line each on the trusted baseline and an open level shift, as `review show` and the report print them. */
export function levelLines(level: LevelHistory, meterExchangedAt: string | null): string[] {
  const accepted = level.acceptedFrom ? `; history starts at ${level.acceptedFrom}, where a reviewer accepted the level` : '';
  const lines = [level.trustedKwhPerDay === null
    ? `no trusted bill in the ${REACH_YEARS} years before${accepted}`
    : `median ${level.trustedKwhPerDay.toFixed(1)} kWh/day over ${level.trustedPeriods} trusted period(s) (the ${BASELINE_PERIODS} latest within ${REACH_YEARS} years), ` +
      `the last ${level.lastTrusted}${accepted}`];
  if (level.shift) {
    const exchange = meterExchangedAt && meterExchangedAt.slice(0, 7) <= level.shift.since.slice(0, 7) && meterExchangedAt >= `${addPeriods(level.shift.since, -1)}-01`
      ? ` (meter exchange on ${meterExchangedAt})` : '';
    lines.push(`open since ${level.shift.since}${exchange}: ${level.shift.bills} bill(s) off the baseline until a reviewer accepts the level or corrects them` +
      `${level.shift.releases ? `; ${level.shift.releases}` : ''}`);
  }
  return lines;
}

export interface Determinant {
  meterId: string;
  register: Register;
  openValue: number;
  openAt: string;
  /** Null when the meter opened in the period (its first read opens it). */
  openType: ReadType | null;
  closeValue: number;
  closeAt: string;
  closeType: ReadType;
  multiplier: number;
  /** Register units × multiplier, thousandths (Wh, varh, W). */
  quantityMilli: number;
}

export interface ReadRow {
  meterId: string;
  readAt: string;
  register: Register;
  valueMilli: number;
  readType: ReadType;
  /** Where the read came from: the input file, or the review decision that entered it. */
  source: string;
}

export interface LineItemRow {
  seq: number;
  component: string;
  label: string;
  unit: string;
  quantityMilli: number;
  rate: string;
  amountMinor: number;
}

export interface FlagRow {
  ruleId: string;
  severity: string;
  suppressed: boolean;
  score: number;
  reason: string;
}

export interface DecisionRow {
  decisionId: number;
  period: string;
  action: string;
  fromStatus: string;
  toStatus: string;
  billVersion: number;
  newBillVersion: number | null;
  amountBeforeMinor: number;
  amountAfterMinor: number | null;
  correction: unknown;
  reviewer: string;
  note: string;
  source: string;
  decidedAt: string;
}

export interface PeerChange {
  customerClass: string;
  region: string;
  peers: number;
  /** Median ratio of kWh/day to last month / the same month last year; null without peers. */
  mom: number | null;
  yoy: number | null;
  /** The account's own ratios. */
  ownMom: number | null;
  ownYoy: number | null;
}

export interface AccountReview {
  account: AccountInfo;
  period: string;
  /** The version under review (the flagged one; after a correction, the corrected one). */
  bill: BillVersion;
  /** The current version when it is not the reviewed one (a correction's re-bill). */
  rebill: BillVersion | null;
  meterEvents: ReadFlag[];
  /** Null for a bill priced from register reads; else the counts, with how the estimated ones were made. */
  intervals: (IntervalCounts & { interpolated: number; profiled: number; spikes: number }) | null;
  history: HistoryPoint[];
  level: LevelHistory;
  determinants: Determinant[];
  reads: ReadRow[];
  lineItems: LineItemRow[];
  rebillLineItems: LineItemRow[];
  flags: FlagRow[];
  peers: PeerChange;
  decisions: DecisionRow[];
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

async function findAccount(store: Store, accountId: string): Promise<AccountInfo> {
  const r = (await store.rows(SQL.account!, { account_id: accountId }))[0];
  if (!r) throw new FatalError(`unknown account '${accountId}'`);
  return {
    accountKey: Number(r.account_key),
    accountId: String(r.account_id),
    name: String(r.name),
    address: String(r.address),
    customerClass: String(r.customer_class),
    tariffId: String(r.tariff_id),
    region: String(r.region),
    meterId: String(r.meter_id),
    multiplier: String(r.multiplier).replace(/\.?0+$/, ''),
    registerDigits: Number(r.register_digits),
    householdSize: num(r.household_size),
    startDate: String(r.start_date),
    endDate: (r.end_date as string | null) ?? null,
    contractKva: num(r.contract_kva),
    pfStandard: num(r.pf_standard),
    previousMeterId: (r.previous_meter_id as string | null) ?? null,
    meterExchangedAt: (r.meter_exchanged_at as string | null) ?? null,
  };
}

/** `peers`: where the period's peer changes come from (the desk keeps them between requests). */
export async function accountReview(store: Store, accountId: string, period: string, peers: PeerSource = groupPeerChange): Promise<AccountReview> {
  const billing = requireBillingPeriod(period);
  const account = await findAccount(store, accountId);
  const key = billing.key;
  const versions = (await store.rows(SQL['bill-versions']!, { account_key: account.accountKey, period: key })).map(billVersion);
  if (versions.length === 0) {
    await assertPeriodBilled(store.connection, period);
    throw new FatalError(`account ${accountId} has no bill for ${period}`);
  }
  const current = versions.find((v) => v.isCurrent) ?? versions[0]!;
  const bill = versions.find((v) => (v.isCurrent || v.status === 'corrected') && (v.flagCount > 0 || v.status !== 'ready')) ?? current;
  const rebill = bill === current ? null : current;
  const at = { account_key: account.accountKey, period: key };

  const historyRows = await store.rows(SQL.history!, { ...at, from: shiftPeriod(billing, 1 - HISTORY_PERIODS).key, bill_version: bill.billVersion });
  const history = Array.from({ length: HISTORY_PERIODS }, (_, i): HistoryPoint => {
    const p = addPeriods(period, i + 1 - HISTORY_PERIODS);
    const rows = historyRows.filter((r) => periodFromKey(Number(r.period)) === p);
    const r = p === period ? rows.find((x) => Number(x.bill_version) === bill.billVersion) : rows[0];
    return {
      period: p, kwhPerDay: r && r.kpd !== null ? Number(r.kpd) / 1000 : null, status: r ? String(r.status) : null, reviewed: p === period,
      trusted: Boolean(r?.trusted),
    };
  });

  await defineReadDerivation(store.connection);
  const registers = await periodRegisters(store.connection, account.accountKey, billing);
  const determinants = registers.map((r): Determinant => {
    const q = deriveQuantities([r]);
    return {
      meterId: r.meterId, register: r.register, openValue: r.openValue, openAt: r.openAt, openType: r.priorType,
      closeValue: r.closeValue, closeAt: r.closeAt,
      closeType: r.closeType, multiplier: r.multiplierE4 / 10_000,
      quantityMilli: r.register === 'demand_kw' ? q.demandMilli! : r.register === 'reactive_kvarh' ? q.kvarhMilli! : q.kwhMilli,
    };
  });

  // The reads from the earliest opening read to the end of the period: those the bill took and
  // those between them (extra reads, reads outside a meter's service), with where each came from.
  const from = registers.map((x) => x.openAt).sort()[0] ?? billing.readWindow.first;
  const reads = (await store.rows(SQL.reads!, { account_key: account.accountKey, from, next: billing.readWindow.next }))
    .map((r): ReadRow => ({
      meterId: String(r.meter_id), readAt: String(r.read_at), register: r.register as Register, valueMilli: Number(r.value_milli),
      readType: r.read_type as ReadType,
      source: String(r.source),
    }));

  const lineItems = async (version: number) => (await store.rows(SQL['line-items']!, { ...at, bill_version: version })).map((r): LineItemRow => ({
    seq: Number(r.seq), component: String(r.component), label: String(r.label), unit: String(r.unit),
    quantityMilli: Number(r.quantity_milli), rate: String(r.rate), amountMinor: Number(r.amount_minor),
  }));
  const flags = (await store.rows(SQL.flags!, { ...at, bill_version: bill.billVersion })).map((r): FlagRow => ({
    ruleId: String(r.rule_id), severity: String(r.severity), suppressed: Boolean(r.suppressed), score: Number(r.score), reason: String(r.reason),
  }));
  const group = await peers(store, period, account.customerClass, account.region);
  const own = (offset: number) => {
    const base = history.at(-1 + offset)?.kwhPerDay;
    const now = history.at(-1)!.kwhPerDay;
    return base && now !== null && base > 0 ? now / base : null;
  };
  const counts = (await store.rows(SQL['bill-intervals']!, { ...at, bill_version: bill.billVersion }))[0];
  const intervals = counts ? {
    intervalMinutes: Number(counts.interval_minutes), actual: Number(counts.actual), estimated: Number(counts.estimated),
    missing: Number(counts.missing), interpolated: Number(counts.interpolated), profiled: Number(counts.profiled), spikes: Number(counts.spikes),
  } : null;
  const decisions = (await store.rows(SQL['account-decisions']!, { account_key: account.accountKey })).map((r): DecisionRow => ({
    decisionId: Number(r.decision_id), period: periodFromKey(Number(r.period)), action: String(r.action), fromStatus: String(r.from_status),
    toStatus: String(r.to_status), billVersion: Number(r.bill_version), newBillVersion: num(r.new_bill_version),
    amountBeforeMinor: Number(r.amount_before_minor), amountAfterMinor: num(r.amount_after_minor),
    correction: r.correction === null ? null : JSON.parse(String(r.correction)), reviewer: String(r.reviewer), note: String(r.note),
    source: String(r.source), decidedAt: String(r.decided_at),
  }));
  return {
    account, period, bill, rebill,
    meterEvents: readFlagNames(bill.readFlags),
    intervals,
    history, level: await levelHistory(store, account.accountKey, period), determinants, reads,
    lineItems: await lineItems(bill.billVersion),
    rebillLineItems: rebill ? await lineItems(rebill.billVersion) : [],
    flags,
    peers: {
      customerClass: account.customerClass, region: account.region, peers: group?.peers ?? 0,
      mom: group?.mom ?? null, yoy: group?.yoy ?? null, ownMom: own(-1), ownYoy: own(-12),
    },
    decisions,
  };
}
