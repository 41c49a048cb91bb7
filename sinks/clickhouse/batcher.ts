// Batches rows per table across the runtime's slices and partitions, and writes each batch in one INSERT.
// In: write(table, rows, bytes) from the sink's handler, once per slice. Out: a promise per call that settles
// only when the INSERT holding its rows has settled: one outcome per row (null = written, or the
// ClickHouseError the server rejected that row with), or a rejection (outage) that the caller rethrows so
// the runtime backs off and hands the slice again. Because the handler awaits it, the runtime resolves a
// slice's offsets only after its rows are in ClickHouse, and pauses the partition meanwhile (back-pressure).
//
// Memory is bounded by what waits: every buffered row belongs to a handler that has not returned, and the
// runtime runs at most `maxWaiting` handlers at once (one per partition consumed concurrently), each with one
// slice. A failed INSERT drops its buffer (the rows come back with the retried slice), so nothing piles up
// during an outage.
//
// Triggers: maxRows, maxBytes, maxWaitMs since the oldest row, lingerMs without a new row, "every
// handler that could add rows is already waiting" (maxWaiting reached), which flushes at once, and "this
// buffer holds its share of the writers" (maxWaiting / inFlightBatches): it is written while the other
// writers fill the next buffer, so the process decodes while the server inserts (overlap on 2+ cores).
// Bad rows: an item whose row cannot be built (RowCodec.row throws RowRejected: it fails the contract) is
// reported as such and not inserted. The server rejects a whole INSERT for one bad row (code 117, 53, 27, 26 ...). The batch is split
// in halves until the bad rows are alone (k bad rows cost O(k log n) INSERTs), the good ones are written and
// the bad ones reported per row; the caller dead-letters them. A retryable error during that search fails the
// whole batch (rows already written are written again on retry: deterministic ids + ReplacingMergeTree).
// Streaming (when `open` is given): a batch's INSERT request is opened with its first rows and each write is
// serialized and sent at once, so the server parses while the process handles other slices; the flush only
// ends the request. The rows stay in memory until the INSERT settles, for the bad-row search above. A
// failed stream is retried once as a plain INSERT, which classifies the failure (data error or outage).
import { ClickHouseError, toClickHouseError } from '../../pipeline/clickhouse/errors.ts';
import type { Row } from '../../pipeline/clickhouse/rows.ts';
import type { ClickHouseSinkConfig } from './config.ts';
import type { InsertStream, OpenInsert } from './http-insert.ts';

export type InsertFn = (table: string, rows: Row[]) => Promise<void>;

/** Thrown by RowCodec.row for an item that has no row (it fails the contract): reported, never inserted. */
export class RowRejected extends Error {
  override name = 'RowRejected';
  constructor(
    /** snake_case reason for the dead letter. */
    readonly reason: string,
    readonly detail: unknown,
  ) {
    super(`${reason}: ${detail instanceof Error ? detail.message : String(detail)}`);
  }
}

/** Per row: null when written, else why not: the data error the server rejected it with, or RowRejected. */
export type RowOutcome = ClickHouseError | RowRejected | null;

export interface BatcherOptions extends Omit<ClickHouseSinkConfig, 'maxInFlightSlices' | 'inFlightBatches' | 'wireLines' | 'fetchBytesPerPartition'> {
  /** How many writers can wait at once (partitions consumed concurrently x the stage's in-flight slices). */
  maxWaiting: number;
  /** A buffer is flushed when maxWaiting / inFlightBatches writers wait in it, so others fill the next. @default 1 */
  inFlightBatches?: number;
}

export interface FlushInfo {
  table: string;
  rows: number;
  bytes: number;
  ms: number;
  trigger: FlushTrigger;
  /** Rows the server rejected as data. */
  rejected: number;
  /** The error when the batch failed as a whole (outage); the rows will come back. */
  error?: ClickHouseError;
}
export type FlushTrigger = 'rows' | 'bytes' | 'max_wait' | 'linger' | 'share_waiting' | 'all_waiting' | 'close';

interface Waiter {
  offset: number;
  count: number;
  resolve: (outcomes: RowOutcome[]) => void;
  reject: (err: unknown) => void;
}

interface Pending<T> {
  stream?: InsertStream;
  rows: T[];
  bytes: number;
  waiters: Waiter[];
  maxWaitTimer?: NodeJS.Timeout;
  lingerTimer?: NodeJS.Timeout;
}

/**
 * How a buffered item becomes a row for a plain INSERT (the bad-row search) and a JSONEachRow line for the
 * stream. The sink buffers the messages' values and serializes them once, straight to the stream; row objects
 * are built only when a batch has to be searched for bad rows.
 */
export interface RowCodec<T> {
  /** The item's row; throws RowRejected when it has none. */
  row(table: string, item: T): Row;
  /** The columns a table's stream names (undefined: the keys of the first item's row). */
  columns?(table: string): readonly string[] | undefined;
}
const identity: RowCodec<Row> = { row: (_t, r) => r };

export class SinkBatcher<T = Row> {
  private readonly buffers = new Map<string, Pending<T>>();
  private readonly inFlight = new Set<Promise<void>>();
  private waiting = 0;
  private closed = false;
  /** Writers waiting in one buffer that flush it (the others fill the next buffer meanwhile). */
  private readonly share: number;

  constructor(
    private readonly insert: InsertFn,
    private readonly opts: BatcherOptions,
    private readonly onFlush: (info: FlushInfo) => void = () => {},
    private readonly open?: OpenInsert,
    private readonly codec: RowCodec<T> = identity as unknown as RowCodec<T>,
  ) {
    this.share = Math.max(1, Math.ceil(opts.maxWaiting / (opts.inFlightBatches ?? 1)));
  }

  /** Rows currently buffered (not yet handed to an INSERT), over all tables. */
  get bufferedRows(): number {
    let n = 0;
    for (const b of this.buffers.values()) n += b.rows.length;
    return n;
  }

  /** Writers waiting for their INSERT. */
  get waitingWriters(): number {
    return this.waiting;
  }

  /**
   * Adds rows (one writer); `text`, when given, is their JSONEachRow lines (one per row, in order; a string or
   * its UTF-8 bytes), sent to the stream as they are instead of serializing the rows here.
   */
  write(table: string, rows: readonly T[], bytes: number, text?: string | Buffer): Promise<RowOutcome[]> {
    if (this.closed) return Promise.reject(new Error('sink batcher is closed'));
    if (rows.length === 0) return Promise.resolve([]);
    let buf = this.buffers.get(table);
    if (!buf) this.buffers.set(table, (buf = { rows: [], bytes: 0, waiters: [] }));
    const done = new Promise<RowOutcome[]>((resolve, reject) => {
      buf.waiters.push({ offset: buf.rows.length, count: rows.length, resolve, reject });
    });
    for (const r of rows) buf.rows.push(r);
    buf.bytes += bytes;
    if (this.open) {
      buf.stream ??= this.open(table, this.codec.columns?.(table) ?? Object.keys(this.codec.row(table, rows[0]!)));
      if (text === undefined) {
        text = '';
        for (const r of rows) text += JSON.stringify(this.codec.row(table, r)) + '\n';
      }
      buf.stream.write(text);
    }
    this.waiting++;
    const settled = done.finally(() => this.waiting--);

    if (buf.rows.length >= this.opts.maxRows) this.flush(table, 'rows');
    else if (buf.bytes >= this.opts.maxBytes) this.flush(table, 'bytes');
    else if (this.waiting >= this.opts.maxWaiting) this.flushAll('all_waiting');
    else if (buf.waiters.length >= this.share) this.flush(table, 'share_waiting');
    else {
      buf.maxWaitTimer ??= setTimeout(() => this.flush(table, 'max_wait'), this.opts.maxWaitMs);
      if (this.opts.lingerMs > 0) {
        clearTimeout(buf.lingerTimer);
        buf.lingerTimer = setTimeout(() => this.flush(table, 'linger'), this.opts.lingerMs);
      }
    }
    return settled;
  }

  /** Flushes every non-empty buffer; resolves when every INSERT in flight has settled. */
  async drain(): Promise<void> {
    this.flushAll('close');
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
  }

  private flushAll(trigger: FlushTrigger): void {
    for (const [table, buf] of this.buffers) if (buf.rows.length) this.flush(table, trigger);
  }

  private flush(table: string, trigger: FlushTrigger): void {
    const buf = this.buffers.get(table);
    if (!buf || buf.rows.length === 0) return;
    clearTimeout(buf.maxWaitTimer);
    clearTimeout(buf.lingerTimer);
    this.buffers.delete(table);
    const p = this.run(table, buf, trigger);
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async run(table: string, buf: Pending<T>, trigger: FlushTrigger): Promise<void> {
    const started = Date.now();
    const outcomes: RowOutcome[] = new Array<RowOutcome>(buf.rows.length).fill(null);
    try {
      if (buf.stream) {
        try {
          await buf.stream.end();
        } catch {
          // A failed stream is never the verdict: when the server rejects a row mid-stream it may close the
          // connection while we still write, and the client sees EPIPE (an outage) before the answer (a data
          // error). The plain INSERT of the same rows decides: data error -> isolate; outage -> retry later.
          await this.writeRows(table, buf.rows, outcomes);
        }
      } else {
        await this.writeRows(table, buf.rows, outcomes);
      }
    } catch (err) {
      const e = toClickHouseError(err);
      this.onFlush({ table, rows: buf.rows.length, bytes: buf.bytes, ms: Date.now() - started, trigger, rejected: 0, error: e });
      for (const w of buf.waiters) w.reject(e);
      return;
    }
    const rejected = outcomes.reduce((n, o) => n + (o ? 1 : 0), 0);
    this.onFlush({ table, rows: buf.rows.length, bytes: buf.bytes, ms: Date.now() - started, trigger, rejected });
    for (const w of buf.waiters) w.resolve(outcomes.slice(w.offset, w.offset + w.count));
  }

  /** Plain INSERTs of the items' rows; items without a row are reported (RowRejected), the rest isolated. */
  private async writeRows(table: string, items: T[], outcomes: RowOutcome[]): Promise<void> {
    const rows: Row[] = [];
    const at: number[] = [];
    for (let i = 0; i < items.length; i++) {
      try {
        rows.push(this.codec.row(table, items[i]!));
        at.push(i);
      } catch (err) {
        if (!(err instanceof RowRejected)) throw err;
        outcomes[i] = err;
      }
    }
    if (rows.length) await this.writeIsolating(table, rows, at, outcomes);
  }

  /** Inserts rows (items at[...]); on a data error splits in halves until the bad rows are alone. */
  private async writeIsolating(table: string, rows: Row[], at: number[], outcomes: RowOutcome[]): Promise<void> {
    try {
      await this.insert(table, rows);
    } catch (err) {
      const e = toClickHouseError(err);
      if (!e.dataError) throw e;
      if (rows.length === 1) {
        outcomes[at[0]!] = e;
        return;
      }
      const mid = rows.length >> 1;
      await this.writeIsolating(table, rows.slice(0, mid), at.slice(0, mid), outcomes);
      await this.writeIsolating(table, rows.slice(mid), at.slice(mid), outcomes);
    }
  }
}

export { ClickHouseError };
