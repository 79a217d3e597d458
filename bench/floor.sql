-- The floor: one hand-written statement that does the essential work of a month's run for the same
-- data — the period's consumption from opening and closing register reads (with the multiplier),
-- a simple tiered bill (GD-RES summer tiers for every account), and the month-over-month and
-- year-over-year kWh/day ratios from the stored history — and materialises the result. The
-- pipeline does more (every tariff component, line items, review rules, outputs, a manifest);
-- this is the cost below which no design on this stack can go.

-- name: floor
CREATE OR REPLACE TEMP TABLE floor_bills AS
WITH reads AS (
  SELECT meter_key, read_date, value_milli
  FROM readings
  WHERE register = 'total' AND read_date >= $lookback AND read_date < $next
),
per_meter AS (
  SELECT meter_key,
         arg_max(value_milli, read_date) FILTER (WHERE read_date >= $first) AS close_value,
         max(read_date) FILTER (WHERE read_date >= $first) AS close_date,
         arg_max(value_milli, read_date) FILTER (WHERE read_date < $first) AS open_value,
         max(read_date) FILTER (WHERE read_date < $first) AS open_date
  FROM reads GROUP BY meter_key
),
consumption AS (
  SELECT m.account_key,
         sum((p.close_value - p.open_value) * a.multiplier)::DOUBLE / 1000 AS kwh,
         (max(p.close_date) - min(p.open_date)) AS days
  FROM per_meter p JOIN meters m USING (meter_key) JOIN accounts a USING (account_key)
  WHERE p.close_value IS NOT NULL AND p.open_value IS NOT NULL
  GROUP BY m.account_key
),
history AS (
  SELECT account_key,
         max(kwh_milli / days) FILTER (WHERE period = $prev) AS prev_kpd,
         max(kwh_milli / days) FILTER (WHERE period = $yoy) AS yoy_kpd
  FROM bills WHERE is_current AND period IN ($prev, $yoy) AND days > 0
  GROUP BY account_key
)
SELECT c.account_key, c.kwh, c.days,
       round(least(c.kwh, 260) * 0.58886875
             + greatest(least(c.kwh, 600) - 260, 0) * 0.63886875
             + greatest(c.kwh - 600, 0) * 0.88886875, 2) AS amount,
       (c.kwh * 1000 / nullif(c.days, 0)) / h.prev_kpd AS mom_ratio,
       (c.kwh * 1000 / nullif(c.days, 0)) / h.yoy_kpd AS yoy_ratio
FROM consumption c LEFT JOIN history h USING (account_key);
