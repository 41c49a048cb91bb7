// ClickHouse stopped for 60 s in the middle of a run: the sink stage keeps running (retrying with backoff,
// partitions paused), memory stays bounded, and after the server returns every snapshot and alert is there
// exactly once in FINAL results and in the aggregates. Uses a ClickHouse this test starts itself (temporary
// state dir, free ports, the same code as `infra up`) and stops; never the shared one. Kafka: the shared
// broker with this test's own topics.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clickhouseService } from '../../infra/local/clickhouse.ts';
import { startService, stopService } from '../../infra/local/service.ts';
import { createClickHouse } from '../../pipeline/clickhouse/client.ts';
import { parseConfig } from '../../pipeline/config.ts';
import { ACKS_ALL, createKafka, deleteTopics, type KafkaHandle } from '../../pipeline/kafka.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { createStage } from '../../pipeline/runtime/stage.ts';
import { sampleListings } from '../../pipeline/sample.ts';
import { migrateAll } from '../../pipeline/setup.ts';
import { allTopics, topics, type TopicSpec } from '../../pipeline/topics.ts';
import { sampleAlerts, sampleLivestreams } from '../../sinks/clickhouse/samples.ts';
import { createClickHouseSinkStage } from '../../sinks/clickhouse/stage.ts';
import { eventually, testConfig, testLogger } from '../support/env.ts';

const OUTAGE_MS = Number(process.env.SHELFWATCH_TEST_OUTAGE_MS ?? 60_000);
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function publish(kafka: KafkaHandle, topic: TopicSpec, values: { key: string; value: unknown }[]) {
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < values.length; i += 500) {
    await producer.send({ topic: kafka.topic(topic), acks: ACKS_ALL, messages: values.slice(i, i + 500).map((v) => ({ key: v.key, value: JSON.stringify(v.value) })) });
  }
  await producer.disconnect();
}

describe('sink_clickhouse through a ClickHouse outage', () => {
  it(`survives ClickHouse stopped for ${OUTAGE_MS / 1000} s: bounded memory, then every row exactly once`, async () => {
    // Our own server.
    const stateDir = mkdtempSync(join(tmpdir(), 'shelfwatch-outage-'));
    const [http, tcp, interserver] = [await freePort(), await freePort(), await freePort()];
    const serverConfig = parseConfig({
      clickhouse: { url: `http://127.0.0.1:${http}` },
      infra: { stateDir, clickhouseHttpPort: http, clickhouseTcpPort: tcp, clickhouseInterserverPort: interserver, startTimeoutSec: 60 },
    });
    const svc = clickhouseService(serverConfig);
    await startService(svc, 60, silentLogger);
    cleanups.push(async () => {
      await stopService(svc, silentLogger, 10_000);
      rmSync(stateDir, { recursive: true, force: true });
    });

    const base = testConfig({ runtime: { maxBatchSize: 200 } });
    const config = parseConfig({ ...base, clickhouse: { ...base.clickhouse, url: serverConfig.clickhouse.url, requestTimeoutMs: 5_000 } });
    const logger = testLogger(config);
    await migrateAll(config, logger);
    const kafka = createKafka(config.kafka, logger);
    const ch = createClickHouse(config.clickhouse);
    cleanups.push(async () => {
      await ch.close();
      await deleteTopics(kafka, allTopics.map((t) => kafka.topic(t)));
    });

    const listings = sampleListings(6000, 51);
    const alerts = sampleAlerts(listings, 51, 0.3);
    const streams = sampleLivestreams(20, 30, 51);
    const sink = createClickHouseSinkStage(config, logger);
    const stage = createStage(sink, { kafka, logger, runtime: config.runtime, backoff: { initialMs: 200, maxMs: 5_000 } });
    cleanups.push(() => stage.stop());
    await stage.start();

    // Before the outage: a third of everything.
    const third = (xs: readonly unknown[], k: number) => xs.slice(Math.floor((xs.length * k) / 3), Math.floor((xs.length * (k + 1)) / 3));
    const send = async (k: number) => {
      await publish(kafka, topics.listings, (third(listings, k) as typeof listings).map((l) => ({ key: `${l.platform}:${l.listing_id}`, value: l })));
      await publish(kafka, topics.alerts, (third(alerts, k) as typeof alerts).map((a) => ({ key: a.alert_id, value: a })));
      await publish(kafka, topics.livestreams, (third(streams, k) as typeof streams).map((s) => ({ key: `${s.platform}:${s.room_id}`, value: s })));
    };
    await send(0);
    expect(await eventually(async () => stage.metrics.resolved > 1000, 60_000)).toBe(true);

    // The outage, while the rest is published.
    await stopService(svc, silentLogger, 10_000);
    const rssBefore = process.memoryUsage().rss;
    let rssMax = rssBefore;
    let bufferedMax = 0;
    const errorsBefore = stage.metrics.errors.get('retryable') ?? 0;
    const until = Date.now() + OUTAGE_MS;
    const sending = (async () => {
      await send(1);
      await send(2);
    })();
    while (Date.now() < until) {
      rssMax = Math.max(rssMax, process.memoryUsage().rss);
      bufferedMax = Math.max(bufferedMax, sink.state().bufferedRows);
      await new Promise((r) => setTimeout(r, 500));
    }
    await sending;
    const resolvedDuringOutage = stage.metrics.resolved;
    const retries = (stage.metrics.errors.get('retryable') ?? 0) - errorsBefore;
    await startService(svc, 60, silentLogger);

    const total = listings.length + alerts.length + streams.length;
    expect(await eventually(async () => stage.metrics.resolved >= total, 120_000, 500)).toBe(true);
    const n = async (sql: string) => Number((await ch.query<{ n: string }>(sql))[0]!.n);
    expect(await n(`SELECT count() AS n FROM ${ch.table('listing_snapshots')} FINAL`)).toBe(listings.length);
    expect(await n(`SELECT count() AS n FROM ${ch.table('alerts')} FINAL`)).toBe(new Set(alerts.map((a) => a.alert_id)).size);
    expect(await n(`SELECT count() AS n FROM ${ch.table('livestream_snapshots')} FINAL`)).toBe(streams.length);
    expect(await n(`SELECT uniqExactMerge(alerts) AS n FROM ${ch.table('alerts_daily')}`)).toBe(new Set(alerts.map((a) => a.alert_id)).size);
    expect(await n(`SELECT uniqExactMerge(listings) AS n FROM ${ch.table('listings_observed_monthly')}`)).toBeLessThanOrEqual(listings.length);
    // Nothing was dead-lettered for the outage, the sink retried, and memory stayed bounded.
    expect(stage.metrics.deadLettered.size).toBe(0);
    expect(retries).toBeGreaterThan(0);
    const grewMb = (rssMax - rssBefore) / 1e6;
    process.stdout.write(
      `outage ${OUTAGE_MS / 1000} s: ${retries} retried slices, resolved before restart ${resolvedDuringOutage}/${total}, buffered rows max ${bufferedMax}, RSS before ${(rssBefore / 1e6).toFixed(0)} MB, max during ${(rssMax / 1e6).toFixed(0)} MB (+${grewMb.toFixed(0)} MB)\n`,
    );
    expect(grewMb).toBeLessThan(150);
    // The buffer only ever holds the slices being retried: one per partition consumed at once.
    expect(bufferedMax).toBeLessThanOrEqual(config.runtime.partitionsConsumedConcurrently * config.runtime.maxBatchSize);
  }, OUTAGE_MS + 300_000);
});
