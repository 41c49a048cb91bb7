// Pure generators of the demo marketplace: determinism, problem rates, clean-mode invariants, consistency of
// each injected problem with the registers, livestream state over time.
import { describe, expect, it } from 'vitest';
import { catalogueFor } from '../../../crawlers/demo-market/catalogue.ts';
import {
  JUMP_FACTOR_RANGE,
  LISTING_PROBLEM_KINDS,
  PREVIOUS_CRAWL_SHARE,
  PRIMARY_PROBLEM_KINDS,
  indexOfListingId,
  listingAt,
  listingIdOf,
  platformOf,
  previousListing,
  sellerAt,
  type Listing,
} from '../../../crawlers/demo-market/listings.ts';
import { REGIONS } from '../../../crawlers/demo-market/regions.ts';
import { referenceFor } from '../../../crawlers/demo-market/reference.ts';
import { ABSOLUTE_TERMS, CARD_BUCKETS, roomAt, roomCountFor, roomStateAt } from '../../../crawlers/demo-market/rooms.ts';
import { validateUscc } from '../../../crawlers/demo-market/uscc.ts';
import { categoryId } from '../../../pipeline/contracts/common.ts';
import { Producer, Seller } from '../../../pipeline/contracts/listing-snapshot.ts';
import { ProductCard } from '../../../pipeline/contracts/livestream-snapshot.ts';

const N = 4000;
const regionCodes = new Set(REGIONS.map((r) => r.code));
const all = (seed: number, opts = {}): Listing[] => Array.from({ length: N }, (_, i) => listingAt(seed, i, opts));

describe('determinism', () => {
  it('same (seed, i) gives the same listing, in any order', () => {
    const forward = all(5).map((l) => JSON.stringify(l));
    const backward = Array.from({ length: N }, (_, k) => JSON.stringify(listingAt(5, N - 1 - k))).reverse();
    expect(backward).toEqual(forward);
  });

  it('a different seed gives different listings', () => {
    const a = all(5);
    const b = all(6);
    const same = a.filter((l, i) => JSON.stringify(l) === JSON.stringify(b[i])).length;
    expect(same).toBe(0);
  });

  it('listing 999999 and 10^9 are generated without the ones before', () => {
    expect(listingAt(1, 999_999).listing_id).toBe('g999999');
    expect(listingAt(1, 1e9).platform).toBe(platformOf(1e9));
  });

  it.each([0, 1, 2, 3, 4, 999_999, 123_456_789])('listing id of %i maps back to its index', (i) => {
    expect(indexOfListingId(platformOf(i), listingIdOf(i))).toBe(i);
  });

  it.each([
    ['bigmall', 'sp2'],
    ['spa_mall', '10000002'],
    ['selfshop', 'g4'],
    ['bigmall', '10000002'],
    ['selfshop', 'g01'],
    ['spa_mall', 'sp-1'],
  ] as const)('%s rejects id %s', (p, id) => expect(indexOfListingId(p, id)).toBeNull());
});

describe('problem injection', () => {
  it.each([0.05, 0.2, 0.5])('share of listings with a problem of the main draw is near the rate %f', (rate) => {
    const primary = new Set<string>(PRIMARY_PROBLEM_KINDS);
    const n = all(11, { problemRate: rate }).filter((l) => l.problems.some((p) => primary.has(p.kind))).length;
    const sd = Math.sqrt(N * rate * (1 - rate));
    expect(Math.abs(n - N * rate)).toBeLessThan(4 * sd);
  });

  it('every listing problem kind occurs', () => {
    const kinds = new Set(all(11, { problemRate: 0.5 }).flatMap((l) => l.problems.map((p) => p.kind)));
    expect([...kinds].sort()).toEqual([...LISTING_PROBLEM_KINDS].sort());
  });

  it('a listing carries at most one problem (secondary ones only where the main draw left none)', () => {
    for (const l of all(11, { problemRate: 0.6 })) expect(l.problems.length).toBeLessThanOrEqual(1);
  });

  it('clean mode injects nothing, in listings and rooms', () => {
    expect(all(11, { clean: true, problemRate: 1 }).filter((l) => l.problems.length).length).toBe(0);
    for (let r = 0; r < 200; r++) expect(roomAt(11, r, { clean: true, problemRate: 1 }).problems).toEqual([]);
  });

  it('problems are consistent with the registers', () => {
    const ref = referenceFor(11);
    const cert = new Map(ref.certificates.map((c) => [c.number, c]));
    const recalls = new Map(ref.recalls.map((r) => [r.recall_id, r]));
    const prohibited = new Set(ref.prohibited.map((p) => p.item_id));
    const cat = catalogueFor(11);
    const byId = new Map(cat.products.map((p) => [p.product_id, p]));
    for (const l of all(11, { problemRate: 0.6 })) {
      for (const p of l.problems) {
        const d = p.detail as Record<string, unknown>;
        switch (p.kind) {
          case 'price_far_below':
            expect(l.price / l.reference_median).toBeLessThan(0.4);
            break;
          case 'price_low':
            expect(l.price / l.reference_median).toBeGreaterThanOrEqual(0.5);
            expect(l.price / l.reference_median).toBeLessThan(0.75);
            break;
          case 'ccc_forged':
            expect(cert.has(d.number as string)).toBe(false);
            expect(l.ccc_numbers).toEqual([d.number]);
            expect(d.number).toMatch(/^\d{16}$/);
            break;
          case 'ccc_expired':
          case 'ccc_revoked':
          case 'ccc_suspended':
            expect(cert.get(d.number as string)?.status).toBe(p.kind.slice(4));
            break;
          case 'ccc_out_of_scope': {
            const c = cert.get(d.number as string);
            expect(c?.status).toBe('valid');
            expect(c?.category_code).not.toBe(byId.get(l.product_id)?.type.ccc);
            break;
          }
          case 'ccc_missing':
            expect(l.ccc_numbers).toEqual([]);
            expect(byId.get(l.product_id)?.type.ccc).toMatch(/^\d{4}$/);
            break;
          case 'recalled_model': {
            const r = recalls.get(d.recall_id as string);
            expect(r?.models).toContain(l.model_canonical);
            const squash = (s: string) => s.normalize('NFKC').toUpperCase().replace(/[^0-9A-Z]/g, '');
            expect(squash(l.model)).toContain(squash(l.model_canonical));
            break;
          }
          case 'prohibited_item':
            expect(prohibited.has(d.item_id as string)).toBe(true);
            expect(l.title).toContain(d.keyword as string);
            break;
          case 'three_no':
            expect(l.producer.name === null || l.producer.address === null).toBe(true);
            break;
          case 'licence_forged': {
            const core = (n: string) => n.replace(/^\([^)]*\)/, '');
            expect(l.licence_numbers).toEqual([d.number]);
            expect(ref.licences.some((x) => core(x.number) === d.number)).toBe(false);
            expect(d.number).toMatch(/^XK\d\d-\d{3}-\d{5}$/);
            const t = byId.get(l.product_id)!.type.licence!;
            expect((d.number as string).slice(2, 8)).toBe(`${t.industry}-${t.product}`);
            break;
          }
          case 'licence_missing':
            expect(l.licence_numbers).toEqual([]);
            expect(byId.get(l.product_id)?.type.licence).not.toBeNull();
            break;
          case 'licence_expired':
          case 'licence_revoked':
          case 'licence_suspended':
          case 'licence_product_mismatch': {
            const product = byId.get(l.product_id)!;
            const x = ref.licences.find((r) => r.number === d.number);
            expect(l.licence_numbers).toEqual([d.number]);
            // The maker's own licence: only the status or the product is wrong, not the holder.
            expect(x?.holder).toBe(product.manufacturer.name);
            const t = product.type.licence!;
            if (p.kind === 'licence_product_mismatch') {
              expect(x?.status).toBe('valid');
              expect(x?.product).not.toBe(product.type.zh);
              expect((d.number as string).replace(/^\([^)]*\)/, '').slice(2, 4)).not.toBe(t.industry);
            } else {
              expect(x?.status).toBe(p.kind.slice('licence_'.length));
              expect(x?.product).toBe(product.type.zh);
              expect((d.number as string).replace(/^\([^)]*\)/, '').slice(2, 8)).toBe(`${t.industry}-${t.product}`);
            }
            break;
          }
          case 'ccc_holder_mismatch':
          case 'ccc_model_not_covered': {
            const product = byId.get(l.product_id)!;
            const c = cert.get(d.number as string);
            expect(l.ccc_numbers).toEqual([d.number]);
            expect(c).toMatchObject({ status: 'valid', category_code: product.type.ccc });
            const squash = (m: string) => m.toUpperCase().replace(/[^0-9A-Z]/g, '');
            if (p.kind === 'ccc_holder_mismatch') {
              expect(c!.models).toContain(l.model);
              for (const party of [c!.holder, c!.manufacturer, c!.factory]) {
                expect(party.includes(product.manufacturer.name) || product.manufacturer.name.includes(party)).toBe(false);
                expect(party).not.toContain(product.brand.zh);
              }
            } else {
              expect(c!.holder).toBe(product.manufacturer.name);
              for (const m of c!.models) {
                expect(squash(m).startsWith(squash(l.model)) || squash(l.model).startsWith(squash(m))).toBe(false);
              }
            }
            break;
          }
          case 'price_jump': {
            const prev = l.previous_price!;
            const factor = Math.max(l.price / prev, prev / l.price);
            expect(factor).toBeGreaterThanOrEqual(3);
            expect(factor).toBeLessThanOrEqual(JUMP_FACTOR_RANGE[1] + 0.1);
            // The normal one of the two prices is in the product's range: a jump, never also "far below".
            const normal = Math.min(l.price, prev);
            expect(normal).toBeGreaterThanOrEqual(byId.get(l.product_id)!.min);
            expect(normal).toBeLessThanOrEqual(byId.get(l.product_id)!.max);
            expect(d).toMatchObject({ previous_price: prev, price: l.price, direction: l.price > prev ? 'up' : 'down' });
            break;
          }
          default:
            throw new Error(`unexpected kind ${p.kind}`);
        }
      }
    }
  });

  it('clean listings are inside the reasonable range and show a valid, in-scope, registered certificate', () => {
    const ref = referenceFor(12);
    const cert = new Map(ref.certificates.map((c) => [c.number, c]));
    const recalled = new Set(ref.recalls.flatMap((r) => r.models));
    const byId = new Map(catalogueFor(12).products.map((p) => [p.product_id, p]));
    for (const l of all(12, { clean: true })) {
      const p = byId.get(l.product_id);
      expect(p, l.product_id).toBeDefined();
      expect(l.price).toBeGreaterThanOrEqual(p!.min);
      expect(l.price).toBeLessThanOrEqual(p!.max);
      expect(recalled.has(l.model)).toBe(false);
      expect(l.producer.name).not.toBeNull();
      expect(l.producer.address).not.toBeNull();
      if (p!.type.ccc) {
        expect(l.ccc_numbers).toHaveLength(1);
        const c = cert.get(l.ccc_numbers[0]!);
        expect(c).toMatchObject({ status: 'valid', category_code: p!.type.ccc });
        expect(c!.models).toContain(l.model);
      } else expect(l.ccc_numbers).toEqual([]);
    }
  });
});

describe('previous crawl', () => {
  it('about PREVIOUS_CRAWL_SHARE of listings (and every price jump) had one; ordinary re-pricing never looks like a jump', () => {
    const ls = all(11, { problemRate: 0.4 });
    const jumps = ls.filter((l) => l.problems.some((p) => p.kind === 'price_jump'));
    expect(jumps.length).toBeGreaterThan(20);
    for (const l of jumps) expect(l.previous_price).not.toBeNull();
    const others = ls.filter((l) => !jumps.includes(l));
    const share = others.filter((l) => l.previous_price !== null).length / others.length;
    expect(Math.abs(share - PREVIOUS_CRAWL_SHARE)).toBeLessThan(0.03);
    const byId = new Map(catalogueFor(11).products.map((p) => [p.product_id, p]));
    let changed = 0;
    for (const l of others) {
      if (l.previous_price === null) continue;
      expect(Math.max(l.price / l.previous_price, l.previous_price / l.price)).toBeLessThan(2);
      const low = l.problems.some((p) => p.kind === 'price_far_below' || p.kind === 'price_low');
      if (low) expect(l.previous_price).toBe(l.price);
      const product = byId.get(l.product_id);
      if (!low && product && l.previous_price !== l.price) {
        changed++;
        expect(l.previous_price).toBeGreaterThanOrEqual(product.min);
        expect(l.previous_price).toBeLessThanOrEqual(product.max);
      }
    }
    expect(changed).toBeGreaterThan(50);
  });

  it('clean listings have previous crawls too, none a jump', () => {
    const ls = all(11, { clean: true });
    expect(ls.filter((l) => l.previous_price !== null).length).toBeGreaterThan(N * 0.2);
    for (const l of ls) if (l.previous_price !== null) expect(Math.max(l.price / l.previous_price, l.previous_price / l.price)).toBeLessThan(2);
  });

  it('previousListing shows the previous price in the platform\'s own price style; nothing else changes', () => {
    const l = all(11, { problemRate: 0.4 }).find((x) => x.platform === 'selfshop' && x.problems.some((p) => p.kind === 'price_jump'))!;
    const prev = previousListing(l)!;
    expect(prev.price).toBe(l.previous_price);
    expect(prev.price_text).not.toBe(l.price_text);
    expect({ ...prev, price: l.price, price_text: l.price_text }).toEqual(l);
    expect(previousListing({ ...l, previous_price: null })).toBeNull();
  });
});

describe('sellers', () => {
  it('every seller has a valid credit code whose region is its real GB/T 2260 region', () => {
    for (let j = 0; j < 5000; j++) {
      const s = sellerAt(3, j);
      const v = validateUscc(s.credit_code);
      expect(v, s.credit_code).toMatchObject({ ok: true, region: s.region_code });
      expect(regionCodes.has(s.region_code)).toBe(true);
      expect(s.address.length).toBeGreaterThan(6);
    }
  });
});

describe('livestream rooms', () => {
  const BUCKET = 3000;
  const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);

  it('room count follows the listing count', () => {
    expect(roomCountFor(100)).toBe(2);
    expect(roomCountFor(300)).toBe(6);
    expect(roomCountFor(1_000_000)).toBe(20_000);
    expect(roomCountFor(3)).toBe(0);
  });

  it('state is a pure function of (seed, room, bucket)', () => {
    expect(roomStateAt(4, 1, t0 + 10)).toEqual({ ...roomStateAt(4, 1, t0 + 10) });
    const a = roomStateAt(4, 1, t0 + 2 * BUCKET + 2999);
    const b = roomStateAt(4, 1, t0 + 2 * BUCKET + 2999);
    expect(a).toEqual(b);
  });

  it('viewers and transcript change every bucket; the product card every CARD_BUCKETS buckets', () => {
    const states = Array.from({ length: 12 }, (_, k) => roomStateAt(4, 0, t0 + k * BUCKET + 2999));
    for (let k = 1; k < states.length; k++) {
      expect(states[k]!.transcript.at(-1)).not.toEqual(states[k - 1]!.transcript.at(-1));
    }
    const viewers = new Set(states.map((s) => s.viewer_count));
    expect(viewers.size).toBeGreaterThan(6);
    const cards = states.map((s) => s.card.listing_id);
    const changes = cards.filter((c, k) => k > 0 && c !== cards[k - 1]).length;
    expect(changes).toBe(Math.floor(12 / CARD_BUCKETS) - (states[0]!.bucket % CARD_BUCKETS === 0 ? 1 : 0));
    // A sampler polling every bucket for 3 samples sees at least two product cards.
    for (let start = 0; start < 8; start++) {
      expect(new Set(cards.slice(start, start + 3)).size).toBeGreaterThanOrEqual(2);
    }
  });

  it('transcript never holds lines from the future', () => {
    for (let k = 0; k < 30; k++) {
      const t = t0 + k * 137;
      for (const line of roomStateAt(4, 0, t).transcript) expect(Date.parse(line.at)).toBeLessThanOrEqual(t);
    }
  });

  it('claiming rooms say an absolute term in every bucket; clean rooms never', () => {
    const terms = ABSOLUTE_TERMS.map((a) => a.term);
    let claimRooms = 0;
    let mismatchRooms = 0;
    for (let r = 0; r < 100; r++) {
      const room = roomAt(8, r, { problemRate: 0.5 });
      const kinds = room.problems.map((p) => p.kind);
      for (let k = 0; k < 5; k++) {
        const s = roomStateAt(8, room, t0 + k * BUCKET + 2999);
        const said = s.transcript.filter((l) => terms.some((t) => l.text.includes(t)));
        if (kinds.includes('absolute_claim')) expect(said.length).toBeGreaterThan(0);
        else expect(said).toEqual([]);
        const c = s.card;
        if (kinds.includes('room_price_mismatch')) expect(c.room_price).not.toBe(c.listing_price);
        else expect(c.room_price).toBe(c.listing_price);
        expect(c.listing_price).toBe(listingAt(8, c.listing_index, { problemRate: 0.5 }).price);
      }
      if (kinds.includes('absolute_claim')) claimRooms++;
      if (kinds.includes('room_price_mismatch')) mismatchRooms++;
    }
    expect(claimRooms).toBeGreaterThan(10);
    expect(mismatchRooms).toBeGreaterThan(10);
  });
});

describe('ground truth fits the wire contracts', () => {
  it('seller, producer, category, gtin and numbers of listings fit ListingSnapshot fields', () => {
    for (const l of all(13, { problemRate: 0.5 })) {
      expect(Seller.safeParse(l.seller).success).toBe(true);
      expect(Producer.safeParse(l.producer).success).toBe(true);
      expect(categoryId.safeParse(l.category).success, l.category).toBe(true);
      if (l.gtin !== null) expect(l.gtin).toMatch(/^\d{13}$/);
      for (const n of l.ccc_numbers) expect(n).toMatch(/^\d{16}$/);
      for (const n of l.licence_numbers) expect(n).toMatch(/^(?:\([\u4e00-\u9fff]\))?XK\d{2}-\d{3}-\d{5}$/u);
      expect(l.currency).toBe('CNY');
    }
  });

  it('a room card maps onto the ProductCard contract', () => {
    for (let r = 0; r < 50; r++) {
      const c = roomStateAt(13, r, Date.UTC(2026, 0, 1)).card;
      const card = { listing_id: c.listing_id, title: c.title, price: c.room_price, currency: 'CNY', claimed_price_text: c.claimed_price_text, claimed_discount: c.claimed_discount, ccc_numbers: c.ccc_numbers, brand: c.brand, model: c.model };
      expect(ProductCard.safeParse(card).success).toBe(true);
    }
  });
});
