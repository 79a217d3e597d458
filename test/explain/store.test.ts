// billrun explain on the statements' golden store (six accounts billed 2024-07 … 2025-07, one
// corrected in review, one meter exchange): the bills re-priced from the store add up, the
// period's file in both formats, the single-account view with its history, and bad usage.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Explanation } from '../../schemas/explanation.js';
import { explainBill, explainPeriod } from '../../src/explain/index.js';
import { openStore } from '../../src/store/index.js';
import { parseCsv } from '../../src/text/csv.js';
import { runCli } from '../helpers.js';
import { CORRECTED_ACCOUNT, PERIOD, statementsFixture, type StatementsFixture } from '../statements/fixture.js';

let fx: StatementsFixture;

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
beforeAll(async () => {
  fx = await statementsFixture();
});
afterAll(() => fx?.remove());

describe('billrun explain on a billed store', () => {
  it('explains every bill against last month from the stored bills, summing exactly, and lists the notable ones', async () => {
    const store = await openStore(fx.db, { readOnly: true });
    try {
      const all = await collect((await explainPeriod(store, PERIOD, { always: true })).explanations);
      // Six bills of July, each with a June bill to compare with.
      expect(all.map((e) => e.accountId)).toEqual(['IND-2P-03', 'RES-CORR-04', 'RES-EXCH-05', 'RES-HELD-06', 'RES-TIER-01', 'RES-TOU-02']);
      for (const e of all) {
        Explanation.parse(e);
        expect(e.causes.reduce((s, c) => s + c.amountMinor, 0)).toBe(e.current.amountMinor - e.previous.amountMinor);
        // Re-pricing the stored bills reproduces them: nothing is left to `other`.
        expect(e.causes.map((c) => c.kind)).not.toContain('other');
      }
      const tier = all.find((e) => e.accountId === 'RES-TIER-01')!;
      expect(tier.causes.map((c) => [c.kind, c.amountMinor])).toEqual([['days', -1071], ['usage', 12571], ['tier', 2500]]);
      // The digit slip read first (31,986) and corrected in review to 27,936.
      const corrected = all.find((e) => e.accountId === CORRECTED_ACCOUNT)!;
      const correction = corrected.causes.find((c) => c.kind === 'correction')!;
      expect(correction.amountMinor).toBeLessThan(0);
      expect(correction.facts.firstAmountMinor! + correction.amountMinor).toBe(corrected.current.amountMinor);

      const notable = await collect((await explainPeriod(store, PERIOD)).explanations);
      expect(notable.every((e) => e.notable)).toBe(true);
      expect(notable.map((e) => e.accountId)).toContain('RES-TIER-01');
      expect(notable.map((e) => e.accountId)).not.toContain('RES-TOU-02');

      // Read two account keys at a time (a period of millions is read 50,000 at a time): the same
      // explanations and counts as in one read.
      const ranged = await explainPeriod(store, PERIOD, { always: true, keysPerRange: 2 });
      expect([ranged.bills, ranged.comparable]).toEqual([6, 6]);
      const byId = (es: Explanation[]) => [...es].sort((a, b) => a.accountId.localeCompare(b.accountId));
      expect(byId(await collect(ranged.explanations))).toEqual(all);
    } finally {
      store.close();
    }
  });

  it('gives one account\'s explanation with its 13-period history (the review desk\'s endpoint)', async () => {
    const store = await openStore(fx.db, { readOnly: true });
    try {
      const e = Explanation.parse(await explainBill(store, 'RES-TIER-01', PERIOD));
      expect(e.history).toHaveLength(13);
      expect(e.history!.at(-1)).toEqual({ period: PERIOD, days: 30, kwhMilli: 700000, amountMinor: 45921 });
      expect(await explainBill(store, 'NO-SUCH', PERIOD)).toBeNull();
    } finally {
      store.close();
    }
  });

  it('prints the waterfall and both texts; writes JSONL and neutralised CSV files', async () => {
    const shown = await runCli(['explain', 'RES-TIER-01', '--period', PERIOD, '--locale', 'zh-CN'], fx.db);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toContain('阶梯档位变化');
    expect(shown.out).toContain('合计+¥140.00，与变化金额一致。');

    const jsonl = join(fx.dir, 'explain.jsonl');
    const written = await runCli(['explain', '--period', PERIOD, '--out', jsonl], fx.db);
    expect(written.code, written.err).toBe(0);
    const lines = readFileSync(jsonl, 'utf8').trimEnd().split('\n').map((l) => Explanation.parse(JSON.parse(l)));
    expect(written.out).toContain(`${lines.length} of 6 bills changed notably`);

    const csvFile = join(fx.dir, 'explain.csv');
    expect((await runCli(['explain', '--period', PERIOD, '--out', csvFile], fx.db)).code).toBe(0);
    const [header, ...rows] = parseCsv(readFileSync(csvFile, 'utf8'));
    expect(rows).toHaveLength(lines.length);
    const column = (name: string) => header!.cells.indexOf(name);
    const tier = rows.find((r) => r.cells[0] === 'RES-TIER-01')!.cells;
    expect([tier[column('previous_amount')], tier[column('amount')], tier[column('change')], tier[column('days')], tier[column('tier')]])
      .toEqual(['319.21', '459.21', '140.00', '-10.71', '25.00']);
    expect(tier[column('customer_text_zh-CN')]).toContain('阶梯档位变化+¥25.00');
  });

  it('refuses bad usage with one message and exit code 2, and an unwritable folder with 6', async () => {
    expect((await runCli(['explain', 'RES-TIER-01', '--period', '2025-13'], fx.db)).code).toBe(2);
    expect((await runCli(['explain', '--period', PERIOD], fx.db)).err).toContain('give an ACCOUNT');
    expect((await runCli(['explain', '--period', PERIOD, '--out', join(fx.dir, 'x.txt'), '--format', 'xml'], fx.db)).code).toBe(2);
    const missing = await runCli(['explain', '--period', PERIOD, '--out', join(fx.dir, 'no', 'such', 'x.jsonl')], fx.db);
    expect(missing.code).toBe(6);
    expect(missing.err).toContain('no such folder');
  });
});
