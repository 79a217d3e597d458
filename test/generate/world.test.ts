// Two worlds the generator can make besides its usual one, so that the review rules are evaluated
// where the peers and independent months do not describe every account (bench/evaluate.ts):
// --noise-memory makes an account's monthly swings persist (an AR(1) series of the log noise),
// checked here by the sample moments of the series, not by its formula; --heating-share puts
// electrically heated homes among summer-peaking neighbours.
import { describe, expect, it } from 'vitest';
import { GenerateOptions } from '../../schemas/generate.js';
import { epochDay } from '../../src/calendar/index.js';
import { HEATED_HOME, RESIDENTIAL } from '../../src/generate/catalog.js';
import { ConsumptionModel } from '../../src/generate/consumption.js';
import { buildPopulation } from '../../src/generate/population.js';
import { normal, Stream } from '../../src/generate/random.js';
import { makeWindow } from '../../src/generate/window.js';

describe('noise memory', () => {
  const window = makeWindow('2024-01', 25);
  const options = GenerateOptions.parse({ accounts: 4000, months: 25, start: '2024-01', seed: 9, out: 'unused' });
  const pop = buildPopulation(options, window);
  const model = (phi: number) => new ConsumptionModel(9, window, pop, null, phi);

  it('leaves the months independent by default: the same draws as before the option', () => {
    const m = model(0);
    for (const [a, month] of [[0, 0], [17, 5], [3999, 24]] as const) {
      expect(m.noise(a, month)).toBe(normal(9, Stream.noise, a, month));
    }
  });

  it.each([0, 0.5, 0.8])('carries %s of a month\'s swing into the next and keeps every month\'s spread', (phi) => {
    const m = model(phi);
    let sxy = 0; let sxx = 0; let syy = 0;
    for (let a = 0; a < pop.count; a++) {
      const series = Array.from({ length: 25 }, (_, month) => m.noise(a, month));
      for (let month = 0; month < 24; month++) {
        sxy += series[month]! * series[month + 1]!; sxx += series[month]! ** 2; syy += series[month + 1]! ** 2;
      }
    }
    // 4,000 accounts × 24 pairs: the sample correlation's standard error is about 0.005 (0.01 at φ 0.8, where
    // neighbouring pairs overlap more); the spread of one month over 4,000 accounts about 0.02.
    expect(Math.abs(sxy / Math.sqrt(sxx * syy) - phi)).toBeLessThan(0.03);
    for (const month of [0, 12, 24]) {
      const values = Array.from({ length: pop.count }, (_, a) => m.noise(a, month));
      const variance = values.reduce((s, v) => s + v * v, 0) / values.length;
      expect(Math.abs(variance - 1)).toBeLessThan(0.08);
    }
  });
});

describe('heated homes', () => {
  const window = makeWindow('2024-01', 13);
  const population = (heatingShare: number) =>
    buildPopulation(GenerateOptions.parse({ accounts: 5000, months: 13, start: '2024-01', seed: 4, out: 'unused', heatingShare }), window);

  it('are the asked share of the homes, and none by default', () => {
    const none = population(0);
    expect(none.seasonProfile).toEqual(Uint8Array.from(none.customerClass));
    const pop = population(0.2);
    let homes = 0; let heated = 0;
    for (let a = 0; a < pop.count; a++) {
      if (pop.customerClass[a] !== RESIDENTIAL) expect(pop.seasonProfile[a]).toBe(pop.customerClass[a]);
      else { homes++; if (pop.seasonProfile[a] === HEATED_HOME) heated++; }
    }
    // Binomial: about 4,000 homes, σ of the share ≈ 0.0063.
    expect(Math.abs(heated / homes - 0.2)).toBeLessThan(0.025);
  });

  it('use more in January than in July, as their neighbours do the other way round', () => {
    const pop = population(0.2);
    const model = new ConsumptionModel(4, window, pop, null);
    const jan = [epochDay('2024-01-01'), epochDay('2024-02-01')] as const;
    const jul = [epochDay('2024-07-01'), epochDay('2024-08-01')] as const;
    for (let a = 0; a < 200; a++) {
      if (pop.customerClass[a] !== RESIDENTIAL) continue;
      const winter = model.expectedKwh(a, ...jan);
      const summer = model.expectedKwh(a, ...jul);
      if (pop.seasonProfile[a] === HEATED_HOME) expect(winter).toBeGreaterThan(summer);
      else expect(summer).toBeGreaterThan(winter);
    }
  });
});
