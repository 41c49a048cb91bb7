// DeadLetter: a message or page that failed a stage (validation, parsing, a permanent sink error), with the
// reason, the error, where it came from and the original bytes. Published on the dead-letter topic and
// stored in the ClickHouse table dead_letters, so nothing is lost and the partition moves on.
// Kafka key and value bytes are carried base64-encoded: keys and values are arbitrary bytes (a key that is
// not UTF-8 must survive), and base64 is lossless and JSON-safe.
import { z } from 'zod';
import { LIMITS, isoDateTime, schemaVersion, sha256Hex, snakeId, stableId, truncateText } from './common.ts';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected standard base64').refine((s) => s.length % 4 === 0, 'base64 length must be a multiple of 4');

export const DeadLetterSource = z.strictObject({
  /** Kafka topic name (or 'file:<name>' / 'http' for input that did not come from Kafka). */
  topic: z.string().min(1).max(LIMITS.id),
  partition: z.number().int().min(-1),
  /** Kafka offset as a decimal string (64-bit; -1 when not from Kafka). */
  offset: z.string().regex(/^-?\d{1,20}$/, 'expected a decimal offset'),
  /** The message key, base64-encoded; null when the message had no key. */
  key: base64.max(4 * 1024).nullable(),
  /** Kafka message timestamp (CreateTime / LogAppendTime) as ISO-8601 UTC with ms. */
  timestamp: isoDateTime,
});

export const DeadLetter = z.strictObject({
  schema_version: schemaVersion,
  /** deadLetterId(topic, partition, offset, stage). */
  dead_letter_id: sha256Hex,
  /** The stage that gave up: 'crawl', 'detect', 'sink_clickhouse', ... */
  stage: snakeId,
  /** snake_case constant naming the cause: 'invalid_json', 'schema_mismatch', 'clickhouse_data_error', ... */
  reason: snakeId,
  /** Error message, truncated to LIMITS.error characters (use truncateText). */
  error: z.string().max(LIMITS.error),
  source: DeadLetterSource,
  /** The original message value, base64 (may be empty for a null value). */
  original_base64: base64.max(64 * 1024 * 1024),
  failed_at: isoDateTime,
});
export type DeadLetter = z.infer<typeof DeadLetter>;

/** Deterministic dead-letter id: sha256 hex of topic|partition|offset|stage (see stableId). */
export function deadLetterId(topic: string, partition: number, offset: string, stage: string): string {
  return stableId(topic, partition, offset, stage);
}

/** Builds a DeadLetter from raw Kafka-ish input; error text is truncated, bytes base64-encoded. */
export function makeDeadLetter(input: {
  stage: string;
  reason: string;
  error: unknown;
  topic: string;
  partition: number;
  offset: string;
  key: Uint8Array | string | null;
  timestamp: Date | string;
  value: Uint8Array | string | null;
  failedAt?: Date;
}): DeadLetter {
  const toB64 = (v: Uint8Array | string): string => Buffer.from(typeof v === 'string' ? Buffer.from(v, 'utf8') : v).toString('base64');
  const message = input.error instanceof Error ? `${input.error.name}: ${input.error.message}` : String(input.error);
  return {
    schema_version: 1,
    dead_letter_id: deadLetterId(input.topic, input.partition, input.offset, input.stage),
    stage: input.stage,
    reason: input.reason,
    error: truncateText(message),
    source: {
      topic: input.topic,
      partition: input.partition,
      offset: input.offset,
      key: input.key === null ? null : toB64(input.key),
      timestamp: typeof input.timestamp === 'string' ? input.timestamp : input.timestamp.toISOString(),
    },
    original_base64: input.value === null ? '' : toB64(input.value),
    failed_at: (input.failedAt ?? new Date()).toISOString(),
  };
}
