// Pipeline health, row "Throughput and lag": rows the sink wrote per table (by ingested_at; replays show
// here, not in FINAL results) and the end-to-end lag from fetch to ClickHouse.
// Kafka consumer lag per partition is on each stage's /metrics endpoint (shelfwatch_stage_lag), not here.
import type { BoardContext, RowSpec } from '../lib/panels.ts';
import { timeBucket } from '../lib/sql.ts';

export function throughputRow({ t }: BoardContext): RowSpec {
  const per = (table: string) =>
    `SELECT ${timeBucket('ingested_at')} AS time, '${table}' AS target, count() AS rows_written FROM ${t(table)} WHERE $__timeFilter(ingested_at) GROUP BY time`;
  return {
    title: 'Throughput and lag',
    panels: [
      {
        kind: 'timeseries',
        title: 'Rows written per table',
        columns: ['time', 'target', 'rows_written'],
        sql: `SELECT time, target, rows_written FROM (
  ${['listing_snapshots', 'livestream_snapshots', 'alerts', 'dead_letters'].map(per).join('\n  UNION ALL\n  ')}
)
ORDER BY time, target`,
      },
      {
        kind: 'timeseries',
        title: 'Lag from fetch to ClickHouse',
        unit: 's',
        columns: ['time', 'p50_lag_s', 'p95_lag_s'],
        sql: `SELECT ${timeBucket('ingested_at')} AS time,
  quantile(0.5)(toInt64(toUInt32(ingested_at)) - toInt64(toUInt32(fetched_at))) AS p50_lag_s,
  quantile(0.95)(toInt64(toUInt32(ingested_at)) - toInt64(toUInt32(fetched_at))) AS p95_lag_s
FROM ${t('listing_snapshots')}
WHERE $__timeFilter(ingested_at)
GROUP BY time
ORDER BY time`,
      },
    ],
  };
}
