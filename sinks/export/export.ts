// `shelfwatch export`: a table or a query -> an Arrow IPC stream (pandas: pyarrow.ipc.open_stream, polars:
// pl.read_ipc_stream, DuckDB: read via pyarrow), NDJSON or CSV file, with bounded memory for any size.
// In: ClickHouse config + password, SQL (or a table: SELECT * ... FINAL for ReplacingMergeTree tables, so
// replays are not exported twice), format, output path, rows per batch. Out: the file; {rows, bytes}.
// Memory: one network chunk, one batch of rows and its encoded bytes; every write waits for the file
// stream to drain before the next batch is parsed.
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { AsyncByteQueue, RecordBatchStreamWriter } from 'apache-arrow';
import { qualifiedTable } from '../../pipeline/clickhouse/escape.ts';
import type { ClickHouseConfig } from '../../pipeline/config.ts';
import { ArrowBatcher } from './arrow.ts';
import { streamQuery, type ColumnInfo } from './stream.ts';

export type ExportFormat = 'arrow' | 'ndjson' | 'csv';

export interface ExportOptions {
  config: ClickHouseConfig;
  password: string;
  sql: string;
  format: ExportFormat;
  out: string;
  /** Rows per Arrow record batch (and per write for the text formats). @default 8192 (peak RSS ~230 MB at 1M rows; 65536: ~460 MB) */
  batchRows?: number;
  onProgress?: (rows: number) => void;
  signal?: AbortSignal;
}

/** SELECT for a whole table; FINAL when the engine deduplicates on merge (ReplacingMergeTree). */
export function tableSelect(database: string, table: string, engine: string): string {
  return `SELECT * FROM ${qualifiedTable(database, table)}${/ReplacingMergeTree$/.test(engine) ? ' FINAL' : ''}`;
}

/** Collects what the Arrow writer emits, so we can hand it to the file stream with back-pressure. */
class ChunkSink extends AsyncByteQueue {
  chunks: Uint8Array[] = [];
  override write(value: ArrayBufferView | ArrayBuffer | ArrayBufferLike | Uint8Array | Iterable<number> | string | null | undefined): void {
    if (value === null || value === undefined || typeof value === 'string') return;
    const u = value instanceof Uint8Array ? value : ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : new Uint8Array(value as ArrayBuffer);
    if (u.byteLength) this.chunks.push(u);
  }
  take(): Uint8Array[] {
    const c = this.chunks;
    this.chunks = [];
    return c;
  }
}

async function writeAll(out: WriteStream, chunks: readonly (Uint8Array | string)[]): Promise<void> {
  for (const c of chunks) if (!out.write(c)) await once(out, 'drain');
}

const csvCell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export async function exportQuery(o: ExportOptions): Promise<{ rows: number; bytes: number; columns: ColumnInfo[] }> {
  const batchRows = o.batchRows ?? 8_192;
  const { columns, lines } = await streamQuery(o.config, o.password, o.sql, o.signal);
  const out = createWriteStream(o.out);
  const opened = once(out, 'open');
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  await Promise.race([opened, failed]);
  let rows = 0;

  const arrow = o.format === 'arrow' ? new ArrowBatcher(columns) : undefined;
  const sink = new ChunkSink();
  const writer = arrow ? new RecordBatchStreamWriter() : undefined;
  writer?.reset(sink, arrow!.schema);
  if (o.format === 'csv') await writeAll(out, [columns.map((c) => csvCell(c.name)).join(',') + '\n']);

  let pending: string[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    if (arrow) {
      writer!.write(arrow.batch(pending.map((l) => JSON.parse(l) as Record<string, unknown>)));
      await writeAll(out, sink.take());
    } else if (o.format === 'ndjson') {
      await writeAll(out, [pending.join('\n') + '\n']);
    } else {
      const names = columns.map((c) => c.name);
      const text = pending.map((l) => {
        const r = JSON.parse(l) as Record<string, unknown>;
        return names.map((n) => csvCell(r[n])).join(',');
      });
      await writeAll(out, [text.join('\n') + '\n']);
    }
    rows += pending.length;
    pending = [];
    o.onProgress?.(rows);
  };

  try {
    for await (const line of lines) {
      pending.push(line);
      if (pending.length >= batchRows) await Promise.race([flush(), failed]);
    }
    await Promise.race([flush(), failed]);
    if (writer) {
      // An empty result still gets a valid stream: the schema and the end-of-stream marker.
      writer.finish();
      await writeAll(out, sink.take());
    }
  } finally {
    out.end();
    await once(out, 'close').catch(() => {});
  }
  return { rows, bytes: out.bytesWritten, columns };
}
