// dead_letters: one row per dead letter id (source topic, partition, offset, stage). Partitioned by the
// source message's timestamp, which is the same on every replay (failed_at is not), so duplicates share a
// partition. Key and value bytes stay base64 as in the DeadLetter contract.
import { lowCard, timestampColumns, type Migration } from './types.ts';

export const deadLetters: Migration = {
  id: '0004_dead_letters',
  up: (caps, ctx) => [
    `CREATE TABLE IF NOT EXISTS ${ctx.table('dead_letters')} (
  dead_letter_id String,
  stage ${lowCard(caps, 'String')},
  reason ${lowCard(caps, 'String')},
  error String,
  source_topic ${lowCard(caps, 'String')},
  source_partition Int32,
  source_offset String,
  source_key Nullable(String),
  ${timestampColumns('source_timestamp')},
  original_base64 String,
  ${timestampColumns('failed_at')},
  schema_version UInt8,
  ingested_at DateTime('UTC') DEFAULT now()
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(source_timestamp)
ORDER BY (stage, dead_letter_id)`,
  ],
};
