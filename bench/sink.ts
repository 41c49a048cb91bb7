// Benchmark `sink`: the sink_clickhouse stage (Kafka -> lines from the wire bytes (listing-wire.ts) -> batch ->
// streamed INSERT, offsets after the INSERT) against the limit: clickhouse-client inserting the same rows in one bulk JSONEachRow INSERT into
// the same table (same materialized views). Also the sink's handler alone (no Kafka), called as the runtime
// calls it (slices of runtime.maxBatchSize from partitionsConsumedConcurrently partitions at once, up to the
// stage's in-flight window pending per partition), and the
// runtime alone on the same topic (a handler that does nothing, listings raw as the sink takes them): the
// ceiling of this stage here. The stage and the limit each get one unmeasured warm-up run.
// Stage time runs from its first received message to the last resolved offset (group join excluded; the
// client's process start is included on its side). Each round measures the limit before and after its own
// runs; ratios are taken per round (runs side by side) and the reported ratio is their median. CPU per row
// (ours: this process + the ClickHouse server; the limit: clickhouse-client + the server) is reported beside
// it as cpu_ratio = limit CPU / our CPU per row, steadier than rates on a shared machine.
// Usage: npm run bench:sink [-- --rows 200000 --rounds 3 --slice <runtime.maxBatchSize>]. Last line: {"bench":"sink","ratio": stage/limit, ...}.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
import { applyHeapPolicy } from '../pipeline/runtime/heap.ts';
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
// As `shelfwatch run` does for its stages.
applyHeapPolicy(base.runtime);
const logger = createLogger({ level: 'warn', format: 'json' });
const say = (s: string) => process.stderr.write(s + '\n');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const id = `${Date.now().toString(36)}`;
const database = `bench_sink_${id}`;
const runtime = { ...base.runtime, ...(values.slice ? { maxBatchSize: Number(values.slice) } : {}) };
const configFor = (suffix: string): Config => parseConfig({ ...base, runtime, kafka: { ...base.kafka, topicSuffix: `.bench-sink-${id}-${suffix}` }, clickhouse: { ...base.clickhouse, database }, log: { level: 'warn', format: 'json' } });

// The sample is made where it is used and dropped after: a bench process holding all N snapshots for its
// whole run would make every major GC of the stage under test mark them too (a sink process does not).
const sample = (): ListingSnapshot[] => sampleListings(N, 41);
const dir = mkdtempSync(join(tmpdir(), 'bench-sink-'));
const file = join(dir, 'rows.ndjson');

async function writeRowsFile(): Promise<string[]> {
  const rows = sample().map(listingToRow);
  const out = createWriteStream(file);
  for (const r of rows) if (!out.write(JSON.stringify(r) + '\n')) await once(out, 'drain');
  out.end();
  await once(out, 'close');
  return Object.keys(rows[0]!);
}

// CPU seconds, as a second figure beside rows/s: on a shared machine wall-clock rates move with the load,
// CPU spent per row much less. Ours = this process (runtime + sink) + the ClickHouse server; the limit's =
// clickhouse-client (via /usr/bin/time) + the server. The Kafka broker's CPU is in neither.
const serverPid = ((): number | undefined => {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0')[0]!.endsWith('clickhouse-server')) return Number(d);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
})();
const serverCpu = (): number => {
  if (!serverPid) return NaN;
  const f = readFileSync(`/proc/${serverPid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in ticks of 1/100 s
};
const selfCpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

async function limit(columns: string[], cpu?: number[]): Promise<number> {
  const sql = `INSERT INTO ${quoteIdentifier(database)}.listing_snapshots (${columns.map(quoteIdentifier).join(', ')}) FORMAT JSONEachRow`;
  const args = ['--host', '127.0.0.1', '--port', String(base.infra.clickhouseTcpPort), '--query', sql];
  const s0 = serverCpu();
  const t0 = performance.now();
  const child = TIME ? spawn(TIME, ['-f', '@cpu %U %S', 'clickhouse-client', ...args], { stdio: ['pipe', 'ignore', 'pipe'] }) : spawn('clickhouse-client', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const { createReadStream } = await import('node:fs');
  createReadStream(file).pipe(child.stdin);
  const [code] = (await once(child, 'close')) as [number];
  if (code !== 0) throw new Error(`clickhouse-client exited ${code}: ${err}`);
  const ms = performance.now() - t0;
  const m = /@cpu ([\d.]+) ([\d.]+)/.exec(err);
  cpu?.push((m ? Number(m[1]) + Number(m[2]) : NaN) + serverCpu() - s0);
  return ms;
}

/** Consumes the round's topic with `def` until every message is resolved; ms from the first received. */
async function consume(config: Config, kafka: ReturnType<typeof createKafka>, def: StageDefinition, count = N): Promise<{ ms: number; cpu: number }> {
  const s = createStage(def, { kafka, logger, runtime: config.runtime });
  await s.start();
  let t0 = 0;
  let c0 = 0;
  while (s.metrics.resolved < count) {
    if (!t0 && s.metrics.received > 0) {
      t0 = performance.now();
      c0 = selfCpu() + serverCpu();
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  const cpu = selfCpu() + serverCpu() - c0;
  await s.stop();
  return { ms, cpu };
}

/**
 * The same topic through the runtime with a handler that does nothing, consuming it as the sink does (listings
 * raw, as the sink's rawInputs say): what the runtime alone allows this stage.
 */
const passThrough = (config: Config): StageDefinition => ({
  name: 'bench_pass_through',
  inputs: [topics.listings],
  rawInputs: createClickHouseSinkStage(config, logger).rawInputs,
  handle: (batch) => batch.map(() => ok()),
});

async function produce(kafka: ReturnType<typeof createKafka>, count = N): Promise<void> {
  const listings = sample().slice(0, count);
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < count; i += 500) {
    await producer.send({ topic: kafka.topic(topics.listings), acks: ACKS_ALL, messages: listings.slice(i, i + 500).map((l) => ({ key: `${l.platform}:${l.listing_id}`, value: JSON.stringify(l) })) });
  }
  await producer.disconnect();
}

async function stage(round: number): Promise<{ stage: number; stageCpu: number; runtime: number }> {
  const config = configFor(`r${round}`);
  await migrateAll(config, logger);
  const kafka = createKafka(config.kafka, logger);
  await produce(kafka);
  const st = await consume(config, kafka, createClickHouseSinkStage(config, logger));
  const rt = await consume(config, kafka, passThrough(config));
  await deleteTopics(kafka, allTopics.map((t) => kafka.topic(t)));
  return { stage: st.ms, stageCpu: st.cpu, runtime: rt.ms };
}

/** One unmeasured run of the stage on a fifth of the rows (JIT, connections), as the limit gets one too. */
async function warmUpStage(): Promise<void> {
  const config = configFor('warm');
  const count = Math.ceil(N / 5);
  await migrateAll(config, logger);
  const kafka = createKafka(config.kafka, logger);
  await produce(kafka, count);
  await consume(config, kafka, createClickHouseSinkStage(config, logger), count);
  await deleteTopics(kafka, allTopics.map((t) => kafka.topic(t)));
}

async function handlerOnly(): Promise<number> {
  const config = configFor('handler');
  const def = createClickHouseSinkStage(config, logger);
  const topic = topics.listings.name + config.kafka.topicSuffix;
  const msgs: InputMessage<ListingSnapshot>[] = sample().map((l, i) => ({ value: l, key: null, topic, partition: i % 3, offset: String(i), timestamp: '0', raw: Buffer.from(JSON.stringify(l)) }));
  const parts = [0, 1, 2].map((p) => msgs.filter((m) => m.partition === p));
  const ctx = { logger, metrics: undefined as never, heartbeat: async () => {} };
  const t0 = performance.now();
  // As the runtime calls it: per partition, slices in offset order, up to the stage's window pending at once.
  const window = Math.max(config.runtime.maxInFlightSlices, def.maxInFlightSlices ?? 0);
  await Promise.all(
    parts.slice(0, config.runtime.partitionsConsumedConcurrently).map(async (part) => {
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < part.length; i += config.runtime.maxBatchSize) {
        pending.push(Promise.resolve(def.handle(part.slice(i, i + config.runtime.maxBatchSize), ctx)));
        if (pending.length >= window) await pending.shift();
      }
      await Promise.all(pending);
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
  const rps = (ms: number) => Math.round(N / (ms / 1000));
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  interface Round { limit: number; stage: number; handler: number; runtime: number; limitCpuUs: number; stageCpuUs: number }
  const us = (cpuS: number) => Math.round((cpuS / N) * 1e6 * 10) / 10;
  const rounds: Round[] = [];
  await migrateAll(configFor('setup'), logger);
  await limit(columns); // warm-up
  await warmUpStage();
  for (let r = 0; r < ROUNDS; r++) {
    // The limit is measured before and after the round's own runs and averaged: on a shared machine the
    // ratio of runs made side by side is steadier than either figure.
    const limitCpu: number[] = [];
    const before = await limit(columns, limitCpu);
    const st = await stage(r);
    const handler = await handlerOnly();
    const after = await limit(columns, limitCpu);
    const round = { limit: rps((before + after) / 2), stage: rps(st.stage), handler: rps(handler), runtime: rps(st.runtime), limitCpuUs: us((limitCpu[0]! + limitCpu[1]!) / 2), stageCpuUs: us(st.stageCpu) };
    rounds.push(round);
    say(`round ${r + 1}: clickhouse-client ${round.limit} rows/s (${rps(before)} before, ${rps(after)} after; ${round.limitCpuUs} us CPU/row), stage ${round.stage} rows/s (ratio ${r3(round.stage / round.limit)}; ${round.stageCpuUs} us CPU/row), handler ${round.handler} rows/s, runtime pass-through ${round.runtime} msg/s (${r3(round.runtime / round.limit)} of the limit)`);
  }
  const med = (f: (r: Round) => number) => median(rounds.map(f));
  const ratio = r3(med((r) => r.stage / r.limit));
  const handlerRatio = r3(med((r) => r.handler / r.limit));
  const runtimeRatio = r3(med((r) => r.runtime / r.limit));
  const rss = Math.round(process.resourceUsage().maxRSS / 1024);
  say(`limit (clickhouse-client, one bulk INSERT): ${med((r) => r.limit)} rows/s (median)`);
  say(`ours  (sink_clickhouse stage, Kafka -> ClickHouse): ${med((r) => r.stage)} rows/s; median ratio of the rounds ${ratio}`);
  say(`ours  (sink handler alone, no Kafka): ${med((r) => r.handler)} rows/s; ratio ${handlerRatio}`);
  say(`the runtime alone (same topic, handler does nothing): ${med((r) => r.runtime)} msg/s; ${runtimeRatio} of the limit (the ceiling of any stage here)`);
  process.stdout.write(
    JSON.stringify({
      bench: 'sink',
      ratio,
      rows: N,
      rounds: ROUNDS,
      slice: runtime.maxBatchSize,
      round_ratios: rounds.map((r) => r3(r.stage / r.limit)),
      limit_rows_per_s: med((r) => r.limit),
      stage_rows_per_s: med((r) => r.stage),
      handler_rows_per_s: med((r) => r.handler),
      handler_ratio: handlerRatio,
      runtime_pass_through_per_s: med((r) => r.runtime),
      runtime_ratio: runtimeRatio,
      limit_cpu_us_per_row: med((r) => r.limitCpuUs),
      stage_cpu_us_per_row: med((r) => r.stageCpuUs),
      cpu_ratio: r3(med((r) => r.limitCpuUs / r.stageCpuUs)),
      peak_rss_mb: rss,
      provisional: 'shared noisy machine',
    }) + '\n',
  );
} finally {
  await admin.command(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`).catch(() => {});
  await admin.close();
  rmSync(dir, { recursive: true, force: true });
}
