// The distributed frontier: seeds on the crawl-requests topic (keyed by host), two crawler workers in one
// consumer group share it through the real Kafka, links found go back to the topic; every listing lands, and
// no page is lost. Hosts: the demo market answers on 127.0.0.1 and localhost, two hosts, two keys.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crawlWorker, publishSeeds } from '../../crawlers/crawl/run.ts';
import { startDemoMarket, type DemoMarket } from '../../crawlers/demo-market/index.ts';
import { parseConfig } from '../../pipeline/config.ts';
import { CrawlRequest } from '../../crawlers/crawl/crawl-request.ts';
import { ListingSnapshot } from '../../pipeline/contracts/index.ts';
import { createKafka, deleteTopics, ensureTopics, type KafkaHandle } from '../../pipeline/kafka.ts';
import { topics } from '../../pipeline/topics.ts';
import { eventually, testConfig, testLogger } from '../support/env.ts';
import { readTopic } from '../support/kafka.ts';

let market: DemoMarket | undefined;
let kafka: KafkaHandle | undefined;
let stateDir: string | undefined;

afterAll(async () => {
  await market?.close();
  if (kafka) await deleteTopics(kafka, [topics.crawlRequests, topics.listingsIncoming, topics.livestreams, topics.deadLetters].map((t) => kafka!.topic(t)));
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe('Kafka frontier with a group of crawler workers', () => {
  it('two workers crawl the seeds and the links they publish; every listing lands', async () => {
    const LISTINGS = 80;
    market = await startDemoMarket({ listings: LISTINGS, seed: 77, port: 0 });
    stateDir = await mkdtemp(join(tmpdir(), 'shelfwatch-frontier-'));
    const port = market.port;
    const base = testConfig();
    const config = parseConfig({
      ...base,
      crawl: {
        frontier: 'kafka',
        allowHosts: [`127.0.0.1:${port}`, `localhost:${port}`],
        maxRetries: 1,
        retryBackoffMs: 50,
        requestTimeoutSec: 5,
        evidenceDir: join(stateDir, 'evidence'),
        targets: [
          { platform: 'bigmall', seedUrls: [`http://127.0.0.1:${port}/bigmall/`], perHostRate: 500 },
          { platform: 'selfshop', seedUrls: [`http://localhost:${port}/shop/list?page=1`], perHostRate: 500 },
        ],
      },
    });
    const logger = testLogger(config);
    kafka = createKafka(config.kafka, logger);
    // As `shelfwatch migrate` does before workers start (two workers creating topics at once race in kafkajs).
    await ensureTopics(kafka, [topics.crawlRequests, topics.listingsIncoming, topics.livestreams, topics.deadLetters]);
    expect(await publishSeeds(config, logger, { kafka })).toBe(2);

    const expected = Array.from({ length: LISTINGS }, (_, i) => market!.groundTruth(i) as Record<string, any>).filter((t) => t.platform !== 'spa_mall');
    const stop = new AbortController();
    const workers = [crawlWorker(config, logger, { kafka, signal: stop.signal }), crawlWorker(config, logger, { kafka, signal: stop.signal })];
    const seen = new Map<string, ListingSnapshot>();
    const landed = await eventually(
      async () => {
        const msgs = await readTopic(kafka!, kafka!.topic(topics.listingsIncoming), expected.length, 3000);
        for (const m of msgs) {
          const l = ListingSnapshot.parse(JSON.parse(m.value!.toString('utf8')));
          seen.set(`${l.platform}:${l.listing_id}`, l);
        }
        return seen.size >= expected.length;
      },
      120_000,
      1000,
    );
    stop.abort();
    const stats = await Promise.all(workers);
    expect(landed).toBe(true);
    for (const t of expected) expect(seen.get(`${t.platform}:${t.listing_id}`)?.price, `${t.platform}:${t.listing_id}`).toBe(t.price);
    // Links went through the topic: far more requests than the 2 seeds, each keyed by its host.
    const requests = await readTopic(kafka, kafka.topic(topics.crawlRequests), 10_000, 5000);
    expect(requests.length).toBeGreaterThan(expected.length);
    for (const r of requests) expect(r.key).toBe(new URL(CrawlRequest.parse(JSON.parse(r.value!.toString('utf8'))).url).host);
    const total = stats.reduce((n, s) => n + s.listings, 0);
    expect(total).toBeGreaterThanOrEqual(expected.length);
    expect(stats.every((s) => s.failed === 0)).toBe(true);
    expect(market.accessLog.offAllowList([`127.0.0.1:${port}`, `localhost:${port}`])).toEqual([]);
  }, 300_000);
});
