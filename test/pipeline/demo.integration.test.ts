// `npm run demo` end to end on the real services (Kafka, ClickHouse, Debian's chromium) with a small market:
// every listing of the ground truth lands once per platform, every livestream room is sampled, the injected
// problems give alerts, the bad endpoints are crawl dead letters, the report prints real answers; a second
// run over the same market (same seed and port) doubles nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listingAt, listingTruth, roomAt, roomCountFor, roomTruth } from '../../crawlers/demo-market/index.ts';
import { qualifiedTable } from '../../pipeline/clickhouse/escape.ts';
import { parseConfig, type Config } from '../../pipeline/config.ts';
import { runDemo, waitUntilLanded, type DemoResult } from '../../pipeline/demo.ts';
import { ACKS_ALL, ensureTopics } from '../../pipeline/kafka.ts';
import { topics } from '../../pipeline/topics.ts';
import { ALL } from '../../dashboards/lib/panels.ts';
import { expandMacros } from '../../dashboards/lib/macros.ts';
import { panelCases } from '../support/panels.ts';
import { setupPipelineTest, type PipelineTest } from '../support/pipeline.ts';

const LISTINGS = 100;
const SEED = 1;

interface Truth {
  platform: string;
  listing_id: string;
  problems: { kind: string }[];
}
const truth: Truth[] = Array.from({ length: LISTINGS }, (_, i) => listingTruth(listingAt(SEED, i, {}), 'http://truth.invalid') as unknown as Truth);
const rooms = Array.from({ length: roomCountFor(LISTINGS) }, (_, r) => roomTruth(roomAt(SEED, r, {}), 'http://truth.invalid') as unknown as { room_id: string });

interface State {
  listings: string[];
  rooms: Record<string, number>;
  alerts: { alert_id: string; detector: string; rule_id: string; subject_id: string }[];
  deadLetters: { dead_letter_id: string; stage: string; reason: string }[];
}

let t: PipelineTest;
let config: Config;
let evidence: string;
const runs: { result: DemoResult; text: string; state: State }[] = [];
/** Each panel's rows right after the first demo run: [board / title, columns of the first row, row count]. */
let panels: [string, string[] | null, number, readonly string[]][] = [];

async function state(): Promise<State> {
  const db = config.clickhouse.database;
  const listings = await t.ch.query<{ k: string }>(`SELECT concat(platform, ':', listing_id) AS k FROM ${qualifiedTable(db, 'listing_snapshots')} FINAL GROUP BY k ORDER BY k`);
  const roomRows = await t.ch.query<{ room_id: string; n: string }>(`SELECT room_id, count() AS n FROM ${qualifiedTable(db, 'livestream_snapshots')} FINAL GROUP BY room_id`);
  const alerts = await t.ch.query<State['alerts'][number]>(`SELECT alert_id, detector, rule_id, subject_id FROM ${qualifiedTable(db, 'alerts')} FINAL ORDER BY alert_id`);
  const deadLetters = await t.ch.query<State['deadLetters'][number]>(`SELECT dead_letter_id, stage, reason FROM ${qualifiedTable(db, 'dead_letters')} FINAL ORDER BY dead_letter_id`);
  return {
    listings: listings.map((r) => r.k),
    rooms: Object.fromEntries(roomRows.map((r) => [r.room_id, Number(r.n)])),
    alerts,
    deadLetters,
  };
}

async function demo(port: number): Promise<void> {
  let text = '';
  const out = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  const result = await runDemo(config, t.logger, { listings: LISTINGS, seed: SEED, port, settleTimeoutMs: 90_000 }, out);
  runs.push({ result, text, state: await state() });
}

beforeAll(async () => {
  t = await setupPipelineTest();
  evidence = await mkdtemp(join(tmpdir(), 'shelfwatch-demo-'));
  // The services are up (global set-up); the demo must not manage them here.
  config = parseConfig({ ...t.config, infra: { ...t.config.infra, managed: false }, crawl: { ...t.config.crawl, evidenceDir: evidence } });
  await demo(0);
  // The boards over what the demo landed (the time range Grafana's default 'last 24 hours' would give).
  const range = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 60_000), intervalSeconds: 60 };
  for (const c of panelCases(config.clickhouse.database)) {
    const rows = await t.ch.query<Record<string, unknown>>(expandMacros(c.sql, { ...range, vars: { platform: ALL, category: ALL, region: ALL } }));
    panels.push([`${c.board} / ${c.title}`, rows[0] ? Object.keys(rows[0]) : null, rows.length, c.columns]);
  }
  await demo(Number(new URL(runs[0]!.result.marketUrl).port));
}, 300_000);

afterAll(async () => {
  await t?.cleanup();
  if (evidence) await rm(evidence, { recursive: true, force: true });
});

describe('npm run demo on a 100-listing demo market', () => {
  it('every listing of the ground truth landed once, per platform', () => {
    const [{ result, state: s }] = runs as [(typeof runs)[0]];
    const want = truth.map((l) => `${l.platform}:${l.listing_id}`).sort();
    expect(s.listings.filter((k) => !k.startsWith('generic:'))).toEqual(want);
    const perPlatform = (keys: string[]) => keys.reduce<Record<string, number>>((m, k) => ((m[k.split(':')[0]!] = (m[k.split(':')[0]!] ?? 0) + 1), m), {});
    const printed = Object.fromEntries(result.listings.filter((r) => r.platform !== 'generic').map((r) => [r.platform, Number(r.listings)]));
    expect(printed).toEqual(perPlatform(want));
    expect(result.crawl.listings).toBe(LISTINGS + 1); // + /bad/injection, stored verbatim as a generic listing
  });

  it('every livestream room was sampled at least 3 times', () => {
    const s = runs[0]!.state;
    expect(Object.keys(s.rooms).sort()).toEqual(rooms.map((r) => r.room_id).sort());
    for (const [room, n] of Object.entries(s.rooms)) expect(n, room).toBeGreaterThanOrEqual(3);
    expect(runs[0]!.result.livestreams).toEqual([{ platform: 'livebuy', rooms: String(rooms.length), samples: String(Object.values(s.rooms).reduce((a, b) => a + b, 0)), hosts: expect.any(String) }]);
  });

  it.each([
    ['recalled_model', 'recall_match', 'recalled_product'],
    ['prohibited_item', 'prohibited_item', 'prohibited_item'],
    ['three_no', 'three_no', 'three_no'],
    ['ccc_forged', 'certificate_mismatch', 'ccc_not_in_register'],
    ['ccc_revoked', 'certificate_mismatch', 'ccc_revoked'],
    ['ccc_expired', 'certificate_mismatch', 'ccc_expired'],
  ])('every listing with an injected %s has a %s/%s alert in ClickHouse', (kind, detector, rule) => {
    const injected = truth.filter((l) => l.problems.some((p) => p.kind === kind)).map((l) => l.listing_id);
    expect(injected.length, `seed ${SEED} injects ${kind}`).toBeGreaterThan(0);
    const alerted = new Set(runs[0]!.state.alerts.filter((a) => a.detector === detector && a.rule_id === rule).map((a) => a.subject_id));
    expect(injected.filter((id) => !alerted.has(id))).toEqual([]);
  });

  it('alerts belong to crawled subjects, and the printed table counts them', () => {
    const { state: s, result } = runs[0]!;
    const subjects = new Set([...truth.map((l) => l.listing_id), ...rooms.map((r) => r.room_id), 'inj-1']);
    expect(s.alerts.filter((a) => !subjects.has(a.subject_id))).toEqual([]);
    expect(result.alerts.reduce((n, r) => n + Number(r.alerts), 0)).toBe(s.alerts.length);
  });

  it('the bad endpoints are crawl dead letters, by reason', () => {
    const { state: s, result } = runs[0]!;
    const byReason = (rows: { stage: string; reason: string }[]) => rows.map((d) => `${d.stage}/${d.reason}`).sort();
    const want = ['crawl/http_status', 'crawl/no_content', 'crawl/off_allow_list', 'crawl/page_too_large'];
    expect(byReason(s.deadLetters)).toEqual(want);
    expect(result.deadLetters.map((r) => ({ ...r, n: Number(r.n) }))).toEqual(want.map((k) => ({ stage: k.split('/')[0], reason: k.split('/')[1], n: 1 })));
    expect(result.crawl.failed).toBe(4);
  });

  it('prints what landed, alerts, dead letters, board links and three answered analyst questions', () => {
    const text = runs[0]!.text;
    for (const s of ['landed in ClickHouse', 'livebuy', 'alerts (', 'recall_match', 'dead letters of this run', 'off_allow_list', 'Grafana boards', 'Which platforms failed most', 'What is the price base of', 'Which sellers in district']) {
      expect(text).toContain(s);
    }
    expect(text).not.toContain('(no rows)');
    // Too few prices per product in a small market: the demo says why price_anomaly raised nothing.
    expect(runs[0]!.state.alerts.some((a) => a.detector === 'price_anomaly')).toBe(false);
    expect(text).toMatch(/price_anomaly: none\. It claims nothing from fewer than 20 prices of a product or its category,\s+and 100 listings give too few/);
  });

  it("every board's panel runs over the demo's rows with the columns it expects; a panel is empty only when the demo raised no alert of its kind", () => {
    expect(panels.length).toBeGreaterThan(20);
    for (const [name, columns, , want] of panels) if (columns) expect(columns, name).toEqual([...want]);
    const alerts = runs[0]!.state.alerts;
    const roomIds = new Set(rooms.map((r) => r.room_id));
    // A 100-listing market gives too few prices per product for price_anomaly to claim anything (it needs 20),
    // and its few rooms may say nothing forbidden: those panels may be empty, the others never.
    const mayBeEmpty: Record<string, number> = {
      'shelfwatch-price / Price anomaly alerts (per day)': alerts.filter((a) => a.detector === 'price_anomaly').length,
      'shelfwatch-livestreams / Latest livestream alerts': alerts.filter((a) => roomIds.has(a.subject_id)).length,
    };
    for (const [name, , n] of panels) {
      if (n > 0) continue;
      expect(Object.keys(mayBeEmpty), `${name} is empty`).toContain(name);
      expect(mayBeEmpty[name], `${name} is empty but ClickHouse holds such alerts`).toBe(0);
    }
  });

  it('a second run over the same market doubles nothing', () => {
    const [a, b] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expect(b.state.listings).toEqual(a.state.listings);
    const roomIds = new Set(rooms.map((r) => r.room_id));
    const listingAlerts = (s: State) => s.alerts.filter((x) => !roomIds.has(x.subject_id));
    expect(listingAlerts(b.state)).toEqual(listingAlerts(a.state));
    // A room shows the card of the moment: a second visit may see another card and raise another alert, never the same one twice.
    expect(b.state.alerts).toEqual(expect.arrayContaining(a.state.alerts));
    expect(new Set(b.state.alerts.map((x) => x.alert_id)).size).toBe(b.state.alerts.length);
    expect(b.state.deadLetters).toEqual(a.state.deadLetters);
    expect(b.result.listings).toEqual(a.result.listings);
    expect(b.result.deadLetters).toEqual(a.result.deadLetters);
    // Rooms are observed again: more samples, the same rooms.
    expect(Object.keys(b.state.rooms).sort()).toEqual(Object.keys(a.state.rooms).sort());
  });
});

describe('the demo waiting for the stages', () => {
  it('gives up at its deadline, naming the stage, topic and partition behind', async () => {
    const p = await setupPipelineTest();
    try {
      await ensureTopics(p.kafka, [topics.listingsIncoming]);
      const producer = p.kafka.producer();
      await producer.connect();
      await producer.send({ topic: p.kafka.topic(topics.listingsIncoming), acks: ACKS_ALL, messages: [{ key: 'k', value: '{}' }, { key: 'k', value: '{}' }] });
      await producer.disconnect();
      // No ingest stage runs: its group never commits.
      const said: string[] = [];
      await expect(waitUntilLanded(p.kafka, [{ name: 'ingest', groupId: p.kafka.topic('shelfwatch.ingest'), inputs: [p.kafka.topic(topics.listingsIncoming)] }], 1500, (s) => said.push(s))).rejects.toThrow(
        new RegExp(`timed out after 2 s waiting for the stages to land the crawl: ingest is 2 message\\(s\\) behind on ${p.kafka.topic(topics.listingsIncoming).replaceAll('.', '\\.')}\\[\\d+\\]`),
      );
      expect(said).toEqual([]);
    } finally {
      await p.cleanup();
    }
  }, 60_000);
});
