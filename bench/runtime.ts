// Benchmark `runtime`: the stage runtime against a bare kafkajs consume->produce loop, same messages, same
// broker, same producer settings (idempotent, acks=all), one run. The runtime does what a stage does:
// JSON decode + zod validation of every ListingSnapshot, dead-lettering of the malformed ones, offsets resolved
// after delivery, commits, forwarding the bytes (a pass-through handler). The bare loop only forwards bytes. Last line: {"bench":"runtime","ratio":runtime/bare,...}.
// Usage: npm run bench:runtime [-- --messages 200000 --rounds 3]. Ratio: median over rounds of bare_ms/runtime_ms.
import { parseArgs } from 'node:util';
import { loadConfig, parseConfig } from '../pipeline/config.ts';
import { ACKS_ALL, createKafka, deleteTopics, ensureTopics, type KafkaHandle } from '../pipeline/kafka.ts';
import { createLogger } from '../pipeline/logger.ts';
import { applyHeapPolicy } from '../pipeline/runtime/heap.ts';
import { createStage } from '../pipeline/runtime/stage.ts';
import { MALFORMED_SAMPLES, sampleListings } from '../pipeline/sample.ts';
import { ok } from '../pipeline/runtime/result.ts';
import { topics, type TopicSpec } from '../pipeline/topics.ts';

const { values } = parseArgs({
  options: { messages: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '3' }, 'malformed-every': { type: 'string', default: '1000' } },
});
const N = Number(values.messages);
const ROUNDS = Number(values.rounds);
const MALFORMED_EVERY = Number(values['malformed-every']);

const base = loadConfig();
// As `shelfwatch run` does for its stages (both sides of the comparison run under it).
applyHeapPolicy(base.runtime);
const logger = createLogger({ level: 'warn', format: base.log.format });
const progress = (s: string) => process.stderr.write(s + '\n');

async function fill(kafka: KafkaHandle, topic: string, messages: { key: string; value: string }[]) {
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < messages.length; i += 2000) {
    await producer.send({ topic, acks: ACKS_ALL, messages: messages.slice(i, i + 2000) });
  }
  await producer.disconnect();
}

function makeMessages(): { key: string; value: string }[] {
  const listings = sampleListings(Math.min(N, 5000), 7);
  const out: { key: string; value: string }[] = [];
  for (let i = 0; i < N; i++) {
    if (MALFORMED_EVERY > 0 && i % MALFORMED_EVERY === MALFORMED_EVERY - 1) {
      out.push({ key: `bad:${i}`, value: MALFORMED_SAMPLES[i % MALFORMED_SAMPLES.length]! });
      continue;
    }
    const l = listings[i % listings.length]!;
    out.push({ key: `${l.platform}:${l.listing_id}`, value: JSON.stringify(l) });
  }
  return out;
}

async function bare(kafka: KafkaHandle, input: string, output: string, n: number): Promise<number> {
  const t0 = performance.now(); // like the runtime side: connecting and joining the group are in the time
  const consumer = kafka.consumer(kafka.topic('bench.bare'), { maxBytes: base.runtime.maxInFlightBytes });
  const producer = kafka.producer();
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [input], fromBeginning: true });
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: base.runtime.partitionsConsumedConcurrently,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }) => {
      const msgs = batch.messages;
      for (let i = 0; i < msgs.length; i += base.runtime.maxBatchSize) {
        const slice = msgs.slice(i, i + base.runtime.maxBatchSize);
        await producer.sendBatch({ acks: ACKS_ALL, topicMessages: [{ topic: output, messages: slice.map((m) => ({ key: m.key, value: m.value })) }] });
        resolveOffset(slice[slice.length - 1]!.offset);
        await heartbeat();
        seen += slice.length;
      }
      await commitOffsetsIfNecessary();
      if (seen >= n) done();
    },
  });
  await finished;
  const ms = performance.now() - t0;
  await consumer.disconnect();
  await producer.disconnect();
  return ms;
}

async function runtime(kafka: KafkaHandle, config: ReturnType<typeof parseConfig>, n: number): Promise<{ ms: number; deadLettered: number }> {
  // A pass-through stage: what is measured is the runtime (decode, validate, dead-letter, deliver, commit).
  const stage = createStage(
    {
      name: 'bench_passthrough',
      inputs: [topics.listingsIncoming],
      handle: (batch) => batch.map((m) => ok([{ topic: topics.listings, key: m.key, raw: m.raw }])),
    },
    { kafka, logger, runtime: config.runtime },
  );
  const t0 = performance.now();
  await stage.start();
  while (stage.metrics.resolved < n) await new Promise((r) => setTimeout(r, 20));
  const ms = performance.now() - t0;
  await stage.stop();
  const dl = Object.values(stage.metrics.snapshot().deadLettered).reduce((a, b) => a + b, 0);
  return { ms, deadLettered: dl };
}

interface Round {
  bareMs: number;
  runtimeMs: number;
  bareCpuUs: number;
  runtimeCpuUs: number;
  deadLettered: number;
}

async function runRound(label: string, msgs: { key: string; value: string }[], runtimeFirst: boolean): Promise<Round> {
  // Fresh topics each round so both sides read the same bytes from the same state of the broker.
  const n = msgs.length;
  const config = parseConfig({ ...base, kafka: { ...base.kafka, topicSuffix: `.bench${Date.now().toString(36)}` } });
  const kafka = createKafka(config.kafka, logger);
  const bareIn: TopicSpec = { ...topics.listingsIncoming, id: 'bench_in', name: 'shelfwatch.bench.in' };
  const bareOut: TopicSpec = { ...topics.listings, id: 'bench_out', name: 'shelfwatch.bench.out' };
  const specs = [bareIn, bareOut, topics.listingsIncoming, topics.listings, topics.deadLetters];
  await ensureTopics(kafka, specs);
  progress(`${label}: filling ${n} messages x2`);
  await fill(kafka, kafka.topic(bareIn), msgs);
  await fill(kafka, kafka.topic(topics.listingsIncoming), msgs);
  const r: Round = { bareMs: 0, runtimeMs: 0, bareCpuUs: 0, runtimeCpuUs: 0, deadLettered: 0 };
  // Alternate the order between rounds so neither side always runs on a warmer JIT / page cache.
  for (const side of runtimeFirst ? ['runtime', 'bare'] : ['bare', 'runtime']) {
    const cpu0 = process.cpuUsage();
    if (side === 'bare') {
      r.bareMs = await bare(kafka, kafka.topic(bareIn), kafka.topic(bareOut), n);
      const cpu = process.cpuUsage(cpu0);
      r.bareCpuUs = (cpu.user + cpu.system) / n;
    } else {
      const res = await runtime(kafka, config, n);
      const cpu = process.cpuUsage(cpu0);
      r.runtimeMs = res.ms;
      r.runtimeCpuUs = (cpu.user + cpu.system) / n;
      r.deadLettered = res.deadLettered;
    }
  }
  progress(
    `  bare ${Math.round(n / (r.bareMs / 1000))} msg/s (${r.bareCpuUs.toFixed(1)} us cpu/msg), ` +
      `runtime ${Math.round(n / (r.runtimeMs / 1000))} msg/s (${r.runtimeCpuUs.toFixed(1)} us cpu/msg, ${r.deadLettered} dead-lettered), ` +
      `ratio ${(r.bareMs / r.runtimeMs).toFixed(3)}`,
  );
  await deleteTopics(kafka, specs.map((s) => kafka.topic(s)));
  return r;
}

const messages = makeMessages();
const bytes = messages.reduce((a, m) => a + m.value.length, 0);
progress(`${N} messages, ${(bytes / 1e6).toFixed(0)} MB; a warm-up round first (not counted), then ${ROUNDS} rounds`);
await runRound('warm-up', messages.slice(0, Math.min(N, 20_000)), false);
const rounds: Round[] = [];
for (let i = 0; i < ROUNDS; i++) rounds.push(await runRound(`round ${i + 1}/${ROUNDS}`, messages, i % 2 === 1));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
// Paired ratios (same round, same broker state), then the median: robust to drift on a noisy machine.
const ratio = median(rounds.map((r) => r.bareMs / r.runtimeMs));
console.log(
  JSON.stringify({
    bench: 'runtime',
    ratio: Number(ratio.toFixed(3)),
    messages: N,
    rounds: ROUNDS,
    bytes,
    bare_msgs_per_s: Math.round(N / (median(rounds.map((r) => r.bareMs)) / 1000)),
    runtime_msgs_per_s: Math.round(N / (median(rounds.map((r) => r.runtimeMs)) / 1000)),
    bare_cpu_us_per_msg: Number(median(rounds.map((r) => r.bareCpuUs)).toFixed(1)),
    runtime_cpu_us_per_msg: Number(median(rounds.map((r) => r.runtimeCpuUs)).toFixed(1)),
    dead_lettered_per_round: rounds[0]!.deadLettered,
    round_ratios: rounds.map((r) => Number((r.bareMs / r.runtimeMs).toFixed(3))),
  }),
);
process.exit(0);
