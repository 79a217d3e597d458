-- The running history summary (migration 015) brought to "as of" $period, one range of account
-- keys [$lo, $hi) at a time (history.ts collects the ranges in history_next, then replaces the
-- summary with it).
--
-- An account adds to its summary the current bills of [$as_of, $period), the periods billed since
-- the summary was made (an account without one had no bill in the reach before $as_of); the
-- accounts a reviewer decided on since $decision_mark, those with a new class or region, and with
-- $full (an earlier period billed again) every account, get theirs from their bills of the three
-- years' reach. Both read their bills through the same derivation (`derived`), so a summary kept
-- up run by run equals one recomputed from the bills (test/billing/history-summary.test.ts).
--
-- Whether a bill is trusted is migration 013's bill_trusted, with the account's accepted level and
-- the bill's undecided level flags joined as two small sets; a level is season-free: kWh/day over
-- its peer group's level that period (peer_levels).
--
-- Parameters: $period (YYYYMM), $as_of (the summary's period), $full, $one_period ($as_of is the
-- period before $period and $full is not set), $decision_mark, $history_from
-- and $reach_periods (where the reach starts and its length, src/billing/baseline.ts),
-- $baseline_periods, $p13 and $p24 (the 13th and 24th period before P), $lo, $hi.

-- name: refresh
-- Every read of the standing summary names the range itself, not only through its join to `acct`:
-- the summary is stored in key order, so the range's own row groups are all that is read.
WITH acct AS (
  SELECT account_key, customer_class, region FROM accounts WHERE account_key >= $lo AND account_key < $hi
),
-- The accounts recomputed from their bills: every one with $full, else those a reviewer decided on
-- since the summary was made, and those whose class or region changed (their season-free levels).
recomputed AS (
  SELECT account_key FROM acct WHERE $full
  UNION
  SELECT account_key FROM review_decisions WHERE decision_id > $decision_mark AND account_key >= $lo AND account_key < $hi
  UNION
  SELECT s.account_key FROM history_summary s JOIN acct a USING (account_key)
  WHERE s.account_key >= $lo AND s.account_key < $hi AND (a.customer_class <> s.customer_class OR a.region <> s.region)
),
-- The summaries that stand, keys only: the summaries' lists are read once, in `merged`.
standing AS (
  SELECT account_key FROM history_summary SEMI JOIN acct USING (account_key) ANTI JOIN recomputed USING (account_key)
  WHERE account_key >= $lo AND account_key < $hi
),
-- The bills to add: since the summary's period for the others (a scan DuckDB cuts to the latest
-- storage blocks: bills are written period by period; an account without a summary had no bill
-- in the reach before it), the whole reach for the recomputed accounts.
bills_in AS (
  SELECT b.account_key, b.period, b.days, b.kwh_milli, b.amount_minor, b.read_flags, b.start_date, b.demand_milli, b.kvarh_milli,
         b.status, b.bill_version, b.is_current, false AS whole
  FROM bills b ANTI JOIN recomputed USING (account_key)
  WHERE b.is_current AND b.period >= $as_of AND b.period < $period AND b.account_key >= $lo AND b.account_key < $hi
  UNION ALL
  SELECT b.account_key, b.period, b.days, b.kwh_milli, b.amount_minor, b.read_flags, b.start_date, b.demand_milli, b.kvarh_milli,
         b.status, b.bill_version, b.is_current, true AS whole
  FROM bills b SEMI JOIN recomputed USING (account_key)
  WHERE b.is_current AND b.period >= $history_from AND b.period < $period AND b.account_key >= $lo AND b.account_key < $hi
),
derived AS (
  SELECT b.account_key, b.period, b.days, b.kwh_milli, b.amount_minor, b.read_flags, b.start_date, b.demand_milli, b.kvarh_milli,
         ac.customer_class, ac.region, b.whole,
         b.status IN ('released', 'dismissed') AS released,
         CASE WHEN b.days > 0 THEN b.kwh_milli / b.days / coalesce(l.level, 1) END AS level,
         bill_trusted(b.is_current, b.days, b.read_flags, b.status, b.period, acc.accepted_from, f.account_key IS NOT NULL) AS trusted,
         -- Measured: actual reads at both ends, trusted or not.
         b.days > 0 AND b.kwh_milli > 0 AND b.read_flags & 3 = 0 AS measured
  FROM bills_in b
  JOIN acct ac USING (account_key)
  LEFT JOIN accepted_levels acc USING (account_key)
  LEFT JOIN level_flagged_bills f ON f.account_key = b.account_key AND f.period = b.period AND f.bill_version = b.bill_version
  LEFT JOIN peer_levels l ON l.period = b.period AND l.customer_class = ac.customer_class AND l.region = ac.region
),
-- Each new bill's entry in each list (NULL where it has none).
entries AS (
  SELECT account_key, customer_class, region, whole, CASE WHEN trusted THEN period END AS trusted_period,
         CASE WHEN period >= $p13 THEN {'period': period, 'days': days, 'kwh_milli': kwh_milli, 'amount_minor': amount_minor,
              'read_flags': read_flags, 'start_date': start_date, 'demand_milli': demand_milli, 'kvarh_milli': kvarh_milli,
              'trusted': trusted} END AS bill,
         -- The baseline is the account's usage: a stopped meter's zero or a reversed read is not.
         CASE WHEN trusted AND kwh_milli > 0 THEN {'period': period, 'level': level} END AS base,
         CASE WHEN measured AND period >= $p24 THEN {'period': period, 'level': level} END AS measured,
         CASE WHEN days > 0 AND read_flags & 3 = 0 THEN {'period': period, 'read_flags': read_flags, 'released': released} END AS actual
  FROM derived
),
-- The new bills' lists, latest first (latest_first, migration 015). A summary brought forward by
-- one period gets one bill at most (one current bill per account and period): its lists need no
-- grouping, which cost a third of a month's update at 1M accounts.
added AS (
  SELECT account_key, customer_class, region, trusted_period AS last_trusted,
         latest_first([bill], 13) AS bills, latest_first([base], $baseline_periods::INTEGER) AS base,
         latest_first([measured], 24) AS measured, latest_first([actual], $reach_periods::INTEGER) AS actual
  FROM entries WHERE $one_period AND NOT whole
  UNION ALL
  SELECT account_key, any_value(customer_class), any_value(region), max(trusted_period),
         latest_first(list(bill), 13), latest_first(list(base), $baseline_periods::INTEGER),
         latest_first(list(measured), 24), latest_first(list(actual), $reach_periods::INTEGER)
  FROM entries WHERE whole OR NOT $one_period GROUP BY account_key
),
-- A standing summary beside what its account added (the summaries stream past the small added
-- set: a join that built on them copied every list), and the recomputed accounts alone.
merged AS (
  SELECT s.account_key, s.customer_class, s.region, a.last_trusted, a.bills, a.base, a.measured, a.actual,
         s.last_trusted AS had_trusted, s.bills AS had_bills, s.base AS had_base, s.measured AS had_measured, s.shift AS had_shift
  FROM history_summary s
  SEMI JOIN standing USING (account_key)
  LEFT JOIN added a USING (account_key)
  WHERE s.account_key >= $lo AND s.account_key < $hi
  UNION ALL BY NAME
  SELECT account_key, customer_class, region, last_trusted, bills, base, measured, actual FROM added ANTI JOIN standing USING (account_key)
)
SELECT account_key, customer_class, region,
       CASE WHEN coalesce(last_trusted, had_trusted) >= $history_from THEN coalesce(last_trusted, had_trusted) END AS last_trusted,
       list_filter(list_concat(bills, had_bills), b -> b.period >= $p13) AS bills,
       list_slice(list_filter(list_concat(base, had_base), b -> b.period >= $history_from), 1, $baseline_periods::INTEGER) AS base,
       list_filter(list_concat(measured, had_measured), m -> m.period >= $p24) AS measured,
       -- A trusted bill among the new ones closes the shift the summary held.
       list_filter(list_concat(actual, CASE WHEN last_trusted IS NULL THEN had_shift END),
                   s -> s.period > coalesce(last_trusted, had_trusted, 0) AND s.period >= $history_from) AS shift
FROM merged;
