-- Statements: everything a period's statements show, staged once into sorted temp tables keyed
-- by the statement's ordinal (account_id order), then read one ordinal range per batch. The
-- temp tables live on the one connection of the run (the store may be opened read-only).
--
-- Enums travel as positions in the lists the schemas define ($statuses, $classes, $registers,
-- $read_types), so the codes the workers decode can never drift from the SQL enum order. Charges
-- and bill contexts travel as their keys (53-bit, exact in a double, see src/billing/keys.ts).

-- name: largest-region
-- Bills of the period in its largest region: sizes the shard directories (every run of the
-- period, filtered or not, must pick the same layout).
SELECT coalesce(max(n), 0)::BIGINT AS bills FROM (
  SELECT count(*) AS n FROM bills b JOIN accounts a USING (account_key)
  WHERE b.period = $period AND b.is_current GROUP BY a.region
);

-- name: scope
-- The current bill of every account the run covers (filters applied, held bills included).
CREATE OR REPLACE TEMP TABLE statement_scope AS
SELECT b.account_key, a.account_id, b.bill_version, b.status::VARCHAR AS status
FROM bills b JOIN accounts a USING (account_key)
WHERE b.period = $period AND b.is_current
  AND ($region::VARCHAR IS NULL OR a.region = $region::VARCHAR)
  AND (len($accounts::VARCHAR[]) = 0 OR list_contains($accounts::VARCHAR[], a.account_id));

-- name: scope-counts
SELECT count(*)::BIGINT AS bills,
       count(*) FILTER (WHERE list_contains($unsendable::VARCHAR[], status))::BIGINT AS held
FROM statement_scope;

-- name: missing-accounts
-- Accounts asked for by --account that have no current bill in the period.
SELECT id AS account_id FROM unnest($accounts::VARCHAR[]) t(id)
WHERE id NOT IN (SELECT account_id FROM statement_scope) ORDER BY id;

-- name: stage
-- One row per statement to render. A bill is a correction when an earlier version of the same
-- account and period was marked 'corrected' by second review (the workbench's contract).
CREATE OR REPLACE TEMP TABLE statement_staging AS
WITH corrections AS (
  SELECT b.account_key, max(b.bill_version) AS replaces_version, arg_max(b.amount_minor, b.bill_version) AS replaced_amount
  FROM bills b JOIN statement_scope s USING (account_key)
  WHERE b.period = $period AND b.status = 'corrected' AND b.bill_version < s.bill_version
  GROUP BY ALL
)
SELECT (row_number() OVER (ORDER BY a.account_id) - 1)::INTEGER AS ordinal,
       b.account_key, a.account_id, a.name, a.address, a.region, a.customer_class::VARCHAR AS customer_class,
       b.bill_version, b.status::VARCHAR AS status, b.start_date, b.end_date, b.days,
       b.kwh_milli, b.kwh_sharp_milli, b.kwh_peak_milli, b.kwh_flat_milli, b.kwh_valley_milli,
       b.demand_milli, b.kvarh_milli, b.amount_minor, b.tax_included_minor, b.context_key, b.read_flags,
       coalesce(c.replaces_version, 0) AS replaces_version, coalesce(c.replaced_amount, 0) AS replaced_amount,
       bi.interval_minutes, bi.actual AS intervals_actual, bi.estimated AS intervals_estimated, bi.missing AS intervals_missing
FROM statement_scope s
JOIN bills b ON b.account_key = s.account_key AND b.period = $period AND b.bill_version = s.bill_version
JOIN accounts a ON a.account_key = s.account_key
LEFT JOIN corrections c ON c.account_key = s.account_key
LEFT JOIN bill_intervals bi ON bi.account_key = b.account_key AND bi.period = b.period AND bi.bill_version = b.bill_version
WHERE $include_held OR NOT list_contains($unsendable::VARCHAR[], s.status)
ORDER BY ordinal;

-- name: stage-lines
CREATE OR REPLACE TEMP TABLE statement_lines AS
SELECT s.ordinal, l.seq, l.charge_key, l.quantity_milli, l.amount_minor
FROM line_items l JOIN statement_staging s
  ON l.account_key = s.account_key AND l.period = $period AND l.bill_version = s.bill_version
ORDER BY s.ordinal, l.seq;

-- name: stage-reads
-- The reads behind each bill, as the bill run takes them (src/billing/reads.sql): per meter and
-- register its opening and closing read, advance and billed quantity. A meter exchange shows
-- both meters, the removed one first.
CREATE OR REPLACE TEMP TABLE statement_reads AS
SELECT s.ordinal, m.meter_id, (m.removed_on IS NOT NULL AND m.removed_on < $next::DATE)::UTINYINT AS removed,
       coalesce(m.removed_on, r.close_at::DATE) AS removed_on,
       (list_position($registers::VARCHAR[], r.register::VARCHAR) - 1)::UTINYINT AS register_code,
       CASE WHEN r.register = 'demand_kw' THEN NULL ELSE r.open_value END AS open_value,
       r.open_at::DATE AS open_date,
       (list_position($read_types::VARCHAR[], enum_range(NULL::read_type)[r.open_type + 1]::VARCHAR) - 1)::UTINYINT AS open_type,
       r.close_value, r.close_at::DATE AS close_date,
       (list_position($read_types::VARCHAR[], enum_range(NULL::read_type)[r.close_type + 1]::VARCHAR) - 1)::UTINYINT AS close_type,
       r.advance, r.quantity_milli AS quantity, r.multiplier_e4 / 10000 AS multiplier
FROM register_advances($first, $next, (SELECT coalesce(min(account_key), 0) FROM statement_staging),
                       (SELECT coalesce(max(account_key), -1) + 1 FROM statement_staging)) r
JOIN statement_staging s USING (account_key)
JOIN meters m USING (meter_key)
ORDER BY ordinal, removed DESC, meter_id, register_code;

-- name: stage-history
-- The account's current bills of the 12 periods before this one; `back` counts months back.
CREATE OR REPLACE TEMP TABLE statement_history AS
SELECT s.ordinal, ($month_index - ((b.period // 100) * 12 + b.period % 100 - 1))::UTINYINT AS back,
       b.days, b.kwh_milli, b.amount_minor
FROM bills b JOIN statement_staging s USING (account_key)
WHERE b.is_current AND b.period >= $history_from AND b.period < $period
ORDER BY s.ordinal, back;

-- The batch statements read ranges of tables created in ordinal order and do not sort again:
-- DuckDB keeps insertion order for plain scans (preserve_insertion_order, on by default), and
-- the worker checks the order it relies on.

-- name: batch-accounts
SELECT s.ordinal, s.account_id, s.name, s.address, s.region,
       (list_position($classes::VARCHAR[], s.customer_class) - 1)::UTINYINT AS class_code,
       s.bill_version::INTEGER AS bill_version,
       (list_position($statuses::VARCHAR[], s.status) - 1)::UTINYINT AS status_code,
       s.context_key::DOUBLE AS context_key, s.start_date, s.end_date, s.days::INTEGER AS days,
       s.kwh_milli::DOUBLE AS kwh,
       coalesce(s.kwh_sharp_milli, 'NaN'::DOUBLE)::DOUBLE AS kwh_sharp,
       coalesce(s.kwh_peak_milli, 'NaN'::DOUBLE)::DOUBLE AS kwh_peak,
       coalesce(s.kwh_flat_milli, 'NaN'::DOUBLE)::DOUBLE AS kwh_flat,
       coalesce(s.kwh_valley_milli, 'NaN'::DOUBLE)::DOUBLE AS kwh_valley,
       coalesce(s.demand_milli, 'NaN'::DOUBLE)::DOUBLE AS demand,
       coalesce(s.kvarh_milli, 'NaN'::DOUBLE)::DOUBLE AS kvarh,
       s.amount_minor::DOUBLE AS amount, s.tax_included_minor::DOUBLE AS tax_included,
       s.read_flags, s.replaces_version::INTEGER AS replaces_version, s.replaced_amount::DOUBLE AS replaced_amount,
       -- -1: priced from register reads (no interval counts).
       coalesce(s.interval_minutes, -1)::INTEGER AS interval_minutes, coalesce(s.intervals_actual, -1)::INTEGER AS intervals_actual,
       coalesce(s.intervals_estimated, -1)::INTEGER AS intervals_estimated, coalesce(s.intervals_missing, -1)::INTEGER AS intervals_missing
FROM statement_staging s
WHERE s.ordinal >= $lo AND s.ordinal < $hi;

-- name: batch-lines
SELECT ordinal, charge_key::DOUBLE AS charge_key, quantity_milli::DOUBLE AS quantity, amount_minor::DOUBLE AS amount
FROM statement_lines
WHERE ordinal >= $lo AND ordinal < $hi;

-- name: batch-reads
SELECT ordinal, meter_id, removed, removed_on, register_code,
       coalesce(open_value, 'NaN'::DOUBLE)::DOUBLE AS open_value, open_date, open_type,
       close_value::DOUBLE AS close_value, close_date, close_type,
       advance::DOUBLE AS advance, quantity::DOUBLE AS quantity, multiplier
FROM statement_reads
WHERE ordinal >= $lo AND ordinal < $hi;

-- name: batch-history
SELECT ordinal, back, days::INTEGER AS days, kwh_milli::DOUBLE AS kwh, amount_minor::DOUBLE AS amount
FROM statement_history
WHERE ordinal >= $lo AND ordinal < $hi;

-- name: contexts
-- Tariff, versions and currency of the staged bills; the tariff's name is the one of its latest
-- loaded revision.
SELECT c.context_key::DOUBLE AS context_key, c.tariff_id, coalesce(p.name, c.tariff_id) AS tariff_name, c.versions, c.currency
FROM bill_contexts c
LEFT JOIN (SELECT tariff_id, arg_max(name, revision) AS name FROM tariff_policies GROUP BY ALL) p USING (tariff_id)
WHERE c.context_key IN (SELECT DISTINCT context_key FROM statement_staging)
ORDER BY c.context_key;

-- name: charges
SELECT charge_key::DOUBLE AS charge_key, component, label, unit, rate
FROM charges WHERE charge_key IN (SELECT DISTINCT charge_key FROM statement_lines)
ORDER BY charge_key;

-- name: files-table
-- The files this run produced (written or found unchanged), appended batch by batch.
CREATE OR REPLACE TEMP TABLE statement_files (
  ordinal INTEGER, format VARCHAR, draft BOOLEAN, path VARCHAR, bytes INTEGER, sha256 VARCHAR
);

-- name: index
-- The directory's file index after this run: this run's files, plus the files of an earlier run
-- that this run did not cover (other accounts under a filter, other formats).
CREATE OR REPLACE TEMP TABLE statement_index AS
SELECT s.account_id, s.region, f.format, f.path, f.bytes, f.sha256, s.bill_version::INTEGER AS bill_version,
       f.draft, s.replaces_version > 0 AS correction, s.amount_minor, c.currency
FROM statement_files f JOIN statement_staging s USING (ordinal) JOIN bill_contexts c USING (context_key)
UNION ALL
SELECT * FROM previous_index p WHERE NOT (list_contains($formats::VARCHAR[], p.format)
                                          AND (NOT $filtered OR p.account_id IN (SELECT account_id FROM statement_scope)));

-- name: previous-index
CREATE OR REPLACE TEMP TABLE previous_index AS
SELECT account_id, region, format, path, bytes, sha256, bill_version, draft, correction, amount_minor, currency
FROM read_parquet($path);

-- name: empty-previous-index
CREATE OR REPLACE TEMP TABLE previous_index (
  account_id VARCHAR, region VARCHAR, format VARCHAR, path VARCHAR, bytes INTEGER, sha256 VARCHAR,
  bill_version INTEGER, draft BOOLEAN, correction BOOLEAN, amount_minor BIGINT, currency VARCHAR
);

-- name: withdrawn
-- Files of an earlier run that this run covered but did not produce again: the bill is now held,
-- its draft became a final statement (or the reverse), or the account has no bill any more.
SELECT path FROM previous_index p
WHERE list_contains($formats::VARCHAR[], p.format)
  AND (NOT $filtered OR p.account_id IN (SELECT account_id FROM statement_scope))
  AND p.path NOT IN (SELECT path FROM statement_files)
ORDER BY path;

-- name: write-index
COPY (SELECT * FROM statement_index ORDER BY path) TO $path (FORMAT parquet, COMPRESSION zstd);

-- name: index-totals
SELECT format, draft, count(*)::BIGINT AS files, sum(bytes)::BIGINT AS bytes
FROM statement_index GROUP BY ALL ORDER BY format, draft;

-- name: index-amounts
-- Amounts of the final (not draft) statements in the directory, by currency.
SELECT currency, count(DISTINCT account_id)::BIGINT AS statements, sum(amount_minor)::BIGINT AS amount_minor
FROM (SELECT DISTINCT account_id, currency, amount_minor FROM statement_index WHERE NOT draft)
GROUP BY ALL ORDER BY currency;
