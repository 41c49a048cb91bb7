// ClickHouse type -> Arrow type mapping and value conversion of the export (pure logic).
import { tableFromIPC, RecordBatchStreamWriter } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ArrowBatcher, planFor } from '../../sinks/export/arrow.ts';
import { cleanSelect } from '../../sinks/export/stream.ts';

describe('planFor', () => {
  it.each([
    ['UInt8', 'Int32', '7', 7],
    ['Int32', 'Int32', -3, -3],
    ['UInt32', 'Int64', 4294967295, 4294967295n],
    ['UInt64', 'Int64', '18446744073709551615', 18446744073709551615n],
    ['Float64', 'Float64', 0.1, 0.1],
    ['Nullable(Float64)', 'Float64', null, null],
    ['LowCardinality(String)', 'Utf8', 'bigmall', 'bigmall'],
    ["DateTime('UTC')", 'Timestamp<MILLISECOND, UTC>', '2026-11-01 08:00:00', Date.parse('2026-11-01T08:00:00Z')],
    ["DateTime('Asia/Shanghai')", 'Timestamp<MILLISECOND, Asia/Shanghai>', null, null],
    ['Date', 'Date32<DAY>', '2026-11-01', new Date('2026-11-01T00:00:00Z')],
    ['Array(String)', 'List<Utf8>', ['a', 'b'], ['a', 'b']],
    ['Array(Nullable(UInt64))', 'List<Int64>', ['1', null], [1n, null]],
    ['Decimal(10, 2)', 'Utf8', 1.5, '1.5'],
    ['Tuple(String, UInt8)', 'Utf8', ['a', 1], '["a",1]'],
  ])('%s -> %s', (ch, arrow, input, output) => {
    const p = planFor(ch);
    expect(p.type.toString()).toBe(arrow);
    expect(p.convert(input)).toEqual(output);
  });
});

describe('ArrowBatcher', () => {
  it('builds batches with one schema (all fields nullable) that read back', () => {
    const b = new ArrowBatcher([
      { name: 'id', type: 'UInt64' },
      { name: 'title', type: 'String' },
      { name: 'price', type: 'Nullable(Float64)' },
    ]);
    const w = new RecordBatchStreamWriter();
    w.write(b.batch([{ id: '1', title: "'); DROP TABLE x; --", price: 9.5 }]));
    w.write(b.batch([{ id: '2', title: '商品', price: null }]));
    w.finish();
    const t = tableFromIPC(w.toUint8Array(true));
    expect(t.numRows).toBe(2);
    expect(t.schema.fields.every((f) => f.nullable)).toBe(true);
    expect(t.toArray().map((r) => r.toJSON())).toEqual([
      { id: 1n, title: "'); DROP TABLE x; --", price: 9.5 },
      { id: 2n, title: '商品', price: null },
    ]);
  });
});

describe('cleanSelect', () => {
  it.each([
    ['SELECT 1;', 'SELECT 1'],
    ['SELECT 1 FORMAT CSV', 'SELECT 1'],
    ['  SELECT a FROM t format JSONEachRow ;  ', 'SELECT a FROM t'],
  ])('%j -> %j', (input, out) => expect(cleanSelect(input)).toBe(out));
});
