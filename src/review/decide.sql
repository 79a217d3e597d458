-- Applying a review decision: the guarded state change, the audit row, and for a correction the
-- account's determinants re-derived from its reads, the re-bill and the corrected reads.

-- name: registers
-- Opening and closing read of every register of the account's meters for the period, as the bill
-- run takes them (src/billing/reads.sql).
SELECT r.meter_key, m.meter_id, r.register::VARCHAR AS register, r.register_digits, r.multiplier_e4::DOUBLE AS multiplier_e4,
       r.open_value::DOUBLE AS open_value, strftime(r.open_at, '%Y-%m-%d %H:%M:%S') AS open_at,
       enum_range(NULL::read_type)[r.prior_type + 1]::VARCHAR AS prior_type,
       r.close_value::DOUBLE AS close_value, strftime(r.close_at, '%Y-%m-%d %H:%M:%S') AS close_at,
       enum_range(NULL::read_type)[r.close_type + 1]::VARCHAR AS close_type
FROM period_reads($first, $next, $account_key, $account_key + 1) r JOIN meters m USING (meter_key)
ORDER BY r.close_at, m.meter_id, r.register;

-- name: interval-demand
-- Maximum demand per demand period from the register meter's stored intervals over the service
-- period, in the policy's demand windows, as the bill run takes it (src/billing/reads.sql
-- interval_windows); NULLs without intervals.
SELECT max(demand_milli) FILTER (WHERE demand_period = 'sharp')::DOUBLE AS sharp,
       max(demand_milli) FILTER (WHERE demand_period = 'peak')::DOUBLE AS peak,
       max(demand_milli) FILTER (WHERE demand_period = 'flat')::DOUBLE AS flat,
       max(demand_milli) FILTER (WHERE demand_period = 'valley')::DOUBLE AS valley
FROM interval_windows($first, $next, $account_key, $account_key + 1, $default_demand_minutes, $default_gap_minutes, $default_spike_factor)
WHERE NOT from_series AND day >= $start_date::DATE AND day < $end_date::DATE;

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
