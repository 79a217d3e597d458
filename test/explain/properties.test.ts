// Property: on generated bill pairs — every sample tariff, random days, usage, TOU splits,
// demand, peers, estimates, meter exchanges, corrections, comparisons across seasons, tariff
// versions and years, and stored amounts re-pricing cannot reproduce — the causes add up to the
// change exactly, every cause is a whole number of minor units, the texts are made and the
// statement's box shows the customer text of its locale. A failure prints the seed that
// reproduces it.
import { describe, expect, it } from 'vitest';
import type { PricingInput } from '../../schemas/bill.js';
import { Explanation } from '../../schemas/explanation.js';
import { READ_FLAGS } from '../../schemas/review.js';
import { addPeriods, epochDay } from '../../src/calendar/index.js';
import { explainChange, statementBox } from '../../src/explain/index.js';
import { priceBill, type CompiledTariff } from '../../src/tariff/index.js';
import { prng, randomInt, sample } from '../tariff/helpers.js';
import { BILL } from './scenarios.js';

const TARIFFS = ['GD-RES', 'RES-TOU', 'COM-TOU', 'IND-2P', 'RES-MKT', 'AGR-FLAT'].map(sample);
const BILLS = 3000;

function generated(random: () => number, tariff: CompiledTariff, period: string, startDay: number, days: number, kwh: number): PricingInput {
  const two = tariff.id === 'IND-2P' || tariff.id === 'COM-TOU';
  const tou = tariff.id.includes('TOU') || two;
  const split = [tariff.id === 'RES-TOU' ? 0 : random(), random(), random(), random()];
  const sum = split.reduce((a, b) => a + b, 0);
  const parts = split.map((w) => Math.round((kwh * w) / sum));
  return {
    period, startDay, endDay: startDay + days,
    customerClass: two ? 'industrial' : 'residential',
    householdSize: random() < 0.2 ? 6 : 3,
    contractKva: two ? randomInt(random, 100, 2000) : null,
    pfStandard: tariff.id === 'IND-2P' ? 0.9 : null,
    kwhMilli: tou ? parts.reduce((a, b) => a + b, 0) : kwh,
    touKwhMilli: tou ? { sharp: parts[0]!, peak: parts[1]!, flat: parts[2]!, valley: parts[3]! } : null,
    demandMilli: two ? randomInt(random, 10_000, 3_000_000) : null,
    touDemandMilli: null,
    kvarhMilli: two ? Math.round(kwh * (0.1 + random() * 0.8)) : null,
    ytdKwhMilli: randomInt(random, 0, 3_000_000),
    ytdAmountMinor: randomInt(random, 0, 300_000),
  };
}

describe('waterfall property', () => {
  it(`adds up exactly on ${BILLS} generated bill pairs`, () => {
    const seed = Number(process.env.EXPLAIN_SEED ?? 20261206);
    const random = prng(seed);
    for (let n = 0; n < BILLS; n++) {
      const tariff = TARIFFS[n % TARIFFS.length]!;
      const period = addPeriods('2024-01', randomInt(random, 0, 23));
      const back = random() < 0.7 ? 1 : 12;
      const earlierPeriod = addPeriods(period, -back);
      const endDay = epochDay(`${addPeriods(period, 1)}-01`) - randomInt(random, 0, 20);
      const days = randomInt(random, 1, 40);
      const earlierDays = randomInt(random, 1, 40);
      const earlierEnd = epochDay(`${addPeriods(earlierPeriod, 1)}-01`) - randomInt(random, 0, 20);
      const scale = tariff.id === 'IND-2P' || tariff.id === 'COM-TOU' ? 100_000_000 : 1_500_000;
      const previous = generated(random, tariff, earlierPeriod, earlierEnd - earlierDays, earlierDays, random() < 0.05 ? 0 : randomInt(random, 0, scale));
      const current = generated(random, tariff, period, endDay - days, days, random() < 0.05 ? 0 : randomInt(random, 0, scale));
      const flags = [0, READ_FLAGS.estimatedClose, READ_FLAGS.estimatedOpen, READ_FLAGS.meterExchange][randomInt(random, 0, 3)]!;
      const drift = random() < 0.1 ? randomInt(random, -500, 500) : 0;
      const firstRead = random() < 0.1 ? { input: { ...current, kwhMilli: current.kwhMilli * 10 }, readFlags: flags } : null;
      const change = {
        against: back === 1 ? 'last_month' as const : 'last_year' as const,
        previous: { input: previous, amountMinor: priceBill(tariff, previous).totalMinor + drift, readFlags: 0, tariff },
        current: { input: current, amountMinor: priceBill(tariff, current).totalMinor, readFlags: flags, tariff },
        firstRead,
        peerRatio: random() < 0.7 ? 0.5 + random() : null,
        estimatesBefore: flags === READ_FLAGS.estimatedOpen ? { bills: randomInt(random, 1, 3), kwhMilli: randomInt(random, 0, scale), days: randomInt(random, 28, 93) } : null,
        meterExchangeDate: flags === READ_FLAGS.meterExchange ? '2025-07-10' : null,
      };
      let e, boxes;
      try {
        const made = explainChange(BILL, change, true);
        // The box makes its one text before the explanation's texts are first read.
        boxes = { en: statementBox(made, 'en').text, 'zh-CN': statementBox(made, 'zh-CN').text };
        e = Explanation.parse(made);
      } catch (error) {
        throw new Error(`seed ${seed}, bill ${n} (${tariff.id}): ${(error as Error).message}`);
      }
      const sum = e.causes.reduce((s, c) => s + c.amountMinor, 0);
      if (sum !== change.current.amountMinor - change.previous.amountMinor) {
        throw new Error(`seed ${seed}, bill ${n} (${tariff.id}): causes add up to ${sum}, the change is ${e.changeMinor}`);
      }
      expect(e.text.en.agent.length).toBeGreaterThan(0);
      expect(e.text['zh-CN'].customer.length).toBeGreaterThan(0);
      expect(boxes).toEqual({ en: e.text.en.customer, 'zh-CN': e.text['zh-CN'].customer });
    }
  });
});
