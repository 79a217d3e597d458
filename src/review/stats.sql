-- What review costs and what it finds, per period, over the review_items table (review.sql).

-- name: by-rule
-- A bill counts once under every rule that flagged it, so rule rows overlap; see `totals`.
SELECT rule, count(*) AS flagged,
       count(*) FILTER (WHERE status = 'ready') AS not_held,
       count(*) FILTER (WHERE status = 'held') AS open,
       count(*) FILTER (WHERE status = 'released') AS released,
       count(*) FILTER (WHERE status = 'dismissed') AS dismissed,
       count(*) FILTER (WHERE status = 'corrected') AS corrected,
       count(*) FILTER (WHERE status = 'escalated') AS escalated
FROM (SELECT unnest(rules) AS rule, status FROM review_items)
GROUP BY rule
ORDER BY flagged DESC, rule;

-- name: totals
SELECT count(*) AS flagged,
       count(*) FILTER (WHERE status = 'ready') AS not_held,
       count(*) FILTER (WHERE status = 'held') AS open,
       count(*) FILTER (WHERE status = 'released') AS released,
       count(*) FILTER (WHERE status = 'dismissed') AS dismissed,
       count(*) FILTER (WHERE status = 'corrected') AS corrected,
       count(*) FILTER (WHERE status = 'escalated') AS escalated
FROM review_items;

-- name: backlog
-- Bills still held, by days since the bill run that held them.
SELECT bucket, min(age) AS from_days, count(*) AS bills, count(*) FILTER (WHERE status = 'escalated') AS escalated
FROM (
  SELECT status, date_diff('day', held_at, $now::TIMESTAMP) AS age,
         CASE WHEN age <= 2 THEN '0–2 days' WHEN age <= 7 THEN '3–7 days' WHEN age <= 14 THEN '8–14 days'
              WHEN age <= 30 THEN '15–30 days' ELSE 'over 30 days' END AS bucket
  FROM review_items WHERE status IN ('held', 'escalated')
)
GROUP BY bucket
ORDER BY from_days;

-- name: reviewers
-- Decisions on the period's bills per reviewer; time to decide counts from the end of the bill run.
SELECT d.reviewer, count(*) AS decisions,
       count(*) FILTER (WHERE d.action = 'release') AS release,
       count(*) FILTER (WHERE d.action = 'correct') AS correct,
       count(*) FILTER (WHERE d.action = 'dismiss') AS dismiss,
       count(*) FILTER (WHERE d.action = 'escalate') AS escalate,
       count(*) FILTER (WHERE d.action = 'hold') AS hold,
       count(DISTINCT d.decided_at::DATE) AS active_days,
       median(date_diff('minute', r.finished_at, d.decided_at)) / 60.0 AS median_hours
FROM review_decisions d
LEFT JOIN bills b ON b.account_key = d.account_key AND b.period = d.period AND b.bill_version = d.bill_version
LEFT JOIN runs r ON r.run_id = b.run_id
WHERE d.period = $period
GROUP BY d.reviewer
ORDER BY decisions DESC, d.reviewer;

-- name: naive
-- The naive rule many utilities run — kWh/day changed by more than 30% against last month or the
-- same month last year — on the same bills the review rules judged (the bill run's version:
-- a correction's re-bill is the reviewers' work, not the run's).
WITH judged AS (
  SELECT b.account_key, b.kwh_milli / b.days AS kpd
  FROM bills b
  WHERE b.period = $period AND b.days > 0 AND (b.is_current OR b.status = 'corrected')
  QUALIFY row_number() OVER (PARTITION BY b.account_key ORDER BY b.status = 'corrected' DESC, b.bill_version DESC) = 1
),
past AS (
  SELECT account_key,
         max(kwh_milli / days) FILTER (WHERE period = $prev) AS prev_kpd,
         max(kwh_milli / days) FILTER (WHERE period = $yoy) AS yoy_kpd
  FROM bills WHERE is_current AND period IN ($prev, $yoy) AND days > 0
  GROUP BY account_key
),
marked AS (
  SELECT j.account_key,
         coalesce(CASE WHEN p.prev_kpd = 0 THEN j.kpd <> 0 ELSE abs(j.kpd / p.prev_kpd - 1) > 0.3 END, false)
         OR coalesce(CASE WHEN p.yoy_kpd = 0 THEN j.kpd <> 0 ELSE abs(j.kpd / p.yoy_kpd - 1) > 0.3 END, false) AS naive,
         i.status
  FROM judged j
  LEFT JOIN past p USING (account_key)
  LEFT JOIN review_items i USING (account_key)
)
SELECT count(*) AS bills,
       count(*) FILTER (WHERE naive) AS naive_flagged,
       count(*) FILTER (WHERE status IS NOT NULL AND status <> 'ready') AS rules_held,
       count(*) FILTER (WHERE naive AND status IS NOT NULL AND status <> 'ready') AS both,
       count(*) FILTER (WHERE status IN ('corrected', 'escalated')) AS confirmed,
       count(*) FILTER (WHERE naive AND status IN ('corrected', 'escalated')) AS naive_confirmed
FROM marked;
