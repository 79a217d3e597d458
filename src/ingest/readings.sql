-- Register and interval readings: check every staged row, then insert the new ones.
-- Input: temp table raw_rows(line, <reading columns as text>). Reads of already stored
-- (meter, time, register) keys with the same value are counted unchanged, so a reload adds nothing;
-- an actual read replaces a stored estimate of the same key.
-- Parameters of the checks: $latest_date (the last read date a load accepts: its clock's date
-- plus a day), $largest_value (the largest value or kWh a reading may hold, as text), $time_zone
-- (the utility's IANA zone for times with a UTC offset, '' when none was given: such a time is
-- rejected with $offset_reason; migration 016).

-- name: check-registers
CREATE OR REPLACE TEMP TABLE reading_checks AS
WITH src AS (
  SELECT line,
         nullif(trim(meter_id), '') AS meter_id,
         nullif(trim(read_at), '') AS read_at_text,
         nullif(trim(register), '') AS register_text,
         nullif(trim(value), '') AS value_text,
         nullif(trim(read_type), '') AS read_type_text
  FROM raw_rows
),
typed AS (
  SELECT s.*, m.meter_key, m.start_date, m.end_date,
         local_timestamp(read_at_text, $time_zone) AS read_at,
         try_cast(value_text AS DECIMAL(18, 3)) AS value,
         -- Checked on the text (migration 016): a 128-bit decimal cast costs ~100× an 18-digit one at this volume.
         decimal_text(value_text) AS value_is_number,
         more_decimals_than(value_text, 3) AS value_too_precise,
         try_cast(register_text AS register_kind) AS register,
         try_cast(read_type_text AS read_type) AS read_type
  -- One probe of the big side finds the meter and its account's dates.
  FROM src s LEFT JOIN (SELECT m.meter_id, m.meter_key, a.start_date, a.end_date
                        FROM meters m JOIN accounts a USING (account_key)) m USING (meter_id)
),
duplicates AS (
  SELECT meter_key, read_at, register, min(line) AS first_line
  FROM typed WHERE meter_key IS NOT NULL AND read_at IS NOT NULL AND register IS NOT NULL
  GROUP BY ALL HAVING count(*) > 1
)
SELECT t.line, t.meter_key, t.read_at, t.register, t.read_type,
  -- Exact: below 10^12 ($largest_value) a 3-decimal value × 1000 rounds back to its integer from a double.
  round(t.value::DOUBLE * 1000)::BIGINT AS value_milli,
  coalesce(t.read_at::DATE < t.start_date OR t.read_at::DATE > t.end_date, false) AS outside_account_life,
  CASE WHEN t.meter_key IS NOT NULL AND t.read_at IS NOT NULL AND t.read_at::DATE <= $latest_date::DATE
        AND t.register IS NOT NULL AND t.value IS NOT NULL AND t.value_is_number AND NOT t.value_too_precise
        AND t.value >= 0 AND t.value <= $largest_value::DECIMAL(18, 3) AND t.read_type IS NOT NULL
        AND (d.first_line IS NULL OR t.line = d.first_line) THEN NULL
  -- Only failing rows pay for building the reason.
  ELSE list_filter([
    {'col': 'meter_id', 'val': meter_id, 'why': CASE
       WHEN meter_id IS NULL THEN 'is required'
       WHEN meter_key IS NULL THEN 'unknown meter (no account in the account master has it)' END},
    {'col': 'read_at', 'val': read_at_text, 'why': CASE
       WHEN read_at_text IS NULL THEN 'is required'
       WHEN t.read_at IS NULL AND utc_offset_text(read_at_text) AND $time_zone = '' THEN $offset_reason
       WHEN t.read_at IS NULL THEN 'not an ISO date or datetime'
       WHEN t.read_at::DATE > $latest_date::DATE
         THEN 'dated in the future: after ' || $latest_date::DATE::VARCHAR || ', a day after the load' END},
    {'col': 'register', 'val': register_text, 'why': CASE
       WHEN t.register IS NULL THEN 'must be one of total, sharp, peak, flat, valley, demand_kw, reactive_kvarh' END},
    {'col': 'value', 'val': value_text, 'why': CASE
       WHEN value_text IS NULL THEN 'is required'
       -- A number with an exponent (a Parquet DOUBLE from 10^16 up is read as 1e+16) is still a
       -- number: say what is wrong with it. Only a rejected row pays for these casts.
       WHEN NOT value_is_number AND regexp_full_match(value_text, '[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+') THEN CASE
         WHEN try_cast(value_text AS DOUBLE) < 0 THEN 'must not be negative (register values are cumulative)'
         WHEN try_cast(value_text AS DOUBLE) > $largest_value::DOUBLE THEN 'too large: at most ' || $largest_value
         ELSE 'must be a decimal number without an exponent' END
       WHEN NOT value_is_number THEN 'not a number'
       WHEN value_too_precise THEN 'has more than 3 decimals'
       WHEN t.value IS NULL OR t.value > $largest_value::DECIMAL(18, 3) THEN 'too large: at most ' || $largest_value
       WHEN t.value < 0 THEN 'must not be negative (register values are cumulative)' END},
    {'col': 'read_type', 'val': read_type_text, 'why': CASE
       WHEN t.read_type IS NULL THEN 'must be one of actual, estimated, customer' END},
    {'col': 'read_at', 'val': read_at_text, 'why': CASE
       WHEN d.first_line IS NOT NULL AND t.line > d.first_line THEN 'duplicate reading: same meter, time and register as line ' || d.first_line END}
  ], p -> p.why IS NOT NULL)[1] END AS problem
FROM typed t LEFT JOIN duplicates d USING (meter_key, read_at, register);

-- name: good-dates
SELECT min(read_at)::DATE::VARCHAR AS first_date, max(read_at)::DATE::VARCHAR AS last_date
FROM reading_checks WHERE problem IS NULL;

-- name: stored-register-matches
-- Good rows whose (meter, time, register) the store already holds, and what becomes of each:
-- the same value and type is unchanged; an actual read replaces an estimate; anything else
-- conflicts. Only stored reads in the good rows' dates ($first_date to $last_date, from
-- good-dates) can match: given as values, the dates skip the stored row groups outside them
-- before any join, so a load of a month the store does not hold yet joins nothing.
CREATE OR REPLACE TEMP TABLE stored_matches AS
WITH stored_in_range AS (
  SELECT r.meter_key, r.read_at, r.register, r.value_milli, r.read_type
  FROM readings r
  WHERE r.read_date BETWEEN $first_date::DATE AND $last_date::DATE
)
SELECT c.line, c.meter_key, c.read_at, c.register, c.value_milli, c.read_type, c.outside_account_life,
       r.value_milli AS stored_milli, r.read_type AS stored_type,
       CASE WHEN r.value_milli = c.value_milli AND r.read_type = c.read_type THEN 'unchanged'
            WHEN r.read_type = 'estimated' AND c.read_type = 'actual' THEN 'supersedes'
            ELSE 'conflict' END AS outcome
FROM reading_checks c JOIN stored_in_range r USING (meter_key, read_at, register)
WHERE c.problem IS NULL;

-- name: register-rejects
SELECT line, problem.col AS column_name, problem.val AS value, problem.why AS reason
FROM reading_checks WHERE problem IS NOT NULL
UNION ALL
SELECT line, 'read_type', read_type::VARCHAR,
       'conflicts with the stored reading of the same value ' || (stored_milli / 1000)::DECIMAL(18, 3)
         || ', which is ' || stored_type || ' (only an actual read replaces an estimate)'
FROM stored_matches WHERE outcome = 'conflict' AND stored_milli = value_milli
UNION ALL
SELECT line, 'value', (value_milli / 1000)::DECIMAL(18, 3)::VARCHAR,
       'conflicts with the stored reading ' || (stored_milli / 1000)::DECIMAL(18, 3) || ' (' || stored_type || ')'
FROM stored_matches WHERE outcome = 'conflict' AND stored_milli <> value_milli
ORDER BY line;

-- name: insert-registers
-- Returns nothing; counts come from count-registers. Stored in meter order: the bill run reads
-- one range of accounts (and so of meters) at a time, DuckDB skips the row groups whose meter
-- keys lie outside it only when each load's rows are clustered by meter, and its per-meter
-- aggregation runs faster over clustered rows (1M × 25: determinants 7.4 → 6.0 s).
-- An ANTI JOIN, not a correlated NOT EXISTS: DuckDB decorrelates that by hashing every line of
-- the file (8.7M rows: ~4 s CPU of the insert's 9, with nothing stored to match).
INSERT INTO readings
SELECT c.meter_key, c.read_at::DATE, c.read_at, c.register, c.value_milli, c.read_type, $file_key, c.line
FROM reading_checks c ANTI JOIN stored_matches s USING (line)
WHERE c.problem IS NULL
ORDER BY c.meter_key, c.read_at, c.register;

-- name: keep-superseded
-- The estimates an actual read replaces, as they were stored, for the audit trail.
INSERT INTO superseded_readings
SELECT r.meter_key, r.read_at, r.register, r.value_milli, r.read_type, r.file_key, r.line, $file_key, s.line
FROM readings r JOIN stored_matches s USING (meter_key, read_at, register)
WHERE s.outcome = 'supersedes'
  AND r.read_date BETWEEN (SELECT min(read_at)::DATE FROM stored_matches) AND (SELECT max(read_at)::DATE FROM stored_matches);

-- name: supersede-estimates
UPDATE readings SET value_milli = s.value_milli, read_type = s.read_type, file_key = $file_key, line = s.line
FROM stored_matches s
WHERE s.outcome = 'supersedes' AND readings.meter_key = s.meter_key AND readings.read_at = s.read_at
  AND readings.register = s.register;

-- name: rebill-superseded
-- Current bills whose read span (opening to closing read) covers a replaced estimate: they may
-- have been priced from it. By period, with the accounts.
SELECT b.period, list(DISTINCT a.account_id ORDER BY a.account_id) AS accounts
FROM stored_matches s
JOIN meters m USING (meter_key)
JOIN bills b ON b.account_key = m.account_key AND b.is_current
            AND s.read_at::DATE BETWEEN b.start_date AND b.end_date
JOIN accounts a ON a.account_key = b.account_key
WHERE s.outcome = 'supersedes'
GROUP BY b.period
ORDER BY b.period;

-- name: count-registers
-- Rows stored already, estimates replaced, and rows written now that are dated outside their
-- account's life (before start_date or after end_date): the good ones less those that match a
-- stored read without replacing it (no join of the whole file).
SELECT count(*) FILTER (WHERE outcome = 'unchanged') AS unchanged,
       count(*) FILTER (WHERE outcome = 'supersedes') AS superseded,
       (SELECT count(*) FROM reading_checks WHERE problem IS NULL AND outside_account_life)
         - count(*) FILTER (WHERE outcome <> 'supersedes' AND outside_account_life) AS outside_account_life
FROM stored_matches;

-- name: check-intervals
CREATE OR REPLACE TEMP TABLE reading_checks AS
WITH src AS (
  SELECT line,
         nullif(trim(meter_id), '') AS meter_id,
         nullif(trim(interval_start), '') AS start_text,
         nullif(trim(interval_minutes), '') AS minutes_text,
         nullif(trim(kwh), '') AS kwh_text
  FROM raw_rows
),
typed AS (
  SELECT s.*, m.meter_key, m.start_date, m.end_date,
         local_timestamp(start_text, $time_zone) AS interval_start,
         CASE WHEN whole_number_text(minutes_text) THEN try_cast(minutes_text AS SMALLINT) END AS interval_minutes,
         -- Meter data systems export floats with any number of decimals (and an exponent when a
         -- double is printed): the decimal text is rounded once, half away from zero, to 1 Wh
         -- (DuckDB rounds a text cast to DECIMAL at the target scale), so the stored value does
         -- not depend on how many decimals the export carried. 18 digits hold every accepted
         -- value (up to $largest_value) and cost ~1/13 of a 38-digit cast (10M interval kWh:
         -- 0.18–0.23 s against 2.9–3.1 s); a number beyond them is NULL here and too large below.
         try_cast(kwh_text AS DECIMAL(18, 3)) AS kwh,
         regexp_full_match(kwh_text, '[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?') AS kwh_is_number
  FROM src s LEFT JOIN (SELECT m.meter_id, m.meter_key, a.start_date, a.end_date
                        FROM meters m JOIN accounts a USING (account_key)) m USING (meter_id)
),
duplicates AS (
  SELECT meter_key, interval_start, min(line) AS first_line
  FROM typed WHERE meter_key IS NOT NULL AND interval_start IS NOT NULL
  GROUP BY ALL HAVING count(*) > 1
)
SELECT t.line, t.meter_key, t.interval_start, t.interval_minutes,
  -- Only an accepted size: past it the product overflows the 18 digits (that row is rejected).
  CASE WHEN t.kwh <= $largest_value::DECIMAL(18, 3) THEN (t.kwh * 1000)::BIGINT END AS wh,
  coalesce(t.interval_start::DATE < t.start_date OR t.interval_start::DATE > t.end_date, false) AS outside_account_life,
  CASE WHEN t.meter_key IS NOT NULL AND t.interval_start IS NOT NULL AND t.interval_start::DATE <= $latest_date::DATE
        AND t.interval_minutes IN (5, 10, 15, 30, 60)
        AND t.kwh IS NOT NULL AND t.kwh_is_number AND t.kwh >= 0
        AND t.kwh <= $largest_value::DECIMAL(18, 3)
        AND (d.first_line IS NULL OR t.line = d.first_line) THEN NULL
  ELSE list_filter([
    {'col': 'meter_id', 'val': meter_id, 'why': CASE
       WHEN meter_id IS NULL THEN 'is required'
       WHEN meter_key IS NULL THEN 'unknown meter (no account in the account master has it)' END},
    {'col': 'interval_start', 'val': start_text, 'why': CASE
       WHEN start_text IS NULL THEN 'is required'
       WHEN interval_start IS NULL AND utc_offset_text(start_text) AND $time_zone = '' THEN $offset_reason
       WHEN interval_start IS NULL THEN 'not an ISO datetime'
       WHEN interval_start::DATE > $latest_date::DATE
         THEN 'dated in the future: after ' || $latest_date::DATE::VARCHAR || ', a day after the load'
       WHEN d.first_line IS NOT NULL AND line > d.first_line THEN 'duplicate interval: same meter and start as line ' || d.first_line END},
    {'col': 'interval_minutes', 'val': minutes_text, 'why': CASE
       WHEN interval_minutes IS NULL OR interval_minutes NOT IN (5, 10, 15, 30, 60)
         THEN 'must be 5, 10, 15, 30 or 60' END},
    {'col': 'kwh', 'val': kwh_text, 'why': CASE
       WHEN kwh_text IS NULL THEN 'is required'
       WHEN NOT kwh_is_number THEN 'not a number'
       -- Only a rejected row pays for the wide cast: a number below -10^15 is still negative.
       WHEN t.kwh < 0 OR (t.kwh IS NULL AND try_cast(kwh_text AS DECIMAL(38, 3)) < 0) THEN 'must not be negative'
       WHEN t.kwh IS NULL OR t.kwh > $largest_value::DECIMAL(18, 3) THEN 'too large: at most ' || $largest_value END}
  ], p -> p.why IS NOT NULL)[1] END AS problem,
  CASE WHEN problem IS NULL THEN NULL ELSE kwh_text END AS kwh_text
FROM typed t LEFT JOIN duplicates d USING (meter_key, interval_start);

-- name: stored-intervals-in-range
CREATE OR REPLACE TEMP TABLE stored_in_range AS
SELECT i.meter_key, i.interval_start, i.interval_minutes, i.wh
FROM intervals i
WHERE i.interval_start BETWEEN (SELECT min(interval_start) FROM reading_checks)
                           AND (SELECT max(interval_start) FROM reading_checks)
  AND i.meter_key IN (SELECT meter_key FROM reading_checks);

-- name: interval-rejects
SELECT line, problem.col AS column_name, problem.val AS value, problem.why AS reason
FROM reading_checks WHERE problem IS NOT NULL
UNION ALL
SELECT c.line, 'kwh', (c.wh / 1000)::DECIMAL(18, 3)::VARCHAR, 'conflicts with the stored interval ' || (r.wh / 1000)::DECIMAL(18, 3) || ' kWh'
FROM reading_checks c JOIN stored_in_range r USING (meter_key, interval_start)
WHERE c.problem IS NULL AND (r.wh <> c.wh OR r.interval_minutes <> c.interval_minutes)
ORDER BY line;

-- name: insert-intervals
INSERT INTO intervals
SELECT c.meter_key, c.interval_start, c.interval_minutes, c.wh, $file_key, c.line
FROM reading_checks c ANTI JOIN stored_in_range r USING (meter_key, interval_start)
WHERE c.problem IS NULL
ORDER BY c.meter_key, c.interval_start;

-- name: count-intervals-outside-account-life
-- Intervals written now that start outside their account's life: those not stored already.
SELECT count(*) FROM reading_checks c ANTI JOIN stored_in_range r USING (meter_key, interval_start)
WHERE c.problem IS NULL AND c.outside_account_life;
