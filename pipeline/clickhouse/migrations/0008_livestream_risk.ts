// Livestream risk per room and host. livestream_rooms_daily (from livestream_snapshots): samples, peak
// viewers and the host of each room per day; livestream_alerts_daily (from livestream alerts): alerts and
// the highest score per room, detector and day. QUERIES.livestreamRisk joins them. Counts are uniqExact
// states of ids (exact under replays); the host name is the latest seen (argMax by fetch time).
import type { Migration } from './types.ts';

export const livestreamRisk: Migration = {
  id: '0008_livestream_risk',
  up: (_caps, ctx) => [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ctx.table('livestream_rooms_daily')}
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (platform, room_id, host_id, day)
AS SELECT
  platform,
  room_id,
  host_id,
  toDate(fetched_at) AS day,
  argMaxState(host_name, fetched_at) AS host_name,
  uniqExactState(snapshot_id) AS samples,
  maxState(ifNull(viewer_count, 0)) AS peak_viewers,
  minState(fetched_at) AS first_seen,
  maxState(fetched_at) AS last_seen
FROM ${ctx.table('livestream_snapshots')}
GROUP BY platform, room_id, host_id, day`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ctx.table('livestream_alerts_daily')}
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (platform, room_id, detector, day)
AS SELECT
  platform,
  subject_id AS room_id,
  detector,
  toDate(fetched_at) AS day,
  uniqExactState(alert_id) AS alerts,
  maxState(score) AS max_score
FROM ${ctx.table('alerts')}
WHERE subject_kind = 'livestream'
GROUP BY platform, room_id, detector, day`,
  ],
};
