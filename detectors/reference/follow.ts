// Keeps ReferenceViews in step with the compacted reference topics, like a global table: every instance
// reads each topic from the beginning (a throwaway consumer group, nothing committed), applies records in
// order (a null value = tombstone deletes the key) and keeps following new records.
// In: the four reference topics. Out: views updated in place; `ready` resolves once everything that was in
// the topics at start has been applied, so the detect stage does not judge listings against a half-loaded
// register. A record that fails its contract is skipped and counted (it was validated when loaded, so
// this means a foreign producer), never applied.
import { randomBytes } from 'node:crypto';
import { parseContract } from '../../pipeline/contracts/index.ts';
import { ensureTopics, type KafkaHandle } from '../../pipeline/kafka.ts';
import type { Logger } from '../../pipeline/logger.ts';
import { REFERENCE_TOPICS } from './load.ts';
import { REFERENCE_KINDS, type ReferenceKind, type ReferenceViews } from './views.ts';

const CONTRACT = { certificates: 'certificate', licences: 'licence', recalls: 'recall', prohibited: 'prohibited_item' } as const;

export interface ReferenceFollower {
  /** Resolves when the views hold everything the topics held at start. */
  readonly ready: Promise<void>;
  readonly invalid: number;
  readonly applied: number;
  stop(): Promise<void>;
}

/** `kinds`: the reference topics to follow (default all; a thread that runs only recall_match needs only recalls). */
export async function followReferenceTopics(kafka: KafkaHandle, views: ReferenceViews, logger: Logger, opts: { readyTimeoutMs?: number; kinds?: readonly ReferenceKind[] } = {}): Promise<ReferenceFollower> {
  const log = logger.child({ component: 'reference_views' });
  const kinds = opts.kinds ?? REFERENCE_KINDS;
  const specs = kinds.map((k) => REFERENCE_TOPICS[k]);
  await ensureTopics(kafka, specs);
  const kindOf = new Map<string, ReferenceKind>(kinds.map((k) => [kafka.topic(REFERENCE_TOPICS[k]), k]));

  // High watermarks at start: "ready" = every partition consumed up to these.
  const admin = kafka.admin();
  await admin.connect();
  const pending = new Map<string, bigint>();
  try {
    for (const topic of kindOf.keys()) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) > BigInt(p.low)) pending.set(`${topic}:${p.partition}`, BigInt(p.high));
      }
    }
  } finally {
    await admin.disconnect();
  }

  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  if (pending.size === 0) resolveReady();
  let invalid = 0;
  let applied = 0;

  const consumer = kafka.consumer(`shelfwatch.refview.${randomBytes(6).toString('hex')}${kafka.config.topicSuffix}`);
  await consumer.connect();
  await consumer.subscribe({ topics: [...kindOf.keys()], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat }) => {
      const kind = kindOf.get(batch.topic)!;
      for (const m of batch.messages) {
        const key = m.key?.toString('utf8');
        if (key === undefined) {
          invalid++;
        } else if (m.value === null || m.value.length === 0) {
          views.apply(kind, key, null);
          applied++;
        } else {
          const parsed = parseContract(CONTRACT[kind], m.value);
          if (parsed.ok) {
            views.apply(kind, key, parsed.value as never);
            applied++;
          } else {
            invalid++;
            if (invalid <= 10) log.warn({ topic: batch.topic, partition: batch.partition, offset: m.offset, error: parsed.error }, 'invalid reference record skipped');
          }
        }
        const pk = `${batch.topic}:${batch.partition}`;
        const hw = pending.get(pk);
        if (hw !== undefined && BigInt(m.offset) + 1n >= hw) {
          pending.delete(pk);
          if (pending.size === 0) resolveReady();
        }
      }
      await heartbeat();
    },
  });

  const timeoutMs = opts.readyTimeoutMs ?? 300_000;
  const timer = setTimeout(() => {
    if (pending.size) log.warn({ pending: [...pending.keys()] }, 'reference views not caught up yet');
  }, timeoutMs);
  void ready.then(() => {
    clearTimeout(timer);
    log.info(Object.fromEntries(kinds.map((k) => [k, views.view[k].size])), 'reference views ready');
  });

  return {
    ready,
    get invalid() {
      return invalid;
    },
    get applied() {
      return applied;
    },
    async stop() {
      clearTimeout(timer);
      await consumer.disconnect();
    },
  };
}
