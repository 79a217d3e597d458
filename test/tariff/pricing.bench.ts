// Pricing throughput per core: `npx vitest bench --run test/tariff`. One bill per iteration over
// 4096 prepared inputs, for a simple tiered policy, a period split between two versions, the
// industrial two-part policy (TOU + demand + penalty + PF + funds + VAT), and the same with the
// issue-16 rules: bounds prorated by days (a 45-day period) and rounding once per bill.
import { bench, describe } from 'vitest';
import type { PricingInput } from '../../schemas/bill.js';
import { epochDay } from '../../src/calendar/index.js';
import { compileTariff, priceBill } from '../../src/tariff/index.js';
import { sample, samplePolicy } from './helpers.js';

const START = epochDay('2025-06-15');
const END = epochDay('2025-07-15');

function residential(i: number): PricingInput {
  return {
    period: '2025-07', startDay: START, endDay: END, customerClass: 'residential', householdSize: (i % 7) + 1,
    contractKva: null, pfStandard: null, kwhMilli: ((i * 7919) % 1_500_000) + 1000, touKwhMilli: null,
    demandMilli: null, touDemandMilli: null, kvarhMilli: null, ytdKwhMilli: 0, ytdAmountMinor: 0,
  };
}

function industrial(i: number): PricingInput {
  const kwh = (((i * 7919) % 1_500_000) + 1000) * 1000;
  const sharp = Math.floor(kwh / 10);
  const peak = Math.floor(kwh / 4);
  const flat = Math.floor(kwh / 3);
  return {
    period: '2025-07', startDay: START, endDay: END, customerClass: 'industrial', householdSize: null,
    contractKva: 800 + (i % 400), pfStandard: [0.9, 0.85, 0.8][i % 3]!, kwhMilli: kwh,
    touKwhMilli: { sharp, peak, flat, valley: kwh - sharp - peak - flat }, demandMilli: 700_000 + ((i * 131) % 600_000),
    touDemandMilli: null, kvarhMilli: Math.floor(kwh * (0.2 + (i % 50) / 100)), ytdKwhMilli: 0, ytdAmountMinor: 0,
  };
}

const residentialInputs = Array.from({ length: 4096 }, (_, i) => residential(i));
const industrialInputs = Array.from({ length: 4096 }, (_, i) => industrial(i));
const gdRes = sample('GD-RES');
const resMkt = sample('RES-MKT');
const ind2p = sample('IND-2P');
const ind2pPolicy = samplePolicy('IND-2P');
const gdResProrated = (() => {
  const policy = samplePolicy('GD-RES');
  const version = policy.versions[0]!;
  return compileTariff({ ...policy, versions: [{ ...version, energy: { ...version.energy, tiers: { ...version.energy.tiers!, prorate: 'days_30' } } }] });
})();
const ind2pPerBill = compileTariff({ ...ind2pPolicy, rounding: 'per_bill' });
const longPeriodInputs = residentialInputs.map((input) => ({ ...input, startDay: START - 15 }));
let i = 0;

describe('priceBill', () => {
  bench('GD-RES tiered', () => {
    priceBill(gdRes, residentialInputs[i++ & 4095]!);
  });
  bench('RES-MKT period split between versions', () => {
    priceBill(resMkt, residentialInputs[i++ & 4095]!);
  });
  bench('IND-2P two-part', () => {
    priceBill(ind2p, industrialInputs[i++ & 4095]!);
  });
  bench('GD-RES bounds prorated days_30, 45-day periods', () => {
    priceBill(gdResProrated, longPeriodInputs[i++ & 4095]!);
  });
  bench('IND-2P rounded once per bill', () => {
    priceBill(ind2pPerBill, industrialInputs[i++ & 4095]!);
  });
});

describe('compileTariff', () => {
  bench('IND-2P (validation + 303 PF lines)', () => {
    compileTariff(ind2pPolicy);
  });
});
