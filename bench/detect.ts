// Benchmark `detect`: the detect stage (every registered detector, reference views holding 100k CCC
// certificates and 20k recalls) against a pass-through stage on the same 200k listings, same broker, same
// runtime. Also: RSS of the process, and recall-match cost per listing with 2k, 20k and 200k recalls
// loaded (in-process, the recall index alone), to show that it does not grow linearly.
// Usage: npm run bench:detect [-- --listings 200000 --certificates 100000 --recalls 20000 --rounds 1]
// Last line: {"bench":"detect","ratio": passthrough_ms / detect_ms, "rss_mb", "recall_match_us": {...}}.
// recall_match_us is CPU time per listing (process.cpuUsage: on a shared machine wall time mostly measures
// the other tenants; recall_match_wall_us has the wall figures); cpu_ratio is the ratio of the two stages'
// CPU per message, beside the wall-clock ratio. rss_mb is the peak RSS while the stages run (sampled every
// 200 ms); heap_mb the V8 heap in use at the end of the last detect round.
// The views are filled in-process (deps.views), so topic loading time is not in the figures.
import { parseArgs } from 'node:util';
import { createRecallIndex } from '../detectors/recall-index.ts';
import { CCC_PRODUCTS } from '../detectors/reference/ccc-catalogue.ts';
import { createReferenceViews, type ReferenceViews } from '../detectors/reference/views.ts';
import { loadConfig, parseConfig } from '../pipeline/config.ts';
import type { Certificate, ListingSnapshot, Recall } from '../pipeline/contracts/index.ts';
import { contentHash, snapshotId } from '../pipeline/contracts/index.ts';
import { ACKS_ALL, createKafka, deleteTopics, ensureTopics, type KafkaHandle } from '../pipeline/kafka.ts';
import { createLogger } from '../pipeline/logger.ts';
import { ok } from '../pipeline/runtime/result.ts';
import { createStage, type StageDefinition } from '../pipeline/runtime/stage.ts';
import { createDetectStage } from '../pipeline/stages/detect.ts';
import { topics } from '../pipeline/topics.ts';

const { values } = parseArgs({
  options: {
    listings: { type: 'string', default: '200000' },
    certificates: { type: 'string', default: '100000' },
    recalls: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '1' },
  },
});
const N = Number(values.listings);
const CERTS = Number(values.certificates);
const RECALLS = Number(values.recalls);
const ROUNDS = Number(values.rounds);

const base = loadConfig();
const logger = createLogger({ level: 'warn', format: base.log.format });
const progress = (s: string) => process.stderr.write(s + '\n');
let maxRss = 0;
/** Peak RSS of the current phase (fill, pass-through, detect), to say where the process peak comes from. */
let phaseRss = 0;
const rssTimer = setInterval(() => {
  const rss = process.memoryUsage().rss;
  maxRss = Math.max(maxRss, rss);
  phaseRss = Math.max(phaseRss, rss);
}, 200);
const phasePeaks: Record<string, number> = {};
function endPhase(name: string): void {
  phasePeaks[name] = Math.max(phasePeaks[name] ?? 0, Math.round(Math.max(phaseRss, process.memoryUsage().rss) / 1e6));
  phaseRss = 0;
}

const BRANDS = Array.from({ length: 500 }, (_, i) => `品牌${i}`);
const cccCodes = CCC_PRODUCTS.map((p) => ({ code: p.code, category: p.categories[0]!, name: p.nameZh }));

function certNumber(i: number): string {
  const c = cccCodes[i % cccCodes.length]!;
  return `2020${'01'}${c.code}${String(i).padStart(6, '0')}`;
}

function makeCertificate(i: number): Certificate {
  const c = cccCodes[i % cccCodes.length]!;
  const brand = BRANDS[i % BRANDS.length]!;
  return {
    schema_version: 1,
    updated_at: '2026-01-01T00:00:00.000Z',
    number: certNumber(i),
    status: i % 50 === 0 ? 'revoked' : 'valid',
    holder: `深圳${brand}电器有限公司`,
    manufacturer: `深圳${brand}电器有限公司`,
    factory: `深圳${brand}电器有限公司`,
    product_name: c.name,
    category_code: c.code,
    models: [`M${i}A`, `M${i}B`],
    standard: 'GB 4706.1-2005',
    issued_on: '2020-01-01',
    expires_on: '2030-01-01',
    issuer: '中国质量认证中心',
  };
}

function makeRecall(i: number): Recall {
  const c = cccCodes[(i * 7) % cccCodes.length]!;
  return {
    schema_version: 1,
    updated_at: '2026-01-01T00:00:00.000Z',
    recall_id: `R${i}`,
    published_on: '2026-01-01',
    producer: `某某${i}科技有限公司`,
    producer_credit_code: null,
    brand: BRANDS[(i * 13) % BRANDS.length]!,
    product_name: `${c.name} ${i % 3 === 0 ? '家用' : '便携'}款`,
    models: [`RX${i}-${i % 9}`],
    gtins: [],
    batches: [],
    production_from: null,
    production_to: null,
    defect: '存在安全隐患',
    hazard: '火灾',
    jurisdiction: 'CN',
    url: null,
  };
}

function makeListing(i: number): ListingSnapshot {
  const certIdx = (i * 7919) % CERTS;
  const cert = makeCertificate(certIdx);
  const c = cccCodes[certIdx % cccCodes.length]!;
  const recalled = i % 200 === 0;
  const r = recalled ? makeRecall((i * 31) % RECALLS) : null;
  const brand = r ? r.brand : BRANDS[certIdx % BRANDS.length]!;
  const model = r ? r.models[0]! : cert.models[0]!;
  const forged = i % 100 === 1;
  const platform = 'bench_mall';
  const listingId = `L${i}`;
  const hash = contentHash(`${listingId}:${i}`);
  return {
    schema_version: 1,
    snapshot_id: snapshotId(platform, listingId, hash),
    platform,
    listing_id: listingId,
    url: `http://127.0.0.1:8080/item/${listingId}`,
    fetched_at: '2026-06-01T08:00:00.000Z',
    http_status: 200,
    content_hash: hash,
    crawler_kind: 'cheerio',
    title: `${brand} ${c.name} ${model} ${i % 2 ? '新款 正品 包邮' : '官方旗舰店 热卖'}`,
    price: 100 + (i % 900),
    currency: 'CNY',
    original_price: null,
    price_text: null,
    brand,
    model,
    category: c.category,
    gtin: null,
    ccc_numbers: [forged ? `2020${'01'}${c.code}9${String(i).padStart(5, '0').slice(-5)}` : cert.number],
    licence_numbers: [],
    seller: { seller_id: `S${i % 5000}`, name: `店铺${i % 5000}`, credit_code: null, region_code: '440305', address: '广东省深圳市南山区科技园路1号' },
    producer: { name: cert.manufacturer, address: '广东省深圳市南山区' },
    attributes: {},
    images: [],
  };
}

async function fill(kafka: KafkaHandle, topic: string, n: number) {
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < n; i += 2000) {
    const messages = [];
    for (let j = i; j < Math.min(n, i + 2000); j++) {
      const l = makeListing(j);
      messages.push({ key: `${l.platform}:${l.listing_id}`, value: JSON.stringify(l) });
    }
    await producer.send({ topic, acks: ACKS_ALL, messages });
  }
  await producer.disconnect();
}

let heapAfterDetect = 0;
async function runStage(kafka: KafkaHandle, config: ReturnType<typeof parseConfig>, def: StageDefinition, n: number): Promise<{ ms: number; cpuUs: number; sent: number }> {
  const stage = createStage(def, { kafka, logger, runtime: config.runtime });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await stage.start();
  while (stage.metrics.resolved < n) await new Promise((r) => setTimeout(r, 20));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const sent = stage.metrics.sent;
  if (def.name === 'detect') heapAfterDetect = process.memoryUsage().heapUsed;
  await stage.stop();
  return { ms, cpuUs: (cpu.user + cpu.system) / n, sent };
}

function buildViews(): ReferenceViews {
  const v = createReferenceViews();
  for (let i = 0; i < CERTS; i++) {
    const c = makeCertificate(i);
    v.apply('certificates', c.number, c);
  }
  for (let i = 0; i < RECALLS; i++) {
    const r = makeRecall(i);
    v.apply('recalls', r.recall_id, r);
  }
  return v;
}

async function round(label: string, views: ReferenceViews, n: number, detectFirst: boolean) {
  const config = parseConfig({ ...base, kafka: { ...base.kafka, topicSuffix: `.benchdet${Date.now().toString(36)}` } });
  const kafka = createKafka(config.kafka, logger);
  const specs = [topics.listings, topics.livestreams, topics.alerts, topics.deadLetters, topics.listingsIncoming];
  // Right after the previous round's deletes, a busy broker may answer a create's leader check with
  // UNKNOWN_TOPIC_OR_PARTITION (retriable): retry a few times before giving up.
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureTopics(kafka, specs);
      break;
    } catch (err) {
      if (attempt >= 4) throw err;
      progress(`  creating the round's topics failed (${String(err)}), retrying`);
      await new Promise((r) => setTimeout(r, 2000 * attempt));
    }
  }
  progress(`${label}: filling ${n} listings`);
  endPhase('before_fill');
  await fill(kafka, kafka.topic(topics.listings), n);
  endPhase('fill');
  const pass: StageDefinition = { name: 'bench_passthrough', inputs: [topics.listings], handle: (batch) => batch.map((m) => ok([{ topic: topics.listingsIncoming, key: m.key, raw: m.raw }])) };
  const out: Record<string, { ms: number; cpuUs: number; sent: number }> = {};
  for (const side of detectFirst ? ['detect', 'pass'] : ['pass', 'detect']) {
    out[side] = await runStage(kafka, config, side === 'pass' ? pass : createDetectStage(config, logger, { views }), n);
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

function recallMatchCost(sizes: number[]): { cpu: Record<string, number>; wall: Record<string, number> } {
  const out: Record<string, number> = {};
  const wall: Record<string, number> = {};
  const queries = Array.from({ length: 5000 }, (_, i) => makeListing(i)).map((l) => ({ title: l.title, brand: l.brand, model: l.model, gtin: l.gtin }));
  for (const size of sizes) {
    const idx = createRecallIndex();
    for (let i = 0; i < size; i++) idx.add(makeRecall(i));
    for (const q of queries.slice(0, 500)) idx.match(q); // warm-up (and the lazy norms)
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (const q of queries) idx.match(q);
    const c = process.cpuUsage(c0);
    wall[String(size)] = Number((((performance.now() - t0) * 1000) / queries.length).toFixed(1));
    out[String(size)] = Number(((c.user + c.system) / queries.length).toFixed(1));
    progress(`  recall match with ${size} recalls: ${out[String(size)]} us CPU per listing (${wall[String(size)]} us wall)`);
  }
  return { cpu: out, wall };
}

progress(`building views: ${CERTS} certificates, ${RECALLS} recalls`);
const views = buildViews();
await round('warm-up', views, Math.min(N, 20_000), false);
const rounds = [];
for (let i = 0; i < ROUNDS; i++) rounds.push(await round(`round ${i + 1}/${ROUNDS}`, views, N, i % 2 === 1));
const rss = maxRss;
const recallUs = recallMatchCost([2_000, 20_000, 200_000]);
clearInterval(rssTimer);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
console.log(
  JSON.stringify({
    bench: 'detect',
    ratio: Number(median(rounds.map((r) => r.passMs / r.detectMs)).toFixed(3)),
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
    heap_mb: Math.round(heapAfterDetect / 1e6),
    rss_mb_by_phase: phasePeaks,
    recall_match_us: recallUs.cpu,
    recall_match_wall_us: recallUs.wall,
    round_ratios: rounds.map((r) => Number((r.passMs / r.detectMs).toFixed(3))),
  }),
);
process.exit(0);
