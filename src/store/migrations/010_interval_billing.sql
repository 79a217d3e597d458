-- Interval (AMI) billing, issue 16.
--
-- The TOU schedule rows carry the period that classifies demand beside the energy period: a
-- policy's demand_schedule (its own 12×24 or hour ranges) was parsed but not stored, so interval
-- demand was classified by the energy schedule. Rows loaded before this migration had no demand
-- schedule stored: their demand period is their energy period, as those bills were priced (load
-- the policy again to store its demand_schedule). A version with only a demand_schedule has no
-- energy period.
ALTER TABLE tariff_schedule ADD COLUMN demand_period VARCHAR;
UPDATE tariff_schedule SET demand_period = period;
ALTER TABLE tariff_schedule ALTER COLUMN period DROP NOT NULL;

-- What validation, estimation and editing did to the intervals of a bill priced from interval data
-- alone (no register read in its period): one row per such bill. A bill priced from register reads
-- has none. `actual` intervals were billed as received; `estimated` ones were filled in (a short
-- gap interpolated, a longer one from the account's own profile, a spike replaced); `missing` ones
-- never arrived (each is also estimated; estimated − missing are received values VEE replaced).
CREATE TABLE bill_intervals (
  account_key INTEGER NOT NULL,
  period INTEGER NOT NULL,          -- YYYYMM
  bill_version SMALLINT NOT NULL,
  interval_minutes SMALLINT NOT NULL,
  actual INTEGER NOT NULL,
  estimated INTEGER NOT NULL,
  missing INTEGER NOT NULL,
  interpolated INTEGER NOT NULL,    -- of the estimated: short gaps filled linearly
  profiled INTEGER NOT NULL,        -- of the estimated: from the account's weekday-type × time-of-day mean
  spikes INTEGER NOT NULL           -- of the estimated: received values beyond the spike rule
);
