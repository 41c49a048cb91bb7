// ListingSnapshot: one fetched product listing page, as the crawlers publish it on the listings topic
// (key = platform:listing_id). Parsed with zod where bytes enter (crawler output, Kafka consumer); inside
// the pipeline the inferred type is trusted. Maps 1:1 (flattened) to the ClickHouse table listing_snapshots.
import { z } from 'zod';
import {
  LIMITS,
  boundedText,
  categoryId,
  contentHash,
  currency,
  externalId,
  httpUrl,
  isoDateTime,
  nonEmptyText,
  regionCode,
  schemaVersion,
  sha256Hex,
  snakeId,
  stableId,
  stringList,
  usccShape,
} from './common.ts';

export { contentHash };

export const crawlerKind = z.enum(['cheerio', 'playwright', 'api', 'file', 'sample']);
export type CrawlerKind = z.infer<typeof crawlerKind>;

const price = z.number().min(0).max(1e12);

export const Seller = z.strictObject({
  seller_id: externalId,
  name: nonEmptyText(LIMITS.name),
  credit_code: usccShape.nullable(),
  region_code: regionCode.nullable(),
  address: boundedText(LIMITS.name).nullable(),
});
export type Seller = z.infer<typeof Seller>;

export const Producer = z.strictObject({
  name: boundedText(LIMITS.name).nullable(),
  address: boundedText(LIMITS.name).nullable(),
});

export const ListingSnapshot = z.strictObject({
  schema_version: schemaVersion,
  /**
   * snapshotId(platform, listing_id, content_hash): the same page content gives the same id. Not checked by
   * the schema (JSON Schema can't express it, and other languages validate with that): the ingest stage
   * recomputes it.
   */
  snapshot_id: sha256Hex,
  platform: snakeId,
  listing_id: externalId,
  url: httpUrl,
  fetched_at: isoDateTime,
  http_status: z.number().int().min(100).max(599),
  /** sha256 hex of the raw page bytes as fetched. */
  content_hash: sha256Hex,
  crawler_kind: crawlerKind,
  title: boundedText(LIMITS.title),
  /** Price shown to buyers, in `currency`; null when the page shows none. */
  price: price.nullable(),
  currency: currency.nullable(),
  original_price: price.nullable(),
  /** The price as shown, e.g. '¥199起'. */
  price_text: boundedText(LIMITS.name).nullable(),
  brand: boundedText(LIMITS.name).nullable(),
  model: boundedText(LIMITS.name).nullable(),
  /** Key product category id (reference catalogue), e.g. 'power_bank'. */
  category: categoryId.nullable(),
  gtin: z.string().regex(/^\d{8,14}$/, 'expected 8 to 14 digits').nullable(),
  /** CCC certificate numbers as shown on the page (not validated: a malformed number is a finding). */
  ccc_numbers: stringList(LIMITS.shortList, 64),
  /** Production licence numbers as shown (not validated, same reason). */
  licence_numbers: stringList(LIMITS.shortList, 64),
  seller: Seller,
  producer: Producer,
  attributes: z
    .record(z.string().min(1).max(LIMITS.attributeKey), boundedText(LIMITS.attributeValue))
    .refine((r) => Object.keys(r).length <= LIMITS.attributes, `at most ${LIMITS.attributes} attributes`),
  images: z.array(httpUrl).max(LIMITS.shortList),
});
export type ListingSnapshot = z.infer<typeof ListingSnapshot>;

/** Deterministic snapshot id: sha256 hex of platform|listing_id|content_hash (see stableId). */
export function snapshotId(platform: string, listingId: string, contentHashHex: string): string {
  return stableId(platform, listingId, contentHashHex);
}
