-- Writing a priced batch and finishing a run. A batch's bills, line items, flags, errors and its
-- run_batches row commit together, so a killed run resumes at the first batch without a row.

-- name: results-table
CREATE OR REPLACE TEMP TABLE batch_results (
  account_key INTEGER, outcome UTINYINT, amount_minor BIGINT, tax_included_minor BIGINT,
  context_key BIGINT, flag_count SMALLINT, score DOUBLE
);

-- name: insert-bills
-- New bills stay not current until the run finishes, so nobody sees half a period.
INSERT INTO bills
SELECT s.account_key, $period, $bill_version, $run_id, false,
       CASE WHEN r.outcome = 1 THEN 'held' ELSE 'ready' END,
       s.open_date, s.close_date, s.days, s.kwh, s.kwh_sharp, s.kwh_peak, s.kwh_flat, s.kwh_valley,
       s.demand, s.kvarh, r.amount_minor, r.tax_included_minor, r.context_key, s.read_flags, r.flag_count, r.score
FROM batch_results r JOIN run_staging s USING (account_key)
WHERE r.outcome <> 2 AND s.account_key >= $lo AND s.account_key < $hi;

-- name: insert-bill-intervals
-- What VEE did to the intervals of the batch's bills priced from interval data alone.
INSERT INTO bill_intervals
SELECT s.account_key, $period, $bill_version, s.interval_minutes, s.intervals_actual, s.intervals_estimated, s.intervals_missing,
       s.intervals_interpolated, s.intervals_profiled, s.intervals_spikes
FROM batch_results r JOIN run_staging s USING (account_key)
WHERE r.outcome <> 2 AND s.intervals_actual IS NOT NULL AND s.account_key >= $lo AND s.account_key < $hi;

-- name: clear-results
DELETE FROM batch_results;

-- name: make-current
-- The run's bills replace any earlier version of the period in one step.
UPDATE bills SET is_current = (bill_version = $bill_version) WHERE period = $period;

-- name: run-totals
SELECT count(*) AS bills,
       count(*) FILTER (WHERE status = 'held') AS held,
       coalesce(sum(amount_minor), 0)::BIGINT AS amount_minor,
       coalesce(sum(flag_count), 0)::BIGINT AS flags
FROM bills WHERE period = $period AND bill_version = $bill_version;

-- name: line-item-total
SELECT coalesce(sum(amount_minor), 0)::BIGINT AS amount_minor, count(*) AS line_items
FROM line_items WHERE period = $period AND bill_version = $bill_version;

-- name: amounts-by-currency
SELECT c.currency, count(*) AS bills, sum(b.amount_minor)::BIGINT AS amount_minor
FROM bills b JOIN bill_contexts c USING (context_key)
WHERE b.period = $period AND b.bill_version = $bill_version
GROUP BY ALL ORDER BY c.currency;

-- name: tariffs-used
SELECT c.tariff_id, c.versions, count(*) AS bills
FROM bills b JOIN bill_contexts c USING (context_key)
WHERE b.period = $period AND b.bill_version = $bill_version
GROUP BY ALL ORDER BY ALL;

-- name: band-scales
-- Each class's band scales this period and how many accounts measured them (spread-scales).
SELECT customer_class::VARCHAR AS customer_class, scale_n AS accounts, round(level_scale, 3) AS level, round(shift_scale, 3) AS shift
FROM run_scales ORDER BY customer_class;

-- name: errors-by-code
SELECT code, count(*) AS accounts FROM bill_errors WHERE run_id = $run_id GROUP BY ALL ORDER BY code;

-- name: flags-by-rule
SELECT rule_id, count(*) FILTER (WHERE NOT suppressed) AS flagged, count(*) FILTER (WHERE suppressed) AS suppressed
FROM flags WHERE period = $period AND bill_version = $bill_version GROUP BY ALL ORDER BY rule_id;

-- name: inputs
SELECT kind, path, sha256, rows_read, rows_loaded, rows_unchanged, rows_rejected, loaded_at::VARCHAR AS loaded_at
FROM input_files ORDER BY file_key;

-- name: export-bills
-- The exports sort narrow rows: the texts of a bill's context and of a line item's charge are
-- looked up after the sort, in lists bound as parameters ($tariff_id[n]: dimensionLists in run.ts)
-- and numbered by key. Carried through the sort, they made the export of 29M line items take
-- 1.3–1.5× as long; a join after the sort would not keep its order.
COPY (
  SELECT b.account_id, $period::INTEGER AS period, $bill_version::SMALLINT AS bill_version, b.status::VARCHAR AS status,
         b.start_date, b.end_date, b.days, b.kwh_milli, b.kwh_sharp_milli, b.kwh_peak_milli, b.kwh_flat_milli, b.kwh_valley_milli,
         b.demand_milli, b.kvarh_milli, b.amount_minor, b.tax_included_minor, $currency[b.n] AS currency, $tariff_id[b.n] AS tariff_id,
         $versions[b.n] AS tariff_versions, b.read_flags, b.flag_count, b.score
  FROM (
    SELECT a.account_id, b.status, b.start_date, b.end_date, b.days, b.kwh_milli, b.kwh_sharp_milli, b.kwh_peak_milli, b.kwh_flat_milli,
           b.kwh_valley_milli, b.demand_milli, b.kvarh_milli, b.amount_minor, b.tax_included_minor, c.n, b.read_flags, b.flag_count, b.score
    FROM bills b JOIN accounts a USING (account_key)
    JOIN (SELECT context_key, row_number() OVER (ORDER BY context_key) AS n FROM bill_contexts) c USING (context_key)
    WHERE b.period = $period AND b.bill_version = $bill_version
    ORDER BY a.account_id
  ) b
) TO $path (FORMAT parquet, COMPRESSION zstd);

-- name: export-line-items
COPY (
  SELECT l.account_id, $period::INTEGER AS period, $bill_version::SMALLINT AS bill_version, l.seq, $component[l.n] AS component,
         $label[l.n] AS label, $unit[l.n] AS unit, l.quantity_milli, $rate[l.n] AS rate, l.amount_minor,
         $tariff_id[l.n] AS tariff_id, $tariff_version[l.n] AS tariff_version
  FROM (
    SELECT a.account_id, l.seq, c.n, l.quantity_milli, l.amount_minor
    FROM line_items l JOIN accounts a USING (account_key)
    JOIN (SELECT charge_key, row_number() OVER (ORDER BY charge_key) AS n FROM charges) c USING (charge_key)
    WHERE l.period = $period AND l.bill_version = $bill_version
    ORDER BY a.account_id, l.seq
  ) l
) TO $path (FORMAT parquet, COMPRESSION zstd);

-- name: context-lists
SELECT tariff_id, versions, currency FROM bill_contexts ORDER BY context_key;

-- name: charge-lists
SELECT component, label, unit, rate, tariff_id, tariff_version FROM charges ORDER BY charge_key;

-- name: export-flags
COPY (
  SELECT a.account_id, f.period, f.bill_version, f.rule_id, f.severity, f.suppressed, f.score, f.reason, f.rules_version
  FROM flags f JOIN accounts a USING (account_key)
  WHERE f.period = $period AND f.bill_version = $bill_version
  ORDER BY a.account_id, f.rule_id, f.suppressed
) TO $path (FORMAT parquet, COMPRESSION zstd);

-- name: errors
-- errors.csv's rows, streamed to JavaScript: a spreadsheet opens that file, so every cell goes
-- through the one formula-neutralising rule (src/text) on its way out.
SELECT a.account_id, e.code, e.message
FROM bill_errors e JOIN accounts a USING (account_key)
WHERE e.run_id = $run_id
ORDER BY a.account_id, e.code;
