// Stage `sink_clickhouse`: writes listing and livestream snapshots, alerts and dead letters into ClickHouse.
// In: the topics of SINK_ROUTES (validated by the runtime). Out: rows in listing_snapshots,
// livestream_snapshots, alerts, dead_letters; bad rows as dead letters (dead letters themselves: dropped).
// Rows are batched per table across slices and partitions (batcher.ts): a handler call returns only when the
// INSERT holding its rows has succeeded, so offsets move only after the data is in ClickHouse, and the
// runtime pauses the partition while it waits (back-pressure). Outages (network, 5xx, overload) reach the
// runtime as retryable errors: it backs off and hands the slice again; nothing is lost, and a retried INSERT
// doubles nothing under FINAL (deterministic ids + ReplacingMergeTree).
// Errors that are neither data nor outage (unknown table, bad credentials, schema drift) are retried too,
// logged at error: dead-lettering every message because a migration was not run would be worse than waiting.
import type { z } from 'zod';
import { createClickHouse, type ClickHouse } from '../../pipeline/clickhouse/client.ts';
import { toClickHouseError } from '../../pipeline/clickhouse/errors.ts';
import { secrets, type Config } from '../../pipeline/config.ts';
import type { Logger } from '../../pipeline/logger.ts';
import { RetryableError, dlq, ok, type StepResult } from '../../pipeline/runtime/result.ts';
import { createJsonDecoder } from '../../pipeline/runtime/validator.ts';
import type { InputMessage, StageDefinition } from '../../pipeline/runtime/stage.ts';
import { RowRejected, SinkBatcher, type FlushInfo } from './batcher.ts';
import { createHttpInserter } from './http-insert.ts';
import { REJECT_REASONS, SINK_ROUTES, type SinkRoute } from './routes.ts';

type AnyInput = InputMessage<z.infer<z.ZodType>>;
/** Largest line scratch buffer kept between calls (a slice of huge messages gets its own, dropped after). */
const SCRATCH_KEPT = 8 * 1024 * 1024;

export interface ClickHouseSinkStage extends StageDefinition {
  /** Rows buffered and writers waiting right now (for tests and metrics). */
  readonly state: () => { bufferedRows: number; waitingWriters: number };
}

export function createClickHouseSinkStage(config: Config, logger: Logger, client?: ClickHouse): ClickHouseSinkStage {
  const log = logger.child({ component: 'sink', name: 'clickhouse' });
  const ch = client ?? createClickHouse(config.clickhouse, { password: secrets.clickhousePassword() });
  const routes = new Map<string, SinkRoute>();
  for (const r of SINK_ROUTES) routes.set(r.topic.name + config.kafka.topicSuffix, r);

  let lastOutageLog = 0;
  const onFlush = (f: FlushInfo) => {
    if (f.error) {
      // One line per outage burst, not per batch.
      if (Date.now() - lastOutageLog > 5_000) {
        lastOutageLog = Date.now();
        log.warn({ table: f.table, rows: f.rows, code: f.error.code, type: f.error.type, err: f.error.message }, 'insert failed; the runtime retries the slices');
      }
    } else if (f.rejected) {
      log.warn({ table: f.table, rows: f.rows, rejected: f.rejected }, 'server rejected rows as data; dead-lettering them');
    } else {
      log.debug({ table: f.table, rows: f.rows, bytes: f.bytes, ms: f.ms, trigger: f.trigger }, 'batch written');
    }
  };
  // The streaming fast path talks HTTP itself; the client's insert isolates bad rows. A client passed in by
  // a caller (tests) is used for everything.
  const inserter = !client && config.sink.clickhouse.streamInserts ? createHttpInserter(config.clickhouse, secrets.clickhousePassword()) : undefined;
  // The stage holds more slices per partition than other stages, so the next batch fills while one is written.
  const maxInFlightSlices = Math.max(config.runtime.maxInFlightSlices, config.sink.clickhouse.maxInFlightSlices);
  const byTable = new Map<string, SinkRoute>(SINK_ROUTES.map((r) => [r.table, r]));
  // The batcher holds the messages' values; the stream gets their lines from the handler, and rows are built
  // only for plain INSERTs (bad-row search, or no stream).
  let scratch = Buffer.alloc(0);
  // Raw topics: the runtime hands their messages over unparsed (routes with `wire`, when lines are streamed).
  const rawRoutes = inserter && config.sink.clickhouse.wireLines ? SINK_ROUTES.filter((r) => r.wire) : [];
  const decoders = new Map(rawRoutes.map((r) => [r, createJsonDecoder(r.topic.value)] as const));
  const batcher = new SinkBatcher<unknown>(
    (table, rows) => ch.insert(table, rows),
    { ...config.sink.clickhouse, maxWaiting: config.runtime.partitionsConsumedConcurrently * maxInFlightSlices },
    onFlush,
    inserter?.open,
    {
      // Items are contract values, or the wire bytes of a raw message whose line was made without parsing it:
      // those are validated here, for the plain INSERTs that decide a failed batch.
      row: (table, item) => {
        const route = byTable.get(table)!;
        let value: unknown = item;
        if (Buffer.isBuffer(item)) {
          const d = decoders.get(route)!(item);
          if (!d.ok) throw new RowRejected(d.reason, d.error);
          value = d.value;
        }
        try {
          return route.toRow(value as never);
        } catch (err) {
          throw new RowRejected(REJECT_REASONS.unmappable, err);
        }
      },
      columns: (table) => byTable.get(table)!.wire?.columns,
    },
  );

  return {
    name: 'sink_clickhouse',
    inputs: SINK_ROUTES.map((r) => r.topic),
    rawInputs: rawRoutes.map((r) => r.topic),
    maxInFlightSlices,
    maxBytesPerPartition: config.sink.clickhouse.fetchBytesPerPartition,
    state: () => ({ bufferedRows: batcher.bufferedRows, waitingWriters: batcher.waitingWriters }),
    async handle(batch: readonly AnyInput[]): Promise<StepResult[]> {
      // The runtime calls a handler with messages of one partition of one topic.
      const route = routes.get(batch[0]!.topic);
      if (!route) throw new Error(`sink_clickhouse has no table for topic ${batch[0]!.topic}`);
      const results: (StepResult | undefined)[] = new Array(batch.length);
      const items: unknown[] = [];
      const at: number[] = [];
      let bytes = 0;
      // Each message becomes its JSONEachRow line here, in one buffer per slice: from its wire bytes (raw
      // topics), else from its value (a value that cannot be mapped is rejected before it joins a batch).
      const decode = decoders.get(route);
      const wire = decode && route.wire;
      let room = 0;
      for (const m of batch) room += wire ? wire.maxBytes(m.raw) : 2 * m.raw.length + 512;
      // Lines are written into a scratch buffer shared by all calls (this part is synchronous) and copied out at
      // their exact size: the bound above is about twice what they take.
      if (scratch.length < room) scratch = Buffer.allocUnsafe(room);
      let out = scratch;
      let o = 0;
      const put = (line: string) => {
        const need = Buffer.byteLength(line) + 1;
        if (o + need > out.length) {
          const grown = Buffer.allocUnsafe(Math.max(2 * out.length, o + need));
          out.copy(grown, 0, 0, o);
          out = grown;
        }
        o += out.write(line, o);
        out[o++] = 0x0a;
      };
      for (let i = 0; i < batch.length; i++) {
        const m = batch[i]!;
        let value = m.value;
        if (wire) {
          const end = wire.write(m.raw, out, o);
          if (end >= 0) {
            o = end;
            items.push(m.raw);
            at.push(i);
            bytes += m.raw.length;
            continue;
          }
          // Not of the plain shape: the contract decides (dead letter with its reason, or the value's line).
          const d = decode!(m.raw);
          if (!d.ok) {
            results[i] = dlq(d.reason, d.error);
            continue;
          }
          value = d.value;
        }
        try {
          put(route.toLine(value as never));
          items.push(value);
          at.push(i);
          bytes += m.raw.length;
        } catch (err) {
          results[i] = route.onRejected(REJECT_REASONS.unmappable, err);
        }
      }
      let outcomes;
      try {
        const lines = Buffer.from(out.subarray(0, o));
        if (out.length > SCRATCH_KEPT) scratch = Buffer.alloc(0);
        outcomes = await batcher.write(route.table, items, bytes, lines);
      } catch (err) {
        const e = toClickHouseError(err);
        if (e.retryable) throw e; // the runtime reads `retryable` and backs off
        log.error({ table: route.table, code: e.code, type: e.type, err: e.message }, 'insert failed with a non-data error; waiting for a fix (retrying)');
        throw new RetryableError(e.message, { cause: e });
      }
      for (let k = 0; k < at.length; k++) {
        const o = outcomes[k];
        results[at[k]!] = !o ? ok() : o instanceof RowRejected ? route.onRejected(o.reason, o.detail) : route.onRejected(REJECT_REASONS.rejected, o);
      }
      return results as StepResult[];
    },
    async stop() {
      await batcher.close();
      inserter?.close();
      if (!client) await ch.close();
    },
  };
}
