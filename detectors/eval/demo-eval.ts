// The detectors measured on the demo marketplace's ground truth: precision and recall per detector and rule.
// In: seed, listing count, generator options. Out: a DemoEvalReport (per rule TP/FP/FN, precision, recall;
// price anomaly on prices below 40 % of the product's median; the false-positive rate on a clean catalogue;
// samples of misses and false alarms with what the snapshot showed).
//
// Everything runs through production code paths: snapshots are the demo pages read back by the crawler's
// extraction (demo-snapshots.ts); the registers the demo market serves (/ref/*.ndjson) are written to files
// and read by the reference file readers `ref load` and `shelfwatch detect` use (readRecords + referenceRow)
// into the detect stage's reference views; every enabled detector runs through alertsFor() (what the stage
// calls per message) in stream order (history, then listings in index order, then room samples), so the
// price base warms from the stream exactly as in the stage, and each alert must pass the Alert contract as
// in the stage.
//
// Stream: the previous crawl of the evaluated listings that have one (listing.previous_price: a quarter of
// them, every price_jump listing; the page as it was then), then the history, then the evaluated crawl, then
// the rooms. A listing's findings are those of both its crawls (what a bureau receives about it), so a
// price_jump (which needs the previous price) is observable, and a price far below that already alerted at
// the previous crawl still counts.
//
// Two variants share one extraction pass, each with its own detectors and views: `crawl` (the headline: the
// snapshots as crawled; spa_mall and selfshop pages show no category, so category-dependent rules are blind
// there) and `truth_category` (the same snapshots with the ground truth's category where the page gave none:
// the detectors measured apart from that extraction gap).
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
import { Alert, type ListingSnapshot, type LivestreamSnapshot } from '../../pipeline/contracts/index.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { alertsFor } from '../../pipeline/stages/detect.ts';
import { createDetectors, detectConfigSchema, type RunnableDetector } from '../index.ts';
import { readRecords } from '../reference/files.ts';
import { referenceRow } from '../reference/rows.ts';
import { createReferenceViews, REFERENCE_KINDS, type ReferenceKind, type ReferenceViews } from '../reference/views.ts';
import type { Subject } from '../types.ts';
import { demoListingSnapshot, demoPreviousSnapshot, demoRoomSnapshots } from './demo-snapshots.ts';

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
  licence_forged: 'certificate_mismatch/licence_not_in_register',
  licence_missing: 'certificate_mismatch/licence_missing',
  licence_expired: 'certificate_mismatch/licence_expired',
  licence_revoked: 'certificate_mismatch/licence_revoked',
  licence_suspended: 'certificate_mismatch/licence_suspended',
  licence_product_mismatch: 'certificate_mismatch/licence_product_mismatch',
  ccc_holder_mismatch: 'certificate_mismatch/ccc_holder_mismatch',
  ccc_model_not_covered: 'certificate_mismatch/ccc_model_not_covered',
  price_jump: 'price_anomaly/price_jump',
  absolute_claim: 'livestream_risk/absolute_claim',
  room_price_mismatch: 'livestream_risk/room_price_mismatch',
};
/** Injected on purpose with no rule expected: a price 55-70 % of the median is low, not "far below". */
export const UNLABELLED_PROBLEMS = ['price_low'] as const;

/** The rule-based detectors the goals (precision = recall = 1) apply to. */
export const RULE_BASED_DETECTORS = ['certificate_mismatch', 'recall_match', 'prohibited_item', 'three_no'] as const;
/** Rules of other detectors that are rules too (a threshold on the listing's own prices, no statistics): same goals. */
export const RULE_BASED_RULES = ['price_anomaly/price_jump'] as const;

/** Whether a detector/rule is held to precision = recall = 1 (and counted in min_precision / min_recall). */
export function isRuleBased(r: { detector: string; rule: string }): boolean {
  return (RULE_BASED_DETECTORS as readonly string[]).includes(r.detector) || (RULE_BASED_RULES as readonly string[]).includes(`${r.detector}/${r.rule}`);
}

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

export const VARIANTS = ['crawl', 'truth_category'] as const;
export type Variant = (typeof VARIANTS)[number];

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

export interface CleanScore {
  listings: number;
  listings_with_alert: number;
  clean_fpr: number;
  rooms: number;
  rooms_with_alert: number;
  by_rule: Record<string, number>;
  samples: Record<string, unknown>[];
}

/** The figures of one variant. */
export interface VariantScore {
  problems: Record<string, { injected: number; rule: string | null; detected: number }>;
  rules: Record<string, RuleScore & { detector: string; rule: string }>;
  per_detector: Record<string, RuleScore>;
  price: RuleScore & { fired_on_price_low: number; price_low: number };
  clean: CleanScore | null;
  /** Over the rules of RULE_BASED_DETECTORS and RULE_BASED_RULES that fired or were expected. */
  min_precision: number | null;
  min_recall: number | null;
  misses: Record<string, Record<string, unknown>[]>;
  false_positives: Record<string, Record<string, unknown>[]>;
}

export interface DemoEvalReport extends VariantScore {
  eval: 'detectors';
  seed: number;
  listings: number;
  rooms: number;
  problem_rate: number | null;
  warmup: number;
  /** Evaluated listings whose crawled snapshot has no category although the ground truth has one, by platform. */
  category_missing: Record<string, number>;
  fetched_at: string;
  detectors: string[];
  reference: Record<ReferenceKind, number> & { bad_rows: { kind: string; line: number; reason: string }[] };
  snapshot_errors: { count: number; samples: string[] };
  invalid_alerts: number;
  detector_errors: Record<string, number>;
  /** The same stream with the ground truth's category filled in where the page showed none. */
  truth_category: VariantScore;
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

/** One variant's detectors and what they found. */
interface Pass {
  variant: Variant;
  detectors: readonly RunnableDetector[];
  views: ReferenceViews;
  listings: SubjectOutcome[];
  rooms: SubjectOutcome[];
}

interface StreamStats {
  snapshotErrors: string[];
  invalidAlerts: number;
  detectorErrors: Record<string, number>;
  categoryMissing: Record<string, number>;
}

const outcome = (id: string, expected: Set<string>, info: Record<string, unknown>): SubjectOutcome => ({ id, expected, found: new Map(), info });

/** One pass of the stream (history, then listings in index order, then room samples) through every variant's detectors, like the stage. */
function runStream(seed: number, n: number, opts: DemoEvalOptions, clean: boolean, passes: readonly Pass[], stats: StreamStats, phase: string): void {
  const start = Date.parse(opts.fetchedAt ?? '2026-11-01T00:00:00.000Z');
  const gen = { clean, problemRate: opts.problemRate };
  const warmup = opts.warmup ?? n;
  const onError = (d: string) => (stats.detectorErrors[d] = (stats.detectorErrors[d] ?? 0) + 1);
  const run = (pass: Pass, subject: Subject, into: SubjectOutcome | null) => {
    for (const a of alertsFor(subject, pass.detectors, pass.views, onError)) {
      if (!into) continue;
      if (!Alert.safeParse(a).success) {
        stats.invalidAlerts++;
        continue;
      }
      const key = `${a.detector}/${a.rule_id}`;
      if (!into.found.has(key)) into.found.set(key, a.summary);
    }
  };
  const listingSubject = (pass: Pass, snap: ListingSnapshot, category: string): Subject => ({
    kind: 'listing',
    snapshot: pass.variant === 'truth_category' && snap.category === null ? { ...snap, category } : snap,
  });
  const total = n + warmup + n + (opts.rooms === false ? 0 : roomCountFor(n));
  // Previous crawl of the evaluated listings that had one, a day (or n seconds, if more) before the history.
  const previousStart = start - warmup * 1000 - Math.max(86_400, n) * 1000;
  const previousFound = new Map<number, Map<string, string>[]>();
  for (let i = 0; i < n; i++) {
    const s = demoPreviousSnapshot(seed, i, { ...gen, fetchedAt: new Date(previousStart + i * 1000) });
    if (s && !s.ok) stats.snapshotErrors.push(`previous crawl: ${s.error}`);
    else if (s) {
      const snap = s.snapshot;
      previousFound.set(
        i,
        passes.map((pass) => {
          const o = outcome('', new Set(), {});
          run(pass, listingSubject(pass, snap, s.listing.category), o);
          return o.found;
        }),
      );
    }
    if (i % 500 === 499) opts.onProgress?.(`${phase} previous crawl`, i + 1, total);
  }
  // History: listings n .. n+warmup-1, fetched before the evaluated ones.
  for (let k = 0; k < warmup; k++) {
    const s = demoListingSnapshot(seed, n + k, { ...gen, fetchedAt: new Date(start - (warmup - k) * 1000) });
    if (s.ok) for (const pass of passes) run(pass, listingSubject(pass, s.snapshot, s.listing.category), null);
    if (k % 500 === 499) opts.onProgress?.(`${phase} history`, n + k + 1, total);
  }
  const labels = new Map<string, string[]>();
  for (let i = 0; i < n; i++) {
    const s = demoListingSnapshot(seed, i, { ...gen, fetchedAt: new Date(start + i * 1000) });
    const l = s.listing;
    const kinds = l.problems.map((p) => p.kind);
    labels.set(l.listing_id, kinds);
    const expected = new Set(kinds.map((k) => PROBLEM_RULES[k]).filter((r): r is string => r !== undefined));
    const info: Record<string, unknown> = { index: i, problems: l.problems, category: l.category, reference_median: l.reference_median, previous_price: l.previous_price };
    if (!s.ok) stats.snapshotErrors.push(s.error);
    else {
      const snap = s.snapshot;
      if (snap.category === null) stats.categoryMissing[l.platform] = (stats.categoryMissing[l.platform] ?? 0) + 1;
      info.snapshot = { title: snap.title, price: snap.price, category: snap.category, brand: snap.brand, model: snap.model, gtin: snap.gtin, ccc_numbers: snap.ccc_numbers, licence_numbers: snap.licence_numbers, producer: snap.producer };
    }
    const before = previousFound.get(i);
    for (const [k, pass] of passes.entries()) {
      const o = outcome(`${l.platform}:${l.listing_id}`, expected, info);
      for (const [rule, summary] of before?.[k] ?? []) o.found.set(rule, summary);
      if (s.ok) run(pass, listingSubject(pass, s.snapshot, l.category), o);
      pass.listings.push(o);
    }
    if (i % 500 === 499) opts.onProgress?.(phase, n + warmup + i + 1, total);
  }
  if (opts.rooms !== false) {
    const rooms = roomCountFor(n);
    const roomStart = start + n * 1000;
    for (let r = 0; r < rooms; r++) {
      const { room, snapshots, errors } = demoRoomSnapshots(seed, r, { ...gen, start: new Date(roomStart + r * 10_000) });
      stats.snapshotErrors.push(...errors);
      const expected = new Set(room.problems.map((p) => PROBLEM_RULES[p.kind]).filter((x): x is string => x !== undefined));
      const shown = new Set<string>();
      for (const snap of snapshots) {
        const id = snap.product?.listing_id;
        if (!id) continue;
        shown.add(id);
        const kinds = labels.get(id) ?? [];
        if (kinds.includes('recalled_model')) expected.add('recall_match/recalled_product');
        if (kinds.includes('ccc_missing')) expected.add('livestream_risk/room_ccc_missing');
      }
      const info = { problems: room.problems, cards_shown: [...shown] };
      for (const pass of passes) {
        const o = outcome(`livebuy:${room.room_id}`, expected, info);
        for (const snap of snapshots as LivestreamSnapshot[]) run(pass, { kind: 'livestream', snapshot: snap }, o);
        pass.rooms.push(o);
      }
      if (r % 50 === 49) opts.onProgress?.(phase, n + warmup + n + r + 1, total);
    }
  }
  opts.onProgress?.(phase, total, total);
}

/** Per-rule counts of one variant's injected pass (and its clean pass, when run). */
function scorePass(pass: Pass, clean: Pass | null, sampleMax: number): VariantScore {
  const subjects = [...pass.listings, ...pass.rooms];
  const universe = new Set<string>();
  for (const d of pass.detectors) for (const r of d.definition.rules) universe.add(`${d.name}/${r}`);
  for (const s of subjects) for (const r of s.expected) universe.add(r);
  const rules: VariantScore['rules'] = {};
  const misses: VariantScore['misses'] = {};
  const fps: VariantScore['false_positives'] = {};
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
  const perDetector: VariantScore['per_detector'] = {};
  for (const d of pass.detectors) {
    const mine = Object.values(rules).filter((r) => r.detector === d.name);
    perDetector[d.name] = score(
      mine.reduce((a, r) => a + r.tp, 0),
      mine.reduce((a, r) => a + r.fp, 0),
      mine.reduce((a, r) => a + r.fn, 0),
    );
  }
  const problems: VariantScore['problems'] = {};
  for (const s of subjects) {
    for (const p of (s.info.problems as { kind: string }[]) ?? []) {
      const rule = PROBLEM_RULES[p.kind] ?? null;
      const e = (problems[p.kind] ??= { injected: 0, rule, detected: 0 });
      e.injected++;
      if (rule && s.found.has(rule)) e.detected++;
    }
  }
  const pr = rules['price_anomaly/price_far_below'] ?? { tp: 0, fp: 0, fn: 0, precision: null, recall: null };
  const priceLow = pass.listings.filter((s) => (s.info.problems as { kind: string }[]).some((p) => p.kind === 'price_low'));
  const price = { tp: pr.tp, fp: pr.fp, fn: pr.fn, precision: pr.precision, recall: pr.recall, price_low: priceLow.length, fired_on_price_low: priceLow.filter((s) => s.found.has('price_anomaly/price_far_below')).length };
  const ruleBased = Object.values(rules).filter(isRuleBased);
  const precisions = ruleBased.map((r) => r.precision).filter((x): x is number => x !== null);
  const recalls = ruleBased.map((r) => r.recall).filter((x): x is number => x !== null);
  let cleanScore: CleanScore | null = null;
  if (clean) {
    const byRule: Record<string, number> = {};
    const samples: Record<string, unknown>[] = [];
    for (const s of [...clean.listings, ...clean.rooms]) {
      for (const k of s.found.keys()) byRule[k] = (byRule[k] ?? 0) + 1;
      if (s.found.size && samples.length < sampleMax) samples.push({ id: s.id, rules: [...s.found.keys()], summary: [...s.found.values()][0], ...s.info });
    }
    const withAlert = clean.listings.filter((s) => s.found.size > 0).length;
    cleanScore = {
      listings: clean.listings.length,
      listings_with_alert: withAlert,
      clean_fpr: ratio(withAlert, clean.listings.length) ?? 0,
      rooms: clean.rooms.length,
      rooms_with_alert: clean.rooms.filter((s) => s.found.size > 0).length,
      by_rule: byRule,
      samples,
    };
  }
  return {
    problems,
    rules,
    per_detector: perDetector,
    price,
    clean: cleanScore,
    min_precision: precisions.length ? Math.min(...precisions) : null,
    min_recall: recalls.length ? Math.min(...recalls) : null,
    misses,
    false_positives: fps,
  };
}

export async function runDemoEval(opts: DemoEvalOptions): Promise<DemoEvalReport> {
  const t0 = performance.now();
  const sampleMax = opts.samples ?? 10;
  const fetchedAt = opts.fetchedAt ?? '2026-11-01T00:00:00.000Z';
  const cfg = detectConfigSchema.parse({ detectors: opts.detectors ?? {} });
  const dir = await mkdtemp(join(tmpdir(), 'shelfwatch-eval-'));
  try {
    let reference: DemoEvalReport['reference'] | undefined;
    // Fresh views and detectors per variant and per catalogue: the price base and the livestream listing
    // memory start empty, and no variant sees another's state.
    const passes = async (): Promise<Pass[]> => {
      const out: Pass[] = [];
      for (const variant of VARIANTS) {
        const views = createReferenceViews();
        const loaded = await loadDemoReference(opts.seed, views, dir, fetchedAt);
        reference ??= loaded;
        out.push({ variant, views, detectors: createDetectors(cfg.detectors, { logger: silentLogger }), listings: [], rooms: [] });
      }
      return out;
    };
    const stats: StreamStats = { snapshotErrors: [], invalidAlerts: 0, detectorErrors: {}, categoryMissing: {} };
    const injected = await passes();
    runStream(opts.seed, opts.listings, { ...opts, fetchedAt }, false, injected, stats, 'injected');
    const categoryMissing = { ...stats.categoryMissing };
    let cleanPasses: Pass[] | null = null;
    if (opts.clean !== false) {
      cleanPasses = await passes();
      const cleanStats: StreamStats = { snapshotErrors: [], invalidAlerts: 0, detectorErrors: stats.detectorErrors, categoryMissing: {} };
      runStream(opts.seed, opts.listings, { ...opts, fetchedAt }, true, cleanPasses, cleanStats, 'clean');
      stats.snapshotErrors.push(...cleanStats.snapshotErrors.map((e) => `clean: ${e}`));
      stats.invalidAlerts += cleanStats.invalidAlerts;
    }
    const crawl = scorePass(injected[0]!, cleanPasses?.[0] ?? null, sampleMax);
    const truth = scorePass(injected[1]!, cleanPasses?.[1] ?? null, sampleMax);
    return {
      eval: 'detectors',
      seed: opts.seed,
      listings: opts.listings,
      rooms: injected[0]!.rooms.length,
      problem_rate: opts.problemRate ?? null,
      warmup: opts.warmup ?? opts.listings,
      category_missing: categoryMissing,
      fetched_at: fetchedAt,
      detectors: injected[0]!.detectors.map((d) => d.name),
      reference: reference!,
      snapshot_errors: { count: stats.snapshotErrors.length, samples: stats.snapshotErrors.slice(0, sampleMax) },
      invalid_alerts: stats.invalidAlerts,
      detector_errors: stats.detectorErrors,
      ...crawl,
      truth_category: truth,
      seconds: Math.round((performance.now() - t0) / 100) / 10,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const headline = (v: VariantScore) => ({
  min_precision: v.min_precision,
  min_recall: v.min_recall,
  price_precision: v.price.precision,
  price_recall: v.price.recall,
  clean_fpr: v.clean?.clean_fpr ?? null,
});

/** The one-line summary printed last by `npm run eval`: the crawl figures, then the truth-category ones. */
export function demoEvalSummary(r: DemoEvalReport): Record<string, unknown> {
  return { eval: 'detectors', ...headline(r), listings: r.listings, rooms: r.rooms, seed: r.seed, warmup: r.warmup, truth_category: headline(r.truth_category) };
}

/** Per-rule table (rules that fired or were expected), for stderr. */
export function formatRuleTable(r: VariantScore): string {
  const f = (x: number | null) => (x === null ? '   -  ' : x.toFixed(4));
  const lines = ['detector/rule'.padEnd(48) + '    TP    FP    FN  precision  recall'];
  for (const [key, s] of Object.entries(r.rules)) {
    if (s.tp + s.fp + s.fn === 0) continue;
    lines.push(`${key.padEnd(48)}${String(s.tp).padStart(6)}${String(s.fp).padStart(6)}${String(s.fn).padStart(6)}     ${f(s.precision)}  ${f(s.recall)}`);
  }
  return lines.join('\n');
}

