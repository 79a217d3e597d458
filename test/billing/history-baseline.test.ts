// The trusted baseline the determinants stage derives for the review rules (determinants.sql,
// trusted_columns and history): the account's 12 latest trusted periods with kWh within three
// years, each period's kWh/day divided by its peer group's level, and their median, MAD and maximum.
// Checked against an independent derivation of the same definition (a window ranking the trusted
// bills) on a store billed for 16 months, so that more than 12 trusted periods exist and held bills
// are left out inside the last 12.
import { listValue } from '@duckdb/node-api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadRules } from '../../src/anomaly/index.js';
import { changeSpreadParams, refreshHistory, stageDeterminants } from '../../src/billing/index.js';
import { addPeriods, periodFromKey, periodKey, requireBillingPeriod } from '../../src/calendar/index.js';
import { levelHistory } from '../../src/review/account.js';
import { openStore } from '../../src/store/index.js';
import { billedStore, type BilledStore } from '../billed-store.js';

let billed: BilledStore;
beforeAll(async () => {
  billed = await billedStore({ accounts: 400, months: 17, billedMonths: 16, start: '2024-01', seed: 7, anomalyRate: 0.03 });
}, 600_000);
afterAll(() => billed?.remove());

// A home's standby months (below its class's vacancy_share of the highest of those 12) are left out of the median.
const SHARES = Object.entries(loadRules(undefined).classes).map(([name, t]) => `('${name}', ${t.vacancy_share})`).join(', ');
const INDEPENDENT = `
WITH ranked AS (
  SELECT t.account_key, a.customer_class::VARCHAR AS customer_class, t.kwh_milli / t.days / coalesce(l.level, 1) AS kpd,
         row_number() OVER (PARTITION BY t.account_key ORDER BY t.period DESC) AS recency
  FROM trusted_bills t JOIN accounts a USING (account_key)
  LEFT JOIN peer_levels l ON l.period = t.period AND l.customer_class = a.customer_class AND l.region = a.region
  WHERE t.period >= $period - 300 AND t.period < $period AND t.kwh_milli > 0
),
latest AS (
  SELECT *, max(kpd) OVER (PARTITION BY account_key) AS highest FROM ranked WHERE recency <= 12
),
kept AS (
  SELECT latest.* FROM latest JOIN (VALUES ${SHARES}) s(customer_class, share) USING (customer_class)
  WHERE kpd >= share * highest
),
base AS (
  SELECT account_key, median(kpd) AS base_median, max(highest) AS base_max, count(*) AS base_n
  FROM kept GROUP BY ALL
)
SELECT s.account_key, b.base_median, b.base_max, coalesce(b.base_n, 0) AS base_n,
       (SELECT median(abs(k.kpd - b.base_median)) FROM kept k WHERE k.account_key = s.account_key) AS base_mad
FROM run_staging s LEFT JOIN base b USING (account_key)
ORDER BY s.account_key`;

it('takes the 12 latest trusted periods of the last three years, season-free, as the baseline', async () => {
  const period = requireBillingPeriod('2025-05');
  const store = await openStore(billed.db);
  try {
    await stageDeterminants(store.connection, period, loadRules(undefined).classes, 0, 1_000);
    const staged = await store.rows(
      'SELECT account_key, base_median, base_max, base_n, base_mad FROM run_staging ORDER BY account_key');
    const expected = await store.rows(INDEPENDENT, { period: period.key });
    expect(staged.length).toBeGreaterThan(300);
    expect(staged).toEqual(expected);
    const trustedCount = new Map((await store.rows(`
      SELECT account_key, count(*) AS n FROM trusted_bills WHERE period >= $period - 300 AND period < $period AND kwh_milli > 0 GROUP BY ALL`,
    { period: period.key })).map((r) => [Number(r.account_key), Number(r.n)]));

    // The data exercise every part of the definition: accounts with more trusted periods than
    // 12, accounts whose last 12 periods include bills that are not trusted, and homes with
    // standby months among their latest trusted ones.
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
    const standby = staged.filter((r) => Number(r.base_n) < Math.min(12, trustedCount.get(Number(r.account_key)) ?? 0));
    expect(standby.length).toBeGreaterThan(2);

    // `review show` (and the report and the desk) print the baseline the rules took: as many trusted
    // periods, the same latest one. Checked on the accounts whose history has untrusted bills inside
    // and on the homes with standby months.
    const accounts = await store.rows(`
      SELECT b.account_key, max(t.period) AS last_trusted FROM bills b LEFT JOIN trusted_bills t USING (account_key, period, bill_version)
      WHERE b.is_current AND b.period < $period AND b.account_key IN (SELECT account_key FROM run_staging)
      GROUP BY ALL HAVING count(*) > count(t.account_key) OR list_contains($standby, b.account_key) ORDER BY 1`,
    { period: period.key, standby: listValue(standby.map((r) => Number(r.account_key))) });
    const stagedN = new Map(staged.map((r) => [Number(r.account_key), Number(r.base_n)]));
    expect(accounts.length).toBeGreaterThan(5);
    for (const a of accounts) {
      const level = await levelHistory(store, Number(a.account_key), period.text);
      expect([level.trustedPeriods, level.lastTrusted]).toEqual([stagedN.get(Number(a.account_key)),
        a.last_trusted === null ? null : periodFromKey(Number(a.last_trusted))]);
    }
  } finally {
    store.close();
  }
}, 120_000);

// Every other history feature of determinants.sql's one pass over the stored bills (history_pivot),
// against a derivation that reads trust from the trusted_bills view (its EXISTS over the flags,
// not the statement's join), the measured spread from a window over the measured months in period
// order, and the shift and estimate chains from bills filtered row by row. The store is first given
// the decisions the bill run must read: released and dismissed bills whose level a rule questioned,
// suppressed flags and accepted levels.
const INDEPENDENT_FEATURES = `
WITH dated AS (
  SELECT b.*, b.kwh_milli / b.days / coalesce(l.level, 1) AS level_kpd
  FROM bills b JOIN accounts a USING (account_key)
  LEFT JOIN peer_levels l ON l.period = b.period AND l.customer_class = a.customer_class AND l.region = a.region
  WHERE b.is_current AND b.days > 0 AND b.period >= $period - 300 AND b.period < $period
),
trusted AS (
  SELECT d.account_key, max(d.period) AS last_trusted,
         max(d.kwh_milli / d.days) FILTER (WHERE d.period = $p1) AS prev_kpd, max(d.amount_minor) FILTER (WHERE d.period = $p1) AS prev_amount,
         max(d.kwh_milli / d.days) FILTER (WHERE d.period = $p12) AS yoy_kpd
  FROM dated d JOIN trusted_bills t USING (account_key, period, bill_version) GROUP BY ALL
),
measured AS (
  SELECT account_key, period, ln(level_kpd) AS log_kpd,
         ln(level_kpd) - lag(ln(level_kpd)) OVER (PARTITION BY account_key ORDER BY period) AS change
  FROM dated WHERE kwh_milli > 0 AND read_flags & 3 = 0 AND period >= $p12 - 100
),
changes AS (
  SELECT account_key, abs(change) AS size, row_number() OVER (PARTITION BY account_key ORDER BY abs(change)) AS rank,
         count(*) OVER (PARTITION BY account_key) AS m
  FROM measured WHERE change IS NOT NULL
),
change_spread AS (
  -- The root mean square of the smallest changes the spread keeps of m, scaled for m.
  SELECT account_key, sqrt(avg(size * size)) * ($spread_factors::DOUBLE[])[any_value(m)] AS log_mad
  FROM changes WHERE rank <= ($spread_kept::INTEGER[])[m] GROUP BY ALL
),
spread AS (
  SELECT account_key, cs.log_mad,
         median(log_kpd) FILTER (WHERE period >= $p3) AS recent_log_level, count(*) FILTER (WHERE period >= $p3) AS recent_n,
         -- The same quarter a year before (the 15th to the 13th period back).
         median(log_kpd) FILTER (WHERE period >= $p3 - 100 AND period < $p12) AS yoy_recent_log_level
  FROM measured LEFT JOIN change_spread cs USING (account_key) GROUP BY ALL
),
levels AS (
  -- The own season's months, measured, trusted or not: last year's (or the months beside it), and
  -- the lowest and highest of the months since.
  SELECT account_key,
         coalesce(max(level_kpd) FILTER (WHERE period = $p12), exp(avg(ln(level_kpd)) FILTER (WHERE period IN ($p11, $p13)))) AS yoy_level,
         min(level_kpd) FILTER (WHERE period > $p12) AS since_low, max(level_kpd) FILTER (WHERE period > $p12) AS since_high
  FROM dated WHERE kwh_milli > 0 AND read_flags & 3 = 0 GROUP BY ALL
),
shift AS (
  SELECT d.account_key, min(d.period) AS shift_since, count(*) AS shift_n, arg_min(d.read_flags, d.period) AS shift_flags,
         count(*) FILTER (WHERE d.status IN ('released', 'dismissed')) AS shift_released
  FROM dated d LEFT JOIN trusted t USING (account_key)
  WHERE d.read_flags & 3 = 0 AND d.period > coalesce(t.last_trusted, 0) GROUP BY ALL
),
recent AS (
  SELECT account_key, max(period) FILTER (WHERE read_flags & 1 = 0) AS last_actual,
         coalesce(sum(kwh_milli) FILTER (WHERE period >= $year_start), 0) AS ytd_kwh
  FROM dated WHERE period >= $p12 GROUP BY ALL
),
estimates AS (
  SELECT b.account_key, count(*) AS est_streak, sum(b.kwh_milli) AS est_kwh
  FROM bills b JOIN recent r USING (account_key)
  WHERE b.is_current AND b.period >= $p12 AND b.period < $period AND b.read_flags & 1 = 1 AND b.period > coalesce(r.last_actual, 0)
  GROUP BY ALL
)
SELECT s.account_key, t.prev_kpd, t.prev_amount, t.yoy_kpd,
       -- The spread and the last quarter's level are kept for accounts with a trusted bill.
       CASE WHEN t.account_key IS NOT NULL THEN round(m.log_mad, 12) END AS base_log_mad,
       CASE WHEN t.account_key IS NOT NULL THEN m.recent_log_level END AS recent_log_level,
       CASE WHEN t.account_key IS NOT NULL THEN coalesce(m.recent_n, 0) ELSE 0 END AS recent_n,
       CASE WHEN t.account_key IS NOT NULL THEN m.yoy_recent_log_level END AS yoy_recent_log_level,
       CASE WHEN t.account_key IS NOT NULL THEN round(lv.yoy_level, 6) END AS yoy_level,
       CASE WHEN t.account_key IS NOT NULL THEN lv.since_low END AS since_low,
       CASE WHEN t.account_key IS NOT NULL THEN lv.since_high END AS since_high,
       sh.shift_since, coalesce(sh.shift_n, 0) AS shift_n, sh.shift_flags, coalesce(sh.shift_released, 0) AS shift_released,
       coalesce(r.ytd_kwh, 0) AS ytd_kwh, coalesce(e.est_streak, 0) AS est_streak, coalesce(e.est_kwh, 0) AS est_kwh
FROM run_staging s
LEFT JOIN trusted t USING (account_key) LEFT JOIN spread m USING (account_key) LEFT JOIN shift sh USING (account_key)
LEFT JOIN recent r USING (account_key) LEFT JOIN estimates e USING (account_key) LEFT JOIN levels lv USING (account_key)
ORDER BY s.account_key`;

it('derives trust, the measured spread, open level shifts and estimate streaks as the trusted_bills view and a row-by-row reading do', async () => {
  const period = requireBillingPeriod('2025-05');
  const store = await openStore(billed.db);
  try {
    // Reviewers' decisions on the held bills: released (every second account), dismissed (every
    // third), a level accepted (every fourth released one), and flags suppressed (every fifth).
    await store.run(`UPDATE bills SET status = 'released' WHERE status = 'held' AND account_key % 2 = 0`);
    await store.run(`UPDATE bills SET status = 'dismissed' WHERE status = 'held' AND account_key % 3 = 0`);
    await store.run(`UPDATE flags SET suppressed = true WHERE account_key % 5 = 0`);
    await store.run(`INSERT INTO review_decisions (account_key, period, action, from_status, to_status, bill_version, amount_before_minor,
        reviewer, note, source, decided_at)
      SELECT account_key, period, 'accept', 'held', 'released', bill_version, amount_minor, 'test', 'level accepted', 'cli', TIMESTAMP '2025-05-02 09:00:00'
      FROM bills WHERE is_current AND status = 'released' AND account_key % 4 = 0`);
    // The edits above went round the review desk (no decisions recorded for the releases and the
    // suppressed flags), so the running summary is recomputed from the bills: this test checks what
    // the features mean; history-summary.test.ts that the summary follows the desk's decisions.
    await refreshHistory(store.connection, period, 1_000, true);
    await stageDeterminants(store.connection, period, loadRules(undefined).classes, 0, 1_000);
    // The spread is a sum of squares, added up in another order on each side: compared to 12 digits;
    // last year's level where the months beside it stand in, a mean of logs here, to a millionth of a Wh/day.
    const columns = 'account_key, prev_kpd, prev_amount, yoy_kpd, round(base_log_mad, 12) AS base_log_mad, recent_log_level, recent_n, yoy_recent_log_level, round(yoy_level, 6) AS yoy_level, since_low, since_high, shift_since, shift_n, shift_flags, ' +
      'shift_released, ytd_kwh, est_streak, est_kwh';
    const staged = await store.rows(`SELECT ${columns} FROM run_staging ORDER BY account_key`);
    const keys = period.historyKeys;
    const expected = await store.rows(INDEPENDENT_FEATURES, {
      period: period.key, p1: keys[0]!, p3: keys[2]!, p11: keys[10]!, p12: keys[11]!, p13: periodKey(addPeriods(period.text, -13)), year_start: period.yearStartKey,
      ...changeSpreadParams(),
    });
    expect(staged.length).toBeGreaterThan(300);
    expect(staged).toEqual(expected);

    // The decisions reach the features: released bills whose level a rule questioned (not
    // trusted) before and after an accepted level, open shifts with releases, estimate streaks,
    // and last year's level from the months beside an estimated one.
    const [shape] = await store.rows(`
      SELECT (SELECT count(*) FROM bills b WHERE b.is_current AND b.status IN ('released', 'dismissed') AND b.period < $period
                AND EXISTS (SELECT 1 FROM level_flagged_bills f WHERE f.account_key = b.account_key AND f.period = b.period AND f.bill_version = b.bill_version)) AS questioned,
             (SELECT count(*) FROM review_decisions WHERE action = 'accept') AS accepted,
             count(*) FILTER (WHERE shift_released > 0) AS shifts_released,
             count(*) FILTER (WHERE est_streak > 0) AS streaks,
             count(*) FILTER (WHERE yoy_level IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.account_key = s.account_key
               AND b.is_current AND b.period = $p12 AND b.days > 0 AND b.kwh_milli > 0 AND b.read_flags & 3 = 0)) AS beside
      FROM run_staging s`, { period: period.key, p12: keys[11]! });
    expect(Number(shape!.questioned)).toBeGreaterThan(5);
    expect(Number(shape!.accepted)).toBeGreaterThan(2);
    expect(Number(shape!.shifts_released)).toBeGreaterThan(0);
    expect(Number(shape!.streaks)).toBeGreaterThan(0);
    expect(Number(shape!.beside)).toBeGreaterThan(2);
  } finally {
    store.close();
  }
}, 120_000);
