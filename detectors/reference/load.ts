// Reference loader: a file of certificates, licences, recalls or prohibited items -> its compacted topic.
// In: a CSV / JSON / NDJSON file (detectors/reference/files.ts), streamed. Out: one message per good row on
// topics.<kind>, key = referenceKey() (so a reload replaces records, compaction keeps the latest), sent in
// batches with the idempotent acks=all producer; every bad row is returned with its line number and reason
// and the good rows around it still load.
import type { Config } from '../../pipeline/config.ts';
import { ACKS_ALL, ensureTopics, type KafkaHandle } from '../../pipeline/kafka.ts';
import { topics, type TopicSpec } from '../../pipeline/topics.ts';
import { readRecords, type ReadOptions } from './files.ts';
import { referenceRow } from './rows.ts';
import type { ReferenceKind } from './views.ts';

export const REFERENCE_TOPICS: Record<ReferenceKind, TopicSpec> = {
  certificates: topics.certificates,
  licences: topics.licences,
  recalls: topics.recalls,
  prohibited: topics.prohibited,
};

export interface LoadResult {
  loaded: number;
  bad: { line: number; reason: string }[];
}

export interface LoadOptions extends ReadOptions {
  batchSize?: number;
  /** Stop collecting bad-row details after this many (they are still counted in `badCount`). */
  maxBadReported?: number;
  onBad?: (line: number, reason: string) => void;
  now?: Date;
}

export async function loadReferenceFile(kafka: KafkaHandle, _config: Config, kind: ReferenceKind, path: string, opts: LoadOptions = {}): Promise<LoadResult & { badCount: number }> {
  const spec = REFERENCE_TOPICS[kind];
  await ensureTopics(kafka, [spec]);
  const producer = kafka.producer();
  await producer.connect();
  const topic = kafka.topic(spec);
  const loadedAt = (opts.now ?? new Date()).toISOString();
  const batchSize = opts.batchSize ?? 500;
  const maxBad = opts.maxBadReported ?? 10_000;
  const result = { loaded: 0, bad: [] as { line: number; reason: string }[], badCount: 0 };
  let batch: { key: string; value: string }[] = [];
  const flush = async () => {
    if (!batch.length) return;
    await producer.send({ topic, acks: ACKS_ALL, messages: batch });
    result.loaded += batch.length;
    batch = [];
  };
  try {
    for await (const row of readRecords(path, opts)) {
      const r = 'error' in row ? ({ ok: false, reason: row.error } as const) : referenceRow(kind, row.record, loadedAt);
      if (!r.ok) {
        result.badCount++;
        if (result.bad.length < maxBad) result.bad.push({ line: row.line, reason: r.reason });
        opts.onBad?.(row.line, r.reason);
        continue;
      }
      batch.push({ key: r.key, value: JSON.stringify(r.value) });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return result;
}
