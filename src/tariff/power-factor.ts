// Power-factor adjustment: PF = kWh / sqrt(kWh² + kvarh²) rounded to two decimals, looked up in the
// table for the account's PF standard. Tables are bands of PF hundredths, each a flat percentage or
// a percentage that grows per 0.01 of distance from a reference (the published tables are linear
// in steps of 0.01), expanded here to one signed fraction per hundredth 0.00–1.00.
import type { PfBand } from '../../schemas/tariff.js';
import { add, type Decimal, decimalOf, multiply, shift } from '../money/index.js';

export const PF_STEPS = 101;

/** Hundredths of a PF value given as a decimal in [0, 1] with at most two decimals; else undefined. */
export function pfHundredthsOf(value: string | number): number | undefined {
  const d = decimalOf(value);
  if (!d || d.scale > 2) return undefined;
  const h = Number(d.units) * 10 ** (2 - d.scale);
  return h >= 0 && h <= 100 ? h : undefined;
}

export interface PfTable {
  /** fractions[h] = signed fraction of the base at PF h/100 (undefined = not covered). */
  fractions: (Decimal | undefined)[];
  /** bandOf[h] = index of the band covering h, or −1. */
  bandOf: number[];
  overlaps: { band: number; hundredths: number; other: number }[];
}

/** Expands valid bands (see pfBandProblem) into a lookup by PF hundredths. */
export function expandPfTable(bands: readonly PfBand[]): PfTable {
  const fractions: (Decimal | undefined)[] = new Array<Decimal | undefined>(PF_STEPS).fill(undefined);
  const bandOf = new Array<number>(PF_STEPS).fill(-1);
  const overlaps: PfTable['overlaps'] = [];
  bands.forEach((band, b) => {
    if (pfBandProblem(band)) return;
    const from = pfHundredthsOf(band.from)!;
    const to = pfHundredthsOf(band.to)!;
    const percent = decimalOf(band.percent)!;
    const stepPercent = band.step_percent === undefined ? undefined : decimalOf(band.step_percent)!;
    const stepFrom = band.step_from === undefined ? undefined : pfHundredthsOf(band.step_from)!;
    for (let h = from; h <= to; h++) {
      if (bandOf[h] !== -1) {
        overlaps.push({ band: b, hundredths: h, other: bandOf[h]! });
        continue;
      }
      bandOf[h] = b;
      let pct = percent;
      if (stepPercent && stepFrom !== undefined) {
        pct = add(pct, multiply(stepPercent, decimalOf(Math.abs(h - stepFrom))!));
      }
      fractions[h] = shift(pct, -2);
    }
  });
  return { fractions, bandOf, overlaps };
}

/** Why a band cannot be used, or undefined. */
export function pfBandProblem(band: PfBand): { field: keyof PfBand; message: string } | undefined {
  for (const field of ['from', 'to', 'step_from'] as const) {
    const value = band[field];
    if (value !== undefined && pfHundredthsOf(value) === undefined) {
      return { field, message: 'must be a power factor between 0 and 1 with at most two decimals' };
    }
  }
  if (pfHundredthsOf(band.from)! > pfHundredthsOf(band.to)!) {
    return { field: 'to', message: `must not be below from (${String(band.from)})` };
  }
  if ((band.step_percent === undefined) !== (band.step_from === undefined)) {
    return { field: band.step_percent === undefined ? 'step_from' : 'step_percent', message: 'step_percent and step_from go together' };
  }
  return undefined;
}

/**
 * PF in hundredths, rounded half-up, or −1 when there is no energy at all. The float estimate is
 * exact except within a hair of a rounding boundary; there the integer test decides:
 * 100·PF ≥ h − ½  ⟺  (200·P)² ≥ (2h − 1)²·(P² + Q²).
 */
export function powerFactorHundredths(kwhMilli: number, kvarhMilli: number): number {
  if (kwhMilli === 0 && kvarhMilli === 0) return -1;
  const scaled = (kwhMilli / Math.hypot(kwhMilli, kvarhMilli)) * 100;
  let h = Math.round(scaled);
  if (Math.abs(scaled - h) > 0.4999) {
    const p = BigInt(kwhMilli);
    const q = BigInt(kvarhMilli);
    const norm = p * p + q * q;
    const atLeast = (half2: bigint): boolean => 40000n * p * p >= half2 * half2 * norm;
    if (!atLeast(BigInt(2 * h - 1))) h--;
    else if (atLeast(BigInt(2 * h + 1))) h++;
  }
  return h;
}
