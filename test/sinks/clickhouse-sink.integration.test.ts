// sink_clickhouse on the real broker and server: every input topic lands in its table once, rows of many
// slices share INSERTs, rows the server rejects as data go to the dead-letter topic while the rest lands,
// and a replay of every topic doubles nothing in FINAL results.
import { afterEach, describe, expect, it } from 'vitest';
import { type ClickHouse } from '../../pipeline/clickhouse/client.ts';
import { alertFromRow, livestreamFromRow } from '../../pipeline/clickhouse/rows.ts';
import { type Config } from '../../pipeline/config.ts';
import { ListingSnapshot, makeDeadLetter, type Alert, type DeadLetter } from '../../pipeline/contracts/index.ts';
import { ACKS_ALL, type KafkaHandle } from '../../pipeline/kafka.ts';
import { createStage } from '../../pipeline/runtime/stage.ts';
import { sampleListings } from '../../pipeline/sample.ts';
import { topics, type TopicSpec } from '../../pipeline/topics.ts';
import { sampleAlerts, sampleLivestreamAlerts, sampleLivestreams } from '../../sinks/clickhouse/samples.ts';
import { createClickHouseSinkStage } from '../../sinks/clickhouse/stage.ts';
import { eventually } from '../support/env.ts';
import { setupPipelineTest } from '../support/pipeline.ts';
import { readTopic } from '../support/kafka.ts';
import { expectStandardMetrics } from '../support/metrics.ts';
import { HOSTILE } from '../clickhouse/helpers.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

async function setup(runtime: Partial<Config['runtime']> = {}) {
  const t = await setupPipelineTest(runtime);
  cleanups.push(t.cleanup);
  return t;
}

async function publish(kafka: KafkaHandle, topic: TopicSpec, values: { key: string; value: unknown }[]) {
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < values.length; i += 1000) {
    await producer.send({ topic: kafka.topic(topic), acks: ACKS_ALL, messages: values.slice(i, i + 1000).map((v) => ({ key: v.key, value: JSON.stringify(v.value) })) });
  }
  await producer.disconnect();
}

/** A real client that counts INSERTs (everything goes to the server). */
function counting(ch: ClickHouse) {
  const inserts: { table: string; rows: number }[] = [];
  const client: ClickHouse = { ...ch, table: ch.table, insert: async (table, rows, o) => { inserts.push({ table, rows: rows.length }); await ch.insert(table, rows, o); } };
  return { client, inserts };
}

const count = async (ch: ClickHouse, sql: string) => Number((await ch.query<{ n: string }>(sql))[0]!.n);

describe('sink_clickhouse (real Kafka + ClickHouse)', () => {
  it('lands every topic in its table once, batching slices; a replay doubles nothing', async () => {
    const { config, logger, kafka, ch } = await setup({ maxBatchSize: 20, partitionsConsumedConcurrently: 3 });
    const listings = sampleListings(300, 21);
    const streams = sampleLivestreams(6, 10, 21);
    const alerts = [...sampleAlerts(listings, 21), ...sampleLivestreamAlerts(streams)];
    const dead: DeadLetter[] = [0, 1, 2].map((i) => makeDeadLetter({ stage: 'ingest', reason: 'invalid_json', error: 'x', topic: 't', partition: 0, offset: String(i), key: null, timestamp: new Date(0), value: 'v' }));
    const send = async () => {
      await publish(kafka, topics.listings, listings.map((l) => ({ key: `${l.platform}:${l.listing_id}`, value: l })));
      await publish(kafka, topics.livestreams, streams.map((s) => ({ key: `${s.platform}:${s.room_id}`, value: s })));
      await publish(kafka, topics.alerts, alerts.map((a) => ({ key: a.alert_id, value: a })));
      await publish(kafka, topics.deadLetters, dead.map((d) => ({ key: d.dead_letter_id, value: d })));
    };
    // Listings first, alone: three partitions handled at once, so their slices can share INSERTs.
    await publish(kafka, topics.listings, listings.map((l) => ({ key: `${l.platform}:${l.listing_id}`, value: l })));
    const { client, inserts } = counting(ch);
    const stage = createStage(createClickHouseSinkStage(config, logger, client), { kafka, logger, runtime: config.runtime });
    cleanups.push(() => stage.stop());
    await stage.start();
    expect(await eventually(async () => stage.metrics.resolved >= listings.length, 60_000)).toBe(true);
    await publish(kafka, topics.livestreams, streams.map((s) => ({ key: `${s.platform}:${s.room_id}`, value: s })));
    await publish(kafka, topics.alerts, alerts.map((a) => ({ key: a.alert_id, value: a })));
    await publish(kafka, topics.deadLetters, dead.map((d) => ({ key: d.dead_letter_id, value: d })));

    const total = listings.length + streams.length + alerts.length + dead.length;
    expect(await eventually(async () => stage.metrics.resolved >= total, 90_000)).toBe(true);
    const counts = async () => ({
      listings: await count(ch, `SELECT count() AS n FROM ${ch.table('listing_snapshots')} FINAL`),
      streams: await count(ch, `SELECT count() AS n FROM ${ch.table('livestream_snapshots')} FINAL`),
      alerts: await count(ch, `SELECT count() AS n FROM ${ch.table('alerts')} FINAL`),
      dead: await count(ch, `SELECT count() AS n FROM ${ch.table('dead_letters')} FINAL`),
    });
    // A livestream alert id repeats when the same claim is heard again in the same room: one row per id.
    const expected = { listings: listings.length, streams: streams.length, alerts: new Set(alerts.map((a) => a.alert_id)).size, dead: dead.length };
    expect(await counts()).toEqual(expected);
    // 300 listings in slices of 20 on 3 partitions = at least 15 slices; batching puts several in one INSERT.
    const listingInserts = inserts.filter((i) => i.table === 'listing_snapshots');
    expect(listingInserts.reduce((a, i) => a + i.rows, 0)).toBe(listings.length);
    expect(listingInserts.length).toBeLessThan(15);
    expect(Math.max(...listingInserts.map((i) => i.rows))).toBeGreaterThan(20);

    // Values read back equal.
    const backAlerts = (await ch.query(`SELECT * FROM ${ch.table('alerts')} FINAL`)).map(alertFromRow);
    const listingAlerts = alerts.filter((a) => a.subject_kind === 'listing');
    const byAlertId = (xs: Alert[]) => [...xs].sort((a, b) => a.alert_id.localeCompare(b.alert_id));
    expect(byAlertId(backAlerts.filter((a) => a.subject_kind === 'listing'))).toEqual(byAlertId(listingAlerts));
    const backStreams = (await ch.query(`SELECT * FROM ${ch.table('livestream_snapshots')} FINAL`)).map(livestreamFromRow);
    expect(backStreams.length).toBe(streams.length);
    expect(backStreams.find((s) => s.snapshot_id === streams[7]!.snapshot_id)).toEqual(streams[7]);
    expectStandardMetrics(stage.metrics);

    // Replay: everything published again lands again, and FINAL still counts each once.
    const before = stage.metrics.resolved;
    await send();
    expect(await eventually(async () => stage.metrics.resolved - before >= total, 90_000)).toBe(true);
    expect(await counts()).toEqual(expected);
  }, 180_000);

  it('sends rows the server rejects as data to the dead-letter topic; the good rows around them land', async () => {
    const { config, logger, kafka, ch } = await setup({ maxBatchSize: 50 });
    // A real server-side data error: urls longer than 48 bytes do not fit this column (code 131).
    await ch.command(`ALTER TABLE ${ch.table('listing_snapshots')} MODIFY COLUMN url FixedString(48)`);
    const listings = sampleListings(120, 22).map((l, i) => (i % 40 === 7 ? { ...l, url: `${l.url}?${'x'.repeat(60)}` } : l));
    const bad = listings.filter((l) => l.url.length > 48);
    expect(bad.length).toBe(3);
    expect(listings.filter((l) => l.url.length <= 48).length).toBe(117); // the others fit
    await publish(kafka, topics.listings, listings.map((l) => ({ key: `${l.platform}:${l.listing_id}`, value: l })));

    const stage = createStage(createClickHouseSinkStage(config, logger), { kafka, logger, runtime: config.runtime });
    cleanups.push(() => stage.stop());
    await stage.start();
    expect(await eventually(async () => stage.metrics.resolved >= listings.length, 60_000)).toBe(true);
    expect(await count(ch, `SELECT count() AS n FROM ${ch.table('listing_snapshots')} FINAL`)).toBe(117);
    const dlq = await readTopic(kafka, kafka.topic(topics.deadLetters), 3, 30_000);
    const letters = dlq.map((m) => JSON.parse(m.value!.toString('utf8')) as DeadLetter);
    expect(letters.map((d) => d.reason)).toEqual(['clickhouse_rejected_row', 'clickhouse_rejected_row', 'clickhouse_rejected_row']);
    expect(letters.every((d) => d.stage === 'sink_clickhouse' && /131|TOO_LARGE_STRING_SIZE/.test(d.error))).toBe(true);
    const originals = letters.map((d) => (JSON.parse(Buffer.from(d.original_base64, 'base64').toString('utf8')) as { listing_id: string }).listing_id).sort();
    expect(originals).toEqual(bad.map((l) => l.listing_id).sort());
    expect(stage.metrics.deadLettered.get('clickhouse_rejected_row')).toBe(3);
  }, 120_000);

  it('listings arrive unparsed: the sink dead-letters what fails the contract with its reason, also inside a batch the server rejects', async () => {
    const { config, logger, kafka, ch } = await setup({ maxBatchSize: 50 });
    expect(createClickHouseSinkStage(config, logger).rawInputs).toEqual([topics.listings]);
    // The server rejects urls longer than 48 bytes (code 131), which fails the streamed batch as a whole.
    await ch.command(`ALTER TABLE ${ch.table('listing_snapshots')} MODIFY COLUMN url FixedString(48)`);
    const good = sampleListings(60, 24);
    const longUrl = { ...good[5]!, url: `${good[5]!.url}?${'x'.repeat(60)}` };
    const longTitle = { ...good[6]!, title: 't'.repeat(2001) }; // plain shape, but over the contract's title limit
    const missingKey = Object.fromEntries(Object.entries(good[7]!).filter(([k]) => k !== 'gtin'));
    const rest = good.filter((_, i) => i < 5 || i > 7);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: kafka.topic(topics.listings),
      acks: ACKS_ALL,
      messages: [
        ...rest.slice(0, 20).map((l) => ({ key: 'k', value: JSON.stringify(l) })),
        { key: 'bad-json', value: '{"schema_version":1,' },
        { key: 'missing-key', value: JSON.stringify(missingKey) },
        { key: 'long-url', value: JSON.stringify(longUrl) },
        { key: 'long-title', value: JSON.stringify(longTitle) },
        ...rest.slice(20).map((l) => ({ key: 'k', value: JSON.stringify(l) })),
      ].map((m) => ({ ...m, partition: 0 })),
    });
    await producer.disconnect();
    const stage = createStage(createClickHouseSinkStage(config, logger), { kafka, logger, runtime: config.runtime });
    cleanups.push(() => stage.stop());
    await stage.start();
    expect(await eventually(async () => stage.metrics.resolved >= rest.length + 4, 60_000)).toBe(true);
    expect(await count(ch, `SELECT count() AS n FROM ${ch.table('listing_snapshots')} FINAL`)).toBe(rest.length);
    const letters = (await readTopic(kafka, kafka.topic(topics.deadLetters), 4, 30_000)).map((m) => JSON.parse(m.value!.toString('utf8')) as DeadLetter);
    const byKey = new Map(letters.map((d) => [Buffer.from(d.source.key!, 'base64').toString(), d]));
    expect(letters.every((d) => d.stage === 'sink_clickhouse')).toBe(true);
    expect(byKey.get('bad-json')!.reason).toBe('invalid_json');
    expect(byKey.get('missing-key')!.reason).toBe('schema_mismatch');
    expect(byKey.get('missing-key')!.error).toMatch(/gtin/);
    expect(byKey.get('long-title')!.reason).toBe('schema_mismatch');
    expect(byKey.get('long-title')!.error).toMatch(/title/);
    expect(byKey.get('long-url')!.reason).toBe('clickhouse_rejected_row');
  }, 120_000);

  it('SQL-injection strings in titles land verbatim through the sink and execute nothing', async () => {
    const { config, logger, kafka, ch } = await setup({ maxBatchSize: 7 });
    // Canaries the hostile titles name ("'); DROP TABLE x; --").
    await ch.command(`CREATE TABLE ${ch.table('x')} (a UInt8) ENGINE = Memory`);
    await ch.command(`INSERT INTO ${ch.table('x')} VALUES (1)`);
    const tablesBefore = await ch.query<{ name: string }>(`SELECT name FROM system.tables WHERE database = '${config.clickhouse.database}' ORDER BY name`);
    const titles = [...HOSTILE, "x'); DROP TABLE listing_snapshots; --", '1; ALTER TABLE alerts DELETE WHERE 1; --', '{"a":1}\n{"b":2}'];
    // Only titles the contract accepts reach the sink (an empty or 20k-character title is a schema dead letter).
    const listings = sampleListings(titles.length, 23)
      .map((l, i) => ({ ...l, title: titles[i]! }))
      .filter((l) => ListingSnapshot.safeParse(l).success);
    expect(listings.length).toBeGreaterThanOrEqual(titles.length - 2);
    await publish(kafka, topics.listings, listings.map((l) => ({ key: `${l.platform}:${l.listing_id}`, value: l })));
    const stage = createStage(createClickHouseSinkStage(config, logger), { kafka, logger, runtime: config.runtime });
    cleanups.push(() => stage.stop());
    await stage.start();
    expect(await eventually(async () => stage.metrics.resolved >= listings.length, 60_000)).toBe(true);
    const back = await ch.query<{ listing_id: string; title: string }>(`SELECT listing_id, title FROM ${ch.table('listing_snapshots')} FINAL`);
    expect(new Map(back.map((r) => [r.listing_id, r.title]))).toEqual(new Map(listings.map((l) => [l.listing_id, l.title])));
    expect(await ch.query(`SELECT name FROM system.tables WHERE database = '${config.clickhouse.database}' ORDER BY name`)).toEqual(tablesBefore);
    expect(await count(ch, `SELECT count() AS n FROM ${ch.table('x')}`)).toBe(1);
    expect(stage.metrics.deadLettered.size).toBe(0);
  }, 120_000);
});
