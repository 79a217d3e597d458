-- The SQL twin of the month's run: after the same determinants stage as the bill run
-- (stageDeterminants: run_staging with every account's quantities and history features, run_peers,
-- run_tariffs), the bills of the policies the twin can price are priced here, in SQL, and written
-- with their line items. It does what the run's workers do for those accounts except the review
-- rules and the re-pricing of the previous period, so pipeline / twin says what the worker
-- architecture costs for the same work.
--
-- twin_blocks (made by twin.ts from the stored policies) holds, per policy and billing month, the
-- energy blocks in Wh: [lower, upper) for a household and for a large one (bonus), and the rate in
-- units of 1e-8. twin_policies holds the monthly minimum (minor units) and the included tax rate
-- (1e-8). Money: Wh × rate_e8 is in units of 1e-11 of the currency, 1e9 of them to a minor unit
-- (two-decimal currencies only, which twin.ts checks).

-- name: line-items
-- The energy lines of every account the workers would price (reads, an opening read, a policy the
-- twin prices), settled as one charge: each line is the rounded running total less the one before,
-- so the lines always sum to the rounded charge (the engine's settleAmounts).
CREATE OR REPLACE TEMP TABLE twin_line_items AS
WITH billed AS (
  SELECT s.account_key, s.tariff_id, greatest(s.kwh, 0)::BIGINT AS wh, s.household_size
  FROM run_staging s JOIN twin_policies p USING (tariff_id)
  WHERE s.read_flags & 2048 = 0 AND s.days > 0
),
energy AS (
  SELECT b.account_key, k.tier, k.rate_e8,
         least(b.wh, coalesce(CASE WHEN b.household_size >= k.min_members THEN k.bonus_upper ELSE k.upper END, b.wh))
           - CASE WHEN b.household_size >= k.min_members THEN k.bonus_lower ELSE k.lower END AS quantity
  FROM billed b JOIN twin_blocks k ON k.tariff_id = b.tariff_id AND k.month = $month
)
SELECT account_key, (row_number() OVER w - 1)::INTEGER AS seq, quantity::BIGINT AS quantity_milli,
       (((sum(quantity::HUGEINT * rate_e8) OVER w + 500000000) // 1000000000)
        - coalesce((sum(quantity::HUGEINT * rate_e8) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) + 500000000) // 1000000000, 0))::BIGINT
         AS amount_minor
FROM energy WHERE quantity > 0
WINDOW w AS (PARTITION BY account_key ORDER BY tier);

-- name: bills
-- Each bill: its energy, the monthly minimum's top-up, and the tax inside the total
-- (total × rate / (1 + rate), rounded half-up). Accounts without energy lines (no use) are billed too.
CREATE OR REPLACE TEMP TABLE twin_bills AS
WITH energy AS (
  SELECT s.account_key, s.tariff_id, coalesce(sum(l.amount_minor), 0)::BIGINT AS amount, count(l.seq)::INTEGER AS lines
  FROM run_staging s JOIN twin_policies p USING (tariff_id) LEFT JOIN twin_line_items l USING (account_key)
  WHERE s.read_flags & 2048 = 0 AND s.days > 0
  GROUP BY ALL
),
topped AS (
  SELECT e.account_key, e.amount, e.lines, greatest(p.minimum_minor - e.amount, 0)::BIGINT AS top_up, p.tax_included_e8
  FROM energy e JOIN twin_policies p USING (tariff_id)
)
SELECT account_key, (amount + top_up)::BIGINT AS amount_minor, top_up, lines,
       (((amount + top_up)::HUGEINT * tax_included_e8 * 2 + (100000000 + tax_included_e8))
         // (2 * (100000000 + tax_included_e8)))::BIGINT AS tax_included_minor
FROM topped;

-- name: top-up-lines
-- The minimum's top-up line after the energy lines: its quantity is the shortfall in thousandths
-- of the currency unit, at a rate of 1.
INSERT INTO twin_line_items
SELECT account_key, lines AS seq, top_up * 10 AS quantity_milli, top_up AS amount_minor FROM twin_bills WHERE top_up > 0;
