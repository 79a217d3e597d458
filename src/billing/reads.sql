-- Which reads a billing period takes, in one place: the bill run (determinants.sql), corrections
-- and `review show` (src/review/decide.sql) and statements (src/statements/statements.sql) select
-- from these macros, so a correction re-prices from the reads the run billed and a statement
-- shows them. DuckDB keeps temporary macros per connection: defineReadDerivation (reads.ts)
-- creates them on a connection before any of those statements runs on it.
--
-- Every macro takes the period as its first day and the first day of the next month (ISO dates),
-- and a range of account keys [key_lo, key_hi): the bill run works one range at a time to bound
-- its memory, corrections and `review show` one account (key, key + 1). The macros that scan
-- readings or intervals also take the range's meter keys [meter_lo, meter_hi] (all by default):
-- the stored rows are in meter order, so the bounds let each range read its own row groups; the
-- join on the range's meters alone had every range read every reading of the period (at 10M
-- accounts, five ranges read the readings five times).
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
CREATE OR REPLACE TEMP MACRO period_reads(first_day, next_day, key_lo, key_hi, meter_lo := 0, meter_hi := 2147483647) AS TABLE
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
  WHERE r.meter_key >= meter_lo AND r.meter_key <= meter_hi
    AND r.read_date >= opening_read_lookback(first_day) AND r.read_date < next_day::DATE
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
CREATE OR REPLACE TEMP MACRO register_advances(first_day, next_day, key_lo, key_hi, meter_lo := 0, meter_hi := 2147483647) AS TABLE
WITH measured AS (
  SELECT r.*, power(10, r.register_digits)::BIGINT * 1000 AS capacity, r.close_value - r.open_value AS raw_delta
  FROM period_reads(first_day, next_day, key_lo, key_hi, meter_lo := meter_lo, meter_hi := meter_hi) r
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


-- name: tariff-hours
-- The one TOU classification: every hour of [from_day, next_day) under each tariff's version in
-- force on that hour's date (of the latest loaded revision), holidays as weekend. tou_period
-- classifies energy, demand_period demand (the policy's demand_schedule, else its energy
-- schedule); both are NULL where the version has no schedule for the hour or no version is in
-- force. Interval data joins it by tariff and the hour its interval (or demand window) starts in:
-- intervals and demand windows never straddle an hour (their lengths divide 60).
CREATE OR REPLACE TEMP MACRO tariff_hours(from_day, next_day) AS TABLE
WITH latest AS (SELECT tariff_id, max(revision) AS revision FROM tariff_policies GROUP BY ALL),
hours AS (SELECT unnest(range(from_day::DATE::TIMESTAMP, next_day::DATE::TIMESTAMP, INTERVAL 1 HOUR)) AS hour_start)
SELECT l.tariff_id, h.hour_start, s.period AS tou_period, s.demand_period
FROM latest l CROSS JOIN hours h
LEFT JOIN tariff_versions v ON v.tariff_id = l.tariff_id AND v.revision = l.revision
      AND h.hour_start::DATE BETWEEN v.effective_from AND coalesce(v.effective_to, DATE '9999-12-31')
LEFT JOIN tariff_holidays hd ON hd.tariff_id = v.tariff_id AND hd.revision = v.revision AND hd.version = v.version
      AND hd.holiday = h.hour_start::DATE
LEFT JOIN tariff_schedule s ON s.tariff_id = v.tariff_id AND s.revision = v.revision AND s.version = v.version
      AND s.month = month(h.hour_start) AND s.hour = hour(h.hour_start)
      AND s.day_type = CASE WHEN hd.holiday IS NOT NULL OR dayofweek(h.hour_start) IN (0, 6) THEN 'weekend' ELSE 'weekday' END;

-- name: period-intervals
-- Interval data of the accounts' meters over the period and its lookback, as stored: for the
-- meters that also have register reads, whose intervals split the registers' kWh into TOU
-- periods. Callers keep the intervals between the bill's opening and closing reads.
CREATE OR REPLACE TEMP MACRO period_intervals(first_day, next_day, key_lo, key_hi, meter_lo := 0, meter_hi := 2147483647) AS TABLE
SELECT m.account_key, ac.tariff_id, i.interval_start, i.interval_start::DATE AS day, i.interval_minutes, i.wh
FROM intervals i
JOIN meters m USING (meter_key)
JOIN accounts ac ON ac.account_key = m.account_key
WHERE m.account_key >= key_lo AND m.account_key < key_hi AND i.meter_key >= meter_lo AND i.meter_key <= meter_hi
  AND i.interval_start >= opening_read_lookback(first_day)::TIMESTAMP AND i.interval_start < next_day::DATE::TIMESTAMP;

-- name: interval-rules
-- Each tariff's rules for interval data (its latest revision's `intervals` field), the defaults
-- (the schema's INTERVAL_RULE_DEFAULTS) where the policy says nothing.
CREATE OR REPLACE TEMP MACRO interval_rules(default_demand_minutes, default_gap_minutes, default_spike_factor) AS TABLE
SELECT tariff_id,
       coalesce(json_extract(policy, '$.intervals.demand_minutes')::INTEGER, default_demand_minutes) AS demand_minutes,
       coalesce(json_extract(policy, '$.intervals.interpolate_up_to_minutes')::INTEGER, default_gap_minutes) AS gap_limit,
       coalesce(json_extract(policy, '$.intervals.spike_factor')::DOUBLE, default_spike_factor) AS spike_factor
FROM (SELECT tariff_id, arg_max(policy, revision) AS policy FROM tariff_policies GROUP BY ALL);

-- name: register-billed-accounts
-- The accounts of [key_lo, key_hi) billed from register reads in the period: one of their meters
-- has a read dated in it. The others' meters are billed from their intervals alone (interval_series).
CREATE OR REPLACE TEMP MACRO register_billed_accounts(first_day, next_day, key_lo, key_hi, meter_lo := 0, meter_hi := 2147483647) AS TABLE
SELECT DISTINCT m.account_key
FROM meters m JOIN readings r USING (meter_key)
WHERE m.account_key >= key_lo AND m.account_key < key_hi AND r.meter_key >= meter_lo AND r.meter_key <= meter_hi
  AND r.read_date >= first_day::DATE AND r.read_date < next_day::DATE;

-- name: interval-series
-- Meters billed from their interval data alone, after validation, estimation and editing (VEE):
-- the meters of accounts with no register read dated in the period. Their bill covers the
-- calendar month (the account master has no billing cycle), cut to the account's life and the
-- meter's service: [serves_from, serves_until). A meter's intervals have one length in a period
-- (its most common one) on a clock-aligned grid; intervals of another length or off the grid are
-- left out (their slots are estimated).
--
-- Every slot of that grid gets a value and a kind:
-- - 0 actual: a stored interval that is not a spike. Negative and duplicate values never reach
--   the store (the load rejects them with their line), so they arrive here as missing slots.
-- - A spike is a value above spike_factor × the meter's own 95th percentile of the period (the
--   level its supply reached in ordinary use), so a fault's millions of kWh is replaced while
--   the account's real peaks stay; a meter idle most of the time (95th percentile 0) has none.
-- - 1 interpolated: a missing slot (or spike) in a gap of at most interpolate_up_to_minutes
--   between two actual intervals, filled linearly between them, half-up to 1 Wh. The neighbours
--   may lie up to that limit outside the period, within the account's life.
-- - 2 profiled: any other missing slot: the mean (half-up to 1 Wh) of the period's actual slots
--   of the same day type (Monday–Friday / Saturday–Sunday) and time of day; failing those, of the
--   same time of day; failing those, of all actual slots. A meter without any actual slot in the
--   period is not billed from intervals.
-- The policy's rules come from its `intervals` field; the defaults are the caller's parameters
-- (the schema's INTERVAL_RULE_DEFAULTS).
CREATE OR REPLACE TEMP MACRO interval_series(first_day, next_day, key_lo, key_hi, default_gap_minutes, default_spike_factor, meter_lo := 0, meter_hi := 2147483647) AS TABLE
WITH bounds AS (
  SELECT m.meter_key, m.account_key, ac.tariff_id,
         greatest(ac.start_date, coalesce(m.installed_on, ac.start_date))::TIMESTAMP AS life_from,
         (least(coalesce(ac.end_date, DATE '9999-12-30'), coalesce(m.removed_on, DATE '9999-12-30')) + 1)::TIMESTAMP AS life_until,
         greatest(first_day::DATE::TIMESTAMP, life_from) AS serves_from,
         least(next_day::DATE::TIMESTAMP, life_until) AS serves_until,
         coalesce(r.gap_limit, default_gap_minutes) AS gap_limit, coalesce(r.spike_factor, default_spike_factor) AS spike_factor
  FROM meters m JOIN accounts ac USING (account_key)
  LEFT JOIN interval_rules(NULL, default_gap_minutes, default_spike_factor) r USING (tariff_id)
  WHERE ac.account_key >= key_lo AND ac.account_key < key_hi
    AND ac.start_date < next_day::DATE AND (ac.end_date IS NULL OR ac.end_date >= first_day::DATE)
    AND m.account_key NOT IN (SELECT account_key FROM register_billed_accounts(first_day, next_day, key_lo, key_hi, meter_lo := meter_lo, meter_hi := meter_hi))
),
received AS (
  SELECT b.meter_key, i.interval_start, i.interval_minutes, i.wh,
         i.interval_start >= b.serves_from AND i.interval_start < b.serves_until AS in_period
  FROM intervals i JOIN bounds b USING (meter_key)
  WHERE i.meter_key >= meter_lo AND i.meter_key <= meter_hi
    AND i.interval_start >= greatest(b.serves_from - to_minutes(b.gap_limit), b.life_from)
    AND i.interval_start < least(b.serves_until + to_minutes(b.gap_limit), b.life_until)
    AND b.serves_from < b.serves_until
),
meter_step AS (
  -- The meter's interval length and spike level, from the period's own intervals.
  SELECT b.*, s.step, s.p95 * b.spike_factor AS spike_above
  FROM bounds b JOIN (
    SELECT meter_key, mode(interval_minutes) AS step, quantile_disc(wh, 0.95) AS p95
    FROM received WHERE in_period GROUP BY meter_key
  ) s USING (meter_key)
),
checked AS (
  -- The received intervals on the meter's clock-aligned grid, each actual or a spike.
  SELECT ms.meter_key, ms.account_key, ms.tariff_id, ms.step, ms.serves_from, ms.serves_until, r.interval_start AS slot, r.wh, r.in_period,
         ms.spike_above = 0 OR r.wh <= ms.spike_above AS actual
  FROM received r JOIN meter_step ms USING (meter_key)
  WHERE r.interval_minutes = ms.step AND epoch(r.interval_start)::BIGINT % (60 * ms.step) = 0
),
gappy AS (
  -- Meters with a slot of the period that has no actual interval: only they need the whole grid.
  SELECT ms.* FROM meter_step ms
  JOIN (SELECT meter_key, count(*) FILTER (WHERE in_period AND actual) AS n FROM checked GROUP BY meter_key) c USING (meter_key)
  WHERE c.n < epoch(ms.serves_until - ms.serves_from)::BIGINT // (60 * ms.step)
),
missing_slots AS (
  -- Their period's slots without an actual interval (never received, or a spike).
  SELECT g.meter_key, g.account_key, g.tariff_id, g.step, g.gap_limit, g.serves_from, g.serves_until, s.slot, c.slot IS NOT NULL AS received,
         CASE WHEN dayofweek(s.slot) IN (0, 6) THEN 1 ELSE 0 END AS day_type, s.slot::TIME AS time_of_day
  FROM gappy g
  CROSS JOIN LATERAL (SELECT unnest(range(g.serves_from, g.serves_until, to_minutes(g.step))) AS slot) s
  LEFT JOIN checked c ON c.meter_key = g.meter_key AND c.slot = s.slot
  WHERE c.slot IS NULL OR NOT c.actual
),
actuals AS (
  -- The actual intervals of those meters, with the interpolation reach either side of the period.
  SELECT meter_key, slot, wh, in_period, CASE WHEN dayofweek(slot) IN (0, 6) THEN 1 ELSE 0 END AS day_type, slot::TIME AS time_of_day
  FROM checked WHERE actual AND meter_key IN (SELECT meter_key FROM gappy)
),
gaps AS (
  -- Each missing slot and the actual intervals either side of it (as-of joins).
  SELECT g.*, p.slot AS prev_at, p.wh AS prev_wh, n.slot AS next_at, n.wh AS next_wh
  FROM missing_slots g
  ASOF LEFT JOIN actuals p ON p.meter_key = g.meter_key AND p.slot < g.slot
  ASOF LEFT JOIN actuals n ON n.meter_key = g.meter_key AND n.slot > g.slot
),
profile AS (
  -- Sums and counts of the period's actual slots by day type and time of day, by time of day, in all.
  SELECT meter_key, day_type, time_of_day, sum(wh) AS wh, count(*) AS n
  FROM actuals WHERE in_period
  GROUP BY GROUPING SETS ((meter_key, day_type, time_of_day), (meter_key, time_of_day), (meter_key))
),
estimated AS (
  SELECT g.*,
         CASE WHEN g.prev_at IS NOT NULL AND g.next_at IS NOT NULL AND epoch(g.next_at - g.prev_at) / 60 - g.step <= g.gap_limit THEN 1
              ELSE 2 END AS kind,
         coalesce(pd.wh, pt.wh, pa.wh) AS profile_wh, coalesce(pd.n, pt.n, pa.n) AS profile_n
  FROM gaps g
  LEFT JOIN profile pd ON pd.meter_key = g.meter_key AND pd.day_type = g.day_type AND pd.time_of_day = g.time_of_day
  LEFT JOIN profile pt ON pt.meter_key = g.meter_key AND pt.day_type IS NULL AND pt.time_of_day = g.time_of_day
  LEFT JOIN profile pa ON pa.meter_key = g.meter_key AND pa.day_type IS NULL AND pa.time_of_day IS NULL
)
SELECT account_key, meter_key, tariff_id, slot AS interval_start, step AS interval_minutes, serves_from, serves_until,
       0 AS kind, true AS received, wh
FROM checked WHERE in_period AND actual
UNION ALL
SELECT account_key, meter_key, tariff_id, slot, step, serves_from, serves_until, kind, received,
       CASE kind
            -- prev + (next − prev) × elapsed / span, half-up: both ends are whole Wh ≥ 0.
            WHEN 1 THEN (2 * (prev_wh * epoch(next_at - slot)::BIGINT + next_wh * epoch(slot - prev_at)::BIGINT)
                         + epoch(next_at - prev_at)::BIGINT) // (2 * epoch(next_at - prev_at)::BIGINT)
            ELSE (2 * profile_wh + profile_n) // (2 * profile_n) END
FROM estimated;

-- name: interval-windows
-- The demand windows of the interval data a bill uses, classified: the stored intervals of the
-- accounts billed from register reads (from_series false: they split the registers' kWh; callers
-- keep the windows between the opening and closing reads) and the series of the meters billed from
-- intervals alone (from_series true, after VEE, with what VEE did to the window's slots).
-- A window is clock-aligned and lasts the policy's demand_minutes, or the interval length when
-- that is longer (an hourly meter cannot show a 15-minute peak); its demand is kW × 1000 =
-- Wh × 60 / minutes, exact. Energy and demand take the periods of the hour the window starts in
-- (tariff_hours): energy the energy schedule's, demand the demand schedule's.
CREATE OR REPLACE TEMP MACRO interval_windows(first_day, next_day, key_lo, key_hi, default_demand_minutes, default_gap_minutes, default_spike_factor, meter_lo := 0, meter_hi := 2147483647) AS TABLE
WITH used AS (
  SELECT account_key, tariff_id, interval_start, interval_minutes, wh, false AS from_series,
         NULL::TIMESTAMP AS serves_from, NULL::TIMESTAMP AS serves_until, 0 AS kind, true AS received
  FROM period_intervals(first_day, next_day, key_lo, key_hi, meter_lo := meter_lo, meter_hi := meter_hi)
  WHERE account_key IN (SELECT account_key FROM register_billed_accounts(first_day, next_day, key_lo, key_hi, meter_lo := meter_lo, meter_hi := meter_hi))
  UNION ALL
  SELECT account_key, tariff_id, interval_start, interval_minutes, wh, true, serves_from, serves_until, kind, received
  FROM interval_series(first_day, next_day, key_lo, key_hi, default_gap_minutes, default_spike_factor, meter_lo := meter_lo, meter_hi := meter_hi)
),
sized AS (
  SELECT u.*, greatest(r.demand_minutes, u.interval_minutes) AS window_minutes
  FROM used u LEFT JOIN interval_rules(default_demand_minutes, default_gap_minutes, default_spike_factor) r USING (tariff_id)
),
windows AS (
  -- An interval as long as the window is its own window: the common case needs no grouping.
  SELECT account_key, tariff_id, from_series, window_minutes, interval_start AS window_start, wh, serves_from, serves_until,
         (kind = 0)::BIGINT AS actual, (kind = 1)::BIGINT AS interpolated, (kind = 2)::BIGINT AS profiled,
         (NOT received)::BIGINT AS missing, (received AND kind > 0)::BIGINT AS spikes, interval_minutes
  FROM sized WHERE window_minutes = interval_minutes
  UNION ALL
  -- Shorter intervals add up per window (an account's rows are all stored or all series, with one tariff).
  SELECT account_key, any_value(tariff_id), bool_or(from_series), window_minutes,
         time_bucket(to_minutes(window_minutes), interval_start) AS window_start, sum(wh), min(serves_from), max(serves_until),
         count(*) FILTER (WHERE kind = 0), count(*) FILTER (WHERE kind = 1), count(*) FILTER (WHERE kind = 2),
         count(*) FILTER (WHERE NOT received), count(*) FILTER (WHERE received AND kind > 0), max(interval_minutes)
  FROM sized WHERE window_minutes > interval_minutes
  GROUP BY account_key, window_minutes, window_start
)
SELECT w.*, w.window_start::DATE AS day, w.wh * 60 // w.window_minutes AS demand_milli, h.tou_period, h.demand_period
FROM windows w
LEFT JOIN tariff_hours(opening_read_lookback(first_day), next_day) h
       ON h.tariff_id = w.tariff_id AND h.hour_start = date_trunc('hour', w.window_start);
