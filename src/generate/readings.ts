// Register reads, one read month at a time. Per account the generator keeps what each register
// physically holds (`physical`, anomalies such as a stuck or reversed meter included) and what
// the last read reported (`shown`: estimates and misreads included), so every read is a pure step
// from O(accounts) state. Labels are written as the periods are produced: every anomalous period
// (must_flag 1, or ambiguous for an error small enough to be honest use), and the periods of
// legitimate events a review must not need to hold (must_flag 0: the heat wave, estimated reads
// and their catch-up, meter exchanges, move-ins and move-outs, vacancies).
import { ANOMALY_KINDS, READ_TYPES, type ReadType } from '../../schemas/inputs.js';
import type { ColumnBatch, ColumnSpec } from '../store/columnar.js';
import {
  CUSTOMER_READ_SHARE, ESTIMATED_READ_SHARE, EVENT_EXCHANGE, EVENT_INTERVAL, EVENT_MOVE_IN,
  EVENT_MOVE_OUT, EVENT_VACANCY, REGISTER_INDEX, RESIDENTIAL, TARIFFS,
} from './catalog.js';
import {
  ANOMALY_QUIET_READS, ESTIMATE_CATCH_UP, isLabelled, isLasting, mustFlag, startsAtExchange, MISREAD, NEGATIVE_ADVANCE, NO_ANOMALY, SENTINEL, STUCK_METER,
  SUSTAINED_DROP, WRONG_MULTIPLIER, type AnomalyPlan,
} from './anomalies.js';
import type { ConsumptionModel } from './consumption.js';
import type { IntervalGenerator } from './intervals.js';
import { capacityMilli, displayMilli, initialMilli, readableMilli } from './meter.js';
import type { Population } from './population.js';
import { normal, Stream, uniform } from './random.js';
import { firstDayOfRead, periodOfRead, readDay, type DataWindow } from './window.js';

export const READING_SPECS: readonly ColumnSpec[] = [
  { name: 'read_day', kind: 'date' },
  { name: 'meter_no', kind: 'int32' },
  { name: 'register', kind: 'uint8' },
  { name: 'value_milli', kind: 'double' },
  { name: 'read_type', kind: 'uint8' },
];

export const LABEL_SPECS: readonly ColumnSpec[] = [
  { name: 'account_no', kind: 'int32' },
  { name: 'period', kind: 'varchar' },
  { name: 'kind', kind: 'varchar' },
  { name: 'true_wh', kind: 'double' },
  { name: 'billed_wh', kind: 'double' },
  { name: 'must_flag', kind: 'varchar' },
];

const readType = (t: ReadType): number => READ_TYPES.indexOf(t);
const ACTUAL = readType('actual');
const ESTIMATED = readType('estimated');
const CUSTOMER = readType('customer');
const TOTAL = REGISTER_INDEX.total;
const DEMAND = REGISTER_INDEX.demand_kw;
const REACTIVE = REGISTER_INDEX.reactive_kvarh;
/** Values smart meters send for "no value": an all-ones 32-bit counter in thousandths. */
const SENTINEL_U32_MILLI = 4_294_967_295;

/**
 * One read month's rows, put in file order (read day, then meter number, then register) by a
 * counting sort on (day of month, fitted-at-exchange meter). Accounts are visited in meter-number
 * order and fitted meters are numbered after all original ones, in account order, so within a
 * bucket rows are already ordered: no comparison sort and no ORDER BY over the whole file.
 */
class MonthRows {
  length = 0;
  private capacity: number;
  private day: Int32Array;
  private meterNo: Int32Array;
  private register: Uint8Array;
  private value: Float64Array;
  private readType: Uint8Array;
  private bucket: Uint8Array;
  private sorted: { day: Int32Array; meterNo: Int32Array; register: Uint8Array; value: Float64Array; readType: Uint8Array };

  constructor(initialCapacity: number) {
    this.capacity = Math.max(1024, initialCapacity);
    this.day = new Int32Array(this.capacity);
    this.meterNo = new Int32Array(this.capacity);
    this.register = new Uint8Array(this.capacity);
    this.value = new Float64Array(this.capacity);
    this.readType = new Uint8Array(this.capacity);
    this.bucket = new Uint8Array(this.capacity);
    this.sorted = this.allocateSorted();
  }

  private allocateSorted() {
    return {
      day: new Int32Array(this.capacity), meterNo: new Int32Array(this.capacity), register: new Uint8Array(this.capacity),
      value: new Float64Array(this.capacity), readType: new Uint8Array(this.capacity),
    };
  }

  private grow(): void {
    this.capacity *= 2;
    const grown = <T extends Int32Array | Uint8Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(this.capacity);
      next.set(old);
      return next;
    };
    this.day = grown(this.day, (n) => new Int32Array(n));
    this.meterNo = grown(this.meterNo, (n) => new Int32Array(n));
    this.register = grown(this.register, (n) => new Uint8Array(n));
    this.value = grown(this.value, (n) => new Float64Array(n));
    this.readType = grown(this.readType, (n) => new Uint8Array(n));
    this.bucket = grown(this.bucket, (n) => new Uint8Array(n));
    this.sorted = this.allocateSorted();
  }

  push(day: number, meterNo: number, register: number, value: number, type: number, bucket: number): void {
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    this.day[i] = day;
    this.meterNo[i] = meterNo;
    this.register[i] = register;
    this.value[i] = value;
    this.readType[i] = type;
    this.bucket[i] = bucket;
  }

  takeSorted(): ColumnBatch {
    const n = this.length;
    const start = new Int32Array(65);
    for (let i = 0; i < n; i++) start[this.bucket[i]! + 1]!++;
    for (let b = 1; b < 65; b++) start[b]! += start[b - 1]!;
    const out = this.sorted;
    for (let i = 0; i < n; i++) {
      const at = start[this.bucket[i]!]!++;
      out.day[at] = this.day[i]!;
      out.meterNo[at] = this.meterNo[i]!;
      out.register[at] = this.register[i]!;
      out.value[at] = this.value[i]!;
      out.readType[at] = this.readType[i]!;
    }
    this.length = 0;
    return {
      rowCount: n,
      columns: {
        read_day: out.day.subarray(0, n), meter_no: out.meterNo.subarray(0, n), register: out.register.subarray(0, n),
        value_milli: out.value.subarray(0, n), read_type: out.readType.subarray(0, n),
      },
      nulls: {},
    };
  }
}

export interface ReadingCounts {
  readings: number;
  estimatedReadings: number;
  /** Closing reads: billable account-periods. */
  accountPeriods: number;
  /** Times a `total` register wrapped past its capacity. */
  rollovers: number;
}

export class ReadingGenerator {
  readonly counts: ReadingCounts = { readings: 0, estimatedReadings: 0, accountPeriods: 0, rollovers: 0 };
  private readonly rows: MonthRows;
  /** Per register (REGISTERS index): unwrapped thousandths; demand_kw holds the period maximum. */
  private readonly physical: Float64Array[];
  private readonly shown: Float64Array[];
  private readonly previousReadDay: Int32Array;
  private readonly lastEstimated: Uint8Array;
  private readonly shares = new Float64Array(4);
  private readonly labels = {
    accountNo: [] as number[], period: [] as string[], kind: [] as string[], trueWh: [] as number[], billedWh: [] as number[], mustFlag: [] as string[],
  };
  private monthFirstDay = 0;
  private sentinelFace = -1;
  /** What the current catch-up read overshoots by (thousandths of a unit), 0 outside one. */
  private overshootMilli = 0;

  constructor(
    private readonly seed: number,
    private readonly window: DataWindow,
    private readonly pop: Population,
    private readonly plan: AnomalyPlan,
    private readonly model: ConsumptionModel,
    private readonly intervals: IntervalGenerator | null,
  ) {
    const n = pop.count;
    this.rows = new MonthRows(Math.ceil(n * 1.6));
    this.physical = Array.from({ length: 7 }, () => new Float64Array(n));
    this.shown = Array.from({ length: 7 }, () => new Float64Array(n));
    this.previousReadDay = new Int32Array(n);
    this.lastEstimated = new Uint8Array(n);
  }

  /** Every read in read month m, in file order. */
  month(m: number): ColumnBatch {
    this.monthFirstDay = firstDayOfRead(this.window, m);
    for (let a = 0; a < this.pop.count; a++) this.account(a, m);
    const batch = this.rows.takeSorted();
    this.counts.readings += batch.rowCount;
    return batch;
  }

  /** Labels of the injected anomalies, in the order their periods were produced. */
  labelBatch(): ColumnBatch {
    const l = this.labels;
    return {
      rowCount: l.accountNo.length,
      columns: {
        account_no: Int32Array.from(l.accountNo), period: l.period, kind: l.kind,
        true_wh: Float64Array.from(l.trueWh), billed_wh: Float64Array.from(l.billedWh), must_flag: l.mustFlag,
      },
      nulls: {},
    };
  }

  private account(a: number, m: number): void {
    const pop = this.pop;
    const event = pop.event[a]!;
    const eventPeriod = pop.eventPeriod[a]!;
    if (event === EVENT_MOVE_IN && m < eventPeriod) return;
    if (event === EVENT_MOVE_OUT && m > eventPeriod) return;
    const regular = readDay(this.seed, this.window, a, pop.cycleDay[a]!, m);
    if (event === EVENT_INTERVAL) {
      this.shown[TOTAL]![a] = this.intervals!.readMilli[pop.intervalSlot[a]!]!;
      if (!pop.intervalOnly[a]) this.emit(a, a + 1, regular, ACTUAL);
      if (m > 0) this.counts.accountPeriods++;
      return;
    }
    const meterNo = event === EVENT_EXCHANGE && m > eventPeriod ? pop.newMeterNo[a]! : a + 1;
    const movesIn = event === EVENT_MOVE_IN && m === eventPeriod;
    if (m === 0 || movesIn) {
      this.fit(a, meterNo, false);
      if (TARIFFS[pop.tariff[a]!]!.demandAndReactive) {
        const kwh = this.model.expectedKwh(a, regular, regular + 30);
        this.shown[DEMAND]![a] = Math.round((kwh * 1000) / pop.multiplier[a]! / (30 * 24) / pop.loadFactor[a]!);
      }
      const day = movesIn ? pop.eventDay[a]! : regular;
      this.emit(a, meterNo, day, ACTUAL);
      this.previousReadDay[a] = day;
      if (m === 0) return;
    }

    const closing = event === EVENT_MOVE_OUT && m === eventPeriod ? pop.eventDay[a]! : regular;
    const opening = this.previousReadDay[a]!;
    this.previousReadDay[a] = closing;
    this.counts.accountPeriods++;
    const multiplier = pop.multiplier[a]!;
    const expectedKwh = this.model.expectedKwh(a, opening, closing);
    const trueMilli = Math.round((this.model.actualKwh(a, m, expectedKwh) * 1000) / multiplier);
    const advance = this.meterAdvance(a, m, trueMilli);

    if (event === EVENT_EXCHANGE && m === eventPeriod) {
      // The old meter's final read and the new meter's initial read share the exchange day.
      const exchangeDay = pop.eventDay[a]!;
      const wrongFromHere = startsAtExchange(this.plan, pop, a);
      const oldPart = Math.round(((wrongFromHere ? trueMilli : advance) * (exchangeDay - opening)) / (closing - opening));
      const newPart = wrongFromHere ? Math.round((trueMilli - oldPart) * this.plan.factor[a]!) : advance - oldPart;
      const oldOpening = this.shown[TOTAL]![a]!;
      this.advance(a, m, oldPart, exchangeDay - opening, true);
      this.showPhysical(a);
      const oldFinal = this.shown[TOTAL]![a]!;
      this.emit(a, a + 1, exchangeDay, ACTUAL);
      const fitted = pop.newMeterNo[a]!;
      this.fit(a, fitted, true);
      const newInitial = this.shown[TOTAL]![a]!;
      this.emit(a, fitted, exchangeDay, ACTUAL);
      this.advance(a, m, newPart, closing - exchangeDay, true);
      this.showPhysical(a);
      this.emit(a, fitted, closing, ACTUAL);
      const billedWh = (oldFinal - oldOpening + this.shown[TOTAL]![a]! - newInitial) * multiplier;
      if (wrongFromHere) {
        this.label(a, m, 'wrong_multiplier', mustFlag(this.plan, a, billedWh / (trueMilli * multiplier)), trueMilli * multiplier, billedWh);
        return;
      }
      this.label(a, m, 'meter_exchange', '0', trueMilli * multiplier, billedWh);
      this.labelEvents(a, m, billedWh);
      return;
    }

    const shownBefore = this.shown[TOTAL]![a]!;
    const estimatedBefore = this.lastEstimated[a]!;
    this.advance(a, m, advance, closing - opening, this.plan.kind[a] !== NEGATIVE_ADVANCE || m !== this.plan.onset[a]);
    const type = this.closingRead(a, m, trueMilli, expectedKwh);
    this.emit(a, meterNo, closing, type);
    this.sentinelFace = -1;
    const billedWh = (this.shown[TOTAL]![a]! - shownBefore) * multiplier;
    // Without its overshoot a catch-up bills the period's use plus what the estimates left unbilled.
    const trueWh = this.overshootMilli > 0 ? billedWh - this.overshootMilli * multiplier : trueMilli * multiplier;
    this.overshootMilli = 0;
    if (isLabelled(this.plan, a, m)) {
      this.label(a, m, ANOMALY_KINDS[this.plan.kind[a]! - 1]!, mustFlag(this.plan, a), trueWh, billedWh);
    } else {
      if (type === ESTIMATED) this.label(a, m, 'estimated_read', '0', trueMilli * multiplier, billedWh);
      else if (estimatedBefore) this.label(a, m, 'catch_up', '0', trueMilli * multiplier, billedWh);
      this.labelEvents(a, m, billedWh);
    }
  }

  private label(a: number, m: number, kind: string, must: string, trueWh: number, billedWh: number): void {
    const l = this.labels;
    l.accountNo.push(a + 1);
    l.period.push(periodOfRead(this.window, m));
    l.kind.push(kind);
    l.trueWh.push(trueWh);
    l.billedWh.push(billedWh);
    l.mustFlag.push(must);
  }

  /** Legitimate events of the period, which the review must not need to hold. */
  private labelEvents(a: number, m: number, wh: number): void {
    const pop = this.pop;
    const event = pop.event[a]!;
    const at = pop.eventPeriod[a]!;
    if (this.model.inHeatWave(a, m)) this.label(a, m, 'heat_wave', '0', wh, wh);
    if (event === EVENT_VACANCY && m >= at && m <= at + pop.eventLength[a]!) this.label(a, m, 'vacancy', '0', wh, wh);
    if (event === EVENT_MOVE_IN && m === at) this.label(a, m, 'move_in', '0', wh, wh);
    if (event === EVENT_MOVE_OUT && m === at) this.label(a, m, 'move_out', '0', wh, wh);
  }

  /** Registers of a meter as found when the window opens, or as fitted at an exchange. */
  private fit(a: number, meterNo: number, fitted: boolean): void {
    const digits = this.pop.registerDigits[a]!;
    const tariff = TARIFFS[this.pop.tariff[a]!]!;
    const set = (register: number) => {
      const value = initialMilli(this.seed, meterNo, register, digits, fitted);
      this.physical[register]![a] = value;
      this.shown[register]![a] = value;
    };
    set(TOTAL);
    for (const register of tariff.touRegisters) set(register);
    if (tariff.demandAndReactive) set(REACTIVE);
  }

  /** The meter's advance for the period: the true one unless an anomaly changes what it records. */
  private meterAdvance(a: number, m: number, trueMilli: number): number {
    const plan = this.plan;
    const kind = plan.kind[a]!;
    if (kind === NO_ANOMALY) return trueMilli;
    const onset = plan.onset[a]!;
    if (kind === STUCK_METER && m >= onset && m < onset + plan.length[a]!) return 0;
    if ((kind === SUSTAINED_DROP || kind === WRONG_MULTIPLIER) && m >= onset) return Math.round(trueMilli * plan.factor[a]!);
    if (kind === NEGATIVE_ADVANCE && m === onset) return -Math.min(Math.round(trueMilli * plan.factor[a]!), this.reversibleMilli(a));
    return trueMilli;
  }

  /**
   * How far registers may turn back before one would pass zero — that would wrap to the top of
   * the dial and read as a rollover, not as the negative advance the label promises. Whole units,
   * so a five-digit dial shows the full reversal.
   */
  private reversibleMilli(a: number): number {
    const capacity = capacityMilli(this.pop.registerDigits[a]!);
    const tariff = TARIFFS[this.pop.tariff[a]!]!;
    let room = displayMilli(this.physical[TOTAL]![a]!, capacity);
    this.touShares(a, -1);
    tariff.touRegisters.forEach((register, i) => {
      room = Math.min(room, displayMilli(this.physical[register]![a]!, capacity) / this.shares[i]!);
    });
    return Math.max(0, Math.floor((0.9 * room) / 1000) * 1000);
  }

  /**
   * The account's TOU shares into `this.shares`: the tariff's typical split, perturbed per
   * account, and per period when m ≥ 0 (m = −1 gives the account's usual split).
   */
  private touShares(a: number, m: number): void {
    const typical = TARIFFS[this.pop.tariff[a]!]!.touShares;
    let sum = 0;
    for (let i = 0; i < typical.length; i++) {
      let share = typical[i]! * (0.8 + 0.4 * uniform(this.seed, Stream.touShares, a, i));
      if (m >= 0) share *= Math.exp(0.05 * normal(this.seed, Stream.touNoise, a, m * 8 + i));
      this.shares[i] = share;
      sum += share;
    }
    for (let i = 0; i < typical.length; i++) this.shares[i]! /= sum;
  }

  /**
   * Adds `milli` to a set of cumulative registers: the energy registers (`addEnergyTo`) and
   * reactive energy (with period `reactiveMonth`'s noise, or none for −1).
   */
  private addTo(registers: Float64Array[], a: number, milli: number, shareMonth: number, reactiveMonth: number): void {
    this.addEnergyTo(registers, a, milli, shareMonth);
    const tariff = TARIFFS[this.pop.tariff[a]!]!;
    if (tariff.demandAndReactive) {
      const noise = reactiveMonth >= 0 ? Math.exp(0.03 * normal(this.seed, Stream.kvarhNoise, a, reactiveMonth)) : 1;
      registers[REACTIVE]![a]! += Math.round(Math.max(milli, 0) * this.pop.reactiveRatio[a]! * noise);
    }
  }

  /** Adds `milli` to total and splits it over the TOU registers (period `shareMonth`'s split, or the usual one for −1). */
  private addEnergyTo(registers: Float64Array[], a: number, milli: number, shareMonth = -1): void {
    const tariff = TARIFFS[this.pop.tariff[a]!]!;
    registers[TOTAL]![a]! += milli;
    const tou = tariff.touRegisters;
    if (tou.length > 0) {
      this.touShares(a, shareMonth);
      let left = milli;
      for (let i = 0; i < tou.length - 1; i++) {
        const part = Math.round(milli * this.shares[i]!);
        registers[tou[i]!]![a]! += part;
        left -= part;
      }
      registers[tou[tou.length - 1]!]![a]! += left;
    }
  }

  /** The meter turns: `milli` recorded over `days` days. */
  private advance(a: number, m: number, milli: number, days: number, noisySplit: boolean): void {
    const pop = this.pop;
    const capacity = capacityMilli(pop.registerDigits[a]!);
    const before = Math.floor(this.physical[TOTAL]![a]! / capacity);
    this.addTo(this.physical, a, milli, noisySplit ? m : -1, m);
    if (Math.floor(this.physical[TOTAL]![a]! / capacity) > before) this.counts.rollovers++;
    if (TARIFFS[pop.tariff[a]!]!.demandAndReactive) {
      const averageKw = Math.abs(milli) / (days * 24);
      this.physical[DEMAND]![a] = Math.round((averageKw / pop.loadFactor[a]!) * Math.exp(0.05 * normal(this.seed, Stream.demandNoise, a, m)));
    }
  }

  /** An actual read: every register shows what it holds. */
  private showPhysical(a: number): void {
    const digits = this.pop.registerDigits[a]!;
    for (let r = 0; r < 7; r++) {
      this.shown[r]![a] = r === DEMAND ? this.physical[r]![a]! : readableMilli(this.physical[r]![a]!, digits);
    }
  }

  /** An estimated read: the last shown values moved on by `milli`, split the usual way; demand repeats. */
  private showEstimate(a: number, milli: number): void {
    const rounded = this.pop.registerDigits[a] === 5 ? Math.round(milli / 1000) * 1000 : milli;
    this.addTo(this.shown, a, rounded, -1, -1);
  }

  /** Decides and records the closing read of period m; returns its read type. */
  private closingRead(a: number, m: number, trueMilli: number, expectedKwh: number): number {
    const pop = this.pop;
    const plan = this.plan;
    const kind = plan.kind[a]!;
    const onset = plan.onset[a]!;
    if (kind === ESTIMATE_CATCH_UP && m >= onset - plan.length[a]! && m < onset) {
      // The estimates themselves are ordinary; the read that ends them is not.
      this.showEstimate(a, Math.round((expectedKwh * 1000) / pop.multiplier[a]!));
      return ESTIMATED;
    }
    if (this.legitimateEstimate(a, m)) {
      this.showEstimate(a, Math.round((expectedKwh * 1000) / pop.multiplier[a]!));
      this.lastEstimated[a] = 1;
      return ESTIMATED;
    }
    this.lastEstimated[a] = 0;
    const before = this.shown[TOTAL]![a]!;
    this.showPhysical(a);
    if (kind === MISREAD && m === onset) {
      this.shown[TOTAL]![a] = this.misread(a, before, trueMilli);
    } else if (kind === ESTIMATE_CATCH_UP && m === onset) {
      // The catch-up read overshoots the register (every energy register, split the usual way, as
      // a mistyped read of the whole meter would): the bill carries more than the estimates missed.
      this.overshootMilli = Math.round(trueMilli * plan.factor[a]! / 1000) * 1000;
      this.addEnergyTo(this.shown, a, this.overshootMilli);
    } else if (kind === SENTINEL && m === onset) {
      const capacity = capacityMilli(pop.registerDigits[a]!);
      this.sentinelFace = uniform(this.seed, Stream.anomalyMode, a) < 0.5 ? SENTINEL_U32_MILLI : capacity - 1;
      this.shown[TOTAL]![a] = Math.floor(this.physical[TOTAL]![a]! / capacity) * capacity + this.sentinelFace;
    } else if (kind === NO_ANOMALY && pop.customerClass[a] === RESIDENTIAL && uniform(this.seed, Stream.customerRead, a, m) < CUSTOMER_READ_SHARE) {
      return CUSTOMER;
    }
    return ACTUAL;
  }

  private legitimateEstimate(a: number, m: number): boolean {
    if (this.lastEstimated[a]) return false;
    const event = this.pop.event[a]!;
    if ((event === EVENT_MOVE_IN || event === EVENT_MOVE_OUT || event === EVENT_EXCHANGE) && m === this.pop.eventPeriod[a]) return false;
    const kind = this.plan.kind[a]!;
    if (kind !== NO_ANOMALY && Math.abs(m - this.plan.onset[a]!) <= ANOMALY_QUIET_READS) return false;
    // A lasting anomaly's label must describe every period after its onset: an estimate there would bill the true use.
    if (isLasting(kind) && m >= this.plan.onset[a]!) return false;
    return uniform(this.seed, Stream.estimate, a, m) < ESTIMATED_READ_SHARE;
  }

  /**
   * A misread of the `total` register: two adjacent digits transposed (the lowest pair whose swap
   * moves the bill by at least half the period's use — smaller slips bill almost right and are not
   * what a review is for), or a digit slip that multiplies the period's advance by ten.
   */
  private misread(a: number, before: number, trueMilli: number): number {
    const actual = this.shown[TOTAL]![a]!;
    const digits = this.pop.registerDigits[a]!;
    if (uniform(this.seed, Stream.anomalyMode, a) < 0.5) {
      const units = Math.floor(displayMilli(actual, capacityMilli(digits)) / 1000);
      const threshold = Math.max(0.5 * Math.abs(trueMilli), 10_000);
      for (let i = 0, p = 1; i < digits - 1; i++, p *= 10) {
        const low = Math.floor(units / p) % 10;
        const high = Math.floor(units / (10 * p)) % 10;
        const shiftMilli = 9 * p * (low - high) * 1000;
        if (low !== high && Math.abs(shiftMilli) >= threshold) return actual + shiftMilli;
      }
    }
    return before + 10 * (actual - before);
  }

  private emit(a: number, meterNo: number, day: number, type: number): void {
    const pop = this.pop;
    const tariff = TARIFFS[pop.tariff[a]!]!;
    const capacity = capacityMilli(pop.registerDigits[a]!);
    const bucket = (day - this.monthFirstDay) * 2 + (meterNo > pop.count ? 1 : 0);
    const rows = this.rows;
    const face = this.sentinelFace >= 0 ? this.sentinelFace : displayMilli(this.shown[TOTAL]![a]!, capacity);
    rows.push(day, meterNo, TOTAL, face, type, bucket);
    let registers = 1;
    // Interval meters carry only `total`: their TOU split comes from the tariff's schedule.
    const touRegisters = pop.event[a] === EVENT_INTERVAL ? [] : tariff.touRegisters;
    for (const register of touRegisters) {
      rows.push(day, meterNo, register, displayMilli(this.shown[register]![a]!, capacity), type, bucket);
      registers++;
    }
    if (tariff.demandAndReactive) {
      rows.push(day, meterNo, DEMAND, this.shown[DEMAND]![a]!, type, bucket);
      rows.push(day, meterNo, REACTIVE, displayMilli(this.shown[REACTIVE]![a]!, capacity), type, bucket);
      registers += 2;
    }
    if (type === ESTIMATED) this.counts.estimatedReadings += registers;
  }
}
