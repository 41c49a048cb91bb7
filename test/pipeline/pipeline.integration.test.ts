// End to end on the real broker and server: snapshots -> ingest -> listings -> sink_clickhouse -> ClickHouse.
// Read back equal; malformed messages land as dead letters (topic and table) while the rest flows; a process
// killed with SIGKILL mid-batch and restarted loses nothing and doubles nothing in query results.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClickHouse } from '../../pipeline/clickhouse/client.ts';
import { listingFromRow } from '../../pipeline/clickhouse/rows.ts';
import { type Config } from '../../pipeline/config.ts';
import { ACKS_ALL, type KafkaHandle } from '../../pipeline/kafka.ts';
import { MALFORMED_SAMPLES, sampleListings } from '../../pipeline/sample.ts';
import { buildStages } from '../../pipeline/topology.ts';
import { topics } from '../../pipeline/topics.ts';
import { eventually } from '../support/env.ts';
import { setupPipelineTest } from '../support/pipeline.ts';
import { readTopic } from '../support/kafka.ts';
import { expectStandardMetrics } from '../support/metrics.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

async function setup(runtime: Partial<Config['runtime']> = {}) {
  const t = await setupPipelineTest(runtime);
  cleanups.push(t.cleanup);
  return t;
}

async function publish(kafka: KafkaHandle, values: string[], partition?: number) {
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < values.length; i += 2000) {
    await producer.send({
      topic: kafka.topic(topics.listingsIncoming),
      acks: ACKS_ALL,
      messages: values.slice(i, i + 2000).map((value, j) => ({ key: `k${i + j}`, value, ...(partition === undefined ? {} : { partition }) })),
    });
  }
  await producer.disconnect();
}

const count = async (ch: ClickHouse, sql: string) => Number((await ch.query<{ n: string }>(sql))[0]!.n);

describe('pipeline end to end (real Kafka + ClickHouse)', () => {
  it('lands every snapshot equal to what was produced, and malformed ones as dead letters', async () => {
    const { config, logger, kafka, ch } = await setup({ maxBatchSize: 25 });
    const listings = sampleListings(120, 11);
    const values = listings.map((l) => JSON.stringify(l));
    values.splice(40, 0, MALFORMED_SAMPLES[0]!);
    values.splice(80, 0, MALFORMED_SAMPLES[1]!);
    await publish(kafka, values, 0);

    const stages = buildStages(config, logger, ['ingest', 'sink_clickhouse'], kafka);
    cleanups.push(async () => void (await Promise.all(stages.map((s) => s.stop()))));
    for (const s of stages) await s.start();

    const t = ch.table('listing_snapshots');
    expect(await eventually(async () => (await count(ch, `SELECT count() AS n FROM ${t} FINAL`)) === 120)).toBe(true);
    const rows = await ch.query(`SELECT * FROM ${t} FINAL ORDER BY listing_id`);
    const back = rows.map(listingFromRow);
    const byId = (a: { listing_id: string }, b: { listing_id: string }) => a.listing_id.localeCompare(b.listing_id);
    expect(back).toEqual([...listings].sort(byId));

    const dl = ch.table('dead_letters');
    expect(await eventually(async () => (await count(ch, `SELECT count() AS n FROM ${dl} FINAL`)) === 2)).toBe(true);
    const dead = await ch.query<{ reason: string; source_offset: string; stage: string }>(`SELECT reason, source_offset, stage FROM ${dl} FINAL ORDER BY toUInt64(source_offset)`);
    expect(dead).toEqual([
      { reason: 'invalid_json', source_offset: '40', stage: 'ingest' },
      { reason: 'schema_mismatch', source_offset: '80', stage: 'ingest' },
    ]);
    for (const s of stages) expectStandardMetrics(s.metrics);
  });

  it('stops cleanly on SIGTERM: exits 0 with its offsets committed, so a restart handles nothing twice', async () => {
    const { config, logger, kafka } = await setup();
    await publish(kafka, sampleListings(300, 31).map((l) => JSON.stringify(l)));
    const dir = mkdtempSync(join(tmpdir(), 'shelfwatch-term-'));
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ ...config, runtime: { ...config.runtime, metricsPort: 0 } }));
    const child = spawn(process.execPath, [join(ROOT, 'bin/shelfwatch.js'), '--config', configFile, 'run', 'ingest'], {
      cwd: ROOT,
      env: { ...process.env, SHELFWATCH_LOG_FORMAT: 'json', SHELFWATCH_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    cleanups.push(async () => void (child.exitCode === null && child.kill('SIGKILL')));
    expect((await readTopic(kafka, kafka.topic(topics.listings), 300)).length).toBe(300);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    await publish(kafka, sampleListings(10, 32).map((l) => JSON.stringify(l)));
    const [again] = buildStages(config, logger, ['ingest'], kafka);
    cleanups.push(() => again!.stop());
    await again!.start();
    expect(await eventually(async () => again!.metrics.resolved >= 10)).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    expect(again!.metrics.received).toBe(10);
  });

  it('a process killed with SIGKILL mid-batch and restarted loses nothing and doubles nothing in query results', async () => {
    const { config, kafka, ch } = await setup();
    const N = 12_000;
    const listings = sampleListings(N, 21);
    await publish(kafka, listings.map((l) => JSON.stringify(l)));

    // The child runs the real CLI with this test's topics and database, small slices so it is mid-batch often.
    const dir = mkdtempSync(join(tmpdir(), 'shelfwatch-kill-'));
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ ...config, runtime: { ...config.runtime, maxBatchSize: 50, partitionsConsumedConcurrently: 1, sessionTimeoutMs: 6000 } }));
    const children: ChildProcess[] = [];
    const start = () => {
      const child = spawn(process.execPath, [join(ROOT, 'bin/shelfwatch.js'), '--config', configFile, 'run', 'ingest', 'sink_clickhouse'], {
        cwd: ROOT,
        env: { ...process.env, SHELFWATCH_LOG_FORMAT: 'json', SHELFWATCH_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
      return child;
    };
    cleanups.push(async () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

    const t = ch.table('listing_snapshots');
    const first = start();
    // Kill as soon as some rows landed, well before all of them.
    expect(await eventually(async () => (await count(ch, `SELECT count() AS n FROM ${t}`)) > 0, 90_000, 20)).toBe(true);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = await count(ch, `SELECT count() AS n FROM ${t}`);
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(N); // it really was killed mid-way

    start();
    expect(await eventually(async () => (await count(ch, `SELECT count() AS n FROM ${t} FINAL`)) === N, 120_000)).toBe(true);
    // Exactly once in query results: every snapshot id once, none missing.
    const [stats] = await ch.query<{ n: string; ids: string; listings: string }>(
      `SELECT count() AS n, uniqExact(snapshot_id) AS ids, uniqExact(listing_id) AS listings FROM ${t} FINAL`,
    );
    expect(stats).toEqual({ n: String(N), ids: String(N), listings: String(N) });
    // Give the restarted process a moment: nothing more may appear in query results after it caught up.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await count(ch, `SELECT count() AS n FROM ${t} FINAL`)).toBe(N);
  });
});
