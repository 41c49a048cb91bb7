// The detect stage with its detectors on the worker thread (detect.workerThread, the default), on the real
// broker: messages that do not decode are dead-lettered with the runtime's reasons while the good ones around
// them get their alerts; a worker that dies is restarted and the listings after it still get their alerts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadReferenceFile } from '../../detectors/reference/load.ts';
import { DETECTORS } from '../../detectors/index.ts';
import { Alert, type ListingSnapshot } from '../../pipeline/contracts/index.ts';
import { ACKS_ALL, createKafka, deleteTopics, ensureTopics, type KafkaHandle } from '../../pipeline/kafka.ts';
import { createStage } from '../../pipeline/runtime/stage.ts';
import { createDetectStage, detectWorkerOf } from '../../pipeline/stages/detect.ts';
import { allTopics, topics } from '../../pipeline/topics.ts';
import { testConfig, testLogger } from '../support/env.ts';
import { readTopic } from '../support/kafka.ts';
import { certificate, listing as validListing } from './support/fixtures.ts';

/** A listing showing a CCC number that is not in the register (ccc_not_in_register). */
const listing = (o: Partial<ListingSnapshot> = {}) => validListing({ ccc_numbers: ['2020 0107 0299 9999'], ...o });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

async function publish(kafka: KafkaHandle, values: (ListingSnapshot | string)[]) {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: kafka.topic(topics.listings), acks: ACKS_ALL, messages: values.map((v, i) => ({ key: `k${i}`, value: typeof v === 'string' ? v : JSON.stringify(v) })) });
  await producer.disconnect();
}

async function setup() {
  const base = testConfig({ runtime: { maxBatchSize: 10 } });
  // certificate_mismatch alone, over a register of one certificate: listing() shows another number.
  const config = { ...base, detect: { ...base.detect, priceHistoryDays: 0, detectors: Object.fromEntries(Object.keys(DETECTORS).map((n) => [n, { enabled: n === 'certificate_mismatch' }])) } };
  expect(config.detect.workerThread).toBe(true);
  const logger = testLogger(config);
  const kafka = createKafka(config.kafka, logger);
  await ensureTopics(kafka, allTopics);
  cleanups.push(() => deleteTopics(kafka, allTopics.map((t) => kafka.topic(t))));
  const dir = mkdtempSync(join(tmpdir(), 'sw-detect-worker-'));
  writeFileSync(join(dir, 'certs.ndjson'), JSON.stringify(certificate()) + '\n');
  expect((await loadReferenceFile(kafka, config, 'certificates', join(dir, 'certs.ndjson'))).loaded).toBe(1);
  const def = createDetectStage(config, logger);
  const stage = createStage(def, { kafka, logger, runtime: config.runtime });
  cleanups.push(() => stage.stop());
  await stage.start();
  return { kafka, def, stage };
}

const subjectsOf = (msgs: { value: Buffer | null }[]) => msgs.map((m) => Alert.parse(JSON.parse(m.value!.toString('utf8')))).map((a) => `${a.subject_id}:${a.rule_id}`).sort();

describe('detect stage on its worker thread (real Kafka)', () => {
  it('dead-letters what does not decode, with the runtime reasons, and alerts on the good listings around it', async () => {
    const { kafka, def, stage } = await setup();
    expect(detectWorkerOf(def)).toBeDefined();
    const { listing_id: _drop, ...noId } = listing();
    await publish(kafka, [listing({ listing_id: 'a' }), '{"listing_id": "broken', JSON.stringify(noId), listing({ listing_id: 'b' })]);
    expect(subjectsOf(await readTopic(kafka, kafka.topic(topics.alerts), 2))).toEqual(['a:ccc_not_in_register', 'b:ccc_not_in_register']);
    const dead = await readTopic(kafka, kafka.topic(topics.deadLetters), 2);
    expect(dead.map((m) => JSON.parse(m.value!.toString('utf8')).reason).sort()).toEqual(['invalid_json', 'schema_mismatch']);
    expect(Object.fromEntries(stage.metrics.deadLettered)).toEqual({ invalid_json: 1, schema_mismatch: 1 });
    expect(stage.metrics.resolved).toBe(4);
    // The worker's busy time, as of its last result: more than nothing, less than its whole life.
    const busy = /^shelfwatch_stage_busy_seconds_total\{stage="detect",thread="worker"\} ([\d.]+)$/m.exec(stage.metrics.toPrometheus());
    expect(Number(busy?.[1])).toBeGreaterThan(0);
    expect(Number(busy?.[1]) * 1000).toBeLessThan(performance.now());
  }, 120_000);

  it('restarts a worker that died; the listings after it still get their alerts', async () => {
    const { kafka, def, stage } = await setup();
    await publish(kafka, [listing({ listing_id: 'before' })]);
    expect(await readTopic(kafka, kafka.topic(topics.alerts), 1)).toHaveLength(1);
    const first = detectWorkerOf(def)!;
    const busyBefore = stage.metrics.busy.get('worker')!();
    expect(busyBefore).toBeGreaterThan(0);
    await first.terminate();
    await new Promise((r) => setImmediate(r));
    // The dead worker's busy time stays counted (the next one starts with the next batch).
    expect(stage.metrics.busy.get('worker')!()).toBe(busyBefore);
    await publish(kafka, [listing({ listing_id: 'after1' }), listing({ listing_id: 'after2' })]);
    const got = await readTopic(kafka, kafka.topic(topics.alerts), 3);
    expect(subjectsOf(got)).toEqual(['after1:ccc_not_in_register', 'after2:ccc_not_in_register', 'before:ccc_not_in_register']);
    expect(detectWorkerOf(def)).toBeDefined();
    expect(detectWorkerOf(def)).not.toBe(first);
    expect(stage.metrics.errors.get('detect_worker_exit')).toBe(1);
    expect(stage.metrics.busy.get('worker')!()).toBeGreaterThan(busyBefore);
    expect(stage.metrics.deadLettered.size).toBe(0);
  }, 120_000);
});
