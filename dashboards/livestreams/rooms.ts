// Livestreams, row "Rooms": risk per room and host (livestream_rooms_daily + livestream_alerts_daily) and
// samples over time.
import { varFilter, type BoardContext, type RowSpec } from '../lib/panels.ts';
import { DAY_RANGE, timeBucket } from '../lib/sql.ts';

export function roomsRow({ t }: BoardContext): RowSpec {
  const platform = varFilter('platform', 'platform');
  return {
    title: 'Rooms',
    panels: [
      {
        kind: 'table',
        title: 'Risk per room and host',
        w: 24,
        columns: ['platform', 'room_id', 'host_id', 'host_name', 'samples', 'peak_viewers', 'alerts', 'max_score'],
        sql: `SELECT platform, room_id, host_id, host_name, samples, peak_viewers, alerts, max_score
FROM (
  SELECT platform, room_id, host_id, argMaxMerge(host_name) AS host_name, uniqExactMerge(samples) AS samples, maxMerge(peak_viewers) AS peak_viewers
  FROM ${t('livestream_rooms_daily')}
  WHERE ${DAY_RANGE} AND ${platform}
  GROUP BY platform, room_id, host_id
) AS rooms ANY LEFT JOIN (
  SELECT platform, room_id, uniqExactMerge(alerts) AS alerts, maxMerge(max_score) AS max_score
  FROM ${t('livestream_alerts_daily')}
  WHERE ${DAY_RANGE} AND ${platform}
  GROUP BY platform, room_id
) AS room_alerts USING (platform, room_id)
ORDER BY alerts DESC, max_score DESC, platform, room_id
LIMIT 100`,
      },
      {
        kind: 'timeseries',
        title: 'Livestream samples per platform',
        w: 24,
        columns: ['time', 'platform', 'samples'],
        sql: `SELECT ${timeBucket('fetched_at')} AS time, platform, count() AS samples
FROM ${t('livestream_snapshots')} FINAL
WHERE $__timeFilter(fetched_at) AND ${platform}
GROUP BY time, platform
ORDER BY time, platform`,
      },
    ],
  };
}
