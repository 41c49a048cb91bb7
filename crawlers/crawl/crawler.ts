// The crawler: Crawlee's CheerioCrawler for server-rendered pages and PlaywrightCrawler (Debian's chromium)
// for client-rendered pages and livestream rooms, fed from the configured targets (or from the crawl-requests
// topic, see frontier.ts), routed per URL by the site adapter's needsBrowser().
// In: CrawlRequests (seeds, then links the adapters find). Out: ListingSnapshots / LivestreamSnapshots and
// DeadLetters through a CrawlOutput; raw pages to the evidence store before their snapshot is sent.
// Politeness and safety: every fetch, redirect hop and browser sub-request is checked against crawl.allowHosts
// (refused ones are never sent); per-host request rate; a size cap read off the wire; retries with
// exponential backoff; a page that keeps failing is dead-lettered with its reason, never dropped.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import * as cheerio from 'cheerio';
import type { CheerioAPI } from 'cheerio';
import { CheerioCrawler, Configuration, PlaywrightCrawler, log as crawleeLog, type Request, type RequestQueue } from 'crawlee';
import { chromium } from 'playwright';
import type { Config } from '../../pipeline/config.ts';
import { contentHash } from '../../pipeline/contracts/common.ts';
import { makeDeadLetter } from '../../pipeline/contracts/dead-letter.ts';
import type { ListingSnapshot } from '../../pipeline/contracts/listing-snapshot.ts';
import type { Logger } from '../../pipeline/logger.ts';
import { adapterByName, adapterDefinitionFor } from '../adapters/index.ts';
import { freshTranscript, type SiteAdapter } from '../adapters/types.ts';
import type { CrawlTarget } from '../config.ts';
import { decodePage } from '../extract/decode.ts';
import { extractGeneric } from '../extract/generic.ts';
import type { ExtractedProduct } from '../extract/product.ts';
import { toListingSnapshot, toLivestreamSnapshot } from '../extract/snapshot.ts';
import { hostAllowed } from './allow-list.ts';
import type { CrawlRequest } from './crawl-request.ts';
import type { EvidenceStore } from './evidence.ts';
import { MemoryRequestQueue } from './memory-queue.ts';
import type { CrawlOutput } from './output.ts';
import { createHostRateLimiter } from './rate-limit.ts';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Reasons a page is dead-lettered (snake_case constants, counted in stats.failedByReason). */
export const FAIL = {
  offAllowList: 'off_allow_list',
  tooLarge: 'page_too_large',
  timeout: 'timeout',
  httpStatus: 'http_status',
  connection: 'connection_error',
  noContent: 'no_content',
  invalidSnapshot: 'invalid_snapshot',
  publish: 'publish_failed',
  fetch: 'fetch_error',
  pageLimit: 'page_limit',
} as const;

export class CrawlError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'CrawlError';
  }
}

export interface CrawlStats {
  /** Pages handled (listing or list pages, rooms). */
  done: number;
  /** Pages dead-lettered after their retries. */
  failed: number;
  /** Requests waiting or in flight. */
  queued: number;
  retries: number;
  /** Retries by the reason of the failure that caused them. */
  retriesByReason: Record<string, number>;
  listings: number;
  samples: number;
  /** Snapshots refused by the contract (dead-lettered too). */
  invalid: number;
  failedByReason: Record<string, number>;
  /** Browser sub-requests refused by the allow-list. */
  blockedSubrequests: number;
  startedAt: number;
}

export interface CrawlerDeps {
  config: Config;
  logger: Logger;
  output: CrawlOutput;
  evidence: EvidenceStore;
  onProgress?: (stats: CrawlStats) => void;
  /**
   * Distributed frontier: links found on pages go here (to the crawl-requests topic) instead of this
   * process's queue, so the worker owning the link's host partition fetches it.
   */
  publishLinks?: (reqs: CrawlRequest[]) => Promise<void>;
  /** Follow the links adapters find (default true; the benchmark fetches a fixed page list). */
  followLinks?: boolean;
}

export interface CrawlEngine {
  /** Adds a request (allow-list and page limits checked; off-list requests are dead-lettered, never fetched). */
  enqueue(req: CrawlRequest, source?: DeadLetterSource): Promise<void>;
  /** Runs until every queued request is settled (local frontier) or stop() is called (keepAlive). */
  run(opts?: { keepAlive?: boolean }): Promise<CrawlStats>;
  /** Resolves when the request for this URL has been handled or dead-lettered. */
  settled(url: string): Promise<void>;
  stop(): void;
  readonly stats: CrawlStats;
}

/** Where a request came from, for dead letters (the crawl-requests topic position, or the URL). */
export interface DeadLetterSource {
  topic: string;
  partition: number;
  offset: string;
}

interface PageState {
  raw?: Buffer;
  html?: string;
  status?: number;
  finalUrl?: string;
}

/** Our own error inside a library's wrapper (got wraps hook errors in a RequestError). */
function crawlErrorIn(err: unknown): CrawlError | null {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) if (e instanceof CrawlError) return e;
  return null;
}

function classify(err: unknown): { reason: string; message: string } {
  const e = err as Error & { code?: string };
  const own = crawlErrorIn(err);
  if (own) return { reason: own.reason, message: own.message };
  if (/off crawl\.allowHosts/.test(e?.message ?? '')) return { reason: FAIL.offAllowList, message: e.message };
  const msg = `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`;
  if (/timed? ?out|TimeoutError|ETIMEDOUT/i.test(msg)) return { reason: FAIL.timeout, message: msg };
  if (/^Error: \d{3} - /.test(msg) || /status code \d{3}/i.test(msg)) return { reason: FAIL.httpStatus, message: msg };
  if (/ECONNRESET|ECONNREFUSED|socket hang up|premature|aborted|ReadError|EPIPE|ERR_CONNECTION|net::ERR/i.test(msg + (e?.code ?? ''))) return { reason: FAIL.connection, message: msg };
  return { reason: FAIL.fetch, message: msg };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Reads the whole body off the wire with a size cap and a deadline. */
function readBody(res: IncomingMessage, limit: number, timeoutMs: number, url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const finish = (err: Error | null): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (err) {
        res.destroy();
        reject(err);
      } else resolve(Buffer.concat(chunks));
    };
    const timer = setTimeout(() => finish(new CrawlError(FAIL.timeout, `body of ${url} not received within ${timeoutMs} ms`)), timeoutMs);
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) finish(new CrawlError(FAIL.tooLarge, `page ${url} is larger than ${limit} bytes`));
      else chunks.push(c);
    });
    res.on('end', () => finish(null));
    res.on('error', (e) => finish(e));
    res.on('close', () => finish(res.readableEnded ? null : new CrawlError(FAIL.connection, `connection closed before the body of ${url} was complete`)));
  });
}

/**
 * Crawlee 3.18 reads a `requestManager` option but its option schemas refuse it; as `requestQueue` (checked
 * only for fetchNextRequest and addRequest) the crawler uses it as its request manager all the same.
 */
const asCrawleeQueue = (q: MemoryRequestQueue): RequestQueue => q as unknown as RequestQueue;

interface TargetInfo {
  target: CrawlTarget;
  pages: number;
}

export async function createCrawler(deps: CrawlerDeps, targets: readonly CrawlTarget[]): Promise<CrawlEngine> {
  const { config, logger, output, evidence } = deps;
  const cc = config.crawl;
  const log = logger.child({ component: 'crawler' });
  const allow = (url: string): boolean => hostAllowed(url, cc.allowHosts);
  crawleeLog.setLevel(crawleeLog.LEVELS.OFF);

  const stats: CrawlStats = { done: 0, failed: 0, queued: 0, retries: 0, retriesByReason: {}, listings: 0, samples: 0, invalid: 0, failedByReason: {}, blockedSubrequests: 0, startedAt: Date.now() };
  const byPlatform = new Map<string, TargetInfo>();
  for (const t of targets) byPlatform.set(t.platform, { target: t, pages: 0 });
  const rateByHost = new Map<string, number>();
  for (const t of targets)
    for (const u of t.seedUrls) {
      const h = new URL(u).host;
      rateByHost.set(h, Math.min(rateByHost.get(h) ?? Infinity, t.perHostRate));
    }
  const limiter = createHostRateLimiter((host) => rateByHost.get(host) ?? Math.min(...targets.map((t) => t.perHostRate), 5));

  // Crawlee storage stays in memory: nothing under ./storage, nothing shared between runs.
  const crawleeConfig = new Configuration({ persistStorage: false, purgeOnStart: true, headless: true });
  // Our own in-memory queues (memory-queue.ts): a handled request is dropped at once, so memory stays flat
  // over long crawls, and no per-request storage bookkeeping; the seen-set below does the dedup.
  const cheerioQueue = new MemoryRequestQueue();
  const browserQueue = new MemoryRequestQueue();

  const pageState = new WeakMap<Request, PageState>();
  // URLs seen in this run, as short hashes (~70 bytes each): the dedup a queue would do, without keeping
  // every handled request in memory.
  const seen = new Set<string>();
  const urlKey = (url: string): string => createHash('sha1').update(url).digest('base64').slice(0, 16);
  const waiters = new Map<string, (() => void)[]>();
  const sources = new Map<string, DeadLetterSource>();
  let pending = 0;
  let stopped = false;
  let cheerioCrawler: CheerioCrawler | null = null;
  let browserCrawler: PlaywrightCrawler | null = null;
  let running = false;
  const runs: Promise<unknown>[] = [];
  // The browser starts only when a page needs it (launching chromium costs a second and ~150 MB).
  const ensureBrowser = (): void => {
    if (browserCrawler || !running) return;
    browserCrawler = makeBrowser(true);
    runs.push(browserCrawler.run());
  };

  const release = (url: string): void => {
    sources.delete(url);
    for (const w of waiters.get(url) ?? []) w();
    waiters.delete(url);
  };
  const settle = (url: string): void => {
    pending = Math.max(0, pending - 1);
    stats.queued = pending;
    release(url);
  };

  const adapterFor = (req: CrawlRequest): SiteAdapter | null => (req.platform === 'generic' ? null : (adapterByName(req.platform) ?? null));

  const deadLetter = async (req: CrawlRequest, reason: string, error: unknown, attempts: number): Promise<void> => {
    const src = sources.get(req.url) ?? { topic: `http:${req.url}`.slice(0, 256), partition: -1, offset: '-1' };
    const message = error instanceof Error ? error.message : String(error);
    const dl = makeDeadLetter({
      stage: 'crawl',
      reason,
      error: new CrawlError(reason, `${req.url}: ${message} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`),
      topic: src.topic,
      partition: src.partition,
      offset: src.offset,
      key: req.url,
      timestamp: req.enqueued_at,
      value: JSON.stringify(req),
    });
    await output.deadLetter(dl);
    stats.failed++;
    stats.failedByReason[reason] = (stats.failedByReason[reason] ?? 0) + 1;
    log.warn({ reason, attempts }, `dead-lettered ${req.url.slice(0, 300)}: ${message.slice(0, 300)}`);
  };

  const enqueue = async (req: CrawlRequest, source?: DeadLetterSource): Promise<void> => {
    if (!allow(req.url)) {
      if (source) sources.set(req.url, source);
      await deadLetter(req, FAIL.offAllowList, new CrawlError(FAIL.offAllowList, 'host not in crawl.allowHosts; not fetched'), 0);
      release(req.url);
      return;
    }
    const info = byPlatform.get(req.platform);
    if (info?.target.maxPages !== undefined && info.pages >= info.target.maxPages) {
      release(req.url);
      return;
    }
    const adapter = adapterFor(req);
    const browser = adapter !== null && (adapter.needsBrowser(req.url) || (req.kind === 'livestream' && adapter.isRoom?.(req.url) === true));
    const queue = browser ? browserQueue : cheerioQueue;
    const key = urlKey(req.url);
    if (seen.has(key)) {
      release(req.url);
      return;
    }
    seen.add(key);
    if (browser) ensureBrowser();
    await queue.addRequest({ url: req.url, uniqueKey: req.url, userData: { req, browser } });
    pending++;
    stats.queued = pending;
    if (info) info.pages++;
    if (source) sources.set(req.url, source);
  };

  const follow = async (req: CrawlRequest, links: { products: string[]; lists: string[] }): Promise<void> => {
    if (deps.followLinks === false) return;
    const now = new Date().toISOString();
    const reqs: CrawlRequest[] = [];
    for (const [urls, label] of [
      [links.lists, 'list'],
      [links.products, 'item'],
    ] as const) {
      for (const url of urls) reqs.push({ schema_version: 1, url, platform: req.platform, kind: req.kind, label, depth: req.depth + 1, enqueued_at: now });
    }
    if (deps.publishLinks) {
      // Off-list links are refused here too, so they never reach the shared frontier.
      const allowed: CrawlRequest[] = [];
      for (const r of reqs) {
        if (allow(r.url)) allowed.push(r);
        else await deadLetter(r, FAIL.offAllowList, new CrawlError(FAIL.offAllowList, 'host not in crawl.allowHosts; not fetched'), 0);
      }
      if (allowed.length > 0) await deps.publishLinks(allowed);
    } else {
      for (const r of reqs) await enqueue(r);
    }
  };

  /**
   * Extraction, evidence, snapshots, links: shared by both crawlers for listing pages. Resolves once the page
   * is processed, with a promise of its snapshots' delivery (the page settles when that resolves).
   */
  const handleListingPage = async (req: CrawlRequest, page: { url: string; html: string; $: CheerioAPI; raw: Buffer; status: number }, kind: 'cheerio' | 'playwright'): Promise<{ delivered: Promise<void> }> => {
    const adapter = adapterFor(req);
    let products: ExtractedProduct[];
    if (adapter) {
      products = adapter.extract(page);
      if (products.length === 0 && req.label === 'item') products = extractGeneric(page.$, { url: page.url }).products;
    } else {
      products = extractGeneric(page.$, { url: page.url }).products;
    }
    // Links are read only when they are followed, or to tell a list page from an empty one.
    const links = adapter && (deps.followLinks !== false || products.length === 0) ? adapter.links(page) : { products: [], lists: [] };
    if (products.length === 0 && links.products.length === 0 && links.lists.length === 0) {
      throw new CrawlError(FAIL.noContent, `no product and no link found on ${page.url} (HTTP ${page.status}, ${page.raw.length} bytes)`);
    }
    const hash = contentHash(page.raw);
    const fetchedAt = new Date();
    const snapshots: ListingSnapshot[] = [];
    for (const p of products) {
      const s = toListingSnapshot(p, { platform: adapter?.name ?? req.platform, url: page.url, fetchedAt, httpStatus: page.status, contentHash: hash, crawlerKind: kind });
      if (s.ok) snapshots.push(s.snapshot);
      else {
        stats.invalid++;
        await deadLetter(req, FAIL.invalidSnapshot, new Error(s.error), 1);
      }
    }
    await follow(req, links);
    // Evidence first, then the snapshots that point at it; both after the fetch slot is released.
    const raw = page.raw;
    const delivered =
      snapshots.length === 0
        ? Promise.resolve()
        : evidence.put(hash, raw).then(() => Promise.all(snapshots.map((s) => output.listing(s).then(() => void stats.listings++)))).then(() => undefined);
    return { delivered };
  };

  // Pages whose snapshots are sent but not yet acknowledged. The fetch slot is free meanwhile (waiting for
  // acks=all per page would make the broker's round trip the crawler's pace); the page counts as done, and
  // its Kafka-frontier offset moves, only after the ack. Bounded: past the limit, handlers wait.
  const MAX_UNACKED = 1000;
  let unacked = 0;
  const ackWaiters: (() => void)[] = [];
  const afterDelivery = async (request: Request, delivered: Promise<void>): Promise<void> => {
    const req = request.userData.req as CrawlRequest;
    unacked++;
    delivered
      .then(
        () => onSuccess(request),
        async (err: unknown) => {
          try {
            await deadLetter(req, FAIL.publish, err, request.retryCount + 1);
          } catch (dlErr) {
            stats.failed++;
            stats.failedByReason[FAIL.publish] = (stats.failedByReason[FAIL.publish] ?? 0) + 1;
            log.error({ err: dlErr }, `snapshots of ${request.url.slice(0, 300)} not delivered and not dead-lettered: ${(err as Error).message}`);
          } finally {
            settle(request.url);
          }
        },
      )
      .finally(() => {
        unacked--;
        ackWaiters.shift()?.();
      });
    while (unacked > MAX_UNACKED) await new Promise<void>((r) => ackWaiters.push(r));
  };

  const onSuccess = (request: Request): void => {
    stats.done++;
    settle(request.url);
    deps.onProgress?.(stats);
  };

  const backoff = async (request: Request, error: Error): Promise<void> => {
    stats.retries++;
    const { reason, message } = classify(error);
    stats.retriesByReason[reason] = (stats.retriesByReason[reason] ?? 0) + 1;
    log.debug({ reason, retry: request.retryCount }, `retrying ${request.url.slice(0, 300)}: ${message.slice(0, 300)}`);
    const delay = Math.min(30_000, cc.retryBackoffMs * 2 ** Math.max(0, request.retryCount - 1));
    if (delay > 0) await sleep(delay);
  };

  const onFailed = async (request: Request, error: Error): Promise<void> => {
    const req = request.userData.req as CrawlRequest;
    const { reason, message } = classify(error);
    try {
      await deadLetter(req, reason, new Error(message), request.retryCount + 1);
    } finally {
      settle(request.url);
      deps.onProgress?.(stats);
    }
  };

  const cheerioConcurrency = Math.max(1, targets.reduce((n, t) => n + t.concurrency, 0));

  const makeCheerio = (keepAlive: boolean): CheerioCrawler =>
    new CheerioCrawler(
      {
        requestQueue: asCrawleeQueue(cheerioQueue),
        keepAlive,
        // The configured concurrency is what runs: Crawlee's autoscaling would otherwise start at 1 and back
        // off whenever this shared machine looks busy.
        minConcurrency: cheerioConcurrency,
        maxConcurrency: cheerioConcurrency,
        maxRequestRetries: cc.maxRetries,
        navigationTimeoutSecs: cc.requestTimeoutSec,
        requestHandlerTimeoutSecs: cc.requestTimeoutSec * 2 + 30,
        useSessionPool: false,
        persistCookiesPerSession: false,
        retryOnBlocked: false,
        additionalMimeTypes: ['text/plain', 'application/octet-stream'],
        preNavigationHooks: [
          async ({ request }, gotOptions) => {
            if (!allow(request.url)) throw new CrawlError(FAIL.offAllowList, `${request.url}: host not in crawl.allowHosts`);
            await limiter.acquire(new URL(request.url).host);
            // Each redirect hop is checked before it is followed: an off-list host is never contacted.
            gotOptions.hooks = {
              ...(gotOptions.hooks ?? {}),
              beforeRedirect: [
                ...((gotOptions.hooks?.beforeRedirect as unknown[] | undefined) ?? []),
                (opts: { url?: URL | string }) => {
                  const next = String(opts.url ?? '');
                  if (!allow(next)) throw new CrawlError(FAIL.offAllowList, `${request.url} redirects to ${next.slice(0, 300)}, off crawl.allowHosts; not followed`);
                },
              ],
            } as typeof gotOptions.hooks;
            gotOptions.maxRedirects = 5;
          },
        ],
        postNavigationHooks: [
          async (ctx) => {
            const res = (ctx as unknown as { response?: IncomingMessage & { url: string } }).response;
            if (!res) throw new CrawlError(FAIL.timeout, `${ctx.request.url}: no response`);
            if (!allow(res.url)) throw new CrawlError(FAIL.offAllowList, `${ctx.request.url} ended at ${res.url}, off crawl.allowHosts`);
            const declared = Number(res.headers['content-length']);
            if (Number.isFinite(declared) && declared > cc.maxPageBytes) {
              res.destroy();
              throw new CrawlError(FAIL.tooLarge, `${ctx.request.url}: Content-Length ${declared} is more than ${cc.maxPageBytes} bytes`);
            }
            const raw = await readBody(res, cc.maxPageBytes, cc.requestTimeoutSec * 1000, ctx.request.url);
            const decoded = decodePage(raw, res.headers['content-type']);
            pageState.set(ctx.request, { raw, html: decoded.html, status: res.statusCode ?? 0, finalUrl: res.url });
            // Crawlee parses what we hand it: the text decoded once by our charset rules (GBK sniffing included).
            const type = String(res.headers['content-type'] ?? 'text/html').split(';')[0]!.trim() || 'text/html';
            const replacement = Readable.from([Buffer.from(decoded.html, 'utf8')]) as Readable & Record<string, unknown>;
            replacement.statusCode = res.statusCode;
            replacement.headers = { ...res.headers, 'content-type': `${type}; charset=utf-8` };
            replacement.url = res.url;
            (ctx as unknown as { response: unknown }).response = replacement;
          },
        ],
        requestHandler: async (ctx) => {
          const req = ctx.request.userData.req as CrawlRequest;
          const st = pageState.get(ctx.request);
          if (!st?.raw || st.html === undefined) throw new CrawlError(FAIL.fetch, `${ctx.request.url}: body not captured`);
          const status = st.status ?? 200;
          if (status >= 400) throw new CrawlError(FAIL.httpStatus, `${ctx.request.url}: HTTP ${status}`);
          const $ = (ctx as unknown as { $?: CheerioAPI }).$ ?? cheerio.load(st.html);
          const { delivered } = await handleListingPage(req, { url: st.finalUrl ?? ctx.request.url, html: st.html, $, raw: st.raw, status }, 'cheerio');
          pageState.delete(ctx.request);
          await afterDelivery(ctx.request, delivered);
        },
        errorHandler: async ({ request }, error) => {
          pageState.delete(request);
          // A refused host stays refused: no point in asking again.
          if (classify(error).reason === FAIL.offAllowList) request.noRetry = true;
          else await backoff(request, error);
        },
        failedRequestHandler: async ({ request }, error) => onFailed(request, error),
      },
      crawleeConfig,
    );

  const browserConcurrency = Math.max(1, Math.min(4, targets.reduce((n, t) => n + t.concurrency, 0)));
  const livestreamMs = cc.livestream.samples * cc.livestream.intervalMs;

  const sampleRoom = async (req: CrawlRequest, adapter: SiteAdapter, page: import('playwright').Page, status: number): Promise<void> => {
    const ready = adapter.readySelector?.(req.url) ?? null;
    const seen = new Set<string>();
    for (let seq = 0; seq < cc.livestream.samples; seq++) {
      if (seq > 0) await page.waitForTimeout(cc.livestream.intervalMs);
      if (ready) await page.waitForSelector(ready, { timeout: cc.browser.readyTimeoutMs });
      const html = await page.content();
      const raw = Buffer.from(html, 'utf8');
      const sample = adapter.sampleRoom!({ url: page.url(), html, $: cheerio.load(html) });
      if (!sample) throw new CrawlError(FAIL.noContent, `${req.url}: room page not readable (sample ${seq})`);
      const fresh = freshTranscript(seen, sample.transcript);
      const hash = contentHash(raw);
      await evidence.put(hash, raw);
      const made = toLivestreamSnapshot(adapter.name, sample, { url: page.url(), fetchedAt: new Date(), seq, contentHash: hash, fresh });
      if (!made.ok) {
        stats.invalid++;
        await deadLetter(req, FAIL.invalidSnapshot, new Error(made.error), 1);
        continue;
      }
      await output.livestream(made.snapshot);
      stats.samples++;
      deps.onProgress?.(stats);
    }
  };

  const makeBrowser = (keepAlive: boolean): PlaywrightCrawler =>
    new PlaywrightCrawler(
      {
        requestQueue: asCrawleeQueue(browserQueue),
        keepAlive,
        minConcurrency: browserConcurrency,
        maxConcurrency: browserConcurrency,
        maxRequestRetries: cc.maxRetries,
        navigationTimeoutSecs: cc.requestTimeoutSec,
        requestHandlerTimeoutSecs: Math.ceil((livestreamMs + cc.browser.readyTimeoutMs * (cc.livestream.samples + 1)) / 1000) + cc.requestTimeoutSec,
        useSessionPool: false,
        persistCookiesPerSession: false,
        retryOnBlocked: false,
        headless: true,
        launchContext: {
          launcher: chromium,
          useChrome: false,
          launchOptions: { executablePath: cc.browser.executablePath, args: CHROMIUM_ARGS, headless: true },
        },
        browserPoolOptions: { useFingerprints: false },
        preNavigationHooks: [
          async ({ request, page }, gotoOptions) => {
            if (!allow(request.url)) throw new CrawlError(FAIL.offAllowList, `${request.url}: host not in crawl.allowHosts`);
            await limiter.acquire(new URL(request.url).host);
            // Every request the page makes (redirect hops, scripts, XHR) goes through the allow-list.
            await page.route('**/*', async (route) => {
              if (allow(route.request().url())) await route.continue();
              else {
                stats.blockedSubrequests++;
                await route.abort('blockedbyclient');
              }
            });
            if (gotoOptions) {
              gotoOptions.waitUntil = 'domcontentloaded';
              gotoOptions.timeout = cc.requestTimeoutSec * 1000;
            }
          },
        ],
        requestHandler: async ({ request, page, response }) => {
          const req = request.userData.req as CrawlRequest;
          const finalUrl = page.url();
          if (!allow(finalUrl)) throw new CrawlError(FAIL.offAllowList, `${request.url} ended at ${finalUrl}, off crawl.allowHosts`);
          const status = response?.status() ?? 0;
          if (status >= 400 || status === 0) throw new CrawlError(FAIL.httpStatus, `${request.url}: HTTP ${status}`);
          const adapter = adapterFor(req);
          if (adapter?.isRoom?.(finalUrl) && adapter.sampleRoom && req.kind === 'livestream') {
            await sampleRoom(req, adapter, page, status);
          } else {
            const ready = adapter?.readySelector?.(finalUrl) ?? null;
            if (ready) await page.waitForSelector(ready, { timeout: cc.browser.readyTimeoutMs });
            const html = await page.content();
            const raw = Buffer.from(html, 'utf8');
            if (raw.length > cc.maxPageBytes) throw new CrawlError(FAIL.tooLarge, `${request.url}: rendered page is ${raw.length} bytes, more than ${cc.maxPageBytes}`);
            const { delivered } = await handleListingPage(req, { url: finalUrl, html, $: cheerio.load(html), raw, status }, 'playwright');
            await afterDelivery(request, delivered);
            return;
          }
          onSuccess(request);
        },
        errorHandler: async ({ request }, error) => {
          if (classify(error).reason === FAIL.offAllowList) request.noRetry = true;
          else await backoff(request, error);
        },
        failedRequestHandler: async ({ request }, error) => onFailed(request, error),
      },
      crawleeConfig,
    );

  return {
    stats,
    enqueue,
    stop() {
      stopped = true;
      cheerioCrawler?.stop('crawl stopped');
      browserCrawler?.stop('crawl stopped');
    },
    settled(url) {
      return new Promise((resolve) => {
        const list = waiters.get(url) ?? [];
        list.push(resolve);
        waiters.set(url, list);
      });
    },
    async run(opts = {}) {
      const keepAlive = opts.keepAlive ?? false;
      stopped = false;
      stats.startedAt = Date.now();
      // Both crawlers stay alive while the other may still feed them; the run ends when nothing is pending.
      running = true;
      cheerioCrawler = makeCheerio(true);
      runs.push(cheerioCrawler.run());
      if (!(await browserQueue.isEmpty())) ensureBrowser();
      const progress = setInterval(() => deps.onProgress?.(stats), 500);
      const watcher = setInterval(() => {
        if (!keepAlive && pending === 0) {
          cheerioCrawler?.stop('all requests settled');
          browserCrawler?.stop('all requests settled');
        }
        if (stopped) {
          cheerioCrawler?.stop('crawl stopped');
          browserCrawler?.stop('crawl stopped');
        }
      }, 200);
      try {
        for (let i = 0; i < runs.length; i++) await runs[i];
      } finally {
        running = false;
        runs.length = 0;
        clearInterval(progress);
        clearInterval(watcher);
        await browserCrawler?.teardown().catch(() => undefined);
        await cheerioCrawler?.teardown().catch(() => undefined);
        browserCrawler = null;
        cheerioCrawler = null;
      }
      deps.onProgress?.(stats);
      return stats;
    },
  };
}

/** The seed requests of the targets. */
export function seedRequests(targets: readonly CrawlTarget[], now = new Date()): CrawlRequest[] {
  return targets.flatMap((t) => t.seedUrls.map((url) => ({ schema_version: 1 as const, url, platform: t.platform, kind: t.kind, label: 'seed' as const, depth: 0, enqueued_at: now.toISOString() })));
}
