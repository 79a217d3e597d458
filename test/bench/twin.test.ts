// The SQL twin of the month's run (bench/twin.ts) prices the same bills as the pipeline: on a store
// billed end to end from generated data, every bill of a policy the twin prices (GD-RES, AGR-FLAT)
// has the pipeline's amount, included tax and line items (quantity and amount, in order), in a
// summer and a winter month (GD-RES's bounds change with the season), and the twin bills exactly the
// accounts the pipeline billed on those policies.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTwin, twinPolicy } from '../../bench/twin.js';
import { loadRules } from '../../src/anomaly/index.js';
import { parsePolicy } from '../../src/tariff/index.js';
import { requireBillingPeriod } from '../../src/calendar/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { billedStore, type BilledStore } from '../billed-store.js';

let billed: BilledStore;
beforeAll(async () => {
  billed = await billedStore({ accounts: 800, months: 8, start: '2024-01', seed: 5 });
}, 240_000);
afterAll(() => billed?.remove());

type Row = Record<string, unknown>;
const key = (r: Row) => Number(r.account_key);

async function pipelineBills(store: Store, period: number): Promise<{ bills: Row[]; lines: Row[] }> {
  const filter = `b.period = $period AND b.is_current AND c.tariff_id IN ('GD-RES', 'AGR-FLAT')`;
  const bills = await store.rows(`SELECT b.account_key, b.amount_minor, b.tax_included_minor FROM bills b JOIN bill_contexts c USING (context_key)
    WHERE ${filter} ORDER BY b.account_key`, { period });
  const lines = await store.rows(`SELECT l.account_key, l.seq, l.quantity_milli, l.amount_minor
    FROM line_items l JOIN bills b USING (account_key, period, bill_version) JOIN bill_contexts c USING (context_key)
    WHERE ${filter} ORDER BY l.account_key, l.seq`, { period });
  return { bills, lines };
}

describe('the SQL twin of the month run', () => {
  for (const period of ['2024-04', '2024-07']) {
    it(`bills ${period} exactly as the pipeline on the policies it prices`, async () => {
      const copy = join(billed.dir, `twin-${period}.duckdb`);
      copyFileSync(billed.db, copy);
      const store = await openStore(copy);
      try {
        const billing = requireBillingPeriod(period);
        const expected = await pipelineBills(store, billing.key);
        const result = await runTwin(store.connection, billing, loadRules(undefined).classes, 250);
        expect(Object.keys(result.unsupported).sort()).toEqual(['COM-TOU', 'IND-2P', 'RES-MKT', 'RES-TOU']);
        const bills = await store.rows('SELECT account_key, amount_minor, tax_included_minor FROM twin_bills ORDER BY account_key');
        const lines = await store.rows('SELECT account_key, seq, quantity_milli, amount_minor FROM twin_line_items ORDER BY account_key, seq');
        // Hundreds of bills on both policies, not a vacuous match.
        expect(expected.bills.length).toBeGreaterThan(300);
        expect(bills.map(key)).toEqual(expected.bills.map(key));
        expect(bills).toEqual(expected.bills);
        expect(lines).toEqual(expected.lines);
        expect(result).toMatchObject({ bills: bills.length, lineItems: lines.length });
      } finally {
        store.close();
      }
    }, 120_000);
  }

  it('reads GD-RES as worked by hand: summer bounds 260/600 kWh, +100 kWh for five members, prices in 1e-8, VAT 13/113 inside', () => {
    const { policy } = parsePolicy(`id: T
name: T
currency: CNY
versions:
  - version: "1"
    effective_from: 2020-01-01
    seasons: [{ id: summer, months: [5, 6, 7, 8, 9, 10] }, { id: other, months: [1, 2, 3, 4, 11, 12] }]
    energy:
      tiers:
        household: { min_members: 5, add: 100 }
        blocks:
          - { up_to: { summer: 260, other: 200 }, rate: 0.58886875 }
          - { rate: 0.88886875 }
    tax: { label: VAT, rate: 0.13, mode: included }
`, 'yaml', 'T');
    const twin = twinPolicy(policy!);
    if ('unsupported' in twin) throw new Error(twin.unsupported);
    const july = twin.blocks.filter((b) => b.month === 7);
    expect(july.map((b) => [b.lower, b.upper, b.bonusLower, b.bonusUpper, b.rateE8])).toEqual([
      [0, 260_000, 0, 360_000, 58_886_875n], [260_000, null, 360_000, null, 88_886_875n]]);
    expect(twin.blocks.find((b) => b.month === 1 && b.tier === 0)!.upper).toBe(200_000);
    expect(twin.policy).toEqual({ tariffId: 'T', minimumMinor: 0, taxIncludedE8: 13_000_000n });
    const split = twinPolicy({ ...policy!, versions: [policy!.versions[0]!, { ...policy!.versions[0]!, version: '2', effective_from: '2030-01-01' }] });
    expect(split).toEqual({ unsupported: 'more than one version (split by days)' });
  });
});
