import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { fromWire, tableColumns, toWire, wireBuffers, type WireBatch } from '../../src/store/arrow.js';
import type { ColumnBatch } from '../../src/store/columnar.js';

const SPECS = [
  { name: 'key', kind: 'int32' },
  { name: 'day', kind: 'date' },
  { name: 'kwh', kind: 'double' },
  { name: 'class_code', kind: 'uint8' },
  { name: 'name', kind: 'varchar' },
] as const;

/** Posts `wire` across a real MessageChannel with its buffers in the transfer list, as piscina does. */
function transfer(wire: WireBatch): WireBatch {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(wire, wireBuffers(wire));
  const received = receiveMessageOnPort(port2)!.message as WireBatch;
  port1.close();
  return received;
}

describe('the worker pools\' batch format (Arrow)', () => {
  it('moves numbers and UTF-8 text to the other side unchanged, and the sender\'s buffers are moved, not copied', () => {
    const names = ['Ann', '', '陈小明 — 东区', 'Zoë "Z" O\'Brien'];
    const batch: ColumnBatch = {
      rowCount: 4,
      // One row more than the batch holds: only rowCount rows travel as the table.
      columns: {
        key: Int32Array.of(7, 8, 9, 10, 99), day: Int32Array.of(19_723, 19_724, 19_725, 19_726, 0),
        kwh: Float64Array.of(1.5, 0, -2.25, 1e9, 0), class_code: Uint8Array.of(0, 1, 2, 3, 0), name: [...names, 'spare'],
      },
      nulls: {},
    };
    const wire = toWire(batch, SPECS);
    // UTF-8 bytes: 'Ann' 3; '' 0; five CJK characters and the em dash 3 each + two spaces = 20;
    // 'Zoë "Z" O\'Brien' 14 ASCII + ë's 2 = 16.
    expect(Array.from(wire.columns.name!.offsets!)).toEqual([0, 3, 3, 23, 39]);
    const received = transfer(wire);
    expect((batch.columns.key as Int32Array).byteLength).toBe(0);
    const table = fromWire(received, SPECS, 'test batch');
    expect(table.numRows).toBe(4);
    expect(String(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`))).toBe(
      'key:Int32,day:Date32<DAY>,kwh:Float64,class_code:Uint8,name:Utf8');
    const columns = tableColumns(table, SPECS);
    expect(Array.from(columns.key)).toEqual([7, 8, 9, 10]);
    expect(Array.from(columns.day)).toEqual([19_723, 19_724, 19_725, 19_726]);
    expect(Array.from(columns.kwh)).toEqual([1.5, 0, -2.25, 1e9]);
    expect(Array.from(columns.class_code)).toEqual([0, 1, 2, 3]);
    expect(columns.name).toEqual(names);
  });

  it('refuses a column whose buffer has another width or too few rows, naming it', () => {
    const wire = toWire({ rowCount: 2, columns: { key: Int32Array.of(1, 2), day: Int32Array.of(1, 2), kwh: Float64Array.of(1, 2), class_code: Uint8Array.of(1, 2), name: ['a', 'b'] } }, SPECS);
    expect(() => fromWire({ ...wire, columns: { ...wire.columns, kwh: { values: Float32Array.of(1, 2) } } }, SPECS, 'batch 3'))
      .toThrow('batch 3: column kwh must be a Float64Array for 2 rows');
    expect(() => fromWire({ ...wire, rowCount: 3 }, SPECS, 'batch 3')).toThrow('batch 3: column key must be a Int32Array for 3 rows');
    const { name: _name, ...withoutName } = wire.columns;
    expect(() => fromWire({ ...wire, columns: withoutName }, SPECS, 'batch 3')).toThrow('batch 3: column name must be UTF-8 bytes with offsets for 2 rows');
  });
});
