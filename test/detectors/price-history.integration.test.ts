// The detect stage seeds price_anomaly from ClickHouse history (real Kafka, real ClickHouse): 40 snapshots of
// one product land in listing_snapshots (so the materialized view fills price_base_daily), a fresh stage
// starts, and ONE listing of that product at 30% of the median gets price_far_below on first sight; with
// detect.priceHistoryDays 0 the same listing gets nothing (the stream alone has too few prices). ClickHouse
// unreachable: start() still completes, the seed reports the cause, nothing is loaded.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DETECTORS } from '../../detectors/index.ts';
import { createPriceState } from '../../detectors/price-anomaly.ts';
import { listingToRow } from '../../pipeline/clickhouse/rows.ts';
import { parseConfig, type Config } from '../../pipeline/config.ts';
import { Alert, type ListingSnapshot } from '../../pipeline/contracts/index.ts';
import { ACKS_ALL, ensureTopics, type KafkaHandle } from '../../pipeline/kafka.ts';
import { createStage } from '../../pipeline/runtime/stage.ts';
import { createDetectStage } from '../../pipeline/stages/detect.ts';
import { seedPriceHistory } from '../../pipeline/stages/price-history.ts';
import { allTopics, topics } from '../../pipeline/topics.ts';
import { setupPipelineTest, type PipelineTest } from '../support/pipeline.ts';
import { eventually } from '../support/env.ts';
import { readTopic } from '../support/kafka.ts';
import { listing } from './support/fixtures.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const DAY = 86_400_000;
// 40 observations of one product over the last days, prices 180..219 (median ≈ 200).
const history = (now: number): ListingSnapshot[] =>
  Array.from({ length: 40 }, (_, i) =>
    listing({ listing_id: `H${i}`, snapshot_id: sha(`h${i}`), url: `http://127.0.0.1:8080/item/H${i}`, price: 180 + i, price_text: `¥${180 + i}`, fetched_at: new Date(now - (1 + (i % 5)) * DAY).toISOString() }),
  );

/** Only price_anomaly runs: other detectors' rules would add alerts unrelated to the price history. */
function priceOnly(base: Config, priceHistoryDays: number): Config {
  return parseConfig({
    ...base,
    detect: { ...base.detect, priceHistoryDays, detectors: Object.fromEntries(Object.keys(DETECTORS).map((n) => [n, { enabled: n === 'price_anomaly' }])) },
  });
}

async function publish(kafka: KafkaHandle, l: ListingSnapshot) {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: kafka.topic(topics.listings), acks: ACKS_ALL, messages: [{ key: `${l.platform}:${l.listing_id}`, value: JSON.stringify(l) }] });
  await producer.disconnect();
}

/** History landed in ClickHouse, a fresh detect stage started with `days`, one listing at 30% of the median published. */
async function run(days: number) {
  const t: PipelineTest = await setupPipelineTest({ maxBatchSize: 10 });
  cleanups.push(t.cleanup);
  const now = Date.now();
  await t.ch.insert('listing_snapshots', history(now).map(listingToRow));
  const base = await t.ch.query<{ observations: string }>(`SELECT uniqExactMerge(observations) AS observations FROM ${t.ch.table('price_base_daily')}`);
  expect(Number(base[0]!.observations)).toBe(40);

  const config = priceOnly(t.config, days);
  await ensureTopics(t.kafka, allTopics);
  const stage = createStage(createDetectStage(config, t.logger), { kafka: t.kafka, logger: t.logger, runtime: config.runtime });
  cleanups.push(() => stage.stop());
  await stage.start();
  await publish(t.kafka, listing({ listing_id: 'cheap', snapshot_id: sha('cheap'), price: 60, price_text: '¥60', fetched_at: new Date(now).toISOString() }));
  expect(await eventually(async () => stage.metrics.resolved >= 1, 60_000)).toBe(true);
  return { t, stage };
}

describe('detect stage seeded from ClickHouse price history (real Kafka + ClickHouse)', () => {
  it('a listing at 30% of the historical median is flagged on first sight', async () => {
    const { t, stage } = await run(28);
    const got = await readTopic(t.kafka, t.kafka.topic(topics.alerts), 1, 60_000);
    expect(got).toHaveLength(1);
    const alert = Alert.parse(JSON.parse(got[0]!.value!.toString('utf8')));
    expect(alert).toMatchObject({ detector: 'price_anomaly', rule_id: 'price_far_below', subject_id: 'cheap' });
    // Judged against the product's own history (category + brand + model), not the category fallback.
    expect(alert.evidence).toMatchObject({ reference: { level: 'product', count: 40, window: 40 } });
    const median = Number(alert.evidence.reference.median);
    expect(median).toBeGreaterThan(190);
    expect(median).toBeLessThan(210);
    expect(stage.metrics.sent).toBe(1);
  }, 120_000);

  it('with detect.priceHistoryDays 0 the same listing gets no alert (too few prices streamed)', async () => {
    const { stage } = await run(0);
    expect(stage.metrics.sent).toBe(0);
  }, 120_000);

  it('ClickHouse unreachable: the seed reports the cause and loads nothing; the stage still starts', async () => {
    const t = await setupPipelineTest();
    cleanups.push(t.cleanup);
    const config = priceOnly(parseConfig({ ...t.config, clickhouse: { ...t.config.clickhouse, url: 'http://127.0.0.1:1' } }), 28);
    const state = createPriceState();
    const r = await seedPriceHistory(config, state, t.logger);
    expect(r).toMatchObject({ loaded: 0, rows: 0, error: expect.stringMatching(/ECONNREFUSED|connect/i) });
    expect(state.base.size).toBe(0);
    await ensureTopics(t.kafka, allTopics);
    const stage = createStage(createDetectStage(config, t.logger), { kafka: t.kafka, logger: t.logger, runtime: config.runtime });
    cleanups.push(() => stage.stop());
    const started = Date.now();
    await stage.start();
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 120_000);
});
