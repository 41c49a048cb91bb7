// The detect stage on the real broker: certificates and recalls loaded from files into the compacted
// reference topics (with `ref load`'s code), a certificate deleted by a tombstone, listings published;
// the alerts topic holds exactly the expected alerts, keyed by deterministic ids, and a replay of the
// listings adds no new alert ids.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DETECTORS } from '../../detectors/index.ts';
import { loadReferenceFile } from '../../detectors/reference/load.ts';
import { Alert, type ListingSnapshot } from '../../pipeline/contracts/index.ts';
import { ACKS_ALL, createKafka, deleteTopics, ensureTopics, type KafkaHandle } from '../../pipeline/kafka.ts';
import { createStage } from '../../pipeline/runtime/stage.ts';
import { createDetectStage } from '../../pipeline/stages/detect.ts';
import { allTopics, topics } from '../../pipeline/topics.ts';
import { testConfig, testLogger } from '../support/env.ts';
import { readTopic } from '../support/kafka.ts';
import { expectStandardMetrics } from '../support/metrics.ts';
import { certificate, listing, recall } from './support/fixtures.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

async function publishListings(kafka: KafkaHandle, ls: ListingSnapshot[]) {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: kafka.topic(topics.listings), acks: ACKS_ALL, messages: ls.map((l) => ({ key: `${l.platform}:${l.listing_id}`, value: JSON.stringify(l) })) });
  await producer.disconnect();
}

describe('detect stage (real Kafka)', () => {
  it('turns listings + reference topics into the expected alerts, deterministically', async () => {
    const base = testConfig({ runtime: { maxBatchSize: 10 } });
    // Only the detectors under test: others have their own tests, and their rules would change the expected set.
    const only = new Set(['certificate_mismatch', 'recall_match']);
    const config = { ...base, detect: { ...base.detect, detectors: Object.fromEntries(Object.keys(DETECTORS).map((n) => [n, { enabled: only.has(n) }])) } };
    const logger = testLogger(config);
    const kafka = createKafka(config.kafka, logger);
    await ensureTopics(kafka, allTopics);
    cleanups.push(() => deleteTopics(kafka, allTopics.map((t) => kafka.topic(t))));

    const dir = mkdtempSync(join(tmpdir(), 'sw-detect-'));
    const certs = [
      certificate(),
      certificate({ number: '2020010702000002', status: 'revoked' }),
      certificate({ number: '2020010702000003' }),
    ];
    const { schema_version: _v, updated_at: _u, ...noMeta } = certs[0]!;
    writeFileSync(
      join(dir, 'certs.ndjson'),
      [...certs.map((c) => JSON.stringify(c)), JSON.stringify({ ...noMeta, number: 'not-a-number' })].join('\n') + '\n',
    );
    writeFileSync(join(dir, 'recalls.ndjson'), JSON.stringify(recall({ recall_id: 'SAMR-2026-001', brand: '罗马仕', models: ['PAC20'] })) + '\n');
    const c = await loadReferenceFile(kafka, config, 'certificates', join(dir, 'certs.ndjson'));
    expect(c).toMatchObject({ loaded: 3, badCount: 1, bad: [{ line: 4 }] });
    expect((await loadReferenceFile(kafka, config, 'recalls', join(dir, 'recalls.ndjson'))).loaded).toBe(1);
    // Tombstone: certificate ...0003 withdrawn from the register -> listings showing it are "not in register".
    const p = kafka.producer();
    await p.connect();
    await p.send({ topic: kafka.topic(topics.certificates), acks: ACKS_ALL, messages: [{ key: '2020010702000003', value: null }] });
    await p.disconnect();

    const ls = [
      listing({ listing_id: 'ok' }),
      listing({ listing_id: 'revoked', ccc_numbers: ['2020010702000002'] }),
      listing({ listing_id: 'withdrawn', ccc_numbers: ['2020010702000003'] }),
      listing({ listing_id: 'forged', ccc_numbers: ['2020 0107 0299 9999'] }),
      listing({ listing_id: 'recalled', title: '罗马仕 PAC20 移动电源 20000毫安', brand: '罗马仕', model: 'PAC20', category: 'power_bank', ccc_numbers: [] }),
    ];
    await publishListings(kafka, ls);

    const stage = createStage(createDetectStage(config, logger), { kafka, logger, runtime: config.runtime });
    cleanups.push(() => stage.stop());
    await stage.start();
    const got = await readTopic(kafka, kafka.topic(topics.alerts), 5, 60_000);
    const alerts = got.map((m) => Alert.parse(JSON.parse(m.value!.toString('utf8'))));
    expect(alerts.map((a) => `${a.subject_id}:${a.rule_id}`).sort()).toEqual([
      'forged:ccc_not_in_register',
      'recalled:ccc_missing',
      'recalled:recalled_product',
      'revoked:ccc_revoked',
      'withdrawn:ccc_not_in_register',
    ]);
    for (const m of got) expect(m.key).toBe(JSON.parse(m.value!.toString('utf8')).alert_id);
    const recalled = alerts.find((a) => a.rule_id === 'recalled_product')!;
    expect(recalled).toMatchObject({ detector: 'recall_match', platform: 'demo_market', seller_id: 'S1', region_code: '440305', evidence: { reference: { recall_id: 'SAMR-2026-001' } } });
    expectStandardMetrics(stage.metrics);

    // Replay: the same listings again give the same alert ids (no new ids on the topic).
    await publishListings(kafka, ls);
    const again = await readTopic(kafka, kafka.topic(topics.alerts), 10, 60_000);
    expect(again).toHaveLength(10);
    expect(new Set(again.map((m) => m.key)).size).toBe(5);
  }, 120_000);
});
