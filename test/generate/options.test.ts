import { readdir } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSampleData } from '../../src/generate/index.js';
import { GenerateOptions } from '../../schemas/generate.js';
import { movePriceChange } from '../../src/generate/tariffs.js';
import { epochDay } from '../../src/calendar/index.js';
import { FIXTURE_TARIFFS, generateInTemp, removeTempDirs } from './helpers.js';

afterAll(removeTempDirs);

describe('options', () => {
  it('fills in the documented defaults', () => {
    expect(GenerateOptions.parse({ accounts: 10, months: 3, start: '2024-01', seed: 1, out: 'x' })).toEqual({
      accounts: 10, months: 3, start: '2024-01', seed: 1, out: 'x', format: 'parquet', anomalyRate: 0.01, regions: 5, heatWaveSize: 0.35, volatility: 1,
      noiseMemory: 0, heatingShare: 0, intervalOnlyShare: 0,
    });
  });

  it('rejects malformed options with the field named', async () => {
    await expect(generateSampleData({ accounts: 10, months: 3, start: '2024-13', seed: 1, out: 'x' })).rejects.toThrow(/start/);
    await expect(generateSampleData({ accounts: 0, months: 3, start: '2024-01', seed: 1, out: 'x' })).rejects.toThrow(/accounts/);
    await expect(generateSampleData({ accounts: 5, months: 3, start: '2024-01', seed: -1, out: 'x' })).rejects.toThrow(RangeError);
  });

  it('keeps every period between 1900-01 and 9998-12, where the calendar works', () => {
    const problem = (start: string, months: number) =>
      GenerateOptions.safeParse({ accounts: 10, months, start, seed: 1, out: 'x' }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(problem('0000-01', 2)).toEqual(['start: must be a period from 1900-01 to 9998-12']);
    expect(problem('9998-12', 2)).toEqual(['months: the periods must end by 9998-12']);
    expect(problem('9998-11', 2)).toBeUndefined();
    expect(problem('1900-01', 2)).toBeUndefined();
  });
});

describe('edges', () => {
  it('makes a single winter period without anomalies, heat wave or interval data', async () => {
    const { dir, summary } = await generateInTemp({ accounts: 50, months: 1, start: '2024-01', seed: 2, intervalAccounts: 0, anomalyRate: 0.05 });
    expect(summary.accountPeriods).toBe(50);
    expect(summary.labelledPeriods).toBe(0);
    expect(summary.heatWave).toBeNull();
    expect((await readdir(dir)).sort()).toEqual(['accounts.csv', 'labels.csv', 'readings.parquet', 'tariffs']);
  });

  it('says where it looked for the load shapes when they are missing', async () => {
    await expect(generateInTemp({ accounts: 50, months: 2, start: '2024-01', seed: 2, intervalAccounts: 1, loadShapesDir: '/nonexistent' }))
      .rejects.toThrow(/load shape \/nonexistent\/\S+\.csv not found/);
  });

  it('removes files of the other format when regenerating into the same directory', async () => {
    const { dir } = await generateInTemp({ accounts: 50, months: 2, start: '2024-01', seed: 2, intervalAccounts: 1 });
    await generateSampleData({ accounts: 50, months: 2, start: '2024-01', seed: 2, intervalAccounts: 0, format: 'csv', out: dir, tariffsDir: FIXTURE_TARIFFS });
    expect((await readdir(dir)).sort()).toEqual(['accounts.csv', 'labels.csv', 'readings.csv', 'tariffs']);
  });

  it('keeps the label rate when the rate is high', async () => {
    const { summary } = await generateInTemp({ accounts: 1500, months: 24, start: '2023-01', seed: 9, anomalyRate: 0.05 });
    expect(summary.labelRate).toBeGreaterThan(0.04);
    expect(summary.labelRate).toBeLessThan(0.06);
  });
});

describe('market tariff price change', () => {
  it('moves the boundary between the first two versions and keeps comments', () => {
    const text = '# keep me\nid: X\nversions:\n  - version: a\n    effective_from: 2020-01-01\n    effective_to: 2030-01-31\n  - version: b # second\n    effective_from: 2030-02-01\n';
    const moved = movePriceChange(text, epochDay('2024-07-01'), 'X.yaml');
    expect(moved.changed).toBe(true);
    expect(moved.text).toContain('# keep me');
    expect(moved.text).toContain('version: b # second');
    expect(moved.text).toContain('effective_to: 2024-06-30');
    expect(moved.text).toContain('effective_from: 2024-07-01');
  });

  it('leaves a single-version policy alone and reports broken YAML', () => {
    const single = 'id: X\nversions:\n  - version: a\n    effective_from: 2020-01-01\n';
    expect(movePriceChange(single, 20000, 'X.yaml')).toEqual({ text: single, changed: false });
    expect(() => movePriceChange('versions: [', 20000, 'bad.yaml')).toThrow(/bad\.yaml/);
  });
});
