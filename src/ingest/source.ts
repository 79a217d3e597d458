// Opening one input file as staged text rows with physical line numbers. Both CSV (header row)
// and Parquet (by extension) are accepted; the columns are checked against a contract first, so
// only known column names ever reach SQL, and each file problem is one clear fatal message.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import { structValue, type DuckDBConnection } from '@duckdb/node-api';
import { assertReadable, FatalError } from '../diagnostics/index.js';
import { quoteIdent, sqlStatements } from '../store/index.js';
import { parseCsv } from '../text/csv.js';
import { binaryFileKind, type BinaryFileKind } from '../text/index.js';

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
  /** The temp table (CSV) or view (Parquet) holding the staged rows. */
  name: string;
  /** Records staged (structural rejects are not among them). */
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
  const notText = notCsvText(buffer.subarray(0, n));
  if (notText) throw FatalError.at({ file: path }, `${notText}, not CSV text`);
  let text = buffer.subarray(0, n).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const end = text.search(/\r?\n/);
  const header = end < 0 ? text : text.slice(0, end);
  if (header.trim() === '') throw FatalError.at({ file: path }, 'the file is empty (no header line)');
  return (parseCsv(header)[0]?.cells ?? []).map((name) => name.trim());
}

const NOT_CSV: Record<BinaryFileKind, string> = {
  gzip: 'looks like a gzip file (decompress it first)',
  zip: 'looks like a zip archive or an Excel workbook (save it as CSV)',
  parquet: 'looks like a Parquet file (name it .parquet)',
  sqlite: 'looks like an SQLite database, not CSV text',
  utf16: 'is UTF-16 text (save it as UTF-8)',
};

/**
 * What the start of a file named .csv looks like when it is not CSV text, or null: its header
 * would otherwise be echoed as a "column name" full of binary and control characters.
 */
function notCsvText(start: Buffer): string | null {
  const kind = binaryFileKind(start);
  if (kind) return NOT_CSV[kind];
  const newline = start.indexOf(0x0a);
  const header = start.subarray(0, newline < 0 ? start.length : newline);
  // Tab and carriage return are the only control bytes a header line may hold.
  if (header.some((byte) => (byte < 0x20 && byte !== 0x09 && byte !== 0x0d) || byte === 0x7f)) {
    return 'looks like a binary file (control characters in the header line)';
  }
  // Only a whole header line: the 64 KiB read may cut a character in two.
  if (newline >= 0 && header.toString('utf8').includes('\ufffd') && !header.includes(Buffer.from('\ufffd'))) {
    return 'is not UTF-8 text (save it as UTF-8)';
  }
  return null;
}

export interface FileScan {
  sha256: string;
  /** Last line holding anything but blanks (0 for a blank file); counted for CSV only. */
  lastContentLine: number;
}

/**
 * One pass over the file: its checksum and, for CSV, its last line with content, so that rows
 * the CSV reader dropped without a word (an unclosed quote swallows the rest of the file) are
 * noticed. Counting rides on the read the checksum needs anyway.
 */
export async function scanFile(path: string): Promise<FileScan> {
  const hash = createHash('sha256');
  const countLines = fileFormat(path) === 'csv';
  let newlines = 0;
  let lastContentLine = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    if (!countLines) continue;
    let end = chunk.length - 1;
    while (end >= 0 && isBlankByte(chunk[end]!)) end--;
    let beforeEnd = 0;
    let inChunk = 0;
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
      inChunk++;
      if (i < end) beforeEnd = inChunk;
    }
    if (end >= 0) lastContentLine = newlines + beforeEnd + 1;
    newlines += inChunk;
  }
  return { sha256: hash.digest('hex'), lastContentLine };
}

function isBlankByte(byte: number): boolean {
  return byte === 0x0a || byte === 0x0d || byte === 0x20 || byte === 0x09;
}

/**
 * The CSV reader drops a record whose quoted cell never closes, and everything after it, without
 * a reject. When lines with content follow the last line it accounted for, they are read with
 * the review import's parser, so the same rule gives the same message with the real line.
 */
function checkNothingDropped(path: string, accountedLines: number, lastContentLine: number): void {
  if (lastContentLine <= accountedLines) return;
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    let position = 0;
    let newlines = 0;
    // Find the byte where line accountedLines + 1 starts.
    find: for (let n = 0; (n = readSync(fd, chunk, 0, chunk.length, position)) > 0; position += n) {
      for (let i = chunk.indexOf(0x0a); i !== -1 && i < n; i = chunk.indexOf(0x0a, i + 1)) {
        if (++newlines === accountedLines) {
          position += i + 1;
          break find;
        }
      }
    }
    // The reader dropped everything from an unclosed quote to the end: its first megabyte shows it.
    const n = readSync(fd, chunk, 0, chunk.length, position);
    parseCsv(chunk.subarray(0, n).toString('utf8'), accountedLines + 1);
  } catch (error) {
    if (error instanceof SyntaxError) throw FatalError.at({ file: path }, error.message);
    throw error;
  } finally {
    closeSync(fd);
  }
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
 * Stages `path` as `name`(line, <contract columns as VARCHAR>), a temp table for CSV and a temp
 * view for Parquet: columns absent from the file are NULL. Runs before the load's transaction:
 * DuckDB did not spill a temp table the transaction itself had filled, so the checks of the
 * 40M-account master staged inside it ran out of 4 GiB, then the default (10M accounts under 1 GB: out
 * of memory; the same staged before the transaction: checked in 1 GB). `readStaged` shows it to
 * the checks as raw_rows, `dropStaged` removes it after the load's transaction.
 */
export async function stageFile(
  connection: DuckDBConnection, path: string, contract: Contract, columns: string[], scan: FileScan, name: string,
): Promise<StagedFile> {
  const format = fileFormat(path);
  const present = new Set(columns);
  let structuralRejects: StructuralReject[] = [];
  if (format === 'csv') {
    const spec: Record<string, string> = {};
    for (const column of columns) spec[column] = 'VARCHAR';
    await connection.run(SQL['stage-csv']!, { file: path, columns: structValue(spec) });
    const bad = (await connection.runAndReadAll(SQL['csv-structural-rejects']!)).getRowObjectsJson();
    structuralRejects = bad.map((row) => ({
      line: Number(row.line),
      column: String(row.column_name ?? ''),
      value: String(row.value ?? ''),
      reason: csvProblem(String(row.error_type), String(row.message)),
    }));
    const records = Number((await connection.runAndReadAll('SELECT count(*) FROM raw_records')).getRowsJson()[0]![0]);
    // A file with no broken record whose last line with content is line records + 1 has every
    // record on its own line (each takes at least one): the record number gives the line, and
    // nothing was dropped. Otherwise the lines are counted record by record.
    if (structuralRejects.length === 0 && scan.lastContentLine === records + 1) {
      await connection.run('DROP TABLE IF EXISTS raw_rows');
      await connection.run(SQL['number-lines-simple']!);
    } else {
      await connection.run(`CREATE OR REPLACE TEMP TABLE bad_lines AS SELECT * FROM (${SQL['csv-structural-rejects']!})`);
      const text = columns.map((name) => `coalesce(${quoteIdent(name)}, '')`).join(', ');
      await connection.run(`CREATE OR REPLACE TEMP VIEW raw_text AS SELECT line - 1 AS record_no, concat(${text}) AS row_text FROM raw_records`);
      await connection.run(SQL['csv-line-numbers']!);
      await connection.run(SQL['number-lines']!);
      const physical = new Map((await connection.runAndReadAll(SQL['broken-lines']!)).getRowsJson().map((r) => [Number(r[0]), Number(r[1])]));
      structuralRejects = structuralRejects.map((reject) => ({ ...reject, line: physical.get(reject.line) ?? reject.line }));
      const accounted = Number((await connection.runAndReadAll(SQL['last-line-read']!)).getRowsJson()[0]![0]);
      checkNothingDropped(path, accounted, scan.lastContentLine);
    }
    for (const column of contract.columns) {
      if (!present.has(column)) await connection.run(`ALTER TABLE raw_rows ADD COLUMN ${quoteIdent(column)} VARCHAR`);
    }
    await connection.run(`ALTER TABLE raw_rows RENAME TO ${quoteIdent(name)}`);
  } else {
    // A view over the file, not a copy: the checks read the Parquet columns where they lie, so a
    // bulk load holds the checked rows in memory, not every value a second time as text (10M
    // accounts' 204.6M readings under the default memory limit: the text copies spilled more than
    // 25 GB, the view 13.6 GB; bench/README.md). The path is a variable because a view cannot
    // take parameters.
    await connection.run(`SET VARIABLE ${quoteIdent(name)} = $file`, { file: path });
    const select = contract.columns.map((column) => present.has(column)
      ? `CAST(${quoteIdent(column)} AS VARCHAR) AS ${quoteIdent(column)}` : `NULL::VARCHAR AS ${quoteIdent(column)}`).join(', ');
    await connection.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(name)} AS
      SELECT file_row_number + 1 AS line, ${select} FROM read_parquet(getvariable('${name}'), file_row_number = true)`);
  }
  const staged = Number((await connection.runAndReadAll(`SELECT count(*) FROM ${quoteIdent(name)}`)).getRowsJson()[0]![0]);
  if (staged === 0 && structuralRejects.length === 0) {
    throw FatalError.at({ file: path }, `the file has a header but no data rows`);
  }
  return { path, format, columns, name, staged, structuralRejects };
}

/** Shows a staged file to the checks as raw_rows (a view: nothing is copied). */
export async function readStaged(connection: DuckDBConnection, staged: StagedFile): Promise<void> {
  await connection.run(`CREATE OR REPLACE TEMP VIEW raw_rows AS FROM ${quoteIdent(staged.name)}`);
}

/** Drops a staged file: the staged text of a CSV file, or the view over a Parquet file. */
export async function dropStaged(connection: DuckDBConnection, staged: StagedFile): Promise<void> {
  await connection.run('DROP VIEW IF EXISTS raw_rows');
  await connection.run(`DROP ${staged.format === 'csv' ? 'TABLE' : 'VIEW'} IF EXISTS ${quoteIdent(staged.name)}`);
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
