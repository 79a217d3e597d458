-- The per-account parts of the HTML report, for the report's accounts at once (over review_items).

-- name: accounts
-- The accounts the report details: the highest scores first, as the queue ranks them.
CREATE OR REPLACE TEMP TABLE report_accounts AS
SELECT account_key, account_id, bill_version, current_version
FROM review_items
ORDER BY score DESC, account_id
LIMIT $limit;

-- name: keys
SELECT account_id, account_key FROM report_accounts ORDER BY account_id;

-- name: history
SELECT t.account_id, b.period, b.kwh_milli / nullif(b.days, 0) AS kpd
FROM bills b JOIN report_accounts t USING (account_key)
WHERE b.period >= $from AND b.period <= $period
  AND (CASE WHEN b.period = $period THEN b.bill_version = t.bill_version ELSE b.is_current END)
ORDER BY t.account_id, b.period;

-- name: flags
SELECT t.account_id, f.rule_id, f.severity, f.suppressed, f.score, f.reason
FROM flags f JOIN report_accounts t ON f.account_key = t.account_key AND f.bill_version = t.bill_version
WHERE f.period = $period
ORDER BY t.account_id, f.suppressed, f.score DESC, f.rule_id;

-- name: line-items
-- Line items of the version under review and, after a correction, of its re-bill.
SELECT t.account_id, l.bill_version, l.seq, ch.label, ch.unit, l.quantity_milli::DOUBLE AS quantity_milli, ch.rate,
       l.amount_minor::DOUBLE AS amount_minor
FROM line_items l JOIN report_accounts t ON l.account_key = t.account_key AND l.bill_version IN (t.bill_version, t.current_version)
JOIN charges ch USING (charge_key)
WHERE l.period = $period
ORDER BY t.account_id, l.bill_version, l.seq;

-- name: billed
SELECT count(*) AS bills FROM bills WHERE period = $period AND is_current;

-- name: by-group
-- Flagged bills per region or per customer class ($by), with the amount still held per currency.
SELECT CASE WHEN $by = 'region' THEN region ELSE customer_class END AS grp, currency,
       count(*) AS flagged,
       count(*) FILTER (WHERE status IN ('held', 'escalated')) AS open,
       count(*) FILTER (WHERE status IN ('released', 'dismissed', 'corrected', 'escalated')) AS decided,
       count(*) FILTER (WHERE status IN ('corrected', 'escalated')) AS confirmed,
       coalesce(sum(amount_minor) FILTER (WHERE status IN ('held', 'escalated')), 0)::DOUBLE AS held_minor
FROM review_items
GROUP BY ALL
ORDER BY grp, currency;
