// Price anomalies, row "Price information base": quantiles per key product (price_base_daily).
import { PRICE_QUANTILES } from '../../pipeline/clickhouse/migrations/0005_price_base_daily.ts';
import { varFilter, type BoardContext, type RowSpec } from '../lib/panels.ts';
import { DAY_RANGE } from '../lib/sql.ts';

export const quantilesMerge = `quantilesExactMerge(${PRICE_QUANTILES.join(', ')})(price_quantiles)`;
const at = (level: number) => PRICE_QUANTILES.indexOf(level as (typeof PRICE_QUANTILES)[number]) + 1;

export function baseRow({ t }: BoardContext): RowSpec {
  return {
    title: 'Price information base',
    panels: [
      {
        kind: 'table',
        title: 'Price base per key product',
        description: 'Observed prices per category + normalised brand + model in the time range (each snapshot once).',
        w: 24,
        columns: ['category', 'brand_key', 'model_key', 'currency', 'observations', 'p05', 'p25', 'median', 'p75', 'p95'],
        sql: `SELECT category, brand_key, model_key, currency, uniqExactMerge(observations) AS observations,
  round(arrayElement(${quantilesMerge}, ${at(0.05)}), 2) AS p05,
  round(arrayElement(${quantilesMerge}, ${at(0.25)}), 2) AS p25,
  round(arrayElement(${quantilesMerge}, ${at(0.5)}), 2) AS median,
  round(arrayElement(${quantilesMerge}, ${at(0.75)}), 2) AS p75,
  round(arrayElement(${quantilesMerge}, ${at(0.95)}), 2) AS p95
FROM ${t('price_base_daily')}
WHERE ${DAY_RANGE} AND ${varFilter('category', 'category')}
GROUP BY category, brand_key, model_key, currency
ORDER BY observations DESC, category, brand_key, model_key
LIMIT 200`,
      },
    ],
  };
}
