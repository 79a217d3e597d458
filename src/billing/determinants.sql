-- Billing determinants and review features of every active account for one period, in SQL over
-- the readings, the account master and the stored bills of earlier periods.
--
-- Which reads open and close the period, their advances and the TOU classification of interval
-- data come from the macros of reads.sql, the one definition corrections, `review show` and
-- statements use too. History comes from the running history summary (migration 015,
-- history.sql): one row per account with its earlier bills' lists, brought to this period by the
-- run just before this statement, where it aggregated up to three years of stored bills per account.
--
-- The statement runs once per range of account keys [$lo, $hi) (run.ts prefixes it with CREATE
-- TABLE for the first range and INSERT INTO for the others), so its hash tables hold one range's
-- meters and bills whatever the number of accounts, and memory stays bounded.
-- The peer medians, which need every account, follow in `peers`.
--
-- Parameters: $run_id, $first (first day), $next (first day of next month), $p1, $p3, $p11, $p12
-- and $p13 (the previous period, the third, the eleventh, twelfth and thirteenth before P),
-- $standby_<class> (the class's vacancy_share: below it of the highest baseline month, a month is
-- standby, migration 014), $year_start (YYYY01), $lo and $hi (the account keys of this range),
-- $meter_lo and $meter_hi (the lowest and highest key of their meters: reads.sql),
-- $default_gap_minutes, $default_spike_factor and $default_demand_minutes (what a policy without
-- those `intervals` fields means).

-- name: staged
WITH acct AS (
  SELECT a.account_key, a.account_id, a.customer_class, a.tariff_id, a.region, a.household_size, a.contract_kva, a.pf_standard, a.start_date, a.end_date
  FROM accounts a
  WHERE a.start_date < $next AND (a.end_date IS NULL OR a.end_date >= $first)
    AND a.account_key >= $lo AND a.account_key < $hi
),
registers AS (
  SELECT * FROM register_advances($first, $next, $lo, $hi, meter_lo := $meter_lo::INTEGER, meter_hi := $meter_hi::INTEGER)
),
energy AS (
  SELECT account_key,
         sum(CASE WHEN register = 'total' THEN quantity_milli END) AS kwh_total,
         sum(CASE WHEN register = 'sharp' THEN quantity_milli END) AS kwh_sharp,
         sum(CASE WHEN register = 'peak' THEN quantity_milli END) AS kwh_peak,
         sum(CASE WHEN register = 'flat' THEN quantity_milli END) AS kwh_flat,
         sum(CASE WHEN register = 'valley' THEN quantity_milli END) AS kwh_valley,
         max(CASE WHEN register = 'demand_kw' THEN quantity_milli END) AS demand,
         sum(CASE WHEN register = 'reactive_kvarh' THEN quantity_milli END) AS kvarh,
         min(CASE WHEN register NOT IN ('demand_kw', 'reactive_kvarh') THEN open_at END)::DATE AS open_date,
         max(CASE WHEN register NOT IN ('demand_kw', 'reactive_kvarh') THEN close_at END)::DATE AS close_date,
         -- read_type codes: 0 actual, 1 estimated, 2 customer (the enum's order).
         bool_or(CASE WHEN register NOT IN ('demand_kw', 'reactive_kvarh') THEN close_type = 1 END) AS close_estimated,
         bool_or(CASE WHEN register NOT IN ('demand_kw', 'reactive_kvarh') THEN prior_type = 1 END) AS open_estimated,
         bool_or(close_type = 2) AS customer_read,
         bool_or(rollover) AS rollover,
         bool_or(negative) AS negative,
         bool_or(sentinel) AS sentinel,
         -- One meter or several (an exchange): the lowest and highest meter key tell, where a
         -- count(DISTINCT) built a hash table of (account, meter) pairs (1.5–2.5 CPU-s at 1M).
         min(CASE WHEN register NOT IN ('demand_kw', 'reactive_kvarh') THEN meter_key END) AS first_meter,
         max(CASE WHEN register NOT IN ('demand_kw', 'reactive_kvarh') THEN meter_key END) AS last_meter,
         bool_or(CASE WHEN register NOT IN ('demand_kw', 'reactive_kvarh') THEN prior_type IS NULL END) AS opened_in_period,
         max(CASE WHEN prior_type IS NOT NULL AND register NOT IN ('demand_kw', 'reactive_kvarh') THEN reads_in_period END) AS max_reads,
         max(capacity * multiplier_e4 / 10000)::DOUBLE AS capacity_milli
  FROM registers
  GROUP BY account_key
),
-- Interval data in demand windows, classified (reads.sql interval_windows): a register meter's
-- stored intervals between its opening and closing reads (they split the registers' kWh into TOU
-- periods), and the VEE'd series of accounts without a register read dated in the period.
windows AS (
  SELECT w.* FROM interval_windows($first, $next, $lo, $hi, $default_demand_minutes, $default_gap_minutes, $default_spike_factor, meter_lo := $meter_lo::INTEGER, meter_hi := $meter_hi::INTEGER) w
  LEFT JOIN energy e ON e.account_key = w.account_key
  WHERE CASE WHEN w.from_series THEN e.account_key IS NULL ELSE w.day >= e.open_date AND w.day < e.close_date END
),
-- What VEE did to a series, and the bill's days.
interval_counts AS (
  SELECT account_key, min(serves_from)::DATE AS open_date, max(serves_until)::DATE AS close_date, max(interval_minutes) AS interval_minutes,
         sum(actual) AS actual, sum(interpolated + profiled) AS estimated, sum(missing) AS missing,
         sum(interpolated) AS interpolated, sum(profiled) AS profiled, sum(spikes) AS spikes
  FROM windows WHERE from_series GROUP BY account_key
),
-- Energy per TOU period and maximum demand per demand period.
interval_tou AS (
  SELECT account_key,
         sum(wh) AS i_total,
         sum(CASE WHEN tou_period = 'sharp' THEN wh END) AS i_sharp,
         sum(CASE WHEN tou_period = 'peak' THEN wh END) AS i_peak,
         sum(CASE WHEN tou_period = 'flat' THEN wh END) AS i_flat,
         sum(CASE WHEN tou_period = 'valley' THEN wh END) AS i_valley,
         max(CASE WHEN demand_period = 'sharp' THEN demand_milli END) AS d_sharp,
         max(CASE WHEN demand_period = 'peak' THEN demand_milli END) AS d_peak,
         max(CASE WHEN demand_period = 'flat' THEN demand_milli END) AS d_flat,
         max(CASE WHEN demand_period = 'valley' THEN demand_milli END) AS d_valley,
         max(demand_milli) AS d_max,
         count(tou_period) AS classified,
         count(CASE WHEN tou_period IS NULL THEN 1 END) AS unclassified
  FROM windows
  GROUP BY account_key
),
-- The account's earlier bills, from the running history summary (migration 015, history.sql,
-- brought to this period just before): one row per account, its lists latest first, so a run
-- reads one row per account where it aggregated up to three years of bills. Levels are
-- season-free (kWh/day over the peer group's level that period), so that medians and spreads
-- describe the account, not the calendar.
history_lists AS (
  SELECT s.account_key, s.last_trusted, s.bills, s.base, s.measured, s.shift,
         -- What every bill of the last 12 periods says, trusted or not.
         list_filter(s.bills, b -> b.days > 0 AND b.period >= $p12) AS year,
         list_filter(year, b -> b.period >= $year_start) AS this_year,
         list_filter(year, b -> b.period = $p1)[1] AS last_bill,
         list_filter(year, b -> b.period = $p12)[1] AS yoy_bill,
         -- The estimate chain: the latest bill closed on an actual read.
         list_filter(year, b -> b.read_flags & 1 = 0)[1] AS actual_bill,
         list_filter(year, b -> b.trusted) AS trusted_year,
         list_transform(list_filter(s.measured, m -> m.period > $p12), m -> m.level) AS since,
         -- The class's vacancy_share (what makes a month standby, migration 014).
         CASE ac.customer_class::VARCHAR WHEN 'residential' THEN $standby_residential WHEN 'commercial' THEN $standby_commercial
              WHEN 'industrial' THEN $standby_industrial ELSE $standby_agricultural END AS standby_share
  FROM history_summary s
  JOIN acct ac USING (account_key)
  -- The range again on the summary itself: it is stored in key order, so its other row groups are
  -- skipped instead of every range reading (and joining) every account's lists.
  WHERE s.account_key >= $lo AND s.account_key < $hi
),
history_pivot AS (
  SELECT account_key,
         -- The year's running totals and the estimate chain: the periods since the last bill closed
         -- on an actual read, every bill counted, a zero-day one too, for an account with a bill of
         -- more than zero days in the year.
         last_bill.kwh_milli / last_bill.days AS last_kpd,
         list_sum(list_transform(this_year, b -> b.kwh_milli)) AS ytd_kwh,
         list_sum(list_transform(this_year, b -> b.amount_minor)) AS ytd_amount,
         actual_bill.kwh_milli / actual_bill.days AS last_actual_kpd,
         CASE WHEN len(year) > 0 THEN list_filter(bills, b -> b.period >= $p12 AND b.period > coalesce(actual_bill.period, 0) AND b.read_flags & 1 = 1) END AS estimated,
         -- The account's trusted history: the references of the usage rules.
         last_trusted, standby_share,
         CASE WHEN last_bill.trusted THEN last_bill.kwh_milli / last_bill.days END AS prev_kpd,
         CASE WHEN last_bill.trusted THEN last_bill.amount_minor END AS prev_amount,
         CASE WHEN last_bill.trusted THEN last_bill.start_date END AS prev_start,
         CASE WHEN last_bill.trusted THEN last_bill.days END AS prev_days,
         CASE WHEN yoy_bill.trusted THEN yoy_bill.kwh_milli / yoy_bill.days END AS yoy_kpd,
         CASE WHEN yoy_bill.trusted THEN yoy_bill.amount_minor END AS yoy_amount,
         -- The baseline: the 12 latest trusted periods with kWh, however far back in the reach (a
         -- level held for a year without a decision must not leave the account without a
         -- reference and become it).
         list_transform(base, b -> b.level) AS base,
         -- Demand and reactive registers exist on few (industrial) accounts.
         list_median(list_transform(trusted_year, b -> b.demand_milli)) AS demand_median,
         list_median(list_transform(list_filter(trusted_year, b -> b.kvarh_milli IS NOT NULL AND b.kwh_milli > 0),
                                    b -> b.kwh_milli / sqrt(b.kwh_milli::DOUBLE * b.kwh_milli + b.kvarh_milli::DOUBLE * b.kvarh_milli))) AS pf_median,
         -- Every measured bill of the last two years, trusted or not, and those of the last quarter.
         CASE WHEN len(measured) > 0 THEN list_transform(measured, m -> m.level) END AS measured_kpd,
         list_transform(list_filter(measured, m -> m.period >= $p3), m -> m.level) AS recent_kpd,
         -- The same quarter a year before: a quarter off its baseline is the account's own season
         -- only if that one was off too (a drop whose first months passed is not).
         list_transform(list_filter(measured, m -> m.period >= $p3 - 100 AND m.period < $p12), m -> m.level) AS yoy_recent_kpd,
         -- The account's own season where its peers' is not its own (an electrically heated home
         -- among summer-peaking ones): the same month last year and the lowest and highest of the
         -- months since, measured (the rules' own-season veto: did the use come back between?).
         -- Where that month was estimated (its catch-up month carries the estimate's error), the
         -- months beside it stand for it: their geometric mean, or the one measured.
         coalesce(list_filter(measured, m -> m.period = $p12)[1].level,
                  sqrt(list_filter(measured, m -> m.period = $p11)[1].level * list_filter(measured, m -> m.period = $p13)[1].level),
                  list_max(list_transform(list_filter(measured, m -> m.period IN ($p11, $p13)), m -> m.level))) AS yoy_level,
         list_min(since) AS since_low,
         list_max(since) AS since_high,
         -- Bills on actual reads since the last trusted one: an open level shift's history (since
         -- when, how often a reviewer released it without accepting the level).
         shift[-1].period AS shift_since, len(shift) AS shift_n, shift[-1].read_flags AS shift_flags,
         len(list_filter(shift, s -> s.released)) AS shift_released
  FROM history_lists
),
measured_changes AS (
  -- The account's own spread: a spread taken from trusted bills only would be cut at the band the
  -- rules drew from it (the months a too-narrow band held never widen it). Two years of changes
  -- between successive measured months: a change cancels a level (a real or a persisting wrong
  -- one shows as one change, a misread as two), so the smallest four fifths of them are the
  -- noise's (from three changes on, at least one is left out, as a median of three leaves one).
  -- Their root mean square ($spread_kept of m changes), scaled by $spread_factors
  -- (src/billing/spread.ts: why this and not their median, and how the factors make it a MAD,
  -- 0.6745 σ, as the peers' spread is).
  -- The last quarter's measured months are the evidence of a level that moved and stays moved
  -- (their median is robust to one misread among them).
  SELECT account_key,
         CASE WHEN m > 0 THEN sqrt(list_avg(list_transform(list_slice(list_sort(changes), 1, ($spread_kept::INTEGER[])[m]), c -> c * c)))
                              * ($spread_factors::DOUBLE[])[m] END AS log_mad,
         list_median(recent) AS recent_log_level, len(recent) AS recent_n, list_median(yoy_recent) AS yoy_recent_log_level
  FROM (
    SELECT account_key, list_transform(range(1, len(logs)), i -> abs(logs[i + 1] - logs[i])) AS changes, len(changes) AS m, recent, yoy_recent
    FROM (
      SELECT account_key, list_transform(measured_kpd, k -> ln(k)) AS logs, list_transform(coalesce(recent_kpd, []), k -> ln(k)) AS recent,
             list_transform(coalesce(yoy_recent_kpd, []), k -> ln(k)) AS yoy_recent
      FROM history_pivot WHERE measured_kpd IS NOT NULL
    )
  )
),
history AS (
  -- Median of up to 12 season-free trusted values per account, their MAD, and the account's
  -- robust spread of log kWh/day (measured_changes), for accounts with a trusted bill. A home's
  -- standby months (migration 014) are left out of the median; the highest month stays the
  -- occupied level they are measured against.
  SELECT h.*,
         list_median(list_transform(base, k -> abs(k - base_median))) AS base_mad,
         mc.log_mad AS base_log_mad, mc.recent_log_level, mc.recent_n, mc.yoy_recent_log_level
  FROM (
    SELECT account_key, prev_kpd, prev_amount, prev_start, prev_days, yoy_kpd, yoy_amount, base, last_trusted,
           demand_median, pf_median, yoy_level, since_low, since_high, list_median(base) AS base_median, base_max, list_count(base) AS base_n
    FROM (
      SELECT account_key, prev_kpd, prev_amount, prev_start, prev_days, yoy_kpd, yoy_amount, last_trusted, demand_median, pf_median,
             yoy_level, since_low, since_high, list_max(base) AS base_max,
             list_filter(base, k -> NOT standby_month(k, list_max(base), standby_share)) AS base
      FROM history_pivot
      WHERE last_trusted IS NOT NULL
    )
  ) h
  LEFT JOIN measured_changes mc USING (account_key)
)
SELECT $run_id::INTEGER AS run_id, ac.account_key, ac.account_id, ac.customer_class, ac.tariff_id, ac.region,
       ac.household_size, ac.contract_kva::DOUBLE AS contract_kva, ac.pf_standard::DOUBLE AS pf_standard,
       coalesce(e.open_date, ic.open_date) AS open_date, coalesce(e.close_date, ic.close_date) AS close_date,
       (coalesce(e.close_date, ic.close_date) - coalesce(e.open_date, ic.open_date))::INTEGER AS days,
       CASE WHEN e.account_key IS NULL THEN it.i_total
            ELSE coalesce(e.kwh_total, e.kwh_sharp + e.kwh_peak + e.kwh_flat + e.kwh_valley,
                          coalesce(e.kwh_sharp, 0) + coalesce(e.kwh_peak, 0) + coalesce(e.kwh_flat, 0) + coalesce(e.kwh_valley, 0)) END AS kwh,
       CASE WHEN e.kwh_peak IS NOT NULL OR e.kwh_flat IS NOT NULL OR e.kwh_valley IS NOT NULL OR e.kwh_sharp IS NOT NULL THEN 1
            WHEN it.classified > 0 THEN 2 ELSE 0 END AS tou_source,
       CASE WHEN e.kwh_peak IS NOT NULL OR e.kwh_flat IS NOT NULL OR e.kwh_valley IS NOT NULL OR e.kwh_sharp IS NOT NULL
            THEN coalesce(e.kwh_sharp, 0) ELSE it.i_sharp END AS kwh_sharp,
       CASE WHEN e.kwh_peak IS NOT NULL OR e.kwh_flat IS NOT NULL OR e.kwh_valley IS NOT NULL OR e.kwh_sharp IS NOT NULL
            THEN coalesce(e.kwh_peak, 0) ELSE it.i_peak END AS kwh_peak,
       CASE WHEN e.kwh_peak IS NOT NULL OR e.kwh_flat IS NOT NULL OR e.kwh_valley IS NOT NULL OR e.kwh_sharp IS NOT NULL
            THEN coalesce(e.kwh_flat, 0) ELSE it.i_flat END AS kwh_flat,
       CASE WHEN e.kwh_peak IS NOT NULL OR e.kwh_flat IS NOT NULL OR e.kwh_valley IS NOT NULL OR e.kwh_sharp IS NOT NULL
            THEN coalesce(e.kwh_valley, 0) ELSE it.i_valley END AS kwh_valley,
       -- The TOU registers of one meter add up to its total register: when both were read, a
       -- disagreement is a misread of one of them (the review compares the two).
       CASE WHEN e.kwh_total IS NOT NULL AND (e.kwh_peak IS NOT NULL OR e.kwh_flat IS NOT NULL OR e.kwh_valley IS NOT NULL OR e.kwh_sharp IS NOT NULL)
            THEN coalesce(e.kwh_sharp, 0) + coalesce(e.kwh_peak, 0) + coalesce(e.kwh_flat, 0) + coalesce(e.kwh_valley, 0) END AS tou_kwh,
       coalesce(e.demand, it.d_max) AS demand,
       it.d_sharp, it.d_peak, it.d_flat, it.d_valley,
       e.kvarh,
       e.capacity_milli,
       (CASE WHEN e.close_estimated THEN 1 ELSE 0 END
        | CASE WHEN e.open_estimated THEN 2 ELSE 0 END
        | CASE WHEN e.customer_read THEN 4 ELSE 0 END
        | CASE WHEN e.rollover THEN 8 ELSE 0 END
        | CASE WHEN e.negative THEN 16 ELSE 0 END
        | CASE WHEN e.sentinel THEN 32 ELSE 0 END
        | CASE WHEN e.first_meter < e.last_meter THEN 64 ELSE 0 END
        | CASE WHEN ac.start_date >= $first THEN 128 ELSE 0 END
        | CASE WHEN ac.end_date < $next THEN 256 ELSE 0 END
        | CASE WHEN e.max_reads > 1 THEN 512 ELSE 0 END
        | CASE WHEN e.opened_in_period AND e.first_meter = e.last_meter AND ac.start_date < $first THEN 1024 ELSE 0 END
        | CASE WHEN e.account_key IS NULL AND ic.account_key IS NULL THEN 2048 ELSE 0 END
        | CASE WHEN it.classified > 0 AND it.unclassified > 0 THEN 4096 ELSE 0 END
        | CASE WHEN ic.profiled > 0 THEN 8192 ELSE 0 END
        | CASE WHEN ic.spikes > 0 THEN 16384 ELSE 0 END)::INTEGER AS read_flags,
       ic.interval_minutes, ic.actual AS intervals_actual, ic.estimated AS intervals_estimated, ic.missing AS intervals_missing,
       ic.interpolated AS intervals_interpolated, ic.profiled AS intervals_profiled, ic.spikes AS intervals_spikes,
       h.prev_kpd, h.prev_amount, h.prev_start, h.prev_days, h.yoy_kpd, h.yoy_amount,
       h.base_median, h.base_mad, h.base_log_mad, h.base_max, coalesce(h.base_n, 0) AS base_n,
       h.recent_log_level, coalesce(h.recent_n, 0) AS recent_n, h.yoy_recent_log_level,
       coalesce(hp.ytd_kwh, 0) AS ytd_kwh, coalesce(hp.ytd_amount, 0) AS ytd_amount,
       coalesce(len(hp.estimated), 0) AS est_streak, coalesce(list_sum(list_transform(hp.estimated, b -> b.kwh_milli)), 0) AS est_kwh,
       coalesce(list_sum(list_transform(hp.estimated, b -> b.days)), 0) AS est_days,
       hp.last_actual_kpd, hp.last_kpd,
       h.demand_median, h.pf_median, h.yoy_level, h.since_low, h.since_high,
       hp.shift_since, coalesce(hp.shift_n, 0) AS shift_n, hp.shift_flags, coalesce(hp.shift_released, 0) AS shift_released
FROM acct ac
LEFT JOIN energy e USING (account_key)
LEFT JOIN interval_tou it USING (account_key)
LEFT JOIN interval_counts ic USING (account_key)
LEFT JOIN history_pivot hp USING (account_key)
LEFT JOIN history h USING (account_key);

-- name: peers
-- Each peer group's typical change this period, for every (class, region) the run stages.
CREATE OR REPLACE TABLE run_peers AS
WITH measured AS (
  -- Peers are compared on measured use: an estimate repeats the past and hides a heat wave.
  SELECT customer_class, region, kwh / days AS kpd, prev_kpd, yoy_kpd, base_median,
         demand / demand_median AS demand_ratio
  FROM run_staging WHERE days > 0 AND kwh > 0 AND read_flags & 1 = 0
),
peers AS (
  -- The peer group's typical change this period (class × region): a heat wave moves it, a misread
  -- does not. peer_base is the group's level against its own 12-period medians: the season.
  SELECT customer_class, region,
         median(kpd / prev_kpd) FILTER (WHERE prev_kpd > 0) AS peer_mom,
         median(kpd / yoy_kpd) FILTER (WHERE yoy_kpd > 0) AS peer_yoy,
         median(kpd / base_median) FILTER (WHERE base_median > 0) AS peer_base,
         -- The typical account's spread, from this month's changes (known from the second period
         -- on; a season's step between two months widens it a little, never narrows it): the
         -- median |log change| of two noisy months is 0.6745·√2 σ, stored as a MAD (0.6745 σ).
         -- The CASE, not a FILTER, leaves out the months without a positive previous one: DuckDB
         -- computes an aggregate's input for every row, and ln fails on the negative ratio of a
         -- trusted bill released with negative kWh (median skips the NULLs).
         median(abs(ln(CASE WHEN prev_kpd > 0 THEN kpd / prev_kpd END))) / sqrt(2) AS peer_spread,
         median(demand_ratio) FILTER (WHERE demand_ratio > 0) AS peer_demand,
         count(CASE WHEN prev_kpd > 0 THEN 1 END) AS peer_n
  FROM measured GROUP BY ALL
),
class_peers AS (
  -- The same over the whole class, for regions too small to have a reliable median of their own.
  SELECT customer_class,
         median(kpd / prev_kpd) FILTER (WHERE prev_kpd > 0) AS class_mom,
         median(kpd / yoy_kpd) FILTER (WHERE yoy_kpd > 0) AS class_yoy,
         median(kpd / base_median) FILTER (WHERE base_median > 0) AS class_base,
         median(abs(ln(CASE WHEN prev_kpd > 0 THEN kpd / prev_kpd END))) / sqrt(2) AS class_spread,
         median(demand_ratio) FILTER (WHERE demand_ratio > 0) AS class_demand,
         count(CASE WHEN prev_kpd > 0 THEN 1 END) AS class_n
  FROM measured GROUP BY ALL
),
region_peers AS (
  -- The region's weather with the class mix taken out: each measured account's change over its
  -- class's change, the region's median (about 1 where the region did what its classes did). A
  -- group too small for a median of its own may have followed its class or its region's weather.
  SELECT m.region,
         median((m.kpd / m.prev_kpd) / c.class_mom) FILTER (WHERE m.prev_kpd > 0) AS region_mom,
         median((m.kpd / m.yoy_kpd) / c.class_yoy) FILTER (WHERE m.yoy_kpd > 0) AS region_yoy,
         median((m.kpd / m.base_median) / c.class_base) FILTER (WHERE m.base_median > 0) AS region_base,
         count(CASE WHEN m.prev_kpd > 0 THEN 1 END) AS region_n
  FROM measured m JOIN class_peers c USING (customer_class) GROUP BY ALL
)
SELECT g.customer_class, g.region,
       p.peer_mom, p.peer_yoy, p.peer_base, p.peer_spread, p.peer_demand, coalesce(p.peer_n, 0) AS peer_n,
       c.class_mom, c.class_yoy, c.class_base, c.class_spread, c.class_demand, coalesce(c.class_n, 0) AS class_n,
       r.region_mom, r.region_yoy, r.region_base, coalesce(r.region_n, 0) AS region_n
FROM (SELECT DISTINCT customer_class, region FROM run_staging) g
LEFT JOIN peers p USING (customer_class, region)
LEFT JOIN class_peers c USING (customer_class)
LEFT JOIN region_peers r USING (region);

-- name: spread-scales
-- How wide the class's honest months are this period against the spread the rules take, in two
-- numbers the rules multiply their bands by (at least 1). The account's spread comes from the
-- changes between its successive months; a month is compared with the median of its 12 trusted
-- months and the quarter before it. Where months are independent the two agree. Where an
-- account's swings last (a guest for a season, a cold spell that lasts, a factory working to an
-- order book) successive months differ less than months a year apart, the changes understate how
-- far a month strays from a year's median, and a band drawn from them holds honest months.
-- The statistic follows the rules: a month is held only when both its baseline and the same month
-- last year call it off, so each account's z is the smaller of the two deviations (after the
-- peers; last year's a single month, as noisy as this one: / √2) over its spread; an account's
-- own season, which last year's month carries, does not widen anyone's band. Its median over the
-- class's accounts against $null_level_z, the median where months are independent
-- (src/billing/spread.ts, by simulation), says how much wider the bands must be. The same for the
-- quarter's evidence of a level that moved (persistingShift: this month and the last quarter's
-- median together) against $null_shift_z. Only accounts with a full baseline, a measured quarter
-- and a trusted month last year take part, with the spread floored as the rules floor it
-- ($spread_<class>, in MAD units); a class with fewer than its min_peers of them (its first year)
-- keeps its bands. Medians: this month's errors are a few in a hundred.
CREATE OR REPLACE TABLE run_scales AS
WITH scored AS (
  SELECT s.customer_class,
         ln(s.kwh / s.days / s.base_median / CASE WHEN p.peer_n >= m.min_peers AND p.peer_base > 0 THEN p.peer_base ELSE p.class_base END) AS d,
         s.recent_log_level - ln(s.base_median) AS recent,
         abs(ln(s.kwh / s.days / s.yoy_kpd / CASE WHEN p.peer_n >= m.min_peers AND p.peer_yoy > 0 THEN p.peer_yoy ELSE p.class_yoy END)) / sqrt(2) AS yoy,
         greatest(s.base_log_mad, m.min_spread) AS spread,
         m.min_peers
  FROM run_staging s
  JOIN run_peers p USING (customer_class, region)
  JOIN (VALUES ('residential', $min_residential, $spread_residential), ('commercial', $min_commercial, $spread_commercial),
               ('industrial', $min_industrial, $spread_industrial), ('agricultural', $min_agricultural, $spread_agricultural))
       m(customer_class, min_peers, min_spread) ON m.customer_class = s.customer_class::VARCHAR
  WHERE s.days > 0 AND s.kwh > 0 AND s.read_flags & 3 = 0 AND s.base_n = $baseline_periods AND s.recent_n = 3
    AND s.base_median > 0 AND s.base_log_mad > 0 AND s.yoy_kpd > 0 AND p.class_base > 0 AND p.class_yoy > 0
)
SELECT customer_class, count(*) AS scale_n,
       CASE WHEN count(*) >= any_value(min_peers) THEN greatest(1, median(least(abs(d), yoy) / spread) / $null_level_z) ELSE 1 END AS level_scale,
       CASE WHEN count(*) >= any_value(min_peers) THEN greatest(1, median(least(abs((d + 3 * recent) / 4), yoy) / spread) / $null_shift_z) ELSE 1 END AS shift_scale
FROM scored GROUP BY customer_class;

-- name: keep-peer-levels
-- This period's peer levels for later periods' history: the region's, or the class's when the
-- region has fewer measured accounts than the rules' min_peers for the class ($min_residential …).
INSERT OR REPLACE INTO peer_levels
SELECT $period, customer_class, region,
       CASE WHEN peer_base > 0 AND peer_n >= CASE customer_class WHEN 'residential' THEN $min_residential
                 WHEN 'commercial' THEN $min_commercial WHEN 'industrial' THEN $min_industrial ELSE $min_agricultural END
            THEN peer_base WHEN class_base > 0 THEN class_base END
FROM run_peers;

-- name: batch
-- One batch of staged accounts as typed columns for the workers (see BATCH_COLUMNS), in no
-- particular order: each row is priced on its own and the outputs sort by account id (a sort
-- of the batch's 70 columns cost ~1–2.5 CPU-s per 1M accounts).
SELECT s.account_key::INTEGER AS account_key,
       enum_code(s.customer_class)::UTINYINT AS class_code,
       t.tariff_code::INTEGER AS tariff_code,
       coalesce(s.household_size, -1)::INTEGER AS household_size,
       coalesce(s.contract_kva, 'NaN'::DOUBLE) AS contract_kva,
       coalesce(s.pf_standard, 'NaN'::DOUBLE) AS pf_standard,
       coalesce(s.open_date, DATE '1970-01-01') AS start_day,
       coalesce(s.close_date, DATE '1970-01-01') AS end_day,
       coalesce(s.days, 0)::INTEGER AS days,
       s.tou_source::UTINYINT AS tou_source,
       s.read_flags::INTEGER AS read_flags,
       coalesce(s.kwh, 0)::DOUBLE AS kwh,
       coalesce(s.kwh_sharp, 0)::DOUBLE AS kwh_sharp,
       coalesce(s.kwh_peak, 0)::DOUBLE AS kwh_peak,
       coalesce(s.kwh_flat, 0)::DOUBLE AS kwh_flat,
       coalesce(s.kwh_valley, 0)::DOUBLE AS kwh_valley,
       coalesce(s.demand, 'NaN'::DOUBLE)::DOUBLE AS demand,
       coalesce(s.d_sharp, 'NaN'::DOUBLE)::DOUBLE AS demand_sharp,
       coalesce(s.d_peak, 'NaN'::DOUBLE)::DOUBLE AS demand_peak,
       coalesce(s.d_flat, 'NaN'::DOUBLE)::DOUBLE AS demand_flat,
       coalesce(s.d_valley, 'NaN'::DOUBLE)::DOUBLE AS demand_valley,
       coalesce(s.kvarh, 'NaN'::DOUBLE)::DOUBLE AS kvarh,
       coalesce(s.capacity_milli, 'NaN'::DOUBLE) AS capacity,
       coalesce(s.prev_kpd, 'NaN'::DOUBLE)::DOUBLE AS prev_kpd,
       coalesce(s.prev_amount, 'NaN'::DOUBLE)::DOUBLE AS prev_amount,
       coalesce(s.prev_start, DATE '1970-01-01') AS prev_start,
       coalesce(s.prev_days, 0)::INTEGER AS prev_days,
       coalesce(s.yoy_kpd, 'NaN'::DOUBLE)::DOUBLE AS yoy_kpd,
       coalesce(s.yoy_amount, 'NaN'::DOUBLE)::DOUBLE AS yoy_amount,
       coalesce(s.base_median, 'NaN'::DOUBLE)::DOUBLE AS base_median,
       coalesce(s.base_mad, 'NaN'::DOUBLE)::DOUBLE AS base_mad,
       coalesce(s.base_log_mad, 'NaN'::DOUBLE)::DOUBLE AS base_log_mad,
       coalesce(s.base_max, 'NaN'::DOUBLE)::DOUBLE AS base_max,
       s.base_n::INTEGER AS base_n,
       coalesce(s.recent_log_level, 'NaN'::DOUBLE)::DOUBLE AS recent_log_level,
       s.recent_n::INTEGER AS recent_n,
       coalesce(s.yoy_recent_log_level, 'NaN'::DOUBLE)::DOUBLE AS yoy_recent_log_level,
       s.ytd_kwh::DOUBLE AS ytd_kwh,
       s.ytd_amount::DOUBLE AS ytd_amount,
       s.est_streak::INTEGER AS est_streak,
       s.est_kwh::DOUBLE AS est_kwh,
       s.est_days::INTEGER AS est_days,
       coalesce(s.last_actual_kpd, 'NaN'::DOUBLE)::DOUBLE AS last_actual_kpd,
       coalesce(s.last_kpd, 'NaN'::DOUBLE)::DOUBLE AS last_kpd,
       coalesce(s.shift_since, 0)::INTEGER AS shift_since,
       s.shift_n::INTEGER AS shift_n,
       coalesce(s.shift_flags, 0)::INTEGER AS shift_flags,
       s.shift_released::INTEGER AS shift_released,
       coalesce(s.demand_median, 'NaN'::DOUBLE)::DOUBLE AS demand_median,
       coalesce(s.pf_median, 'NaN'::DOUBLE)::DOUBLE AS pf_median,
       coalesce(s.yoy_level, 'NaN'::DOUBLE)::DOUBLE AS yoy_level,
       coalesce(s.since_low, 'NaN'::DOUBLE)::DOUBLE AS since_low,
       coalesce(s.since_high, 'NaN'::DOUBLE)::DOUBLE AS since_high,
       coalesce(p.peer_mom, 'NaN'::DOUBLE)::DOUBLE AS peer_mom,
       coalesce(p.peer_yoy, 'NaN'::DOUBLE)::DOUBLE AS peer_yoy,
       coalesce(p.peer_base, 'NaN'::DOUBLE)::DOUBLE AS peer_base,
       coalesce(p.peer_n, 0)::INTEGER AS peer_n,
       coalesce(p.class_mom, 'NaN'::DOUBLE)::DOUBLE AS class_mom,
       coalesce(p.class_yoy, 'NaN'::DOUBLE)::DOUBLE AS class_yoy,
       coalesce(p.class_base, 'NaN'::DOUBLE)::DOUBLE AS class_base,
       coalesce(p.class_n, 0)::INTEGER AS class_n,
       coalesce(p.peer_spread, 'NaN'::DOUBLE)::DOUBLE AS peer_spread,
       coalesce(p.class_spread, 'NaN'::DOUBLE)::DOUBLE AS class_spread,
       coalesce(p.peer_demand, 'NaN'::DOUBLE)::DOUBLE AS peer_demand,
       coalesce(p.class_demand, 'NaN'::DOUBLE)::DOUBLE AS class_demand,
       coalesce(p.region_mom, 'NaN'::DOUBLE)::DOUBLE AS region_mom,
       coalesce(p.region_yoy, 'NaN'::DOUBLE)::DOUBLE AS region_yoy,
       coalesce(p.region_base, 'NaN'::DOUBLE)::DOUBLE AS region_base,
       coalesce(p.region_n, 0)::INTEGER AS region_n,
       coalesce(s.tou_kwh, 'NaN'::DOUBLE)::DOUBLE AS tou_kwh,
       coalesce(sc.level_scale, 1)::DOUBLE AS level_scale,
       coalesce(sc.shift_scale, 1)::DOUBLE AS shift_scale
FROM run_staging s JOIN run_tariffs t USING (tariff_id)
LEFT JOIN run_peers p USING (customer_class, region)
LEFT JOIN run_scales sc USING (customer_class)
WHERE s.account_key >= $lo AND s.account_key < $hi;

-- name: tariffs
-- The price policies the staged accounts use (latest revision), numbered for the workers.
CREATE OR REPLACE TABLE run_tariffs AS
SELECT (row_number() OVER (ORDER BY s.tariff_id) - 1)::INTEGER AS tariff_code, s.tariff_id,
       p.revision, p.policy::VARCHAR AS policy
FROM (SELECT DISTINCT tariff_id FROM run_staging) s
LEFT JOIN (SELECT tariff_id, arg_max(revision, revision) AS revision, arg_max(policy, revision) AS policy
           FROM tariff_policies GROUP BY ALL) p USING (tariff_id);
