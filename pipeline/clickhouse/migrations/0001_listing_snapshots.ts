// listing_snapshots: one row per ListingSnapshot (flattened; see rows.ts). Dedup key: the snapshot id and
// its fetch time, so a replay of the listings topic collapses onto the same rows, while the same content
// fetched again later is a new observation (price history). Partitioned by fetch month, which is part of
// the key, so duplicates always share a partition (ReplacingMergeTree only merges within one).
import { lowCard, timestampColumns, type Migration } from './types.ts';

export const listingSnapshots: Migration = {
  id: '0001_listing_snapshots',
  up: (caps, ctx) => [
    `CREATE TABLE IF NOT EXISTS ${ctx.table('listing_snapshots')} (
  snapshot_id String,
  platform ${lowCard(caps, 'String')},
  listing_id String,
  url String,
  ${timestampColumns('fetched_at')},
  http_status UInt16,
  content_hash String,
  crawler_kind ${lowCard(caps, 'String')},
  title String,
  price Nullable(Float64),
  currency ${lowCard(caps, 'Nullable(String)')},
  original_price Nullable(Float64),
  price_text Nullable(String),
  brand Nullable(String),
  model Nullable(String),
  category ${lowCard(caps, 'Nullable(String)')},
  gtin Nullable(String),
  ccc_numbers Array(String),
  licence_numbers Array(String),
  seller_id String,
  seller_name String,
  seller_credit_code Nullable(String),
  seller_region_code ${lowCard(caps, 'Nullable(String)')},
  seller_address Nullable(String),
  producer_name Nullable(String),
  producer_address Nullable(String),
  attribute_keys Array(String),
  attribute_values Array(String),
  images Array(String),
  schema_version UInt8,
  ingested_at DateTime('UTC') DEFAULT now()
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(fetched_at)
ORDER BY (platform, listing_id, snapshot_id, fetched_at, fetched_at_ms)`,
  ],
};
