-- Numbers, dates and times in input files are read from their text, and DuckDB's casts are more
-- forgiving than a billing input may be. A text cast rounds to the target ('2.5' to a whole 3,
-- '0.899' to the DECIMAL(3, 2) 0.90, a multiplier of '1.33335' to 1.3334) and reads hex ('0x10'),
-- binary and digit groups ('1_000'): the loads take a number only as plain decimal text, and
-- refuse more decimals than the column keeps instead of rounding them away.
CREATE MACRO decimal_text(t) AS regexp_full_match(t, '[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)');
-- A significant digit past the `n`th decimal (trailing zeros are not one).
CREATE MACRO more_decimals_than(t, n) AS regexp_matches(t, '\.[0-9]{' || n || '}[0-9]*[1-9]');
-- What a column of `n` decimals takes: plain decimal text with no significant digit past them.
CREATE MACRO plain_decimal(t, n) AS decimal_text(t) AND NOT more_decimals_than(t, n);
-- One expression, not the two above: it runs on every interval reading (118M at 10M accounts). On 20M
-- texts with 2 threads it adds 0.33–0.47 s to the cast, the two together 0.70–0.76 s.
CREATE MACRO whole_number_text(t) AS regexp_full_match(t, '[+-]?[0-9]+(\.0*)?');

-- A calendar date written as one (YYYY-MM-DD, month and day of one or two digits), else NULL:
-- DuckDB's DATE cast also takes 'epoch', 'infinity' and years before Christ or past 9999.
CREATE MACRO calendar_date(t) AS CASE WHEN regexp_full_match(t, '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}') THEN try_cast(t AS DATE) END;

-- A date-time that carries a UTC offset ('Z', '+08:00', '-0500', '+08'). The store keeps meter times
-- on the utility's local clock, and DuckDB's TIMESTAMP cast drops an offset without a word: a meter
-- data system's UTC export ('2024-01-04T16:00:00Z', or a Parquet TIMESTAMP WITH TIME ZONE, which
-- reads as '2024-01-04 16:00:00+00') would be billed eight hours off in Beijing, its midnight on
-- the day before. The loads convert such a time to the zone given by --time-zone, or reject it.
-- A date alone (10 characters) never carries one.
CREATE MACRO utc_offset_text(t) AS length(t) > 10 AND regexp_matches(t, '([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$');
-- `t` as a local TIMESTAMP: as written without an offset; with one, the same instant on the clock
-- of `zone` (an IANA name), or NULL when no zone was given ('').
CREATE MACRO local_timestamp(t, zone) AS CASE
  WHEN NOT utc_offset_text(t) THEN try_cast(t AS TIMESTAMP)
  WHEN zone <> '' THEN timezone(zone, try_cast(t AS TIMESTAMPTZ)) END;
