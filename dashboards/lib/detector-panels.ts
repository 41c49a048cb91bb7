// Panel factories for boards about one group of detectors (certificates and licences, recalls): alerts by
// rule over time, by platform and category, and the latest alerts with their evidence.
import type { BoardContext, PanelSpec } from './panels.ts';
import { AGG_FILTERS, ALERT_FILTERS, DAY_RANGE, inList } from './sql.ts';

export function alertsByRulePanels({ t }: BoardContext, detectors: readonly string[]): PanelSpec[] {
  const ad = t('alerts_daily');
  const where = `detector IN (${inList(detectors)}) AND ${DAY_RANGE} AND ${AGG_FILTERS}`;
  return [
    { kind: 'stat', title: 'Alerts', w: 12, columns: ['alerts'], sql: `SELECT uniqExactMerge(alerts) AS alerts FROM ${ad} WHERE ${where}` },
    { kind: 'stat', title: 'Sellers concerned', w: 12, columns: ['sellers'], sql: `SELECT uniqExactMerge(sellers) AS sellers FROM ${ad} WHERE ${where}` },
    {
      kind: 'timeseries',
      title: 'Alerts by rule (per day)',
      w: 24,
      columns: ['time', 'rule_id', 'alerts'],
      sql: `SELECT toDateTime(day) AS time, rule_id, uniqExactMerge(alerts) AS alerts
FROM ${ad}
WHERE ${where}
GROUP BY time, rule_id
ORDER BY time, rule_id`,
    },
    {
      kind: 'table',
      title: 'By platform and category',
      w: 24,
      columns: ['platform', 'category', 'rule_id', 'alerts', 'listings', 'sellers'],
      sql: `SELECT platform, category, rule_id, uniqExactMerge(alerts) AS alerts, uniqExactMerge(subjects) AS listings, uniqExactMerge(sellers) AS sellers
FROM ${ad}
WHERE ${where}
GROUP BY platform, category, rule_id
ORDER BY alerts DESC, platform, category, rule_id`,
    },
  ];
}

export function latestAlertsPanel({ t }: BoardContext, detectors: readonly string[], title: string): PanelSpec {
  return {
    kind: 'table',
    title,
    w: 24,
    h: 10,
    columns: ['created', 'platform', 'seller_id', 'region_code', 'rule_id', 'severity', 'summary', 'evidence', 'url'],
    sql: `SELECT toString(created_at) AS created, platform, seller_id, ifNull(region_code, '') AS region_code, rule_id, severity, summary,
  evidence_reference AS evidence, url
FROM ${t('alerts')} FINAL
WHERE detector IN (${inList(detectors)}) AND $__timeFilter(fetched_at) AND ${ALERT_FILTERS}
ORDER BY created_at DESC, alert_id
LIMIT 100`,
  };
}
