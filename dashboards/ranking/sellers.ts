// Platform ranking, row "Sellers": sellers with the most alerts across platforms (seller_alerts_daily);
// the region variable narrows it to a bureau's area.
import { filters, type BoardContext, type RowSpec } from '../lib/panels.ts';
import { DAY_RANGE } from '../lib/sql.ts';

export function sellersRow({ t }: BoardContext): RowSpec {
  return {
    title: 'Sellers',
    panels: [
      {
        kind: 'table',
        title: 'Sellers by alerts, across platforms',
        w: 24,
        columns: ['seller_key', 'region_code', 'platforms', 'alerts', 'listings', 'detectors', 'max_score'],
        sql: `SELECT seller_key, region_code, arrayStringConcat(arraySort(groupUniqArray(platform)), ', ') AS platforms,
  uniqExactMerge(alerts) AS alerts, uniqExactMerge(subjects) AS listings,
  arrayStringConcat(arraySort(groupUniqArrayMerge(detectors)), ', ') AS detectors, maxMerge(max_score) AS max_score
FROM ${t('seller_alerts_daily')}
WHERE ${DAY_RANGE} AND ${filters({ platform: 'platform', region: 'region_code' })}
GROUP BY seller_key, region_code
ORDER BY alerts DESC, seller_key
LIMIT 100`,
      },
    ],
  };
}
