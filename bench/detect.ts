// Benchmark `detect`: the detect stage (every registered detector, reference views holding 100k CCC
// certificates and 20k recalls) against a pass-through stage on the same 200k listings, same broker, same
// runtime. Also: RSS of the process, and recall-match cost per listing with 2k, 20k and 200k recalls
// loaded (in-process, the recall index alone), to show that it does not grow linearly.
// Usage: npm run bench:detect [-- --listings 200000 --certificates 100000 --recalls 20000 --rounds 1 --thread worker|main]
// --thread: where the detectors run (detect.workerThread; default: the config's, true = a worker thread).
// Last line: {"bench":"detect","ratio": passthrough_ms / detect_ms, "rss_mb", "recall_match_us": {...}}.
// recall_match_us is CPU time per listing, the median of five passes over 5,000 listings (process.cpuUsage:
// on a shared machine wall time mostly measures the other tenants; recall_match_wall_us has the wall figures); cpu_ratio is the ratio of the two stages'
// CPU per message, beside the wall-clock ratio. rss_mb is the peak RSS while the stages run (sampled every
// 200 ms); heap_mb the V8 heap in use at the end of the last detect round.
// The register is written to the reference topics and the stage loads it as `shelfwatch run` does (following
// the topics); each stage is timed from the end of its start(), so loading the register is not in the figures.
// Listings and register are produced by a child process (bench/detect-fill.ts, as a crawler would produce
// them), so rss_mb is the stage process's own (worker thread included): reference views, the stages, their
// Kafka clients. at_rss_peak_mb splits the peak into V8 heap and Buffers; event_loop_utilization and load_average say whether wall time waited for the broker
// or for a core. The generated data is in bench/detect-data.ts.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRecallIndex } from '../detectors/recall-index.ts';
import { REFERENCE_TOPICS } from '../detectors/reference/load.ts';
import { loadConfig, parseConfig } from '../pipeline/config.ts';
import { makeListing, makeRecall } from './detect-data.ts';
import { createKafka, deleteTopics, ensureTopics, type KafkaHandle } from '../pipeline/kafka.ts';
import { createLogger } from '../pipeline/logger.ts';
import { applyHeapPolicy } from '../pipeline/runtime/heap.ts';
import { ok } from '../pipeline/runtime/result.ts';
import { createStage, type StageDefinition } from '../pipeline/runtime/stage.ts';
import { createDetectStage, detectWorkersOf } from '../pipeline/stages/detect.ts';
import { topics } from '../pipeline/topics.ts';

const { values } = parseArgs({
  options: {
    listings: { type: 'string', default: '200000' },
    certificates: { type: 'string', default: '100000' },
    recalls: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '1' },
    thread: { type: 'string' },
  },
});
const N = Number(values.listings);
const CERTS = Number(values.certificates);
const RECALLS = Number(values.recalls);
const ROUNDS = Number(values.rounds);

const loaded = loadConfig();
if (values.thread !== undefined && values.thread !== 'worker' && values.thread !== 'main') throw new Error(`--thread must be worker or main, not ${values.thread}`);
// priceHistoryDays 0: the price base starts empty, as the fill is the whole market; seeded from whatever the
// local ClickHouse holds (a demo's history), the findings, and so the work, would depend on that database.
const base = parseConfig({ ...loaded, detect: { ...loaded.detect, priceHistoryDays: 0, workerThread: values.thread === undefined ? loaded.detect.workerThread : values.thread === 'worker' } });
// As `shelfwatch run` does for its stages (both sides of the comparison run under it).
applyHeapPolicy(base.runtime);
const logger = createLogger({ level: 'warn', format: base.log.format });
const progress = (s: string) => process.stderr.write(s + '\n');
let maxRss = 0;
/** Peak RSS of the current phase (fill, pass-through, detect), to say where the process peak comes from. */
let phaseRss = 0;
/** process.memoryUsage() at the process's RSS peak: says whether the peak is V8 heap or Buffers (Kafka I/O). */
let atPeak: NodeJS.MemoryUsage | undefined;
const rssTimer = setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss > maxRss) atPeak = m;
  maxRss = Math.max(maxRss, m.rss);
  phaseRss = Math.max(phaseRss, m.rss);
}, 200);
const phasePeaks: Record<string, number> = {};
function endPhase(name: string): void {
  phasePeaks[name] = Math.max(phasePeaks[name] ?? 0, Math.round(Math.max(phaseRss, process.memoryUsage().rss) / 1e6));
  phaseRss = 0;
}

/** Fills the topic from a child process (bench/detect-fill.ts): the stage process holds none of the generated listings. */
async function fill(kafka: KafkaHandle, n: number, register: Register): Promise<void> {
  const args = ['--topic', kafka.topic(topics.listings), '--listings', String(n), '--certificates', String(register.certificates), '--recalls', String(register.recalls), '--certificates-topic', kafka.topic(REFERENCE_TOPICS.certificates), '--recalls-topic', kafka.topic(REFERENCE_TOPICS.recalls)];
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./detect-fill.ts', import.meta.url)), ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`filling ${kafka.topic(topics.listings)} failed: bench/detect-fill.ts exited with ${code}`);
}

let heapAfterDetect = 0;
/**
 * Event-loop utilisation of each stage's last run: near 1 with CPU well under wall time means the process
 * waited for a core (a loaded machine), well under 1 that it waited for the broker.
 */
const eluBy: Record<string, number> = {};
async function runStage(kafka: KafkaHandle, config: ReturnType<typeof parseConfig>, def: StageDefinition, n: number): Promise<{ ms: number; cpuUs: number; sent: number }> {
  const stage = createStage(def, { kafka, logger, runtime: config.runtime });
  await stage.start();
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const workers = detectWorkersOf(def);
  const workerElu0 = workers.map((w) => w.performance.eventLoopUtilization());
  const t0 = performance.now();
  // Done when every partition is at its end (lag 0 on each), not merely when `resolved` reaches n: with
  // several consumers, the first to join may handle messages that are handled again after the group's first
  // rebalance, and those count in `resolved` twice.
  const partitions = topics.listings.partitions ?? config.kafka.partitions;
  const done = () => stage.metrics.resolved >= n && stage.metrics.lag.size >= partitions && stage.metrics.totalLag() === 0;
  while (!done()) await new Promise((r) => setTimeout(r, 20));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  eluBy[def.name === 'detect' ? 'detect' : 'passthrough'] = Number(performance.eventLoopUtilization(elu0).utilization.toFixed(2));
  // The detect worker, and the recall worker beside it (detect.recallThread).
  workers.forEach((w, i) => (eluBy[i === 0 ? 'detect_worker' : 'recall_worker'] = Number(w.performance.eventLoopUtilization(workerElu0[i]).utilization.toFixed(2))));
  const sent = stage.metrics.sent;
  if (def.name === 'detect') heapAfterDetect = process.memoryUsage().heapUsed;
  await stage.stop();
  return { ms, cpuUs: (cpu.user + cpu.system) / n, sent };
}

interface Register {
  certificates: number;
  recalls: number;
}

async function round(label: string, n: number, detectFirst: boolean, register: Register = { certificates: CERTS, recalls: RECALLS }) {
  const config = parseConfig({ ...base, kafka: { ...base.kafka, topicSuffix: `.benchdet${Date.now().toString(36)}` } });
  const kafka = createKafka(config.kafka, logger);
  const specs = [topics.listings, topics.livestreams, topics.alerts, topics.deadLetters, topics.listingsIncoming, ...Object.values(REFERENCE_TOPICS)];
  // Right after the previous round's deletes, a busy broker may answer a create's leader check with
  // UNKNOWN_TOPIC_OR_PARTITION (retriable): retry a few times before giving up.
  await ensureTopics(kafka, specs, { attempts: 4, retryDelayMs: 2000, onRetry: (err) => progress(`  creating the round's topics failed (${String(err)}), retrying`) });
  progress(`${label}: filling ${n} listings, ${register.certificates} certificates, ${register.recalls} recalls`);
  endPhase('before_fill');
  await fill(kafka, n, register);
  endPhase('fill');
  // As many consumers as the detect stage runs (detect.consumers), so both fetch the same way.
  const pass: StageDefinition = { name: 'bench_passthrough', inputs: [topics.listings], consumers: config.detect.consumers, handle: (batch) => batch.map((m) => ok([{ topic: topics.listingsIncoming, key: m.key, raw: m.raw }])) };
  const out: Record<string, { ms: number; cpuUs: number; sent: number }> = {};
  for (const side of detectFirst ? ['detect', 'pass'] : ['pass', 'detect']) {
    out[side] = await runStage(kafka, config, side === 'pass' ? pass : createDetectStage(config, logger), n);
    endPhase(side === 'pass' ? 'passthrough' : 'detect');
  }
  // A busy broker sometimes answers the metadata call of a delete with a retriable error: try again once.
  await deleteTopics(kafka, specs.map((s) => kafka.topic(s))).catch(async (err) => {
    progress(`  deleting the round's topics failed (${String(err)}), retrying`);
    await new Promise((r) => setTimeout(r, 2000));
    await deleteTopics(kafka, specs.map((s) => kafka.topic(s)));
  });
  const r = { passMs: out.pass!.ms, detectMs: out.detect!.ms, passCpuUs: out.pass!.cpuUs, detectCpuUs: out.detect!.cpuUs, alerts: out.detect!.sent };
  progress(`  pass-through ${Math.round(n / (r.passMs / 1000))} msg/s, detect ${Math.round(n / (r.detectMs / 1000))} msg/s (${r.alerts} alerts), ratio ${(r.passMs / r.detectMs).toFixed(3)}`);
  return r;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function recallMatchCost(sizes: number[]): { cpu: Record<string, number>; wall: Record<string, number> } {
  const out: Record<string, number> = {};
  const wall: Record<string, number> = {};
  const queries = Array.from({ length: 5000 }, (_, i) => makeListing(i, CERTS, RECALLS)).map((l) => ({ title: l.title, brand: l.brand, model: l.model, gtin: l.gtin }));
  for (const size of sizes) {
    const idx = createRecallIndex();
    for (let i = 0; i < size; i++) idx.add(makeRecall(i));
    for (const q of queries.slice(0, 500)) idx.match(q); // warm-up (and the lazy norms)
    // Median of five passes: the first pass after a build pays for collecting the build's garbage.
    const cpu: number[] = [];
    const wallUs: number[] = [];
    for (let pass = 0; pass < 5; pass++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      for (const q of queries) idx.match(q);
      const c = process.cpuUsage(c0);
      wallUs.push(((performance.now() - t0) * 1000) / queries.length);
      cpu.push((c.user + c.system) / queries.length);
    }
    wall[String(size)] = Number(median(wallUs).toFixed(1));
    out[String(size)] = Number(median(cpu).toFixed(1));
    progress(`  recall match with ${size} recalls: ${out[String(size)]} us CPU per listing (${wall[String(size)]} us wall)`);
  }
  return { cpu: out, wall };
}

// The warm-up (JIT, broker) runs both stages on a tenth of the listings and of the register: its detect workers'
// memory, freed when they exit, would otherwise stay with the allocator and count in the measured round's RSS.
await round('warm-up', Math.min(N, 20_000), false, { certificates: Math.max(1, Math.round(CERTS / 10)), recalls: Math.max(1, Math.round(RECALLS / 10)) });
const rounds = [];
for (let i = 0; i < ROUNDS; i++) rounds.push(await round(`round ${i + 1}/${ROUNDS}`, N, i % 2 === 1));
const rss = maxRss;
const recallUs = recallMatchCost([2_000, 20_000, 200_000]);
clearInterval(rssTimer);
console.log(
  JSON.stringify({
    bench: 'detect',
    ratio: Number(median(rounds.map((r) => r.passMs / r.detectMs)).toFixed(3)),
    thread: base.detect.workerThread ? 'worker' : 'main',
    listings: N,
    certificates: CERTS,
    recalls: RECALLS,
    passthrough_msgs_per_s: Math.round(N / (median(rounds.map((r) => r.passMs)) / 1000)),
    detect_msgs_per_s: Math.round(N / (median(rounds.map((r) => r.detectMs)) / 1000)),
    passthrough_cpu_us_per_msg: Number(median(rounds.map((r) => r.passCpuUs)).toFixed(1)),
    detect_cpu_us_per_msg: Number(median(rounds.map((r) => r.detectCpuUs)).toFixed(1)),
    alerts_per_round: rounds[0]!.alerts,
    cpu_ratio: Number(median(rounds.map((r) => r.passCpuUs / r.detectCpuUs)).toFixed(3)),
    rss_mb: Math.round(rss / 1e6),
    heap_growing_percent: base.runtime.heapGrowingPercent,
    heap_mb: Math.round(heapAfterDetect / 1e6),
    rss_mb_by_phase: phasePeaks,
    at_rss_peak_mb: atPeak && { heap_total: Math.round(atPeak.heapTotal / 1e6), heap_used: Math.round(atPeak.heapUsed / 1e6), external: Math.round(atPeak.external / 1e6), array_buffers: Math.round(atPeak.arrayBuffers / 1e6) },
    event_loop_utilization: eluBy,
    load_average: Number(os.loadavg()[0]!.toFixed(1)),
    recall_match_us: recallUs.cpu,
    recall_match_wall_us: recallUs.wall,
    round_ratios: rounds.map((r) => Number((r.passMs / r.detectMs).toFixed(3))),
    fill: 'child process',
  }),
);
process.exit(0);
