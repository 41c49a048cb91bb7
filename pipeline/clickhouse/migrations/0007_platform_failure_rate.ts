// The platform failure-rate ranking the action plan asks to publish: problem listings / listings observed,
// per platform, category and month. Two materialized views, both uniqExact states of listing ids (exact
// under replays): listings_observed_monthly from listing_snapshots, problem_listings_monthly from listing
// alerts (a listing with any alert is a problem listing; month of the evidence's fetch time). The ranking
// (QUERIES.platformFailureRanking) joins them. Two views rather than one target table: 18.16 cannot give an
// empty state for the half a view does not fill without extra tricks, and the join is over small tables.
import type { Migration } from './types.ts';

export const platformFailureRate: Migration = {
  id: '0007_platform_failure_rate',
  up: (_caps, ctx) => [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ctx.table('listings_observed_monthly')}
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(month)
ORDER BY (platform, category, month)
AS SELECT
  platform,
  ifNull(category, '') AS category,
  toStartOfMonth(fetched_at) AS month,
  uniqExactState(listing_id) AS listings,
  uniqExactState(seller_id) AS sellers
FROM ${ctx.table('listing_snapshots')}
GROUP BY platform, category, month`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ctx.table('problem_listings_monthly')}
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(month)
ORDER BY (platform, category, month)
AS SELECT
  platform,
  ifNull(category, '') AS category,
  toStartOfMonth(fetched_at) AS month,
  uniqExactState(subject_id) AS problem_listings,
  uniqExactState(alert_id) AS alerts
FROM ${ctx.table('alerts')}
WHERE subject_kind = 'listing'
GROUP BY platform, category, month`,
  ],
};
