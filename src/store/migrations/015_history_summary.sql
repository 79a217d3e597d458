-- The running history summary: what each account's earlier bills say for the next bill run, kept
-- between runs so that a run reads one row per account instead of three years of bills. A run for
-- period P brings it to "as of P" (src/billing/history.sql): it adds the bills billed since for
-- accounts whose summary stands, and recomputes from the bills the accounts a reviewer decided on
-- since (a release, an acceptance, a correction changes which bills are trusted), whose class or
-- region changed (their season-free levels), and every account when an earlier period is billed
-- again (its bills and peer levels change). Lists hold the latest first.
CREATE TABLE history_summary (
  account_key INTEGER NOT NULL,
  customer_class customer_class NOT NULL,
  region VARCHAR NOT NULL,
  -- The latest trusted period in the three years' reach.
  last_trusted INTEGER,
  -- Every current bill of the 13 periods before: the running totals, last month's and last year's
  -- bill, the estimate chain, the demand and power-factor medians.
  bills STRUCT(period INTEGER, days SMALLINT, kwh_milli BIGINT, amount_minor BIGINT, read_flags INTEGER, start_date DATE,
               demand_milli BIGINT, kvarh_milli BIGINT, trusted BOOLEAN)[] NOT NULL,
  -- The 12 latest trusted periods with kWh in the reach, season-free kWh/day: the baseline.
  base STRUCT(period INTEGER, level DOUBLE)[] NOT NULL,
  -- The measured periods of the last 24, season-free kWh/day: the spread and the own season.
  measured STRUCT(period INTEGER, level DOUBLE)[] NOT NULL,
  -- Bills on actual reads since the last trusted one: an open level shift.
  shift STRUCT(period INTEGER, read_flags INTEGER, released BOOLEAN)[] NOT NULL
);

-- The period the summary stands for and the last review decision it has seen.
CREATE TABLE history_summary_state (
  as_of INTEGER NOT NULL,
  decision_mark BIGINT NOT NULL
);

-- The n latest entries of a list of structs whose first field is the period, latest first, NULLs
-- left out: the summary's lists are collected unordered and sorted per account (an ordered list
-- aggregate, or max_by over structs, cost two to ten times as much at 200k accounts).
CREATE MACRO latest_first(entries, n) AS list_slice(list_reverse_sort(list_filter(entries, e -> e IS NOT NULL)), 1, n);
