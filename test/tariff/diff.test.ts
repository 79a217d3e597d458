import { describe, expect, it } from 'vitest';
import { diffPolicies } from '../../src/tariff/index.js';
import { samplePolicy } from './helpers.js';

describe('diffPolicies', () => {
  it('lists a new policy and its versions', () => {
    expect(diffPolicies(null, samplePolicy('RES-MKT')).map((c) => c.text)).toEqual([
      'new tariff RES-MKT (Residential market-indexed tiers, CNY)',
      'version 2020-01 (2020-01-01 to 2025-06-30) added',
      'version 2025-07 (2025-07-01 to open-ended) added',
    ]);
  });

  it('finds nothing between a policy and itself, even with decimals written differently', () => {
    const stored = samplePolicy('GD-RES');
    const next = structuredClone(stored);
    next.versions[0]!.energy.tiers!.blocks[0]!.rate = '0.588868750';
    expect(diffPolicies(stored, next)).toEqual([]);
  });

  it('reports rate, bound and date changes component by component', () => {
    const stored = samplePolicy('RES-MKT');
    const next = structuredClone(stored);
    const v2 = next.versions[1]!;
    v2.energy.tiers!.blocks[1]!.rate = '0.64';
    v2.energy.tiers!.blocks[0]!.up_to = 220;
    v2.minimum = { monthly: 10 };
    next.versions[0]!.effective_to = '2025-07-31';
    next.versions.push({ version: '2026-01', effective_from: '2026-01-01', energy: { rate: 0.7 } });
    next.versions[1]!.effective_from = '2025-08-01';
    next.versions[1]!.effective_to = '2025-12-31';
    const changes = diffPolicies(stored, next);
    expect(changes.map((c) => [c.kind, c.version, c.component, c.path, c.from, c.to])).toEqual([
      ['changed', '2020-01', 'dates', 'effective_to', '2025-06-30', '2025-07-31'],
      ['changed', '2025-07', 'dates', 'effective_from', '2025-07-01', '2025-08-01'],
      ['added', '2025-07', 'dates', 'effective_to', undefined, '2025-12-31'],
      ['changed', '2025-07', 'energy', 'energy.tiers.blocks[0].up_to', '200', '220'],
      ['changed', '2025-07', 'energy', 'energy.tiers.blocks[1].rate', '0.6156', '0.64'],
      ['added', '2025-07', 'minimum', 'minimum', undefined, '{"monthly":10}'],
      ['version_added', '2026-01', 'version', '', undefined, undefined],
    ]);
    expect(changes.map((c) => c.text)).toContain('version 2025-07 energy tiers block 2 rate: 0.6156 → 0.64');
    expect(changes.map((c) => c.text)).toContain('version 2025-07 effective to: added 2025-12-31');
  });

  it('reports removed versions and policy fields', () => {
    const stored = samplePolicy('RES-MKT');
    const next = { ...structuredClone(stored), name: 'Renamed' };
    next.versions = [next.versions[0]!];
    expect(diffPolicies(stored, next).map((c) => c.text)).toEqual([
      'policy name: Residential market-indexed tiers → Renamed',
      'version 2025-07 (2025-07-01 to open-ended) removed',
    ]);
  });
});
