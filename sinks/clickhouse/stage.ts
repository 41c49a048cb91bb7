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
import { RetryableError, ok, type StepResult } from '../../pipeline/runtime/result.ts';
import type { InputMessage, StageDefinition } from '../../pipeline/runtime/stage.ts';
import { SinkBatcher, type FlushInfo } from './batcher.ts';
import { createHttpInserter } from './http-insert.ts';
import { REJECT_REASONS, SINK_ROUTES, type SinkRoute } from './routes.ts';

type AnyInput = InputMessage<z.infer<z.ZodType>>;

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
  const batcher = new SinkBatcher<unknown>(
    (table, rows) => ch.insert(table, rows),
    { ...config.sink.clickhouse, maxWaiting: config.runtime.partitionsConsumedConcurrently * maxInFlightSlices },
    onFlush,
    inserter?.open,
    { row: (table, value) => byTable.get(table)!.toRow(value as never) },
  );

  return {
    name: 'sink_clickhouse',
    inputs: SINK_ROUTES.map((r) => r.topic),
    maxInFlightSlices,
    state: () => ({ bufferedRows: batcher.bufferedRows, waitingWriters: batcher.waitingWriters }),
    async handle(batch: readonly AnyInput[]): Promise<StepResult[]> {
      // The runtime calls a handler with messages of one partition of one topic.
      const route = routes.get(batch[0]!.topic);
      if (!route) throw new Error(`sink_clickhouse has no table for topic ${batch[0]!.topic}`);
      const results: (StepResult | undefined)[] = new Array(batch.length);
      const values: unknown[] = [];
      const at: number[] = [];
      let bytes = 0;
      // Each value is serialized once, here (a value that cannot be mapped is rejected before it joins a batch).
      let text = '';
      for (let i = 0; i < batch.length; i++) {
        const m = batch[i]!;
        try {
          text += route.toLine(m.value as never) + '\n';
          values.push(m.value);
          at.push(i);
          bytes += m.raw.length;
        } catch (err) {
          results[i] = route.onRejected(REJECT_REASONS.unmappable, err);
        }
      }
      let outcomes;
      try {
        outcomes = await batcher.write(route.table, values, bytes, text);
      } catch (err) {
        const e = toClickHouseError(err);
        if (e.retryable) throw e; // the runtime reads `retryable` and backs off
        log.error({ table: route.table, code: e.code, type: e.type, err: e.message }, 'insert failed with a non-data error; waiting for a fix (retrying)');
        throw new RetryableError(e.message, { cause: e });
      }
      for (let k = 0; k < at.length; k++) {
        const o = outcomes[k];
        results[at[k]!] = o ? route.onRejected(REJECT_REASONS.rejected, o) : ok();
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
