-- Which reads a billing period takes, in one place: the bill run (determinants.sql), corrections
-- and `review show` (src/review/decide.sql) and statements (src/statements/statements.sql) select
-- from these macros, so a correction re-prices from the reads the run billed and a statement
-- shows them. DuckDB keeps temporary macros per connection: defineReadDerivation (reads.ts)
-- creates them on a connection before any of those statements runs on it.
--
-- Every macro takes the period as its first day and the first day of the next month (ISO dates),
-- and a range of account keys [key_lo, key_hi): the bill run works one range at a time to bound
-- its memory, corrections and `review show` one account (key, key + 1).
--
-- The rules:
-- - A meter serves the account from the later of move-in (start_date) and its installation to
--   the earlier of move-out (end_date) and its removal at an exchange, both days included: the
--   move-in and exchange reads open, the move-out and final reads close. Reads outside that
--   window belong to another occupant or another meter's life and are never taken.
-- - The closing read of a register is its last read dated in the period; the opening read its
--   last read before the period, looking back 62 days (one missed monthly read), or, for a meter
--   that served no earlier read in that window (move-in, exchange, a new meter), its first read
--   in the period.
-- - Each meter contributes its own advance, so an exchange adds the old meter's final advance to
--   the new meter's.

-- name: opening-read-lookback
CREATE OR REPLACE TEMP MACRO opening_read_lookback(first_day) AS first_day::DATE - 62;

-- name: period-reads
-- Opening and closing read of every register of every meter that served an account in the
-- period. Read types are the read_type enum's codes (0 actual, 1 estimated, 2 customer);
-- prior_type is NULL when the meter opened in the period (its first read opens it).
CREATE OR REPLACE TEMP MACRO period_reads(first_day, next_day, key_lo, key_hi) AS TABLE
WITH meter_of AS (
  SELECT m.meter_key, m.account_key, a.register_digits,
         -- Ten-thousandths as an integer: advance × multiplier stays in 64-bit integer arithmetic.
         (a.multiplier * 10000)::BIGINT AS multiplier_e4,
         greatest(a.start_date, m.installed_on) AS serves_from, least(a.end_date, m.removed_on) AS serves_to
  FROM meters m JOIN accounts a USING (account_key)
  WHERE a.account_key >= key_lo AND a.account_key < key_hi
    AND a.start_date < next_day::DATE AND (a.end_date IS NULL OR a.end_date >= first_day::DATE)
),
reads AS (
  -- The read type rides in the low two bits of the value, so one arg_max yields both.
  SELECT r.meter_key, r.register, r.read_date, r.read_at, r.value_milli * 4 + enum_code(r.read_type) AS value_typed
  FROM readings r JOIN meter_of mo USING (meter_key)
  WHERE r.read_date >= opening_read_lookback(first_day) AND r.read_date < next_day::DATE
    AND r.read_date >= mo.serves_from AND (mo.serves_to IS NULL OR r.read_date <= mo.serves_to)
),
per_register AS (
  SELECT meter_key, register,
         arg_max(CASE WHEN read_date >= first_day::DATE THEN value_typed END, CASE WHEN read_date >= first_day::DATE THEN read_at END) AS close_typed,
         max(CASE WHEN read_date >= first_day::DATE THEN read_at END) AS close_at,
         arg_max(CASE WHEN read_date < first_day::DATE THEN value_typed END, CASE WHEN read_date < first_day::DATE THEN read_at END) AS prior_typed,
         max(CASE WHEN read_date < first_day::DATE THEN read_at END) AS prior_at,
         arg_min(CASE WHEN read_date >= first_day::DATE THEN value_typed END, CASE WHEN read_date >= first_day::DATE THEN read_at END) AS first_typed,
         min(CASE WHEN read_date >= first_day::DATE THEN read_at END) AS first_at,
         count(CASE WHEN read_date >= first_day::DATE THEN 1 END) AS reads_in_period
  FROM reads
  GROUP BY ALL
)
SELECT p.meter_key, mo.account_key, p.register, mo.register_digits, mo.multiplier_e4,
       coalesce(p.prior_typed, p.first_typed) // 4 AS open_value,
       coalesce(p.prior_typed, p.first_typed) % 4 AS open_type,
       coalesce(p.prior_at, p.first_at) AS open_at,
       p.prior_typed % 4 AS prior_type,
       p.close_typed // 4 AS close_value, p.close_typed % 4 AS close_type, p.close_at,
       p.reads_in_period
FROM per_register p JOIN meter_of mo USING (meter_key)
WHERE p.close_typed IS NOT NULL;

-- name: register-advances
-- Each register's advance over the period and what it says about the meter, with the quantity
-- it bills (advance × multiplier, rounded half away from zero to whole thousandths).
CREATE OR REPLACE TEMP MACRO register_advances(first_day, next_day, key_lo, key_hi) AS TABLE
WITH measured AS (
  SELECT r.*, power(10, r.register_digits)::BIGINT * 1000 AS capacity, r.close_value - r.open_value AS raw_delta
  FROM period_reads(first_day, next_day, key_lo, key_hi) r
),
classified AS (
  SELECT m.*,
         -- A register that wraps past its last digit shows a small forward advance from a value
         -- near capacity; a backward step of more than half the capacity is a reverse or bad read.
         -- (Demand is the period's maximum, not a cumulative register: it neither rolls over nor runs back.)
         (register <> 'demand_kw' AND raw_delta < 0 AND raw_delta + capacity <= capacity / 2) AS rollover,
         (register <> 'demand_kw' AND raw_delta < 0 AND raw_delta + capacity > capacity / 2) AS negative,
         -- Smart-meter error codes arrive as readings: all-ones 32-bit (4294967.295) or all nines.
         -- An error code in the opening read spoils this period as much as the last one.
         (register <> 'demand_kw' AND (close_value >= capacity OR open_value >= capacity
                                       OR close_value IN (4294967295, capacity - 1) OR open_value IN (4294967295, capacity - 1))) AS sentinel,
         CASE WHEN register = 'demand_kw' THEN close_value
              WHEN raw_delta < 0 AND raw_delta + capacity <= capacity / 2 THEN raw_delta + capacity
              ELSE raw_delta END AS advance
  FROM measured m
)
SELECT c.*, sign(advance * multiplier_e4) * ((abs(advance * multiplier_e4) + 5000) // 10000) AS quantity_milli
FROM classified c;

-- name: period-intervals
-- Interval data of the accounts' meters over the period and its lookback, each interval
-- classified through its tariff's TOU schedule: the version in force on the interval's date of
-- the latest loaded revision, holidays as weekend. tou_period is NULL where the schedule has no
-- period for the hour. Callers keep the intervals between the bill's opening and closing reads.
CREATE OR REPLACE TEMP MACRO period_intervals(first_day, next_day, key_lo, key_hi) AS TABLE
SELECT m.account_key, i.interval_start, i.interval_start::DATE AS day, i.wh,
       -- Average demand over the interval, kW × 1000.
       i.wh * 60 // i.interval_minutes AS demand_milli,
       s.period AS tou_period
FROM intervals i
JOIN meters m USING (meter_key)
JOIN accounts ac ON ac.account_key = m.account_key
LEFT JOIN (SELECT tariff_id, max(revision) AS revision FROM tariff_policies GROUP BY ALL) tr ON tr.tariff_id = ac.tariff_id
LEFT JOIN tariff_versions v ON v.tariff_id = ac.tariff_id AND v.revision = tr.revision
      AND i.interval_start::DATE BETWEEN v.effective_from AND coalesce(v.effective_to, DATE '9999-12-31')
LEFT JOIN tariff_holidays h ON h.tariff_id = v.tariff_id AND h.revision = v.revision AND h.version = v.version
      AND h.holiday = i.interval_start::DATE
LEFT JOIN tariff_schedule s ON s.tariff_id = v.tariff_id AND s.revision = v.revision AND s.version = v.version
      AND s.month = month(i.interval_start) AND s.hour = hour(i.interval_start)
      AND s.day_type = CASE WHEN h.holiday IS NOT NULL OR dayofweek(i.interval_start) IN (0, 6) THEN 'weekend' ELSE 'weekday' END
WHERE m.account_key >= key_lo AND m.account_key < key_hi
  AND i.interval_start >= opening_read_lookback(first_day)::TIMESTAMP AND i.interval_start < next_day::DATE::TIMESTAMP;
