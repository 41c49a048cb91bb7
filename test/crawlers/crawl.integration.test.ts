// The crawlers against the demo marketplace (a real HTTP server on loopback), through the real browser into
// the real Kafka: every listing lands exactly once with the ground truth's fields, every livestream room gives
// at least 3 samples with the product-card change captured, bad pages are retried, counted and dead-lettered
// without crashing anything, and nothing off the allow-list is fetched (the server's access log).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostAllowed } from '../../crawlers/crawl/allow-list.ts';
import type { CrawlStats } from '../../crawlers/crawl/crawler.ts';
import { createEvidenceStore } from '../../crawlers/crawl/evidence.ts';
import { crawlLocal } from '../../crawlers/crawl/run.ts';
import { INJECTION_FIELDS, startDemoMarket, type DemoMarket } from '../../crawlers/demo-market/index.ts';
import { parseConfig, type Config } from '../../pipeline/config.ts';
import { DeadLetter, ListingSnapshot, LivestreamSnapshot } from '../../pipeline/contracts/index.ts';
import { createKafka, deleteTopics, type KafkaHandle } from '../../pipeline/kafka.ts';
import { topics } from '../../pipeline/topics.ts';
import { testConfig, testLogger } from '../support/env.ts';
import { readTopic } from '../support/kafka.ts';

const LISTINGS = 300;
const MAX_RETRIES = 2;
const BAD = ['/bad/500', '/bad/slow', '/bad/redirect-offsite', '/bad/huge', '/bad/truncated', '/bad/reset', '/bad/injection', '/bad/charset', '/bad/charset-gbk-declared'];

let market: DemoMarket;
let config: Config;
let kafka: KafkaHandle;
let stats: CrawlStats;
let stateDir: string;
let listings: ListingSnapshot[];
let samples: LivestreamSnapshot[];
let deadLetters: DeadLetter[];

beforeAll(async () => {
  market = await startDemoMarket({ listings: LISTINGS, seed: 20261128, port: 0, bucketMs: 1000 });
  stateDir = await mkdtemp(join(tmpdir(), 'shelfwatch-crawl-'));
  const base = testConfig();
  const u = market.url;
  config = parseConfig({
    ...base,
    crawl: {
      allowHosts: ['127.0.0.1'],
      maxRetries: MAX_RETRIES,
      retryBackoffMs: 100,
      requestTimeoutSec: 8, // /bad/slow holds 60 s; 3 s timed out a loaded machine's ordinary pages (a retried redirect)
      livestream: { samples: 3, intervalMs: 1500 },
      evidenceDir: join(stateDir, 'evidence'),
      targets: [
        { platform: 'bigmall', seedUrls: [`${u}/bigmall/`], perHostRate: 500, concurrency: 4 },
        { platform: 'selfshop', seedUrls: [`${u}/shop/list?page=1`], perHostRate: 500, concurrency: 2 },
        { platform: 'spa_mall', seedUrls: [`${u}/spa/list?page=1`], perHostRate: 500, concurrency: 2 },
        { platform: 'livebuy', kind: 'livestream', seedUrls: [`${u}/live/`], perHostRate: 500, concurrency: 2 },
        { platform: 'generic', seedUrls: BAD.map((p) => u + p), perHostRate: 500, concurrency: 2 },
      ],
    },
  });
  const logger = testLogger(config);
  kafka = createKafka(config.kafka, logger);
  stats = await crawlLocal(config, logger, { kafka });

  const listingMsgs = await readTopic(kafka, kafka.topic(topics.listingsIncoming), LISTINGS + 2, 20_000);
  listings = listingMsgs.map((m) => ListingSnapshot.parse(JSON.parse(m.value!.toString('utf8'))));
  const sampleMsgs = await readTopic(kafka, kafka.topic(topics.livestreams), market.roomCount * 3 + 1, 15_000);
  samples = sampleMsgs.map((m) => LivestreamSnapshot.parse(JSON.parse(m.value!.toString('utf8'))));
  const dlMsgs = await readTopic(kafka, kafka.topic(topics.deadLetters), BAD.length + 1, 15_000);
  deadLetters = dlMsgs.map((m) => DeadLetter.parse(JSON.parse(m.value!.toString('utf8'))));
}, 600_000);

afterAll(async () => {
  await market?.close();
  if (kafka) await deleteTopics(kafka, [topics.listingsIncoming, topics.livestreams, topics.deadLetters].map((t) => kafka.topic(t)));
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe('crawl of a 300-listing demo marketplace into Kafka', () => {
  it('every listing lands exactly once, with the ground truth fields', () => {
    const demo = listings.filter((l) => l.platform !== 'generic');
    const keys = demo.map((l) => `${l.platform}:${l.listing_id}`);
    expect(new Set(keys).size).toBe(keys.length); // exactly once
    expect(demo).toHaveLength(LISTINGS);
    const byKey = new Map(demo.map((l) => [`${l.platform}:${l.listing_id}`, l]));
    const mismatches: string[] = [];
    for (let i = 0; i < LISTINGS; i++) {
      const t = market.groundTruth(i) as Record<string, any>;
      const l = byKey.get(`${t.platform}:${t.listing_id}`);
      if (!l) {
        mismatches.push(`${t.platform}:${t.listing_id} missing`);
        continue;
      }
      const got = { title: l.title, price: l.price, currency: l.currency, brand: l.brand, model: l.model, ccc: l.ccc_numbers, licences: l.licence_numbers, credit: l.seller.credit_code, region: l.seller.region_code, url: l.url };
      const want = { title: t.title, price: t.price, currency: t.currency, brand: t.brand, model: t.model, ccc: t.ccc_numbers, licences: t.licence_numbers, credit: t.seller.credit_code, region: t.seller.region_code, url: t.url };
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${t.platform}:${t.listing_id}\n  got  ${JSON.stringify(got)}\n  want ${JSON.stringify(want)}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('snapshots carry fetch metadata; server-rendered pages by cheerio, the SPA by the browser; raw pages kept as evidence', () => {
    const evidence = createEvidenceStore(join(stateDir, 'evidence'));
    for (const l of listings) {
      expect(l.http_status).toBe(200);
      expect(l.crawler_kind).toBe(l.platform === 'spa_mall' ? 'playwright' : 'cheerio');
      expect(existsSync(evidence.pathOf(l.content_hash))).toBe(true);
    }
  });

  it('every livestream room gives at least 3 samples, transcript deltas and a product-card change', () => {
    expect(market.roomCount).toBeGreaterThan(0);
    const byRoom = new Map<string, LivestreamSnapshot[]>();
    for (const s of samples) byRoom.set(s.room_id, [...(byRoom.get(s.room_id) ?? []), s]);
    expect(byRoom.size).toBe(market.roomCount);
    for (const [room, list] of byRoom) {
      list.sort((a, b) => a.sampled_seq - b.sampled_seq);
      expect(list.length, room).toBeGreaterThanOrEqual(3);
      expect(list.map((s) => s.sampled_seq).slice(0, 3)).toEqual([0, 1, 2]);
      const cards = new Set(list.map((s) => s.product?.listing_id));
      expect(cards.size, `room ${room}: product card never changed`).toBeGreaterThan(1);
      // Transcript since the last sample: no line repeats across samples of the visit.
      const lines = list.flatMap((s) => s.transcript.map((t) => `${t.at}|${t.text}`));
      expect(new Set(lines).size).toBe(lines.length);
      expect(list.every((s) => s.viewer_count !== null && s.host.name.length > 0)).toBe(true);
      const truth = market.roomTruth(Number(room) - 8000) as Record<string, any>;
      const truthCards = new Set((truth.cards as { listing_id: string }[]).map((c) => c.listing_id));
      for (const s of list) expect(truthCards.has(s.product!.listing_id!)).toBe(true);
    }
  });

  it('bad pages crash nothing: each is retried, counted and dead-lettered with its reason', () => {
    const reasonOf = (path: string): string | undefined => deadLetters.find((d) => Buffer.from(d.source.key ?? '', 'base64').toString('utf8') === market.url + path)?.reason;
    expect(reasonOf('/bad/500')).toBe('http_status');
    expect(reasonOf('/bad/slow')).toBe('timeout');
    expect(reasonOf('/bad/redirect-offsite')).toBe('off_allow_list');
    expect(reasonOf('/bad/huge')).toBe('page_too_large');
    expect(reasonOf('/bad/truncated')).toBe('no_content');
    expect(reasonOf('/bad/reset')).toBe('connection_error');
    expect(reasonOf('/bad/charset')).toBe('no_content');
    expect(reasonOf('/bad/charset-gbk-declared')).toBe('no_content');
    expect(deadLetters.every((d) => d.stage === 'crawl')).toBe(true);
    expect(stats.failed).toBe(deadLetters.length);
    expect(Object.values(stats.failedByReason).reduce((a, b) => a + b, 0)).toBe(stats.failed);
    // Retried: every failing page was asked for 1 + maxRetries times (the off-list redirect is not retried:
    // asking again cannot change where it points).
    const hits = (path: string): number => market.accessLog.entries().filter((e) => e.path === path).length;
    for (const p of ['/bad/500', '/bad/truncated', '/bad/huge', '/bad/reset', '/bad/charset']) expect(hits(p), p).toBe(1 + MAX_RETRIES);
    expect(hits('/bad/redirect-offsite')).toBe(1);
  });

  it('script injection in fields is stored verbatim as text', () => {
    const inj = listings.find((l) => l.listing_id === INJECTION_FIELDS.listing_id);
    expect(inj).toBeDefined();
    expect(inj!.title).toBe(INJECTION_FIELDS.title);
    expect(inj!.brand).toBe(INJECTION_FIELDS.brand);
    expect(inj!.model).toBe(INJECTION_FIELDS.model);
    expect(inj!.price).toBe(INJECTION_FIELDS.price);
  });

  it('nothing off the allow-list was fetched (access log), not even the redirect target or in-page requests', () => {
    const entries = market.accessLog.entries();
    expect(entries.length).toBeGreaterThan(LISTINGS);
    expect(market.accessLog.offAllowList(['127.0.0.1'])).toEqual([]);
    expect(entries.filter((e) => e.path.startsWith('/offsite'))).toEqual([]);
    expect(entries.every((e) => hostAllowed(`http://${e.host}${e.path}`, config.crawl.allowHosts))).toBe(true);
  });
});
