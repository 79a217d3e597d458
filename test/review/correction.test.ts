import { describe, expect, it } from 'vitest';
import { READ_FLAGS } from '../../schemas/review.js';
import {
  applyReads, deriveQuantities, estimateReads, parseReadCorrection, type RegisterReads,
} from '../../src/review/correction.js';

const reg = (over: Partial<RegisterReads>): RegisterReads => ({
  meterKey: 1, meterId: 'M1', register: 'total', digits: 5, multiplierE4: 10_000,
  openValue: 1_000_000, openAt: '2025-01-20 00:00:00', priorType: 'actual',
  closeValue: 1_250_000, closeAt: '2025-02-20 00:00:00', closeType: 'actual', ...over,
});

describe('determinants from reads', () => {
  it('multiplies the advance by the CT ratio, rounding half away from zero', () => {
    // 250.001 kWh × 2.5 = 625.0025 kWh → 625.003 (Wh rounded half up)
    const q = deriveQuantities([reg({ closeValue: 1_250_001, multiplierE4: 25_000 })]);
    expect(q.kwhMilli).toBe(625_003);
    expect(q.readFlags).toBe(0);
  });

  it('takes a wrap past the top of the register as a rollover and a smaller backward step as negative', () => {
    // 5 digits: 99,986 → 11 advanced 25 kWh.
    const rolled = deriveQuantities([reg({ openValue: 99_986_000, closeValue: 11_000 })]);
    expect(rolled.kwhMilli).toBe(25_000);
    expect(rolled.readFlags).toBe(READ_FLAGS.rollover);
    const backward = deriveQuantities([reg({ openValue: 60_000_000, closeValue: 50_000_000 })]);
    expect(backward.kwhMilli).toBe(-10_000_000);
    expect(backward.readFlags).toBe(READ_FLAGS.negativeAdvance);
  });

  it('marks error codes in either read as sentinels', () => {
    expect(deriveQuantities([reg({ closeValue: 99_999_999 })]).readFlags & READ_FLAGS.sentinel).toBeTruthy();
    expect(deriveQuantities([reg({ openValue: 4_294_967_295, digits: 7 })]).readFlags & READ_FLAGS.sentinel).toBeTruthy();
  });

  it('adds both meters of an exchange, prefers the total register and keeps TOU, demand and kvarh apart', () => {
    const q = deriveQuantities([
      reg({ meterKey: 1, register: 'total', openValue: 0, closeValue: 100_000, closeAt: '2025-02-05 00:00:00' }),
      reg({ meterKey: 2, register: 'total', openValue: 0, closeValue: 40_000, priorType: null }),
      reg({ meterKey: 2, register: 'peak', openValue: 0, closeValue: 15_000, priorType: null }),
      reg({ meterKey: 2, register: 'valley', openValue: 0, closeValue: 24_000, priorType: null, closeType: 'estimated' }),
      reg({ meterKey: 2, register: 'demand_kw', openValue: 0, closeValue: 7_500, priorType: null }),
      reg({ meterKey: 2, register: 'reactive_kvarh', openValue: 0, closeValue: 9_000, priorType: null }),
    ]);
    expect(q).toEqual({
      kwhMilli: 140_000, touKwhMilli: { sharp: 0, peak: 15_000, flat: 0, valley: 24_000 }, demandMilli: 7_500, kvarhMilli: 9_000,
      readFlags: READ_FLAGS.estimatedClose,
    });
  });
});

describe('corrected reads', () => {
  const registers = [reg({}), reg({ register: 'peak', openValue: 500_000, closeValue: 600_000 })];

  it('replaces the closing read one second later and re-derives the determinants', () => {
    const corrected = applyReads(registers, [{ register: 'total', valueMilli: 1_120_500 }]);
    expect(corrected.ok).toBe(true);
    if (!corrected.ok) return;
    expect(corrected.reads).toEqual([{
      meterKey: 1, meterId: 'M1', register: 'total', readAt: '2025-02-20 00:00:01', valueMilli: 1_120_500, readType: 'actual', replacesMilli: 1_250_000,
    }]);
    expect(deriveQuantities(corrected.registers).kwhMilli).toBe(120_500);
  });

  it('refuses a reading below the opening read, beyond the register, on a missing register, or given twice', () => {
    const message = (c: Parameters<typeof applyReads>[1]) => {
      const result = applyReads(registers, c);
      return result.ok ? '' : result.message;
    };
    expect(message([{ register: 'total', valueMilli: 999_999 }])).toBe('the corrected total reading 999.999 is lower than the opening reading 1000 of 2025-01-20 on meter M1');
    expect(message([{ register: 'total', valueMilli: 100_000_000 }])).toMatch(/does not fit meter M1's 5-digit register/);
    expect(message([{ register: 'flat', valueMilli: 1 }])).toBe('meter M1 has no flat reading in the period (its registers: total, peak)');
    expect(message([{ register: 'total', valueMilli: 1_100_000 }, { register: 'total', valueMilli: 1_200_000 }])).toMatch(/given twice/);
  });

  it('corrects the meter in service at the end of the period', () => {
    const exchange = [reg({ meterKey: 1, meterId: 'OLD', closeAt: '2025-02-03 00:00:00' }), reg({ meterKey: 2, meterId: 'NEW', openValue: 0, closeValue: 5_000 })];
    const corrected = applyReads(exchange, [{ register: 'total', valueMilli: 7_000 }]);
    expect(corrected.ok && corrected.reads[0]!.meterId).toBe('NEW');
  });
});

describe('estimates from the baseline', () => {
  it('estimates every energy register from the median kWh/day, split by the usual TOU shares', () => {
    const registers = [
      reg({ register: 'total', openValue: 99_900_000, closeValue: 5_000_000 }),
      reg({ register: 'peak', openValue: 1_000, closeValue: 2_000 }),
      reg({ register: 'valley', openValue: 3_000, closeValue: 4_000 }),
      reg({ register: 'reactive_kvarh', openValue: 0, closeValue: 1 }),
    ];
    // 10 kWh/day × 30 days = 300 kWh, peak:valley usually 1:2, kvarh 0.5 of kWh.
    const estimate = estimateReads(registers, 30, { periods: 12, kpd: 10_000, tou: { sharp: 0, peak: 100, flat: 0, valley: 200 }, kvarhRatio: 0.5 });
    expect(estimate.ok).toBe(true);
    if (!estimate.ok) return;
    expect(estimate.reads.every((r) => r.readType === 'estimated')).toBe(true);
    const q = deriveQuantities(estimate.registers);
    // The total register wraps past 99,999 on the way.
    expect(q.kwhMilli).toBe(300_000);
    expect(q.touKwhMilli).toEqual({ sharp: 0, peak: 100_000, flat: 0, valley: 200_000 });
    expect(q.kvarhMilli).toBe(150_000);
    expect(q.readFlags).toBe(READ_FLAGS.estimatedClose | READ_FLAGS.rollover);
  });

  it('needs a baseline and a single meter', () => {
    const none = estimateReads([reg({})], 30, { periods: 0, kpd: null, tou: null, kvarhRatio: null });
    expect(none.ok ? '' : none.message).toMatch(/no baseline/);
    const exchange = estimateReads([reg({ meterKey: 1 }), reg({ meterKey: 2 })], 30, { periods: 12, kpd: 1_000, tou: null, kvarhRatio: null });
    expect(exchange.ok ? '' : exchange.message).toMatch(/meter exchange/);
  });
});

describe('--read REGISTER=VALUE', () => {
  it('parses exact thousandths and says what is wrong otherwise', () => {
    expect(parseReadCorrection('total=12345.678')).toEqual({ register: 'total', valueMilli: 12_345_678 });
    expect(parseReadCorrection(' peak = 7 ')).toEqual({ register: 'peak', valueMilli: 7_000 });
    expect(parseReadCorrection('total=1.2345')).toMatch(/at most 3 decimals/);
    expect(parseReadCorrection('total=-5')).toMatch(/non-negative/);
    expect(parseReadCorrection('totl=5')).toMatch(/unknown register 'totl'/);
    expect(parseReadCorrection('12345')).toMatch(/not REGISTER=VALUE/);
  });
});
