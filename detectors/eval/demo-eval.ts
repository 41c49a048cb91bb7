// The detectors measured on the demo marketplace's ground truth: precision and recall per detector and rule.
// In: seed, listing count, generator options. Out: a DemoEvalReport (per rule TP/FP/FN, precision, recall;
// price anomaly on prices below 40 % of the product's median; the false-positive rate on a clean catalogue;
// samples of misses and false alarms with what the snapshot showed).
//
// Everything runs through production code paths: snapshots are the demo pages read back by the crawler's
// extraction (demo-snapshots.ts); the registers the demo market serves (/ref/*.ndjson) are written to files
// and read by the reference file readers `ref load` and `shelfwatch detect` use (readRecords + referenceRow)
// into the detect stage's reference views; every enabled detector runs through alertsFor() (what the stage
// calls per message) in stream order (listings in index order, then room samples), so the price base warms
// from the stream exactly as in the stage, and each alert must pass the Alert contract as in the stage.
//
// Labels: a listing's injected problem names the rule that must fire (PROBLEM_RULES); a room's problems
// likewise, plus two derived from the listings its samples showed: a card of a recalled product
// (recall_match) and of a CCC product shown without a certificate (livestream_risk room_ccc_missing).
// A finding of any other rule on a subject is a false positive. A subject counts once per rule.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceFor } from '../../crawlers/demo-market/reference.ts';
import { roomCountFor } from '../../crawlers/demo-market/rooms.ts';
import { Alert, type ListingSnapshot } from '../../pipeline/contracts/index.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { alertsFor } from '../../pipeline/stages/detect.ts';
import { createDetectors, detectConfigSchema, type RunnableDetector } from '../index.ts';
import { readRecords } from '../reference/files.ts';
import { referenceRow } from '../reference/rows.ts';
import { createReferenceViews, REFERENCE_KINDS, type ReferenceKind, type ReferenceViews } from '../reference/views.ts';
import type { Subject } from '../types.ts';
import { demoListingSnapshot, demoRoomSnapshots } from './demo-snapshots.ts';

/** Injected problem kind -> the detector/rule that must report it. */
export const PROBLEM_RULES: Readonly<Record<string, string>> = {
  price_far_below: 'price_anomaly/price_far_below',
  ccc_forged: 'certificate_mismatch/ccc_not_in_register',
  ccc_expired: 'certificate_mismatch/ccc_expired',
  ccc_revoked: 'certificate_mismatch/ccc_revoked',
  ccc_suspended: 'certificate_mismatch/ccc_suspended',
  ccc_out_of_scope: 'certificate_mismatch/ccc_category_mismatch',
  ccc_missing: 'certificate_mismatch/ccc_missing',
  recalled_model: 'recall_match/recalled_product',
  prohibited_item: 'prohibited_item/prohibited_item',
  three_no: 'three_no/three_no',
  absolute_claim: 'livestream_risk/absolute_claim',
  room_price_mismatch: 'livestream_risk/room_price_mismatch',
};
/** Injected on purpose with no rule expected: a price 55-70 % of the median is low, not "far below". */
export const UNLABELLED_PROBLEMS = ['price_low'] as const;

/** The rule-based detectors the goals (precision = recall = 1) apply to. */
export const RULE_BASED_DETECTORS = ['certificate_mismatch', 'recall_match', 'prohibited_item', 'three_no'] as const;

export interface DemoEvalOptions {
  seed: number;
  listings: number;
  /** Share of listings and rooms with an injected problem (generator default 0.2). */
  problemRate?: number;
  /** Also evaluate livestream rooms (one per 50 listings). @default true */
  rooms?: boolean;
  /** Also run the clean catalogue (same seed and size, nothing injected) for clean_fpr. @default true */
  clean?: boolean;
  /**
   * 'crawl': snapshots carry what the crawler extracts from each page (spa_mall and selfshop pages show no
   * category). 'truth': the same snapshots, with the category the ground truth lists filled in where the page
   * gave none: the detectors measured apart from that extraction gap. @default 'crawl'
   */
  snapshots?: SnapshotMode;
  /**
   * History before the evaluated stream: this many other listings of the same market (indices after the
   * evaluated ones, problems injected alike) go through the same detectors first, their findings discarded,
   * as the stage in steady state has seen earlier crawls (the price base is warm, nothing else carries over
   * to the evaluated listings). 0 = cold start. @default listings
   */
  warmup?: number;
  /** Fetch time of the first listing; each next one a second later. @default 2026-11-01T00:00:00Z */
  fetchedAt?: string;
  /** config.detect.detectors (defaults when omitted). */
  detectors?: Record<string, unknown>;
  /** Misses and false positives kept per rule as samples. @default 10 */
  samples?: number;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export type SnapshotMode = 'crawl' | 'truth';

export interface RuleScore {
  tp: number;
  fp: number;
  fn: number;
  /** null when the rule neither fired nor was expected. */
  precision: number | null;
  recall: number | null;
}

interface SubjectOutcome {
  id: string;
  expected: Set<string>;
  found: Map<string, string>; // detector/rule -> first summary
  info: Record<string, unknown>;
}

export interface DemoEvalReport {
  eval: 'detectors';
  seed: number;
  listings: number;
  rooms: number;
  problem_rate: number | null;
  snapshots: SnapshotMode;
  warmup: number;
  /** Evaluated listings whose snapshot has no category although the ground truth has one, by platform. */
  category_missing: Record<string, number>;
  fetched_at: string;
  detectors: string[];
  reference: Record<ReferenceKind, number> & { bad_rows: { kind: string; line: number; reason: string }[] };
  snapshot_errors: { count: number; samples: string[] };
  invalid_alerts: number;
  detector_errors: Record<string, number>;
  problems: Record<string, { injected: number; rule: string | null; detected: number }>;
  rules: Record<string, RuleScore & { detector: string; rule: string }>;
  per_detector: Record<string, RuleScore>;
  price: RuleScore & { fired_on_price_low: number; price_low: number };
  clean: { listings: number; listings_with_alert: number; clean_fpr: number; rooms: number; rooms_with_alert: number; by_rule: Record<string, number>; samples: { id: string; rules: string[]; summary: string }[] } | null;
  min_precision: number | null;
  min_recall: number | null;
  misses: Record<string, Record<string, unknown>[]>;
  false_positives: Record<string, Record<string, unknown>[]>;
  seconds: number;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : Math.round((a / b) * 10000) / 10000);

function score(tp: number, fp: number, fn: number): RuleScore {
  return { tp, fp, fn, precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn) };
}

/** Writes the registers as the demo market serves them (/ref/<kind>.ndjson) and loads them like `ref load` reads files. */
export async function loadDemoReference(seed: number, views: ReferenceViews, dir: string, loadedAt: string): Promise<DemoEvalReport['reference']> {
  const ref = referenceFor(seed);
  const counts = { certificates: 0, licences: 0, recalls: 0, prohibited: 0, bad_rows: [] as { kind: string; line: number; reason: string }[] };
  for (const kind of REFERENCE_KINDS) {
    const file = join(dir, `${kind}.ndjson`);
    const rows: readonly unknown[] = ref[kind];
    await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    for await (const row of readRecords(file)) {
      const r = 'error' in row ? ({ ok: false, reason: row.error } as const) : referenceRow(kind, row.record, loadedAt);
      if (!r.ok) counts.bad_rows.push({ kind, line: row.line, reason: r.reason });
      else {
        views.apply(kind, r.key, r.value as never);
        counts[kind]++;
      }
    }
  }
  return counts;
}

interface RunResult {
  listings: SubjectOutcome[];
  rooms: SubjectOutcome[];
  snapshotErrors: string[];
  invalidAlerts: number;
  detectorErrors: Record<string, number>;
  categoryMissing: Record<string, number>;
}

/** One pass of the stream (history, then listings in index order, then room samples) through the detectors, like the stage. */
function runStream(seed: number, n: number, opts: DemoEvalOptions, clean: boolean, detectors: readonly RunnableDetector[], views: ReferenceViews, phase: string): RunResult {
  const start = Date.parse(opts.fetchedAt ?? '2026-11-01T00:00:00.000Z');
  const gen = { clean, problemRate: opts.problemRate };
  const mode = opts.snapshots ?? 'crawl';
  const warmup = opts.warmup ?? n;
  const result: RunResult = { listings: [], rooms: [], snapshotErrors: [], invalidAlerts: 0, detectorErrors: {}, categoryMissing: {} };
  const onError = (d: string) => (result.detectorErrors[d] = (result.detectorErrors[d] ?? 0) + 1);
  const run = (subject: Subject, into: SubjectOutcome | null) => {
    for (const a of alertsFor(subject, detectors, views, onError)) {
      if (!into) continue;
      if (!Alert.safeParse(a).success) {
        result.invalidAlerts++;
        continue;
      }
      const key = `${a.detector}/${a.rule_id}`;
      if (!into.found.has(key)) into.found.set(key, a.summary);
    }
  };
  const snapshotOf = (i: number, at: number) => {
    const s = demoListingSnapshot(seed, i, { ...gen, fetchedAt: new Date(at) });
    if (s.ok && s.snapshot.category === null && mode === 'truth') return { ...s, snapshot: { ...s.snapshot, category: s.listing.category } };
    return s;
  };
  const total = warmup + n + (opts.rooms === false ? 0 : roomCountFor(n));
  // History: listings n .. n+warmup-1, fetched before the evaluated ones.
  for (let k = 0; k < warmup; k++) {
    const s = snapshotOf(n + k, start - (warmup - k) * 1000);
    if (s.ok) run({ kind: 'listing', snapshot: s.snapshot }, null);
    if (k % 500 === 499) opts.onProgress?.(`${phase} history`, k + 1, total);
  }
  const labels = new Map<string, { kinds: string[]; cccRequiredWithout: boolean }>();
  for (let i = 0; i < n; i++) {
    const s = snapshotOf(i, start + i * 1000);
    const kinds = s.listing.problems.map((p) => p.kind);
    labels.set(s.listing.listing_id, { kinds, cccRequiredWithout: kinds.includes('ccc_missing') });
    const outcome: SubjectOutcome = {
      id: `${s.listing.platform}:${s.listing.listing_id}`,
      expected: new Set(kinds.map((k) => PROBLEM_RULES[k]).filter((r): r is string => r !== undefined)),
      found: new Map(),
      info: { index: i, problems: s.listing.problems, category: s.listing.category, reference_median: s.listing.reference_median },
    };
    if (!s.ok) {
      result.snapshotErrors.push(s.error);
    } else {
      const snap: ListingSnapshot = s.snapshot;
      if (snap.category === null) result.categoryMissing[s.listing.platform] = (result.categoryMissing[s.listing.platform] ?? 0) + 1;
      outcome.info.snapshot = { title: snap.title, price: snap.price, category: snap.category, brand: snap.brand, model: snap.model, ccc_numbers: snap.ccc_numbers, licence_numbers: snap.licence_numbers, producer: snap.producer };
      run({ kind: 'listing', snapshot: snap }, outcome);
    }
    result.listings.push(outcome);
    if (i % 500 === 499) opts.onProgress?.(phase, warmup + i + 1, total);
  }
  if (opts.rooms !== false) {
    const rooms = roomCountFor(n);
    const roomStart = new Date(start + n * 1000);
    for (let r = 0; r < rooms; r++) {
      const { room, snapshots, errors } = demoRoomSnapshots(seed, r, { ...gen, start: new Date(roomStart.getTime() + r * 10_000) });
      result.snapshotErrors.push(...errors);
      const expected = new Set(room.problems.map((p) => PROBLEM_RULES[p.kind]).filter((x): x is string => x !== undefined));
      const shown = new Set<string>();
      for (const snap of snapshots) {
        const id = snap.product?.listing_id;
        if (!id) continue;
        shown.add(id);
        const l = labels.get(id);
        if (l?.kinds.includes('recalled_model')) expected.add('recall_match/recalled_product');
        if (l?.cccRequiredWithout) expected.add('livestream_risk/room_ccc_missing');
      }
      const outcome: SubjectOutcome = { id: `livebuy:${room.room_id}`, expected, found: new Map(), info: { problems: room.problems, cards_shown: [...shown] } };
      for (const snap of snapshots) run({ kind: 'livestream', snapshot: snap }, outcome);
      result.rooms.push(outcome);
      if (r % 50 === 49) opts.onProgress?.(phase, warmup + n + r + 1, total);
    }
  }
  opts.onProgress?.(phase, total, total);
  return result;
}

/** Every rule every enabled detector can emit, plus every rule a label names. */
function ruleUniverse(detectors: readonly RunnableDetector[]): string[] {
  const rules = new Set<string>();
  for (const d of detectors) for (const r of d.definition.rules) rules.add(`${d.name}/${r}`);
  return [...rules].sort();
}

export async function runDemoEval(opts: DemoEvalOptions): Promise<DemoEvalReport> {
  const t0 = performance.now();
  const sampleMax = opts.samples ?? 10;
  const fetchedAt = opts.fetchedAt ?? '2026-11-01T00:00:00.000Z';
  const cfg = detectConfigSchema.parse({ detectors: opts.detectors ?? {} });
  const dir = await mkdtemp(join(tmpdir(), 'shelfwatch-eval-'));
  try {
    const make = async () => {
      const views = createReferenceViews();
      const reference = await loadDemoReference(opts.seed, views, dir, fetchedAt);
      // A fresh set of detectors per pass: the price base and the livestream listing memory start empty.
      const detectors = createDetectors(cfg.detectors, { logger: silentLogger });
      return { views, reference, detectors };
    };

    const main = await make();
    const res = runStream(opts.seed, opts.listings, { ...opts, fetchedAt }, false, main.detectors, main.views, 'injected');
    const subjects = [...res.listings, ...res.rooms];

    const universe = new Set(ruleUniverse(main.detectors));
    for (const s of subjects) for (const r of s.expected) universe.add(r);
    const rules: DemoEvalReport['rules'] = {};
    const misses: DemoEvalReport['misses'] = {};
    const fps: DemoEvalReport['false_positives'] = {};
    for (const key of [...universe].sort()) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (const s of subjects) {
        const exp = s.expected.has(key);
        const got = s.found.has(key);
        if (exp && got) tp++;
        else if (got) {
          fp++;
          if ((fps[key] ??= []).length < sampleMax) fps[key].push({ id: s.id, summary: s.found.get(key), ...s.info });
        } else if (exp) {
          fn++;
          if ((misses[key] ??= []).length < sampleMax) misses[key].push({ id: s.id, found: [...s.found.keys()], ...s.info });
        }
      }
      const [detector, rule] = key.split('/') as [string, string];
      rules[key] = { detector, rule, ...score(tp, fp, fn) };
    }
    const perDetector: DemoEvalReport['per_detector'] = {};
    for (const d of main.detectors) {
      const mine = Object.values(rules).filter((r) => r.detector === d.name);
      perDetector[d.name] = score(
        mine.reduce((a, r) => a + r.tp, 0),
        mine.reduce((a, r) => a + r.fp, 0),
        mine.reduce((a, r) => a + r.fn, 0),
      );
    }

    const problems: DemoEvalReport['problems'] = {};
    for (const s of subjects) {
      for (const p of (s.info.problems as { kind: string }[]) ?? []) {
        const rule = PROBLEM_RULES[p.kind] ?? null;
        const e = (problems[p.kind] ??= { injected: 0, rule, detected: 0 });
        e.injected++;
        if (rule && s.found.has(rule)) e.detected++;
      }
    }

    const priceRule = rules['price_anomaly/price_far_below'] ?? { tp: 0, fp: 0, fn: 0, precision: null, recall: null };
    const priceLow = res.listings.filter((s) => (s.info.problems as { kind: string }[]).some((p) => p.kind === 'price_low'));
    const price = { tp: priceRule.tp, fp: priceRule.fp, fn: priceRule.fn, precision: priceRule.precision, recall: priceRule.recall, price_low: priceLow.length, fired_on_price_low: priceLow.filter((s) => s.found.has('price_anomaly/price_far_below')).length };

    // Goals apply to the rule-based detectors' rules that were injected or fired.
    const ruleBased = Object.values(rules).filter((r) => (RULE_BASED_DETECTORS as readonly string[]).includes(r.detector));
    const precisions = ruleBased.map((r) => r.precision).filter((x): x is number => x !== null);
    const recalls = ruleBased.map((r) => r.recall).filter((x): x is number => x !== null);

    let clean: DemoEvalReport['clean'] = null;
    if (opts.clean !== false) {
      const c = await make();
      const cr = runStream(opts.seed, opts.listings, { ...opts, fetchedAt }, true, c.detectors, c.views, 'clean');
      const byRule: Record<string, number> = {};
      const samples: NonNullable<DemoEvalReport['clean']>['samples'] = [];
      for (const s of [...cr.listings, ...cr.rooms]) {
        for (const k of s.found.keys()) byRule[k] = (byRule[k] ?? 0) + 1;
        if (s.found.size && samples.length < sampleMax) samples.push({ id: s.id, rules: [...s.found.keys()], summary: [...s.found.values()][0]!, ...s.info });
      }
      const withAlert = cr.listings.filter((s) => s.found.size > 0).length;
      clean = {
        listings: cr.listings.length,
        listings_with_alert: withAlert,
        clean_fpr: ratio(withAlert, cr.listings.length) ?? 0,
        rooms: cr.rooms.length,
        rooms_with_alert: cr.rooms.filter((s) => s.found.size > 0).length,
        by_rule: byRule,
        samples,
      };
      res.snapshotErrors.push(...cr.snapshotErrors.map((s) => `clean: ${s}`));
      res.invalidAlerts += cr.invalidAlerts;
      for (const [d, k] of Object.entries(cr.detectorErrors)) res.detectorErrors[d] = (res.detectorErrors[d] ?? 0) + k;
    }

    return {
      eval: 'detectors',
      seed: opts.seed,
      listings: opts.listings,
      rooms: res.rooms.length,
      problem_rate: opts.problemRate ?? null,
      snapshots: opts.snapshots ?? 'crawl',
      warmup: opts.warmup ?? opts.listings,
      category_missing: res.categoryMissing,
      fetched_at: fetchedAt,
      detectors: main.detectors.map((d) => d.name),
      reference: main.reference,
      snapshot_errors: { count: res.snapshotErrors.length, samples: res.snapshotErrors.slice(0, sampleMax) },
      invalid_alerts: res.invalidAlerts,
      detector_errors: res.detectorErrors,
      problems,
      rules,
      per_detector: perDetector,
      price,
      clean,
      min_precision: precisions.length ? Math.min(...precisions) : null,
      min_recall: recalls.length ? Math.min(...recalls) : null,
      misses,
      false_positives: fps,
      seconds: Math.round((performance.now() - t0) / 100) / 10,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The one-line summary printed last by `npm run eval`. */
export function demoEvalSummary(r: DemoEvalReport): Record<string, unknown> {
  return {
    eval: 'detectors',
    min_precision: r.min_precision,
    min_recall: r.min_recall,
    price_precision: r.price.precision,
    price_recall: r.price.recall,
    clean_fpr: r.clean?.clean_fpr ?? null,
    listings: r.listings,
    rooms: r.rooms,
    seed: r.seed,
    snapshots: r.snapshots,
    warmup: r.warmup,
  };
}

/** Per-rule table (rules that fired or were expected), for stderr. */
export function formatRuleTable(r: DemoEvalReport): string {
  const f = (x: number | null) => (x === null ? '   -  ' : x.toFixed(4));
  const lines = ['detector/rule'.padEnd(48) + '    TP    FP    FN  precision  recall'];
  for (const [key, s] of Object.entries(r.rules)) {
    if (s.tp + s.fp + s.fn === 0) continue;
    lines.push(`${key.padEnd(48)}${String(s.tp).padStart(6)}${String(s.fp).padStart(6)}${String(s.fn).padStart(6)}     ${f(s.precision)}  ${f(s.recall)}`);
  }
  return lines.join('\n');
}

