// Demo-marketplace listings and rooms as the crawler would publish them, without a server or a browser: each
// listing's page is rendered by the demo market's own renderer and read back by the crawler's extraction code
// (crawlers/extract: site adapter, normalisers, toListingSnapshot), so the snapshots carry exactly what a
// crawl would (e.g. no category where the page shows none). Pages the browser renders (spa_mall items,
// livebuy rooms) are built here as the DOM their inline script produces from the same API JSON.
// In: seed, index, generator options, a fetch time. Out: ListingSnapshot / LivestreamSnapshot[] (one room
// visit: `samples` states one time bucket apart, transcript lines new since the previous sample, as
// crawlers/crawl/crawler.ts does), or an error naming the listing.
import { createHash } from 'node:crypto';
import * as cheerio from 'cheerio';
import iconv from 'iconv-lite';
import { adapterByName } from '../../crawlers/adapters/index.ts';
import { freshTranscript } from '../../crawlers/adapters/types.ts';
import { extractPage } from '../../crawlers/extract/index.ts';
import { toListingSnapshot, toLivestreamSnapshot } from '../../crawlers/extract/snapshot.ts';
import { listingAt, previousListing, type Listing, type ListingOptions } from '../../crawlers/demo-market/listings.ts';
import { bigmallItem } from '../../crawlers/demo-market/platforms/bigmall.ts';
import type { PageContext } from '../../crawlers/demo-market/platforms/layout.ts';
import { liveRoomJson, liveRoomShell } from '../../crawlers/demo-market/platforms/livebuy.ts';
import { selfshopItem } from '../../crawlers/demo-market/platforms/selfshop.ts';
import { spaItemJson } from '../../crawlers/demo-market/platforms/spa-mall.ts';
import { page } from '../../crawlers/demo-market/platforms/layout.ts';
import { roomAt, roomStateAt, type Room } from '../../crawlers/demo-market/rooms.ts';
import { escapeHtml } from '../../crawlers/demo-market/text.ts';
import type { ListingSnapshot, LivestreamSnapshot } from '../../pipeline/contracts/index.ts';

export const DEMO_BASE_URL = 'http://127.0.0.1:18080';

const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');
const e = escapeHtml;

/** The DOM spa_mall's RENDER_ITEM script builds from /spa/api/item/<id> (crawlers/demo-market/platforms/spa-mall.ts). */
export function spaRenderedItem(l: Listing): string {
  const d = spaItemJson(l) as {
    item_id: string;
    title: string;
    price: { amount: number; currency: string; text: string };
    brand: string;
    model: string;
    gtin: string | null;
    certificates: { number: string }[];
    licences: { number: string }[];
    seller: { id: string; company: string; uscc: string; region_code: string; address: string };
    producer: { name: string | null; address: string | null };
  };
  const row = (k: string, v: string | null, cls: string) => (v == null ? '' : `<tr class="${cls}"><th>${e(k)}</th><td>${e(v)}</td></tr>`);
  const rows = [
    row('品牌', d.brand, 'brand'),
    row('型号', d.model, 'model'),
    row('商品条码', d.gtin, 'gtin'),
    ...d.certificates.map((c) => row('CCC证书编号', c.number, 'ccc')),
    ...d.licences.map((c) => row('生产许可证编号', c.number, 'licence')),
    row('生产企业', d.producer.name, 'producer-name'),
    row('生产企业地址', d.producer.address, 'producer-address'),
  ].join('');
  const s = d.seller;
  const card = [
    ['店铺编号', s.id, 'seller-id'],
    ['企业名称', s.company, 'seller-name'],
    ['统一社会信用代码', s.uscc, 'credit-code'],
    ['行政区划代码', s.region_code, 'region-code'],
    ['注册地址', s.address, 'seller-address'],
  ]
    .map(([k, v, cls]) => `<dt>${e(k!)}</dt><dd class="${cls}">${e(v!)}</dd>`)
    .join('');
  return page(
    `${d.title} - SPA Mall`,
    `<div id="app" data-item-id="${e(d.item_id)}" data-ready="1"><h1 class="item-title">${e(d.title)}</h1>` +
      `<div class="price-box"><span class="price" data-amount="${d.price.amount}" data-currency="${e(d.price.currency)}">${e(d.price.text)}</span></div>` +
      `<table class="specs">${rows}</table><dl class="seller-card">${card}</dl></div>`,
  );
}

export interface DemoListingOptions extends ListingOptions {
  /** Fetch time of the snapshot (the detectors' "now"). */
  fetchedAt: Date;
}

export type DemoSnapshotResult = { ok: true; listing: Listing; snapshot: ListingSnapshot } | { ok: false; listing: Listing; error: string };

/** Listing i rendered by its platform's page and read back by the crawler's extraction code. */
export function demoListingSnapshot(seed: number, i: number, opts: DemoListingOptions): DemoSnapshotResult {
  return snapshotOf(seed, i, listingAt(seed, i, opts), opts);
}

/**
 * Listing i's page as its previous crawl saw it (the price it showed then, listing.previous_price), read back
 * the same way; null when the listing had no previous crawl.
 */
export function demoPreviousSnapshot(seed: number, i: number, opts: DemoListingOptions): DemoSnapshotResult | null {
  const l = previousListing(listingAt(seed, i, opts));
  return l ? snapshotOf(seed, i, l, opts) : null;
}

function snapshotOf(seed: number, i: number, l: Listing, opts: DemoListingOptions): DemoSnapshotResult {
  const url = DEMO_BASE_URL + l.path;
  const ctx: PageContext = { seed, listings: i + 1, rooms: 0, clean: opts.clean ?? false, problemRate: opts.problemRate, bucketMs: 3000 };
  const html = l.platform === 'bigmall' ? bigmallItem(l, ctx) : l.platform === 'selfshop' ? selfshopItem(l, seed) : spaRenderedItem(l);
  const bytes = l.charset === 'gbk' ? iconv.encode(html, 'gbk') : Buffer.from(html, 'utf8');
  const r = extractPage({ bytes, url, contentType: `text/html; charset=${l.charset}` });
  const p = r.products[0];
  if (r.products.length !== 1 || !p) return { ok: false, listing: l, error: `listing ${i} (${url}): ${r.products.length} products extracted (${r.errors.join('; ') || 'no error'})` };
  const s = toListingSnapshot(p, {
    platform: r.extractor,
    url,
    fetchedAt: opts.fetchedAt,
    httpStatus: 200,
    contentHash: sha256(bytes),
    crawlerKind: l.platform === 'spa_mall' ? 'playwright' : 'cheerio',
  });
  return s.ok ? { ok: true, listing: l, snapshot: s.snapshot } : { ok: false, listing: l, error: `listing ${i} (${url}): ${s.error}` };
}

/** The DOM livebuy's POLL script builds for one room state (after the seen-line de-duplication). */
function liveRendered(room: Room, json: ReturnType<typeof liveRoomJson>): string {
  const s = json as { bucket: number; viewer_count: number; card: Record<string, unknown> & { ccc_numbers: string[] }; transcript: { at: string; text: string }[] };
  const c = s.card;
  const span = (cls: string, v: unknown) => `<span class="${cls}">${e(String(v))}</span>`;
  const cardHtml =
    `<a class="card-title" href="${e(String(c.url))}">${e(String(c.title))}</a>${span('card-brand', c.brand)}${span('card-model', c.model)}` +
    `<span class="card-price" data-currency="${e(String(c.currency))}">${e(String(c.price))}</span>${span('card-claim', c.claimed_price_text)}${span('card-discount', c.claimed_discount)}` +
    c.ccc_numbers.map((n) => span('card-ccc', n)).join('');
  const shell = liveRoomShell(room);
  return shell
    .replace('<main id="room"', `<main id="room" data-ready="1" data-bucket="${s.bucket}"`)
    .replace('<span id="viewers">-</span>', `<span id="viewers">${s.viewer_count}</span>`)
    .replace('<section id="card" class="product-card"></section>', `<section id="card" class="product-card" data-listing-id="${e(String(c.listing_id))}" data-platform="${e(String(c.platform))}">${cardHtml}</section>`)
    .replace(/<ul id="transcript"([^>]*)><\/ul>/, (_m, attrs: string) => `<ul id="transcript"${attrs}>${s.transcript.map((t) => `<li class="line" data-at="${e(t.at)}">${e(t.text)}</li>`).join('')}</ul>`);
}

/** One crawler visit of room r: `samples` samples one bucket apart starting at `start`. */
export function demoRoomSnapshots(seed: number, r: number, opts: ListingOptions & { start: Date; samples?: number; bucketMs?: number }): { room: Room; snapshots: LivestreamSnapshot[]; errors: string[] } {
  const room = roomAt(seed, r, opts);
  const bucketMs = opts.bucketMs ?? 3000;
  const adapter = adapterByName('livebuy')!;
  const seen = new Set<string>();
  const snapshots: LivestreamSnapshot[] = [];
  const errors: string[] = [];
  const url = `${DEMO_BASE_URL}${room.path}`;
  for (let seq = 0; seq < (opts.samples ?? 3); seq++) {
    const t = opts.start.getTime() + seq * bucketMs;
    const state = roomStateAt(seed, room, t, { ...opts, bucketMs });
    const html = liveRendered(room, liveRoomJson(room, state));
    const sample = adapter.sampleRoom!({ url, html, $: cheerio.load(html) });
    if (!sample) {
      errors.push(`room ${room.room_id} sample ${seq}: not readable`);
      continue;
    }
    const fresh = freshTranscript(seen, sample.transcript);
    const hash = sha256(html);
    const made = toLivestreamSnapshot('livebuy', sample, { url, fetchedAt: new Date(t), seq, contentHash: hash, fresh });
    if (made.ok) snapshots.push(made.snapshot);
    else errors.push(made.error);
  }
  return { room, snapshots, errors };
}
