// Shared test fixtures: sample policies, a pricing input builder and a seeded PRNG.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PricingInput } from '../../schemas/bill.js';
import type { TariffPolicy } from '../../schemas/tariff.js';
import { epochDay } from '../../src/calendar/index.js';
import { compileTariff, type CompiledTariff, formatProblem, parsePolicy } from '../../src/tariff/index.js';

export const SAMPLES_DIR = fileURLToPath(new URL('../../samples/tariffs/', import.meta.url));

export function samplePolicy(id: string): TariffPolicy {
  const { policy, problems } = parsePolicy(readFileSync(`${SAMPLES_DIR}${id}.yaml`, 'utf8'), 'yaml', `${id}.yaml`);
  if (!policy) throw new Error(problems.map(formatProblem).join('\n'));
  return policy;
}

export function sample(id: string): CompiledTariff {
  return compileTariff(samplePolicy(id));
}

export function policyFromYaml(text: string): TariffPolicy {
  const { policy, problems } = parsePolicy(text, 'yaml', 'test.yaml');
  if (!policy) throw new Error(problems.map(formatProblem).join('\n'));
  return policy;
}

export function tariffFromYaml(text: string): CompiledTariff {
  return compileTariff(policyFromYaml(text));
}

/** A whole calendar month of service for `period`, with no optional determinants. */
export function monthInput(period: string, kwh: number, extra: Partial<PricingInput> = {}): PricingInput {
  const [year, month] = period.split('-').map(Number) as [number, number];
  const startDay = epochDay(`${period}-01`);
  const endDay = epochDay(month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`);
  return {
    period,
    startDay,
    endDay,
    customerClass: 'residential',
    householdSize: null,
    contractKva: null,
    pfStandard: null,
    kwhMilli: Math.round(kwh * 1000),
    touKwhMilli: null,
    demandMilli: null,
    touDemandMilli: null,
    kvarhMilli: null,
    ytdKwhMilli: 0,
    ytdAmountMinor: 0,
    ...extra,
  };
}

export function tou(sharp: number, peak: number, flat: number, valley: number): NonNullable<PricingInput['touKwhMilli']> {
  return { sharp: Math.round(sharp * 1000), peak: Math.round(peak * 1000), flat: Math.round(flat * 1000), valley: Math.round(valley * 1000) };
}

/** mulberry32: a tiny deterministic PRNG, so a failing property prints a seed that reproduces it. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Sum of line amounts, the invariant every bill must meet. */
export function lineSum(bill: { lineItems: { amountMinor: number }[] }): number {
  return bill.lineItems.reduce((s, l) => s + l.amountMinor, 0);
}

/** Line items as compact `label: amount` pairs, for readable expectations. */
export function amounts(bill: { lineItems: { label: string; amountMinor: number }[] }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of bill.lineItems) out[l.label] = (out[l.label] ?? 0) + l.amountMinor;
  return out;
}
