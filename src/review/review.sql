-- The review queue and what a reviewer sees of one account.
--
-- A review item is an account's flagged bill of a period (the view review_candidates says which
-- version); a correction's re-bill is not an item itself, its amount shows beside the corrected one.

-- name: items
-- Parameters: $period, $prev (P−1), $yoy (P−12).
CREATE OR REPLACE TEMP TABLE review_items AS
WITH reviewed AS (
  -- review_candidates (009_desk.sql) defines what a review item is.
  SELECT * FROM review_candidates WHERE period = $period
),
rules AS (
  -- Rules by the money at stake they see, highest first; the reason is the top rule's.
  SELECT account_key, list(rule_id ORDER BY score DESC, rule_id) AS rules, arg_max(reason, score) AS reason
  FROM (
    SELECT f.account_key, f.rule_id, max(f.score) AS score, arg_max(f.reason, f.score) AS reason
    FROM flags f JOIN reviewed r ON f.account_key = r.account_key AND f.period = r.period AND f.bill_version = r.bill_version
    WHERE NOT f.suppressed
    GROUP BY ALL
  )
  GROUP BY account_key
),
history AS (
  SELECT account_key,
         max(kwh_milli / days) FILTER (WHERE period = $prev) AS prev_kpd,
         max(kwh_milli / days) FILTER (WHERE period = $yoy) AS yoy_kpd
  FROM bills
  WHERE is_current AND period IN ($prev, $yoy) AND days > 0 AND account_key IN (SELECT account_key FROM reviewed)
  GROUP BY account_key
),
rebill AS (
  SELECT account_key, bill_version AS current_version, amount_minor AS current_amount_minor
  FROM bills WHERE period = $period AND is_current AND account_key IN (SELECT account_key FROM reviewed)
),
decided AS (
  SELECT account_key, count(*) AS decisions, max(decided_at) AS decided_at,
         arg_max(action, decision_id) AS last_action, arg_max(reviewer, decision_id) AS reviewer,
         arg_max(note, decision_id) AS note
  FROM review_decisions WHERE period = $period
  GROUP BY account_key
)
SELECT a.account_id, r.account_key, a.name, a.address, a.customer_class::VARCHAR AS customer_class, a.region, a.tariff_id,
       r.bill_version, r.status::VARCHAR AS status, r.score, r.flag_count, coalesce(ru.rules, []) AS rules,
       coalesce(ru.reason, '') AS reason, r.read_flags, r.start_date, r.end_date, r.days, r.kwh_milli,
       r.kwh_milli / nullif(r.days, 0) AS kpd, h.prev_kpd, h.yoy_kpd, r.amount_minor, c.currency,
       rb.current_version, rb.current_amount_minor, run.finished_at AS held_at,
       coalesce(d.decisions, 0) AS decisions, d.decided_at, d.last_action, d.reviewer, d.note
FROM reviewed r
JOIN accounts a USING (account_key)
JOIN bill_contexts c USING (context_key)
LEFT JOIN runs run ON run.run_id = r.run_id
LEFT JOIN rules ru USING (account_key)
LEFT JOIN history h USING (account_key)
LEFT JOIN rebill rb USING (account_key)
LEFT JOIN decided d USING (account_key);

-- name: queue
-- The ranked list. $statuses: comma-separated; other filters are NULL when not given.
SELECT account_id, name, address, customer_class, region, tariff_id, bill_version, status, score, rules, reason, read_flags,
       start_date::VARCHAR AS start_date, end_date::VARCHAR AS end_date, days, kwh_milli::DOUBLE AS kwh_milli, kpd, prev_kpd, yoy_kpd,
       amount_minor::DOUBLE AS amount_minor, currency, current_version, current_amount_minor::DOUBLE AS current_amount_minor,
       strftime(held_at, '%Y-%m-%d %H:%M') AS held_at, date_diff('day', held_at, $now::TIMESTAMP) AS age_days,
       decisions, strftime(decided_at, '%Y-%m-%d %H:%M') AS decided_at, last_action, reviewer, note
FROM review_items
WHERE list_contains(string_split($statuses, ','), status)
  AND ($rule IS NULL OR list_contains(rules, $rule))
  AND ($region IS NULL OR region = $region)
  AND ($class IS NULL OR customer_class = $class)
  AND ($min_score IS NULL OR score >= $min_score)
ORDER BY score DESC, account_id
LIMIT $limit;

-- name: queue-size
SELECT count(*) AS items FROM review_items;

-- name: run-in-progress
SELECT run_id FROM runs WHERE period = $period AND status <> 'done' ORDER BY run_id LIMIT 1;

-- name: account
SELECT account_key, account_id, name, address, customer_class::VARCHAR AS customer_class, tariff_id, region, meter_id,
       multiplier::VARCHAR AS multiplier, register_digits, household_size, start_date::VARCHAR AS start_date,
       end_date::VARCHAR AS end_date, contract_kva::DOUBLE AS contract_kva, pf_standard::DOUBLE AS pf_standard,
       previous_meter_id, meter_exchanged_at::VARCHAR AS meter_exchanged_at
FROM accounts WHERE account_id = $account_id;

-- name: bill-versions
-- Every version of the account's bill for the period, newest first.
SELECT b.bill_version, b.status::VARCHAR AS status, b.is_current, b.run_id, b.start_date::VARCHAR AS start_date,
       b.end_date::VARCHAR AS end_date, b.days, b.kwh_milli::DOUBLE AS kwh_milli, b.kwh_sharp_milli::DOUBLE AS kwh_sharp_milli,
       b.kwh_peak_milli::DOUBLE AS kwh_peak_milli, b.kwh_flat_milli::DOUBLE AS kwh_flat_milli,
       b.kwh_valley_milli::DOUBLE AS kwh_valley_milli, b.demand_milli::DOUBLE AS demand_milli, b.kvarh_milli::DOUBLE AS kvarh_milli,
       b.amount_minor::DOUBLE AS amount_minor, b.tax_included_minor::DOUBLE AS tax_included_minor, b.read_flags, b.flag_count,
       b.score, c.currency, c.tariff_id, c.versions AS tariff_versions
FROM bills b JOIN bill_contexts c USING (context_key)
WHERE b.account_key = $account_key AND b.period = $period
ORDER BY b.bill_version DESC;

-- name: history
-- kWh per day of the account's current bills from $from to $period, and of the version under
-- review; `trusted`: the bill counts toward the baseline (migration 004's trusted_bills).
SELECT b.period, b.bill_version, b.status::VARCHAR AS status, b.days, b.kwh_milli::DOUBLE AS kwh_milli, b.kwh_milli / nullif(b.days, 0) AS kpd,
       b.amount_minor::DOUBLE AS amount_minor, b.flag_count, t.account_key IS NOT NULL AS trusted
FROM bills b
LEFT JOIN trusted_bills t USING (account_key, period, bill_version)
WHERE b.account_key = $account_key AND b.period >= $from AND b.period <= $period
  AND (b.is_current OR (b.period = $period AND b.bill_version = $bill_version))
ORDER BY b.period, b.bill_version;

-- name: level-history
-- What the usage rules compared the account with before $period (the bill run's baseline: the
-- $baseline_periods latest trusted periods with kWh from $history_from, src/billing/baseline.ts):
-- their count, median kWh/day, the last trusted period, the period a reviewer accepted a new level
-- from, and an open level shift —
-- bills on actual reads from the first after the last trusted one up to $period — with the
-- releases and dismissals that did not accept it.
-- The account's trusted bills are read once, with the account's key beside the view: a NOT EXISTS
-- against the bare view would derive it for every account of the store (over a second at 1M).
-- A home's standby months are left out of the median as the run left them out (migration 014):
-- by their season-free level (kWh/day over the peer group's level that period) against the
-- highest, with the class's vacancy_share in the rules of the run that billed the account last
-- (up to $period).
WITH account AS (
  SELECT a.customer_class, a.region,
         coalesce(try_cast(json_extract_string(r.options, '$.rules.classes.' || a.customer_class::VARCHAR || '.vacancy_share') AS DOUBLE), 0) AS standby_share
  FROM accounts a
  LEFT JOIN (SELECT run_id FROM bills WHERE account_key = $account_key AND is_current AND period <= $period ORDER BY period DESC LIMIT 1) b ON true
  LEFT JOIN runs r ON r.run_id = b.run_id
  WHERE a.account_key = $account_key
),
own_trusted AS (
  SELECT period, bill_version, kwh_milli / days AS kpd FROM trusted_bills
  WHERE account_key = $account_key AND period >= $history_from AND period <= $period
),
trusted AS (SELECT period, kpd FROM own_trusted WHERE period < $period),
latest AS (
  SELECT t.kpd, t.kpd / coalesce(l.level, 1) AS level
  FROM trusted t CROSS JOIN account a
  LEFT JOIN peer_levels l ON l.period = t.period AND l.customer_class = a.customer_class AND l.region = a.region
  WHERE t.kpd > 0 ORDER BY t.period DESC LIMIT $baseline_periods
),
baseline AS (
  SELECT kpd FROM latest, account
  WHERE NOT standby_month(level, (SELECT max(level) FROM latest), account.standby_share)
),
accepted AS (
  SELECT max(period) AS p FROM review_decisions WHERE account_key = $account_key AND action = 'accept' AND period <= $period
),
-- A shift opens after the last trusted bill, and never before an accepted level.
last_trusted AS (SELECT greatest(coalesce((SELECT max(period) FROM trusted), 0), coalesce((SELECT p FROM accepted) - 1, 0)) AS p),
open_shift AS (
  SELECT b.period FROM bills b, last_trusted lt
  WHERE b.account_key = $account_key AND b.is_current AND b.days > 0 AND b.read_flags & 3 = 0
    AND b.period > lt.p AND b.period >= $history_from AND b.period <= $period
    AND NOT EXISTS (SELECT 1 FROM own_trusted t WHERE t.period = b.period AND t.bill_version = b.bill_version)
)
SELECT (SELECT count(*) FROM baseline) AS trusted_periods,
       (SELECT median(kpd) FROM baseline) AS trusted_kpd,
       (SELECT max(period) FROM trusted) AS last_trusted,
       (SELECT p FROM accepted) AS accepted_from,
       (SELECT min(period) FROM open_shift) AS shift_since,
       (SELECT count(*) FROM open_shift) AS shift_bills,
       (SELECT string_agg(CASE d.action WHEN 'release' THEN 'released' ELSE 'dismissed' END || ' on ' || strftime(d.decided_at, '%Y-%m-%d')
                          || ' by ' || d.reviewer, '; ' ORDER BY d.decided_at)
        FROM review_decisions d, last_trusted lt
        WHERE d.account_key = $account_key AND d.action IN ('release', 'dismiss') AND d.period > lt.p AND d.period <= $period) AS releases;

-- name: reads
-- The account's register reads from $from (a timestamp: the period's earliest opening read) to the end of the period.
SELECT m.meter_id, r.read_date::VARCHAR AS read_date, strftime(r.read_at, '%Y-%m-%d %H:%M:%S') AS read_at,
       r.register::VARCHAR AS register, r.value_milli::DOUBLE AS value_milli, r.read_type::VARCHAR AS read_type,
       -- file_key 0: a read a review decision entered (line = decision id), see 002_review.sql.
       CASE WHEN r.file_key = 0 THEN 'review decision ' || r.line ELSE coalesce(f.path, 'file ' || r.file_key) || ':' || r.line END AS source
FROM readings r
JOIN meters m USING (meter_key)
LEFT JOIN input_files f USING (file_key)
WHERE m.account_key = $account_key AND r.read_at >= $from::TIMESTAMP AND r.read_date < $next::DATE
ORDER BY r.read_at, m.meter_id, r.register;

-- name: line-items
SELECT l.seq, ch.component, ch.label, ch.unit, l.quantity_milli::DOUBLE AS quantity_milli, ch.rate,
       l.amount_minor::DOUBLE AS amount_minor, ch.tariff_version
FROM line_items l JOIN charges ch USING (charge_key)
WHERE l.account_key = $account_key AND l.period = $period AND l.bill_version = $bill_version
ORDER BY l.seq;

-- name: flags
SELECT rule_id, severity, suppressed, score, reason, rules_version
FROM flags
WHERE account_key = $account_key AND period = $period AND bill_version = $bill_version
ORDER BY suppressed, score DESC, rule_id;

-- name: bill-intervals
-- What VEE did to the intervals of a bill priced from interval data alone (none for a register bill).
SELECT interval_minutes, actual, estimated, missing, interpolated, profiled, spikes
FROM bill_intervals
WHERE account_key = $account_key AND period = $period AND bill_version = $bill_version;

-- name: peer-changes
-- The median change of kWh/day in each class and region this period (one group when $customer_class
-- and $region are given, every group when they are NULL): a heat wave moves the whole group, a
-- misread moves one account. peers.ts keeps every group's answer while nothing it reads changes.
WITH cur AS (
  SELECT b.account_key, a.customer_class, a.region, b.kwh_milli / b.days AS kpd
  FROM bills b JOIN accounts a USING (account_key)
  WHERE b.period = $period AND b.is_current AND b.days > 0 AND b.kwh_milli > 0
    AND ($customer_class IS NULL OR a.customer_class::VARCHAR = $customer_class) AND ($region IS NULL OR a.region = $region)
),
past AS (
  SELECT account_key,
         max(kwh_milli / days) FILTER (WHERE period = $prev) AS prev_kpd,
         max(kwh_milli / days) FILTER (WHERE period = $yoy) AS yoy_kpd
  FROM bills WHERE is_current AND period IN ($prev, $yoy) AND days > 0 AND kwh_milli > 0
    AND account_key IN (SELECT account_key FROM cur)
  GROUP BY account_key
)
SELECT cur.customer_class::VARCHAR AS customer_class, cur.region, count(*) AS peers,
       median(cur.kpd / past.prev_kpd) AS peer_mom, count(past.prev_kpd) AS mom_n,
       median(cur.kpd / past.yoy_kpd) AS peer_yoy, count(past.yoy_kpd) AS yoy_n
FROM cur LEFT JOIN past USING (account_key)
GROUP BY ALL;

-- name: peer-inputs
-- What peer-changes reads, as one value that moves whenever its answer may: the runs of the three
-- periods (bills become current when a run finishes), corrections in them (a re-bill replaces a
-- bill), and account loads (an account may change class or region).
SELECT coalesce((SELECT string_agg(run_id || ':' || status, ',' ORDER BY run_id) FROM runs WHERE period IN ($period, $prev, $yoy)), '')
       || '|' || coalesce((SELECT max(decision_id) FROM review_decisions WHERE action = 'correct' AND period IN ($period, $prev, $yoy)), 0)
       || '|' || coalesce((SELECT max(file_key) FROM input_files WHERE kind = 'accounts'), 0) AS inputs;

-- name: account-decisions
SELECT d.decision_id, d.period, d.action, d.from_status::VARCHAR AS from_status, d.to_status::VARCHAR AS to_status,
       d.bill_version, d.new_bill_version, d.amount_before_minor::DOUBLE AS amount_before_minor,
       d.amount_after_minor::DOUBLE AS amount_after_minor, d.correction::VARCHAR AS correction, d.reviewer, d.note, d.source,
       strftime(d.decided_at, '%Y-%m-%d %H:%M:%S') AS decided_at
FROM review_decisions d
WHERE d.account_key = $account_key
ORDER BY d.decision_id;

-- name: last-decision
SELECT action, reviewer, strftime(decided_at, '%Y-%m-%d %H:%M') AS decided_at, new_bill_version
FROM review_decisions WHERE account_key = $account_key AND period = $period
ORDER BY decision_id DESC LIMIT 1;
