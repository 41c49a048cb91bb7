// alerts: one row per alert id. The id is the same each time a detector sees the same problem again (a later
// snapshot, a replay), so the table holds one row per distinct problem; ReplacingMergeTree(created_at) keeps
// the latest emission (ties: the last inserted). Not partitioned by time: created_at differs between
// emissions of the same alert, and ReplacingMergeTree never merges rows of different partitions, so a
// time partition would let FINAL show an alert twice. Alerts are few next to snapshots; one partition is fine.
// Evidence is stored as JSON text (no JSON/Map types on 18.16): JSONExtract* / visitParam* read it.
import { lowCard, timestampColumns, type Migration } from './types.ts';

export const alerts: Migration = {
  id: '0003_alerts',
  up: (caps, ctx) => [
    `CREATE TABLE IF NOT EXISTS ${ctx.table('alerts')} (
  alert_id String,
  ${timestampColumns('created_at')},
  subject_kind ${lowCard(caps, 'String')},
  subject_id String,
  snapshot_id String,
  url String,
  content_hash String,
  ${timestampColumns('fetched_at')},
  platform ${lowCard(caps, 'String')},
  seller_id String,
  seller_credit_code Nullable(String),
  region_code ${lowCard(caps, 'Nullable(String)')},
  category ${lowCard(caps, 'Nullable(String)')},
  detector ${lowCard(caps, 'String')},
  rule_id ${lowCard(caps, 'String')},
  score Float64,
  severity ${lowCard(caps, 'String')},
  summary String,
  evidence_observed String,
  evidence_reference String,
  schema_version UInt8,
  ingested_at DateTime('UTC') DEFAULT now()
) ENGINE = ReplacingMergeTree(created_at)
ORDER BY (platform, alert_id)`,
  ],
};
