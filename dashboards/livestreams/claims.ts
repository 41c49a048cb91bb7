// Livestreams, row "Claims": the latest livestream alerts with the transcript excerpt as evidence.
import { varFilter, type BoardContext, type RowSpec } from '../lib/panels.ts';

export function claimsRow({ t }: BoardContext): RowSpec {
  return {
    title: 'Claims',
    panels: [
      {
        kind: 'table',
        title: 'Latest livestream alerts',
        w: 24,
        columns: ['created', 'platform', 'room_id', 'detector', 'rule_id', 'summary', 'evidence', 'url'],
        sql: `SELECT toString(created_at) AS created, platform, subject_id AS room_id, detector, rule_id, summary, evidence_observed AS evidence, url
FROM ${t('alerts')} FINAL
WHERE subject_kind = 'livestream' AND $__timeFilter(fetched_at) AND ${varFilter('platform', 'platform')}
ORDER BY created_at DESC, alert_id
LIMIT 100`,
      },
    ],
  };
}
