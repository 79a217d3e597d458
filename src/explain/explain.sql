-- The stored bills an explanation compares, and the peers' change, for one period.
--
-- Parameters: $period (YYYYMM), $p1 (the period before), $p12 (the same month last year),
-- $year_start, $year_start_p1, $year_start_p12 (January of each of those years), $account
-- (an account id, or NULL for every account of the period), $key_lo and $key_hi (the range of
-- account keys [key_lo, key_hi) read at once, so a period of millions of bills is explained one
-- range at a time in bounded memory).
-- Dates travel as epoch days, quantities as exact integers (NULL where the bill has none).

-- name: bills
-- One row per current bill of the period with its account, the current bills of last month and
-- of the same month last year, what each had billed earlier in its year (annual tiers and
-- minimums), the version review corrected, and the run of estimated bills before it.
WITH cur AS (
  SELECT b.account_key, a.account_id, a.customer_class::VARCHAR AS customer_class, a.region,
         a.household_size::INTEGER AS household_size, a.contract_kva::DOUBLE AS contract_kva, a.pf_standard::DOUBLE AS pf_standard,
         (a.meter_exchanged_at - DATE '1970-01-01')::INTEGER AS exchanged_day
  FROM bills b JOIN accounts a USING (account_key)
  WHERE b.is_current AND b.period = $period AND ($account::VARCHAR IS NULL OR a.account_id = $account::VARCHAR)
    AND b.account_key >= $key_lo AND b.account_key < $key_hi
),
near AS (
  -- The bills an explanation re-prices: this period's current one and the one it replaced after
  -- review ('first'), last month's and last year's.
  SELECT b.account_key,
         CASE WHEN b.period = $period AND b.is_current THEN 'cur'
              WHEN b.period = $period THEN 'first'
              WHEN b.period = $p1 THEN 'p1' ELSE 'p12' END AS role,
         b.bill_version, b.period, (b.start_date - DATE '1970-01-01')::INTEGER AS start_day, (b.end_date - DATE '1970-01-01')::INTEGER AS end_day,
         b.kwh_milli, b.kwh_sharp_milli, b.kwh_peak_milli, b.kwh_flat_milli, b.kwh_valley_milli, b.demand_milli, b.kvarh_milli,
         b.amount_minor, b.read_flags, c.tariff_id, c.currency
  FROM bills b JOIN bill_contexts c USING (context_key)
  WHERE b.account_key IN (SELECT account_key FROM cur)
    AND ((b.is_current AND b.period IN ($period, $p1, $p12)) OR (b.period = $period AND NOT b.is_current AND b.status = 'corrected'))
),
picked AS (
  -- The latest corrected version is the one the current bill replaced.
  SELECT * FROM near QUALIFY row_number() OVER (PARTITION BY account_key, role ORDER BY bill_version DESC) = 1
),
ytd AS (
  SELECT account_key,
         sum(kwh_milli) FILTER (WHERE period >= $year_start AND period < $period)::BIGINT AS ytd_kwh_cur,
         sum(amount_minor) FILTER (WHERE period >= $year_start AND period < $period)::BIGINT AS ytd_amount_cur,
         sum(kwh_milli) FILTER (WHERE period >= $year_start_p1 AND period < $p1)::BIGINT AS ytd_kwh_p1,
         sum(amount_minor) FILTER (WHERE period >= $year_start_p1 AND period < $p1)::BIGINT AS ytd_amount_p1,
         sum(kwh_milli) FILTER (WHERE period >= $year_start_p12 AND period < $p12)::BIGINT AS ytd_kwh_p12,
         sum(amount_minor) FILTER (WHERE period >= $year_start_p12 AND period < $p12)::BIGINT AS ytd_amount_p12,
         max(period) FILTER (WHERE read_flags & 1 = 0 AND period >= $p12) AS last_actual
  FROM bills
  WHERE is_current AND period >= $year_start_p12 AND period < $period AND account_key IN (SELECT account_key FROM cur)
  GROUP BY account_key
),
estimates AS (
  -- Bills closed on estimated reads since the last actual one: what a catch-up settles.
  SELECT b.account_key, count(*)::INTEGER AS est_bills, sum(b.kwh_milli)::BIGINT AS est_kwh, sum(b.days)::INTEGER AS est_days
  FROM bills b JOIN ytd USING (account_key)
  WHERE b.is_current AND b.period >= $p12 AND b.period < $period AND b.read_flags & 1 = 1 AND b.period > coalesce(ytd.last_actual, 0)
  GROUP BY b.account_key
)
SELECT cur.*, y.ytd_kwh_cur, y.ytd_amount_cur, y.ytd_kwh_p1, y.ytd_amount_p1, y.ytd_kwh_p12, y.ytd_amount_p12,
       e.est_bills, e.est_kwh, e.est_days,
       to_json(list(struct_pack(role := p.role, period := p.period, start_day := p.start_day, end_day := p.end_day,
               kwh := p.kwh_milli, sharp := p.kwh_sharp_milli, peak := p.kwh_peak_milli, flat := p.kwh_flat_milli, valley := p.kwh_valley_milli,
               demand := p.demand_milli, kvarh := p.kvarh_milli, amount := p.amount_minor, read_flags := p.read_flags,
               tariff_id := p.tariff_id, currency := p.currency))) AS bills
FROM cur
JOIN picked p USING (account_key)
LEFT JOIN ytd y USING (account_key)
LEFT JOIN estimates e USING (account_key)
GROUP BY ALL
ORDER BY cur.account_id;

-- name: counts
-- The period's current bills, those with an earlier bill to compare with (last month's or last
-- year's current bill), and the range of account keys that hold them.
SELECT count(*)::INTEGER AS bills,
       count(*) FILTER (WHERE EXISTS (
         SELECT 1 FROM bills e WHERE e.account_key = b.account_key AND e.is_current AND e.period IN ($p1, $p12)))::INTEGER AS comparable,
       coalesce(min(b.account_key), 0)::BIGINT AS key_lo, coalesce(max(b.account_key) + 1, 0)::BIGINT AS key_hi
FROM bills b JOIN accounts a USING (account_key)
WHERE b.is_current AND b.period = $period AND ($account::VARCHAR IS NULL OR a.account_id = $account::VARCHAR);

-- name: peers
-- Each class × region's median change of kWh per day against last month and last year, over
-- bills on measured reads (an estimate repeats the past and hides a heat wave), and the same over
-- the whole class (region NULL) for groups too small to trust: the peers the bill run compares with.
WITH measured AS (
  SELECT b.account_key, a.customer_class::VARCHAR AS customer_class, a.region,
         max(b.kwh_milli / b.days) FILTER (WHERE b.period = $period) AS kpd,
         max(b.kwh_milli / b.days) FILTER (WHERE b.period = $p1) AS prev_kpd,
         max(b.kwh_milli / b.days) FILTER (WHERE b.period = $p12) AS yoy_kpd
  FROM bills b JOIN accounts a USING (account_key)
  WHERE b.is_current AND b.period IN ($period, $p1, $p12) AND b.days > 0 AND b.kwh_milli > 0 AND b.read_flags & 1 = 0
  GROUP BY ALL
)
SELECT customer_class, region,
       median(kpd / prev_kpd) FILTER (WHERE kpd > 0 AND prev_kpd > 0) AS mom,
       count(*) FILTER (WHERE kpd > 0 AND prev_kpd > 0)::INTEGER AS mom_n,
       median(kpd / yoy_kpd) FILTER (WHERE kpd > 0 AND yoy_kpd > 0) AS yoy,
       count(*) FILTER (WHERE kpd > 0 AND yoy_kpd > 0)::INTEGER AS yoy_n
FROM measured
GROUP BY GROUPING SETS ((customer_class, region), (customer_class));

-- name: history
-- The account's current bills of the 13 periods ending with this one, oldest first.
SELECT b.period, b.days::INTEGER AS days, b.kwh_milli AS kwh, b.amount_minor AS amount
FROM bills b JOIN accounts a USING (account_key)
WHERE a.account_id = $account AND b.is_current AND b.period >= $p12 AND b.period <= $period
ORDER BY b.period;

-- name: tariffs
-- The latest revision of each price policy the period's bills were priced with.
SELECT tariff_id, arg_max(policy, revision)::VARCHAR AS policy
FROM tariff_policies
GROUP BY tariff_id;
