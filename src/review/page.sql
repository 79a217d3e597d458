-- One page of a period's review queue, for the review desk: filtered and ranked over the whole
-- period in SQL, and only the page's rows get their details (reasons, history, decisions), so a
-- page costs the same at 100 or 100,000 flagged bills. Claims (009_desk.sql) say who works a bill.

-- name: page
-- $statuses: comma-separated; $assignee: a user, '' for unclaimed bills, NULL for any; other
-- filters NULL when not given. `total` counts every matching bill, not only the page's.
WITH matching AS (
  -- Only what ranking needs is carried through the sort of every matching bill; the page's rows
  -- fetch the rest below.
  SELECT r.account_key, r.bill_version, r.score, a.account_id
  FROM review_candidates r
  JOIN accounts a USING (account_key)
  LEFT JOIN review_claims c ON c.account_key = r.account_key AND c.period = r.period
  WHERE r.period = $period
    AND list_contains(string_split($statuses, ','), r.status::VARCHAR)
    AND ($region IS NULL OR a.region = $region)
    AND ($class IS NULL OR a.customer_class::VARCHAR = $class)
    AND ($min_score IS NULL OR r.score >= $min_score)
    AND ($assignee IS NULL OR coalesce(c.user_name, '') = $assignee)
    AND ($rule IS NULL OR EXISTS (
      SELECT 1 FROM flags f
      WHERE f.account_key = r.account_key AND f.period = r.period AND f.bill_version = r.bill_version AND f.rule_id = $rule AND NOT f.suppressed))
),
ranked AS (
  SELECT *, count(*) OVER () AS total FROM matching ORDER BY score DESC, account_id LIMIT $limit OFFSET $offset
),
page AS (
  SELECT k.account_key, k.bill_version, k.score, k.account_id, k.total, b.status::VARCHAR AS status, b.kwh_milli, b.days, b.amount_minor,
         b.context_key, a.name, a.region, a.customer_class::VARCHAR AS customer_class, c.user_name AS claimed_by
  FROM ranked k
  JOIN bills b ON b.account_key = k.account_key AND b.period = $period AND b.bill_version = k.bill_version
  JOIN accounts a ON a.account_key = k.account_key
  LEFT JOIN review_claims c ON c.account_key = k.account_key AND c.period = $period
),
reasons AS (
  SELECT f.account_key, list(DISTINCT f.rule_id ORDER BY f.rule_id) AS rules, arg_max(f.reason, f.score) AS reason
  FROM flags f JOIN page p ON f.account_key = p.account_key AND f.period = $period AND f.bill_version = p.bill_version
  WHERE NOT f.suppressed
  GROUP BY f.account_key
),
previous AS (
  SELECT b.account_key, b.kwh_milli / b.days AS prev_kpd
  FROM bills b JOIN page p USING (account_key)
  WHERE b.period = $prev AND b.is_current AND b.days > 0
),
decided AS (
  SELECT d.account_key, arg_max(d.action, d.decision_id) AS last_action, arg_max(d.reviewer, d.decision_id) AS last_reviewer
  FROM review_decisions d JOIN page p USING (account_key)
  WHERE d.period = $period
  GROUP BY d.account_key
)
SELECT p.account_id, p.name, p.region, p.customer_class, p.bill_version, p.status, p.score, coalesce(rs.rules, []) AS rules,
       coalesce(rs.reason, '') AS reason, p.kwh_milli / nullif(p.days, 0) AS kpd, pr.prev_kpd, p.amount_minor::DOUBLE AS amount_minor,
       bc.currency, p.claimed_by, d.last_action, d.last_reviewer, p.total
FROM page p
JOIN bill_contexts bc USING (context_key)
LEFT JOIN reasons rs USING (account_key)
LEFT JOIN previous pr USING (account_key)
LEFT JOIN decided d USING (account_key)
ORDER BY p.score DESC, p.account_id;

-- name: facets
-- The values the queue's filters offer for the period.
SELECT 'rule' AS facet, rule_id AS value FROM (SELECT DISTINCT rule_id FROM flags WHERE period = $period AND NOT suppressed)
UNION ALL
SELECT 'region', region FROM (SELECT DISTINCT a.region FROM review_candidates r JOIN accounts a USING (account_key) WHERE r.period = $period)
ORDER BY facet, value;

-- name: claim
INSERT INTO review_claims (account_key, period, user_name, claimed_at)
SELECT account_key, $period, $user_name, $now::TIMESTAMP FROM accounts WHERE account_id = $account_id
ON CONFLICT DO NOTHING;

-- name: claim-holder
SELECT c.user_name, strftime(c.claimed_at, '%Y-%m-%d %H:%M') AS claimed_at
FROM review_claims c JOIN accounts a USING (account_key)
WHERE a.account_id = $account_id AND c.period = $period;

-- name: unclaim
-- $user_name NULL drops whoever's claim (a supervisor taking a bill over, a decided bill).
DELETE FROM review_claims
WHERE period = $period AND account_key = (SELECT account_key FROM accounts WHERE account_id = $account_id)
  AND ($user_name IS NULL OR user_name = $user_name);

-- name: current-status
SELECT b.status::VARCHAR AS status
FROM bills b JOIN accounts a USING (account_key)
WHERE a.account_id = $account_id AND b.period = $period AND b.is_current;

-- name: billed-periods
-- Billed periods, newest first, with their flagged bills.
SELECT period, count(*) FILTER (WHERE flag_count > 0 OR status <> 'ready') AS flagged
FROM bills WHERE is_current GROUP BY period ORDER BY period DESC;

-- name: account-periods
-- The periods an account has bills for, newest first.
SELECT DISTINCT b.period FROM bills b JOIN accounts a USING (account_key) WHERE a.account_id = $account_id ORDER BY b.period DESC;
