// Config of the ClickHouse sink (config.sink.clickhouse): when a table's buffer is flushed.
// In: the `sink.clickhouse` section of the config file. Out: ClickHouseSinkConfig (strict, defaulted).
// A buffer collects rows of every slice the runtime hands the sink, across partitions, and is written in
// one INSERT when any trigger fires: rows, bytes, age of its oldest row, a quiet spell with no new rows
// (linger), or enough writers wait in it (its share of the slices the stage holds: the rest fill the next
// batch meanwhile), or every writer that could add rows is waiting (waiting longer only adds latency).
import { z } from 'zod';

export const clickhouseSinkConfigSchema = z.strictObject({
  /** Flush a table's buffer at this many rows. @default 100000 */
  maxRows: z.number().int().min(1).max(1_000_000).default(100_000),
  /** Flush at this many bytes (as consumed from Kafka). @default 64 MiB */
  maxBytes: z.number().int().min(1024).default(64 * 1024 * 1024),
  /** Flush when the oldest buffered row is this old, ms. @default 1000 */
  maxWaitMs: z.number().int().min(1).max(600_000).default(1_000),
  /** Flush when no row joined the buffer for this long, ms (0 = off). @default 25 */
  lingerMs: z.number().int().min(0).max(60_000).default(25),
  /** Stream each batch's INSERT as its rows arrive (one HTTP request per batch, opened with its first rows). @default true */
  streamInserts: z.boolean().default(true),
  /**
   * Listing snapshots land from their wire bytes (sinks/clickhouse/listing-wire.ts): the runtime hands them
   * over unparsed, the sink checks their shape in one pass and appends the flattened fields, and ClickHouse
   * reads the rest of the JSON itself; a message of another shape, or in a batch the server rejects, is
   * validated with the contract. false: every message is parsed, validated and serialized by the process.
   * Needs streamInserts. @default true
   */
  wireLines: z.boolean().default(true),
  /**
   * Slices of each partition the sink holds at once (the stage's in-flight window; at least
   * runtime.maxInFlightSlices). With `inFlightBatches`, it sets a batch's size: a batch is flushed when
   * partitions x this / inFlightBatches slices wait in it. Memory: up to partitions x this x runtime.maxBatchSize
   * messages, and never more than the fetches in flight (fetchBytesPerPartition per partition), as raw bytes
   * plus their lines with wireLines. 64 makes a batch about 48k listings: each INSERT costs the server a fixed
   * amount (parts, views), so larger batches cost it less CPU per row (12k-row batches ~15-30% more;
   * provisional, npm run bench:sink). @default 64
   */
  maxInFlightSlices: z.number().int().min(1).max(64).default(64),
  /**
   * Bytes one Kafka fetch may take from a partition (capped by runtime.maxInFlightBytes / partitions
   * consumed concurrently). kafkajs fetches again only when every slice of the last fetch is delivered, so the
   * sink stalls once per fetch while its last INSERT finishes; larger fetches stall less often. @default 32 MiB
   */
  fetchBytesPerPartition: z.number().int().min(1024).default(32 * 1024 * 1024),
  /**
   * INSERTs per table in flight at once: while one batch is written, the next fills (decoding overlaps the
   * server's work). 1 = a batch is flushed only when every writer waits in it. @default 2
   */
  inFlightBatches: z.number().int().min(1).max(8).default(2),
});

export type ClickHouseSinkConfig = z.infer<typeof clickhouseSinkConfigSchema>;

export const sinkConfigSchema = z.strictObject({
  clickhouse: clickhouseSinkConfigSchema.prefault({}),
});
