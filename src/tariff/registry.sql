-- Price policies in the store: every loaded document is a new revision; the latest is in force.

-- name: latest
SELECT tariff_id, revision, policy::VARCHAR AS policy, loaded_at::VARCHAR AS loaded_at
FROM tariff_policies
WHERE tariff_id = $tariff_id
ORDER BY revision DESC LIMIT 1;

-- name: list
SELECT p.tariff_id, p.revision, p.name, p.currency, p.loaded_at::VARCHAR AS loaded_at,
       (SELECT count(*) FROM tariff_versions v WHERE v.tariff_id = p.tariff_id AND v.revision = p.revision) AS versions,
       (SELECT count(*) FROM accounts a WHERE a.tariff_id = p.tariff_id) AS accounts
FROM tariff_policies p
WHERE p.revision = (SELECT max(revision) FROM tariff_policies q WHERE q.tariff_id = p.tariff_id)
ORDER BY p.tariff_id;

-- name: billed-in-reach
-- Current bills priced by the tariff that price at least one reached day. $reach lists the
-- reached days as 'first/last' (ISO dates, last empty = open-ended), comma-separated. A bill
-- prices start_date .. end_date − 1 (the closing read's day opens the next bill); a bill of no
-- days is priced by the version in force on its start date.
WITH reach AS (
  SELECT split_part(r, '/', 1)::DATE AS first_day, nullif(split_part(r, '/', 2), '')::DATE AS last_day
  FROM unnest(string_split($reach, ',')) AS t(r)
)
SELECT min(b.period) AS first_period, max(b.period) AS last_period, count(*) AS bills
FROM bills b JOIN bill_contexts c USING (context_key)
WHERE c.tariff_id = $tariff_id AND b.is_current
  AND EXISTS (SELECT 1 FROM reach r
              WHERE greatest(b.end_date, b.start_date + 1) > r.first_day AND (r.last_day IS NULL OR b.start_date <= r.last_day));

-- name: insert-policy
INSERT INTO tariff_policies VALUES ($tariff_id, $revision, $name, $currency, $policy, $file_key, $loaded_at);

-- name: insert-version
INSERT INTO tariff_versions VALUES ($tariff_id, $revision, $version, $effective_from, $effective_to);

-- name: bills-to-simulate
-- One period's current bills priced by the tariff, with what pricing them again takes (the
-- determinants as billed, the year-to-date kWh and amount the bill run priced them with) and
-- whether they are trusted for impact (bill_trusted_for_impact, migration 007).
SELECT a.account_id, a.name, a.customer_class::VARCHAR AS customer_class, a.region, a.household_size,
       a.contract_kva::DOUBLE AS contract_kva, a.pf_standard::DOUBLE AS pf_standard,
       b.status::VARCHAR AS status, bill_trusted_for_impact(b.is_current, b.status) AS trusted,
       b.start_date::VARCHAR AS start_date, b.end_date::VARCHAR AS end_date, b.days,
       b.kwh_milli::DOUBLE AS kwh, b.kwh_sharp_milli::DOUBLE AS sharp, b.kwh_peak_milli::DOUBLE AS peak,
       b.kwh_flat_milli::DOUBLE AS flat, b.kwh_valley_milli::DOUBLE AS valley, b.demand_milli::DOUBLE AS demand,
       b.kvarh_milli::DOUBLE AS kvarh,
       coalesce((SELECT sum(y.kwh_milli) FROM bills y WHERE y.account_key = b.account_key AND y.is_current AND y.days > 0
                  AND y.period >= $year_start AND y.period < $period), 0)::DOUBLE AS ytd_kwh,
       coalesce((SELECT sum(y.amount_minor) FROM bills y WHERE y.account_key = b.account_key AND y.is_current AND y.days > 0
                  AND y.period >= $year_start AND y.period < $period), 0)::DOUBLE AS ytd_amount
FROM bills b JOIN bill_contexts c USING (context_key) JOIN accounts a USING (account_key)
WHERE b.period = $period AND b.is_current AND c.tariff_id = $tariff_id
ORDER BY a.account_id;
