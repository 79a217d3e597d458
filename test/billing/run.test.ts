import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { billedStore, type BilledStore } from '../billed-store.js';

let billed: BilledStore;
beforeAll(async () => {
  billed = await billedStore({ accounts: 300, months: 4, seed: 11 });
});
afterAll(() => billed.remove());

describe('bill run', () => {
  it('bills every active account once per period and reconciles its counts', async () => {
    const store = await openStore(billed.db, { readOnly: true });
    const runs = await store.rows(`SELECT period, status::VARCHAR AS status, accounts_in::INTEGER AS accounts_in,
      (manifest->>'$.accounts.billed')::INTEGER + (manifest->>'$.accounts.held')::INTEGER + (manifest->>'$.accounts.errored')::INTEGER AS parts
      FROM runs ORDER BY period`);
    expect(runs.map((r) => r.status)).toEqual(['done', 'done', 'done', 'done']);
    for (const run of runs) expect(run.parts).toBe(run.accounts_in);
    const duplicates = await store.rows(`SELECT count(*)::INTEGER AS n FROM (SELECT account_key, period FROM bills WHERE is_current GROUP BY ALL HAVING count(*) > 1)`);
    expect(duplicates).toEqual([{ n: 0 }]);
    const mismatched = await store.rows(`SELECT count(*)::INTEGER AS n FROM bills b
      WHERE amount_minor <> (SELECT coalesce(sum(amount_minor), 0) FROM line_items l
                             WHERE l.account_key = b.account_key AND l.period = b.period AND l.bill_version = b.bill_version)`);
    expect(mismatched).toEqual([{ n: 0 }]);
    store.close();
  });

  it('times every stage in the manifest, the finalize stage at least as long as its steps', async () => {
    const store = await openStore(billed.db, { readOnly: true });
    const [row] = await store.rows(`SELECT manifest->'$.run.timings_ms' AS t FROM runs ORDER BY period DESC LIMIT 1`);
    store.close();
    const timings = JSON.parse(String(row!.t)) as Record<string, number>;
    for (const stage of ['determinants', 'batches', 'finalize']) expect(timings[stage], stage).toBeGreaterThan(0);
    const steps = Object.entries(timings).filter(([k]) => k.startsWith('finalize_') && k !== 'finalize_manifest');
    expect(steps.map(([k]) => k)).toEqual(expect.arrayContaining(['finalize_bills', 'finalize_line_items', 'finalize_make_current']));
    // Rounded to whole milliseconds each, so the sum may exceed the total by one per step.
    expect(timings.finalize! + steps.length).toBeGreaterThanOrEqual(steps.reduce((sum, [, v]) => sum + v, 0));
  });
});
