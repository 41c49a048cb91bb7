// price_anomaly: a listing priced far below what the same product sells for (likely counterfeit or inferior),
// and abnormal price jumps of one listing.
// In: listing snapshots, in stream order. Out: findings `price_far_below` and `price_jump`, with the price
// base's statistics as the reference; an isolation-forest score per category as secondary evidence.
//
// The decision for one snapshot is the pure function assessPrice(). What it needs from the past (the price
// base, the listing's previous price and alert state, the category forests) is a PriceDetectorState the
// stage may pass in deps (`priceState`, e.g. seeded from ClickHouse price_base_daily with base.fromQuantiles(),
// or from an earlier snapshot() with base.fromRows()); without one,
// create() makes its own. The DetectFn reads that state, calls assessPrice(), then records the observation:
// so the same stream in the same order gives the same findings (no clock: time is the snapshot's
// fetched_at; no randomness: the forests are seeded and retrained on a schedule of observation counts and
// snapshot time, iforest.retrainEvery rows or iforest.retrainHours).
//
// Design choices against alert fatigue (design/domain.md):
// - never a claim from fewer than `minCount` prices in the reference window;
// - calibrated per product: the product key (category + brand + model) is used when it has enough prices,
//   the category only as a fallback (a listing without a category has only the product keys, under the
//   category '_'), and a robust z-score on log price (scaled by that key's own MAD) must
//   also be extreme, so a category mixing cheap and premium products does not flag the cheap ones;
// - hysteresis per listing: enter when price/median < enterRatio (T1), leave only above exitRatio (T2 > T1),
//   and while in, re-notify only when the price falls another `renotifyDrop` below the alerted price;
// - a flagged price is not fed into the base (a flood of cheap fakes must not become the reference), and a
//   re-crawl with an unchanged price is not counted again (one listing must not outvote the market);
// - price_jump has a cooldown per listing, so a price flapping between two values alerts once per cooldown.
import { z } from 'zod';
import { trainIsolationForestFlat, type IsolationForest } from './iforest/forest.ts';
import { createPriceBase, productKeys, type PriceBase, type PriceLookup } from './price-base.ts';
import { ListingPriceStore } from './price-listings.ts';
import { defineDetector, type DetectorDeps, type DetectorFinding } from './types.ts';

export const priceAnomalyConfigSchema = z.strictObject({
  /** Prices needed in a key's window before anything is claimed from it. @default 20 */
  minCount: z.number().int().min(3).default(20),
  /** Fall back to the category's statistics when the product and model keys have too few prices. @default true */
  categoryFallback: z.boolean().default(true),
  /**
   * At the category level (products of very different prices mixed), compare with the category's p10, not its
   * median: flag only below categoryRatio × p10. @default 0.5
   */
  categoryRatio: z.number().gt(0).lt(1).default(0.5),
  /** T1: enter the alert state when price / reference median is below this. @default 0.5 */
  enterRatio: z.number().gt(0).lt(1).default(0.5),
  /** T2 (> T1): leave the alert state only when price / median rises above this. @default 0.65 */
  exitRatio: z.number().gt(0).lt(1).default(0.65),
  /** The robust z of log price must also be below −minRobustZ (scale: 1.4826 × MAD of log price). @default 3 */
  minRobustZ: z.number().min(0).default(3),
  /** While alerting, a new finding only when the price falls this fraction below the alerted price. @default 0.3 */
  renotifyDrop: z.number().gt(0).lt(1).default(0.3),
  /** price_jump when the listing's price changes by at least this factor (up or down). @default 3 */
  jumpFactor: z.number().gt(1).default(3),
  /** At most one price_jump per listing within this many hours (snapshot time). @default 24 */
  jumpCooldownHours: z.number().min(0).default(24),
  /** Listings whose last price and alert state are kept (least recently seen evicted). @default 500000 */
  maxListings: z.number().int().min(1).default(500_000),
  /** Prices kept per key in the base's window. @default 256 */
  baseWindow: z.number().int().min(8).default(256),
  /** Keys kept in the base. @default 50000 */
  baseMaxKeys: z.number().int().min(1).default(50_000),
  iforest: z
    .strictObject({
      /** Secondary score (evidence only, never a finding on its own). @default true */
      enabled: z.boolean().default(true),
      /** Retrain a category's forest after this many new rows. @default 2000 */
      retrainEvery: z.number().int().min(1).default(2000),
      /** ... or when this many hours (snapshot time) passed since its last training and rows came in. @default 24 */
      retrainHours: z.number().gt(0).default(24),
      /** Rows a category needs before its first forest. @default 256 */
      minTrainRows: z.number().int().min(16).default(256),
      /** Most recent feature rows kept per category for training. @default 4096 */
      bufferRows: z.number().int().min(16).default(4096),
      /** Categories with a forest and buffer (least recently used evicted). @default 2000 */
      maxCategories: z.number().int().min(1).default(2000),
      trees: z.number().int().min(1).max(1000).default(100),
      sampleSize: z.number().int().min(2).default(256),
      seed: z.number().int().default(1),
    })
    .prefault({}),
});
// exitRatio > enterRatio is checked in create(), not with .refine(): zod 4 refuses to .extend() a refined
// object, and the registry extends every detector's schema with `enabled`.
export type PriceAnomalyConfig = z.infer<typeof priceAnomalyConfigSchema>;

/** The category part of the price keys of listings whose page shows no category. */
export const NO_CATEGORY = '_';

/** What is remembered per listing between snapshots. */
export interface ListingPriceState {
  readonly lastPrice: number;
  /** ms since epoch, from fetched_at. */
  readonly lastAt: number;
  readonly inAlert: boolean;
  /** Price at the last price_far_below finding while in the alert state. */
  readonly alertedPrice: number | null;
  readonly lastJumpAt: number | null;
}

export interface PriceInput {
  readonly price: number;
  readonly currency: string | null;
  readonly originalPrice: number | null;
  /** ms since epoch. */
  readonly at: number;
  readonly reference: PriceLookup | undefined;
  readonly previous: ListingPriceState | undefined;
  /** Isolation-forest score of the listing within its category, when a forest is trained. */
  readonly iforestScore: number | null;
}

export interface PriceAssessment {
  readonly findings: DetectorFinding[];
  readonly next: ListingPriceState;
  /** Feed this price into the base (false while flagged, so fakes do not become the reference). */
  readonly feedBase: boolean;
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;
const money = (x: number) => x.toFixed(2);

/** ln(price / median) in robust standard units of the key's log-price spread; −Infinity-safe. */
export function robustZ(price: number, ref: PriceLookup): number {
  const scale = 1.4826 * ref.stats.log_mad;
  const d = Math.log(price) - ref.stats.log_median;
  if (scale > 0) return d / scale;
  return d === 0 ? 0 : d < 0 ? -Infinity : Infinity; // every reference price equal: any difference is extreme
}

/** The evidence fields every price finding observes. */
function observedBase(input: PriceInput): Record<string, number | string | null> {
  return {
    price: input.price,
    currency: input.currency,
    original_price: input.originalPrice,
    iforest_score: input.iforestScore === null ? null : round(input.iforestScore),
  };
}

/**
 * The price_far_below finding. A module function, built only when there is a finding: tsx (esbuild keepNames)
 * names every closure it creates, and the reference object of 15 rounded fields was built for every listing.
 */
function farBelowFinding(input: PriceInput, ref: PriceLookup, cfg: PriceAnomalyConfig, atCategory: boolean, enter: number, exit: number, ratio: number, z: number): DetectorFinding {
  const price = input.price;
  const anchorName = atCategory ? 'p10' : 'median';
  const anchor = atCategory ? ref.stats.p10 : ref.stats.median;
  return {
    rule_id: 'price_far_below',
    score: round(Math.min(1, 0.5 + 0.5 * ((enter - ratio) / enter))),
    severity: ratio < enter / 2 ? 'high' : 'medium',
    summary: `price ${money(price)} is ${Math.round(ratio * 100)}% of the ${anchorName} ${money(anchor)} of ${ref.stats.n} recent prices for ${ref.level} ${ref.key} (robust z ${z === -Infinity ? '-inf' : z.toFixed(1)})`,
    evidence: {
      observed: { ...observedBase(input), [`ratio_to_${anchorName}`]: round(ratio), robust_z: Number.isFinite(z) ? round(z, 2) : null },
      reference: {
        key: ref.key,
        level: ref.level,
        count: ref.stats.count,
        window: ref.stats.n,
        median: round(ref.stats.median, 2),
        p10: round(ref.stats.p10, 2),
        p25: round(ref.stats.p25, 2),
        p75: round(ref.stats.p75, 2),
        p90: round(ref.stats.p90, 2),
        mad: round(ref.stats.mad, 2),
        compared_with: anchorName,
        enter_ratio: enter,
        exit_ratio: exit,
        min_robust_z: cfg.minRobustZ,
      },
    },
    evidence_key: `${ref.key}|${money(price)}`,
  };
}

/** The pure decision for one observation of one listing. */
export function assessPrice(input: PriceInput, cfg: PriceAnomalyConfig): PriceAssessment {
  const { price, reference: ref, previous: prev, at } = input;
  const findings: DetectorFinding[] = [];
  let inAlert = prev?.inAlert ?? false;
  let alertedPrice = prev?.alertedPrice ?? null;
  let lastJumpAt = prev?.lastJumpAt ?? null;

  if (ref && price > 0) {
    // Product and model keys: compare with the median. The category mixes products of different prices, so
    // there the anchor is its p10 and the threshold categoryRatio (T2 scaled alike).
    const atCategory = ref.level === 'category';
    const anchor = atCategory ? ref.stats.p10 : ref.stats.median;
    const enter = atCategory ? cfg.categoryRatio : cfg.enterRatio;
    const exit = atCategory ? cfg.categoryRatio * (cfg.exitRatio / cfg.enterRatio) : cfg.exitRatio;
    const ratio = price / anchor;
    const z = robustZ(price, ref);
    const below = ratio < enter && z < -cfg.minRobustZ;
    if (!inAlert) {
      if (below) {
        findings.push(farBelowFinding(input, ref, cfg, atCategory, enter, exit, ratio, z));
        inAlert = true;
        alertedPrice = price;
      }
    } else if (ratio > exit) {
      inAlert = false;
      alertedPrice = null;
    } else if (below && alertedPrice !== null && price < alertedPrice * (1 - cfg.renotifyDrop)) {
      findings.push(farBelowFinding(input, ref, cfg, atCategory, enter, exit, ratio, z));
      alertedPrice = price;
    }
  }

  if (prev && prev.lastPrice > 0 && price > 0) {
    const factor = price / prev.lastPrice;
    const cooled = lastJumpAt === null || at - lastJumpAt >= cfg.jumpCooldownHours * 3_600_000;
    if ((factor >= cfg.jumpFactor || factor <= 1 / cfg.jumpFactor) && cooled) {
      const down = factor < 1;
      findings.push({
        rule_id: 'price_jump',
        score: round(Math.min(1, 0.5 + Math.abs(Math.log(factor)) / (4 * Math.log(cfg.jumpFactor)))),
        severity: down ? 'medium' : 'low',
        summary: `price ${down ? 'fell' : 'rose'} from ${money(prev.lastPrice)} to ${money(price)} (×${factor.toFixed(2)}) since ${new Date(prev.lastAt).toISOString()}`,
        evidence: {
          observed: { ...observedBase(input), previous_price: prev.lastPrice, previous_at: new Date(prev.lastAt).toISOString(), factor: round(factor) },
          reference: { jump_factor: cfg.jumpFactor, cooldown_hours: cfg.jumpCooldownHours, ...(ref ? { key: ref.key, median: round(ref.stats.median, 2) } : {}) },
        },
        evidence_key: `${money(prev.lastPrice)}->${money(price)}`,
      });
      lastJumpAt = at;
    }
  }

  return {
    findings,
    next: { lastPrice: price, lastAt: at, inAlert, alertedPrice, lastJumpAt },
    feedBase: !inAlert && (!prev || prev.lastPrice !== price),
  };
}

/**
 * Secondary features: log price relative to the base, claimed discount, then seller and producer signals as
 * 0/1 flags (a category's training rows keep those as bits: packRow()).
 */
export function priceFeatures(
  price: number,
  originalPrice: number | null,
  ref: PriceLookup,
  s: { creditCode: boolean; region: boolean; producerName: boolean; producerAddress: boolean },
): number[] {
  const discount = originalPrice && originalPrice > price ? 1 - price / originalPrice : 0;
  return [Math.log(price / ref.stats.median), discount, s.creditCode ? 1 : 0, s.region ? 1 : 0, s.producerName ? 1 : 0, s.producerAddress ? 1 : 0];
}

/** Features per row (priceFeatures): CONTINUOUS numbers, then 0/1 flags. */
const FEATURES = 6;
const CONTINUOUS = 2;

/**
 * Training rows in `rows` of a category's buffer: the continuous features packed CONTINUOUS doubles a row
 * (an array per row was ~100 bytes, retained until the ring overwrote it: old-generation garbage at every
 * listing) and the 0/1 flags as the bits of one byte a row (17 bytes a row where six doubles were 48: a
 * category's buffer of 4096 rows is ~70 KB, not ~200); unpacked to FEATURES doubles only for a training.
 */
interface PackedRows {
  cont: Float64Array;
  flags: Uint8Array;
}

function packRow(into: PackedRows, row: number, features: readonly number[]): void {
  for (let f = 0; f < CONTINUOUS; f++) into.cont[row * CONTINUOUS + f] = features[f]!;
  let bits = 0;
  for (let f = CONTINUOUS; f < FEATURES; f++) if (features[f] === 1) bits |= 1 << (f - CONTINUOUS);
  into.flags[row] = bits;
}

/** The first n rows as FEATURES doubles a row (what the forest trains on): the same numbers packRow() was given. */
function unpackRows(from: PackedRows, n: number): Float64Array {
  const x = new Float64Array(n * FEATURES);
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < CONTINUOUS; f++) x[r * FEATURES + f] = from.cont[r * CONTINUOUS + f]!;
    const bits = from.flags[r]!;
    for (let f = CONTINUOUS; f < FEATURES; f++) x[r * FEATURES + f] = (bits >> (f - CONTINUOUS)) & 1;
  }
  return x;
}

interface CategoryForest {
  /** Training rows (PackedRows), grown by doubling up to bufferRows rows. */
  x: PackedRows;
  /** Rows held (≤ bufferRows). */
  rows: number;
  /** Next row to overwrite once rows = bufferRows (ring). */
  head: number;
  sinceTrain: number;
  /** Trainings scheduled so far (each forest is trained on its first score); seeds the next one. */
  trainings: number;
  /** Snapshot time (ms) of the last training. */
  trainedAt: number;
  forest: LazyForest | null;
  /** When it last got a row (a counter): past maxCategories the least recent category is dropped. */
  usedAt: number;
}

/**
 * A forest as scheduled at a training point: the rows it is trained on (copied then, since the ring goes on
 * being overwritten) and its seed; trained on the first score() and the rows dropped. Why: the score is
 * evidence on a price finding only, so most scheduled forests were never asked (training was about a sixth
 * of the detect stage's CPU per listing). The forest it gives is the one eager training at that point gave
 * (same rows, same seed), so findings are identical.
 */
export class LazyForest {
  private trained: IsolationForest | null = null;
  constructor(
    private rows: PackedRows | null,
    private readonly n: number,
    private readonly options: { trees: number; sampleSize: number; seed: number },
  ) {}

  /** Whether the forest has been trained yet (it is on the first score()). */
  get isTrained(): boolean {
    return this.trained !== null;
  }

  get(): IsolationForest {
    if (this.trained === null) {
      this.trained = trainIsolationForestFlat(unpackRows(this.rows!, this.n), this.n, FEATURES, this.options);
      this.rows = null;
    }
    return this.trained;
  }

  score(features: number[]): number {
    return this.get().score(features);
  }
}

/** Everything the price detector remembers; pass one in deps.priceState to seed or inspect it. */
export interface PriceDetectorState {
  readonly base: PriceBase;
  /** Per listing, packed (detectors/price-listings.ts); bounded by maxListings. */
  readonly listings: ListingPriceStore;
  readonly forests: Map<string, CategoryForest>;
}

export function createPriceState(cfg: Pick<PriceAnomalyConfig, 'baseWindow' | 'baseMaxKeys'> = { baseWindow: 256, baseMaxKeys: 50_000 }): PriceDetectorState {
  return { base: createPriceBase({ window: cfg.baseWindow, maxKeys: cfg.baseMaxKeys }), listings: new ListingPriceStore(), forests: new Map() };
}

/** Optional dependencies of this detector (the stage may add them to DetectorDeps). */
export interface PriceDeps {
  readonly priceState?: PriceDetectorState;
}

/**
 * Drops the category that got a row least recently. Recency is a counter in each entry, not the Map's order:
 * re-inserting the category of every listing to keep the order churned the Map's table (an allocation every
 * few dozen listings); the scan runs only when a new category arrives at a full map.
 */
function evictLeastRecent(forests: Map<string, CategoryForest>): void {
  let oldest: string | undefined;
  let at = Infinity;
  for (const [category, cf] of forests) {
    if (cf.usedAt < at) {
      at = cf.usedAt;
      oldest = category;
    }
  }
  if (oldest !== undefined) forests.delete(oldest);
}

export const priceAnomaly = defineDetector({
  name: 'price_anomaly',
  description: 'prices far below the product’s reasonable range (robust statistics per product, hysteresis) and abnormal price jumps',
  subjects: ['listing'],
  configSchema: priceAnomalyConfigSchema,
  rules: ['price_far_below', 'price_jump'],
  create(cfg, deps: DetectorDeps & PriceDeps) {
    if (!(cfg.exitRatio > cfg.enterRatio)) {
      throw new Error(`price_anomaly.exitRatio (${cfg.exitRatio}) must be greater than enterRatio (${cfg.enterRatio}): hysteresis needs T2 > T1`);
    }
    const state = deps.priceState ?? createPriceState(cfg);
    const fcfg = cfg.iforest;
    let forestTick = 0;

    /** Adds the row to its category's training buffer (scheduling a retraining when due); returns the forest as it was before. */
    const learn = (category: string, features: number[] | null, at: number): LazyForest | null => {
      if (!fcfg.enabled || !features) return null;
      let cf = state.forests.get(category);
      const before = cf?.forest ?? null;
      if (!cf) {
        if (state.forests.size >= fcfg.maxCategories) evictLeastRecent(state.forests);
        const cap = Math.min(64, fcfg.bufferRows);
        cf = { x: { cont: new Float64Array(cap * CONTINUOUS), flags: new Uint8Array(cap) }, rows: 0, head: 0, sinceTrain: 0, trainings: 0, trainedAt: at, forest: null, usedAt: 0 };
        state.forests.set(category, cf);
      }
      cf.usedAt = ++forestTick;
      let row: number;
      if (cf.rows < fcfg.bufferRows) {
        if (cf.rows === cf.x.flags.length) {
          const cap = Math.min(fcfg.bufferRows, cf.rows * 2);
          const grown: PackedRows = { cont: new Float64Array(cap * CONTINUOUS), flags: new Uint8Array(cap) };
          grown.cont.set(cf.x.cont);
          grown.flags.set(cf.x.flags);
          cf.x = grown;
        }
        row = cf.rows++;
      } else {
        row = cf.head;
        cf.head = (cf.head + 1) % fcfg.bufferRows;
      }
      packRow(cf.x, row, features);
      cf.sinceTrain++;
      const due = cf.forest === null || cf.sinceTrain >= fcfg.retrainEvery || at - cf.trainedAt >= fcfg.retrainHours * 3_600_000;
      if (cf.rows >= fcfg.minTrainRows && due) {
        const rows: PackedRows = { cont: cf.x.cont.slice(0, cf.rows * CONTINUOUS), flags: cf.x.flags.slice(0, cf.rows) };
        cf.forest = new LazyForest(rows, cf.rows, { trees: fcfg.trees, sampleSize: fcfg.sampleSize, seed: fcfg.seed + cf.trainings });
        cf.trainings++;
        cf.sinceTrain = 0;
        cf.trainedAt = at;
      }
      return before;
    };

    return (subject) => {
      if (subject.kind !== 'listing') return [];
      const s = subject.snapshot;
      if (s.price === null || !(s.price > 0)) return [];
      const at = Date.parse(s.fetched_at);
      const previous = state.listings.get(s.platform, s.listing_id);
      // A page without a category is still compared with the same product (brand + model) seen on pages
      // without one; never with a pool of every uncategorised price (that "category" would mix everything).
      const keys = s.category !== null ? productKeys(s.category, s.brand, s.model) : productKeys(NO_CATEGORY, s.brand, s.model).filter((k) => k.level !== 'category');
      if (keys.length === 0) return [];
      let reference = state.base.lookupKeys(keys, cfg.minCount);
      if (reference?.level === 'category' && !cfg.categoryFallback) reference = undefined;
      const features = reference
        ? priceFeatures(s.price, s.original_price, reference, {
            creditCode: s.seller.credit_code !== null,
            region: s.seller.region_code !== null,
            producerName: !!s.producer.name,
            producerAddress: !!s.producer.address,
          })
        : null;
      const forest = s.category !== null ? learn(s.category, features, at) : null;
      const input: PriceInput = { price: s.price, currency: s.currency, originalPrice: s.original_price, at, reference, previous, iforestScore: null };
      let result = assessPrice(input, cfg);
      // The score is evidence only: computed (100 tree walks) just for the listings that get a finding.
      if (result.findings.length && forest && features) result = assessPrice({ ...input, iforestScore: forest.score(features) }, cfg);
      state.listings.set(s.platform, s.listing_id, result.next, cfg.maxListings);
      if (result.feedBase) state.base.observeKeys(keys, s.price);
      return result.findings;
    };
  },
});
