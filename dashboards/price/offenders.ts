// Price anomalies, row "Observed against the base": the listings priced lowest relative to their key
// product's median, and price_anomaly alerts over time.
import { productKeySql, PRICE_QUANTILES } from '../../pipeline/clickhouse/migrations/0005_price_base_daily.ts';
import type { BoardContext, RowSpec } from '../lib/panels.ts';
import { AGG_FILTERS, DAY_RANGE, DETECTORS, LISTING_FILTERS, inList } from '../lib/sql.ts';
import { quantilesMerge } from './base.ts';

export function offendersRow({ t }: BoardContext): RowSpec {
  const median = PRICE_QUANTILES.indexOf(0.5) + 1;
  return {
    title: 'Observed against the base',
    panels: [
      {
        kind: 'table',
        title: 'Lowest prices against their product base',
        w: 24,
        columns: ['platform', 'listing_id', 'seller_id', 'title', 'price', 'base_median', 'ratio'],
        sql: `SELECT platform, listing_id, seller_id, title, lowest_price AS price, base_median, round(lowest_price / base_median, 3) AS ratio
FROM (
  SELECT platform, listing_id, seller_id, any(title) AS title, min(price) AS lowest_price,
    ifNull(category, '') AS category, ${productKeySql('brand')} AS brand_key, ${productKeySql('model')} AS model_key
  FROM ${t('listing_snapshots')} FINAL
  WHERE $__timeFilter(fetched_at) AND price > 0 AND ${LISTING_FILTERS}
  GROUP BY platform, listing_id, seller_id, category, brand_key, model_key
) AS observed ANY INNER JOIN (
  SELECT category, brand_key, model_key, round(arrayElement(${quantilesMerge}, ${median}), 2) AS base_median
  FROM ${t('price_base_daily')}
  WHERE ${DAY_RANGE}
  GROUP BY category, brand_key, model_key
) AS base USING (category, brand_key, model_key)
WHERE base_median > 0
ORDER BY ratio, platform, listing_id
LIMIT 50`,
      },
      {
        kind: 'timeseries',
        title: 'Price anomaly alerts (per day)',
        w: 24,
        columns: ['time', 'platform', 'alerts'],
        sql: `SELECT toDateTime(day) AS time, platform, uniqExactMerge(alerts) AS alerts
FROM ${t('alerts_daily')}
WHERE detector IN (${inList(DETECTORS.price)}) AND ${DAY_RANGE} AND ${AGG_FILTERS}
GROUP BY time, platform
ORDER BY time, platform`,
      },
    ],
  };
}
