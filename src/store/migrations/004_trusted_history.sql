-- Trusted history: which earlier bills an account's baseline may learn from, and the peer
-- groups' seasonal level of every billed period, so that history can be compared net of season.
--
-- A bill is trusted when a person could stand behind its level: it is current, closed and opened
-- on actual reads (an estimate repeats the past, a catch-up carries the estimates' shortfall), is
-- not waiting for a reviewer (held, escalated), and was not released or dismissed while a usage
-- rule questioned its level — a release is a decision about that bill, not about the level behind
-- it (docs/domain.md). A corrected bill's re-bill is a new current version without flags, so it
-- counts. When a reviewer accepts a new level (review action `accept`), the account's history
-- starts again at the accepted period: nothing before it is compared with what follows.
-- This view is the one definition of "trusted": the bill run's features and every report read it.

-- A usage rule that questions the level of a bill's kWh (not its amount, demand or reads).
CREATE MACRO is_level_rule(rule_id) AS rule_id IN ('mom_kwh_per_day', 'yoy_kwh_per_day', 'level_shift');

CREATE VIEW trusted_bills AS
SELECT b.*
FROM bills b
LEFT JOIN (SELECT account_key, max(period) AS accepted_from FROM review_decisions WHERE action = 'accept' GROUP BY ALL) acc
       USING (account_key)
WHERE b.is_current AND b.days > 0 AND b.read_flags & 3 = 0
  AND b.status NOT IN ('held', 'escalated')
  AND b.period >= coalesce(acc.accepted_from, 0)
  AND NOT (b.status IN ('released', 'dismissed') AND b.period IS DISTINCT FROM acc.accepted_from AND EXISTS (
        SELECT 1 FROM flags f
        WHERE f.account_key = b.account_key AND f.period = b.period AND f.bill_version = b.bill_version
          AND NOT f.suppressed AND is_level_rule(f.rule_id)));

-- The peer group's level in each billed period: the median over the class × region of kWh/day
-- against each account's own trusted level (the season and the weather that period). Written by
-- every bill run; history is divided by it before medians and spreads are taken.
CREATE TABLE peer_levels (
  period INTEGER NOT NULL,
  customer_class customer_class NOT NULL,
  region VARCHAR NOT NULL,
  level DOUBLE,
  PRIMARY KEY (period, customer_class, region)
);
