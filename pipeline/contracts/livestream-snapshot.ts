// LivestreamSnapshot: one sample of a livestream selling room (host, viewers, the product card on screen,
// the transcript since the previous sample), published on the livestreams topic (key = platform:room_id).
// Maps (flattened) to the ClickHouse table livestream_snapshots.
import { z } from 'zod';
import {
  LIMITS,
  boundedText,
  currency,
  externalId,
  httpUrl,
  isoDateTime,
  nonEmptyText,
  schemaVersion,
  sha256Hex,
  snakeId,
  stableId,
  stringList,
} from './common.ts';
import { crawlerKind } from './listing-snapshot.ts';

export const LivestreamHost = z.strictObject({
  host_id: externalId,
  name: nonEmptyText(LIMITS.name),
  seller_id: externalId.nullable(),
});

export const ProductCard = z.strictObject({
  listing_id: externalId.nullable(),
  title: boundedText(LIMITS.title),
  price: z.number().min(0).max(1e12).nullable(),
  currency: currency.nullable(),
  /** What the host says or the card shows about the price, e.g. '全网最低 99 元'. */
  claimed_price_text: boundedText(LIMITS.name).nullable(),
  /** Claimed discount as shown, e.g. '5折' or '-50%'. */
  claimed_discount: boundedText(LIMITS.name).nullable(),
  ccc_numbers: stringList(LIMITS.shortList, 64),
  brand: boundedText(LIMITS.name),
  model: boundedText(LIMITS.name).nullable(),
});
export type ProductCard = z.infer<typeof ProductCard>;

export const TranscriptLine = z.strictObject({
  at: isoDateTime,
  text: boundedText(LIMITS.text),
});

export const LivestreamSnapshot = z
  .strictObject({
    schema_version: schemaVersion,
    /** livestreamSnapshotId(platform, room_id, sampled_seq, content_hash). */
    snapshot_id: sha256Hex,
    platform: snakeId,
    room_id: externalId,
    url: httpUrl,
    fetched_at: isoDateTime,
    /** Sample number within the room's session, increasing: 0, 1, 2, ... */
    sampled_seq: z.number().int().min(0).max(4_294_967_295),
    host: LivestreamHost,
    viewer_count: z.number().int().min(0).max(4_294_967_295).nullable(),
    product: ProductCard.nullable(),
    /** Transcript lines spoken since the previous sample. */
    transcript: z.array(TranscriptLine).max(LIMITS.transcript),
    /** sha256 hex of the raw sampled content (page + transcript chunk). */
    content_hash: sha256Hex,
    crawler_kind: crawlerKind,
  });
export type LivestreamSnapshot = z.infer<typeof LivestreamSnapshot>;

/** Deterministic id of a livestream sample: sha256 hex of platform|room_id|sampled_seq|content_hash. */
export function livestreamSnapshotId(platform: string, roomId: string, sampledSeq: number, contentHashHex: string): string {
  return stableId(platform, roomId, sampledSeq, contentHashHex);
}
