// alerts_daily: alerts by platform, category, detector, rule, severity, region and day (the day of the
// evidence's fetch time, which a replay or re-emission does not change; created_at would move to the
// replay's day). Maintained from every insert into alerts (materialized view, AggregatingMergeTree).
// Counts are uniqExact states of alert ids: an alert emitted again (same id, new created_at) or replayed is
// counted once however often it was inserted, and merging days (uniqExactMerge over a month) counts an alert
// seen on several days once.
import type { Migration } from './types.ts';

export const alertsDaily: Migration = {
  id: '0006_alerts_daily',
  up: (_caps, ctx) => [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ctx.table('alerts_daily')}
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (platform, category, detector, rule_id, severity, region_code, subject_kind, day)
AS SELECT
  platform,
  ifNull(category, '') AS category,
  detector,
  rule_id,
  severity,
  ifNull(region_code, '') AS region_code,
  subject_kind,
  toDate(fetched_at) AS day,
  uniqExactState(alert_id) AS alerts,
  uniqExactState(subject_id) AS subjects,
  uniqExactState(seller_id) AS sellers,
  maxState(score) AS max_score
FROM ${ctx.table('alerts')}
GROUP BY platform, category, detector, rule_id, severity, region_code, subject_kind, day`,
  ],
};
