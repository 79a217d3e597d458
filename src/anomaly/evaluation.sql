-- Evaluating the review flags of billed periods against labels, beside the naive baseline
-- ("kWh/day changed by more than 30% month-over-month or year-over-year") computed on the same
-- bills. Runs on temp tables, so a read-only store will do.
--
-- A label row says what a bill must get: must_flag '1' (an error: the bill must be on the list),
-- '0' (a legitimate event such as a heat wave or an estimated read: it must not need to be), or
-- 'ambiguous' (either is defensible: left out of precision and recall). Recall counts must-flag
-- bills only; precision counts flagged bills without an ambiguous label.
--
-- Parameters: $path (labels CSV), $from, $to (YYYYMM), $material_share (without a must_flag
-- column, a label whose billed kWh differ from the true kWh by at most this share is ambiguous),
-- $naive_change, $top.

-- name: labels
-- account_id, period (YYYY-MM), kind, must_flag, by name; every label is kept: those after the
-- window tell which flags were early warnings. `run_month`: the label's month within a run of
-- consecutive labels of the same kind on the account (1 = the error's first month).
CREATE OR REPLACE TEMP TABLE eval_labels AS
WITH l AS (
  SELECT l.account_id, a.account_key, a.customer_class::VARCHAR AS customer_class,
         replace(l.period, '-', '')::INTEGER AS period, l.kind,
         CASE lower(trim(l.must_flag)) WHEN '1' THEN 'must' WHEN 'true' THEN 'must' WHEN '0' THEN 'legitimate'
              WHEN 'false' THEN 'legitimate' WHEN 'ambiguous' THEN 'ambiguous' END AS verdict,
         l.must_flag AS given
  FROM eval_labels_source l
  LEFT JOIN accounts a USING (account_id)
),
indexed AS (
  SELECT *, (period // 100) * 12 + period % 100 AS month_index FROM l
)
SELECT account_id, account_key, customer_class, period, kind, verdict, given,
       (month_index - min(month_index) OVER (PARTITION BY account_id, kind, month_index - rn) + 1)::INTEGER AS run_month
FROM (SELECT *, row_number() OVER (PARTITION BY account_id, kind ORDER BY month_index) AS rn FROM indexed);

-- name: source
CREATE OR REPLACE TEMP TABLE eval_labels_source AS
SELECT account_id, period, kind, must_flag FROM read_csv($path, header = true, all_varchar = true);

-- name: source-with-kwh
-- A labels file without must_flag but with true_kwh and billed_kwh (billrun's earlier format):
-- every label is an error that must be flagged, unless it barely moves the bill.
CREATE OR REPLACE TEMP TABLE eval_labels_source AS
SELECT account_id, period, kind,
       CASE WHEN try_cast(billed_kwh AS DOUBLE) IS NULL OR try_cast(true_kwh AS DOUBLE) IS NULL THEN '1'
            WHEN abs(billed_kwh::DOUBLE - true_kwh::DOUBLE) > $material_share * abs(true_kwh::DOUBLE) THEN '1'
            ELSE 'ambiguous' END AS must_flag
FROM read_csv($path, header = true, all_varchar = true);

-- name: source-kinds-only
-- A labels file of account_id, period, kind only: every label must be flagged.
CREATE OR REPLACE TEMP TABLE eval_labels_source AS
SELECT account_id, period, kind, '1' AS must_flag FROM read_csv($path, header = true, all_varchar = true);

-- name: bad-verdicts
-- must_flag values that are none of 1, 0, ambiguous: the file's line (header = line 1).
SELECT line, given FROM (
  SELECT row_number() OVER () + 1 AS line, must_flag AS given FROM eval_labels_source
) WHERE given IS NULL OR lower(trim(given)) NOT IN ('1', '0', 'true', 'false', 'ambiguous')
ORDER BY line LIMIT 1;

-- name: bills
-- Every current bill of the window with both verdicts. The naive rule ranks by its largest
-- relative change; billrun by the bill's score. A bill with several labels takes the strongest
-- verdict (must over ambiguous over legitimate). `labelled_soon`: the account carries a must-flag
-- label in one of the next three periods (a flag there is an early warning, still counted as false).
CREATE OR REPLACE TEMP TABLE eval_bills AS
WITH soon AS (
  SELECT DISTINCT account_key, (period // 100) * 12 + period % 100 - k AS period_index
  FROM eval_labels, unnest([1, 2, 3]) AS ahead(k)
  WHERE account_key IS NOT NULL AND verdict = 'must'
),
cur AS (
  SELECT b.account_key, b.period, b.kwh_milli / b.days AS kpd, b.flag_count, b.score, a.customer_class::VARCHAR AS customer_class
  FROM bills b JOIN accounts a USING (account_key) WHERE b.is_current AND b.days > 0
),
history AS (
  SELECT account_key, period, kwh_milli / days AS kpd
  FROM bills WHERE is_current AND days > 0 AND period BETWEEN $from - 100 AND $to
),
compared AS (
  SELECT c.account_key, c.period, c.kpd, c.flag_count, c.score, c.customer_class,
         abs(c.kpd - p.kpd) / greatest(abs(p.kpd), 1) AS mom_change,
         abs(c.kpd - y.kpd) / greatest(abs(y.kpd), 1) AS yoy_change
  FROM cur c
  LEFT JOIN history p ON p.account_key = c.account_key
       AND p.period = CASE WHEN c.period % 100 = 1 THEN c.period - 89 ELSE c.period - 1 END
  LEFT JOIN history y ON y.account_key = c.account_key AND y.period = c.period - 100
  WHERE c.period BETWEEN $from AND $to
),
verdicts AS (
  SELECT account_key, period,
         CASE WHEN bool_or(verdict = 'must') THEN 'must' WHEN bool_or(verdict = 'ambiguous') THEN 'ambiguous' ELSE 'legitimate' END AS verdict,
         coalesce(min(kind) FILTER (WHERE verdict = 'must'), min(kind)) AS kind,
         min(run_month) FILTER (WHERE verdict = 'must') AS run_month
  FROM eval_labels WHERE account_key IS NOT NULL GROUP BY ALL
)
SELECT b.account_key, b.period, b.customer_class,
       b.flag_count > 0 AS billrun_flag,
       b.score AS billrun_score,
       coalesce(b.mom_change > $naive_change, false) OR coalesce(b.yoy_change > $naive_change, false) AS naive_flag,
       greatest(coalesce(b.mom_change, 0), coalesce(b.yoy_change, 0)) AS naive_score,
       v.kind, v.run_month,
       coalesce(v.verdict = 'must', false) AS must,
       coalesce(v.verdict = 'ambiguous', false) AS ambiguous,
       coalesce(v.verdict = 'legitimate', false) AS legitimate,
       s.account_key IS NOT NULL AS labelled_soon
FROM compared b
LEFT JOIN verdicts v USING (account_key, period)
LEFT JOIN soon s ON s.account_key = b.account_key AND s.period_index = (b.period // 100) * 12 + b.period % 100;

-- name: totals
SELECT count(*) AS bills,
       count(*) FILTER (WHERE must) AS must,
       count(*) FILTER (WHERE ambiguous) AS ambiguous,
       count(*) FILTER (WHERE legitimate) AS legitimate,
       count(*) FILTER (WHERE billrun_flag) AS billrun_flagged,
       count(*) FILTER (WHERE billrun_flag AND NOT ambiguous) AS billrun_judged,
       count(*) FILTER (WHERE billrun_flag AND must) AS billrun_true,
       count(*) FILTER (WHERE billrun_flag AND must AND run_month BETWEEN 2 AND 6) AS billrun_persisting,
       count(*) FILTER (WHERE billrun_flag AND NOT must AND NOT ambiguous AND labelled_soon) AS billrun_early,
       count(*) FILTER (WHERE naive_flag) AS naive_flagged,
       count(*) FILTER (WHERE naive_flag AND NOT ambiguous) AS naive_judged,
       count(*) FILTER (WHERE naive_flag AND must) AS naive_true,
       count(*) FILTER (WHERE naive_flag AND must AND run_month BETWEEN 2 AND 6) AS naive_persisting,
       count(*) FILTER (WHERE naive_flag AND NOT must AND NOT ambiguous AND labelled_soon) AS naive_early,
       count(*) FILTER (WHERE must AND run_month BETWEEN 2 AND 6) AS persisting
FROM eval_bills;

-- name: by-class-and-period
-- The same counts per customer class and per period, one grouping set each.
SELECT CASE WHEN grouping(customer_class) = 0 THEN 'class' ELSE 'period' END AS grouped_by,
       customer_class, period,
       count(*) AS bills,
       count(*) FILTER (WHERE must) AS must,
       count(*) FILTER (WHERE billrun_flag) AS billrun_flagged,
       count(*) FILTER (WHERE billrun_flag AND NOT ambiguous) AS billrun_judged,
       count(*) FILTER (WHERE billrun_flag AND must) AS billrun_true,
       count(*) FILTER (WHERE naive_flag) AS naive_flagged,
       count(*) FILTER (WHERE naive_flag AND NOT ambiguous) AS naive_judged,
       count(*) FILTER (WHERE naive_flag AND must) AS naive_true
FROM eval_bills
GROUP BY GROUPING SETS ((customer_class), (period))
ORDER BY grouped_by, customer_class, period;

-- name: by-kind
-- Per kind and verdict over the labels of the window: how many of its bills each rule set
-- flagged (recall for must-flag kinds, the flag rate for legitimate ones). A label whose
-- account-period has no bill (the run rejected it as an error) cannot be flagged and is counted apart.
SELECT l.kind, l.verdict,
       count(*) AS labels,
       count(*) FILTER (WHERE b.account_key IS NULL) AS unbilled,
       count(*) FILTER (WHERE b.account_key IS NOT NULL) AS billed,
       count(*) FILTER (WHERE b.billrun_flag) AS billrun_flagged,
       count(*) FILTER (WHERE b.naive_flag) AS naive_flagged,
       count(*) FILTER (WHERE b.account_key IS NOT NULL AND l.run_month BETWEEN 2 AND 6) AS persisting,
       count(*) FILTER (WHERE b.billrun_flag AND l.run_month BETWEEN 2 AND 6) AS billrun_persisting
FROM eval_labels l
LEFT JOIN eval_bills b USING (account_key, period)
WHERE l.period BETWEEN $from AND $to
GROUP BY ALL ORDER BY l.kind, l.verdict;

-- name: by-rule
-- Per rule over the flags of the window's current bills: bills flagged, how many must be, and the
-- suppressions (a suppressed flag on a must-flag bill is a miss the suppression caused).
SELECT f.rule_id,
       count(DISTINCT (f.account_key, f.period)) FILTER (WHERE NOT f.suppressed) AS flagged,
       count(DISTINCT (f.account_key, f.period)) FILTER (WHERE NOT f.suppressed AND NOT b.ambiguous) AS judged,
       count(DISTINCT (f.account_key, f.period)) FILTER (WHERE NOT f.suppressed AND b.must) AS must,
       count(DISTINCT (f.account_key, f.period)) FILTER (WHERE NOT f.suppressed AND NOT b.must AND NOT b.ambiguous AND b.labelled_soon) AS early,
       count(DISTINCT (f.account_key, f.period)) FILTER (WHERE f.suppressed) AS suppressed,
       count(DISTINCT (f.account_key, f.period)) FILTER (WHERE f.suppressed AND b.must) AS suppressed_must,
       string_agg(DISTINCT f.rules_version, ', ') AS rules_versions
FROM flags f
JOIN bills c ON c.account_key = f.account_key AND c.period = f.period AND c.bill_version = f.bill_version AND c.is_current
JOIN eval_bills b ON b.account_key = f.account_key AND b.period = f.period
GROUP BY f.rule_id ORDER BY f.rule_id;

-- name: top-k
-- Precision of each period's review list cut at $top, ranked by billrun's score and by the naive
-- rule's relative change (ambiguous bills left out of the count).
WITH ranked AS (
  SELECT period, must, ambiguous, billrun_flag, naive_flag,
         row_number() OVER (PARTITION BY period ORDER BY billrun_score DESC, account_key) AS billrun_rank,
         row_number() OVER (PARTITION BY period ORDER BY naive_score DESC, account_key) AS naive_rank
  FROM eval_bills
)
SELECT count(*) FILTER (WHERE billrun_flag AND billrun_rank <= $top AND NOT ambiguous) AS billrun_listed,
       count(*) FILTER (WHERE billrun_flag AND billrun_rank <= $top AND must) AS billrun_true,
       count(*) FILTER (WHERE naive_flag AND naive_rank <= $top AND NOT ambiguous) AS naive_listed,
       count(*) FILTER (WHERE naive_flag AND naive_rank <= $top AND must) AS naive_true
FROM ranked;

-- name: unmatched-labels
-- Labels naming an account the store does not know: a labels file for other data.
SELECT count(*) AS n FROM eval_labels WHERE account_key IS NULL AND period BETWEEN $from AND $to;
