// Benchmark `sink`: the sink_clickhouse stage (Kafka -> decode + zod -> batch -> INSERT, offsets after the
// INSERT) against the limit: clickhouse-client inserting the same rows in one bulk JSONEachRow INSERT into
// the same table (same materialized views). Also the sink's handler alone (no Kafka), called as the runtime
// calls it (slices of runtime.maxBatchSize from partitionsConsumedConcurrently partitions at once), and the
// runtime alone on the same topic (a handler that does nothing): the ceiling any stage has here.
// Stage time runs from its first received message to the last resolved offset (group join excluded; the
// client's process start is included on its side). Rounds alternate; figures are medians.
// Usage: npm run bench:sink [-- --rows 200000 --rounds 3 --slice <runtime.maxBatchSize>]. Last line: {"bench":"sink","ratio": stage/limit, ...}.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClickHouse } from '../pipeline/clickhouse/client.ts';
import { quoteIdentifier } from '../pipeline/clickhouse/escape.ts';
import { listingToRow } from '../pipeline/clickhouse/rows.ts';
import { loadConfig, parseConfig, secrets, type Config } from '../pipeline/config.ts';
import type { ListingSnapshot } from '../pipeline/contracts/index.ts';
import { ACKS_ALL, createKafka, deleteTopics } from '../pipeline/kafka.ts';
import { createLogger } from '../pipeline/logger.ts';
import { ok } from '../pipeline/runtime/result.ts';
import { createStage, type InputMessage, type StageDefinition } from '../pipeline/runtime/stage.ts';
import { sampleListings } from '../pipeline/sample.ts';
import { migrateAll } from '../pipeline/setup.ts';
import { allTopics, topics } from '../pipeline/topics.ts';
import { createClickHouseSinkStage } from '../sinks/clickhouse/stage.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '3' }, slice: { type: 'string' } } });
const N = Number(values.rows);
const ROUNDS = Number(values.rounds);
const base = loadConfig();
const logger = createLogger({ level: 'warn', format: 'json' });
const say = (s: string) => process.stderr.write(s + '\n');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const id = `${Date.now().toString(36)}`;
const database = `bench_sink_${id}`;
const runtime = { ...base.runtime, ...(values.slice ? { maxBatchSize: Number(values.slice) } : {}) };
const configFor = (suffix: string): Config => parseConfig({ ...base, runtime, kafka: { ...base.kafka, topicSuffix: `.bench-sink-${id}-${suffix}` }, clickhouse: { ...base.clickhouse, database }, log: { level: 'warn', format: 'json' } });

const listings: ListingSnapshot[] = sampleListings(N, 41);
const values_ = listings.map((l) => JSON.stringify(l));
const dir = mkdtempSync(join(tmpdir(), 'bench-sink-'));
const file = join(dir, 'rows.ndjson');

async function writeRowsFile(): Promise<string[]> {
  const rows = listings.map(listingToRow);
  const out = createWriteStream(file);
  for (const r of rows) if (!out.write(JSON.stringify(r) + '\n')) await once(out, 'drain');
  out.end();
  await once(out, 'close');
  return Object.keys(rows[0]!);
}

async function limit(columns: string[]): Promise<number> {
  const sql = `INSERT INTO ${quoteIdentifier(database)}.listing_snapshots (${columns.map(quoteIdentifier).join(', ')}) FORMAT JSONEachRow`;
  const t0 = performance.now();
  const child = spawn('clickhouse-client', ['--host', '127.0.0.1', '--port', String(base.infra.clickhouseTcpPort), '--query', sql], { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const { createReadStream } = await import('node:fs');
  createReadStream(file).pipe(child.stdin);
  const [code] = (await once(child, 'close')) as [number];
  if (code !== 0) throw new Error(`clickhouse-client exited ${code}: ${err}`);
  return performance.now() - t0;
}

/** Consumes the round's topic with `def` until every message is resolved; ms from the first received. */
async function consume(config: Config, kafka: ReturnType<typeof createKafka>, def: StageDefinition): Promise<number> {
  const s = createStage(def, { kafka, logger, runtime: config.runtime });
  await s.start();
  let t0 = 0;
  while (s.metrics.resolved < N) {
    if (!t0 && s.metrics.received > 0) t0 = performance.now();
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  await s.stop();
  return ms;
}

/** The same topic through the runtime with a handler that does nothing: what the runtime alone allows. */
const passThrough: StageDefinition = { name: 'bench_pass_through', inputs: [topics.listings], handle: (batch) => batch.map(() => ok()) };

async function stage(round: number): Promise<{ stage: number; runtime: number }> {
  const config = configFor(`r${round}`);
  await migrateAll(config, logger);
  const kafka = createKafka(config.kafka, logger);
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < N; i += 500) {
    await producer.send({ topic: kafka.topic(topics.listings), acks: ACKS_ALL, messages: values_.slice(i, i + 500).map((value, j) => ({ key: `${listings[i + j]!.platform}:${listings[i + j]!.listing_id}`, value })) });
  }
  await producer.disconnect();
  const ms = await consume(config, kafka, createClickHouseSinkStage(config, logger));
  const runtimeMs = await consume(config, kafka, passThrough);
  await deleteTopics(kafka, allTopics.map((t) => kafka.topic(t)));
  return { stage: ms, runtime: runtimeMs };
}

async function handlerOnly(): Promise<number> {
  const config = configFor('handler');
  const def = createClickHouseSinkStage(config, logger);
  const topic = topics.listings.name + config.kafka.topicSuffix;
  const msgs: InputMessage<ListingSnapshot>[] = listings.map((l, i) => ({ value: l, key: null, topic, partition: i % 3, offset: String(i), timestamp: '0', raw: Buffer.from(values_[i]!) }));
  const parts = [0, 1, 2].map((p) => msgs.filter((m) => m.partition === p));
  const ctx = { logger, metrics: undefined as never, heartbeat: async () => {} };
  const t0 = performance.now();
  await Promise.all(
    parts.slice(0, config.runtime.partitionsConsumedConcurrently).map(async (part) => {
      for (let i = 0; i < part.length; i += config.runtime.maxBatchSize) await def.handle(part.slice(i, i + config.runtime.maxBatchSize), ctx);
    }),
  );
  const ms = performance.now() - t0;
  await def.stop?.();
  return ms;
}

const admin = createClickHouse({ ...base.clickhouse, database }, { password: secrets.clickhousePassword() });
try {
  say(`bench:sink: ${N} listing rows, ${ROUNDS} rounds, slices of ${runtime.maxBatchSize}, ${runtime.partitionsConsumedConcurrently} partitions at once, database ${database}`);
  const columns = await writeRowsFile();
  const limits: number[] = [];
  const stages: number[] = [];
  const handlers: number[] = [];
  const runtimes: number[] = [];
  await migrateAll(configFor('setup'), logger);
  await limit(columns); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    limits.push(await limit(columns));
    const st = await stage(r);
    stages.push(st.stage);
    runtimes.push(st.runtime);
    handlers.push(await handlerOnly());
    say(`round ${r + 1}: clickhouse-client ${(N / (limits.at(-1)! / 1000)).toFixed(0)} rows/s, stage ${(N / (stages.at(-1)! / 1000)).toFixed(0)} rows/s, handler ${(N / (handlers.at(-1)! / 1000)).toFixed(0)} rows/s, runtime pass-through ${(N / (runtimes.at(-1)! / 1000)).toFixed(0)} msg/s`);
  }
  const rps = (ms: number) => Math.round(N / (ms / 1000));
  const limitRps = rps(median(limits));
  const stageRps = rps(median(stages));
  const handlerRps = rps(median(handlers));
  const runtimeRps = rps(median(runtimes));
  const rss = Math.round(process.resourceUsage().maxRSS / 1024);
  say(`limit (clickhouse-client, one bulk INSERT): ${limitRps} rows/s`);
  say(`ours  (sink_clickhouse stage, Kafka -> ClickHouse): ${stageRps} rows/s`);
  say(`ours  (sink handler alone, no Kafka): ${handlerRps} rows/s`);
  say(`the runtime alone (same topic, handler does nothing): ${runtimeRps} msg/s`);
  process.stdout.write(
    JSON.stringify({ bench: 'sink', ratio: Math.round((stageRps / limitRps) * 1000) / 1000, rows: N, rounds: ROUNDS, slice: runtime.maxBatchSize, limit_rows_per_s: limitRps, stage_rows_per_s: stageRps, handler_rows_per_s: handlerRps, handler_ratio: Math.round((handlerRps / limitRps) * 1000) / 1000, runtime_pass_through_per_s: runtimeRps, peak_rss_mb: rss, provisional: 'shared noisy machine' }) + '\n',
  );
} finally {
  await admin.command(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`).catch(() => {});
  await admin.close();
  rmSync(dir, { recursive: true, force: true });
}
