// Overview, row "Alerts": alerts by detector over time (from alerts_daily) and the latest alerts.
import type { BoardContext, RowSpec } from '../lib/panels.ts';
import { AGG_FILTERS, ALERT_FILTERS, DAY_RANGE } from '../lib/sql.ts';

export function alertsRow({ t }: BoardContext): RowSpec {
  const ad = t('alerts_daily');
  return {
    title: 'Alerts',
    panels: [
      {
        kind: 'timeseries',
        title: 'Alerts by detector (per day)',
        columns: ['time', 'detector', 'alerts'],
        sql: `SELECT toDateTime(day) AS time, detector, uniqExactMerge(alerts) AS alerts
FROM ${ad}
WHERE ${DAY_RANGE} AND ${AGG_FILTERS}
GROUP BY time, detector
ORDER BY time, detector`,
      },
      {
        kind: 'table',
        title: 'Alerts by detector and severity',
        columns: ['detector', 'severity', 'alerts', 'subjects'],
        sql: `SELECT detector, severity, uniqExactMerge(alerts) AS alerts, uniqExactMerge(subjects) AS subjects
FROM ${ad}
WHERE ${DAY_RANGE} AND ${AGG_FILTERS}
GROUP BY detector, severity
ORDER BY alerts DESC, detector, severity`,
      },
      {
        kind: 'table',
        title: 'Latest alerts',
        w: 24,
        columns: ['created', 'platform', 'detector', 'severity', 'seller_id', 'summary', 'url'],
        sql: `SELECT toString(created_at) AS created, platform, detector, severity, seller_id, summary, url
FROM ${t('alerts')} FINAL
WHERE $__timeFilter(fetched_at) AND ${ALERT_FILTERS}
ORDER BY created_at DESC, alert_id
LIMIT 100`,
      },
    ],
  };
}
