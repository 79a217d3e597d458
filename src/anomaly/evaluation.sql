-- Evaluating the review flags of billed periods against labelled anomalies, beside the naive
-- baseline ("kWh/day changed by more than 30% month-over-month or year-over-year") computed on the
-- same bills. Runs on temp tables, so a read-only store will do.
--
-- Parameters: $path (labels CSV), $from, $to (YYYYMM), $material_share (a label is material when
-- its billed kWh differ from the true kWh by more than this share), $naive_change, $top.

-- name: labels
-- account_id, period (YYYY-MM), kind, true_kwh, billed_kwh (the generator writes them all), by
-- name. Every label is kept: those after the window tell which flags were early warnings.
CREATE OR REPLACE TEMP TABLE eval_labels AS
SELECT l.account_id, a.account_key, replace(l.period, '-', '')::INTEGER AS period, l.kind,
       l.true_kwh::DOUBLE AS true_kwh, l.billed_kwh::DOUBLE AS billed_kwh,
       coalesce(abs(l.billed_kwh::DOUBLE - l.true_kwh::DOUBLE) > $material_share * abs(l.true_kwh::DOUBLE), true) AS material
FROM read_csv($path, header = true, all_varchar = true) l
LEFT JOIN accounts a USING (account_id);

-- name: labels-without-kwh
-- The same for a labels file without kWh: every label counts as material.
CREATE OR REPLACE TEMP TABLE eval_labels AS
SELECT l.account_id, a.account_key, replace(l.period, '-', '')::INTEGER AS period, l.kind,
       NULL::DOUBLE AS true_kwh, NULL::DOUBLE AS billed_kwh, true AS material
FROM read_csv($path, header = true, all_varchar = true) l
LEFT JOIN accounts a USING (account_id);

-- name: bills
-- Every current bill of the window with both verdicts. The naive rule ranks by its largest
-- relative change; billrun by the bill's score. `labelled_soon`: the account carries a label in
-- one of the next three periods (a flag there is an early warning, still counted as false).
CREATE OR REPLACE TEMP TABLE eval_bills AS
WITH soon AS (
  SELECT DISTINCT account_key, (period // 100) * 12 + period % 100 - k AS period_index
  FROM eval_labels, unnest([1, 2, 3]) AS ahead(k)
  WHERE account_key IS NOT NULL
),
cur AS (
  SELECT account_key, period, kwh_milli / days AS kpd, flag_count, score
  FROM bills WHERE is_current AND days > 0
),
history AS (
  SELECT account_key, period, kwh_milli / days AS kpd
  FROM bills WHERE is_current AND days > 0 AND period BETWEEN $from - 100 AND $to
),
compared AS (
  SELECT c.account_key, c.period, c.kpd, c.flag_count, c.score,
         abs(c.kpd - p.kpd) / greatest(abs(p.kpd), 1) AS mom_change,
         abs(c.kpd - y.kpd) / greatest(abs(y.kpd), 1) AS yoy_change
  FROM cur c
  LEFT JOIN history p ON p.account_key = c.account_key
       AND p.period = CASE WHEN c.period % 100 = 1 THEN c.period - 89 ELSE c.period - 1 END
  LEFT JOIN history y ON y.account_key = c.account_key AND y.period = c.period - 100
  WHERE c.period BETWEEN $from AND $to
)
SELECT b.account_key, b.period,
       b.flag_count > 0 AS billrun_flag,
       b.score AS billrun_score,
       coalesce(b.mom_change > $naive_change, false) OR coalesce(b.yoy_change > $naive_change, false) AS naive_flag,
       greatest(coalesce(b.mom_change, 0), coalesce(b.yoy_change, 0)) AS naive_score,
       l.kind, l.kind IS NOT NULL AS labelled, coalesce(l.material, false) AS material,
       s.account_key IS NOT NULL AS labelled_soon
FROM compared b
LEFT JOIN (SELECT account_key, period, min(kind) AS kind, bool_or(material) AS material
           FROM eval_labels WHERE account_key IS NOT NULL GROUP BY ALL) l USING (account_key, period)
LEFT JOIN soon s ON s.account_key = b.account_key AND s.period_index = (b.period // 100) * 12 + b.period % 100;

-- name: totals
SELECT count(*) AS bills,
       count(*) FILTER (WHERE labelled) AS labelled,
       count(*) FILTER (WHERE material) AS material,
       count(*) FILTER (WHERE billrun_flag) AS billrun_flagged,
       count(*) FILTER (WHERE billrun_flag AND labelled) AS billrun_true,
       count(*) FILTER (WHERE billrun_flag AND material) AS billrun_material,
       count(*) FILTER (WHERE billrun_flag AND labelled AND NOT material) AS billrun_immaterial,
       count(*) FILTER (WHERE billrun_flag AND NOT labelled AND labelled_soon) AS billrun_early,
       count(*) FILTER (WHERE naive_flag) AS naive_flagged,
       count(*) FILTER (WHERE naive_flag AND labelled) AS naive_true,
       count(*) FILTER (WHERE naive_flag AND material) AS naive_material,
       count(*) FILTER (WHERE naive_flag AND labelled AND NOT material) AS naive_immaterial,
       count(*) FILTER (WHERE naive_flag AND NOT labelled AND labelled_soon) AS naive_early
FROM eval_bills;

-- name: by-period
SELECT period,
       count(*) AS bills,
       count(*) FILTER (WHERE labelled) AS labelled,
       count(*) FILTER (WHERE material) AS material,
       count(*) FILTER (WHERE billrun_flag) AS billrun_flagged,
       count(*) FILTER (WHERE billrun_flag AND labelled) AS billrun_true,
       count(*) FILTER (WHERE billrun_flag AND material) AS billrun_material,
       count(*) FILTER (WHERE naive_flag) AS naive_flagged,
       count(*) FILTER (WHERE naive_flag AND labelled) AS naive_true,
       count(*) FILTER (WHERE naive_flag AND material) AS naive_material
FROM eval_bills GROUP BY period ORDER BY period;

-- name: by-kind
-- Per kind over the labels of the window; a label whose account-period has no bill (the run
-- rejected it as an error) cannot be flagged and is counted apart.
SELECT l.kind,
       count(*) AS labels,
       count(*) FILTER (WHERE l.material) AS material,
       count(*) FILTER (WHERE b.account_key IS NULL) AS unbilled,
       count(*) FILTER (WHERE b.billrun_flag) AS billrun_caught,
       count(*) FILTER (WHERE b.billrun_flag AND l.material) AS billrun_material,
       count(*) FILTER (WHERE b.naive_flag) AS naive_caught,
       count(*) FILTER (WHERE b.naive_flag AND l.material) AS naive_material,
       count(*) FILTER (WHERE b.account_key IS NOT NULL AND l.material) AS material_billed,
       count(*) FILTER (WHERE b.account_key IS NOT NULL) AS billed
FROM eval_labels l
LEFT JOIN eval_bills b USING (account_key, period)
WHERE l.period BETWEEN $from AND $to
GROUP BY l.kind ORDER BY l.kind;

-- name: by-rule
-- Per rule over the flags of the window's current bills: bills flagged, how many are labelled,
-- and the suppressions (a suppressed flag on a labelled bill is a miss the suppression caused).
SELECT f.rule_id,
       count(DISTINCT (f.account_key, f.period)) FILTER (WHERE NOT f.suppressed) AS flagged,
       count(DISTINCT (f.account_key, f.period)) FILTER (WHERE NOT f.suppressed AND b.labelled) AS labelled,
       count(DISTINCT (f.account_key, f.period)) FILTER (WHERE NOT f.suppressed AND NOT b.labelled AND b.labelled_soon) AS early,
       count(DISTINCT (f.account_key, f.period)) FILTER (WHERE f.suppressed) AS suppressed,
       count(DISTINCT (f.account_key, f.period)) FILTER (WHERE f.suppressed AND b.labelled) AS suppressed_labelled,
       string_agg(DISTINCT f.rules_version, ', ') AS rules_versions
FROM flags f
JOIN bills c ON c.account_key = f.account_key AND c.period = f.period AND c.bill_version = f.bill_version AND c.is_current
JOIN eval_bills b ON b.account_key = f.account_key AND b.period = f.period
GROUP BY f.rule_id ORDER BY f.rule_id;

-- name: top-k
-- Precision of each period's review list cut at $top, ranked by billrun's score and by the naive
-- rule's relative change.
WITH ranked AS (
  SELECT period, labelled, billrun_flag, naive_flag,
         row_number() OVER (PARTITION BY period ORDER BY billrun_score DESC, account_key) AS billrun_rank,
         row_number() OVER (PARTITION BY period ORDER BY naive_score DESC, account_key) AS naive_rank
  FROM eval_bills
)
SELECT count(*) FILTER (WHERE billrun_flag AND billrun_rank <= $top) AS billrun_listed,
       count(*) FILTER (WHERE billrun_flag AND billrun_rank <= $top AND labelled) AS billrun_true,
       count(*) FILTER (WHERE naive_flag AND naive_rank <= $top) AS naive_listed,
       count(*) FILTER (WHERE naive_flag AND naive_rank <= $top AND labelled) AS naive_true
FROM ranked;

-- name: unmatched-labels
-- Labels naming an account the store does not know: a labels file for other data.
SELECT count(*) AS n FROM eval_labels WHERE account_key IS NULL AND period BETWEEN $from AND $to;
