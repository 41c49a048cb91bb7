// ExtractedProduct + fetch metadata -> a validated ListingSnapshot. Untrusted text is bounded here (the
// contract's limits), values that don't fit the contract's shape are set to null and kept verbatim in
// attributes (a forged credit code is evidence, not a reason to lose the listing).
// In: one product, where and when it was fetched. Out: { ok: snapshot } or { error naming the field }.
import { createHash } from 'node:crypto';
import { LIMITS, truncateText } from '../../pipeline/contracts/common.ts';
import { ListingSnapshot, snapshotId, type CrawlerKind } from '../../pipeline/contracts/listing-snapshot.ts';
import { compileValidator } from '../../pipeline/runtime/validator.ts';
import { LivestreamSnapshot, livestreamSnapshotId } from '../../pipeline/contracts/livestream-snapshot.ts';
import type { RoomSample } from '../adapters/types.ts';
import type { ExtractedProduct } from './product.ts';

// zod re-creates every object it parses; the runtime's compiled accept-path says yes without the copy (and
// is never laxer than zod: a no goes to zod for the error).
const accepts = compileValidator(ListingSnapshot);

export interface FetchMeta {
  platform: string;
  url: string;
  fetchedAt: Date;
  httpStatus: number;
  contentHash: string;
  crawlerKind: CrawlerKind;
}

export type SnapshotResult = { ok: true; snapshot: ListingSnapshot } | { ok: false; error: string };

const USCC = /^[0-9A-HJ-NP-RTUW-Y]{18}$/;
const REGION = /^\d{6}$/;
const CATEGORY = /^[a-z0-9][a-z0-9_]{0,63}$/;

function bounded(s: string | null | undefined, max: number): string | null {
  if (s == null) return null;
  return s.length <= max ? s : truncateText(s, max);
}

function idText(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, ' ').trim().slice(0, LIMITS.id);
}

/** Listing id when the page shows none: derived from the product URL (stable across fetches). */
export function listingIdFromUrl(url: string): string {
  return 'u' + createHash('sha256').update(url.replace(/#.*$/, '')).digest('hex').slice(0, 24);
}

function isHttpUrl(s: string): boolean {
  if (s.length > LIMITS.url) return false;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export function toListingSnapshot(p: ExtractedProduct, meta: FetchMeta): SnapshotResult {
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.attributes)) {
    if (Object.keys(attributes).length >= LIMITS.attributes - 2) break;
    const key = k.slice(0, LIMITS.attributeKey);
    if (key !== '') attributes[key] = bounded(v, LIMITS.attributeValue)!;
  }
  const host = (() => {
    try {
      return new URL(meta.url).host;
    } catch {
      return 'unknown';
    }
  })();
  const s = p.seller;
  let creditCode = s?.credit_code ?? null;
  if (creditCode !== null && !USCC.test(creditCode)) {
    attributes['seller_credit_code_as_shown'] = bounded(creditCode, LIMITS.attributeValue)!;
    creditCode = null;
  }
  const listingId = idText(p.listing_id ?? '') || listingIdFromUrl(p.url ?? meta.url);
  const candidate = {
    schema_version: 1 as const,
    snapshot_id: snapshotId(meta.platform, listingId, meta.contentHash),
    platform: meta.platform,
    listing_id: listingId,
    url: meta.url,
    fetched_at: meta.fetchedAt.toISOString(),
    http_status: meta.httpStatus,
    content_hash: meta.contentHash,
    crawler_kind: meta.crawlerKind,
    title: bounded(p.title, LIMITS.title) ?? '',
    price: p.price !== null && Number.isFinite(p.price) && p.price >= 0 && p.price <= 1e12 ? p.price : null,
    currency: p.currency !== null && /^[A-Z]{3}$/.test(p.currency) ? p.currency : null,
    original_price: p.original_price !== null && p.original_price >= 0 && p.original_price <= 1e12 ? p.original_price : null,
    price_text: bounded(p.price_text, LIMITS.name),
    brand: bounded(p.brand, LIMITS.name),
    model: bounded(p.model, LIMITS.name),
    category: p.category !== null && CATEGORY.test(p.category) ? p.category : null,
    gtin: p.gtin !== null && /^\d{8,14}$/.test(p.gtin) ? p.gtin : null,
    ccc_numbers: p.ccc_numbers.slice(0, LIMITS.shortList).map((c) => c.slice(0, 64)),
    licence_numbers: p.licence_numbers.slice(0, LIMITS.shortList).map((c) => c.slice(0, 64)),
    seller: {
      seller_id: idText(s?.seller_id ?? '') || host,
      name: bounded(s?.name, LIMITS.name) || host,
      credit_code: creditCode,
      region_code: s?.region_code != null && REGION.test(s.region_code) ? s.region_code : null,
      address: bounded(s?.address, LIMITS.name),
    },
    producer: { name: bounded(p.producer.name, LIMITS.name), address: bounded(p.producer.address, LIMITS.name) },
    attributes,
    images: p.images.filter(isHttpUrl).slice(0, LIMITS.shortList),
  };
  if (accepts(candidate)) return { ok: true, snapshot: candidate as ListingSnapshot };
  const parsed = ListingSnapshot.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: `listing ${listingId}: ${issue.path.join('.') || '(root)'}: ${issue.message}` };
  }
  return { ok: true, snapshot: parsed.data };
}

/**
 * One sample of a livestream room -> a LivestreamSnapshot (browser-rendered; `fresh` = the transcript lines not seen
 * in the room's earlier samples, the last 1,000 kept), or the first contract issue naming the field.
 */
export function toLivestreamSnapshot(
  platform: string,
  sample: RoomSample,
  meta: { url: string; fetchedAt: Date; seq: number; contentHash: string; fresh: RoomSample['transcript'] },
): { ok: true; snapshot: LivestreamSnapshot } | { ok: false; error: string } {
  const parsed = LivestreamSnapshot.safeParse({
    schema_version: 1,
    snapshot_id: livestreamSnapshotId(platform, sample.room_id, meta.seq, meta.contentHash),
    platform,
    room_id: sample.room_id,
    url: meta.url,
    fetched_at: meta.fetchedAt.toISOString(),
    sampled_seq: meta.seq,
    host: sample.host,
    viewer_count: sample.viewer_count,
    product: sample.product,
    transcript: meta.fresh.slice(-1000),
    content_hash: meta.contentHash,
    crawler_kind: 'playwright',
  });
  if (parsed.success) return { ok: true, snapshot: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, error: `room ${sample.room_id} sample ${meta.seq}: ${issue.path.join('.')}: ${issue.message}` };
}
