-- The store's first schema: inputs (accounts, meters, readings, intervals, tariffs), bill runs and
-- their results. Big tables carry integer surrogate keys and no indexes: DuckDB scans and hash
-- joins them faster than it maintains ART indexes over tens of millions of rows.

CREATE TYPE customer_class AS ENUM ('residential', 'commercial', 'industrial', 'agricultural');
CREATE TYPE register_kind AS ENUM ('total', 'sharp', 'peak', 'flat', 'valley', 'demand_kw', 'reactive_kvarh');
CREATE TYPE read_type AS ENUM ('actual', 'estimated', 'customer');
CREATE TYPE bill_status AS ENUM ('ready', 'held', 'released', 'dismissed', 'escalated', 'corrected');
CREATE TYPE run_status AS ENUM ('running', 'finalizing', 'done');

-- Every file ever loaded, for run manifests (checksum, counts) and for tracing a row to its line.
CREATE TABLE input_files (
  file_key INTEGER NOT NULL,
  kind VARCHAR NOT NULL,            -- accounts | readings | intervals | tariff
  path VARCHAR NOT NULL,
  sha256 VARCHAR NOT NULL,
  rows_read BIGINT NOT NULL,
  rows_loaded BIGINT NOT NULL,      -- new or changed rows
  rows_unchanged BIGINT NOT NULL,   -- already in the store: a reload does not double them
  rows_rejected BIGINT NOT NULL,
  loaded_at TIMESTAMP NOT NULL
);

CREATE TABLE accounts (
  account_key INTEGER NOT NULL,
  account_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  address VARCHAR NOT NULL,
  customer_class customer_class NOT NULL,
  tariff_id VARCHAR NOT NULL,
  region VARCHAR NOT NULL,
  meter_id VARCHAR NOT NULL,
  multiplier DECIMAL(12, 4) NOT NULL,
  register_digits TINYINT NOT NULL,
  household_size SMALLINT,
  start_date DATE NOT NULL,
  end_date DATE,
  contract_kva DECIMAL(12, 3),
  pf_standard DECIMAL(3, 2),
  previous_meter_id VARCHAR,
  meter_exchanged_at DATE,
  file_key INTEGER NOT NULL,
  line BIGINT NOT NULL
);

-- Which meter served which account when: the current meter from the account master, and the
-- meters it replaced (kept across loads, so older exchanges stay billable).
CREATE TABLE meters (
  meter_key INTEGER NOT NULL,
  meter_id VARCHAR NOT NULL,
  account_key INTEGER NOT NULL,
  installed_on DATE,
  removed_on DATE
);

CREATE TABLE readings (
  meter_key INTEGER NOT NULL,
  read_date DATE NOT NULL,
  read_at TIMESTAMP NOT NULL,
  register register_kind NOT NULL,
  value_milli BIGINT NOT NULL,      -- register value × 1000, exact
  read_type read_type NOT NULL,
  file_key INTEGER NOT NULL,
  line BIGINT NOT NULL
);

CREATE TABLE intervals (
  meter_key INTEGER NOT NULL,
  interval_start TIMESTAMP NOT NULL,
  interval_minutes SMALLINT NOT NULL,
  wh BIGINT NOT NULL,               -- kWh × 1000, exact
  file_key INTEGER NOT NULL,
  line BIGINT NOT NULL
);

-- Price policies: every loaded document is kept (revision), the latest revision is in force.
CREATE TABLE tariff_policies (
  tariff_id VARCHAR NOT NULL,
  revision INTEGER NOT NULL,
  name VARCHAR NOT NULL,
  currency VARCHAR NOT NULL,
  policy JSON NOT NULL,
  file_key INTEGER NOT NULL,
  loaded_at TIMESTAMP NOT NULL
);

CREATE TABLE tariff_versions (
  tariff_id VARCHAR NOT NULL,
  revision INTEGER NOT NULL,
  version VARCHAR NOT NULL,
  effective_from DATE NOT NULL,
  effective_to DATE
);

-- TOU schedule of each version, hour by hour, so SQL can classify interval data.
CREATE TABLE tariff_schedule (
  tariff_id VARCHAR NOT NULL,
  revision INTEGER NOT NULL,
  version VARCHAR NOT NULL,
  month TINYINT NOT NULL,
  day_type VARCHAR NOT NULL,        -- weekday | weekend (holidays count as weekend)
  hour TINYINT NOT NULL,
  period VARCHAR NOT NULL
);

CREATE TABLE tariff_holidays (
  tariff_id VARCHAR NOT NULL,
  revision INTEGER NOT NULL,
  version VARCHAR NOT NULL,
  holiday DATE NOT NULL
);

CREATE TABLE runs (
  run_id INTEGER NOT NULL,
  period INTEGER NOT NULL,          -- YYYYMM
  bill_version SMALLINT NOT NULL,
  status run_status NOT NULL,
  batch_size INTEGER NOT NULL,
  batch_count INTEGER NOT NULL,
  accounts_in BIGINT NOT NULL,
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP,
  options JSON NOT NULL,
  manifest JSON
);

CREATE TABLE run_batches (
  run_id INTEGER NOT NULL,
  batch_no INTEGER NOT NULL,
  accounts INTEGER NOT NULL,
  billed INTEGER NOT NULL,
  held INTEGER NOT NULL,
  errored INTEGER NOT NULL,
  amount_minor BIGINT NOT NULL,
  line_items BIGINT NOT NULL,
  price_ms DOUBLE NOT NULL,
  write_ms DOUBLE NOT NULL
);

-- Bill-level dimension: tariff, versions and currency that priced a bill (few distinct values).
CREATE TABLE bill_contexts (
  context_key BIGINT NOT NULL,
  tariff_id VARCHAR NOT NULL,
  versions VARCHAR NOT NULL,
  currency VARCHAR NOT NULL
);

CREATE TABLE bills (
  account_key INTEGER NOT NULL,
  period INTEGER NOT NULL,
  bill_version SMALLINT NOT NULL,
  run_id INTEGER NOT NULL,
  is_current BOOLEAN NOT NULL,
  status bill_status NOT NULL,
  start_date DATE NOT NULL,
  end_date DATE NOT NULL,
  days SMALLINT NOT NULL,
  kwh_milli BIGINT NOT NULL,
  kwh_sharp_milli BIGINT,
  kwh_peak_milli BIGINT,
  kwh_flat_milli BIGINT,
  kwh_valley_milli BIGINT,
  demand_milli BIGINT,
  kvarh_milli BIGINT,
  amount_minor BIGINT NOT NULL,
  tax_included_minor BIGINT NOT NULL,
  context_key BIGINT NOT NULL,
  read_flags INTEGER NOT NULL,      -- bit set of meter events, see src/billing/readFlags.ts
  flag_count SMALLINT NOT NULL,
  score DOUBLE NOT NULL
);

-- Line-item dimension: what a charge is (component, label, unit, rate, tariff version).
CREATE TABLE charges (
  charge_key BIGINT NOT NULL,
  component VARCHAR NOT NULL,
  label VARCHAR NOT NULL,
  unit VARCHAR NOT NULL,
  rate VARCHAR NOT NULL,
  tariff_id VARCHAR NOT NULL,
  tariff_version VARCHAR NOT NULL
);

CREATE TABLE line_items (
  account_key INTEGER NOT NULL,
  period INTEGER NOT NULL,
  bill_version SMALLINT NOT NULL,
  seq SMALLINT NOT NULL,
  charge_key BIGINT NOT NULL,
  quantity_milli BIGINT NOT NULL,
  amount_minor BIGINT NOT NULL
);

CREATE TABLE flags (
  account_key INTEGER NOT NULL,
  period INTEGER NOT NULL,
  bill_version SMALLINT NOT NULL,
  rule_id VARCHAR NOT NULL,
  severity VARCHAR NOT NULL,
  suppressed BOOLEAN NOT NULL,
  score DOUBLE NOT NULL,
  reason VARCHAR NOT NULL,
  rules_version VARCHAR NOT NULL
);

CREATE TABLE bill_errors (
  run_id INTEGER NOT NULL,
  account_key INTEGER NOT NULL,
  period INTEGER NOT NULL,
  code VARCHAR NOT NULL,
  message VARCHAR NOT NULL
);
