// The one seam between shelfwatch and its Kafka client. kafkajs is unmaintained since 2023 (see style.md §7):
// everything else imports from here, never from 'kafkajs', so the client can be swapped in one file.
// In: config.kafka (+ SASL credentials from the environment). Out: producers, consumers and an admin.
import {
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type KafkaMessage,
  type LogEntry,
  type Message,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import { secrets, type KafkaConfig } from './config.ts';
import type { Logger } from './logger.ts';
import { topicName, type TopicSpec } from './topics.ts';

export type { Admin, Consumer, EachBatchPayload, IHeaders, KafkaMessage, Message, Producer };

export interface KafkaHandle {
  readonly config: KafkaConfig;
  /** Idempotent producer, acks=all: a send resolves only once every in-sync replica has the messages. */
  producer(opts?: { transactionalId?: string }): Producer;
  consumer(groupId: string, opts?: { sessionTimeoutMs?: number; maxBytes?: number; maxBytesPerPartition?: number }): Consumer;
  admin(): Admin;
  /** Full topic name for a catalogue entry, with this deployment's suffix. */
  topic(spec: TopicSpec | string): string;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** The text of kafkajs's REBALANCE_IN_PROGRESS protocol error. */
const REBALANCING = 'The group is rebalancing, so a rejoin is needed';

export function createKafka(config: KafkaConfig, logger: Logger, env = process.env): KafkaHandle {
  const log = logger.child({ component: 'kafka' });
  const sasl = saslOptions(config, env);
  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    ssl: config.ssl,
    ...(sasl ? { sasl } : {}),
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8 },
    logLevel: logLevel.WARN,
    // kafkajs logs its INFO chatter (joins, rebalances) at debug here; warnings and errors stay visible.
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, namespace: _ns, level: _l, label: _lb, timestamp: _t, logger: _lg, ...rest } = entry as LogEntry['log'] & Record<string, unknown>;
        // kafkajs logs retried protocol errors (coordinator loading, leader moves) as ERROR: they are warnings
        // until its retries give up, which surfaces as a thrown error that our code reports.
        // A group rebalancing (a member joined or left: a stage's consumers starting together) is routine.
        const mapped = rest.error === REBALANCING ? 'debug' : (LEVELS[level] ?? 'debug');
        const target = mapped === 'info' ? 'debug' : mapped === 'error' ? 'warn' : mapped;
        log[target](rest, `kafkajs: ${message}`);
      },
  });

  return {
    config,
    producer: (opts = {}) =>
      kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner, // murmur2 on the key, as the Java client
        // Idempotence needs unbounded retries (kafkajs warns otherwise); a broker outage blocks the send,
        // which holds the stage's offsets back: back-pressure, not loss.
        retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 30_000 },
        allowAutoTopicCreation: false,
        ...(opts.transactionalId ? { transactionalId: opts.transactionalId } : {}),
      }),
    consumer: (groupId, opts = {}) =>
      kafka.consumer({
        groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
        heartbeatInterval: 3_000,
        ...(opts.maxBytes ? { maxBytes: opts.maxBytes } : {}),
        ...(opts.maxBytesPerPartition ? { maxBytesPerPartition: opts.maxBytesPerPartition } : {}),
        maxWaitTimeInMs: 500,
      }),
    admin: () => kafka.admin(),
    topic: (spec) => topicName(spec, config.topicSuffix),
  };
}

function saslOptions(config: KafkaConfig, env: NodeJS.ProcessEnv): SASLOptions | undefined {
  if (!config.saslMechanism) return undefined;
  const username = secrets.kafkaUsername(env);
  const password = secrets.kafkaPassword(env);
  if (!username || !password) {
    throw new Error(`kafka.saslMechanism is ${config.saslMechanism}: set SHELFWATCH_KAFKA_USERNAME and SHELFWATCH_KAFKA_PASSWORD`);
  }
  return { mechanism: config.saslMechanism, username, password } as SASLOptions;
}

/** acks=all for every send: outputs count as delivered only when fully replicated. */
export const ACKS_ALL = -1;

/** Runs fn with a connected admin client, disconnected after whatever fn did. */
async function withAdmin<T>(handle: KafkaHandle, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = handle.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

export interface EnsureTopicsOptions {
  /**
   * Tries in all (default 1). More for callers that may race another process creating the same topics (the
   * loser's create fails with "already exists": the next try sees them) or that create right after deletes
   * (a busy broker answers a leader check with a retriable error).
   */
  attempts?: number;
  /** Wait before try k+1 is k x this. @default 500 */
  retryDelayMs?: number;
  onRetry?: (err: unknown, attempt: number) => void;
}

/** Creates the catalogue's topics that are missing; leaves existing ones as they are. Returns the names created. */
export async function ensureTopics(handle: KafkaHandle, specs: readonly TopicSpec[], options: EnsureTopicsOptions = {}): Promise<string[]> {
  const attempts = options.attempts ?? 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await createMissing(handle, specs);
    } catch (err) {
      if (attempt >= attempts) throw err;
      options.onRetry?.(err, attempt);
      await new Promise((r) => setTimeout(r, (options.retryDelayMs ?? 500) * attempt));
    }
  }
}

function createMissing(handle: KafkaHandle, specs: readonly TopicSpec[]): Promise<string[]> {
  return withAdmin(handle, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(handle.topic(s)));
    if (missing.length === 0) return [];
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((s) => ({
        topic: handle.topic(s),
        numPartitions: s.partitions ?? handle.config.partitions,
        replicationFactor: handle.config.replicationFactor,
        configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    // waitForLeaders only waits for metadata to name a leader; under load a KRaft broker can still answer
    // UNKNOWN_TOPIC_OR_PARTITION for a moment after, which kafkajs' consumer does not retry on join. Ask each
    // new topic's leader for its offsets until it answers, so callers start on topics that are really there.
    const created = missing.map((s) => handle.topic(s));
    for (const topic of created) await untilHosted(() => admin.fetchTopicOffsets(topic), topic);
    return created;
  });
}

async function untilHosted(probe: () => Promise<unknown>, topic: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    try {
      await probe();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`topic ${topic} created but not served by its leader after ${timeoutMs} ms: ${(err as Error).message}`, { cause: err });
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** The names among `names` that the cluster does not have. */
export function missingTopics(handle: KafkaHandle, names: readonly string[]): Promise<string[]> {
  return withAdmin(handle, async (admin) => {
    const existing = new Set(await admin.listTopics());
    return names.filter((n) => !existing.has(n));
  });
}

/** Deletes topics (tests clean up with it). */
export function deleteTopics(handle: KafkaHandle, names: string[]): Promise<void> {
  return withAdmin(handle, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const present = names.filter((n) => existing.has(n));
    if (present.length) await admin.deleteTopics({ topics: present });
  });
}
