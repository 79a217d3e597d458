// A correction changes reads, never determinants directly: the reviewer's closing read (or an
// estimate from the account's baseline) replaces the register's closing read of the reads the
// bill run took (src/billing/reads.sql), and the period's determinants are derived again from
// them as register_advances and determinants.sql derive them. So a later `bill --rebill` of the period gives the same bill, and the next period opens
// on the corrected read. Pure functions; the store side is in decide.ts.
import type { TouQuantities } from '../../schemas/bill.js';
import { REGISTERS, TOU_PERIODS, type Register, type ReadType } from '../../schemas/inputs.js';
import { READ_FLAGS } from '../../schemas/review.js';
import { formatDecimal, parseDecimal, roundHalfUpDivBig, toMilli } from '../money/index.js';
import { splitByDays } from '../tariff/index.js';

/** One register of one meter over the period: its opening and closing read. */
export interface RegisterReads {
  meterKey: number;
  meterId: string;
  register: Register;
  digits: number;
  /** CT/PT multiplier × 10,000 (DECIMAL(12,4) in the store). */
  multiplierE4: number;
  openValue: number;
  openAt: string;
  /** Type of the last read before the period; null when the meter opened in the period. */
  priorType: ReadType | null;
  closeValue: number;
  closeAt: string;
  closeType: ReadType;
}

export interface DerivedQuantities {
  kwhMilli: number;
  /** From TOU registers; null when the meter has none (interval data may supply TOU instead). */
  touKwhMilli: TouQuantities | null;
  demandMilli: number | null;
  kvarhMilli: number | null;
  /** The READ_FLAGS bits that come from the reads themselves (see DERIVED_FLAGS). */
  readFlags: number;
}

/** Read flags a correction can change; meter events (exchange, move-in …) stay as billed. */
export const DERIVED_FLAGS = READ_FLAGS.estimatedClose | READ_FLAGS.estimatedOpen | READ_FLAGS.customerRead |
  READ_FLAGS.rollover | READ_FLAGS.negativeAdvance | READ_FLAGS.sentinel;

/** The all-ones 32-bit value smart meters send as an error code (4294967.295). */
const SENTINEL_32 = 4294967295;
const TOU_REGISTERS: readonly Register[] = TOU_PERIODS;
const ENERGY_REGISTERS: readonly Register[] = ['total', ...TOU_REGISTERS];

function capacityMilli(digits: number): number {
  return 10 ** digits * 1000;
}

interface Advance {
  advance: number;
  rollover: boolean;
  negative: boolean;
  sentinel: boolean;
}

function advanceOf(r: RegisterReads): Advance {
  const capacity = capacityMilli(r.digits);
  if (r.register === 'demand_kw') return { advance: r.closeValue, rollover: false, negative: false, sentinel: false };
  const raw = r.closeValue - r.openValue;
  // A register that wraps past its last digit appears to step back by more than half its
  // capacity (a small advance past the top); a smaller backward step is a reverse run or misread.
  const rollover = raw < 0 && raw + capacity <= capacity / 2;
  return {
    advance: rollover ? raw + capacity : raw,
    rollover,
    negative: raw < 0 && !rollover,
    sentinel: [r.closeValue, r.openValue].some((v) => v >= capacity || v === SENTINEL_32 || v === capacity - 1),
  };
}

/** advance × multiplier rounded half away from zero, as DuckDB rounds the DECIMAL product. */
function scaled(advance: number, multiplierE4: number): number {
  return Number(roundHalfUpDivBig(BigInt(advance) * BigInt(multiplierE4), 10_000n));
}

/** The determinants the reads give, summed over meters (a meter exchange adds both advances). */
export function deriveQuantities(registers: readonly RegisterReads[]): DerivedQuantities {
  const sums = new Map<Register, number>();
  let demand: number | null = null;
  let flags = 0;
  for (const r of registers) {
    const a = advanceOf(r);
    const q = scaled(a.advance, r.multiplierE4);
    if (r.register === 'demand_kw') demand = demand === null ? q : Math.max(demand, q);
    else sums.set(r.register, (sums.get(r.register) ?? 0) + q);
    if (a.rollover) flags |= READ_FLAGS.rollover;
    if (a.negative) flags |= READ_FLAGS.negativeAdvance;
    if (a.sentinel) flags |= READ_FLAGS.sentinel;
    if (r.closeType === 'customer') flags |= READ_FLAGS.customerRead;
    if (ENERGY_REGISTERS.includes(r.register)) {
      if (r.closeType === 'estimated') flags |= READ_FLAGS.estimatedClose;
      if (r.priorType === 'estimated') flags |= READ_FLAGS.estimatedOpen;
    }
  }
  const hasTou = TOU_REGISTERS.some((p) => sums.has(p));
  const tou = { sharp: sums.get('sharp') ?? 0, peak: sums.get('peak') ?? 0, flat: sums.get('flat') ?? 0, valley: sums.get('valley') ?? 0 };
  return {
    kwhMilli: sums.get('total') ?? tou.sharp + tou.peak + tou.flat + tou.valley,
    touKwhMilli: hasTou ? tou : null,
    demandMilli: demand,
    kvarhMilli: sums.get('reactive_kvarh') ?? null,
    readFlags: flags,
  };
}

/** A read the correction adds to the store: it becomes the register's closing read. */
export interface CorrectedRead {
  meterKey: number;
  meterId: string;
  register: Register;
  /** One second after the read it replaces. */
  readAt: string;
  valueMilli: number;
  readType: ReadType;
  replacesMilli: number;
}

export interface ReadCorrection {
  register: Register;
  valueMilli: number;
}

export type Corrected = { ok: true; registers: RegisterReads[]; reads: CorrectedRead[] } | { ok: false; message: string };

const value = (milli: number) => formatDecimal({ units: BigInt(milli), scale: 3 });

/** The meter in service at the end of the period: the one with the latest closing read. */
function currentMeter(registers: readonly RegisterReads[]): number {
  return registers.reduce((latest, r) => (r.closeAt > latest.closeAt ? r : latest)).meterKey;
}

function laterBySecond(timestamp: string): string {
  return new Date(Date.parse(`${timestamp.replace(' ', 'T')}Z`) + 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** Registers with the reviewer's closing reads in place of the stored ones, on the current meter. */
export function applyReads(registers: readonly RegisterReads[], corrections: readonly ReadCorrection[]): Corrected {
  if (registers.length === 0) return { ok: false, message: 'the period has no meter reads to correct' };
  const meterKey = currentMeter(registers);
  const own = registers.filter((r) => r.meterKey === meterKey);
  for (const [i, c] of corrections.entries()) {
    if (corrections.findIndex((x) => x.register === c.register) !== i) return { ok: false, message: `the ${c.register} reading is given twice` };
    const r = own.find((x) => x.register === c.register);
    if (!r) {
      return { ok: false, message: `meter ${own[0]!.meterId} has no ${c.register} reading in the period (its registers: ${own.map((x) => x.register).join(', ')})` };
    }
    if (r.register !== 'demand_kw' && c.valueMilli < r.openValue) {
      return {
        ok: false,
        message: `the corrected ${c.register} reading ${value(c.valueMilli)} is lower than the opening reading ${value(r.openValue)} ` +
          `of ${r.openAt.slice(0, 10)} on meter ${r.meterId}`,
      };
    }
    if (c.valueMilli >= capacityMilli(r.digits)) {
      return { ok: false, message: `the corrected ${c.register} reading ${value(c.valueMilli)} does not fit meter ${r.meterId}'s ${r.digits}-digit register` };
    }
  }
  return { ok: true, ...substitute(registers, meterKey, corrections, 'actual') };
}

function substitute(registers: readonly RegisterReads[], meterKey: number, corrections: readonly ReadCorrection[], readType: ReadType) {
  const next = registers.map((r) => ({ ...r }));
  const reads: CorrectedRead[] = [];
  for (const c of corrections) {
    const r = next.find((x) => x.meterKey === meterKey && x.register === c.register)!;
    const readAt = laterBySecond(r.closeAt);
    reads.push({ meterKey, meterId: r.meterId, register: r.register, readAt, valueMilli: c.valueMilli, readType, replacesMilli: r.closeValue });
    Object.assign(r, { closeValue: c.valueMilli, closeType: readType, closeAt: readAt });
  }
  return { registers: next, reads };
}

export interface Baseline {
  /** Billed periods in the baseline (the account's last 12, bills under review excluded). */
  periods: number;
  /** Median Wh per day. */
  kpd: number | null;
  /** Energy per TOU period over the baseline, Wh: the account's usual split. */
  tou: TouQuantities | null;
  /** Median kvarh / kWh. */
  kvarhRatio: number | null;
}

/**
 * Estimated closing reads for the period's days at the account's median kWh/day: the total
 * register gets the whole estimate, TOU registers its split by the account's usual TOU shares,
 * the reactive register its usual ratio. Demand stays as read.
 */
export function estimateReads(registers: readonly RegisterReads[], days: number, baseline: Baseline): Corrected {
  if (registers.length === 0) return { ok: false, message: 'the period has no meter reads to estimate from' };
  if (baseline.kpd === null || baseline.periods === 0) {
    return { ok: false, message: 'no baseline to estimate from (no settled bill in the 12 periods before): give the closing read with --read' };
  }
  if (new Set(registers.map((r) => r.meterKey)).size > 1) {
    return { ok: false, message: 'the period has a meter exchange: give the new meter\'s closing read with --read instead of an estimate' };
  }
  const kwh = Math.round(baseline.kpd * days);
  const touRegisters = TOU_PERIODS.filter((p) => registers.some((r) => r.register === p));
  const usual = touRegisters.map((p) => Math.max(0, Math.round(baseline.tou?.[p] ?? 0)));
  const weights = usual.some((w) => w > 0) ? usual : touRegisters.map(() => 1);
  const touShares = new Map<Register, number>(touRegisters.length ? splitByDays(kwh, weights).map((q, i) => [touRegisters[i]!, q]) : []);
  const corrections: ReadCorrection[] = [];
  for (const r of registers) {
    let target: number | undefined;
    if (r.register === 'total') target = kwh;
    else if (touShares.has(r.register)) target = touShares.get(r.register);
    else if (r.register === 'reactive_kvarh' && baseline.kvarhRatio !== null) target = Math.round(kwh * baseline.kvarhRatio);
    if (target === undefined) continue;
    const advance = Number(roundHalfUpDivBig(BigInt(target) * 10_000n, BigInt(r.multiplierE4)));
    corrections.push({ register: r.register, valueMilli: (r.openValue + advance) % capacityMilli(r.digits) });
  }
  return { ok: true, ...substitute(registers, registers[0]!.meterKey, corrections, 'estimated') };
}

/** `REGISTER=VALUE` (a register reading in its unit, up to 3 decimals) as a correction, or what is wrong with it. */
export function parseReadCorrection(text: string): ReadCorrection | string {
  const m = /^\s*([a-z_]+)\s*=\s*(\S*)\s*$/.exec(text);
  if (!m) return `'${text}' is not REGISTER=VALUE (e.g. total=12345.6)`;
  const register = REGISTERS.find((r) => r === m[1]);
  if (!register) return `unknown register '${m[1]}' (${REGISTERS.join(', ')})`;
  const milli = /^\d+(\.\d{1,3})?$/.test(m[2]!) ? toMilli(parseDecimal(m[2]!)!) : undefined;
  if (milli === undefined) return `the ${register} reading '${m[2]}' must be a non-negative number with at most 3 decimals`;
  return { register, valueMilli: milli };
}
