// The stage runtime: what every shelfwatch stage runs on.
// In: one or more catalogue topics, consumed as the consumer group `shelfwatch.<stage name><suffix>`.
// Per slice of a fetched batch: decode + validate (zod; not for the stage's rawInputs, which the handler
// validates) -> handler -> send outputs and dead letters
// (idempotent producer, acks=all) -> resolve offsets -> commit. Offsets are resolved only after every
// output of the slice is acknowledged, so a crash at any point replays, never loses (at-least-once).
// A message that fails validation or handling goes to the dead-letter topic and the partition moves on.
// Outages (RetryableError) are retried with backoff while the partition waits (back-pressure), heartbeating.
import type { z } from 'zod';
import type { RuntimeConfig } from '../config.ts';
import { makeDeadLetter } from '../contracts/index.ts';
import { ACKS_ALL, type Consumer, type EachBatchPayload, type KafkaHandle, type KafkaMessage, type Producer } from '../kafka.ts';
import type { Logger } from '../logger.ts';
import { topics, type TopicSpec } from '../topics.ts';
import { StageMetrics } from './metrics.ts';
import { createJsonDecoder } from './validator.ts';
import { REASONS, isRetryable, type OutputMessage, type StepResult } from './result.ts';

export interface InputMessage<T> {
  readonly value: T;
  readonly key: string | null;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
  /** The bytes as consumed (evidence, and for pass-through without re-encoding). */
  readonly raw: Buffer;
}

export interface StageContext {
  readonly logger: Logger;
  readonly metrics: StageMetrics;
  /** Keep the consumer-group session alive during long work. */
  heartbeat(): Promise<void>;
}

export interface StageDefinition<S extends z.ZodType = z.ZodType> {
  /** snake_case; also the consumer group id. */
  readonly name: string;
  readonly inputs: readonly TopicSpec<S>[];
  /**
   * Handles a slice of validated messages and returns exactly one result per message, in order.
   * Calls for one partition are made in offset order; a call may start while earlier calls of the same
   * partition are still pending (at most runtime.maxInFlightSlices), e.g. a sink waiting for a full batch.
   * Calls for different partitions may run concurrently.
   * Throw RetryableError for outages (retried with backoff, nothing is dead-lettered); any other throw is
   * taken as a bug or bad data: the slice is retried message by message and the ones that throw again
   * are dead-lettered with reason `handler_error`.
   */
  handle(batch: readonly InputMessage<z.infer<S>>[], ctx: StageContext): Promise<readonly StepResult[]> | readonly StepResult[];
  /**
   * Slices of one partition this stage may have in flight, when it needs more than runtime.maxInFlightSlices:
   * a sink that batches across slices keeps filling its next batch while the previous one is written.
   */
  readonly maxInFlightSlices?: number;
  /**
   * Inputs handed to the handler as consumed, neither parsed nor validated here: `value` is undefined and
   * `raw` holds the bytes (tombstones are still dropped). The handler owns validation and returns dlq results
   * for what fails it. For a sink that forwards the bytes of a topic already validated when it was written.
   */
  readonly rawInputs?: readonly TopicSpec[];
  /**
   * Bytes one fetch may take from a partition, instead of the runtime's 8 MiB (at most
   * runtime.maxInFlightBytes / partitionsConsumedConcurrently). More: kafkajs fetches again only after every
   * slice of the last fetch was delivered, so a sink that waits for its INSERTs stalls once per fetch; fewer,
   * larger fetches stall less often. Less: a stage whose work is elsewhere (the detect worker) holds less.
   */
  readonly maxBytesPerPartition?: number;
  /**
   * Kafka consumers of this stage, in its one group (default 1). kafkajs fetches again only after every batch
   * of a consumer's last fetch was handled, so a stage whose work is elsewhere (the detect worker) idles at
   * each fetch; with one consumer per partition, one fetches while the others' slices are worked on.
   * runtime.maxInFlightBytes is shared among them.
   */
  readonly consumers?: number;
  /** Called once before consuming starts (open sinks, load reference views). */
  start?(ctx: StageContext): Promise<void>;
  /** Called once after consuming stopped. */
  stop?(): Promise<void>;
}

export interface StageDeps {
  kafka: KafkaHandle;
  logger: Logger;
  runtime: RuntimeConfig;
  /** Start from the earliest offset when the group has none (default true: nothing is skipped). */
  fromBeginning?: boolean;
  /** Backoff bounds for RetryableError, ms. */
  backoff?: { initialMs: number; maxMs: number };
}

export interface Stage {
  readonly name: string;
  readonly groupId: string;
  /** The topics it consumes (names with the config's suffix). */
  readonly inputs: readonly string[];
  readonly metrics: StageMetrics;
  start(): Promise<void>;
  /** Stops consuming after the slice in progress, flushes, disconnects. Idempotent. */
  stop(): Promise<void>;
}

interface Outgoing {
  topic: string;
  messages: { key: string | null; value: Buffer | string; headers?: Record<string, string> }[];
}

export function createStage<S extends z.ZodType>(def: StageDefinition<S>, deps: StageDeps): Stage {
  if (!/^[a-z][a-z0-9_]*$/.test(def.name)) throw new Error(`stage name ${JSON.stringify(def.name)} must be snake_case`);
  const { kafka, runtime } = deps;
  const logger = deps.logger.child({ component: 'stage', name: def.name });
  const metrics = new StageMetrics(def.name);
  const groupId = kafka.topic(`shelfwatch.${def.name}`);
  const dlqTopic = kafka.topic(topics.deadLetters);
  const backoff = deps.backoff ?? { initialMs: 200, maxMs: 30_000 };
  const sliceWindow = Math.max(runtime.maxInFlightSlices, def.maxInFlightSlices ?? 0);
  const topicNames = new Map<TopicSpec, string>();
  const nameOf = (t: TopicSpec): string => {
    let n = topicNames.get(t);
    if (n === undefined) topicNames.set(t, (n = kafka.topic(t)));
    return n;
  };
  const decoderByTopic = new Map(def.inputs.map((t) => [kafka.topic(t), createJsonDecoder(t.value)] as const));
  const rawTopics = new Set((def.rawInputs ?? []).map((t) => kafka.topic(t)));

  const consumers: Consumer[] = [];
  let producer: Producer | undefined;
  let stopping: Promise<void> | undefined;
  let running = false;

  const decode = (topic: string, partition: number, m: KafkaMessage): { ok: InputMessage<z.infer<S>> } | { reason: string; error: string } => {
    if (m.value === null) return { reason: REASONS.tombstone, error: 'null value' };
    if (rawTopics.has(topic)) {
      const key = m.key === null ? null : m.key.toString('utf8');
      return { ok: { value: undefined as z.infer<S>, key, topic, partition, offset: m.offset, timestamp: m.timestamp, raw: m.value } };
    }
    const d = decoderByTopic.get(topic)!(m.value);
    if (!d.ok) return { reason: d.reason, error: d.error };
    return {
      ok: {
        value: d.value,
        key: m.key === null ? null : m.key.toString('utf8'),
        topic,
        partition,
        offset: m.offset,
        timestamp: m.timestamp,
        raw: m.value,
      },
    };
  };

  const deadLetter = (topic: string, partition: number, m: KafkaMessage, reason: string, error: unknown) => {
    const value = makeDeadLetter({
      stage: def.name,
      reason,
      error,
      topic,
      partition,
      offset: m.offset,
      key: m.key,
      timestamp: new Date(Number(m.timestamp)),
      value: m.value,
    });
    metrics.count(metrics.deadLettered, reason);
    return { key: `${topic}:${partition}:${m.offset}`, value: JSON.stringify(value) };
  };

  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

  /** Runs `fn` until it succeeds or throws a non-retryable error; backs off on RetryableError. */
  const withRetry = async <R>(what: string, fn: () => Promise<R>, payload: EachBatchPayload): Promise<R> => {
    let delay = backoff.initialMs;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (!isRetryable(err)) throw err;
        metrics.count(metrics.errors, 'retryable');
        if (!payload.isRunning() || payload.isStale()) throw err; // shutting down or rebalanced: replay later
        logger.warn({ err: (err as Error).message, retryInMs: delay }, `${what} failed, retrying`);
        const until = Date.now() + delay;
        while (Date.now() < until) {
          await sleep(Math.min(1_000, until - Date.now()));
          await payload.heartbeat();
          if (!payload.isRunning()) throw err;
        }
        delay = Math.min(backoff.maxMs, delay * 2);
      }
    }
  };

  const ctxFor = (payload: EachBatchPayload): StageContext => ({ logger, metrics, heartbeat: payload.heartbeat });

  const handleSlice = async (valid: InputMessage<z.infer<S>>[], payload: EachBatchPayload): Promise<readonly StepResult[]> => {
    const ctx = ctxFor(payload);
    const checked = async (batch: InputMessage<z.infer<S>>[]) => {
      const results = await def.handle(batch, ctx);
      if (results.length !== batch.length) throw new Error(`stage ${def.name} returned ${results.length} results for ${batch.length} messages`);
      return results;
    };
    try {
      return await withRetry('handler', () => checked(valid), payload);
    } catch (err) {
      if (isRetryable(err)) throw err;
      metrics.count(metrics.errors, 'handler');
      logger.warn({ err: (err as Error).message, messages: valid.length }, 'handler failed on a slice; retrying message by message');
      const results: StepResult[] = [];
      for (const m of valid) {
        try {
          results.push((await withRetry('handler', () => checked([m]), payload))[0]!);
        } catch (e) {
          if (isRetryable(e)) throw e;
          results.push({ kind: 'dlq', reason: REASONS.handlerError, error: e });
        }
      }
      return results;
    }
  };

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    const all = batch.messages;
    const tp = `${batch.topic}:${batch.partition}`;
    // Slices are pipelined: slice i+1 is decoded and handed to the handler while slice i's handler or send is
    // still pending (a sink waiting for its batch to fill), up to `sliceWindow` slices. Outputs are sent
    // in slice order and each slice's offset resolves only after its own outputs and all earlier ones were
    // acknowledged, so ordering and at-least-once are as with one slice at a time.
    const inFlight: Promise<void>[] = [];
    let delivered: Promise<void> = Promise.resolve();
    for (let i = 0; i < all.length; i += runtime.maxBatchSize) {
      if (!payload.isRunning() || payload.isStale()) break;
      const slice = all.slice(i, i + runtime.maxBatchSize);
      metrics.received += slice.length;

      // 1. decode + validate; invalid ones become dead letters at their position.
      const valid: InputMessage<z.infer<S>>[] = [];
      const validAt: number[] = [];
      const dead: Outgoing['messages'] = [];
      for (let j = 0; j < slice.length; j++) {
        const m = slice[j]!;
        const d = decode(batch.topic, batch.partition, m);
        if ('ok' in d) {
          valid.push(d.ok);
          validAt.push(j);
        } else if (d.reason === REASONS.tombstone) {
          metrics.count(metrics.dropped, REASONS.tombstone);
        } else {
          dead.push(deadLetter(batch.topic, batch.partition, m, d.reason, d.error));
        }
      }

      // 2. handle (handler calls are made in offset order; they may overlap while pending)
      const handled = valid.length ? handleSlice(valid, payload) : Promise.resolve([] as readonly StepResult[]);
      handled.catch(() => {}); // surfaced below, in order

      // 3 + 4. after every earlier slice was delivered: collect outputs, deliver, then resolve the offset.
      const done = delivered.then(async () => {
        const results = await handled;
        const byTopic = new Map<string, Outgoing['messages']>();
        for (let k = 0; k < results.length; k++) {
          const r = results[k]!;
          if (r.kind === 'ok') {
            for (const o of r.outputs) addOutput(byTopic, nameOf(o.topic), o);
          } else if (r.kind === 'drop') {
            metrics.count(metrics.dropped, r.reason);
          } else {
            dead.push(deadLetter(batch.topic, batch.partition, slice[validAt[k]!]!, r.reason, r.error));
          }
        }
        if (dead.length) byTopic.set(dlqTopic, [...(byTopic.get(dlqTopic) ?? []), ...dead]);
        if (byTopic.size) {
          const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
          await producer!.sendBatch({ topicMessages, acks: ACKS_ALL });
          for (const t of topicMessages) if (t.topic !== dlqTopic) metrics.sent += t.messages.length;
        }
        const last = slice[slice.length - 1]!.offset;
        payload.resolveOffset(last);
        metrics.resolved += slice.length;
        metrics.lag.set(tp, Math.max(0, Number(batch.highWatermark) - Number(last) - 1));
      });
      done.catch(() => {}); // surfaced by awaiting `delivered` / the window
      delivered = done;
      inFlight.push(done);
      if (inFlight.length >= sliceWindow) await inFlight.shift();
      await payload.heartbeat();
    }
    await delivered;
    await payload.commitOffsetsIfNecessary();
  };

  const stage: Stage = {
    name: def.name,
    groupId,
    inputs: [...decoderByTopic.keys()],
    metrics,
    async start() {
      if (running) return;
      running = true;
      // Several consumers (def.consumers) share the in-flight bound.
      const n = def.consumers ?? 1;
      const maxBytes = Math.max(64 * 1024, Math.floor(runtime.maxInFlightBytes / n));
      const perPartition = Math.max(64 * 1024, Math.floor(maxBytes / runtime.partitionsConsumedConcurrently));
      producer = kafka.producer();
      await producer.connect();
      if (def.start) await def.start({ logger, metrics, heartbeat: async () => {} });
      for (let i = 0; i < n; i++) {
        const consumer = kafka.consumer(groupId, {
          sessionTimeoutMs: runtime.sessionTimeoutMs,
          maxBytes,
          maxBytesPerPartition: Math.min(perPartition, def.maxBytesPerPartition ?? 8 * 1024 * 1024),
        });
        consumers.push(consumer);
        await consumer.connect();
        await consumer.subscribe({ topics: [...decoderByTopic.keys()], fromBeginning: deps.fromBeginning ?? true });
        consumer.on(consumer.events.CRASH, (e) => {
          metrics.count(metrics.errors, 'consumer_crash');
          logger.error({ err: (e.payload.error as Error)?.message, restart: e.payload.restart }, 'consumer crashed');
        });
      }
      // Started together: within the broker's group.initial.rebalance.delay.ms (3 s by default) they join in
      // one rebalance. With no delay (the local broker's 0) the first may fetch before the others join; what
      // it had not committed then is handled again by the new owner (at-least-once, as after any rebalance).
      await Promise.all(
        consumers.map((c) =>
          c.run({
            eachBatchAutoResolve: false,
            autoCommit: true,
            autoCommitInterval: 1_000,
            partitionsConsumedConcurrently: runtime.partitionsConsumedConcurrently,
            eachBatch,
          }),
        ),
      );
      logger.info({ groupId, inputs: stage.inputs }, 'stage started');
    },
    stop() {
      stopping ??= (async () => {
        if (!running) return;
        await Promise.all(consumers.map((c) => c.disconnect())); // each waits for its batch in progress and commits resolved offsets
        consumers.length = 0;
        await producer?.disconnect();
        await def.stop?.();
        running = false;
        logger.info(metrics.snapshot(), 'stage stopped');
      })();
      return stopping;
    },
  };
  return stage;
}

function addOutput(byTopic: Map<string, Outgoing['messages']>, topic: string, o: OutputMessage): void {
  let list = byTopic.get(topic);
  if (!list) byTopic.set(topic, (list = []));
  const value = o.raw ?? JSON.stringify(o.value);
  list.push(o.headers ? { key: o.key, value, headers: o.headers } : { key: o.key, value });
}

/** Stops every stage on SIGTERM/SIGINT (a second signal exits at once). Returns a function that uninstalls. */
export function stopOnSignals(stages: readonly Stage[], logger: Logger, onStopped: () => void = () => process.exit(0)): () => void {
  let signalled = false;
  const handler = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    signalled = true;
    logger.info({ signal }, 'stopping stages');
    Promise.all(stages.map((s) => s.stop())).then(onStopped, (err) => {
      logger.error({ err: (err as Error).message }, 'error while stopping');
      process.exit(1);
    });
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
