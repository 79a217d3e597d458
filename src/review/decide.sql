-- Applying a review decision: the guarded state change, the audit row, and for a correction the
-- account's determinants re-derived from its reads, the re-bill and the corrected reads.

-- name: registers
-- Opening and closing read of every register of the account's meters for the period, taken as
-- src/billing/determinants.sql takes them: the closing read is a register's last read dated in
-- the month, the opening read its last read before the month (at most 100 days back) or, for a
-- meter installed in the month, its first read in the month.
WITH meter_of AS (
  SELECT m.meter_key, m.meter_id, a.register_digits, (a.multiplier * 10000)::BIGINT AS multiplier_e4
  FROM meters m JOIN accounts a USING (account_key)
  WHERE m.account_key = $account_key
),
reads AS (
  SELECT r.meter_key, r.register, r.read_date, r.read_at, r.value_milli, r.read_type
  FROM readings r JOIN meter_of USING (meter_key)
  WHERE r.read_date >= $lookback AND r.read_date < $next
),
per_register AS (
  SELECT meter_key, register,
         arg_max(value_milli, read_at) FILTER (WHERE read_date >= $first) AS close_value,
         max(read_at) FILTER (WHERE read_date >= $first) AS close_at,
         arg_max(read_type, read_at) FILTER (WHERE read_date >= $first) AS close_type,
         arg_max(value_milli, read_at) FILTER (WHERE read_date < $first) AS prior_value,
         max(read_at) FILTER (WHERE read_date < $first) AS prior_at,
         arg_max(read_type, read_at) FILTER (WHERE read_date < $first) AS prior_type,
         arg_min(value_milli, read_at) FILTER (WHERE read_date >= $first) AS first_value,
         min(read_at) FILTER (WHERE read_date >= $first) AS first_at
  FROM reads
  GROUP BY ALL
)
SELECT mo.meter_key, mo.meter_id, p.register::VARCHAR AS register, mo.register_digits, mo.multiplier_e4::DOUBLE AS multiplier_e4,
       coalesce(p.prior_value, p.first_value)::DOUBLE AS open_value,
       strftime(coalesce(p.prior_at, p.first_at), '%Y-%m-%d %H:%M:%S') AS open_at,
       p.prior_type::VARCHAR AS prior_type,
       p.close_value::DOUBLE AS close_value, strftime(p.close_at, '%Y-%m-%d %H:%M:%S') AS close_at, p.close_type::VARCHAR AS close_type
FROM per_register p JOIN meter_of mo USING (meter_key)
WHERE p.close_value IS NOT NULL
ORDER BY p.close_at, mo.meter_id, p.register;

-- name: interval-demand
-- Maximum demand per TOU period from the account's interval data over the service period,
-- classified through the tariff's schedule as determinants.sql does; NULLs without intervals.
SELECT max(i.wh * 60 // i.interval_minutes) FILTER (WHERE s.period = 'sharp')::DOUBLE AS sharp,
       max(i.wh * 60 // i.interval_minutes) FILTER (WHERE s.period = 'peak')::DOUBLE AS peak,
       max(i.wh * 60 // i.interval_minutes) FILTER (WHERE s.period = 'flat')::DOUBLE AS flat,
       max(i.wh * 60 // i.interval_minutes) FILTER (WHERE s.period = 'valley')::DOUBLE AS valley
FROM intervals i
JOIN meters m USING (meter_key)
JOIN accounts ac ON ac.account_key = m.account_key
LEFT JOIN (SELECT tariff_id, max(revision) AS revision FROM tariff_policies GROUP BY ALL) tr ON tr.tariff_id = ac.tariff_id
LEFT JOIN tariff_versions v ON v.tariff_id = ac.tariff_id AND v.revision = tr.revision
      AND i.interval_start::DATE BETWEEN v.effective_from AND coalesce(v.effective_to, DATE '9999-12-31')
LEFT JOIN tariff_holidays h ON h.tariff_id = v.tariff_id AND h.revision = v.revision AND h.version = v.version
      AND h.holiday = i.interval_start::DATE
LEFT JOIN tariff_schedule s ON s.tariff_id = v.tariff_id AND s.revision = v.revision AND s.version = v.version
      AND s.month = month(i.interval_start) AND s.hour = hour(i.interval_start)
      AND s.day_type = CASE WHEN h.holiday IS NOT NULL OR dayofweek(i.interval_start) IN (0, 6) THEN 'weekend' ELSE 'weekday' END
WHERE m.account_key = $account_key AND i.interval_start >= $lookback AND i.interval_start < $next
  AND i.interval_start::DATE >= $start_date AND i.interval_start::DATE < $end_date;

-- name: year-to-date
-- Energy and amount billed earlier in the calendar year (annual tiers and minimums), as the bill run counts them.
SELECT coalesce(sum(kwh_milli), 0)::DOUBLE AS kwh_milli, coalesce(sum(amount_minor), 0)::DOUBLE AS amount_minor
FROM bills
WHERE account_key = $account_key AND is_current AND period >= $year_start AND period >= $baseline_from AND period < $period AND days > 0;

-- name: baseline
-- The account's own trusted periods among the last 12, for an estimate (migration 004: no bill
-- under review, no estimate, no level a reviewer did not accept).
SELECT count(*) AS periods, median(kwh_milli / days) AS kpd,
       sum(kwh_sharp_milli)::DOUBLE AS sharp, sum(kwh_peak_milli)::DOUBLE AS peak,
       sum(kwh_flat_milli)::DOUBLE AS flat, sum(kwh_valley_milli)::DOUBLE AS valley,
       median(kvarh_milli / kwh_milli) FILTER (WHERE kvarh_milli IS NOT NULL AND kwh_milli > 0) AS kvarh_ratio
FROM trusted_bills
WHERE account_key = $account_key AND period >= $from AND period < $period AND kwh_milli >= 0;

-- name: charge
SELECT component, label, unit, rate, tariff_id, tariff_version FROM charges WHERE charge_key = $key;

-- name: insert-charge
INSERT INTO charges (charge_key, component, label, unit, rate, tariff_id, tariff_version)
VALUES ($key, $component, $label, $unit, $rate, $tariff_id, $tariff_version);

-- name: context
SELECT tariff_id, versions, currency FROM bill_contexts WHERE context_key = $key;

-- name: insert-context
INSERT INTO bill_contexts (context_key, tariff_id, versions, currency) VALUES ($key, $tariff_id, $versions, $currency);

-- name: decide-bill
-- The guard: the bill changes only if it is still the current version in the state the decision
-- was made on. Zero rows changed means another reviewer got there first.
UPDATE bills SET status = $to_status, is_current = $is_current
WHERE account_key = $account_key AND period = $period AND bill_version = $bill_version AND is_current AND status = $from_status;

-- name: insert-bill
INSERT INTO bills (account_key, period, bill_version, run_id, is_current, status, start_date, end_date, days, kwh_milli,
                   kwh_sharp_milli, kwh_peak_milli, kwh_flat_milli, kwh_valley_milli, demand_milli, kvarh_milli,
                   amount_minor, tax_included_minor, context_key, read_flags, flag_count, score)
VALUES ($account_key, $period, $bill_version, $run_id, true, 'ready', $start_date, $end_date, $days, $kwh_milli,
        $kwh_sharp_milli, $kwh_peak_milli, $kwh_flat_milli, $kwh_valley_milli, $demand_milli, $kvarh_milli,
        $amount_minor, $tax_included_minor, $context_key, $read_flags, 0, 0);

-- name: insert-line-item
INSERT INTO line_items (account_key, period, bill_version, seq, charge_key, quantity_milli, amount_minor)
VALUES ($account_key, $period, $bill_version, $seq, $charge_key, $quantity_milli, $amount_minor);

-- name: insert-reading
-- A corrected or estimated closing read, one second after the read it replaces so that it is the
-- period's closing read and the next period's opening read. file_key 0 and line = decision id
-- trace it to the review decision (see 002_review.sql).
INSERT INTO readings (meter_key, read_date, read_at, register, value_milli, read_type, file_key, line)
VALUES ($meter_key, $read_at::TIMESTAMP::DATE, $read_at::TIMESTAMP, $register, $value_milli, $read_type, 0, $decision_id);

-- name: next-decision-id
SELECT nextval('review_decision_id') AS id;

-- name: insert-decision
INSERT INTO review_decisions (decision_id, account_key, period, action, from_status, to_status, bill_version, new_bill_version,
                              amount_before_minor, amount_after_minor, correction, reviewer, note, source, decided_at)
VALUES ($decision_id, $account_key, $period, $action, $from_status, $to_status, $bill_version, $new_bill_version,
        $amount_before_minor, $amount_after_minor, $correction, $reviewer, $note, $source, $decided_at);

-- name: policy
-- The price policy in force (latest revision), as the bill run takes it.
SELECT revision, policy::VARCHAR AS policy FROM tariff_policies WHERE tariff_id = $tariff_id ORDER BY revision DESC LIMIT 1;
