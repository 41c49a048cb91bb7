// Stage `sink_clickhouse`: writes listing snapshots and dead letters into ClickHouse.
// In: the listings and dead-letters topics (validated by the runtime). Out: rows in listing_snapshots and
// dead_letters, one JSONEachRow insert per slice. Offsets move only after the insert succeeded (the runtime
// resolves them after the handler returns). Outages (network, 5xx, overload) are RetryableErrors: the runtime
// backs off and the partition waits. Rows the server rejects as data are isolated one by one and
// dead-lettered; a dead letter that cannot be written is dropped with a reason, counted and logged (it is
// still on the dead-letter topic), so a bad row never loops. Idempotence: deterministic ids + ReplacingMergeTree.
// The sink issue replaces this with batching by rows, bytes and time across slices; the stage name stays.
import type { z } from 'zod';
import { createClickHouse, type ClickHouse } from '../../pipeline/clickhouse/client.ts';
import { toClickHouseError } from '../../pipeline/clickhouse/errors.ts';
import { TABLES, deadLetterToRow, listingToRow, type Row } from '../../pipeline/clickhouse/rows.ts';
import { secrets, type Config } from '../../pipeline/config.ts';
import type { DeadLetter, ListingSnapshot } from '../../pipeline/contracts/index.ts';
import type { Logger } from '../../pipeline/logger.ts';
import { drop, dlq, ok, type StepResult } from '../../pipeline/runtime/result.ts';
import type { InputMessage, StageDefinition } from '../../pipeline/runtime/stage.ts';
import { topics, type TopicSpec } from '../../pipeline/topics.ts';

interface Route {
  topic: TopicSpec;
  table: string;
  toRow: (value: never) => Row;
  /** What to do with a message whose row the server rejects. */
  onRejected: (reason: string, err: unknown) => StepResult;
}

const ROUTES: readonly Route[] = [
  { topic: topics.listings, table: TABLES.listing_snapshots, toRow: listingToRow as (v: ListingSnapshot) => Row, onRejected: (r, e) => dlq(r, e) },
  // Dead letters never go back to the dead-letter topic: that would loop.
  { topic: topics.deadLetters, table: TABLES.dead_letters, toRow: deadLetterToRow as (v: DeadLetter) => Row, onRejected: (r) => drop(r) },
];

type AnyInput = InputMessage<z.infer<z.ZodType>>;

export function createClickHouseSinkStage(config: Config, logger: Logger, client?: ClickHouse): StageDefinition {
  const log = logger.child({ component: 'sink', name: 'clickhouse' });
  const ch = client ?? createClickHouse(config.clickhouse, { password: secrets.clickhousePassword() });
  const routes = new Map<string, Route>();
  const suffix = config.kafka.topicSuffix;
  for (const r of ROUTES) routes.set(r.topic.name + suffix, r);

  const insert = async (table: string, rows: Row[]) => {
    try {
      await ch.insert(table, rows);
    } catch (err) {
      throw toClickHouseError(err); // carries `retryable`, which the runtime reads
    }
  };

  return {
    name: 'sink_clickhouse',
    inputs: ROUTES.map((r) => r.topic),
    async handle(batch: readonly AnyInput[]): Promise<StepResult[]> {
      // The runtime calls a handler with messages of one partition of one topic.
      const route = routes.get(batch[0]!.topic);
      if (!route) throw new Error(`sink_clickhouse has no table for topic ${batch[0]!.topic}`);
      const rows: Row[] = [];
      const results: StepResult[] = [];
      for (const m of batch) {
        try {
          rows.push(route.toRow(m.value as never));
          results.push(ok());
        } catch (err) {
          rows.push(null as never);
          results.push(route.onRejected('unmappable_row', err));
        }
      }
      const good = rows.filter((_, i) => results[i]!.kind === 'ok');
      try {
        if (good.length) await insert(route.table, good);
        return results;
      } catch (err) {
        const e = toClickHouseError(err);
        if (e.retryable) throw e;
        // A data error rejects the whole insert: find the bad rows one by one, write the others.
        log.warn({ table: route.table, code: e.code, type: e.type, rows: good.length }, 'insert rejected; isolating bad rows');
        for (let i = 0; i < rows.length; i++) {
          if (results[i]!.kind !== 'ok') continue;
          try {
            await insert(route.table, [rows[i]!]);
          } catch (one) {
            const e1 = toClickHouseError(one);
            if (e1.retryable) throw e1;
            results[i] = route.onRejected('clickhouse_rejected_row', e1);
          }
        }
        return results;
      }
    },
    async stop() {
      if (!client) await ch.close();
    },
  };
}
