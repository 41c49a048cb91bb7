// The demo marketplace over real HTTP on loopback (port 0): bytes are deterministic, every platform's page
// shows exactly the ground truth (parsed here with cheerio from JSON-LD / API JSON / microdata tables), the
// registers validate against the contracts, the misbehaving endpoints misbehave, and the access log sees
// every Host header.
import { request } from 'node:http';
import * as cheerio from 'cheerio';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Certificate, Licence, ProhibitedItem, Recall } from '../../../pipeline/contracts/reference.ts';
import { CHARSET_TEXT, HUGE_BYTES, INJECTION_FIELDS } from '../../../crawlers/demo-market/bad.ts';
import { listingAt } from '../../../crawlers/demo-market/listings.ts';
import { selfshopItem } from '../../../crawlers/demo-market/platforms/selfshop.ts';
import { roomStateAt } from '../../../crawlers/demo-market/rooms.ts';
import { startDemoMarket, type DemoMarket } from '../../../crawlers/demo-market/server.ts';

const SEED = 42;
const LISTINGS = 100;

async function get(url: string): Promise<{ status: number; type: string; body: Buffer }> {
  const r = await fetch(url, { redirect: 'manual' });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: Buffer.from(await r.arrayBuffer()) };
}
const text = async (url: string) => (await get(url)).body.toString('utf8');

/** What a reader of the page would take as the value: NFKC, first number (commas dropped). */
function priceOf(s: string): number {
  const m = /\d[\d,]*(?:\.\d+)?/.exec(s.normalize('NFKC'));
  if (!m) throw new Error(`no price in ${JSON.stringify(s)}`);
  return Number(m[0].replace(/,/g, ''));
}
const cccOf = (s: string) => s.normalize('NFKC').replace(/\D/g, '');
function licenceOf(s: string): string {
  const m = /(\([^)]+\))?\s*XK\s*(\d\d)[\s-]*(\d{3})[\s-]*(\d{5})/i.exec(s.normalize('NFKC'));
  if (!m) throw new Error(`no licence number in ${JSON.stringify(s)}`);
  return `${m[1] ?? ''}XK${m[2]}-${m[3]}-${m[4]}`;
}

interface Seen {
  title: string;
  price: number;
  currency: string;
  brand: string;
  model: string;
  gtin: string | null;
  ccc_numbers: string[];
  licence_numbers: string[];
  seller: { seller_id: string; name: string; credit_code: string; region_code: string; address: string };
  producer: { name: string | null; address: string | null };
}

function fromBigmall(html: string): Seen {
  const $ = cheerio.load(html);
  const ld = JSON.parse($('script[type="application/ld+json"]').text());
  const props = (ld.additionalProperty ?? []) as { propertyID: string; value: string }[];
  return {
    title: ld.name,
    price: Number(ld.offers.price),
    currency: ld.offers.priceCurrency,
    brand: ld.brand.name,
    model: String(ld.model).normalize('NFKC').trim(),
    gtin: ld.gtin13 ?? null,
    ccc_numbers: props.filter((p) => p.propertyID === 'ccc').map((p) => p.value),
    licence_numbers: props.filter((p) => p.propertyID === 'production_licence').map((p) => p.value),
    seller: {
      seller_id: ld.offers.seller.identifier,
      name: ld.offers.seller.name,
      credit_code: ld.offers.seller.taxID,
      region_code: $('.seller-card .region-code').text(),
      address: ld.offers.seller.address.streetAddress,
    },
    producer: { name: ld.manufacturer?.name ?? null, address: ld.manufacturer?.address?.streetAddress ?? null },
  };
}

function fromSpa(json: string): Seen {
  const d = JSON.parse(json);
  return {
    title: d.title,
    price: d.price.amount,
    currency: d.price.currency,
    brand: d.brand,
    model: String(d.model).normalize('NFKC').trim(),
    gtin: d.gtin,
    ccc_numbers: d.certificates.map((c: { number: string }) => c.number),
    licence_numbers: d.licences.map((c: { number: string }) => c.number),
    seller: { seller_id: d.seller.id, name: d.seller.company, credit_code: d.seller.uscc, region_code: d.seller.region_code, address: d.seller.address },
    producer: d.producer,
  };
}

function fromSelfshop(html: string): Seen {
  const $ = cheerio.load(html);
  const product = $('[itemtype="https://schema.org/Product"]');
  const cell = (table: string, label: string): string[] =>
    $(`${table} tr`)
      .filter((_, tr) => $(tr).find('td.k').text() === label)
      .map((_, tr) => $(tr).find('td').eq(1).text())
      .get();
  const priceEl = product.find('[itemprop="price"]');
  const gtin = product.find('[itemprop="gtin13"]').text();
  return {
    title: product.find('[itemprop="name"]').first().text(),
    price: priceEl.attr('content') !== undefined ? Number(priceEl.attr('content')) : priceOf(priceEl.text()),
    currency: product.find('[itemprop="priceCurrency"]').attr('content') ?? '',
    brand: product.find('[itemprop="brand"] [itemprop="name"]').text(),
    model: product.find('[itemprop="model"]').text().normalize('NFKC').trim(),
    gtin: gtin === '' ? null : gtin,
    ccc_numbers: cell('table.params', 'CCC证书编号：').map(cccOf),
    licence_numbers: cell('table.params', '生产许可证：').map(licenceOf),
    seller: {
      seller_id: cell('table.shop-info', '店铺编号')[0] ?? '',
      name: cell('table.shop-info', '公司名称')[0] ?? '',
      credit_code: cell('table.shop-info', '统一社会信用代码')[0] ?? '',
      region_code: cell('table.shop-info', '所在地区代码')[0] ?? '',
      address: cell('table.shop-info', '注册地址')[0] ?? '',
    },
    producer: { name: cell('table.params', '生产厂家')[0] ?? null, address: cell('table.params', '厂家地址')[0] ?? null },
  };
}

function decode(r: { type: string; body: Buffer }): string {
  const cs = /charset=([\w-]+)/i.exec(r.type)?.[1]?.toLowerCase() ?? 'utf-8';
  return iconv.decode(r.body, cs);
}

let market: DemoMarket;
let twin: DemoMarket;
let other: DemoMarket;
beforeAll(async () => {
  [market, twin, other] = await Promise.all([
    startDemoMarket({ listings: LISTINGS, seed: SEED, problemRate: 0.4 }),
    startDemoMarket({ listings: LISTINGS, seed: SEED, problemRate: 0.4 }),
    startDemoMarket({ listings: LISTINGS, seed: SEED + 1, problemRate: 0.4 }),
  ]);
});
afterAll(async () => {
  await Promise.all([market?.close(), twin?.close(), other?.close()]);
});

const PATHS = [
  '/',
  '/bigmall/',
  '/bigmall/category/children_products?page=1',
  '/bigmall/item/10000000.html',
  '/bigmall/item/10000041.html',
  '/spa/item/sp2',
  '/spa/api/item/sp6',
  '/spa/api/list?page=1',
  '/shop/item/g3.html',
  '/shop/item/g7.html',
  '/shop/list?page=1',
  '/live/',
  '/live/room/8000',
  '/ref/certificates.ndjson',
  '/ref/licences.ndjson',
  '/ref/recalls.ndjson',
  '/ref/prohibited.ndjson',
];

/** Pages whose bytes do not depend on the seed: category counts, the SPA shell, the fixed prohibited list. */
const SEED_FREE = new Set(['/bigmall/', '/spa/item/sp2', '/ref/prohibited.ndjson']);

describe('determinism over HTTP', () => {
  it.each(PATHS)('%s: same seed -> same bytes; another seed -> other bytes', async (path) => {
    const [a, b, c] = await Promise.all([get(market.url + path), get(twin.url + path), get(other.url + path)]);
    expect(a.status).toBe(200);
    expect(b.body.equals(a.body)).toBe(true);
    expect(c.body.equals(a.body)).toBe(SEED_FREE.has(path));
  });
});

describe('pages show the ground truth', () => {
  it('every listing of a 100-listing market, on all three listing platforms', async () => {
    const seen = { bigmall: 0, spa_mall: 0, selfshop: 0, gbk: 0 };
    for (let i = 0; i < LISTINGS; i++) {
      const truth = market.groundTruth(i) as unknown as Seen & { platform: keyof typeof seen; url: string; listing_id: string };
      let got: Seen;
      if (truth.platform === 'bigmall') {
        got = fromBigmall(await text(truth.url));
      } else if (truth.platform === 'spa_mall') {
        const shell = cheerio.load(await text(truth.url));
        expect(shell('#app').text()).toBe('加载中…'); // nothing without a browser
        expect(shell.html()).not.toContain(truth.title);
        got = fromSpa(await text(`${market.url}/spa/api/item/${truth.listing_id}`));
      } else {
        const r = await get(truth.url);
        if (/gbk/i.test(r.type)) seen.gbk++;
        got = fromSelfshop(decode(r));
      }
      seen[truth.platform]++;
      expect(got, `${truth.url}`).toEqual({
        title: truth.title,
        price: truth.price,
        currency: truth.currency,
        brand: truth.brand,
        model: truth.model,
        gtin: truth.gtin,
        ccc_numbers: truth.ccc_numbers,
        licence_numbers: truth.licence_numbers,
        seller: truth.seller,
        producer: truth.producer,
      });
    }
    expect(seen.bigmall).toBe(50);
    expect(seen.spa_mall).toBe(25);
    expect(seen.selfshop).toBe(25);
    expect(seen.gbk).toBeGreaterThan(0);
  });

  it('GBK pages decode with iconv-lite to the same text as rendered', async () => {
    let checked = 0;
    for (let i = 3; i < LISTINGS; i += 4) {
      const l = listingAt(SEED, i, { problemRate: 0.4 });
      if (l.charset !== 'gbk') continue;
      const r = await get(market.url + l.path);
      expect(r.type).toBe('text/html; charset=GBK');
      const decoded = iconv.decode(r.body, 'gbk');
      expect(decoded).toBe(selfshopItem(l, SEED));
      expect(decoded).toContain('<meta charset="gbk">');
      expect(r.body.toString('utf8')).not.toContain(l.title); // really not UTF-8
      checked++;
    }
    expect(checked).toBeGreaterThan(2);
  });

  it('odd encodings occur on selfshop pages', async () => {
    const texts: string[] = [];
    for (let i = 3; i < 400; i += 4) texts.push(listingAt(SEED, i, { problemRate: 0.4 }).price_text, ...listingAt(SEED, i).ccc_display, ...listingAt(SEED, i).licence_display);
    const all = texts.join('\n');
    expect(all).toMatch(/￥[０-９]/);
    expect(all).toMatch(/到手价 [¥￥]\d+(\.\d+)?-\d+/);
    expect(all).toMatch(/\d,\d{3}/);
    expect(all).toMatch(/元/);
    expect(all).toMatch(/\d{4} \d{4} \d{4} \d{4}/);
    expect(all).toMatch(/No\.\d{16}/);
  });

  it('category pages paginate over every bigmall listing exactly once', async () => {
    const found: string[] = [];
    const home = cheerio.load(await text(`${market.url}/bigmall/`));
    const cats = home('ul.categories a').map((_, a) => home(a).attr('href')).get();
    expect(cats).toHaveLength(9);
    for (const first of cats) {
      let next: string | undefined = first;
      while (next) {
        const $ = cheerio.load(await text(market.url + next));
        found.push(...$('a.product-link').map((_, a) => $(a).attr('href')).get());
        next = $('a[rel="next"]').attr('href');
      }
    }
    const expected = Array.from({ length: LISTINGS }, (_, i) => listingAt(SEED, i).path).filter((p) => p.startsWith('/bigmall/'));
    expect(found.sort()).toEqual(expected.sort());
  });

  it('search pages list the bigmall listings whose title contains the query, paginated', async () => {
    const big = await startDemoMarket({ listings: 2000, seed: SEED });
    try {
      for (const [q, atLeast] of [['ange', 1], ['电风扇', 1], ['电', 40]] as const) {
        const found: string[] = [];
        let next: string | undefined = `/bigmall/search?q=${encodeURIComponent(q)}&page=1`;
        let pages = 0;
        while (next) {
          const $ = cheerio.load(await text(big.url + next));
          found.push(...$('a.product-link').map((_, a) => $(a).attr('href')).get());
          next = $('a[rel="next"]').attr('href');
          pages++;
        }
        const expected = Array.from({ length: 2000 }, (_, i) => listingAt(SEED, i))
          .filter((l) => l.platform === 'bigmall' && l.title.toLowerCase().includes(q))
          .map((l) => l.path);
        expect(expected.length).toBeGreaterThanOrEqual(atLeast);
        expect(found).toEqual(expected);
        expect(pages).toBe(Math.ceil(expected.length / 20));
      }
      const home = cheerio.load(await text(`${big.url}/bigmall/`));
      expect(home('a.hot-search').length).toBeGreaterThan(3);
    } finally {
      await big.close();
    }
  });

  it('the sitemap lists every listing and room', async () => {
    const index = await text(`${market.url}/sitemap.xml`);
    const maps = [...index.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1] as string);
    const urls: string[] = [];
    for (const m of maps) urls.push(...[...(await text(m)).matchAll(/<loc>([^<]+)<\/loc>/g)].map((x) => x[1] as string));
    expect(urls).toHaveLength(LISTINGS + market.roomCount);
    expect(urls).toContain(market.listingUrl(99));
    expect(urls).toContain(market.roomUrl(market.roomCount - 1));
    expect(await text(`${market.url}/robots.txt`)).toContain(`Sitemap: ${market.url}/sitemap.xml`);
  });

  it('/ground-truth.ndjson streams one line per listing and room, equal to groundTruth()', async () => {
    const lines = (await text(`${market.url}/ground-truth.ndjson`)).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(LISTINGS + market.roomCount);
    for (let i = 0; i < LISTINGS; i++) expect(lines[i]).toEqual(market.groundTruth(i));
    for (let r = 0; r < market.roomCount; r++) expect(lines[LISTINGS + r]).toEqual(market.roomTruth(r));
  });

  it('unknown ids and pages are 404', async () => {
    for (const p of ['/bigmall/item/10000100.html', '/bigmall/item/10000002.html', '/spa/api/item/sp3', '/shop/item/g2.html', '/live/room/9999', '/bigmall/category/nope?page=1', '/bigmall/category/textiles?page=99', '/nope']) {
      expect((await get(market.url + p)).status, p).toBe(404);
    }
  });
});

describe('reference files', () => {
  it.each([
    ['/ref/certificates.ndjson', Certificate],
    ['/ref/licences.ndjson', Licence],
    ['/ref/recalls.ndjson', Recall],
    ['/ref/prohibited.ndjson', ProhibitedItem],
  ] as const)('%s rows validate against the contract', async (path, schema) => {
    const rows = (await text(market.url + path)).trimEnd().split('\n');
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      const r = schema.safeParse(JSON.parse(row));
      expect(r.success, `${path}: ${row.slice(0, 120)} ${r.error?.message ?? ''}`).toBe(true);
    }
  });

  it('every certificate and licence a listing shows, except forged ones, is in the register', async () => {
    const certs = new Set((await text(`${market.url}/ref/certificates.ndjson`)).trimEnd().split('\n').map((l) => JSON.parse(l).number));
    const lics = new Set((await text(`${market.url}/ref/licences.ndjson`)).trimEnd().split('\n').map((l) => JSON.parse(l).number));
    let shown = 0;
    for (let i = 0; i < LISTINGS; i++) {
      const t = market.groundTruth(i) as { ccc_numbers: string[]; licence_numbers: string[]; problems: { kind: string }[] };
      const forged = t.problems.some((p) => p.kind === 'ccc_forged');
      for (const n of t.ccc_numbers) expect(certs.has(n)).toBe(!forged);
      const forgedLicence = t.problems.some((p) => p.kind === 'licence_forged');
      for (const n of t.licence_numbers) expect(lics.has(n)).toBe(!forgedLicence);
      shown += t.ccc_numbers.length + t.licence_numbers.length;
    }
    expect(shown).toBeGreaterThan(20);
  });
});

describe('livestream rooms over time', () => {
  it('the API state follows the clock: transcript and viewers per bucket, the card every two buckets', async () => {
    let clock = Date.UTC(2026, 5, 1, 20, 0, 0);
    const live = await startDemoMarket({ listings: 300, seed: 9, bucketMs: 1000, now: () => clock });
    try {
      expect(live.roomCount).toBe(6);
      const shell = cheerio.load(await text(live.roomUrl(2)));
      expect(shell('#card').text()).toBe(''); // rendered in the browser only
      expect(shell('.credit-code').text()).toBe((live.roomTruth(2) as { seller: { credit_code: string } }).seller.credit_code);
      const states = [];
      for (let k = 0; k < 8; k++) {
        states.push(JSON.parse(await text(`${live.url}/live/api/room/8002`)));
        clock += 1000;
      }
      const truth = live.roomTruth(2) as { cards: { listing_id: string; room_price: number; title: string }[] };
      for (const [k, s] of states.entries()) {
        const expected = roomStateAt(9, 2, Date.UTC(2026, 5, 1, 20, 0, 0) + k * 1000, { bucketMs: 1000 });
        expect(s.viewer_count).toBe(expected.viewer_count);
        expect(s.transcript).toEqual(expected.transcript);
        const card = truth.cards.find((c) => c.listing_id === s.card.listing_id);
        expect(card).toMatchObject({ room_price: s.card.price, title: s.card.title });
        if (k > 0) expect(s.transcript.at(-1)).not.toEqual(states[k - 1].transcript.at(-1));
      }
      expect(new Set(states.map((s) => s.card.listing_id)).size).toBe(4);
    } finally {
      await live.close();
    }
  });
});

describe('misbehaving endpoints and the access log', () => {
  it('/bad/500, /bad/truncated, /bad/huge, /bad/redirect-*', async () => {
    expect((await get(`${market.url}/bad/500`)).status).toBe(500);
    const t = (await get(`${market.url}/bad/truncated`)).body.toString('utf8');
    expect(t).not.toContain('</html>');
    expect(t).toMatch(/<span class="price">¥12$/);
    const huge = await get(`${market.url}/bad/huge`);
    expect(huge.body.length).toBe(HUGE_BYTES);
    const off = await fetch(`${market.url}/bad/redirect-offsite`, { redirect: 'manual' });
    expect(off.status).toBe(302);
    expect(new URL(off.headers.get('location') ?? '').hostname).toBe('localhost');
    // A client that follows it reaches this same server under another Host, and the access log shows that.
    market.accessLog.clear();
    const followed = await fetch(`${market.url}/bad/redirect-offsite`);
    expect(await followed.text()).toContain('off the allow-list');
    expect(market.accessLog.offAllowList(['127.0.0.1']).map((e) => [e.host, e.path])).toEqual([[`localhost:${market.port}`, '/offsite/landing']]);
    const inside = await fetch(`${market.url}/bad/redirect-internal`, { redirect: 'manual' });
    expect(inside.headers.get('location')).toBe('/bigmall/');
  });

  it('/bad/slow sends headers and then nothing in time; /bad/reset cuts the body', async () => {
    const res = await fetch(`${market.url}/bad/slow`, { signal: AbortSignal.timeout(800) });
    await expect(res.text()).rejects.toThrow();
    await expect(fetch(`${market.url}/bad/reset`).then((r) => r.text())).rejects.toThrow();
  });

  it('/bad/injection carries hostile field values in JSON-LD and in the page, never as markup', async () => {
    const html = await text(`${market.url}/bad/injection`);
    const $ = cheerio.load(html);
    const ld = JSON.parse($('script[type="application/ld+json"]').text());
    expect(ld.name).toBe(INJECTION_FIELDS.title);
    expect(ld.brand.name).toBe(INJECTION_FIELDS.brand);
    expect(ld.model).toBe(INJECTION_FIELDS.model);
    expect(ld.offers.seller.name).toBe(INJECTION_FIELDS.seller_name);
    expect($('h1.item-title').text()).toBe(INJECTION_FIELDS.title);
    expect($('img').length).toBe(0); // the <img onerror> is text, not an element
  });

  it('/bad/charset declares UTF-8 but sends GBK (and the reverse)', async () => {
    const r = await get(`${market.url}/bad/charset`);
    expect(r.type).toContain('utf-8');
    expect(r.body.toString('utf8')).not.toContain(CHARSET_TEXT);
    expect(iconv.decode(r.body, 'gbk')).toContain(CHARSET_TEXT);
    const r2 = await get(`${market.url}/bad/charset-gbk-declared`);
    expect(r2.type).toContain('gbk');
    expect(r2.body.toString('utf8')).toContain(CHARSET_TEXT);
  });

  it('records every request with its Host header; offAllowList finds foreign hosts', async () => {
    market.accessLog.clear();
    await get(`${market.url}/robots.txt`);
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: market.port, path: '/offsite/landing', headers: { host: `evil.example:${market.port}` } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    const entries = market.accessLog.entries();
    expect(entries.map((e) => [e.host, e.path, e.status])).toEqual([
      [`127.0.0.1:${market.port}`, '/robots.txt', 200],
      [`evil.example:${market.port}`, '/offsite/landing', 200],
    ]);
    expect(market.accessLog.offAllowList(['127.0.0.1']).map((e) => e.path)).toEqual(['/offsite/landing']);
    expect(market.accessLog.offAllowList(['127.0.0.1', 'evil.example'])).toEqual([]);
  });
});

describe('scale', () => {
  it('a 1M-listing market starts at once and serves listing 999999 and its ground truth', async () => {
    const t0 = performance.now();
    const big = await startDemoMarket({ listings: 1_000_000, seed: 1 });
    const startMs = performance.now() - t0;
    try {
      expect(startMs).toBeLessThan(2000);
      expect(big.roomCount).toBe(20_000);
      const truth = big.groundTruth(999_999) as { url: string; title: string };
      const r = await get(truth.url);
      expect(r.status).toBe(200);
      expect(fromSelfshop(decode(r)).title).toBe(truth.title);
      expect((await get(`${big.url}/shop/item/g1000003.html`)).status).toBe(404);
      expect((await get(big.roomUrl(19_999))).status).toBe(200);
    } finally {
      await big.close();
    }
  });
});
