// The reach of a price-policy change: the days on which a bill could be priced differently, and
// from them the billed periods `tariff load` asks to re-bill. Policies are GD-RES
// (samples/tariffs/GD-RES.yaml), one version 2012-07 open-ended, changed as a tariff admin would.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TariffPolicy, TariffVersion } from '../../schemas/tariff.js';
import { reachOfChange } from '../../src/tariff/index.js';
import { runCli, tempDir } from '../helpers.js';
import { samplePolicy } from './helpers.js';

const base = (): TariffPolicy => samplePolicy('GD-RES');

/** GD-RES with 2012-07 closed the day before `from` and a successor from `from` (tier 3 at `rate`). */
function withSuccessor(policy: TariffPolicy, from: string, id: string, rate = '0.98886875'): TariffPolicy {
  const next = structuredClone(policy);
  const last = next.versions.at(-1)!;
  const day = new Date(`${from}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - 1);
  last.effective_to = day.toISOString().slice(0, 10);
  const successor: TariffVersion = { ...structuredClone(last), version: id, effective_from: from, effective_to: null };
  successor.energy.tiers!.blocks[2]!.rate = rate;
  next.versions.push(successor);
  return next;
}

describe('reachOfChange', () => {
  it('closing a version and adding its successor reaches only the days after the closing date', () => {
    expect(reachOfChange(base(), withSuccessor(base(), '2025-12-01', '2025-12'))).toEqual([{ from: '2025-12-01', to: null }]);
    expect(reachOfChange(base(), withSuccessor(base(), '2026-03-01', '2026-03'))).toEqual([{ from: '2026-03-01', to: null }]);
  });

  it('a successor with the very same prices still reaches its days: bills there are cut at the new boundary and name it', () => {
    const same = withSuccessor(base(), '2026-03-01', '2026-03', '0.88886875');
    expect(reachOfChange(base(), same)).toEqual([{ from: '2026-03-01', to: null }]);
  });

  it('a changed rate in an old version reaches that version’s days only', () => {
    const stored = withSuccessor(base(), '2025-12-01', '2025-12');
    const next = structuredClone(stored);
    next.versions[0]!.energy.tiers!.blocks[0]!.rate = '0.6';
    expect(reachOfChange(stored, next)).toEqual([{ from: '2012-07-01', to: '2025-11-30' }]);
    // The same price written differently is no change.
    const same = structuredClone(stored);
    same.versions[0]!.energy.tiers!.blocks[0]!.rate = '0.588868750';
    expect(reachOfChange(stored, same)).toEqual([]);
  });

  it('a removed version reaches its days (its predecessor now applies there)', () => {
    const stored = withSuccessor(base(), '2025-12-01', '2025-12');
    expect(reachOfChange(stored, base())).toEqual([{ from: '2025-12-01', to: null }]);
  });

  it('moving a boundary reaches the days between the old and the new date', () => {
    const stored = withSuccessor(base(), '2025-07-01', '2025-07');
    const next = withSuccessor(base(), '2025-08-01', '2025-07');
    expect(reachOfChange(stored, next)).toEqual([{ from: '2025-07-01', to: '2025-07-31' }]);
    expect(reachOfChange(next, stored)).toEqual([{ from: '2025-07-01', to: '2025-07-31' }]);
  });

  it('changes in two versions apart give two ranges; a new name none; a new currency every day', () => {
    const stored = withSuccessor(withSuccessor(base(), '2025-07-01', '2025-07'), '2026-01-01', '2026-01');
    const next = structuredClone(stored);
    next.versions[0]!.tax!.rate = '0.09';
    next.versions[2]!.tax!.rate = '0.09';
    expect(reachOfChange(stored, next)).toEqual([{ from: '2012-07-01', to: '2025-06-30' }, { from: '2026-01-01', to: null }]);
    expect(reachOfChange(stored, { ...structuredClone(stored), name: 'Renamed', description: 'new words' })).toEqual([]);
    expect(reachOfChange(stored, { ...structuredClone(stored), currency: 'USD' })).toEqual([{ from: '2012-07-01', to: null }]);
  });

  it('runs on to the year’s end where an annual minimum is settled in December against the year’s bills', () => {
    const stored = withSuccessor(withSuccessor(base(), '2025-03-01', '2025-03'), '2025-07-01', '2025-07');
    stored.versions[2]!.minimum = { annual: 600 };
    const next = structuredClone(stored);
    next.versions[1]!.energy.tiers!.blocks[0]!.rate = '0.6'; // 2025-03-01 .. 2025-06-30
    expect(reachOfChange(stored, next)).toEqual([{ from: '2025-03-01', to: '2025-12-31' }]);
    // Without an annual minimum later in the year, only the version's own days.
    delete stored.versions[2]!.minimum;
    delete next.versions[2]!.minimum;
    expect(reachOfChange(stored, next)).toEqual([{ from: '2025-03-01', to: '2025-06-30' }]);
  });
});

describe('tariff load on a billed store', () => {
  // Three GD-RES accounts read on the 15th, billed 2025-10..2026-01: each bill prices the days from
  // its opening read to the day before its closing read (2026-01: 2025-12-15 to 2026-01-14).
  async function billedStore(): Promise<{ dir: string; db: string }> {
    const dir = tempDir();
    const db = join(dir, 'store.duckdb');
    expect((await runCli(['tariff', 'load', policyFile(dir, 'base', base())], db)).code).toBe(0);
    writeFileSync(join(dir, 'accounts.csv'), [
      'account_id,name,address,customer_class,tariff_id,region,meter_id,start_date',
      ...['A1', 'A2', 'A3'].map((id) => `${id},Customer ${id},1 Road,residential,GD-RES,R1,M${id},2020-01-01`),
    ].join('\n') + '\n');
    const reads = ['meter_id,read_at,register,value,read_type'];
    ['2025-09-15', '2025-10-15', '2025-11-15', '2025-12-15', '2026-01-15'].forEach((date, i) => {
      for (const id of ['A1', 'A2', 'A3']) reads.push(`M${id},${date},total,${1000 + i * 300},actual`);
    });
    writeFileSync(join(dir, 'reads.csv'), reads.join('\n') + '\n');
    expect((await runCli(['load', 'accounts', join(dir, 'accounts.csv')], db)).code).toBe(0);
    expect((await runCli(['load', 'readings', join(dir, 'reads.csv')], db)).code).toBe(0);
    const billed = await runCli(['bill', '--from', '2025-10', '--to', '2026-01', '--workers', '1', '--out', join(dir, 'out')], db);
    expect(billed.code, billed.err).toBe(0);
    return { dir, db };
  }

  function policyFile(dir: string, name: string, policy: TariffPolicy): string {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(policy));
    return path;
  }

  it('loads a successor after the last billed period without a re-bill, and asks for one only for the periods reached', async () => {
    const { dir, db } = await billedStore();
    const load = (name: string, policy: TariffPolicy, ...args: string[]) => runCli(['tariff', 'load', policyFile(dir, name, policy), ...args], db);

    // In the future: nothing billed is reached.
    const future = await load('future', withSuccessor(base(), '2026-03-01', '2026-03'));
    expect(future.code, future.err).toBe(0);
    expect(future.out).toContain('version 2012-07 effective to: added 2026-02-28');
    expect(future.out).toContain('prices differ on 2026-03-01 on: no billed period reached');

    // The future version removed again (2012-07 open-ended once more): still nothing billed.
    const removedFuture = await load('removed-future', base());
    expect(removedFuture.code, removedFuture.err).toBe(0);
    expect(removedFuture.out).toContain('version 2026-03 (2026-03-01 to open-ended) removed');

    // The first day after the last billed period's last priced day: nothing billed is reached.
    const afterLast = await load('after-last', withSuccessor(base(), '2026-01-15', '2026-01b'));
    expect(afterLast.code, afterLast.err).toBe(0);
    await load('back', base());

    // One day earlier reaches 2026-01's bills (they price 2026-01-14).
    const lastDay = await load('last-day', withSuccessor(base(), '2026-01-14', '2026-01b'));
    expect(lastDay.code).toBe(5);
    expect(lastDay.err).toContain('this change reaches 2026-01-14 on and so billed periods 2026-01..2026-01 (3 bills)');

    // In the past: 2025-12 (service 2025-11-15 to 2025-12-14) and 2026-01, not 2024 or 2025-10/11.
    const past = withSuccessor(base(), '2025-12-01', '2025-12');
    const refused = await load('past', past);
    expect(refused.code).toBe(5);
    expect(refused.err).toContain('this change reaches 2025-12-01 on and so billed periods 2025-12..2026-01 (6 bills)');
    expect(refused.err).toContain('--rebill-from 2025-12');
    expect((await load('past', past, '--rebill-from', '2026-01')).code).toBe(5);
    const accepted = await load('past', past, '--rebill-from', '2025-12');
    expect(accepted.code, accepted.err).toBe(0);
    expect(accepted.out).toContain('prices differ on 2025-12-01 on: billed periods 2025-12..2026-01 (6 bills)');
    expect(accepted.err).toContain('billrun bill --rebill --from 2025-12 --to 2026-01');

    // A changed rate in the old version, now closed on 2025-11-30: its bills up to 2025-12.
    const oldRate = structuredClone(past);
    oldRate.versions[0]!.energy.tiers!.blocks[0]!.rate = '0.6';
    const old = await load('old-rate', oldRate);
    expect(old.code).toBe(5);
    expect(old.err).toContain('this change reaches 2012-07-01 to 2025-11-30 and so billed periods 2025-10..2025-12 (9 bills)');

    // The past version removed (2012-07 open-ended again): the removed version's days.
    const removed = await load('removed', base());
    expect(removed.code).toBe(5);
    expect(removed.err).toContain('this change reaches 2025-12-01 on and so billed periods 2025-12..2026-01 (6 bills)');
  });
});
