// Pricing and scoring one batch of accounts: the work each billing worker thread does.
// Pure: typed columns in, typed columns and a few small objects out. An account that cannot be
// priced becomes an error row and the batch goes on.
import { CUSTOMER_CLASSES } from '../../schemas/inputs.js';
import type { LineItem, PricingInput } from '../../schemas/bill.js';
import type { AccountFeatures } from '../../schemas/review.js';
import { READ_FLAGS } from '../../schemas/review.js';
// From the module, not the stage's index: this runs in the billing workers, and the index's
// evaluation against labels would load DuckDB into each of them.
import { evaluateAccount } from '../anomaly/evaluate-account.js';
import { compileTariff, priceBill, type CompiledTariff } from '../tariff/index.js';
import { dimensionKey } from './keys.js';
import {
  OUTCOME, type ChargeDim, type ContextDim, type ErrorRow, type FlagRow, type PriceResult, type PriceTask, type TariffRef,
} from './protocol.js';

const compiled = new Map<string, CompiledTariff>();

function tariffFor(ref: TariffRef): CompiledTariff {
  const cacheKey = `${ref.tariffId}\u0001${ref.revision}`;
  let tariff = compiled.get(cacheKey);
  if (!tariff) {
    tariff = compileTariff(JSON.parse(ref.policy));
    compiled.set(cacheKey, tariff);
  }
  return tariff;
}

const nullIfNaN = (x: number) => (Number.isNaN(x) ? null : x);

export function priceBatch(task: PriceTask): PriceResult {
  const started = performance.now();
  const c = task.batch.columns;
  const n = task.batch.rowCount;
  const tariffs: (CompiledTariff | null)[] = [];
  const tariffErrors: (string | null)[] = [];
  for (const ref of task.tariffs) {
    try {
      tariffs[ref.code] = ref.policy ? tariffFor(ref) : null;
      tariffErrors[ref.code] = ref.policy ? null : `tariff ${ref.tariffId} is not loaded`;
    } catch (error) {
      tariffs[ref.code] = null;
      tariffErrors[ref.code] = `tariff ${ref.tariffId} cannot be compiled: ${(error as Error).message}`;
    }
  }

  const bills = {
    account_key: c.account_key.slice(0, n),
    outcome: new Uint8Array(n),
    amount_minor: new BigInt64Array(n),
    tax_included_minor: new BigInt64Array(n),
    context_key: new BigInt64Array(n),
    flag_count: new Int16Array(n),
    score: new Float64Array(n),
  };
  const amounts = int64Words(bills.amount_minor);
  const taxes = int64Words(bills.tax_included_minor);
  const contextKeys = int64Words(bills.context_key);
  const items = new LineItemBuffer(n * 6);
  const keys = new DimensionKeys();
  const flags: FlagRow[] = [];
  const errors: ErrorRow[] = [];
  const fail = (i: number, code: string, message: string) => {
    bills.outcome[i] = OUTCOME.error;
    errors.push({ accountKey: c.account_key[i]!, code, message });
  };

  for (let i = 0; i < n; i++) {
    const accountKey = c.account_key[i]!;
    const readFlags = c.read_flags[i]!;
    if (readFlags & READ_FLAGS.noReads) {
      fail(i, 'no_reads', `no meter read dated in ${task.period}`);
      continue;
    }
    if (c.days[i]! <= 0) {
      fail(i, 'no_opening_read', 'no opening read: the meter has only one read so far');
      continue;
    }
    const tariff = tariffs[c.tariff_code[i]!];
    if (!tariff) {
      fail(i, 'tariff_missing', tariffErrors[c.tariff_code[i]!] ?? 'tariff not loaded');
      continue;
    }
    const input = pricingInput(task, i);
    let priced;
    try {
      priced = priceBill(tariff, input);
    } catch (error) {
      const e = error as { code?: string; message?: string };
      fail(i, e.code ?? 'pricing_exception', e.message ?? String(error));
      continue;
    }
    let pricePrev: number | null = null;
    if (c.prev_days[i]! > 0) {
      try {
        const prevInput = { ...input, period: task.prevPeriod, startDay: c.prev_start[i]!, endDay: c.prev_start[i]! + c.days[i]! };
        pricePrev = priceBill(tariff, prevInput).totalMinor;
      } catch {
        pricePrev = null;
      }
    }

    const contextKey = keys.context(tariff.id, priced.versions, priced.currency);
    let seq = 0;
    for (const item of priced.lineItems) items.push(accountKey, seq++, keys.charge(item), item.quantityMilli, item.amountMinor);

    const accountFlags = evaluateAccount(features(task, i, priced.totalMinor, pricePrev, input), task.rules);
    let holding = false;
    let score = 0;
    let raised = 0;
    for (const flag of accountFlags) {
      flags.push({ accountKey, ...flag });
      if (!flag.suppressed) {
        raised++;
        score = Math.max(score, flag.score);
        if (flag.severity === 'hold') holding = true;
      }
    }
    bills.outcome[i] = holding ? OUTCOME.held : OUTCOME.billed;
    setInt64(amounts, i, priced.totalMinor);
    setInt64(taxes, i, priced.taxIncludedMinor);
    setInt64(contextKeys, i, contextKey);
    bills.flag_count[i] = raised;
    bills.score[i] = score;
  }
  return {
    batchNo: task.batchNo,
    rowCount: n,
    bills,
    lineItemCount: items.length,
    lineItems: items.columns(),
    charges: keys.charges(),
    contexts: keys.contexts(),
    flags,
    errors,
    priceMs: performance.now() - started,
  };
}

function pricingInput(task: PriceTask, i: number): PricingInput {
  const c = task.batch.columns;
  const tou = c.tou_source[i]! > 0;
  const demandTou = !Number.isNaN(c.demand_peak[i]!) || !Number.isNaN(c.demand_flat[i]!) || !Number.isNaN(c.demand_valley[i]!) || !Number.isNaN(c.demand_sharp[i]!);
  const household = c.household_size[i]!;
  return {
    period: task.period,
    startDay: c.start_day[i]!,
    endDay: c.end_day[i]!,
    customerClass: CUSTOMER_CLASSES[c.class_code[i]!]!,
    householdSize: household < 0 ? null : household,
    contractKva: nullIfNaN(c.contract_kva[i]!),
    pfStandard: nullIfNaN(c.pf_standard[i]!),
    // A reverse or garbage advance is billed as nothing: the flag holds the bill for a reviewer.
    kwhMilli: Math.max(0, c.kwh[i]!),
    touKwhMilli: tou
      ? { sharp: Math.max(0, c.kwh_sharp[i]!), peak: Math.max(0, c.kwh_peak[i]!), flat: Math.max(0, c.kwh_flat[i]!), valley: Math.max(0, c.kwh_valley[i]!) }
      : null,
    demandMilli: nullIfNaN(c.demand[i]!),
    touDemandMilli: demandTou
      ? { sharp: c.demand_sharp[i]! || 0, peak: c.demand_peak[i]! || 0, flat: c.demand_flat[i]! || 0, valley: c.demand_valley[i]! || 0 }
      : null,
    kvarhMilli: nullIfNaN(c.kvarh[i]!),
    ytdKwhMilli: c.ytd_kwh[i]!,
    ytdAmountMinor: c.ytd_amount[i]!,
  };
}

function features(task: PriceTask, i: number, amountMinor: number, pricePrevMinor: number | null, input: PricingInput): AccountFeatures {
  const c = task.batch.columns;
  const days = c.days[i]!;
  const kvarh = c.kvarh[i]!;
  const kwh = c.kwh[i]!;
  return {
    customerClass: input.customerClass,
    period: task.period,
    days,
    kwhMilli: kwh,
    touKwhMilli: nullIfNaN(c.tou_kwh[i]!),
    kpd: kwh / days,
    amountMinor,
    pricePrevMinor,
    prevKpd: nullIfNaN(c.prev_kpd[i]!),
    prevAmountMinor: nullIfNaN(c.prev_amount[i]!),
    prevDays: c.prev_days[i]! > 0 ? c.prev_days[i]! : null,
    yoyKpd: nullIfNaN(c.yoy_kpd[i]!),
    yoyAmountMinor: nullIfNaN(c.yoy_amount[i]!),
    baseMedianKpd: nullIfNaN(c.base_median[i]!),
    baseMadKpd: nullIfNaN(c.base_mad[i]!),
    baseLogMad: nullIfNaN(c.base_log_mad[i]!),
    baseMaxKpd: nullIfNaN(c.base_max[i]!),
    baseN: c.base_n[i]!,
    recentLogLevel: nullIfNaN(c.recent_log_level[i]!),
    recentN: c.recent_n[i]!,
    yoyRecentLogLevel: nullIfNaN(c.yoy_recent_log_level[i]!),
    peerMom: nullIfNaN(c.peer_mom[i]!),
    peerYoy: nullIfNaN(c.peer_yoy[i]!),
    peerBase: nullIfNaN(c.peer_base[i]!),
    peerN: c.peer_n[i]!,
    classMom: nullIfNaN(c.class_mom[i]!),
    classYoy: nullIfNaN(c.class_yoy[i]!),
    classBase: nullIfNaN(c.class_base[i]!),
    classN: c.class_n[i]!,
    peerSpread: nullIfNaN(c.peer_spread[i]!),
    classSpread: nullIfNaN(c.class_spread[i]!),
    levelScale: c.level_scale[i]!,
    shiftScale: c.shift_scale[i]!,
    peerDemand: nullIfNaN(c.peer_demand[i]!),
    classDemand: nullIfNaN(c.class_demand[i]!),
    regionMom: nullIfNaN(c.region_mom[i]!),
    regionYoy: nullIfNaN(c.region_yoy[i]!),
    regionBase: nullIfNaN(c.region_base[i]!),
    regionN: c.region_n[i]!,
    readFlags: c.read_flags[i]!,
    estStreak: c.est_streak[i]!,
    estKwhMilli: c.est_kwh[i]!,
    estDays: c.est_days[i]!,
    lastActualKpd: nullIfNaN(c.last_actual_kpd[i]!),
    lastKpd: nullIfNaN(c.last_kpd[i]!),
    shiftSince: c.shift_since[i]! > 0 ? c.shift_since[i]! : null,
    shiftN: c.shift_n[i]!,
    shiftReadFlags: c.shift_flags[i]!,
    shiftReleased: c.shift_released[i]!,
    demandMilli: nullIfNaN(c.demand[i]!),
    demandMedianMilli: nullIfNaN(c.demand_median[i]!),
    pf: Number.isNaN(kvarh) || kwh <= 0 ? null : Math.round((100 * kwh) / Math.sqrt(kwh * kwh + kvarh * kvarh)) / 100,
    pfMedian: nullIfNaN(c.pf_median[i]!),
    yoyLevelKpd: nullIfNaN(c.yoy_level[i]!),
    sinceLowKpd: nullIfNaN(c.since_low[i]!),
    sinceHighKpd: nullIfNaN(c.since_high[i]!),
    capacityMilli: nullIfNaN(c.capacity[i]!),
  };
}

/**
 * Keys of the charges and bill contexts a batch uses. The engine's labels, units and rates are
 * the same string objects for every bill of a tariff, so lookups by them hit V8's cached string
 * hashes; hashing the text for every line item cost more than pricing the bill.
 */
class DimensionKeys {
  private readonly byLabel = new Map<string, { item: LineItem; key: number }[]>();
  private readonly chargeRows = new Map<number, ChargeDim>();
  private readonly byTariff = new Map<string, Map<string, number>>();
  private readonly contextRows = new Map<number, ContextDim>();

  charge(item: LineItem): number {
    let entries = this.byLabel.get(item.label);
    if (!entries) this.byLabel.set(item.label, (entries = []));
    for (const entry of entries) {
      const known = entry.item;
      if (known.rate === item.rate && known.component === item.component && known.unit === item.unit
        && known.tariffId === item.tariffId && known.tariffVersion === item.tariffVersion) return entry.key;
    }
    const key = dimensionKey([item.component, item.label, item.unit, item.rate, item.tariffId, item.tariffVersion]);
    entries.push({ item, key });
    this.chargeRows.set(key, {
      key, component: item.component, label: item.label, unit: item.unit, rate: item.rate,
      tariffId: item.tariffId, tariffVersion: item.tariffVersion,
    });
    return key;
  }

  context(tariffId: string, versionList: readonly string[], currency: string): number {
    const versions = versionList.length === 1 ? versionList[0]! : versionList.join('+');
    let byVersions = this.byTariff.get(tariffId);
    if (!byVersions) this.byTariff.set(tariffId, (byVersions = new Map()));
    let key = byVersions.get(versions);
    if (key === undefined) {
      key = dimensionKey([tariffId, versions, currency]);
      byVersions.set(versions, key);
      this.contextRows.set(key, { key, tariffId, versions, currency });
    }
    return key;
  }

  charges(): ChargeDim[] {
    return [...this.chargeRows.values()];
  }

  contexts(): ContextDim[] {
    return [...this.contextRows.values()];
  }
}

/** The 32-bit halves of a BigInt64Array, written from plain numbers without allocating BigInts. */
function int64Words(array: BigInt64Array): Int32Array {
  return new Int32Array(array.buffer, array.byteOffset, array.length * 2);
}

/** Stores an integer |x| < 2^53 at index i (little-endian two's complement). */
function setInt64(words: Int32Array, i: number, x: number): void {
  const high = Math.floor(x / 4294967296);
  words[2 * i] = (x - high * 4294967296) | 0;
  words[2 * i + 1] = high;
}

/** Growable columnar buffer of line items. */
class LineItemBuffer {
  length = 0;
  private accountKey: Int32Array;
  private seq: Int16Array;
  private chargeKey: BigInt64Array;
  private quantity: BigInt64Array;
  private amount: BigInt64Array;
  private chargeWords!: Int32Array;
  private quantityWords!: Int32Array;
  private amountWords!: Int32Array;

  constructor(capacity: number) {
    this.accountKey = new Int32Array(capacity);
    this.seq = new Int16Array(capacity);
    this.chargeKey = new BigInt64Array(capacity);
    this.quantity = new BigInt64Array(capacity);
    this.amount = new BigInt64Array(capacity);
    this.words();
  }

  private words(): void {
    this.chargeWords = int64Words(this.chargeKey);
    this.quantityWords = int64Words(this.quantity);
    this.amountWords = int64Words(this.amount);
  }

  push(accountKey: number, seq: number, chargeKey: number, quantityMilli: number, amountMinor: number): void {
    if (this.length === this.accountKey.length) this.grow();
    const at = this.length++;
    this.accountKey[at] = accountKey;
    this.seq[at] = seq;
    setInt64(this.chargeWords, at, chargeKey);
    setInt64(this.quantityWords, at, quantityMilli);
    setInt64(this.amountWords, at, amountMinor);
  }

  private grow(): void {
    const size = Math.max(1024, this.accountKey.length * 2);
    const grow = <T extends Int32Array | Int16Array | BigInt64Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a as never);
      return b;
    };
    this.accountKey = grow(this.accountKey, (k) => new Int32Array(k));
    this.seq = grow(this.seq, (k) => new Int16Array(k));
    this.chargeKey = grow(this.chargeKey, (k) => new BigInt64Array(k));
    this.quantity = grow(this.quantity, (k) => new BigInt64Array(k));
    this.amount = grow(this.amount, (k) => new BigInt64Array(k));
    this.words();
  }

  columns() {
    const n = this.length;
    return {
      account_key: this.accountKey.slice(0, n),
      seq: this.seq.slice(0, n),
      charge_key: this.chargeKey.slice(0, n),
      quantity_milli: this.quantity.slice(0, n),
      amount_minor: this.amount.slice(0, n),
    };
  }
}
