// Opening one input file as staged text rows with physical line numbers. Both CSV (header row)
// and Parquet (by extension) are accepted; the columns are checked against a contract first, so
// only known column names ever reach SQL, and each file problem is one clear fatal message.
import { openSync, readSync, closeSync } from 'node:fs';
import { extname } from 'node:path';
import { structValue, type DuckDBConnection } from '@duckdb/node-api';
import { assertReadable, FatalError } from '../diagnostics/index.js';
import { quoteIdent, sqlStatements } from '../store/index.js';
import { parseCsv } from '../text/csv.js';

const SQL = sqlStatements(import.meta.url, 'source.sql');

export type FileFormat = 'csv' | 'parquet';

export interface Contract {
  /** What the file is, for messages: "account master", "register readings". */
  describe: string;
  columns: readonly string[];
  required: readonly string[];
}

/** A line the CSV reader could not split into the header's columns. */
export interface StructuralReject {
  line: number;
  column: string;
  value: string;
  reason: string;
}

export interface StagedFile {
  path: string;
  format: FileFormat;
  /** Columns present in the file, all from the contract. */
  columns: string[];
  /** Records staged into raw_rows (structural rejects are not among them). */
  staged: number;
  structuralRejects: StructuralReject[];
}

export function fileFormat(path: string): FileFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.parquet') return 'parquet';
  throw FatalError.at({ file: path }, `unsupported file type '${ext || '(none)'}': use .csv or .parquet`);
}

/** Column names of a file, in order, without staging it. */
export async function fileColumns(connection: DuckDBConnection, path: string): Promise<string[]> {
  assertReadable(path);
  if (fileFormat(path) === 'parquet') {
    const reader = await connection.runAndReadAll('DESCRIBE SELECT * FROM read_parquet($file)', { file: path })
      .catch((error: Error) => {
        throw FatalError.at({ file: path }, `not a readable Parquet file (${error.message.split('\n')[0]})`);
      });
    return reader.getRowsJson().map((row) => String(row[0]));
  }
  return csvHeader(path);
}

function csvHeader(path: string): string[] {
  const fd = openSync(path, 'r');
  const buffer = Buffer.alloc(65_536);
  const n = readSync(fd, buffer, 0, buffer.length, 0);
  closeSync(fd);
  let text = buffer.subarray(0, n).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const end = text.search(/\r?\n/);
  const header = end < 0 ? text : text.slice(0, end);
  if (header.trim() === '') throw FatalError.at({ file: path }, 'the file is empty (no header line)');
  return (parseCsv(header)[0]?.cells ?? []).map((name) => name.trim());
}

/** Checks a file's columns against a contract: unknown or missing columns are fatal. */
export function checkColumns(path: string, columns: string[], contract: Contract): void {
  const known = new Set(contract.columns);
  const seen = new Set<string>();
  for (const name of columns) {
    if (!known.has(name)) {
      throw FatalError.at({ file: path, line: 1, column: name },
        `unknown column in the ${contract.describe} (expected: ${contract.columns.join(', ')})`);
    }
    if (seen.has(name)) throw FatalError.at({ file: path, line: 1, column: name }, 'column appears twice in the header');
    seen.add(name);
  }
  for (const name of contract.required) {
    if (!seen.has(name)) throw FatalError.at({ file: path, line: 1 }, `missing required column '${name}' in the ${contract.describe}`);
  }
}

/**
 * Stages `path` into temp table raw_rows(line, <contract columns as VARCHAR>): columns absent
 * from the file are NULL. Must run inside the caller's transaction.
 */
export async function stageFile(connection: DuckDBConnection, path: string, contract: Contract, columns: string[]): Promise<StagedFile> {
  const format = fileFormat(path);
  const present = new Set(columns);
  let structuralRejects: StructuralReject[] = [];
  if (format === 'csv') {
    const spec: Record<string, string> = {};
    for (const name of columns) spec[name] = 'VARCHAR';
    await connection.run(SQL['stage-csv']!, { file: path, columns: structValue(spec) });
    const bad = (await connection.runAndReadAll(SQL['csv-structural-rejects']!)).getRowObjectsJson();
    structuralRejects = bad.map((row) => ({
      line: Number(row.line),
      column: String(row.column_name ?? ''),
      value: String(row.value ?? ''),
      reason: csvProblem(String(row.error_type), String(row.message)),
    }));
    await connection.run(`CREATE OR REPLACE TEMP TABLE bad_lines AS SELECT * FROM (${SQL['csv-structural-rejects']!})`);
    const text = columns.map((name) => `coalesce(${quoteIdent(name)}, '')`).join(', ');
    await connection.run(`CREATE OR REPLACE TEMP VIEW raw_text AS SELECT record_no, concat(${text}) AS row_text FROM raw_records`);
    const multiline = (await connection.runAndReadAll(`SELECT coalesce(bool_or(strpos(row_text, chr(10)) > 0), false) FROM raw_text`)).getRowsJson()[0]![0];
    if (multiline || structuralRejects.length > 0) {
      await connection.run(SQL['csv-line-numbers']!);
      await connection.run(SQL['number-lines']!);
      const physical = new Map((await connection.runAndReadAll(SQL['broken-lines']!)).getRowsJson().map((r) => [Number(r[0]), Number(r[1])]));
      structuralRejects = structuralRejects.map((reject) => ({ ...reject, line: physical.get(reject.line) ?? reject.line }));
    } else {
      await connection.run(SQL['number-lines-simple']!);
    }
  } else {
    const select = columns.map((name) => `CAST(${quoteIdent(name)} AS VARCHAR) AS ${quoteIdent(name)}`).join(', ');
    await connection.run(`CREATE OR REPLACE TEMP TABLE raw_rows AS
      SELECT file_row_number + 1 AS line, ${select} FROM read_parquet($file, file_row_number = true)`, { file: path })
      .catch((error: Error) => {
        throw FatalError.at({ file: path }, `not a readable Parquet file (${error.message.split('\n')[0]})`);
      });
  }
  for (const name of contract.columns) {
    if (!present.has(name)) await connection.run(`ALTER TABLE raw_rows ADD COLUMN ${quoteIdent(name)} VARCHAR`);
  }
  const staged = Number((await connection.runAndReadAll('SELECT count(*) FROM raw_rows')).getRowsJson()[0]![0]);
  if (staged === 0 && structuralRejects.length === 0) {
    throw FatalError.at({ file: path }, `the file has a header but no data rows`);
  }
  return { path, format, columns, staged, structuralRejects };
}

function csvProblem(errorType: string, message: string): string {
  switch (errorType) {
    case 'TOO MANY COLUMNS':
    case 'MISSING COLUMNS':
      return `wrong number of fields: ${message.replace('Expected Number of Columns', 'expected').replace('Found', 'found')}`;
    case 'UNQUOTED VALUE':
    case 'INVALID UNICODE':
    case 'LINE SIZE OVER MAXIMUM':
    default:
      return `unreadable CSV line (${errorType.toLowerCase()}): ${message.split('\n')[0]}`;
  }
}
