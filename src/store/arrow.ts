// The one batch format of both worker pools (billing and statements): an Arrow table per batch.
// Its columns' buffers are listed for the transfer list, so they are moved to the worker thread,
// not copied, and rebuilt there as the same Arrow columns, each checked against the column specs
// (a buffer of the wrong width would otherwise be read as other numbers without a word).
// Strings travel as Arrow Utf8 (one UTF-8 buffer and its offsets per column) instead of arrays of
// JavaScript strings, which structured clone copies one by one.
//
// Nulls do not travel: the batch statements return a value for every row (0, '' or NaN where
// nothing applies), and the workers read no null masks.
import {
  DateDay, Float64, Int16, Int32, Int64, Int8, makeData, makeVector, Table, Uint16, Uint8, Utf8,
  type DataType, type Vector,
} from 'apache-arrow';
import type { ColumnBatch, ColumnKind, ColumnSpec } from './columnar.js';

/** A batch on its way to a worker: plain values and typed arrays, as structured clone carries them. */
export interface WireBatch {
  rowCount: number;
  columns: Record<string, WireColumn>;
}

interface WireColumn {
  /** The column's values; for strings, their UTF-8 bytes back to back. */
  values: ArrayBufferView;
  /** Strings only: row i is values[offsets[i] .. offsets[i + 1]). */
  offsets?: Int32Array;
}

type Fixed = Exclude<ColumnKind, 'varchar'>;
// 'bool' columns are bytes (0/1) everywhere in billrun, so they stay Uint8 rather than Arrow's bit-packed Bool.
const FIXED: Record<Fixed, { type: () => DataType; array: abstract new (...args: never[]) => ArrayBufferView }> = {
  bool: { type: () => new Uint8(), array: Uint8Array },
  int8: { type: () => new Int8(), array: Int8Array },
  uint8: { type: () => new Uint8(), array: Uint8Array },
  int16: { type: () => new Int16(), array: Int16Array },
  uint16: { type: () => new Uint16(), array: Uint16Array },
  int32: { type: () => new Int32(), array: Int32Array },
  int64: { type: () => new Int64(), array: BigInt64Array },
  double: { type: () => new Float64(), array: Float64Array },
  date: { type: () => new DateDay(), array: Int32Array },
};

/** The batch's columns named in `specs`, strings encoded as Arrow Utf8. */
export function toWire(batch: Pick<ColumnBatch, 'rowCount' | 'columns'>, specs: readonly ColumnSpec[]): WireBatch {
  const columns: Record<string, WireColumn> = {};
  for (const spec of specs) {
    const data = batch.columns[spec.name];
    if (!data) throw new Error(`batch has no column ${spec.name}`);
    columns[spec.name] = Array.isArray(data) ? encodeUtf8(data, batch.rowCount) : { values: data };
  }
  return { rowCount: batch.rowCount, columns };
}

/**
 * Arrow's own builder (vectorFromArray) grows its buffers value by value and took 5–10 times as
 * long for a batch's names and addresses; one pass into a buffer sized for the worst case
 * (three UTF-8 bytes per UTF-16 code unit) writes the same layout.
 */
function encodeUtf8(strings: readonly string[], rowCount: number): WireColumn {
  let capacity = 0;
  for (let i = 0; i < rowCount; i++) capacity += strings[i]!.length * 3;
  const bytes = Buffer.allocUnsafeSlow(capacity);
  const offsets = new Int32Array(rowCount + 1);
  let at = 0;
  for (let i = 0; i < rowCount; i++) {
    at += bytes.write(strings[i]!, at);
    offsets[i + 1] = at;
  }
  return { values: new Uint8Array(bytes.buffer, 0, at), offsets };
}

/** Every buffer of the batches, for the transfer list. */
export function wireBuffers(...batches: WireBatch[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const batch of batches) {
    for (const column of Object.values(batch.columns)) {
      buffers.add(column.values.buffer as ArrayBuffer);
      if (column.offsets) buffers.add(column.offsets.buffer as ArrayBuffer);
    }
  }
  return [...buffers];
}

/** The batch as an Arrow table over the buffers that crossed the thread boundary (no copy). */
export function fromWire(wire: WireBatch, specs: readonly ColumnSpec[], what: string): Table {
  const n = wire.rowCount;
  const vectors: Record<string, Vector> = {};
  for (const spec of specs) {
    const column = wire.columns[spec.name];
    const problem = (expected: string) => new Error(`${what}: column ${spec.name} must be ${expected} for ${n} rows`);
    if (spec.kind === 'varchar') {
      if (!column?.offsets || !(column.values instanceof Uint8Array) || column.offsets.length < n + 1 ||
        column.offsets[n]! > column.values.length) throw problem('UTF-8 bytes with offsets');
      vectors[spec.name] = makeVector(makeData({ type: new Utf8(), length: n, valueOffsets: column.offsets, data: column.values }));
    } else {
      const fixed = FIXED[spec.kind];
      if (!column || !(column.values instanceof fixed.array) || (column.values as unknown as ArrayLike<number>).length < n) {
        throw problem(`a ${fixed.array.name}`);
      }
      const values = (column.values as unknown as Uint8Array).subarray(0, n);
      vectors[spec.name] = makeVector(makeData({ type: fixed.type(), length: n, data: values } as never));
    }
  }
  return new Table(vectors);
}

type ArrayFor<K> = K extends 'varchar' ? string[] : K extends 'uint8' | 'bool' ? Uint8Array : K extends 'int8' ? Int8Array
  : K extends 'int16' ? Int16Array : K extends 'uint16' ? Uint16Array : K extends 'int64' ? BigInt64Array
  : K extends 'double' ? Float64Array : Int32Array;
/** A typed view of a batch's columns by name, as the pricing and rendering loops index them. */
export type Columns<S extends readonly ColumnSpec[]> = { [C in S[number] as C['name']]: ArrayFor<C['kind']> };

/**
 * The table's columns for a loop that indexes rows: numbers are Arrow's own value buffers (the
 * moved ones), strings are decoded once here, since every row's strings are read.
 */
export function tableColumns<S extends readonly ColumnSpec[]>(table: Table, specs: S): Columns<S> {
  const columns: Record<string, ArrayBufferView | string[]> = {};
  for (const spec of specs) {
    const vector = table.getChild(spec.name)!;
    columns[spec.name] = spec.kind === 'varchar' ? (vector.toArray() as string[]) : (vector.data[0]!.values as ArrayBufferView);
  }
  return columns as Columns<S>;
}
