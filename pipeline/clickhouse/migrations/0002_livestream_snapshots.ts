// livestream_snapshots: one row per LivestreamSnapshot sample. The product card is flattened with a
// has_product flag (the card itself is nullable); the transcript is three parallel arrays. Key and
// partitioning as for listing_snapshots.
import { lowCard, timestampColumns, type Migration } from './types.ts';

export const livestreamSnapshots: Migration = {
  id: '0002_livestream_snapshots',
  up: (caps, ctx) => [
    `CREATE TABLE IF NOT EXISTS ${ctx.table('livestream_snapshots')} (
  snapshot_id String,
  platform ${lowCard(caps, 'String')},
  room_id String,
  url String,
  ${timestampColumns('fetched_at')},
  sampled_seq UInt32,
  host_id String,
  host_name String,
  host_seller_id Nullable(String),
  viewer_count Nullable(UInt32),
  has_product UInt8,
  product_listing_id Nullable(String),
  product_title String,
  product_price Nullable(Float64),
  product_currency ${lowCard(caps, 'Nullable(String)')},
  product_claimed_price_text Nullable(String),
  product_claimed_discount Nullable(String),
  product_ccc_numbers Array(String),
  product_brand String,
  product_model Nullable(String),
  transcript_at Array(DateTime('UTC')),
  transcript_at_ms Array(UInt16),
  transcript_text Array(String),
  content_hash String,
  crawler_kind ${lowCard(caps, 'String')},
  schema_version UInt8,
  ingested_at DateTime('UTC') DEFAULT now()
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(fetched_at)
ORDER BY (platform, room_id, snapshot_id, fetched_at, fetched_at_ms)`,
  ],
};
