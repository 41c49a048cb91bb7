// The stage runtime against the real broker: validation, dead-lettering, ordering, retries, metrics.
import { AssignerProtocol } from 'kafkajs';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DeadLetter, ListingSnapshot, type ListingSnapshot as Listing } from '../../pipeline/contracts/index.ts';
import { ACKS_ALL, createKafka, deleteTopics, ensureTopics, type KafkaHandle } from '../../pipeline/kafka.ts';
import { createLogger } from '../../pipeline/logger.ts';
import { RetryableError, ok } from '../../pipeline/runtime/result.ts';
import { createStage, type Stage, type StageDefinition } from '../../pipeline/runtime/stage.ts';
import { MALFORMED_SAMPLES, sampleListings } from '../../pipeline/sample.ts';
import { createIngestStage } from '../../pipeline/stages/ingest.ts';
import { allTopics, topics } from '../../pipeline/topics.ts';
import { eventually, testConfig, testLogger } from '../support/env.ts';
import { readTopic } from '../support/kafka.ts';
import { expectStandardMetrics } from '../support/metrics.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(runtime: { maxBatchSize?: number } = {}) {
  const config = testConfig({ runtime });
  const logger = testLogger(config);
  const kafka = createKafka(config.kafka, logger);
  await ensureTopics(kafka, allTopics);
  cleanups.push(() => deleteTopics(kafka, allTopics.map((t) => kafka.topic(t))));
  return { config, logger, kafka };
}

async function publishToPartition(kafka: KafkaHandle, values: string[], partition = 0) {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: kafka.topic(topics.listingsIncoming),
    acks: ACKS_ALL,
    messages: values.map((value, i) => ({ key: `k${i}`, value, partition })),
  });
  await producer.disconnect();
}

const sortById = <T extends { listing_id: string }>(xs: T[]) => [...xs].sort((a, b) => a.listing_id.localeCompare(b.listing_id));

/** Output partitions each hold their messages in input order (keyed routing keeps per-key order). */
function expectInputOrderWithinPartitions(got: [number, string][], inputOrder: string[]) {
  const rank = new Map(inputOrder.map((id, i) => [id, i]));
  const byPartition = new Map<number, number[]>();
  for (const [p, id] of got) byPartition.set(p, [...(byPartition.get(p) ?? []), rank.get(id)!]);
  for (const ranks of byPartition.values()) expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
}

function run(stage: Stage): Stage {
  cleanups.push(() => stage.stop());
  return stage;
}

describe('stage runtime (real Kafka)', () => {
  it('forwards valid messages in order and dead-letters malformed ones without stopping the partition', async () => {
    const { config, logger, kafka } = await setup({ maxBatchSize: 7 });
    const listings = sampleListings(40, 3);
    const values = listings.map((l) => JSON.stringify(l));
    // Malformed messages in the middle of one partition: the ones after them must still be processed.
    values.splice(10, 0, MALFORMED_SAMPLES[0]!);
    values.splice(25, 0, MALFORMED_SAMPLES[1]!);
    values.splice(30, 0, MALFORMED_SAMPLES[2]!);
    await publishToPartition(kafka, values, 0);

    const stage = run(createStage(createIngestStage(), { kafka, logger, runtime: config.runtime }));
    await stage.start();

    const forwarded = await readTopic(kafka, kafka.topic(topics.listings), 40);
    const got = forwarded.map((m) => ListingSnapshot.parse(JSON.parse(m.value!.toString())));
    expect(sortById(got)).toEqual(sortById(listings));
    expect(forwarded.every((m, i) => m.key === `${got[i]!.platform}:${got[i]!.listing_id}`)).toBe(true);
    expectInputOrderWithinPartitions(forwarded.map((m, i) => [m.partition, got[i]!.listing_id]), listings.map((l) => l.listing_id));

    const dead = (await readTopic(kafka, kafka.topic(topics.deadLetters), 3))
      .map((m) => DeadLetter.parse(JSON.parse(m.value!.toString())))
      .sort((a, b) => Number(a.source.offset) - Number(b.source.offset));
    expect(dead.map((d) => [d.source.offset, d.reason])).toEqual([
      ['10', 'invalid_json'],
      ['25', 'schema_mismatch'],
      ['30', 'invalid_json'],
    ]);
    expect(Buffer.from(dead[1]!.original_base64, 'base64').toString()).toBe(MALFORMED_SAMPLES[1]);
    expect(dead[1]!.error).toMatch(/listing_id|snapshot_id|price/);
    expect(dead.every((d) => d.stage === 'ingest' && d.source.topic === kafka.topic(topics.listingsIncoming))).toBe(true);

    expect(await eventually(async () => stage.metrics.resolved === 43)).toBe(true);
    const m = stage.metrics.snapshot();
    expect(m).toMatchObject({ received: 43, sent: 40, deadLettered: { invalid_json: 2, schema_mismatch: 1 } });
    expect(m.lag[`${kafka.topic(topics.listingsIncoming)}:0`]).toBe(0);
    expectStandardMetrics(stage.metrics);
  });

  it('retries a retryable failure with backoff and loses nothing; dead-letters only the message that keeps throwing', async () => {
    const { config, logger, kafka } = await setup({ maxBatchSize: 5 });
    const listings = sampleListings(12, 4);
    await publishToPartition(kafka, listings.map((l) => JSON.stringify(l)));
    const poison = listings[6]!.listing_id;
    let outages = 2;
    const def: StageDefinition<typeof ListingSnapshot> = {
      name: 'flaky',
      inputs: [topics.listingsIncoming],
      handle(batch) {
        if (outages > 0) {
          outages--;
          throw new RetryableError('database unavailable');
        }
        if (batch.some((m) => m.value.listing_id === poison)) throw new Error('bug on this one');
        return batch.map((m) => ok([{ topic: topics.listings, key: m.value.listing_id, value: m.value }]));
      },
    };
    const stage = run(createStage(def, { kafka, logger, runtime: config.runtime, backoff: { initialMs: 50, maxMs: 200 } }));
    await stage.start();
    const out = await readTopic(kafka, kafka.topic(topics.listings), 11);
    expect(out.map((m) => m.key).sort()).toEqual(listings.filter((l) => l.listing_id !== poison).map((l) => l.listing_id).sort());
    const dead = await readTopic(kafka, kafka.topic(topics.deadLetters), 1);
    const dl = DeadLetter.parse(JSON.parse(dead[0]!.value!.toString()));
    expect(dl).toMatchObject({ reason: 'handler_error', stage: 'flaky', source: { offset: '6' } });
    expect(JSON.parse(Buffer.from(dl.original_base64, 'base64').toString()).listing_id).toBe(poison);
    expect(stage.metrics.errors.get('retryable')).toBe(2);
  });

  it('several consumers share the partitions: each holds one, every message is handled once', async () => {
    const { config } = await setup({ maxBatchSize: 10 });
    // Their joins rebalance the group: routine, so kafkajs's 'rebalancing' protocol error is not a warning.
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', format: 'json' }, new Writable({ write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()) }));
    const kafka = createKafka(config.kafka, logger);
    const seen: string[] = [];
    const def: StageDefinition = {
      name: 'multi_consumer_test',
      inputs: [topics.listingsIncoming],
      consumers: 3,
      handle: (batch) => batch.map((m) => (seen.push(`${m.partition}:${m.offset}`), ok())),
    };
    const stage = run(createStage(def, { kafka, logger, runtime: config.runtime }));
    await stage.start();
    // The group settles with three members, one partition each (the topic has three).
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const assigned = async () => {
      const [group] = (await admin.describeGroups([stage.groupId])).groups;
      if (group?.state !== 'Stable') return null;
      return group.members.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[kafka.topic(topics.listingsIncoming)] ?? []);
    };
    expect(await eventually(async () => (await assigned())?.every((ps) => ps.length === 1) ?? false, 30_000)).toBe(true);
    expect((await assigned())!.flat().sort()).toEqual([0, 1, 2]);
    for (const p of [0, 1, 2]) await publishToPartition(kafka, sampleListings(12, p).map((l) => JSON.stringify(l)), p);
    expect(await eventually(async () => stage.metrics.resolved >= 36)).toBe(true);
    expect([...seen].sort()).toEqual([0, 1, 2].flatMap((p) => Array.from({ length: 12 }, (_, o) => `${p}:${o}`)).sort());
    const logged = lines.map((l) => JSON.parse(l) as { level: number; msg: string; error?: string });
    expect(logged.filter((l) => l.level >= 40).map((l) => `${l.msg} ${l.error ?? ''}`)).toEqual([]);
  });

  it('commits only what was delivered: a second instance of the group resumes where the first stopped', async () => {
    const { config, logger, kafka } = await setup({ maxBatchSize: 10 });
    const first = sampleListings(30, 5);
    await publishToPartition(kafka, first.map((l) => JSON.stringify(l)));
    const a = createStage(createIngestStage(), { kafka, logger, runtime: config.runtime });
    await a.start();
    expect(await eventually(async () => a.metrics.resolved === 30)).toBe(true);
    await a.stop();
    const second = sampleListings(20, 6);
    await publishToPartition(kafka, second.map((l) => JSON.stringify(l)));
    const b = run(createStage(createIngestStage(), { kafka, logger, runtime: config.runtime }));
    await b.start();
    expect(await eventually(async () => b.metrics.resolved === 20)).toBe(true);
    // Nothing was handled twice: the group's committed offset was past the first 30.
    expect(b.metrics.received).toBe(20);
    const out: Listing[] = (await readTopic(kafka, kafka.topic(topics.listings), 50)).map((m) => JSON.parse(m.value!.toString()));
    expect(sortById(out)).toEqual(sortById([...first, ...second]));
  });
});
