// Moving columns between DuckDB and JavaScript typed arrays without row objects.
//
// Row objects cost ~850 ns/row; copying each DuckDB vector's raw bytes into (or out of) a typed
// array costs ~50–100 ns/row (../shared/docs/performance.md), so bulk data only travels this way.
// A column is a typed array of the DuckDB physical type, plus an optional null mask.
import duckdb from '@duckdb/node-bindings';
import {
  BIGINT, BOOLEAN, DATE, DOUBLE, DuckDBAppender, DuckDBConnection, DuckDBDataChunk, DuckDBType, INTEGER,
  SMALLINT, TINYINT, UTINYINT, USMALLINT, VARCHAR,
} from '@duckdb/node-api';

export type ColumnKind = 'bool' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'int64' | 'double' | 'date' | 'varchar';
export type ColumnData = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | BigInt64Array | Float64Array | string[];
export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
}
/** Column data by name; `nulls[name][i] === 1` marks row i null (absent mask = no nulls). */
export interface ColumnBatch {
  rowCount: number;
  columns: Record<string, ColumnData>;
  nulls: Record<string, Uint8Array>;
}

const DUCK_TYPES: Record<ColumnKind, DuckDBType> = {
  bool: BOOLEAN, int8: TINYINT, uint8: UTINYINT, int16: SMALLINT, uint16: USMALLINT, int32: INTEGER,
  int64: BIGINT, double: DOUBLE, date: DATE, varchar: VARCHAR,
};

export function allocateColumn(kind: ColumnKind, rows: number): ColumnData {
  switch (kind) {
    case 'bool':
    case 'uint8': return new Uint8Array(rows);
    case 'int8': return new Int8Array(rows);
    case 'int16': return new Int16Array(rows);
    case 'uint16': return new Uint16Array(rows);
    case 'int32':
    case 'date': return new Int32Array(rows);
    case 'int64': return new BigInt64Array(rows);
    case 'double': return new Float64Array(rows);
    case 'varchar': return new Array<string>(rows).fill('');
  }
}

const VECTOR_SIZE = 2048;

/** Appends `rowCount` rows of `batch` to the appender's table, columns in `specs` order. */
export function appendColumns(appender: DuckDBAppender, specs: readonly ColumnSpec[], batch: ColumnBatch): void {
  const chunk = DuckDBDataChunk.create(specs.map((s) => DUCK_TYPES[s.kind]));
  for (let offset = 0; offset < batch.rowCount; offset += VECTOR_SIZE) {
    const n = Math.min(VECTOR_SIZE, batch.rowCount - offset);
    chunk.reset();
    chunk.rowCount = n;
    specs.forEach((spec, col) => {
      const vector = duckdb.data_chunk_get_vector(chunk.chunk, col);
      const data = batch.columns[spec.name];
      if (!data) throw new Error(`appendColumns: batch has no column ${spec.name}`);
      if (Array.isArray(data)) {
        for (let i = 0; i < n; i++) duckdb.vector_assign_string_element(vector, i, data[offset + i]!);
      } else {
        const width = data.BYTES_PER_ELEMENT;
        duckdb.copy_data_to_vector(vector, 0, data.buffer as ArrayBuffer, data.byteOffset + offset * width, n * width);
      }
      const nulls = batch.nulls[spec.name];
      if (nulls) writeValidity(vector, nulls, offset, n);
    });
    appender.appendDataChunk(chunk);
  }
}

function writeValidity(vector: duckdb.Vector, nulls: Uint8Array, offset: number, n: number): void {
  const words = Math.ceil(n / 64);
  const mask = new Uint8Array(words * 8).fill(0xff);
  let any = false;
  for (let i = 0; i < n; i++) {
    if (nulls[offset + i]) {
      mask[i >> 3]! &= ~(1 << (i & 7));
      any = true;
    }
  }
  if (!any) return;
  duckdb.vector_ensure_validity_writable(vector);
  duckdb.copy_data_to_vector_validity(vector, 0, mask.buffer, 0, mask.byteLength);
}

/** Appends a batch to `table` (quoted by the caller's choice of name) through a fresh appender. */
export async function appendBatch(connection: DuckDBConnection, table: string, specs: readonly ColumnSpec[], batch: ColumnBatch): Promise<void> {
  const appender = await connection.createAppender(table);
  try {
    appendColumns(appender, specs, batch);
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/**
 * Runs `sql` and copies its columns into typed arrays. The query's columns must appear in
 * `specs` with matching physical types (cast in SQL: DOUBLE for quantities, INTEGER for keys,
 * DATE for days); a mismatch throws rather than misreading bytes.
 *
 * The result is streamed: a materialized result is collected by DuckDB and then copied once more,
 * chunk by chunk, on the JavaScript thread (`result_get_chunk`); fetched chunks come straight
 * from the query, off that thread. A billing batch's read took about a third less CPU
 * (bench/README.md, "Issue 12: the batch stage's alternatives"). A query started on the same
 * connection while a stream is read ends the stream early without an error, so reads on one
 * connection go in turn here, and a caller must not run other statements on it meanwhile.
 */
export function readColumns(
  connection: DuckDBConnection,
  sql: string,
  params: Record<string, import('@duckdb/node-api').DuckDBValue> | undefined,
  specs: readonly ColumnSpec[],
): Promise<ColumnBatch> {
  const previous = readsInFlight.get(connection) ?? Promise.resolve();
  const read = previous.catch(() => undefined).then(() => streamColumns(connection, sql, params, specs));
  readsInFlight.set(connection, read);
  return read;
}

const readsInFlight = new WeakMap<DuckDBConnection, Promise<unknown>>();

async function streamColumns(
  connection: DuckDBConnection,
  sql: string,
  params: Record<string, import('@duckdb/node-api').DuckDBValue> | undefined,
  specs: readonly ColumnSpec[],
): Promise<ColumnBatch> {
  const result = await connection.stream(sql, params);
  const names = result.columnNames();
  const bySpec = specs.map((s) => {
    const index = names.indexOf(s.name);
    if (index < 0) throw new Error(`readColumns: query has no column ${s.name}`);
    const actual = result.columnType(index).toString();
    const expected = DUCK_TYPES[s.kind].toString();
    if (actual !== expected) throw new Error(`readColumns: column ${s.name} is ${actual}, expected ${expected}`);
    return index;
  });
  // A stream does not know its length: the chunks are kept until the columns can be sized.
  const chunks: DuckDBDataChunk[] = [];
  let rowCount = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    chunks.push(chunk);
    rowCount += chunk.rowCount;
  }
  const batch: ColumnBatch = { rowCount, columns: {}, nulls: {} };
  specs.forEach((s) => (batch.columns[s.name] = allocateColumn(s.kind, rowCount)));
  let at = 0;
  for (const chunk of chunks) {
    const n = chunk.rowCount;
    specs.forEach((spec, k) => {
      const vector = duckdb.data_chunk_get_vector(chunk.chunk, bySpec[k]!);
      const target = batch.columns[spec.name]!;
      if (Array.isArray(target)) {
        const values = chunk.getColumnVector(bySpec[k]!);
        for (let i = 0; i < n; i++) target[at + i] = (values.getItem(i) as string | null) ?? '';
      } else {
        const width = target.BYTES_PER_ELEMENT;
        const bytes = duckdb.vector_get_data(vector, n * width);
        new Uint8Array(target.buffer, target.byteOffset + at * width, n * width).set(bytes);
      }
      readValidity(vector, spec.name, batch, rowCount, at, n);
    });
    at += n;
  }
  return batch;
}

function readValidity(vector: duckdb.Vector, name: string, batch: ColumnBatch, rowCount: number, at: number, n: number): void {
  const words = Math.ceil(n / 64);
  const bytes = duckdb.vector_get_validity(vector, words * 8);
  if (!bytes) return;
  for (let i = 0; i < n; i++) {
    if (!(bytes[i >> 3]! & (1 << (i & 7)))) {
      const nulls = (batch.nulls[name] ??= new Uint8Array(rowCount));
      nulls[at + i] = 1;
    }
  }
}

/**
 * Columns from a (small) list of objects, property name = column name: for flags, errors and
 * dimension rows, which are few per batch. Bulk data never goes through objects.
 */
export function objectsToBatch(specs: readonly ColumnSpec[], rows: readonly object[]): ColumnBatch {
  const batch: ColumnBatch = { rowCount: rows.length, columns: {}, nulls: {} };
  for (const spec of specs) {
    const column = allocateColumn(spec.kind, rows.length);
    rows.forEach((row, i) => {
      const value = (row as Record<string, unknown>)[spec.name];
      if (value === null || value === undefined) {
        (batch.nulls[spec.name] ??= new Uint8Array(rows.length))[i] = 1;
        return;
      }
      if (Array.isArray(column)) column[i] = String(value);
      else if (column instanceof BigInt64Array) column[i] = BigInt(value as number | bigint);
      else column[i] = typeof value === 'boolean' ? Number(value) : (value as number);
    });
    batch.columns[spec.name] = column;
  }
  return batch;
}
