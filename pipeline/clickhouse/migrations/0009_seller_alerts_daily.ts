// The seller view: alerts per seller across listings and platforms, so a seller who relists under a new
// name or on another platform stays one row. seller_key is the unified social credit code when the listing
// shows one (the same company on every platform), else 'platform:seller_id'. region_code (GB/T 2260, from
// the credit code or the shop page) is what a local bureau filters on. uniqExact states: exact under replays.
import type { Migration } from './types.ts';

export const sellerAlertsDaily: Migration = {
  id: '0009_seller_alerts_daily',
  up: (_caps, ctx) => [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ctx.table('seller_alerts_daily')}
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (region_code, seller_key, platform, seller_id, day)
AS SELECT
  ifNull(region_code, '') AS region_code,
  ifNull(seller_credit_code, concat(platform, ':', seller_id)) AS seller_key,
  platform,
  seller_id,
  toDate(fetched_at) AS day,
  uniqExactState(alert_id) AS alerts,
  uniqExactState(subject_kind, subject_id) AS subjects,
  groupUniqArrayState(detector) AS detectors,
  maxState(score) AS max_score,
  maxState(fetched_at) AS last_seen
FROM ${ctx.table('alerts')}
GROUP BY region_code, seller_key, platform, seller_id, day`,
  ],
};
