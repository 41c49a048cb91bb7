// Overview, row "Crawled": how much was observed in the time range, and the share of problem listings.
import type { BoardContext, RowSpec } from '../lib/panels.ts';
import { ALERT_FILTERS, LISTING_FILTERS, timeBucket } from '../lib/sql.ts';

export function crawledRow({ t }: BoardContext): RowSpec {
  const ls = t('listing_snapshots');
  const al = t('alerts');
  return {
    title: 'Crawled',
    panels: [
      { kind: 'stat', title: 'Listing snapshots', columns: ['snapshots'], sql: `SELECT count() AS snapshots FROM ${ls} FINAL WHERE $__timeFilter(fetched_at) AND ${LISTING_FILTERS}` },
      { kind: 'stat', title: 'Sellers seen', columns: ['sellers'], sql: `SELECT uniqExact(platform, seller_id) AS sellers FROM ${ls} FINAL WHERE $__timeFilter(fetched_at) AND ${LISTING_FILTERS}` },
      { kind: 'stat', title: 'Alerts', columns: ['alerts'], sql: `SELECT count() AS alerts FROM ${al} FINAL WHERE $__timeFilter(fetched_at) AND ${ALERT_FILTERS}` },
      {
        kind: 'stat',
        title: 'Listings with an alert',
        unit: 'percentunit',
        columns: ['problem_share'],
        sql: `SELECT round((SELECT uniqExact(platform, subject_id) FROM ${al} FINAL WHERE subject_kind = 'listing' AND $__timeFilter(fetched_at) AND ${ALERT_FILTERS})
  / greatest((SELECT uniqExact(platform, listing_id) FROM ${ls} FINAL WHERE $__timeFilter(fetched_at) AND ${LISTING_FILTERS}), 1), 4) AS problem_share`,
      },
      {
        kind: 'timeseries',
        title: 'Listing snapshots per platform',
        w: 24,
        columns: ['time', 'platform', 'snapshots'],
        sql: `SELECT ${timeBucket('fetched_at')} AS time, platform, count() AS snapshots
FROM ${ls} FINAL
WHERE $__timeFilter(fetched_at) AND ${LISTING_FILTERS}
GROUP BY time, platform
ORDER BY time, platform`,
      },
    ],
  };
}
