// Benchmark `crawl`: our crawlers against bare Crawlee crawlers on the same demo-marketplace pages.
// Ours (CheerioCrawler side): fetch with allow-list and size checks, charset decoding, the site adapter,
// ListingSnapshot validation, evidence written gzipped, snapshot sent to the real Kafka (acks=all).
// Bare: a CheerioCrawler whose handler does nothing (Crawlee fetches and parses). Browser side: our
// PlaywrightCrawler (allow-list routing, waiting for the rendered page, adapter, snapshot, Kafka) against a
// bare PlaywrightCrawler that opens the same pages and waits for the same rendered element.
// Rounds alternate bare/ours; the ratio is the median over rounds of ours_pages_per_s / bare_pages_per_s.
// Then one long run of our Cheerio crawler samples this process's RSS and heap at fixed page counts (every
// tenth of the run); the slope after warm-up (least squares, MB per 10k pages) says whether memory is flat.
// The demo market runs in a child process, so neither its CPU nor its memory counts as the crawler's.
// Usage: npm run bench:crawl [-- --pages 2000 --rounds 5 --browser-pages 120 --browser-rounds 3 --rss-pages 50000]
// Short rounds, many of them: on a shared machine the load changes within a minute, and a pair of runs close
// in time sees about the same load. cpu ms/page (this process, all threads) is reported beside the rates.
// Last line: {"bench":"crawl","ratio":...,"ratio_browser":...,...}. The machine is shared: figures are provisional.
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CheerioCrawler, Configuration, PlaywrightCrawler, RequestQueue, log as crawleeLog } from 'crawlee';
import { chromium } from 'playwright';
import { CHROMIUM_ARGS, createCrawler, type CrawlEngine } from '../crawlers/crawl/crawler.ts';
import type { CrawlRequest } from '../crawlers/crawl/crawl-request.ts';
import { createEvidenceStore } from '../crawlers/crawl/evidence.ts';
import { createKafkaOutput } from '../crawlers/crawl/output.ts';
import { listingPath, platformOf, startDemoMarket } from '../crawlers/demo-market/index.ts';
import { loadConfig, parseConfig, type Config } from '../pipeline/config.ts';
import { createKafka, deleteTopics, ensureTopics } from '../pipeline/kafka.ts';
import { createLogger } from '../pipeline/logger.ts';
import { topics } from '../pipeline/topics.ts';

const { values } = parseArgs({
  options: {
    pages: { type: 'string', default: '2000' },
    'browser-pages': { type: 'string', default: '120' },
    rounds: { type: 'string', default: '5' },
    'browser-rounds': { type: 'string', default: '3' },
    'rss-pages': { type: 'string', default: '50000' },
    concurrency: { type: 'string', default: '8' },
    'serve-market': { type: 'string' },
  },
});

// Child mode: serve the demo market and report its URL to the parent.
if (values['serve-market'] !== undefined) {
  const m = await startDemoMarket({ listings: Number(values['serve-market']), seed: 42, port: 0 });
  process.send!({ url: m.url });
  process.on('disconnect', () => void m.close().finally(() => process.exit(0)));
  await new Promise(() => undefined);
}
const PAGES = Number(values.pages);
const BROWSER_PAGES = Number(values['browser-pages']);
const ROUNDS = Number(values.rounds);
const BROWSER_ROUNDS = Number(values['browser-rounds']);
const RSS_PAGES = Number(values['rss-pages']);
const CONCURRENCY = Number(values.concurrency);
const say = (s: string): void => void process.stderr.write(s + '\n');

crawleeLog.setLevel(crawleeLog.LEVELS.OFF);
const LISTINGS = Math.max(1100 + ROUNDS * (2 * Math.ceil(PAGES / 0.75) + 8), Math.ceil(RSS_PAGES / 0.75) + 10, 4 * (2 * BROWSER_PAGES * BROWSER_ROUNDS + 20) + 10);
const market = await new Promise<{ url: string; close(): Promise<void> }>((resolve, reject) => {
  const child = fork(new URL(import.meta.url).pathname, ['--serve-market', String(LISTINGS)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  child.once('error', reject);
  child.once('exit', (code) => reject(new Error(`bench: demo market exited with ${code}`)));
  child.once('message', (m) => {
    child.removeAllListeners('exit');
    resolve({
      url: (m as { url: string }).url,
      close: () =>
        new Promise<void>((done) => {
          child.once('exit', () => done());
          child.disconnect();
        }),
    });
  });
});
const stateDir = await mkdtemp(join(tmpdir(), 'shelfwatch-bench-crawl-'));
const base = loadConfig();
const suffix = `.bench_crawl_${Date.now().toString(36)}`;
const config: Config = parseConfig({
  ...base,
  kafka: { ...base.kafka, topicSuffix: suffix },
  log: { level: 'error', format: 'json' },
  crawl: {
    allowHosts: ['127.0.0.1'],
    maxRetries: 2,
    requestTimeoutSec: 20,
    evidenceDir: join(stateDir, 'evidence'),
    targets: [
      // The engine gives the Cheerio side the sum of the targets' concurrency: CONCURRENCY in all.
      { platform: 'bigmall', seedUrls: [`${market.url}/bigmall/`], perHostRate: 1000, concurrency: Math.max(1, CONCURRENCY - 2) },
      { platform: 'selfshop', seedUrls: [`${market.url}/shop/`], perHostRate: 1000, concurrency: 1 },
      { platform: 'spa_mall', seedUrls: [`${market.url}/spa/`], perHostRate: 1000, concurrency: 1 },
    ],
  },
});
const logger = createLogger(config.log);
const kafka = createKafka(config.kafka, logger);
await ensureTopics(kafka, [topics.listingsIncoming, topics.livestreams, topics.deadLetters]);
const output = await createKafkaOutput(kafka);

/** Server-rendered item pages (bigmall, selfshop) starting at listing `from`. */
function cheerioUrls(from: number, n: number): string[] {
  const out: string[] = [];
  for (let i = from; out.length < n && i < LISTINGS; i++) if (platformOf(i) !== 'spa_mall') out.push(market.url + listingPath(i));
  return out;
}
function spaUrls(n: number): string[] {
  const out: string[] = [];
  for (let i = 2; out.length < n && i < LISTINGS; i += 4) out.push(market.url + listingPath(i));
  return out;
}
const platformOfUrl = (u: string): string => (u.includes('/bigmall/') ? 'bigmall' : u.includes('/shop/') ? 'selfshop' : 'spa_mall');
const req = (url: string): CrawlRequest => ({ schema_version: 1, url, platform: platformOfUrl(url), kind: 'listing', label: 'item', depth: 1, enqueued_at: new Date().toISOString() });

/** Feeds `urls` into our engine in chunks (bounded queue) and runs it until all are settled. */
/** CPU time of this process (user + system, all threads) in ms: less noisy than wall time on a shared machine. */
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function runOurs(urls: string[], onSample?: (settled: number) => void): Promise<{ secs: number; cpu: number; listings: number; failed: number }> {
  const engine: CrawlEngine = await createCrawler({ config, logger, output, evidence: createEvidenceStore(join(stateDir, 'evidence')), followLinks: false }, config.crawl.targets);
  const t0 = performance.now();
  const c0 = cpuMs();
  const running = engine.run({ keepAlive: true });
  let fed = 0;
  while (fed < urls.length) {
    if (engine.stats.queued < 500) {
      for (const u of urls.slice(fed, fed + 500)) await engine.enqueue(req(u));
      fed = Math.min(urls.length, fed + 500);
    } else await new Promise((r) => setTimeout(r, 20));
    onSample?.(engine.stats.done + engine.stats.failed);
  }
  while (engine.stats.done + engine.stats.failed < urls.length) {
    await new Promise((r) => setTimeout(r, 20));
    onSample?.(engine.stats.done + engine.stats.failed);
  }
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuMs() - c0;
  engine.stop();
  const stats = await running;
  if (stats.retries) say(`  ours retried ${stats.retries} times: ${JSON.stringify(stats.retriesByReason)}`);
  return { secs, cpu, listings: stats.listings, failed: stats.failed };
}

async function runBareCheerio(urls: string[]): Promise<{ secs: number; cpu: number }> {
  const cfg = new Configuration({ persistStorage: false, purgeOnStart: true });
  const queue = await RequestQueue.open(`bare-${Date.now()}-${Math.random()}`, { config: cfg });
  let handled = 0;
  const crawler = new CheerioCrawler(
    { requestQueue: queue, keepAlive: true, minConcurrency: CONCURRENCY, maxConcurrency: CONCURRENCY, useSessionPool: false, persistCookiesPerSession: false, requestHandler: async () => void handled++, failedRequestHandler: async () => void handled++ },
    cfg,
  );
  const t0 = performance.now();
  const c0 = cpuMs();
  const running = crawler.run();
  for (let i = 0; i < urls.length; i += 500) {
    while (i - handled > 1000) await new Promise((r) => setTimeout(r, 20));
    await queue.addRequests(urls.slice(i, i + 500).map((url) => ({ url, uniqueKey: url })));
  }
  while (handled < urls.length) await new Promise((r) => setTimeout(r, 20));
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuMs() - c0;
  crawler.stop();
  await running;
  await crawler.teardown();
  return { secs, cpu };
}

async function runBareBrowser(urls: string[]): Promise<number> {
  const cfg = new Configuration({ persistStorage: false, purgeOnStart: true });
  const queue = await RequestQueue.open(`bare-pw-${Date.now()}-${Math.random()}`, { config: cfg });
  await queue.addRequests(urls.map((url) => ({ url, uniqueKey: url })));
  const crawler = new PlaywrightCrawler(
    {
      requestQueue: queue,
      minConcurrency: 4,
      maxConcurrency: 4,
      useSessionPool: false,
      persistCookiesPerSession: false,
      headless: true,
      launchContext: { launcher: chromium, launchOptions: { executablePath: config.crawl.browser.executablePath, args: CHROMIUM_ARGS, headless: true } },
      browserPoolOptions: { useFingerprints: false },
      preNavigationHooks: [async (_ctx, gotoOptions) => void (gotoOptions && (gotoOptions.waitUntil = 'domcontentloaded'))],
      requestHandler: async ({ page }) => {
        await page.waitForSelector('#app[data-ready="1"]', { timeout: 15_000 });
        await page.content();
      },
    },
    cfg,
  );
  const t0 = performance.now();
  await crawler.run();
  const secs = (performance.now() - t0) / 1000;
  await crawler.teardown();
  return secs;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

say(`demo market ${market.url} with ${LISTINGS} listings; ${PAGES} server-rendered pages x ${ROUNDS} rounds, ${BROWSER_PAGES} browser pages x ${BROWSER_ROUNDS} rounds, concurrency ${CONCURRENCY}`);
// Warm-up: JIT, sockets, the market's caches.
await runBareCheerio(cheerioUrls(0, 300));
await runOurs(cheerioUrls(300, 300));

const cheerioRatios: number[] = [];
const oursCpu: number[] = [];
const bareCpu: number[] = [];
const oursRates: number[] = [];
const bareRates: number[] = [];
let offset = 1000;
for (let r = 0; r < ROUNDS; r++) {
  // Each side gets fresh pages of the same mix (no caching advantage), bare first then ours, alternating.
  const a = cheerioUrls(offset, PAGES);
  const b = cheerioUrls(offset + Math.ceil(PAGES / 0.75) + 4, PAGES);
  offset += 2 * Math.ceil(PAGES / 0.75) + 8;
  const [bareUrls, ourUrls] = r % 2 === 0 ? [a, b] : [b, a];
  if (bareUrls.length !== PAGES || ourUrls.length !== PAGES) throw new Error(`bench: expected ${PAGES} pages per side, got ${bareUrls.length} and ${ourUrls.length}`);
  const bare = await runBareCheerio(bareUrls);
  const ours = await runOurs(ourUrls);
  const bareRate = bareUrls.length / bare.secs;
  const ourRate = ourUrls.length / ours.secs;
  bareRates.push(bareRate);
  oursRates.push(ourRate);
  cheerioRatios.push(ourRate / bareRate);
  bareCpu.push(bare.cpu / bareUrls.length);
  oursCpu.push(ours.cpu / ourUrls.length);
  say(`cheerio round ${r + 1}: bare ${bareRate.toFixed(0)} pages/s (${(bare.cpu / bareUrls.length).toFixed(2)} cpu ms/page), ours ${ourRate.toFixed(0)} pages/s (${(ours.cpu / ourUrls.length).toFixed(2)} cpu ms/page; ${ours.listings} listings to Kafka, ${ours.failed} failed), ratio ${(ourRate / bareRate).toFixed(3)}`);
}

const browserRatios: number[] = [];
const oursBrowserRates: number[] = [];
const bareBrowserRates: number[] = [];
if (BROWSER_PAGES > 0) {
  const spa = spaUrls(BROWSER_PAGES * 2 * BROWSER_ROUNDS + 20);
  await runBareBrowser(spa.slice(0, 10));
  let k = 20;
  for (let r = 0; r < BROWSER_ROUNDS; r++) {
    const a = spa.slice(k, k + BROWSER_PAGES);
    const b = spa.slice(k + BROWSER_PAGES, k + 2 * BROWSER_PAGES);
    k += 2 * BROWSER_PAGES;
    const [bareUrls, ourUrls] = r % 2 === 0 ? [a, b] : [b, a];
    const bareSecs = await runBareBrowser(bareUrls);
    const ours = await runOurs(ourUrls);
    const bareRate = bareUrls.length / bareSecs;
    const ourRate = ourUrls.length / ours.secs;
    bareBrowserRates.push(bareRate);
    oursBrowserRates.push(ourRate);
    browserRatios.push(ourRate / bareRate);
    say(`browser round ${r + 1}: bare ${bareRate.toFixed(1)} pages/s, ours ${ourRate.toFixed(1)} pages/s (${ours.listings} listings), ratio ${(ourRate / bareRate).toFixed(3)}`);
  }
}

// RSS over a long run: sampled at every tenth of the run (after a full GC, so heapUsed is what is retained).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const rss: { pages: number; mb: number; heap: number }[] = [];
let rssSecs = 0;
if (RSS_PAGES > 0) {
  const urls = cheerioUrls(0, RSS_PAGES);
  const step = Math.max(1, Math.floor(RSS_PAGES / 10));
  let next = step;
  const result = await runOurs(urls, (settled) => {
    if (settled < next) return;
    next += step;
    gc();
    const mem = process.memoryUsage();
    rss.push({ pages: settled, mb: mem.rss / 1048576, heap: mem.heapUsed / 1048576 });
  });
  rssSecs = result.secs;
  say(`rss run: ${urls.length} pages in ${rssSecs.toFixed(0)} s (${(urls.length / rssSecs).toFixed(0)} pages/s), ${rss.length} samples`);
}
// Warm-up: the first fifth of the run. Slope by least squares over the rest, in MB per 10k pages.
const warm = rss.filter((s) => s.pages > RSS_PAGES / 5);
const slope = (ys: number[]): number | null => {
  if (warm.length < 3) return null;
  const xs = warm.map((s) => s.pages / 10_000);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
};
const rssSlope = slope(warm.map((s) => s.mb));
const heapSlope = slope(warm.map((s) => s.heap));
const rssStart = warm[0]?.mb ?? 0;
const rssEnd = warm[warm.length - 1]?.mb ?? 0;
const rssMax = Math.max(0, ...warm.map((s) => s.mb));
const spanTenK = warm.length ? (warm[warm.length - 1]!.pages - warm[0]!.pages) / 10_000 : 0;
// Flat: the fitted growth over the measured span is under 5% of the RSS at the end of warm-up.
const rssFlat = rssSlope === null ? null : rssSlope * spanTenK < 0.05 * rssStart;
if (rss.length) say(`rss after warm-up: start ${rssStart.toFixed(0)} MB, end ${rssEnd.toFixed(0)} MB, slope ${rssSlope?.toFixed(2)} MB/10k pages (heap ${heapSlope?.toFixed(2)}), flat ${rssFlat}; samples (pages:rss/heap MB) ${rss.map((s) => `${s.pages}:${s.mb.toFixed(0)}/${s.heap.toFixed(0)}`).join(' ')}`);

await output.close();
await market.close();
await deleteTopics(kafka, [topics.listingsIncoming, topics.livestreams, topics.deadLetters].map((t) => kafka.topic(t)));
await rm(stateDir, { recursive: true, force: true });

const r3 = (x: number): number => Math.round(x * 1000) / 1000;
process.stdout.write(
  JSON.stringify({
    bench: 'crawl',
    ratio: r3(median(cheerioRatios)),
    ratio_browser: browserRatios.length ? r3(median(browserRatios)) : null,
    ours_pages_per_s: r3(median(oursRates)),
    bare_pages_per_s: r3(median(bareRates)),
    // CPU ms per page in the crawler process (the market is another process): ours/bare is the cost ratio.
    ours_cpu_ms_per_page: r3(median(oursCpu)),
    bare_cpu_ms_per_page: r3(median(bareCpu)),
    // bare cpu / ours cpu per page, median over rounds: what the ratio would be if this process were the
    // bottleneck; steadier than the rates while others load the machine.
    cpu_ratio: r3(median(bareCpu.map((b, i) => b / oursCpu[i]!))),
    ours_browser_pages_per_s: oursBrowserRates.length ? r3(median(oursBrowserRates)) : null,
    bare_browser_pages_per_s: bareBrowserRates.length ? r3(median(bareBrowserRates)) : null,
    pages: PAGES,
    browser_pages: BROWSER_PAGES,
    rounds: ROUNDS,
    browser_rounds: BROWSER_ROUNDS,
    concurrency: CONCURRENCY,
    rss_pages: RSS_PAGES,
    rss_mb_start: r3(rssStart),
    rss_mb_end: r3(rssEnd),
    rss_mb_max: r3(rssMax),
    rss_growth: rssStart ? r3((rssEnd - rssStart) / rssStart) : null,
    rss_slope_mb_per_10k_pages: rssSlope === null ? null : r3(rssSlope),
    rss_flat: rssFlat,
    heap_mb_start: r3(warm[0]?.heap ?? 0),
    heap_mb_end: r3(warm[warm.length - 1]?.heap ?? 0),
    heap_slope_mb_per_10k_pages: heapSlope === null ? null : r3(heapSlope),
    rss_series: rss.map((s) => ({ pages: s.pages, rss_mb: Math.round(s.mb), heap_mb: Math.round(s.heap) })),
    provisional: true,
  }) + '\n',
);
process.exit(0);
