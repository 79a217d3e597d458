-- Account master: check every staged row, then upsert the good ones and their meters.
-- Input: temp table raw_rows(line, <account columns as text>). Output: rejects and the store.

-- name: check
-- One problem per row (the first that applies), as (column, value, reason), and what a good row
-- does to the store: a new account, a change to a stored one, or nothing. One statement and one
-- table of the row's typed values: each materialised copy of a million wide rows costs seconds.
CREATE OR REPLACE TEMP TABLE account_checks AS
WITH src AS NOT MATERIALIZED (
  SELECT r.line,
         nullif(trim(r.account_id), '') AS account_id,
         nullif(trim(r.name), '') AS name,
         nullif(trim(r.address), '') AS address,
         nullif(trim(r.customer_class), '') AS customer_class,
         nullif(trim(r.tariff_id), '') AS tariff_id,
         nullif(trim(r.region), '') AS region,
         nullif(trim(r.meter_id), '') AS meter_id,
         nullif(trim(r.multiplier), '') AS multiplier_text,
         nullif(trim(r.register_digits), '') AS digits_text,
         nullif(trim(r.household_size), '') AS household_text,
         nullif(trim(r.start_date), '') AS start_text,
         nullif(trim(r.end_date), '') AS end_text,
         nullif(trim(r.contract_kva), '') AS kva_text,
         nullif(trim(r.pf_standard), '') AS pf_text,
         nullif(trim(r.previous_meter_id), '') AS previous_meter_id,
         nullif(trim(r.meter_exchanged_at), '') AS exchanged_text
  FROM raw_rows r
),
typed AS (
  SELECT s.*,
         -- Plain decimal text only, never rounded (migration 016): NULL, and a reason below, otherwise.
         CASE WHEN multiplier_text IS NULL THEN 1 WHEN plain_decimal(multiplier_text, 4)
              THEN try_cast(multiplier_text AS DECIMAL(12, 4)) END AS multiplier,
         CASE WHEN digits_text IS NULL THEN 6 WHEN whole_number_text(digits_text) THEN try_cast(digits_text AS TINYINT) END AS register_digits,
         CASE WHEN whole_number_text(household_text) THEN try_cast(household_text AS SMALLINT) END AS household_size,
         calendar_date(start_text) AS start_date,
         calendar_date(end_text) AS end_date,
         CASE WHEN plain_decimal(kva_text, 3) THEN try_cast(kva_text AS DECIMAL(12, 3)) END AS contract_kva,
         CASE WHEN plain_decimal(pf_text, 2) THEN try_cast(pf_text AS DECIMAL(3, 2)) END AS pf_standard,
         calendar_date(exchanged_text) AS meter_exchanged_at
  FROM src s
),
-- Repeats by aggregation, not by a window over every row: a window carries all the row's
-- columns through its sort (1M accounts: ~20 s of the load against well under a second).
repeated_accounts AS (
  SELECT account_id, min(line) AS first_line_of_account
  FROM src WHERE account_id IS NOT NULL GROUP BY ALL HAVING count(*) > 1
),
repeated_meters AS (
  SELECT meter_id, min(line) AS first_line_of_meter
  FROM src WHERE meter_id IS NOT NULL GROUP BY ALL HAVING count(*) > 1
),
-- The accounts a stored meter is on record for: usually one, but two account rows may both name
-- the same previous meter. The smallest and largest name another account than the row's own
-- whenever there is one.
meter_owners AS (
  SELECT m.meter_id, min(a.account_id) AS first_owner, max(a.account_id) AS last_owner
  FROM meters m JOIN accounts a USING (account_key)
  WHERE m.meter_id IN (SELECT meter_id FROM src)
  GROUP BY m.meter_id
),
joined AS (
  SELECT t.*, ra.first_line_of_account, rm.first_line_of_meter,
         p.tariff_id IS NOT NULL AS tariff_known,
         CASE WHEN o.first_owner <> t.account_id THEN o.first_owner
              WHEN o.last_owner <> t.account_id THEN o.last_owner END AS meter_owner
  FROM typed t
  LEFT JOIN repeated_accounts ra USING (account_id)
  LEFT JOIN repeated_meters rm USING (meter_id)
  LEFT JOIN (SELECT DISTINCT tariff_id FROM tariff_policies) p USING (tariff_id)
  LEFT JOIN meter_owners o USING (meter_id)
),
stored AS (
  SELECT t.line, a.account_key AS existing_key,
         CASE
           WHEN a.name = t.name AND a.address = t.address AND a.customer_class::VARCHAR = t.customer_class
            AND a.tariff_id = t.tariff_id AND a.region = t.region AND a.meter_id = t.meter_id
            AND a.multiplier = t.multiplier AND a.register_digits = t.register_digits
            AND a.household_size IS NOT DISTINCT FROM t.household_size AND a.start_date = t.start_date
            AND a.end_date IS NOT DISTINCT FROM t.end_date AND a.contract_kva IS NOT DISTINCT FROM t.contract_kva
            AND a.pf_standard IS NOT DISTINCT FROM t.pf_standard
            AND a.previous_meter_id IS NOT DISTINCT FROM t.previous_meter_id
            AND a.meter_exchanged_at IS NOT DISTINCT FROM t.meter_exchanged_at THEN 'unchanged'
           ELSE 'changed'
         END AS change
  FROM typed t JOIN accounts a USING (account_id)
),
-- Each column's reason, if any; the row's problem is the first. Only a failing row builds it.
reasons AS (
  SELECT j.*,
    CASE
      WHEN account_id IS NULL THEN 'is required'
      WHEN NOT regexp_full_match(account_id, '[A-Za-z0-9_-]{1,32}') THEN 'must be 1–32 of A–Z a–z 0–9 _ -'
      WHEN line > first_line_of_account THEN 'duplicate account: already on line ' || first_line_of_account END AS why_account_id,
    CASE WHEN name IS NULL THEN 'is required' END AS why_name,
    CASE WHEN address IS NULL THEN 'is required' END AS why_address,
    CASE
      WHEN customer_class IS NULL THEN 'is required'
      WHEN customer_class NOT IN ('residential', 'commercial', 'industrial', 'agricultural')
        THEN 'must be one of residential, commercial, industrial, agricultural' END AS why_customer_class,
    CASE
      WHEN tariff_id IS NULL THEN 'is required'
      WHEN NOT tariff_known THEN 'unknown tariff (load the price policy first: billrun tariff load FILE)' END AS why_tariff_id,
    CASE WHEN region IS NULL THEN 'is required' END AS why_region,
    CASE
      WHEN meter_id IS NULL THEN 'is required'
      WHEN line > first_line_of_meter THEN 'meter already used on line ' || first_line_of_meter
      WHEN meter_owner IS NOT NULL THEN 'meter already serves account ' || meter_owner END AS why_meter_id,
    CASE
      WHEN multiplier IS NULL AND decimal_text(multiplier_text) AND more_decimals_than(multiplier_text, 4) THEN 'has more than 4 decimals'
      WHEN multiplier IS NULL AND decimal_text(multiplier_text) THEN 'too large: at most 99999999.9999'
      WHEN multiplier IS NULL THEN 'not a number' WHEN multiplier <= 0 THEN 'must be greater than 0' END AS why_multiplier,
    CASE
      WHEN register_digits IS NULL OR register_digits < 3 OR register_digits > 12 THEN 'must be a whole number from 3 to 12' END AS why_register_digits,
    CASE
      WHEN household_text IS NOT NULL AND (household_size IS NULL OR household_size < 1) THEN 'must be a whole number of at least 1' END AS why_household_size,
    CASE
      WHEN start_text IS NULL THEN 'is required' WHEN start_date IS NULL THEN 'not a date (YYYY-MM-DD)' END AS why_start_date,
    CASE
      WHEN end_text IS NOT NULL AND end_date IS NULL THEN 'not a date (YYYY-MM-DD)'
      WHEN end_date < start_date THEN 'is before start_date' END AS why_end_date,
    CASE
      WHEN kva_text IS NOT NULL AND decimal_text(kva_text) AND more_decimals_than(kva_text, 3) THEN 'has more than 3 decimals'
      WHEN kva_text IS NOT NULL AND (contract_kva IS NULL OR contract_kva <= 0) THEN 'must be a number greater than 0' END AS why_contract_kva,
    CASE
      WHEN pf_text IS NOT NULL AND (pf_standard IS NULL OR pf_standard NOT IN (0.90, 0.85, 0.80)) THEN 'must be 0.90, 0.85 or 0.80' END AS why_pf_standard,
    CASE
      WHEN previous_meter_id IS NOT NULL AND exchanged_text IS NULL THEN 'needs meter_exchanged_at'
      WHEN previous_meter_id = meter_id THEN 'is the same as meter_id' END AS why_previous_meter_id,
    CASE
      WHEN exchanged_text IS NOT NULL AND meter_exchanged_at IS NULL THEN 'not a date (YYYY-MM-DD)'
      WHEN exchanged_text IS NOT NULL AND previous_meter_id IS NULL THEN 'needs previous_meter_id'
      WHEN meter_exchanged_at < start_date THEN 'is before start_date' END AS why_meter_exchanged_at
  FROM joined j
)
SELECT j.line, j.account_id, j.name, j.address, j.customer_class, j.tariff_id, j.region, j.meter_id,
  j.multiplier, j.register_digits, j.household_size, j.start_date, j.end_date, j.contract_kva,
  j.pf_standard, j.previous_meter_id, j.meter_exchanged_at,
  coalesce(s.change, 'new') AS change, s.existing_key,
  CASE
    WHEN why_account_id IS NOT NULL THEN {'col': 'account_id', 'val': account_id, 'why': why_account_id}
    WHEN why_name IS NOT NULL THEN {'col': 'name', 'val': name, 'why': why_name}
    WHEN why_address IS NOT NULL THEN {'col': 'address', 'val': address, 'why': why_address}
    WHEN why_customer_class IS NOT NULL THEN {'col': 'customer_class', 'val': customer_class, 'why': why_customer_class}
    WHEN why_tariff_id IS NOT NULL THEN {'col': 'tariff_id', 'val': tariff_id, 'why': why_tariff_id}
    WHEN why_region IS NOT NULL THEN {'col': 'region', 'val': region, 'why': why_region}
    WHEN why_meter_id IS NOT NULL THEN {'col': 'meter_id', 'val': meter_id, 'why': why_meter_id}
    WHEN why_multiplier IS NOT NULL THEN {'col': 'multiplier', 'val': multiplier_text, 'why': why_multiplier}
    WHEN why_register_digits IS NOT NULL THEN {'col': 'register_digits', 'val': digits_text, 'why': why_register_digits}
    WHEN why_household_size IS NOT NULL THEN {'col': 'household_size', 'val': household_text, 'why': why_household_size}
    WHEN why_start_date IS NOT NULL THEN {'col': 'start_date', 'val': start_text, 'why': why_start_date}
    WHEN why_end_date IS NOT NULL THEN {'col': 'end_date', 'val': end_text, 'why': why_end_date}
    WHEN why_contract_kva IS NOT NULL THEN {'col': 'contract_kva', 'val': kva_text, 'why': why_contract_kva}
    WHEN why_pf_standard IS NOT NULL THEN {'col': 'pf_standard', 'val': pf_text, 'why': why_pf_standard}
    WHEN why_previous_meter_id IS NOT NULL THEN {'col': 'previous_meter_id', 'val': previous_meter_id, 'why': why_previous_meter_id}
    WHEN why_meter_exchanged_at IS NOT NULL THEN {'col': 'meter_exchanged_at', 'val': exchanged_text, 'why': why_meter_exchanged_at}
  END AS problem
FROM reasons j LEFT JOIN stored s USING (line);

-- name: rejects
SELECT line, problem.col AS column_name, problem.val AS value, problem.why AS reason
FROM account_checks WHERE problem IS NOT NULL ORDER BY line;

-- name: number-new
-- Keys of the new accounts: $first_key onwards in line order (a sort of the lines alone).
CREATE OR REPLACE TEMP TABLE new_account_keys AS
SELECT line, $first_key + row_number() OVER (ORDER BY line) - 1 AS account_key
FROM account_checks WHERE problem IS NULL AND change = 'new';

-- name: good-rows
-- The good rows with their account keys.
CREATE OR REPLACE TEMP VIEW account_good AS
SELECT c.* EXCLUDE (problem), coalesce(c.existing_key, k.account_key) AS account_key
FROM account_checks c LEFT JOIN new_account_keys k USING (line)
WHERE c.problem IS NULL;

-- name: update-changed
UPDATE accounts SET
  name = g.name, address = g.address, customer_class = g.customer_class, tariff_id = g.tariff_id,
  region = g.region, meter_id = g.meter_id, multiplier = g.multiplier, register_digits = g.register_digits,
  household_size = g.household_size, start_date = g.start_date, end_date = g.end_date,
  contract_kva = g.contract_kva, pf_standard = g.pf_standard, previous_meter_id = g.previous_meter_id,
  meter_exchanged_at = g.meter_exchanged_at, file_key = $file_key, line = g.line
FROM account_good g
WHERE g.change = 'changed' AND accounts.account_key = g.existing_key;

-- name: insert-new
-- In key order, so that a range of account keys is a range of the table's row groups.
INSERT INTO accounts
SELECT account_key, account_id, name, address, customer_class, tariff_id,
       region, meter_id, multiplier, register_digits, household_size, start_date, end_date, contract_kva,
       pf_standard, previous_meter_id, meter_exchanged_at, $file_key, line
FROM account_good WHERE change = 'new'
ORDER BY account_key;

-- name: assign-meters
-- The current meter serves from the exchange date (or the account's start); a replaced meter
-- served until the exchange. Meters already known keep their key.
INSERT INTO meters
SELECT $first_key + row_number() OVER (ORDER BY m.account_key, m.meter_id) - 1, m.meter_id, m.account_key, m.installed_on, m.removed_on
FROM (
  SELECT account_key, meter_id, coalesce(meter_exchanged_at, start_date) AS installed_on, NULL::DATE AS removed_on
  FROM account_good
  UNION ALL
  SELECT account_key, previous_meter_id, start_date, meter_exchanged_at
  FROM account_good WHERE previous_meter_id IS NOT NULL
) m
WHERE NOT EXISTS (SELECT 1 FROM meters x WHERE x.meter_id = m.meter_id);

-- name: close-replaced-meters
UPDATE meters SET removed_on = g.meter_exchanged_at
FROM account_good g
WHERE g.previous_meter_id IS NOT NULL AND meters.meter_id = g.previous_meter_id AND meters.removed_on IS NULL;
