// One statement's facts (schemas/statement.ts) from a batch's columns. Every format renders from
// this object, so the HTML, the text and the JSON of an account can never disagree.
import { BILL_STATUSES, HELD_STATUSES, type LineComponent } from '../../schemas/bill.js';
import { CUSTOMER_CLASSES, READ_TYPES, REGISTERS } from '../../schemas/inputs.js';
import { readFlagNames } from '../../schemas/review.js';
import {
  STATEMENT_SCHEMA_ID, STATEMENT_SCHEMA_VERSION, type MeterReads, type RegisterReads, type Statement, type UsagePoint,
} from '../../schemas/statement.js';
import { localized, type StatementLocale, type UtilityConfig } from '../../schemas/utility.js';
import { addPeriods, isoDate } from '../calendar/index.js';
import { roundHalfUpDiv } from '../money/index.js';
import { powerFactorHundredths } from '../tariff/index.js';
import type { ChargeDim, ContextDim, StatementTask } from './protocol.js';

const HISTORY_MONTHS = 12;
const UNSENT = new Set<string>(HELD_STATUSES);

/** Index ranges of each account's rows in a table sorted by ordinal: rows of account i are [start[i], start[i + 1]). */
export function rowRanges(accountOrdinals: Int32Array, accounts: number, rowOrdinals: Int32Array, rows: number): Int32Array {
  for (let r = 1; r < rows; r++) {
    if (rowOrdinals[r]! < rowOrdinals[r - 1]!) throw new Error(`statement rows out of ordinal order at row ${r}`);
  }
  const start = new Int32Array(accounts + 1);
  let r = 0;
  for (let i = 0; i < accounts; i++) {
    const ordinal = accountOrdinals[i]!;
    while (r < rows && rowOrdinals[r]! < ordinal) r++;
    start[i] = r;
    while (r < rows && rowOrdinals[r]! === ordinal) r++;
  }
  start[accounts] = r;
  return start;
}

/** What every statement of a batch shares: decoded dimensions, the utility in this locale, row ranges. */
export interface BatchModel {
  task: StatementTask;
  period: string;
  locale: StatementLocale;
  utility: Statement['utility'];
  dueDays: number;
  charges: Map<number, ChargeDim>;
  contexts: Map<number, ContextDim & { versionList: string[] }>;
  lineStart: Int32Array;
  readStart: Int32Array;
  historyStart: Int32Array;
  /** The 13 periods of the usage chart, oldest first. */
  usagePeriods: string[];
  /** ISO text of an epoch day; the accounts of a batch share a few dozen read dates. */
  isoDate: (day: number) => string;
}

export function batchModel(task: StatementTask): BatchModel {
  const { settings, accounts, lines, reads, history } = task;
  const n = accounts.rowCount;
  const ordinals = accounts.columns.ordinal;
  return {
    task,
    period: settings.period,
    locale: settings.locale,
    utility: resolveUtility(settings.utility, settings.locale),
    dueDays: settings.utility.payment.due_days,
    charges: new Map(settings.charges.map((c) => [c.key, c])),
    contexts: new Map(settings.contexts.map((c) => [c.key, { ...c, versionList: c.versions.split('+') }])),
    lineStart: rowRanges(ordinals, n, lines.columns.ordinal, lines.rowCount),
    readStart: rowRanges(ordinals, n, reads.columns.ordinal, reads.rowCount),
    historyStart: rowRanges(ordinals, n, history.columns.ordinal, history.rowCount),
    usagePeriods: Array.from({ length: HISTORY_MONTHS + 1 }, (_, k) => addPeriods(settings.period, k - HISTORY_MONTHS)),
    isoDate: memoised(isoDate),
  };
}

function memoised(format: (day: number) => string): (day: number) => string {
  const known = new Map<number, string>();
  return (day) => {
    let text = known.get(day);
    if (text === undefined) {
      text = format(day);
      known.set(day, text);
    }
    return text;
  };
}

function resolveUtility(utility: UtilityConfig, locale: StatementLocale): Statement['utility'] {
  return {
    name: localized(utility.name, locale),
    address: utility.address.map((line) => localized(line, locale)),
    phone: utility.phone,
    email: utility.email ?? null,
    website: utility.website ?? null,
    taxId: utility.tax_id ?? null,
    paymentInstructions: localized(utility.payment.instructions, locale),
  };
}

const nullable = (x: number): number | null => (Number.isNaN(x) ? null : x);

function whPerDay(kwhMilli: number | null, days: number | null): number | null {
  if (kwhMilli === null || days === null || days <= 0) return null;
  return roundHalfUpDiv(kwhMilli, days);
}

function usagePoint(period: string, days: number | null, kwhMilli: number | null, amountMinor: number | null): UsagePoint {
  return { period, days, kwhMilli, whPerDay: whPerDay(kwhMilli, days), amountMinor };
}

/** Percent change of kWh per day, one decimal; null when there is nothing to compare with. */
function change(current: UsagePoint, earlier: UsagePoint | null): number | null {
  if (!earlier || earlier.whPerDay === null || earlier.whPerDay <= 0 || current.whPerDay === null) return null;
  return Math.round(((current.whPerDay - earlier.whPerDay) / earlier.whPerDay) * 1000) / 10;
}

/** The statement of account row `i` of the batch. */
export function buildStatement(batch: BatchModel, i: number): Statement {
  const a = batch.task.accounts.columns;
  const context = batch.contexts.get(a.context_key[i]!)!;
  const status = BILL_STATUSES[a.status_code[i]!]!;
  const days = a.days[i]!;
  const kwh = a.kwh[i]!;
  const amount = a.amount[i]!;
  const endDay = a.end_date[i]!;

  const current = usagePoint(batch.period, days, kwh, amount);
  const usage: UsagePoint[] = batch.usagePeriods.map((period) => usagePoint(period, null, null, null));
  usage[HISTORY_MONTHS] = current;
  const h = batch.task.history.columns;
  for (let r = batch.historyStart[i]!; r < batch.historyStart[i + 1]!; r++) {
    const back = h.back[r]!;
    if (back >= 1 && back <= HISTORY_MONTHS) usage[HISTORY_MONTHS - back] = usagePoint(batch.usagePeriods[HISTORY_MONTHS - back]!, h.days[r]!, h.kwh[r]!, h.amount[r]!);
  }
  const previousMonth = usage[HISTORY_MONTHS - 1]!.days === null ? null : usage[HISTORY_MONTHS - 1]!;
  const sameMonthLastYear = usage[0]!.days === null ? null : usage[0]!;

  const { meters, exchange } = meterReads(batch, i);
  const touKwh = [a.kwh_sharp[i]!, a.kwh_peak[i]!, a.kwh_flat[i]!, a.kwh_valley[i]!];
  const demand = nullable(a.demand[i]!);
  const kvarh = nullable(a.kvarh[i]!);
  const pf = kvarh === null ? -1 : powerFactorHundredths(kwh, kvarh);
  const replaces = a.replaces_version[i]!;

  return {
    schema: STATEMENT_SCHEMA_ID,
    schemaVersion: STATEMENT_SCHEMA_VERSION,
    locale: batch.locale,
    draft: UNSENT.has(status),
    utility: batch.utility,
    account: {
      id: a.account_id[i]!,
      name: a.name[i]!,
      serviceAddress: a.address[i]!,
      customerClass: CUSTOMER_CLASSES[a.class_code[i]!]!,
      region: a.region[i]!,
    },
    tariff: { id: context.tariffId, name: context.tariffName, versions: context.versionList },
    bill: {
      period: batch.period,
      version: a.bill_version[i]!,
      status,
      currency: context.currency,
      amountMinor: amount,
      taxIncludedMinor: a.tax_included[i]!,
      dueDate: batch.isoDate(endDay + batch.dueDays),
      correction: replaces > 0 ? { replacesVersion: replaces, replacedAmountMinor: a.replaced_amount[i]! } : null,
      readFlags: readFlagNames(a.read_flags[i]!),
    },
    service: { from: batch.isoDate(a.start_date[i]!), to: batch.isoDate(endDay), days },
    meters,
    meterExchange: exchange,
    ...(a.interval_minutes[i]! >= 0 ? {
      intervals: {
        intervalMinutes: a.interval_minutes[i]!, actual: a.intervals_actual[i]!, estimated: a.intervals_estimated[i]!, missing: a.intervals_missing[i]!,
      },
    } : {}),
    consumption: {
      kwhMilli: kwh,
      whPerDay: current.whPerDay,
      touKwhMilli: touKwh.some(Number.isNaN) ? null : { sharp: touKwh[0]!, peak: touKwh[1]!, flat: touKwh[2]!, valley: touKwh[3]! },
      demandMilli: demand,
      kvarhMilli: kvarh,
      powerFactor: pf < 0 ? null : (pf / 100).toFixed(2),
    },
    lineItems: lineItems(batch, i),
    comparison: {
      current,
      previousMonth,
      sameMonthLastYear,
      changeVsPreviousMonthPercent: change(current, previousMonth),
      changeVsLastYearPercent: change(current, sameMonthLastYear),
    },
    ...(batch.task.changes?.[i] ? { whyChanged: batch.task.changes[i] } : {}),
    usage,
  };
}

function lineItems(batch: BatchModel, i: number): Statement['lineItems'] {
  const l = batch.task.lines.columns;
  const items: Statement['lineItems'] = [];
  for (let r = batch.lineStart[i]!; r < batch.lineStart[i + 1]!; r++) {
    const charge = batch.charges.get(l.charge_key[r]!)!;
    items.push({
      component: charge.component as LineComponent,
      label: charge.label,
      unit: charge.unit,
      quantityMilli: l.quantity[r]!,
      rate: charge.rate,
      amountMinor: l.amount[r]!,
    });
  }
  return items;
}

const UNIT_OF: Record<string, RegisterReads['unit']> = { demand_kw: 'kW', reactive_kvarh: 'kvarh' };

function meterReads(batch: BatchModel, i: number): { meters: MeterReads[]; exchange: Statement['meterExchange'] } {
  const r = batch.task.reads.columns;
  const meters: MeterReads[] = [];
  let removed: { id: string; day: number } | null = null;
  let installed: string | null = null;
  let meter: MeterReads | null = null;
  for (let k = batch.readStart[i]!; k < batch.readStart[i + 1]!; k++) {
    const meterId = r.meter_id[k]!;
    if (!meter || meter.meterId !== meterId) {
      const role = r.removed[k] === 1 ? 'removed' : 'current';
      meter = { meterId, role, multiplier: multiplierText(r.multiplier[k]!), registers: [] };
      meters.push(meter);
      if (role === 'removed') removed = { id: meterId, day: r.removed_on[k]! };
      else installed = meterId;
    }
    const register = REGISTERS[r.register_code[k]!]!;
    const open = r.open_value[k]!;
    meter.registers.push({
      register,
      opening: Number.isNaN(open) ? null : { date: batch.isoDate(r.open_date[k]!), valueMilli: open, readType: READ_TYPES[r.open_type[k]!]! },
      closing: { date: batch.isoDate(r.close_date[k]!), valueMilli: r.close_value[k]!, readType: READ_TYPES[r.close_type[k]!]! },
      advanceMilli: r.advance[k]!,
      quantityMilli: r.quantity[k]!,
      unit: UNIT_OF[register] ?? 'kWh',
    });
  }
  const exchange = removed && installed ? { date: batch.isoDate(removed.day), removedMeterId: removed.id, installedMeterId: installed } : null;
  return { meters, exchange };
}

/** The multiplier as exact decimal text: DECIMAL(12,4) arrives as a double with at most 4 decimals. */
function multiplierText(multiplier: number): string {
  return String(Math.round(multiplier * 10_000) / 10_000);
}
