// The detect stage with its detectors on the worker thread (detect.workerThread, the default), on the real
// broker: messages that do not decode are dead-lettered with the runtime's reasons while the good ones around
// them get their alerts; a worker that dies is restarted and the listings after it still get their alerts.
// With recall_match on its own thread (detect.recallThread, the default): the alerts are the ones the engine
// gives on one thread, and when the recall worker dies both are restarted.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadReferenceFile } from '../../detectors/reference/load.ts';
import { DETECTORS } from '../../detectors/index.ts';
import { createReferenceViews } from '../../detectors/reference/views.ts';
import { createDetectEngine } from '../../pipeline/stages/detect-engine.ts';
import { Alert, type ListingSnapshot } from '../../pipeline/contracts/index.ts';
import { ACKS_ALL, createKafka, deleteTopics, ensureTopics, type KafkaHandle } from '../../pipeline/kafka.ts';
import { createStage } from '../../pipeline/runtime/stage.ts';
import { createDetectStage, detectWorkersOf } from '../../pipeline/stages/detect.ts';
import { allTopics, topics } from '../../pipeline/topics.ts';
import { testConfig, testLogger } from '../support/env.ts';
import { readTopic } from '../support/kafka.ts';
import { certificate, listing as validListing, recall } from './support/fixtures.ts';

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

/**
 * A detect stage on worker threads running `detectors` (default certificate_mismatch alone), over a register
 * of one certificate (listing() shows another number) and one recall (recall()).
 */
async function setup(detectors: readonly string[] = ['certificate_mismatch']) {
  const base = testConfig({ runtime: { maxBatchSize: 10 } });
  const config = { ...base, detect: { ...base.detect, priceHistoryDays: 0, detectors: Object.fromEntries(Object.keys(DETECTORS).map((n) => [n, { enabled: detectors.includes(n) }])) } };
  expect(config.detect.workerThread).toBe(true);
  expect(config.detect.recallThread).toBe(true);
  const logger = testLogger(config);
  const kafka = createKafka(config.kafka, logger);
  await ensureTopics(kafka, allTopics);
  cleanups.push(() => deleteTopics(kafka, allTopics.map((t) => kafka.topic(t))));
  const dir = mkdtempSync(join(tmpdir(), 'sw-detect-worker-'));
  writeFileSync(join(dir, 'certs.ndjson'), JSON.stringify(certificate()) + '\n');
  expect((await loadReferenceFile(kafka, config, 'certificates', join(dir, 'certs.ndjson'))).loaded).toBe(1);
  writeFileSync(join(dir, 'recalls.ndjson'), JSON.stringify(recall()) + '\n');
  expect((await loadReferenceFile(kafka, config, 'recalls', join(dir, 'recalls.ndjson'))).loaded).toBe(1);
  const def = createDetectStage(config, logger);
  const stage = createStage(def, { kafka, logger, runtime: config.runtime });
  cleanups.push(() => stage.stop());
  await stage.start();
  return { kafka, def, stage, config, logger };
}

const subjectsOf = (msgs: { value: Buffer | null }[]) => msgs.map((m) => Alert.parse(JSON.parse(m.value!.toString('utf8')))).map((a) => `${a.subject_id}:${a.rule_id}`).sort();

describe('detect stage on its worker thread (real Kafka)', () => {
  it('dead-letters what does not decode, with the runtime reasons, and alerts on the good listings around it', async () => {
    const { kafka, def, stage } = await setup();
    expect(detectWorkersOf(def)[0]).toBeDefined();
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
    const first = detectWorkersOf(def)[0]!;
    const busyBefore = stage.metrics.busy.get('worker')!();
    expect(busyBefore).toBeGreaterThan(0);
    await first.terminate();
    await new Promise((r) => setImmediate(r));
    // The dead worker's busy time stays counted (the next one starts with the next batch).
    expect(stage.metrics.busy.get('worker')!()).toBe(busyBefore);
    await publish(kafka, [listing({ listing_id: 'after1' }), listing({ listing_id: 'after2' })]);
    const got = await readTopic(kafka, kafka.topic(topics.alerts), 3);
    expect(subjectsOf(got)).toEqual(['after1:ccc_not_in_register', 'after2:ccc_not_in_register', 'before:ccc_not_in_register']);
    expect(detectWorkersOf(def)[0]).toBeDefined();
    expect(detectWorkersOf(def)[0]).not.toBe(first);
    expect(stage.metrics.errors.get('detect_worker_exit')).toBe(1);
    expect(stage.metrics.busy.get('worker')!()).toBeGreaterThan(busyBefore);
    expect(stage.metrics.deadLettered.size).toBe(0);
  }, 120_000);

  describe('with recall_match on its own thread (detect.recallThread)', () => {
    /** Listings for recall R1 (罗马仕 PAC20), and not; all show a certificate number not in the register. */
    const recalled = (id: string) => listing({ listing_id: id, title: `罗马仕 移动电源 PAC20 快充 ${id}`, brand: '罗马仕', model: 'PAC20', category: 'power_bank' });

    it('gives the alerts the engine gives on one thread, message by message, and dead-letters what does not decode', async () => {
      const { kafka, def, stage, config, logger } = await setup(['certificate_mismatch', 'recall_match']);
      expect(detectWorkersOf(def)).toHaveLength(2);
      const values = [listing({ listing_id: 'a' }), recalled('r1'), '{"listing_id": "broken', listing({ listing_id: 'b', title: '罗马仕 移动电源 PAC99' }), recalled('r2'), listing({ listing_id: 'c' })];
      await publish(kafka, values);
      // The same listings through the engine on this thread, over the same register.
      const views = createReferenceViews();
      views.apply('certificates', certificate().number, certificate());
      views.apply('recalls', recall().recall_id, recall());
      const engine = createDetectEngine(config, logger, { views });
      await engine.start();
      const expected = values.filter((v): v is ListingSnapshot => typeof v !== 'string').flatMap((l) => engine.detect({ kind: 'listing', snapshot: l }));
      expect(expected.filter((a) => a.detector === 'recall_match').map((a) => a.subject_id).sort()).toEqual(['r1', 'r2']);
      const got = await readTopic(kafka, kafka.topic(topics.alerts), expected.length);
      expect(got.map((m) => [m.key, JSON.parse(m.value!.toString('utf8'))]).sort()).toEqual(expected.map((a) => [a.alert_id, JSON.parse(JSON.stringify(a))]).sort());
      const dead = await readTopic(kafka, kafka.topic(topics.deadLetters), 1);
      expect(JSON.parse(dead[0]!.value!.toString('utf8')).reason).toBe('invalid_json');
      expect(stage.metrics.resolved).toBe(values.length);
      const busy = /^shelfwatch_stage_busy_seconds_total\{stage="detect",thread="recall_worker"\} ([\d.]+)$/m.exec(stage.metrics.toPrometheus());
      expect(Number(busy?.[1])).toBeGreaterThan(0);
    }, 120_000);

    it('restarts both workers when the recall one dies; the listings after it still get both kinds of alerts', async () => {
      const { kafka, def, stage } = await setup(['certificate_mismatch', 'recall_match']);
      await publish(kafka, [recalled('before')]);
      const kinds = (id: string) => [`${id}:ccc_category_mismatch`, `${id}:ccc_not_in_register`, `${id}:recalled_product`];
      expect(subjectsOf(await readTopic(kafka, kafka.topic(topics.alerts), 3))).toEqual(kinds('before'));
      const [main, recallWorker] = detectWorkersOf(def);
      const mainExited = new Promise((r) => main!.once('exit', r));
      await recallWorker!.terminate();
      await mainExited; // stopped with it: the two work as one
      await publish(kafka, [recalled('after')]);
      const got = await readTopic(kafka, kafka.topic(topics.alerts), 6);
      expect(subjectsOf(got)).toEqual([...kinds('after'), ...kinds('before')]);
      const now = detectWorkersOf(def);
      expect(now).toHaveLength(2);
      expect(now).not.toContain(main);
      expect(now).not.toContain(recallWorker);
      expect(stage.metrics.errors.get('detect_worker_exit')).toBe(1);
    }, 120_000);
  });
});
