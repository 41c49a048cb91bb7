// Pipeline health, row "Dead letters": messages a stage could not validate or handle, by reason.
import type { BoardContext, RowSpec } from '../lib/panels.ts';
import { timeBucket } from '../lib/sql.ts';

export function deadLettersRow({ t }: BoardContext): RowSpec {
  const dl = t('dead_letters');
  return {
    title: 'Dead letters',
    panels: [
      {
        kind: 'timeseries',
        title: 'Dead letters by reason',
        columns: ['time', 'reason', 'dead_letters'],
        sql: `SELECT ${timeBucket('failed_at')} AS time, reason, count() AS dead_letters
FROM ${dl} FINAL
WHERE $__timeFilter(failed_at)
GROUP BY time, reason
ORDER BY time, reason`,
      },
      {
        kind: 'table',
        title: 'Dead letters by stage, reason and topic',
        columns: ['stage', 'reason', 'source_topic', 'dead_letters', 'last_failed'],
        sql: `SELECT stage, reason, source_topic, count() AS dead_letters, toString(max(failed_at)) AS last_failed
FROM ${dl} FINAL
WHERE $__timeFilter(failed_at)
GROUP BY stage, reason, source_topic
ORDER BY dead_letters DESC, stage, reason, source_topic`,
      },
    ],
  };
}
