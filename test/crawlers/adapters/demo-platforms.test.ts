// The bigmall and selfshop adapters on pages rendered by the demo marketplace's own renderers (no server):
// every field the ground truth names must come back equal. spa_mall and livebuy render in the browser and are
// covered by the crawl integration test.
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { bigmallItem } from '../../../crawlers/demo-market/platforms/bigmall.ts';
import type { PageContext } from '../../../crawlers/demo-market/platforms/layout.ts';
import { selfshopItem } from '../../../crawlers/demo-market/platforms/selfshop.ts';
import { listingAt, listingTruth, platformOf } from '../../../crawlers/demo-market/listings.ts';
import { adapterDefinitionFor } from '../../../crawlers/adapters/index.ts';
import { extractPage } from '../../../crawlers/extract/index.ts';

const SEED = 11;
const ctx: PageContext = { seed: SEED, listings: 400, rooms: 0, clean: false, problemRate: undefined, bucketMs: 3000 };
const BASE = 'http://127.0.0.1:18999';

const indices = Array.from({ length: 400 }, (_, i) => i).filter((i) => platformOf(i) !== 'spa_mall');

describe('demo platform adapters against the ground truth', () => {
  it('routes URLs to the adapter of their platform', () => {
    expect(adapterDefinitionFor(`${BASE}/bigmall/item/10000000.html`)?.name).toBe('bigmall');
    expect(adapterDefinitionFor(`${BASE}/spa/item/sp2`)?.name).toBe('spa_mall');
    expect(adapterDefinitionFor(`${BASE}/shop/item/g3.html`)?.name).toBe('selfshop');
    expect(adapterDefinitionFor(`${BASE}/live/room/8000`)?.name).toBe('livebuy');
    expect(adapterDefinitionFor(`${BASE}/elsewhere`)).toBeNull();
    expect(adapterDefinitionFor('https://shop.example.com/bigmall/item/1.html')).toBeNull();
  });

  it.each(indices)('listing %i', (i) => {
    const l = listingAt(SEED, i, {});
    const truth = listingTruth(l, BASE) as Record<string, any>;
    const html = l.platform === 'bigmall' ? bigmallItem(l, ctx) : selfshopItem(l, SEED);
    const bytes = l.charset === 'gbk' ? iconv.encode(html, 'gbk') : Buffer.from(html, 'utf8');
    const r = extractPage({ bytes, url: truth.url, contentType: `text/html; charset=${l.charset}` });
    expect(r.extractor).toBe(l.platform);
    expect(r.products).toHaveLength(1);
    const p = r.products[0]!;
    expect({
      listing_id: p.listing_id,
      title: p.title,
      price: p.price,
      currency: p.currency,
      brand: p.brand,
      model: p.model,
      ccc_numbers: p.ccc_numbers,
      licence_numbers: p.licence_numbers,
      credit_code: p.seller?.credit_code,
      region_code: p.seller?.region_code,
      seller_id: p.seller?.seller_id,
      producer: p.producer,
    }).toEqual({
      listing_id: truth.listing_id,
      title: truth.title,
      price: truth.price,
      currency: truth.currency,
      brand: truth.brand,
      model: truth.model,
      ccc_numbers: truth.ccc_numbers,
      licence_numbers: truth.licence_numbers,
      credit_code: truth.seller.credit_code,
      region_code: truth.seller.region_code,
      seller_id: truth.seller.seller_id,
      producer: truth.producer,
    });
  });
});
