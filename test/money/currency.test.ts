import { describe, expect, it } from 'vitest';
import { CURRENCY_CODES, formatMinor, isCurrency, minorDigits, minorToMilli, parseMinor } from '../../src/money/index.js';

describe('currencies', () => {
  it('knows ISO 4217 minor units', () => {
    expect(minorDigits('CNY')).toBe(2);
    expect(minorDigits('USD')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('KWD')).toBe(3);
    expect(minorDigits('XYZ')).toBeUndefined();
    expect(isCurrency('EUR')).toBe(true);
    expect(isCurrency('toString')).toBe(false);
    expect(CURRENCY_CODES).toContain('HKD');
  });

  it('formats minor units as text', () => {
    expect(formatMinor(45921, 'CNY')).toBe('459.21');
    expect(formatMinor(5, 'CNY')).toBe('0.05');
    expect(formatMinor(-5, 'USD')).toBe('-0.05');
    expect(formatMinor(0, 'EUR')).toBe('0.00');
    expect(formatMinor(1234, 'JPY')).toBe('1234');
    expect(formatMinor(1234, 'KWD')).toBe('1.234');
    expect(() => formatMinor(1, 'XYZ')).toThrow(/unknown currency/);
  });

  it('parses amount text exactly', () => {
    expect(parseMinor('459.21', 'CNY')).toBe(45921);
    expect(parseMinor('459.2', 'CNY')).toBe(45920);
    expect(parseMinor('-0.05', 'CNY')).toBe(-5);
    expect(parseMinor('459.215', 'CNY')).toBeUndefined();
    expect(parseMinor('12', 'JPY')).toBe(12);
  });

  it('turns money into a thousandths quantity', () => {
    expect(minorToMilli(907, 'CNY')).toBe(9070);
    expect(minorToMilli(907, 'JPY')).toBe(907_000);
    expect(minorToMilli(907, 'KWD')).toBe(907);
  });
});
