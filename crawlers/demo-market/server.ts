// The demo marketplace HTTP server (node:http, loopback): four platforms, reference registers, ground truth,
// sitemap, and misbehaving endpoints, every response generated on request from (seed, index), nothing stored.
// In: DemoMarketOptions. Out: a running server with its URL, access log and ground-truth accessors.
// URL layout: README.md beside this file.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import iconv from 'iconv-lite';
import { catalogueFor } from './catalogue.ts';
import { badHandler } from './bad.ts';
import { createAccessLog, type AccessLog } from './access-log.ts';
import { writeGroundTruth } from './ground-truth.ts';
import { indexOfListingId, listingAt, listingPath, listingTruth, type ListingOptions } from './listings.ts';
import { bigmallCategory, bigmallHome, bigmallItem, bigmallSearch } from './platforms/bigmall.ts';
import { page, type PageContext } from './platforms/layout.ts';
import { liveIndex, liveRoomJson, liveRoomShell } from './platforms/livebuy.ts';
import { selfshopItem, selfshopList } from './platforms/selfshop.ts';
import { spaItemJson, spaItemShell, spaListJson, spaListShell } from './platforms/spa-mall.ts';
import { referenceFor } from './reference.ts';
import { DEFAULT_BUCKET_MS, indexOfRoomId, roomAt, roomCountFor, roomStateAt, roomTruth } from './rooms.ts';

export interface DemoMarketOptions {
  /** Number of listings (1 .. 1e9). */
  listings: number;
  seed: number;
  /** 0 = any free port. */
  port?: number;
  host?: string;
  /** Inject no problems. */
  clean?: boolean;
  /** Share of listings and rooms with an injected problem (default 0.2). */
  problemRate?: number;
  /** Livestream time bucket, ms (default 3000). */
  bucketMs?: number;
  /** Clock for livestream state (default Date.now). */
  now?: () => number;
  /** Also append the access log to this file (NDJSON). */
  accessLogFile?: string;
  accessLogCapacity?: number;
  /** Host name /bad/redirect-offsite points to (same server, different Host header). Default 'localhost'. */
  offsiteHost?: string;
}

export interface DemoMarket {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  close(): Promise<void>;
  accessLog: AccessLog;
  listingCount: number;
  roomCount: number;
  /** Ground-truth line of listing i (as /ground-truth.ndjson has it). */
  groundTruth(i: number): Record<string, unknown>;
  /** Ground-truth line of room r. */
  roomTruth(r: number): Record<string, unknown>;
  listingUrl(i: number): string;
  roomUrl(r: number): string;
}

const MAX_LISTINGS = 1e9;

export function validateOptions(o: DemoMarketOptions): void {
  if (!Number.isSafeInteger(o.listings) || o.listings < 1 || o.listings > MAX_LISTINGS) throw new RangeError(`listings must be an integer in 1..${MAX_LISTINGS}, got ${o.listings}`);
  if (!Number.isSafeInteger(o.seed)) throw new RangeError(`seed must be an integer, got ${o.seed}`);
  if (o.problemRate !== undefined && !(o.problemRate >= 0 && o.problemRate <= 1)) throw new RangeError(`problemRate must be within 0..1, got ${o.problemRate}`);
  if (o.bucketMs !== undefined && !(Number.isInteger(o.bucketMs) && o.bucketMs >= 100)) throw new RangeError(`bucketMs must be an integer >= 100, got ${o.bucketMs}`);
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535)) throw new RangeError(`port must be within 0..65535, got ${o.port}`);
}

const SITEMAP_SIZE = 50_000;

function send(req: IncomingMessage, res: ServerResponse, status: number, body: string | Buffer, contentType: string, extra: Record<string, string> = {}): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { 'content-type': contentType, 'content-length': buf.length, ...extra });
  res.end(req.method === 'HEAD' ? undefined : buf);
}
const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const NDJSON = 'application/x-ndjson; charset=utf-8';

export async function startDemoMarket(opts: DemoMarketOptions): Promise<DemoMarket> {
  validateOptions(opts);
  const { seed, listings } = opts;
  const host = opts.host ?? '127.0.0.1';
  const now = opts.now ?? Date.now;
  const bucketMs = opts.bucketMs ?? DEFAULT_BUCKET_MS;
  const lopts: ListingOptions = { clean: opts.clean ?? false, problemRate: opts.problemRate };
  const rooms = roomCountFor(listings);
  const ctx: PageContext = { seed, listings, rooms, clean: lopts.clean ?? false, problemRate: opts.problemRate, bucketMs };
  const accessLog = createAccessLog(opts.accessLogCapacity, opts.accessLogFile);
  catalogueFor(seed); // build the (small) catalogue and registers before the first request
  const ref = referenceFor(seed);
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = '';
  let offsiteUrl = '';

  const listing = (platform: 'bigmall' | 'spa_mall' | 'selfshop', id: string) => {
    const i = indexOfListingId(platform, id);
    return i === null || i >= listings ? null : listingAt(seed, i, lopts);
  };
  const notFound = (req: IncomingMessage, res: ServerResponse) => send(req, res, 404, page('404', '<h1>404 页面不存在 Not Found</h1>'), HTML);

  const ndjsonRows = (req: IncomingMessage, res: ServerResponse, rows: readonly unknown[]) =>
    send(req, res, 200, rows.map((r) => JSON.stringify(r)).join('\n') + '\n', NDJSON);

  async function handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    let m: RegExpExecArray | null;
    const pageNo = Number(query.get('page') ?? '1');
    if (path === '/') {
      return send(req, res, 200, page('Demo marketplace', `<h1>Demo marketplace (seed ${seed}, ${listings} listings, ${rooms} rooms)</h1>
<ul><li><a href="/bigmall/">BigMall 大商城</a></li><li><a href="/spa/list?page=1">SPA Mall</a></li><li><a href="/shop/list?page=1">自营小店 selfshop</a></li><li><a href="/live/">LiveBuy 直播购</a></li>
<li><a href="/sitemap.xml">sitemap</a></li><li><a href="/ref/certificates.ndjson">certificates</a> <a href="/ref/licences.ndjson">licences</a> <a href="/ref/recalls.ndjson">recalls</a> <a href="/ref/prohibited.ndjson">prohibited</a></li></ul>`), HTML);
    }
    if (path === '/healthz') return send(req, res, 200, 'ok\n', 'text/plain; charset=utf-8');
    if (path === '/robots.txt') {
      return send(req, res, 200, `User-agent: *\nDisallow: /private/\nCrawl-delay: 0\nSitemap: ${baseUrl}/sitemap.xml\n`, 'text/plain; charset=utf-8');
    }
    if (path === '/sitemap.xml') {
      const parts: string[] = [];
      for (let k = 0; k * SITEMAP_SIZE < listings; k++) parts.push(`<sitemap><loc>${baseUrl}/sitemap/listings-${k}.xml</loc></sitemap>`);
      for (let k = 0; k * SITEMAP_SIZE < rooms; k++) parts.push(`<sitemap><loc>${baseUrl}/sitemap/rooms-${k}.xml</loc></sitemap>`);
      return send(req, res, 200, `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${parts.join('\n')}\n</sitemapindex>\n`, 'application/xml; charset=utf-8');
    }
    if ((m = /^\/sitemap\/(listings|rooms)-(0|[1-9]\d{0,6})\.xml$/.exec(path))) {
      const k = Number(m[2]);
      const n = m[1] === 'listings' ? listings : rooms;
      if (k * SITEMAP_SIZE >= n) return notFound(req, res);
      const urls: string[] = [];
      for (let j = k * SITEMAP_SIZE; j < Math.min(n, (k + 1) * SITEMAP_SIZE); j++) {
        urls.push(`<url><loc>${baseUrl}${m[1] === 'listings' ? listingPath(j) : `/live/room/${8000 + j}`}</loc></url>`);
      }
      return send(req, res, 200, `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join('\n')}\n</urlset>\n`, 'application/xml; charset=utf-8');
    }
    // ---- bigmall
    if (path === '/bigmall/' || path === '/bigmall') return send(req, res, 200, bigmallHome(ctx), HTML);
    if ((m = /^\/bigmall\/category\/([a-z_]{1,64})$/.exec(path))) {
      const html = bigmallCategory(m[1] as string, pageNo, ctx);
      return html === null ? notFound(req, res) : send(req, res, 200, html, HTML);
    }
    if (path === '/bigmall/search') {
      const html = bigmallSearch(query.get('q') ?? '', pageNo, ctx);
      return html === null ? notFound(req, res) : send(req, res, 200, html, HTML);
    }
    if ((m = /^\/bigmall\/item\/(\d{1,15})\.html$/.exec(path))) {
      const l = listing('bigmall', m[1] as string);
      return l ? send(req, res, 200, bigmallItem(l, ctx), HTML) : notFound(req, res);
    }
    // ---- spa_mall
    if (path === '/spa/' || path === '/spa') return send(req, res, 200, spaListShell(1), HTML);
    if (path === '/spa/list') return Number.isSafeInteger(pageNo) && pageNo >= 1 ? send(req, res, 200, spaListShell(pageNo), HTML) : notFound(req, res);
    if (path === '/spa/api/list') {
      const j = spaListJson(pageNo, ctx);
      return j === null ? send(req, res, 404, '{"error":"no such page"}', JSON_TYPE) : send(req, res, 200, JSON.stringify(j), JSON_TYPE);
    }
    if ((m = /^\/spa\/item\/(sp\d{1,15})$/.exec(path))) {
      const l = listing('spa_mall', m[1] as string);
      return l ? send(req, res, 200, spaItemShell(l), HTML) : notFound(req, res);
    }
    if ((m = /^\/spa\/api\/item\/(sp\d{1,15})$/.exec(path))) {
      const l = listing('spa_mall', m[1] as string);
      return l ? send(req, res, 200, JSON.stringify(spaItemJson(l)), JSON_TYPE) : send(req, res, 404, '{"error":"no such item"}', JSON_TYPE);
    }
    // ---- selfshop
    if (path === '/shop/' || path === '/shop') return send(req, res, 200, page('自营小店', '<h1>自营小店</h1><a href="/shop/list?page=1">全部商品</a>'), HTML);
    if (path === '/shop/list') {
      const html = selfshopList(pageNo, ctx);
      return html === null ? notFound(req, res) : send(req, res, 200, html, HTML);
    }
    if ((m = /^\/shop\/item\/(g\d{1,15})\.html$/.exec(path))) {
      const l = listing('selfshop', m[1] as string);
      if (!l) return notFound(req, res);
      const html = selfshopItem(l, seed);
      return l.charset === 'gbk' ? send(req, res, 200, iconv.encode(html, 'gbk'), 'text/html; charset=GBK') : send(req, res, 200, html, HTML);
    }
    // ---- livebuy
    if (path === '/live/' || path === '/live') {
      const html = liveIndex(pageNo, ctx, (r) => roomAt(seed, r, lopts).title);
      return html === null ? notFound(req, res) : send(req, res, 200, html, HTML);
    }
    if ((m = /^\/live\/room\/(\d{1,15})$/.exec(path))) {
      const r = indexOfRoomId(m[1] as string);
      return r === null || r >= rooms ? notFound(req, res) : send(req, res, 200, liveRoomShell(roomAt(seed, r, lopts)), HTML);
    }
    if ((m = /^\/live\/api\/room\/(\d{1,15})$/.exec(path))) {
      const r = indexOfRoomId(m[1] as string);
      if (r === null || r >= rooms) return send(req, res, 404, '{"error":"no such room"}', JSON_TYPE);
      const room = roomAt(seed, r, lopts);
      return send(req, res, 200, JSON.stringify(liveRoomJson(room, roomStateAt(seed, room, now(), { ...lopts, bucketMs }))), JSON_TYPE, { 'cache-control': 'no-store' });
    }
    // ---- reference registers and ground truth
    if (path === '/ref/certificates.ndjson') return ndjsonRows(req, res, ref.certificates);
    if (path === '/ref/licences.ndjson') return ndjsonRows(req, res, ref.licences);
    if (path === '/ref/recalls.ndjson') return ndjsonRows(req, res, ref.recalls);
    if (path === '/ref/prohibited.ndjson') return ndjsonRows(req, res, ref.prohibited);
    if (path === '/ref/prices.ndjson') {
      return ndjsonRows(
        req,
        res,
        catalogueFor(seed).products.map((p) => ({ product_id: p.product_id, category: p.type.id, brand: p.brand.zh, brand_en: p.brand.en, model: p.model, gtin: p.gtin, median: p.median, min: p.min, max: p.max, currency: 'CNY' })),
      );
    }
    if (path === '/ground-truth.ndjson') {
      res.writeHead(200, { 'content-type': NDJSON });
      if (req.method === 'HEAD') return void res.end();
      await writeGroundTruth({ seed, listings, rooms, options: lopts, baseUrl }, res);
      return void res.end();
    }
    if (path === '/offsite/landing') return send(req, res, 200, page('offsite', '<h1>You followed a redirect off the allow-list</h1>'), HTML);
    const bad = badHandler(path);
    if (bad) return bad(req, res, { offsiteUrl, hold: (t) => timers.add(t) });
    return notFound(req, res);
  }

  const server = createServer((req, res) => {
    const raw = req.url ?? '/';
    const entry = accessLog.record({ at: new Date().toISOString(), method: req.method ?? '', host: req.headers.host ?? '', path: raw, user_agent: req.headers['user-agent'] ?? '' });
    res.on('finish', () => accessLog.finish(entry, res.statusCode));
    res.on('close', () => {
      if (!res.writableFinished) accessLog.finish(entry, 0);
    });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, 405, 'method not allowed\n', 'text/plain; charset=utf-8', { allow: 'GET, HEAD' });
      return;
    }
    let url: URL;
    try {
      url = new URL(raw, 'http://demo.invalid');
    } catch {
      send(req, res, 400, 'bad request\n', 'text/plain; charset=utf-8');
      return;
    }
    handle(req, res, url.pathname, url.searchParams).catch((err: Error) => {
      if (!res.headersSent) send(req, res, 500, `internal error: ${err.message}\n`, 'text/plain; charset=utf-8');
      else res.destroy(err);
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const hostPart = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  baseUrl = `http://${hostPart}:${addr.port}`;
  offsiteUrl = `http://${opts.offsiteHost ?? 'localhost'}:${addr.port}/offsite/landing`;

  return {
    url: baseUrl,
    port: addr.port,
    accessLog,
    listingCount: listings,
    roomCount: rooms,
    groundTruth: (i) => {
      if (!Number.isSafeInteger(i) || i < 0 || i >= listings) throw new RangeError(`listing index ${i} outside 0..${listings - 1}`);
      return listingTruth(listingAt(seed, i, lopts), baseUrl);
    },
    roomTruth: (r) => {
      if (!Number.isSafeInteger(r) || r < 0 || r >= rooms) throw new RangeError(`room index ${r} outside 0..${rooms - 1}`);
      return roomTruth(roomAt(seed, r, lopts), baseUrl);
    },
    listingUrl: (i) => baseUrl + listingPath(i),
    roomUrl: (r) => `${baseUrl}/live/room/${8000 + r}`,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await accessLog.close();
    },
  };
}

