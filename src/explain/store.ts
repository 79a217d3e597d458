// The store side of explanations: the bills to compare, the peers' change and the tariffs, read
// with explain.sql, then explained in JavaScript (pure: waterfall.ts, wording.ts).
import type { PricingInput } from '../../schemas/bill.js';
import { type BillPoint, type Comparison, type Explanation, type ExplainSettings } from '../../schemas/explanation.js';
import type { CustomerClass } from '../../schemas/inputs.js';
import type { ReviewRules } from '../../schemas/rules.js';
import { loadRules } from '../anomaly/index.js';
import { addPeriods, isoDate, periodFromKey, periodKey } from '../calendar/index.js';
import { sqlStatements, type Store } from '../store/index.js';
import { compileTariff, type CompiledTariff } from '../tariff/index.js';
import { comparisonFor, explainChange } from './explanation.js';
import type { ChangeInput, PricedPoint } from './waterfall.js';

const SQL = sqlStatements(import.meta.url, 'explain.sql');

/** What decides which bills are explained and which peer groups are trusted. */
export interface ExplainRules {
  settings: ExplainSettings;
  /** Accounts a class × region group needs for its own median; smaller groups use the class's. */
  minPeers: (customerClass: CustomerClass) => number;
}

/** The rules' thresholds; without rules, those of the shipped rules file. */
export function explainRules(rules: ReviewRules = loadRules(undefined)): ExplainRules {
  return { settings: rules.explain, minPeers: (c) => rules.classes[c].min_peers };
}

interface StoredBill {
  role: 'cur' | 'first' | 'p1' | 'p12';
  period: number;
  start_day: number;
  end_day: number;
  kwh: number;
  sharp: number | null;
  peak: number | null;
  flat: number | null;
  valley: number | null;
  demand: number | null;
  kvarh: number | null;
  amount: number;
  read_flags: number;
  tariff_id: string;
  currency: string;
}

interface PeerChange {
  mom: number | null;
  momN: number;
  yoy: number | null;
  yoyN: number;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function periodParams(period: string) {
  const p1 = addPeriods(period, -1);
  const p12 = addPeriods(period, -12);
  const january = (p: string) => periodKey(`${p.slice(0, 4)}-01`);
  return {
    period: periodKey(period), p1: periodKey(p1), p12: periodKey(p12),
    year_start: january(period), year_start_p1: january(p1), year_start_p12: january(p12),
  };
}

class Tariffs {
  private readonly compiled = new Map<string, CompiledTariff | null>();
  constructor(private readonly policies: Map<string, string>) {}

  get(tariffId: string): CompiledTariff | null {
    let tariff = this.compiled.get(tariffId);
    if (tariff === undefined) {
      const policy = this.policies.get(tariffId);
      try {
        tariff = policy ? compileTariff(JSON.parse(policy)) : null;
      } catch {
        tariff = null;
      }
      this.compiled.set(tariffId, tariff);
    }
    return tariff;
  }
}

async function loadTariffs(store: Store): Promise<Tariffs> {
  const rows = await store.rows(SQL.tariffs!);
  return new Tariffs(new Map(rows.map((r) => [String(r.tariff_id), String(r.policy)])));
}

async function loadPeers(store: Store, params: Record<string, number>): Promise<Map<string, PeerChange>> {
  const rows = await store.rows(SQL.peers!, params);
  return new Map(rows.map((r) => [`${String(r.customer_class)}\u0001${r.region === null ? '' : String(r.region)}`, {
    mom: num(r.mom), momN: Number(r.mom_n), yoy: num(r.yoy), yoyN: Number(r.yoy_n),
  }]));
}

/** The peers' ratio of kWh per day: the class × region group's, or the class's when the group is small. */
function peerRatio(peers: Map<string, PeerChange>, customerClass: CustomerClass, region: string, against: Comparison, minPeers: number): number | null {
  const pick = (p: PeerChange | undefined) => (p ? (against === 'last_month' ? { ratio: p.mom, n: p.momN } : { ratio: p.yoy, n: p.yoyN }) : null);
  const group = pick(peers.get(`${customerClass}\u0001${region}`));
  if (group && group.ratio !== null && group.n >= minPeers) return group.ratio;
  const whole = pick(peers.get(`${customerClass}\u0001`));
  return whole && whole.ratio !== null && whole.n >= minPeers ? whole.ratio : null;
}

interface Account {
  accountId: string;
  customerClass: CustomerClass;
  region: string;
  householdSize: number | null;
  contractKva: number | null;
  pfStandard: number | null;
}

function pricingInput(b: StoredBill, a: Account, ytdKwh: unknown, ytdAmount: unknown): PricingInput {
  const hasTou = b.sharp !== null || b.peak !== null || b.flat !== null || b.valley !== null;
  return {
    period: periodFromKey(b.period),
    startDay: b.start_day,
    endDay: b.end_day,
    customerClass: a.customerClass,
    householdSize: a.householdSize,
    contractKva: a.contractKva,
    pfStandard: a.pfStandard,
    // As the bill run prices them: a reverse advance bills nothing.
    kwhMilli: Math.max(0, b.kwh),
    touKwhMilli: hasTou
      ? { sharp: Math.max(0, b.sharp ?? 0), peak: Math.max(0, b.peak ?? 0), flat: Math.max(0, b.flat ?? 0), valley: Math.max(0, b.valley ?? 0) }
      : null,
    demandMilli: b.demand,
    touDemandMilli: null,
    kvarhMilli: b.kvarh,
    ytdKwhMilli: Number(ytdKwh ?? 0),
    ytdAmountMinor: Number(ytdAmount ?? 0),
  };
}

export interface ExplainPeriodOptions {
  rules?: ReviewRules;
  /** Only this account; every bill of the period when absent. */
  accountId?: string;
  /** Explain against last month (else last year) even when the change is not notable. */
  always?: boolean;
  /** Account keys read per query (default 50,000: a few tens of MB of rows whatever the period's size). */
  keysPerRange?: number;
}

export interface PeriodExplanations {
  /** Current bills of the period. */
  bills: number;
  /** Bills with an earlier bill (last month or last year) to compare with. */
  comparable: number;
  /** Read and made one range of accounts at a time, so a million of them never sit in memory together. */
  explanations: AsyncIterable<Explanation>;
}

/** Explanations of the period's notable changes (or of one account's bill), in account key order. */
export async function explainPeriod(store: Store, period: string, options: ExplainPeriodOptions = {}): Promise<PeriodExplanations> {
  const rules = explainRules(options.rules);
  const params = periodParams(period);
  const account = options.accountId ?? null;
  // One connection runs one statement at a time: these go in turn, never concurrently.
  const [counts] = await store.rows(SQL.counts!, { period: params.period, p1: params.p1, p12: params.p12, account });
  const peers = await loadPeers(store, { period: params.period, p1: params.p1, p12: params.p12 });
  const tariffs = await loadTariffs(store);
  const context: RowContext = { rules, peers, tariffs, always: Boolean(options.always) };
  const keyHi = Number(counts!.key_hi);
  const step = options.keysPerRange ?? 50_000;
  async function* explanations(): AsyncGenerator<Explanation> {
    for (let lo = Number(counts!.key_lo); lo < keyHi; lo += step) {
      const rows = await store.rows(SQL.bills!, { ...params, account, key_lo: lo, key_hi: lo + step });
      for (const row of rows) {
        const explanation = explainRow(row, context);
        if (explanation) yield explanation;
      }
    }
  }
  return { bills: Number(counts!.bills), comparable: Number(counts!.comparable), explanations: explanations() };
}

interface RowContext {
  rules: ExplainRules;
  peers: Map<string, PeerChange>;
  tariffs: Tariffs;
  always: boolean;
}

function explainRow(row: Record<string, unknown>, { rules, peers, tariffs, always }: RowContext): Explanation | null {
  const account: Account = {
    accountId: String(row.account_id),
    customerClass: String(row.customer_class) as CustomerClass,
    region: String(row.region),
    householdSize: num(row.household_size),
    contractKva: num(row.contract_kva),
    pfStandard: num(row.pf_standard),
  };
  const bills = new Map((JSON.parse(String(row.bills)) as StoredBill[]).map((b) => [b.role, b]));
  const cur = bills.get('cur');
  if (!cur) return null;
  const p1 = bills.get('p1') ?? null;
  const p12 = bills.get('p12') ?? null;
  const notableAgainst = comparisonFor(cur.amount, p1?.amount ?? null, p12?.amount ?? null, rules.settings);
  const against = notableAgainst ?? (always ? (p1 ? 'last_month' : p12 ? 'last_year' : null) : null);
  if (!against) return null;
  const earlier = against === 'last_month' ? p1! : p12!;
  const curTariff = tariffs.get(cur.tariff_id);
  const earlierTariff = tariffs.get(earlier.tariff_id);
  const point = (b: StoredBill, tariff: CompiledTariff | null, ytdKwh: unknown, ytdAmount: unknown): PricedPoint | null =>
    tariff && { input: pricingInput(b, account, ytdKwh, ytdAmount), amountMinor: b.amount, readFlags: b.read_flags, tariff };
  const current = point(cur, curTariff, row.ytd_kwh_cur, row.ytd_amount_cur);
  const previous = against === 'last_month'
    ? point(earlier, earlierTariff, row.ytd_kwh_p1, row.ytd_amount_p1)
    : point(earlier, earlierTariff, row.ytd_kwh_p12, row.ytd_amount_p12);
  const bill = { accountId: account.accountId, customerClass: account.customerClass, region: account.region, currency: cur.currency };
  const notable = notableAgainst !== null;
  // Without a tariff to re-price with, the whole change is one unexplained cause.
  if (!current || !previous) return explainChange(bill, unpriceable(against, earlier, cur, account, curTariff ?? earlierTariff), notable);
  const first = bills.get('first');
  return explainChange(bill, {
    against,
    previous,
    current,
    firstRead: first ? { input: pricingInput(first, account, row.ytd_kwh_cur, row.ytd_amount_cur), readFlags: first.read_flags } : null,
    peerRatio: peerRatio(peers, account.customerClass, account.region, against, rules.minPeers(account.customerClass)),
    estimatesBefore: row.est_bills === null || row.est_bills === undefined
      ? null
      : { bills: Number(row.est_bills), kwhMilli: Number(row.est_kwh), days: Number(row.est_days) },
    meterExchangeDate: row.exchanged_day === null || row.exchanged_day === undefined ? null : isoDate(Number(row.exchanged_day)),
  }, notable);
}

/** A change whose tariff is gone: both ends as stored, nothing re-priced (everything is `other`). */
function unpriceable(against: Comparison, earlier: StoredBill, cur: StoredBill, account: Account, tariff: CompiledTariff | null): ChangeInput {
  const point = (b: StoredBill): PricedPoint => ({
    input: pricingInput(b, account, 0, 0), amountMinor: b.amount, readFlags: b.read_flags, tariff: tariff ?? EMPTY_TARIFF,
  });
  return { against, previous: point(earlier), current: point(cur), firstRead: null, peerRatio: null, estimatesBefore: null, meterExchangeDate: null };
}

const EMPTY_TARIFF: CompiledTariff = {
  id: '', name: '', currency: 'CNY', minorDigits: 2, moneyMilli: 10, perLine: false, perBill: false, billScale: 0, versions: [], usesPowerFactor: false,
};

/**
 * One account's bill of `period` explained against last month (else the same month last year),
 * notable or not, with the account's 13-period history: what an agent's screen shows. Null when
 * the account has no current bill of the period or no earlier bill to compare it with.
 */
export async function explainBill(store: Store, accountId: string, period: string, rules?: ReviewRules): Promise<Explanation | null> {
  const { explanations } = await explainPeriod(store, period, { rules, accountId, always: true });
  let explanation: Explanation | undefined;
  for await (const e of explanations) explanation ??= e;
  if (!explanation) return null;
  const rows = await store.rows(SQL.history!, { account: accountId, period: periodKey(period), p12: periodKey(addPeriods(period, -12)) });
  const history: BillPoint[] = rows.map((r) => ({
    period: periodFromKey(Number(r.period)), days: Number(r.days), kwhMilli: Number(r.kwh), amountMinor: Number(r.amount),
  }));
  return { ...explanation, history };
}
