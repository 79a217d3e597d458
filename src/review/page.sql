-- One page of a period's review queue, for the review desk: filtered and ranked over the whole
-- period in SQL, and only the page's rows get their details (reasons, history, decisions).
-- review_queue (012) keeps what ranking needs of each item, so a page reads 100,000 narrow rows
-- instead of deriving them from a million bills and accounts. Claims (009_desk.sql) say who works a bill.

-- name: queue-inputs
-- What a period's review_queue rows are derived from (012_review_queue.sql), as one value that
-- moves whenever they may: the period's runs (its bills become current when a run finishes, and
-- bring their flags) and the account loads (an account may change region or class).
SELECT coalesce((SELECT string_agg(run_id || ':' || status, ',' ORDER BY run_id) FROM runs WHERE period = $period), '')
       || '|' || coalesce((SELECT max(file_key) FROM input_files WHERE kind = 'accounts'), 0) AS inputs;

-- name: queue-filled-from
SELECT inputs FROM review_queue_inputs WHERE period = $period;

-- name: queue-clear
DELETE FROM review_queue WHERE period = $period;

-- name: queue-fill
-- Rules by name, the reason the highest-scoring flag's; stored in rank order, so that the pages at
-- the top read the first row groups.
INSERT INTO review_queue
SELECT r.period, r.account_key, r.bill_version, row_number() OVER (ORDER BY r.score DESC, a.account_id) AS queue_rank, r.score,
       a.region, a.customer_class, coalesce(f.rules, []), coalesce(f.reason, ''), r.kwh_milli, r.days, r.amount_minor, r.context_key
FROM review_candidates r
JOIN accounts a USING (account_key)
LEFT JOIN (
  SELECT account_key, bill_version, list(DISTINCT rule_id ORDER BY rule_id) AS rules, arg_max(reason, score) AS reason
  FROM flags WHERE period = $period AND NOT suppressed GROUP BY ALL
) f USING (account_key, bill_version)
WHERE r.period = $period
ORDER BY queue_rank;

-- name: queue-filled
INSERT OR REPLACE INTO review_queue_inputs VALUES ($period, $inputs);

-- name: page
-- $statuses: comma-separated; $assignee: a user, '' for unclaimed bills, NULL for any; other
-- filters NULL when not given. `total` counts every matching bill, not only the page's. The items
-- and what ranks them come from review_queue (filled for the period first, page.ts); the status
-- and the claim are read live, as decisions change them.
WITH matching AS (
  SELECT q.account_key, q.queue_rank, b.status
  FROM review_queue q
  -- The bill's key within the period (both sides are of $period): a join on two integers.
  JOIN bills b ON b.account_key = q.account_key AND b.bill_version = q.bill_version
  LEFT JOIN review_claims c ON c.account_key = q.account_key AND c.period = $period
  WHERE q.period = $period AND b.period = $period
    AND list_contains(string_split($statuses, ','), b.status::VARCHAR)
    AND ($region IS NULL OR q.region = $region)
    AND ($class IS NULL OR q.customer_class::VARCHAR = $class)
    AND ($min_score IS NULL OR q.score >= $min_score)
    AND ($assignee IS NULL OR coalesce(c.user_name, '') = $assignee)
    AND ($rule IS NULL OR list_contains(q.rules, $rule))
),
ranked AS (
  SELECT *, count(*) OVER () AS total FROM matching ORDER BY queue_rank LIMIT $limit OFFSET $offset
),
page AS (
  SELECT q.* EXCLUDE (customer_class), q.customer_class::VARCHAR AS customer_class, k.total, k.status::VARCHAR AS status, a.account_id, a.name,
         c.user_name AS claimed_by
  FROM ranked k
  JOIN review_queue q ON q.period = $period AND q.account_key = k.account_key
  JOIN accounts a ON a.account_key = k.account_key
  LEFT JOIN review_claims c ON c.account_key = k.account_key AND c.period = $period
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
SELECT p.account_id, p.name, p.region, p.customer_class, p.bill_version, p.status, p.score, p.rules, p.reason,
       p.kwh_milli / nullif(p.days, 0) AS kpd, pr.prev_kpd, p.amount_minor::DOUBLE AS amount_minor,
       bc.currency, p.claimed_by, d.last_action, d.last_reviewer, p.total
FROM page p
JOIN bill_contexts bc USING (context_key)
LEFT JOIN previous pr USING (account_key)
LEFT JOIN decided d USING (account_key)
ORDER BY p.queue_rank;

-- name: facets
-- The values the queue's filters offer for the period (its review_queue rows, filled first).
SELECT DISTINCT 'rule' AS facet, unnest(rules) AS value FROM review_queue WHERE period = $period
UNION
SELECT 'region', region FROM review_queue WHERE period = $period
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
