import { describe, expect, it } from 'vitest';
import {
  add, compare, decimalOf, formatDecimal, multiply, parseDecimal, roundDecimal, roundHalfUpDivBig, shift, toMilli,
} from '../../src/money/index.js';

const d = (text: string) => parseDecimal(text)!;

describe('decimal text', () => {
  it('parses exactly, without binary floats', () => {
    expect(d('0.58886875')).toEqual({ units: 58886875n, scale: 8 });
    // 0.1 + 0.2 is 0.30000000000000004 in floats; exact decimals add to 0.3.
    expect(formatDecimal(add(d('0.1'), d('0.2')))).toBe('0.3');
    expect(d('-0.0075')).toEqual({ units: -75n, scale: 4 });
    expect(d('1.10')).toEqual({ units: 11n, scale: 1 });
    expect(d('1e3')).toEqual({ units: 1000n, scale: 0 });
    expect(d('2.5E-3')).toEqual({ units: 25n, scale: 4 });
    expect(d('+7')).toEqual({ units: 7n, scale: 0 });
  });

  it('rejects what is not a decimal', () => {
    for (const text of ['', 'abc', '1.2.3', '1,5', '.5', '0x10', 'NaN', 'Infinity']) expect(parseDecimal(text)).toBeUndefined();
    expect(decimalOf(Number.NaN)).toBeUndefined();
  });

  it('reads JS numbers by their shortest round-trip text', () => {
    expect(decimalOf(0.58886875)).toEqual({ units: 58886875n, scale: 8 });
    expect(decimalOf(1e-7)).toEqual({ units: 1n, scale: 7 });
  });

  it('formats canonically', () => {
    expect(formatDecimal(d('0.500'))).toBe('0.5');
    expect(formatDecimal(d('-0.0075'))).toBe('-0.0075');
    expect(formatDecimal(d('120'))).toBe('120');
    expect(formatDecimal(d('-0'))).toBe('0');
    expect(formatDecimal({ units: 5n, scale: 3 })).toBe('0.005');
  });

  it('multiplies exactly and shifts the point', () => {
    // 0.65 × 1.7 = 1.105; × 1.25 = 1.38125 (critical = peak × 1.25).
    expect(formatDecimal(multiply(multiply(d('0.65'), d('1.7')), d('1.25')))).toBe('1.38125');
    expect(formatDecimal(shift(d('-0.75'), -2))).toBe('-0.0075');
    expect(formatDecimal(shift(d('1.5'), 3))).toBe('1500');
  });

  it('compares by value', () => {
    expect(compare(d('0.50'), d('0.5'))).toBe(0);
    expect(compare(d('400'), d('399.999'))).toBe(1);
    expect(compare(d('-1'), d('0'))).toBe(-1);
  });

  it('rounds half-up, away from zero', () => {
    expect(formatDecimal(roundDecimal(d('459.208125'), 2))).toBe('459.21');
    expect(formatDecimal(roundDecimal(d('2.345'), 2))).toBe('2.35');
    expect(formatDecimal(roundDecimal(d('-2.345'), 2))).toBe('-2.35');
    expect(formatDecimal(roundDecimal(d('2.3449'), 2))).toBe('2.34');
    expect(roundHalfUpDivBig(-5n, 10n)).toBe(-1n);
    expect(roundHalfUpDivBig(4n, 10n)).toBe(0n);
  });

  it('converts to thousandths only when exact', () => {
    expect(toMilli(d('260'))).toBe(260_000);
    expect(toMilli(d('0.001'))).toBe(1);
    expect(toMilli(d('0.0001'))).toBeUndefined();
  });
});
