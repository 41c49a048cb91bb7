import { describe, expect, it } from 'vitest';
import { emptyProduct } from '../../../crawlers/extract/product.ts';
import { listingIdFromUrl, toListingSnapshot } from '../../../crawlers/extract/snapshot.ts';
import { contentHash, snapshotId } from '../../../pipeline/contracts/index.ts';

const meta = { platform: 'bigmall', url: 'http://127.0.0.1:8080/bigmall/item/7', fetchedAt: new Date('2026-01-02T03:04:05.678Z'), httpStatus: 200, contentHash: contentHash('x'), crawlerKind: 'cheerio' as const };

describe('toListingSnapshot', () => {
  it('fills fetch metadata and the deterministic snapshot id', () => {
    const p = { ...emptyProduct('test'), listing_id: '7', title: 'T', price: 9.9, currency: 'CNY' };
    const r = toListingSnapshot(p, meta);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.snapshot).toMatchObject({ platform: 'bigmall', listing_id: '7', url: meta.url, fetched_at: '2026-01-02T03:04:05.678Z', http_status: 200, crawler_kind: 'cheerio', price: 9.9, currency: 'CNY' });
    expect(r.snapshot.snapshot_id).toBe(snapshotId('bigmall', '7', meta.contentHash));
    expect(r.snapshot.seller).toMatchObject({ seller_id: '127.0.0.1:8080', name: '127.0.0.1:8080' });
  });

  it.each([
    ['forged credit code kept as shown, field null', { seller: { seller_id: 's', name: 'S', credit_code: 'NOT-A-CODE', region_code: '12345', address: null } }, (s: Record<string, any>) => {
      expect(s.seller.credit_code).toBeNull();
      expect(s.seller.region_code).toBeNull();
      expect(s.attributes.seller_credit_code_as_shown).toBe('NOT-A-CODE');
    }],
    ['overlong title truncated', { title: 'x'.repeat(5000) }, (s: Record<string, any>) => expect(s.title.length).toBe(2000)],
    ['non-http images dropped', { images: ['javascript:alert(1)', 'https://a.example/i.jpg'] }, (s: Record<string, any>) => expect(s.images).toEqual(['https://a.example/i.jpg'])],
    ['bad currency and gtin dropped', { currency: 'yuan', gtin: '12ab' }, (s: Record<string, any>) => expect([s.currency, s.gtin]).toEqual([null, null])],
    ['control characters out of listing ids', { listing_id: 'a\u0000b' }, (s: Record<string, any>) => expect(s.listing_id).toBe('a b')],
  ])('%s', (_name, patch, check) => {
    const r = toListingSnapshot({ ...emptyProduct('test'), listing_id: '1', ...patch } as never, meta);
    expect(r.ok).toBe(true);
    if (r.ok) check(r.snapshot as unknown as Record<string, any>);
  });

  it('derives a stable listing id from the URL when the page shows none', () => {
    const r = toListingSnapshot(emptyProduct('test'), meta);
    expect(r.ok && r.snapshot.listing_id).toBe(listingIdFromUrl(meta.url));
    expect(listingIdFromUrl('http://a/x#frag')).toBe(listingIdFromUrl('http://a/x'));
  });

  it('reports a value the contract rejects, naming the field', () => {
    const r = toListingSnapshot({ ...emptyProduct('test'), listing_id: '1' }, { ...meta, platform: 'Not Snake' });
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && r.error).toMatch(/platform/);
  });
});
