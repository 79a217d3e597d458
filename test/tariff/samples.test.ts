// The sample policies the data generator assigns accounts to: valid, with the agreed ids and
// dates, and cheap for the store (few distinct line-item dimensions however many accounts).
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { epochDay, periodOfDay } from '../../src/calendar/index.js';
import { compileTariff, priceBill } from '../../src/tariff/index.js';
import { prng, randomInt, SAMPLES_DIR, samplePolicy } from './helpers.js';

const IDS = ['AGR-FLAT', 'COM-TOU', 'EXAMPLE-ANNOTATED', 'GD-RES', 'IND-2P', 'RES-MKT', 'RES-TOU'];

describe('sample policies', () => {
  it('are all present and valid, named after their ids', () => {
    expect(readdirSync(SAMPLES_DIR).filter((f) => f.endsWith('.yaml')).sort()).toEqual(IDS.map((id) => `${id}.yaml`));
    for (const id of IDS) expect(samplePolicy(id).id).toBe(id);
  });

  it('cover every day from 2020-01-01 on', () => {
    for (const id of IDS) {
      const policy = samplePolicy(id);
      expect(epochDay(policy.versions[0]!.effective_from), id).toBeLessThanOrEqual(epochDay('2020-01-01'));
      expect(policy.versions.at(-1)!.effective_to ?? null, id).toBeNull();
    }
  });

  it('give RES-MKT two adjacent versions with different prices', () => {
    const [first, second] = samplePolicy('RES-MKT').versions;
    expect([first!.effective_from, first!.effective_to, second!.effective_from, second!.effective_to ?? null])
      .toEqual(['2020-01-01', '2025-06-30', '2025-07-01', null]);
    // +8%: 0.52 → 0.5616
    expect([first!.energy.tiers!.blocks[0]!.rate, second!.energy.tiers!.blocks[0]!.rate]).toEqual(['0.52', '0.5616']);
  });

  it('keep line-item dimensions to a small set per policy', () => {
    // Dimensions are (component, label, unit, rate, tariffId, tariffVersion); IND-2P's PF lines
    // are the largest family (one per PF value and standard).
    const limits: Record<string, number> = {
      'AGR-FLAT': 2, 'COM-TOU': 5, 'EXAMPLE-ANNOTATED': 320, 'GD-RES': 12, 'IND-2P': 320, 'RES-MKT': 6, 'RES-TOU': 12,
    };
    for (const id of IDS) {
      const tariff = compileTariff(samplePolicy(id));
      const dimensions = new Set<string>();
      for (let seed = 1; seed <= 3000; seed++) {
        const random = prng(seed);
        const startDay = randomInt(random, epochDay('2020-01-01'), epochDay('2026-12-01'));
        const endDay = startDay + randomInt(random, 28, 33);
        const kwhMilli = randomInt(random, 0, 2_000_000_000);
        const sharp = id === 'RES-TOU' ? 0 : Math.floor(kwhMilli / 10);
        const bill = priceBill(tariff, {
          period: periodOfDay(endDay - 1), startDay, endDay, customerClass: 'industrial',
          householdSize: randomInt(random, 1, 8), contractKva: randomInt(random, 100, 5000),
          pfStandard: [0.9, 0.85, 0.8][randomInt(random, 0, 2)]!, kwhMilli,
          touKwhMilli: { sharp, peak: Math.floor(kwhMilli / 4), flat: Math.floor(kwhMilli / 3), valley: kwhMilli - sharp - Math.floor(kwhMilli / 4) - Math.floor(kwhMilli / 3) },
          demandMilli: random() < 0.5 ? null : randomInt(random, 0, 6_000_000), touDemandMilli: null,
          kvarhMilli: randomInt(random, 0, 2_000_000_000), ytdKwhMilli: randomInt(random, 0, 20_000_000_000), ytdAmountMinor: 0,
        });
        for (const l of bill.lineItems) dimensions.add([l.component, l.label, l.unit, l.rate, l.tariffId, l.tariffVersion].join('|'));
      }
      expect(dimensions.size, id).toBeLessThanOrEqual(limits[id]!);
    }
  });
});
