-- Account master: check every staged row, then upsert the good ones and their meters.
-- Input: temp table raw_rows(line, <account columns as text>). Output: rejects and the store.

-- name: check
-- One problem per row (the first that applies), as (column, value, reason).
CREATE OR REPLACE TEMP TABLE account_checks AS
WITH src AS (
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
         coalesce(try_cast(multiplier_text AS DECIMAL(12, 4)), CASE WHEN multiplier_text IS NULL THEN 1 END) AS multiplier,
         coalesce(try_cast(digits_text AS TINYINT), CASE WHEN digits_text IS NULL THEN 6 END) AS register_digits,
         try_cast(household_text AS SMALLINT) AS household_size,
         try_cast(start_text AS DATE) AS start_date,
         try_cast(end_text AS DATE) AS end_date,
         try_cast(kva_text AS DECIMAL(12, 3)) AS contract_kva,
         try_cast(pf_text AS DECIMAL(3, 2)) AS pf_standard,
         try_cast(exchanged_text AS DATE) AS meter_exchanged_at,
         min(line) OVER (PARTITION BY account_id) AS first_line_of_account,
         min(line) OVER (PARTITION BY meter_id) AS first_line_of_meter
  FROM src s
),
joined AS (
  SELECT t.*,
         EXISTS (SELECT 1 FROM tariff_policies p WHERE p.tariff_id = t.tariff_id) AS tariff_known,
         (SELECT a.account_id FROM meters m JOIN accounts a USING (account_key)
           WHERE m.meter_id = t.meter_id AND a.account_id <> t.account_id LIMIT 1) AS meter_owner
  FROM typed t
)
SELECT j.*,
  list_filter([
    {'col': 'account_id', 'val': account_id, 'why': CASE
       WHEN account_id IS NULL THEN 'is required'
       WHEN NOT regexp_full_match(account_id, '[A-Za-z0-9_-]{1,32}') THEN 'must be 1–32 of A–Z a–z 0–9 _ -'
       WHEN line > first_line_of_account THEN 'duplicate account: already on line ' || first_line_of_account END},
    {'col': 'name', 'val': name, 'why': CASE WHEN name IS NULL THEN 'is required' END},
    {'col': 'address', 'val': address, 'why': CASE WHEN address IS NULL THEN 'is required' END},
    {'col': 'customer_class', 'val': customer_class, 'why': CASE
       WHEN customer_class IS NULL THEN 'is required'
       WHEN customer_class NOT IN ('residential', 'commercial', 'industrial', 'agricultural')
         THEN 'must be one of residential, commercial, industrial, agricultural' END},
    {'col': 'tariff_id', 'val': tariff_id, 'why': CASE
       WHEN tariff_id IS NULL THEN 'is required'
       WHEN NOT tariff_known THEN 'unknown tariff (load the price policy first: billrun tariff load FILE)' END},
    {'col': 'region', 'val': region, 'why': CASE WHEN region IS NULL THEN 'is required' END},
    {'col': 'meter_id', 'val': meter_id, 'why': CASE
       WHEN meter_id IS NULL THEN 'is required'
       WHEN line > first_line_of_meter THEN 'meter already used on line ' || first_line_of_meter
       WHEN meter_owner IS NOT NULL THEN 'meter already serves account ' || meter_owner END},
    {'col': 'multiplier', 'val': multiplier_text, 'why': CASE
       WHEN multiplier IS NULL THEN 'not a number' WHEN multiplier <= 0 THEN 'must be greater than 0' END},
    {'col': 'register_digits', 'val': digits_text, 'why': CASE
       WHEN register_digits IS NULL OR register_digits < 3 OR register_digits > 12 THEN 'must be a whole number from 3 to 12' END},
    {'col': 'household_size', 'val': household_text, 'why': CASE
       WHEN household_text IS NOT NULL AND (household_size IS NULL OR household_size < 1) THEN 'must be a whole number of at least 1' END},
    {'col': 'start_date', 'val': start_text, 'why': CASE
       WHEN start_text IS NULL THEN 'is required' WHEN start_date IS NULL THEN 'not a date (YYYY-MM-DD)' END},
    {'col': 'end_date', 'val': end_text, 'why': CASE
       WHEN end_text IS NOT NULL AND end_date IS NULL THEN 'not a date (YYYY-MM-DD)'
       WHEN end_date < start_date THEN 'is before start_date' END},
    {'col': 'contract_kva', 'val': kva_text, 'why': CASE
       WHEN kva_text IS NOT NULL AND (contract_kva IS NULL OR contract_kva <= 0) THEN 'must be a number greater than 0' END},
    {'col': 'pf_standard', 'val': pf_text, 'why': CASE
       WHEN pf_text IS NOT NULL AND (pf_standard IS NULL OR pf_standard NOT IN (0.90, 0.85, 0.80)) THEN 'must be 0.90, 0.85 or 0.80' END},
    {'col': 'previous_meter_id', 'val': previous_meter_id, 'why': CASE
       WHEN previous_meter_id IS NOT NULL AND exchanged_text IS NULL THEN 'needs meter_exchanged_at'
       WHEN previous_meter_id = meter_id THEN 'is the same as meter_id' END},
    {'col': 'meter_exchanged_at', 'val': exchanged_text, 'why': CASE
       WHEN exchanged_text IS NOT NULL AND meter_exchanged_at IS NULL THEN 'not a date (YYYY-MM-DD)'
       WHEN exchanged_text IS NOT NULL AND previous_meter_id IS NULL THEN 'needs previous_meter_id'
       WHEN meter_exchanged_at < start_date THEN 'is before start_date' END}
  ], p -> p.why IS NOT NULL)[1] AS problem
FROM joined j;

-- name: rejects
SELECT line, problem.col AS column_name, problem.val AS value, problem.why AS reason
FROM account_checks WHERE problem IS NOT NULL ORDER BY line;

-- name: classify
-- Good rows: new accounts, changed ones, and rows identical to what the store holds.
CREATE OR REPLACE TEMP TABLE account_good AS
SELECT c.*, a.account_key AS existing_key,
       CASE
         WHEN a.account_key IS NULL THEN 'new'
         WHEN a.name = c.name AND a.address = c.address AND a.customer_class::VARCHAR = c.customer_class
          AND a.tariff_id = c.tariff_id AND a.region = c.region AND a.meter_id = c.meter_id
          AND a.multiplier = c.multiplier AND a.register_digits = c.register_digits
          AND a.household_size IS NOT DISTINCT FROM c.household_size AND a.start_date = c.start_date
          AND a.end_date IS NOT DISTINCT FROM c.end_date AND a.contract_kva IS NOT DISTINCT FROM c.contract_kva
          AND a.pf_standard IS NOT DISTINCT FROM c.pf_standard
          AND a.previous_meter_id IS NOT DISTINCT FROM c.previous_meter_id
          AND a.meter_exchanged_at IS NOT DISTINCT FROM c.meter_exchanged_at THEN 'unchanged'
         ELSE 'changed'
       END AS change
FROM account_checks c LEFT JOIN accounts a USING (account_id)
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
INSERT INTO accounts
SELECT $first_key + row_number() OVER (ORDER BY line) - 1, account_id, name, address, customer_class, tariff_id,
       region, meter_id, multiplier, register_digits, household_size, start_date, end_date, contract_kva,
       pf_standard, previous_meter_id, meter_exchanged_at, $file_key, line
FROM account_good WHERE change = 'new';

-- name: assign-meters
-- The current meter serves from the exchange date (or the account's start); a replaced meter
-- served until the exchange. Meters already known keep their key.
INSERT INTO meters
SELECT $first_key + row_number() OVER (ORDER BY m.account_key, m.meter_id) - 1, m.meter_id, m.account_key, m.installed_on, m.removed_on
FROM (
  SELECT a.account_key, g.meter_id, coalesce(g.meter_exchanged_at, g.start_date) AS installed_on, NULL::DATE AS removed_on
  FROM account_good g JOIN accounts a USING (account_id)
  UNION ALL
  SELECT a.account_key, g.previous_meter_id, g.start_date, g.meter_exchanged_at
  FROM account_good g JOIN accounts a USING (account_id) WHERE g.previous_meter_id IS NOT NULL
) m
WHERE NOT EXISTS (SELECT 1 FROM meters x WHERE x.meter_id = m.meter_id);

-- name: close-replaced-meters
UPDATE meters SET removed_on = g.meter_exchanged_at
FROM account_good g
WHERE g.previous_meter_id IS NOT NULL AND meters.meter_id = g.previous_meter_id AND meters.removed_on IS NULL;
