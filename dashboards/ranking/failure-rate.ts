// Platform ranking, row "Failure rate": problem listings / listings observed per platform and category, for
// the months the time range touches (listings_observed_monthly + problem_listings_monthly).
import type { BoardContext, PanelSpec, RowSpec } from '../lib/panels.ts';
import { filters } from '../lib/panels.ts';
import { MONTH_RANGE } from '../lib/sql.ts';

const WHERE = `${MONTH_RANGE} AND ${filters({ platform: 'platform', category: 'category' })}`;

function rateSql(t: BoardContext['t'], keys: string): string {
  return `SELECT ${keys}, listings, problem_listings, round(problem_listings / listings, 4) AS failure_rate
FROM (
  SELECT ${keys}, uniqExactMerge(listings) AS listings
  FROM ${t('listings_observed_monthly')}
  WHERE ${WHERE}
  GROUP BY ${keys}
) AS observed ANY LEFT JOIN (
  SELECT ${keys}, uniqExactMerge(problem_listings) AS problem_listings
  FROM ${t('problem_listings_monthly')}
  WHERE ${WHERE}
  GROUP BY ${keys}
) AS problems USING (${keys})
ORDER BY failure_rate DESC, ${keys}`;
}

export function failureRateRow({ t }: BoardContext): RowSpec {
  const byPlatform: PanelSpec = {
    kind: 'barchart',
    title: 'Failure rate per platform',
    unit: 'percentunit',
    columns: ['platform', 'listings', 'problem_listings', 'failure_rate'],
    sql: rateSql(t, 'platform'),
  };
  const byCategory: PanelSpec = {
    kind: 'table',
    title: 'Failure rate per platform and category',
    columns: ['platform', 'category', 'listings', 'problem_listings', 'failure_rate'],
    sql: rateSql(t, 'platform, category'),
  };
  return { title: 'Failure rate', panels: [byPlatform, byCategory] };
}
