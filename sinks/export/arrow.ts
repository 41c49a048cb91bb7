// ClickHouse column types -> Apache Arrow types, and JSONEachRow values -> Arrow record batches.
// In: ColumnInfo from DESCRIBE, parsed JSONEachRow rows. Out: a Schema (fixed for the whole export, every
// field nullable: JSONEachRow prints nan/inf as null even in non-Nullable Float columns) and RecordBatches.
// Mapping: (U)Int8/16/32 -> Int32 / Int64 (UInt32), (U)Int64 -> Int64 (JSONEachRow quotes them; BigInt),
// Float32/64 -> Float64, Date -> DateDay, DateTime[('tz')] -> Timestamp(ms, tz or UTC), Array(T) -> List<T>,
// Nullable(T)/LowCardinality(T) -> T, everything else (String, FixedString, Enum, UUID, Decimal, Tuple...)
// -> Utf8 (non-strings as their JSON text).
import {
  DateDay,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  RecordBatch,
  Schema,
  Struct,
  TimestampMillisecond,
  Utf8,
  makeData,
  vectorFromArray,
  type DataType,
} from 'apache-arrow';
import type { ColumnInfo } from './stream.ts';

interface ColumnPlan {
  type: DataType;
  convert: (v: unknown) => unknown;
}

const unwrap = (t: string, wrapper: string): string | null => (t.startsWith(`${wrapper}(`) && t.endsWith(')') ? t.slice(wrapper.length + 1, -1) : null);

/** 'YYYY-MM-DD hh:mm:ss' (UTC) -> epoch ms. */
const dateTimeMs = (v: unknown): number | null => (v === null || v === undefined ? null : Date.parse(String(v).replace(' ', 'T') + 'Z'));

export function planFor(chType: string): ColumnPlan {
  const t = chType.trim();
  const inner = unwrap(t, 'Nullable') ?? unwrap(t, 'LowCardinality');
  if (inner) return planFor(inner);
  const arr = unwrap(t, 'Array');
  if (arr) {
    const item = planFor(arr);
    return { type: new List(new Field('item', item.type, true)), convert: (v) => (Array.isArray(v) ? v.map(item.convert) : null) };
  }
  if (/^(Int8|Int16|Int32|UInt8|UInt16)$/.test(t)) return { type: new Int32(), convert: (v) => (v === null ? null : Number(v)) };
  if (/^(UInt32|Int64|UInt64)$/.test(t)) return { type: new Int64(), convert: (v) => (v === null || v === undefined ? null : BigInt(v as string)) };
  if (/^Float(32|64)$/.test(t)) return { type: new Float64(), convert: (v) => (v === null ? null : Number(v)) };
  if (t === 'Date') return { type: new DateDay(), convert: (v) => (v === null ? null : new Date(String(v) + 'T00:00:00Z')) };
  if (/^DateTime(\(.*\))?$/.test(t)) {
    const tz = /^DateTime\('([^']+)'\)$/.exec(t)?.[1] ?? 'UTC';
    return { type: new TimestampMillisecond(tz), convert: dateTimeMs };
  }
  return { type: new Utf8(), convert: (v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v)) };
}

export class ArrowBatcher {
  readonly schema: Schema;
  private readonly plans: ColumnPlan[];
  private readonly names: string[];

  constructor(columns: readonly ColumnInfo[]) {
    this.names = columns.map((c) => c.name);
    this.plans = columns.map((c) => planFor(c.type));
    this.schema = new Schema(columns.map((c, i) => new Field(c.name, this.plans[i]!.type, true)));
  }

  /** One record batch from parsed rows (objects keyed by column name). */
  batch(rows: readonly Record<string, unknown>[]): RecordBatch {
    const children = this.plans.map((p, i) => {
      const name = this.names[i]!;
      const values = rows.map((r) => p.convert(r[name] ?? null));
      return vectorFromArray(values, p.type).data[0]!;
    });
    const data = makeData({ type: new Struct(this.schema.fields), length: rows.length, nullCount: 0, children });
    return new RecordBatch(this.schema, data);
  }
}
