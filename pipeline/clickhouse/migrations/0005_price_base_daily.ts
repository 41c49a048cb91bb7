// price_base_daily: the price information base per key product and day, maintained by ClickHouse from every
// insert into listing_snapshots (materialized view, AggregatingMergeTree). Key product = category +
// normalised brand + normalised model (lower case, separators removed: 'LT-2024A' = 'lt 2024a'); rows without
// a model still count under model_key '' (the category/brand fallback the price detector uses).
// Read with the -Merge combinators (QUERIES.priceBase), e.g. the last 30 days of one product:
//   SELECT quantilesExactMerge(0.05, 0.25, 0.5, 0.75, 0.95)(price_quantiles), uniqExactMerge(observations) ...
// Replays: a materialized view sees every INSERT, so a replayed snapshot is aggregated again even though
// FINAL shows it once in listing_snapshots. `observations` and `listings` are uniqExact states over the
// snapshot's dedup key and stay exact; `deliveries` counts inserts (observations < deliveries reveals
// replays). Quantiles are quantileExact (the element at floor(level * n), no interpolation), which a replay
// of the whole stream leaves unchanged (every value k times: floor(floor(k*q*n)/k) = floor(q*n)); a partial
// replay weights the replayed snapshots twice until the day is rebuilt (docs/clickhouse.md, "Aggregates and
// replays"). The interpolating quantiles() would move even under a full replay. The exact state keeps every
// price of the day (8 bytes each): per key product and day that is small.
// 18.16: no trimBoth, no Nullable in sorting keys (ifNull), quantiles over a non-Nullable argument.
import type { Migration } from './types.ts';

/** The SQL that turns a brand or model into its key; lookups apply the same to their literal. */
export const productKeySql = (expr: string): string => `replaceRegexpAll(lowerUTF8(ifNull(${expr}, '')), '[[:space:]_./-]', '')`;

/** The quantile levels of price_quantiles, in the order quantilesMerge must repeat them. */
export const PRICE_QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95] as const;

export const priceBaseDaily: Migration = {
  id: '0005_price_base_daily',
  up: (_caps, ctx) => [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ctx.table('price_base_daily')}
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (category, brand_key, model_key, currency, day)
AS SELECT
  ifNull(category, '') AS category,
  ${productKeySql('brand')} AS brand_key,
  ${productKeySql('model')} AS model_key,
  ifNull(currency, '') AS currency,
  toDate(fetched_at) AS day,
  quantilesExactState(${PRICE_QUANTILES.join(', ')})(assumeNotNull(price)) AS price_quantiles,
  minState(assumeNotNull(price)) AS price_min,
  maxState(assumeNotNull(price)) AS price_max,
  uniqExactState(snapshot_id, fetched_at, fetched_at_ms) AS observations,
  uniqExactState(platform, listing_id) AS listings,
  countState() AS deliveries
FROM ${ctx.table('listing_snapshots')}
WHERE price IS NOT NULL AND price > 0
GROUP BY category, brand_key, model_key, currency, day`,
  ],
};
