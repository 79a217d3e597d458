// The trusted baseline the determinants stage derives for the review rules (determinants.sql,
// trusted_columns and history): the account's 12 latest trusted periods with kWh within three
// years, each period's kWh/day divided by its peer group's level, and their median, MAD and maximum.
// Checked against an independent derivation of the same definition (a window ranking the trusted
// bills) on a store billed for 16 months, so that more than 12 trusted periods exist and held bills
// are left out inside the last 12.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stageDeterminants } from '../../src/billing/index.js';
import { requireBillingPeriod } from '../../src/calendar/index.js';
import { openStore } from '../../src/store/index.js';
import { billedStore, type BilledStore } from '../billed-store.js';

let billed: BilledStore;
beforeAll(async () => {
  billed = await billedStore({ accounts: 400, months: 17, billedMonths: 16, start: '2024-01', seed: 7, anomalyRate: 0.03 });
}, 600_000);
afterAll(() => billed?.remove());

const INDEPENDENT = `
WITH ranked AS (
  SELECT t.account_key, t.kwh_milli / t.days / coalesce(l.level, 1) AS kpd,
         row_number() OVER (PARTITION BY t.account_key ORDER BY t.period DESC) AS recency
  FROM trusted_bills t JOIN accounts a USING (account_key)
  LEFT JOIN peer_levels l ON l.period = t.period AND l.customer_class = a.customer_class AND l.region = a.region
  WHERE t.period >= $period - 300 AND t.period < $period AND t.kwh_milli > 0
),
base AS (
  SELECT account_key, median(kpd) AS base_median, max(kpd) AS base_max, count(*) AS base_n
  FROM ranked WHERE recency <= 12 GROUP BY ALL
)
SELECT s.account_key, b.base_median, b.base_max, coalesce(b.base_n, 0) AS base_n,
       (SELECT median(abs(r.kpd - b.base_median)) FROM ranked r WHERE r.account_key = s.account_key AND r.recency <= 12) AS base_mad
FROM run_staging s LEFT JOIN base b USING (account_key)
ORDER BY s.account_key`;

it('takes the 12 latest trusted periods of the last three years, season-free, as the baseline', async () => {
  const period = requireBillingPeriod('2025-05');
  const store = await openStore(billed.db);
  try {
    await stageDeterminants(store.connection, period, 0, 1_000);
    const staged = await store.rows(
      'SELECT account_key, base_median, base_max, base_n, base_mad FROM run_staging ORDER BY account_key');
    const expected = await store.rows(INDEPENDENT, { period: period.key });
    expect(staged.length).toBeGreaterThan(300);
    expect(staged).toEqual(expected);

    // The data exercise both halves of the definition: accounts with more trusted periods than
    // 12, and accounts whose last 12 periods include bills that are not trusted.
    const [shape] = await store.rows(`
      SELECT count(*) FILTER (WHERE trusted > 12) AS more_than_12,
             count(*) FILTER (WHERE recent_untrusted > 0) AS untrusted_inside
      FROM (SELECT b.account_key,
                   count(t.account_key) AS trusted,
                   count(*) FILTER (WHERE t.account_key IS NULL AND b.period >= $p12) AS recent_untrusted
            FROM bills b LEFT JOIN trusted_bills t USING (account_key, period, bill_version)
            WHERE b.is_current AND b.period < $period GROUP BY ALL)`, { period: period.key, p12: period.historyKeys[11]! });
    expect(Number(shape!.more_than_12)).toBeGreaterThan(100);
    expect(Number(shape!.untrusted_inside)).toBeGreaterThan(5);
  } finally {
    store.close();
  }
}, 120_000);
