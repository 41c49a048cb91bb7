// `npm run demo`: the pipeline end to end on the project's own demo marketplace, on this machine.
// infra up -> migrate -> the demo marketplace on loopback (crawlers/demo-market: seeded, four platforms incl.
// livestream rooms, a few misbehaving endpoints) -> its reference registers into the reference topics (the code
// of `shelfwatch ref load`) -> stages ingest, detect, sink_clickhouse -> a crawl of the market (Cheerio for the
// server-rendered platforms, Playwright + Debian's chromium for the client-rendered one and the rooms) -> wait
// until every stage has committed everything upstream wrote (so every snapshot and alert is in ClickHouse) ->
// print, from ClickHouse: listings and livestream snapshots per platform, alerts by detector and rule, dead
// letters by stage and reason; then board links and three analyst questions with their answers.
// The report covers this run's rows from this market (url prefix, since the run started). A second run crawls the
// same pages (same seed and port): listing, alert and dead-letter ids are deterministic and the counts are FINAL /
// uniqExact, so nothing doubles, in the report or in the tables (livestream samples are new observations, and a
// room may show another product card, so room alerts can grow).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CrawlStats } from '../crawlers/crawl/crawler.ts';
import { crawlLocal, evidenceDir } from '../crawlers/crawl/run.ts';
import { PRODUCT_TYPES, startDemoMarket, type DemoMarket } from '../crawlers/demo-market/index.ts';
import { detectorSettings } from '../detectors/index.ts';
import { priceAnomaly } from '../detectors/price-anomaly.ts';
import { loadReferenceFile } from '../detectors/reference/load.ts';
import type { ReferenceKind } from '../detectors/reference/views.ts';
import { printAnalystReport, type AnalystQuestions } from '../sinks/clickhouse/demo-report.ts';
import { createClickHouse, type ClickHouse } from './clickhouse/client.ts';
import { parseConfig, secrets, type Config } from './config.ts';
import { expectedError } from './errors.ts';
import { createKafka, type KafkaHandle } from './kafka.ts';
import type { Logger } from './logger.ts';
import { QUERIES } from './queries.ts';
import { migrateAll } from './setup.ts';
import { buildStages } from './topology.ts';

export interface DemoOptions {
  /** Listings of the demo market (rooms: one per 50 listings). @default 300 */
  listings: number;
  /** Market seed: the same seed serves the same pages. @default 1 */
  seed: number;
  /** Market port; fixed by default so a second run crawls the same URLs (0 = any free port). @default 18480 */
  port: number;
  /** How long the stages may take, after the crawl, to land everything. @default 180000 */
  settleTimeoutMs?: number;
  onCrawlProgress?: (stats: CrawlStats) => void;
  /** Called when the crawl is over (a progress display ends before the report). */
  onCrawlDone?: () => void;
}

export const DEMO_DEFAULTS = { listings: 300, seed: 1, port: 18480, timeoutSec: 180 } as const;

/** Misbehaving endpoints crawled with the market: each ends as a crawl dead letter (or, injection, a listing stored verbatim). */
export const DEMO_BAD_PATHS = ['/bad/500', '/bad/truncated', '/bad/redirect-offsite', '/bad/huge', '/bad/injection'] as const;

const REFERENCE_KINDS: readonly ReferenceKind[] = ['certificates', 'licences', 'recalls', 'prohibited'];

/** The stages the demo runs, in flow order (each is drained in this order). */
const DEMO_STAGES = ['ingest', 'detect', 'sink_clickhouse'] as const;

type Rows<K extends string> = Record<K, string>[];

export interface DemoResult {
  marketUrl: string;
  crawl: CrawlStats;
  reference: Record<ReferenceKind, { loaded: number; bad: number }>;
  listings: Rows<'platform' | 'listings' | 'snapshots' | 'sellers' | 'regions'>;
  livestreams: Rows<'platform' | 'rooms' | 'samples' | 'hosts'>;
  alerts: Rows<'detector' | 'rule_id' | 'alerts' | 'subjects'>;
  deadLetters: Rows<'stage' | 'reason' | 'n'>;
  durationMs: number;
}

/**
 * The crawl section for the demo: the market's four platforms and the bad endpoints, only the market's
 * host:port allowed, short retries and a short livestream sampling (3 samples 1.5 s apart; the market's state
 * bucket is 1 s, so a visit sees the product card change). Validated like any config.
 */
export function demoCrawlConfig(config: Config, marketUrl: string): Config {
  const u = new URL(marketUrl);
  const fast = { perHostRate: 500 };
  return parseConfig({
    ...config,
    crawl: {
      ...config.crawl,
      allowHosts: [u.host],
      maxRetries: 2,
      retryBackoffMs: 200,
      requestTimeoutSec: 5,
      livestream: { samples: 3, intervalMs: 1500 },
      frontier: 'local',
      targets: [
        { platform: 'bigmall', seedUrls: [`${marketUrl}/bigmall/`], concurrency: 4, ...fast },
        { platform: 'selfshop', seedUrls: [`${marketUrl}/shop/list?page=1`], concurrency: 2, ...fast },
        { platform: 'spa_mall', seedUrls: [`${marketUrl}/spa/list?page=1`], concurrency: 3, ...fast },
        { platform: 'livebuy', kind: 'livestream', seedUrls: [`${marketUrl}/live/`], concurrency: 3, ...fast },
        { platform: 'generic', seedUrls: DEMO_BAD_PATHS.map((p) => marketUrl + p), concurrency: 2, ...fast },
      ],
    },
  });
}

/**
 * The analyst questions asked of what this market holds: its children's products, its most listed product
 * (brand as the pages show it: the price base keys on it), and the district whose sellers have the most alerts.
 */
export function demoQuestions(market: DemoMarket, alertRegions: readonly string[]): AnalystQuestions {
  const children = PRODUCT_TYPES.filter((t) => t.group === 'children_products').map((t) => t.id);
  const products = new Map<string, { category: string; brand: string; model: string; n: number }>();
  for (let i = 0; i < market.listingCount; i++) {
    const t = market.groundTruth(i) as { category: string; brand: string | null; model: string | null };
    if (!t.brand || !t.model) continue;
    const k = JSON.stringify([t.category, t.brand, t.model]);
    const p = products.get(k) ?? { category: t.category, brand: t.brand, model: t.model, n: 0 };
    p.n++;
    products.set(k, p);
  }
  const top = [...products.values()].sort((a, b) => b.n - a.n)[0];
  const district = alertRegions.find((r) => /^\d{6}$/.test(r));
  return {
    ranking: { categories: children },
    ...(top ? { priceBase: { category: top.category, brand: top.brand, model: top.model } } : {}),
    ...(district ? { district: { region: district } } : {}),
  };
}

async function startMarket(opts: DemoOptions): Promise<DemoMarket> {
  try {
    // 1 s state buckets: three samples 1.5 s apart see the room's product card change.
    return await startDemoMarket({ listings: opts.listings, seed: opts.seed, port: opts.port, bucketMs: 1000 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw expectedError(`port ${opts.port} is in use (another demo running?): stop it, or pass --port 0 for any free port (dead-letter ids, made from URLs, then differ from earlier runs')`);
    }
    throw err;
  }
}

/** The registers the market serves -> files -> reference topics, with `shelfwatch ref load`'s loader. */
async function loadMarketReference(kafka: KafkaHandle, config: Config, marketUrl: string): Promise<DemoResult['reference']> {
  const dir = await mkdtemp(join(tmpdir(), 'shelfwatch-demo-ref-'));
  try {
    const out = {} as DemoResult['reference'];
    for (const kind of REFERENCE_KINDS) {
      const url = `${marketUrl}/ref/${kind}.ndjson`;
      const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
      const file = join(dir, `${kind}.ndjson`);
      await writeFile(file, Buffer.from(await res.arrayBuffer()));
      const r = await loadReferenceFile(kafka, config, kind, file);
      out[kind] = { loaded: r.loaded, bad: r.badCount };
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Behind {
  stage: string;
  topic: string;
  partition: number;
  behind: number;
}

/** Messages on the stage's inputs past its committed offsets (the runtime commits only delivered work). */
async function behindOf(kafka: KafkaHandle, groupId: string, stage: string, inputs: readonly string[]): Promise<Behind[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const out: Behind[] = [];
    for (const topic of inputs) {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      for (const e of ends) {
        const c = Number(committed?.partitions.find((p) => p.partition === e.partition)?.offset ?? -1);
        const from = c >= 0 ? c : Number(e.low);
        const n = Number(e.high) - from;
        if (n > 0) out.push({ stage, topic, partition: e.partition, behind: n });
      }
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until each stage, in flow order, has committed everything on its inputs. A stage's inputs stop growing
 * once the stages before it are drained, so one pass in order suffices; the last check covers them all again
 * (the sink's own rejects go to the dead-letter topic it reads).
 */
export async function waitUntilLanded(kafka: KafkaHandle, stages: readonly { name: string; groupId: string; inputs: readonly string[] }[], timeoutMs: number, say: (s: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const check = async (upTo: number) => {
    const all: Behind[] = [];
    for (const s of stages.slice(0, upTo + 1)) all.push(...(await behindOf(kafka, s.groupId, s.name, s.inputs)));
    return all;
  };
  for (let i = 0; i < stages.length; i++) {
    let behind = await check(i);
    while (behind.length) {
      if (Date.now() > deadline) {
        const what = behind.map((b) => `${b.stage} is ${b.behind} message(s) behind on ${b.topic}[${b.partition}]`).join('; ');
        throw expectedError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for the stages to land the crawl: ${what}. See the log lines above (ClickHouse or Kafka down?)`);
      }
      await new Promise((r) => setTimeout(r, 300));
      behind = await check(i);
    }
    say(`  ${stages[i]!.name} caught up`);
  }
}

export async function runDemo(config: Config, logger: Logger, opts: DemoOptions, out: NodeJS.WritableStream = process.stdout): Promise<DemoResult> {
  const started = Date.now();
  const say = (s = '') => out.write(s + '\n');
  if (config.infra.managed) {
    const { infraUp } = await import('../infra/local/index.ts');
    say('starting Kafka and ClickHouse (first run resolves Kafka from Maven Central) ...');
    await infraUp(config, logger);
  }
  await migrateAll(config, logger);

  const market = await startMarket(opts);
  let crawl: CrawlStats;
  let reference: DemoResult['reference'];
  const kafka = createKafka(config.kafka, logger);
  const names = [...DEMO_STAGES];
  const stages = buildStages(config, logger, names, kafka);
  try {
    say(`demo market: ${market.url} (seed ${opts.seed}, ${market.listingCount} listings on bigmall, spa_mall, selfshop; ${market.roomCount} livebuy rooms)`);
    reference = await loadMarketReference(kafka, config, market.url);
    say(`reference registers loaded: ${REFERENCE_KINDS.map((k) => `${k} ${reference[k].loaded}${reference[k].bad ? ` (${reference[k].bad} bad)` : ''}`).join(', ')}`);
    // Detect waits in start() until its views hold the registers just loaded.
    for (const s of stages) await s.start();
    say(`stages running: ${names.join(', ')}`);

    const crawlConfig = demoCrawlConfig(config, market.url);
    const t0 = Date.now();
    crawl = await crawlLocal(crawlConfig, logger, { kafka, onProgress: opts.onCrawlProgress });
    opts.onCrawlDone?.();
    say(
      `crawled in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${crawl.done} pages, ${crawl.listings} listings, ${crawl.samples} livestream samples; ` +
        `${crawl.failed} pages failed${crawl.failed ? ` (${Object.entries(crawl.failedByReason).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}, ${crawl.retries} retries`,
    );
    await waitUntilLanded(kafka, stages, opts.settleTimeoutMs ?? DEMO_DEFAULTS.timeoutSec * 1000, say);
  } finally {
    await Promise.allSettled(stages.map((s) => s.stop()));
    await market.close();
  }

  const ch = createClickHouse(config.clickhouse, { password: secrets.clickhousePassword() });
  try {
    const result = await report(ch, config, market, { crawl, reference, started }, say);
    const regions = await ch.query<{ region_code: string }>(QUERIES.demoAlertRegions(config.clickhouse.database, { urlPrefix: `${market.url}/`, since: new Date(started) }));
    await printAnalystReport(ch, config, say, { questions: demoQuestions(market, regions.map((r) => r.region_code)) });
    say('');
    say(`demo done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { ...result, durationMs: Date.now() - started };
  } finally {
    await ch.close();
  }
}

const col = (v: string, w: number, left = false) => (left ? v.padEnd(w) : v.padStart(w));

async function report(
  ch: ClickHouse,
  config: Config,
  market: DemoMarket,
  run: { crawl: CrawlStats; reference: DemoResult['reference']; started: number },
  say: (s?: string) => void,
): Promise<Omit<DemoResult, 'durationMs'>> {
  const db = config.clickhouse.database;
  // This run's rows from this market: a market of another size or seed crawled before into the same database stays out.
  const scope = { urlPrefix: `${market.url}/`, since: new Date(run.started) };
  const listings = await ch.query<DemoResult['listings'][number]>(QUERIES.demoListings(db, scope));
  const livestreams = await ch.query<DemoResult['livestreams'][number]>(QUERIES.demoLivestreams(db, scope));
  const alerts = await ch.query<DemoResult['alerts'][number]>(QUERIES.demoAlertsByRule(db, scope));
  const deadLetters = await ch.query<DemoResult['deadLetters'][number]>(QUERIES.demoDeadLetters(db, scope));

  say('');
  say(`landed in ClickHouse (${config.clickhouse.url}, database ${db}), this run's pages of ${market.url}:`);
  say(`  ${col('platform', 12, true)} ${col('listings', 9)} ${col('snapshots', 10)} ${col('sellers', 8)} ${col('regions', 8)}`);
  let total = 0;
  for (const r of listings) {
    total += Number(r.listings);
    say(`  ${col(r.platform, 12, true)} ${col(r.listings, 9)} ${col(r.snapshots, 10)} ${col(r.sellers, 8)} ${col(r.regions, 8)}`);
  }
  say(`  ${col('total', 12, true)} ${col(String(total), 9)}`);
  say(`  ${col('livestreams', 12, true)} ${col('rooms', 9)} ${col('samples', 10)} ${col('hosts', 8)}`);
  for (const r of livestreams) say(`  ${col(r.platform, 12, true)} ${col(r.rooms, 9)} ${col(r.samples, 10)} ${col(r.hosts, 8)}`);
  say('');
  const alertTotal = alerts.reduce((n, r) => n + Number(r.alerts), 0);
  say(`alerts (${alertTotal}, each once) by detector and rule:`);
  say(`  ${col('detector', 22, true)} ${col('rule', 28, true)} ${col('alerts', 7)} ${col('subjects', 9)}`);
  for (const r of alerts) say(`  ${col(r.detector, 22, true)} ${col(r.rule_id, 28, true)} ${col(r.alerts, 7)} ${col(r.subjects, 9)}`);
  if (alerts.length === 0) say('  (none)');
  const price = detectorSettings(config.detect.detectors, priceAnomaly);
  if (price.enabled !== false && !alerts.some((r) => r.detector === priceAnomaly.name)) {
    say(`  (price_anomaly: none. It claims nothing from fewer than ${price.minCount} prices of a product or its category,`);
    say(`   and ${market.listingCount} listings give too few; with --listings 3000 it finds the market's price_far_below cases.)`);
  }
  say('');
  say('dead letters of this run by stage and reason:');
  for (const r of deadLetters) say(`  ${col(r.stage, 16, true)} ${col(r.reason, 20, true)} ${col(r.n, 5)}`);
  if (deadLetters.length === 0) say('  (none)');
  say('');
  say('where to look:');
  say(`  clickhouse-client --port ${config.infra.clickhouseTcpPort} -q "SELECT detector, rule_id, summary FROM ${db}.alerts FINAL LIMIT 10"`);
  say(`  curl '${config.clickhouse.url}/?query=SELECT+reason,error+FROM+${db}.dead_letters+FINAL+LIMIT+10'`);
  say(`  evidence (raw pages by content hash): ${evidenceDir(config)}`);
  say('  stop the services: npx shelfwatch infra down');
  return { marketUrl: market.url, crawl: run.crawl, reference: run.reference, listings, livestreams, alerts, deadLetters };
}
