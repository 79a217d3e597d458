-- Trust as a test of one bill (migration 004's definition, unchanged), so that a statement that
-- reads every bill of a period range can tell the trusted ones apart in the same pass.
--
-- The bill run's determinants read three years of bills once and need, beside each bill, whether
-- it is trusted: through the view that took a second and a third pass over the same bills and a
-- correlated EXISTS over the flags for every one of them (at 1M accounts × 12 periods, about a
-- third of the determinants stage). They join the two small sets below instead and apply
-- `bill_trusted`; the view applies the same macro, so "trusted" keeps one definition.

-- The period from which a reviewer accepted the account's new level (review action `accept`).
CREATE VIEW accepted_levels AS
SELECT account_key, max(period) AS accepted_from FROM review_decisions WHERE action = 'accept' GROUP BY ALL;

-- The bill versions a usage rule questioned the level of, with a flag no reviewer suppressed.
CREATE VIEW level_flagged_bills AS
SELECT DISTINCT account_key, period, bill_version FROM flags WHERE NOT suppressed AND is_level_rule(rule_id);

-- Whether a bill is trusted: `accepted_from` from accepted_levels (NULL when none), `level_flagged`
-- whether the bill version is in level_flagged_bills.
CREATE MACRO bill_trusted(is_current, days, read_flags, status, period, accepted_from, level_flagged) AS
  is_current AND days > 0 AND read_flags & 3 = 0
  AND status NOT IN ('held', 'escalated')
  AND period >= coalesce(accepted_from, 0)
  AND NOT (status IN ('released', 'dismissed') AND period IS DISTINCT FROM accepted_from AND level_flagged);

CREATE OR REPLACE VIEW trusted_bills AS
SELECT b.*
FROM bills b
LEFT JOIN accepted_levels acc USING (account_key)
WHERE bill_trusted(b.is_current, b.days, b.read_flags, b.status, b.period, acc.accepted_from, EXISTS (
        SELECT 1 FROM level_flagged_bills f
        WHERE f.account_key = b.account_key AND f.period = b.period AND f.bill_version = b.bill_version));
