-- Staging a CSV or Parquet input as text columns with the physical line of each row, so every
-- check can name the line, and malformed CSV lines become rejects instead of aborting the load.

-- name: stage-csv
-- $file: path; $columns: every header column as VARCHAR (the header was checked against the
-- contract first). Output: raw_records(line, <columns>) plus csv_rejects for broken lines, where
-- line is the record's line when every record before it takes one line (its number + 1).
CREATE OR REPLACE TEMP TABLE raw_records AS
SELECT row_number() OVER () + 1 AS line, *
FROM read_csv($file, auto_detect = false, header = true, delim = ',', quote = '"', escape = '"',
              columns = $columns, parallel = false, store_rejects = true,
              rejects_table = 'csv_rejects', rejects_scan = 'csv_scans', rejects_limit = 0);

-- name: csv-structural-rejects
-- Lines the CSV reader could not split into the header's columns. In a file with CRLF line ends
-- DuckDB's csv_line opens with the line feed of the line before: trimmed, or each broken record
-- would count one line too many and every line after it would be named one too far.
SELECT DISTINCT ON (line) line::BIGINT AS line, coalesce(column_name, '') AS column_name,
       record AS value, error_type AS error_type, error_message AS message,
       1 + length(record) - length(replace(record, chr(10), '')) AS span
FROM (SELECT *, trim(csv_line, chr(13) || chr(10)) AS record FROM csv_rejects)
ORDER BY line;

-- name: csv-line-numbers
-- Physical line of every record, good or broken. DuckDB numbers a broken record by its record
-- position (header = 1), so first place the good records among the broken ones (ASOF join on the
-- position each broken record would take in the good-only numbering), then add up the lines each
-- record spans (1 + its embedded newlines) from line 2.
CREATE OR REPLACE TEMP TABLE record_lines AS
WITH spans AS (
  SELECT record_no, 1 + length(row_text) - length(replace(row_text, chr(10), '')) AS span FROM raw_text
),
broken AS (
  SELECT line - 1 AS record_index, row_number() OVER (ORDER BY line) AS broken_before, span FROM bad_lines
),
positions AS (
  SELECT record_index - broken_before + 1 AS position, max(broken_before) AS shift FROM broken GROUP BY ALL
),
placed AS (
  SELECT s.record_no, s.record_no + coalesce(p.shift, 0) AS record_index, s.span, NULL::BIGINT AS reported_line
  FROM spans s ASOF LEFT JOIN positions p ON s.record_no >= p.position
  UNION ALL
  SELECT NULL, record_index, span, record_index + 1 FROM broken
)
SELECT record_no, reported_line, span,
       2 + coalesce(sum(span) OVER (ORDER BY record_index ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS line
FROM placed;

-- name: last-line-read
-- The last physical line the CSV reader accounted for (1: the header alone).
SELECT coalesce(max(line + span - 1), 1) FROM record_lines;

-- name: number-lines
-- raw_rows(line, <columns>): the staged rows with their physical lines.
CREATE OR REPLACE TEMP TABLE raw_rows AS
SELECT l.line, r.* EXCLUDE (line) FROM raw_records r JOIN record_lines l ON l.record_no = r.line - 1;

-- name: broken-lines
-- Physical lines of the broken records, by the line DuckDB reported.
SELECT reported_line, line FROM record_lines WHERE reported_line IS NOT NULL;

-- name: number-lines-simple
-- Every record on one line (the file has as many lines as header and records): raw_records
-- already carries the physical lines.
ALTER TABLE raw_records RENAME TO raw_rows;
