// Price information base: robust price statistics per key product, which the price detector compares a
// listing against and a regulator can query (the action plan's 价格信息库 for key products).
// In: observations (category, brand, model, price) from the listing stream, and optionally history rows
// (e.g. a daily quantile aggregate from ClickHouse) via fromRows(). Out: per key the count, median,
// p10/p25/p75/p90 and MAD (also on log price, for robust z-scores); snapshot() exports every key as rows.
//
// Keys, at three levels: the product, `category|brand|model` (brand via the shared alias table, so 美的 and
// Midea are one; model via modelKey, so 'KFR-35GW' and 'kfr35gw' are one); the model within its category
// whatever the brand is written as, `category|*|model` (the alias table cannot know every brand: a page
// writing 安格 and another writing Ange must still pool); and the category alone, the last fallback for
// products with too few observations. Every observation feeds every level it has.
//
// Memory is bounded two ways, and the sketch is stated here because it decides what the statistics mean:
// - per key, a ring buffer of the most recent `window` prices (default 256): quantiles are exact over that
//   window. A window rather than a uniform reservoir because prices drift (promotions, new models) and the
//   reference should follow the market of the last weeks, not its whole history; it is also deterministic,
//   which keeps replays and tests reproducible. `count` still reports every observation ever made.
// - at most `maxKeys` keys (default 50 000), least recently updated evicted first.
// So the worst case is maxKeys × window × 8 bytes (≈ 100 MB at the defaults; typical far less, as a
// buffer grows only as its key sees prices).
// Statistics are recomputed lazily (sort of ≤ window values) when a key changed since last asked.
import { brandKey } from './reference/brand-aliases.ts';
import { modelKey } from './model-number.ts';

export interface PriceBaseOptions {
  /** Most recent prices kept per key. @default 256 */
  window?: number;
  /** Keys kept; least recently updated evicted first. @default 50000 */
  maxKeys?: number;
  /**
   * Statistics are recomputed (a sort of the window) once more than this fraction of the window has changed
   * since the last computation, not on every price: one new price among 256 moves no quantile much, and a
   * sort per listing was most of the detector's cost. 0 = recompute on every change. @default 1/16
   */
  staleFraction?: number;
}

export type PriceLevel = 'product' | 'model' | 'category';

export interface ProductKey {
  /** 'product' (category + brand + model), 'model' (category + model, any brand) or 'category'. */
  readonly level: PriceLevel;
  /** 'power_bank|anker|A1263', 'power_bank|*|A1263' or 'power_bank'. */
  readonly key: string;
  readonly category: string;
  /** Canonical brand (product level only). */
  readonly brand: string | null;
  /** Canonical model (product and model levels). */
  readonly model: string | null;
}

export interface PriceStats {
  /** Observations ever made under the key (not only those in the window). */
  readonly count: number;
  /** Prices in the window the statistics are computed from. */
  readonly n: number;
  readonly median: number;
  readonly p10: number;
  readonly p25: number;
  readonly p75: number;
  readonly p90: number;
  /** Median absolute deviation of price from the median (unscaled). */
  readonly mad: number;
  /** Median and MAD of ln(price): robust z = (ln p − log_median) / (1.4826 · log_mad). */
  readonly log_median: number;
  readonly log_mad: number;
}

/** One key of the base as a row: what snapshot() exports and fromRows() accepts. */
export interface PriceBaseRow extends Omit<PriceStats, 'n' | 'log_median' | 'log_mad'> {
  readonly key: string;
  readonly level: PriceLevel;
  readonly category: string;
  readonly brand: string | null;
  readonly model: string | null;
  readonly log_median?: number;
  readonly log_mad?: number;
}

/** One product's price quantiles from elsewhere (see PriceBase.fromQuantiles). */
export interface QuantileRow {
  readonly category: string;
  readonly brand: string | null;
  readonly model: string | null;
  /** Observations the quantiles summarise. */
  readonly count: number;
  /** Increasing levels in (0, 1), e.g. [0.05, 0.25, 0.5, 0.75, 0.95]. */
  readonly levels: readonly number[];
  /** The quantile at each level, non-decreasing. */
  readonly values: readonly number[];
}

export interface PriceLookup {
  readonly level: PriceLevel;
  readonly key: string;
  readonly stats: PriceStats;
}

interface Entry {
  category: string;
  brand: string | null;
  model: string | null;
  level: PriceLevel;
  /**
   * The window's prices: a plain array while small (most keys, a product seen a few times: a typed array
   * costs ~300 bytes and a slow allocation before its first price), a Float64Array once past SMALL_BUFFER.
   */
  buf: number[] | Float64Array;
  /** Next write position in buf (ring). */
  head: number;
  /** Values in buf (≤ window). */
  size: number;
  count: number;
  cached: PriceStats | null;
  /** Prices pushed since `cached` was computed. */
  changed: number;
  /** Recency list (least recently updated first): neighbours, null at the ends. */
  older: Entry | null;
  newer: Entry | null;
  key: string;
}

/** Prices a key keeps in a plain array before its buffer becomes a Float64Array (the old initial capacity). */
const SMALL_BUFFER = 16;

export class PriceBaseError extends Error {
  override name = 'PriceBaseError';
}

/** Canonical brand and model parts of a product key; null when the page gives nothing usable. */
export function productParts(brand: string | null | undefined, model: string | null | undefined): { brand: string | null; model: string | null } {
  const b = brand ? brandKey(brand) : '';
  const m = model ? modelKey(model) : '';
  return { brand: b || null, model: m || null };
}

/**
 * The keys an observation belongs to, most specific first: the product (category + brand + model, when both
 * are known), the model within its category whatever the brand is written as ('category|*|model': pages
 * write a brand in Chinese or English, and the alias table cannot know every brand), then the category.
 */
export function productKeys(category: string, brand: string | null | undefined, model: string | null | undefined): ProductKey[] {
  const parts = productParts(brand, model);
  const out: ProductKey[] = [];
  if (parts.model) {
    if (parts.brand) out.push({ level: 'product', key: `${category}|${parts.brand}|${parts.model}`, category, brand: parts.brand, model: parts.model });
    out.push({ level: 'model', key: `${category}|*|${parts.model}`, category, brand: null, model: parts.model });
  }
  out.push({ level: 'category', key: category, category, brand: null, model: null });
  return out;
}

/** Quantile of sorted values, linear interpolation between order statistics (R type 7, numpy default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function median(sorted: Float64Array): number {
  return quantileSorted(sorted, 0.5);
}

// The deviations |x − med| of a sorted window are two sorted runs (the part below the median read backwards,
// the part from it read forwards), so their median is found by merging the runs up to the middle: no array,
// no sort. It picks the same order statistics as sorting the deviations would, so the MAD is identical.
function madOf(sorted: Float64Array, med: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * 0.5;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  let split = 0; // first index with sorted[i] >= med
  while (split < n && sorted[split]! < med) split++;
  let a = split - 1; // below: deviations increase as a goes down
  let b = split; // above: deviations increase as b goes up
  let atLo = 0;
  for (let k = 0; k <= hi; k++) {
    let v: number;
    if (a >= 0 && (b >= n || med - sorted[a]! < sorted[b]! - med)) v = med - sorted[a--]!;
    else v = sorted[b++]! - med;
    if (k === lo) atLo = v;
    if (k === hi) return atLo + (h - lo) * (v - atLo);
  }
  return atLo;
}

// Scratch for computeStats (the window sorted, and its logs): only scalars leave it, so one pair of buffers
// serves every key instead of two allocations per recomputation.
let scratchSorted = new Float64Array(256);
let scratchLogs = new Float64Array(256);

/** Statistics of values[0, n) (a window's plain array or typed array, read in place). */
function computeStats(values: ArrayLike<number>, n: number, count: number): PriceStats {
  if (scratchSorted.length < n) {
    scratchSorted = new Float64Array(n);
    scratchLogs = new Float64Array(n);
  }
  const sorted = scratchSorted.subarray(0, n);
  for (let i = 0; i < n; i++) sorted[i] = values[i]!;
  sorted.sort();
  const med = median(sorted);
  const logs = scratchLogs.subarray(0, sorted.length); // sorted stays sorted under log
  for (let i = 0; i < sorted.length; i++) logs[i] = Math.log(Math.max(sorted[i]!, 1e-9));
  const logMed = median(logs);
  return {
    count,
    n: sorted.length,
    median: med,
    p10: quantileSorted(sorted, 0.1),
    p25: quantileSorted(sorted, 0.25),
    p75: quantileSorted(sorted, 0.75),
    p90: quantileSorted(sorted, 0.9),
    mad: madOf(sorted, med),
    log_median: logMed,
    log_mad: madOf(logs, logMed),
  };
}

export interface PriceBase {
  /** Records one price under every key of (category, brand, model). Non-positive or non-finite prices are ignored. */
  observe(category: string, brand: string | null | undefined, model: string | null | undefined, price: number): void;
  /** Statistics for one key, or undefined when the key has never been seen. */
  stats(key: string): PriceStats | undefined;
  /** observe() with keys already computed by productKeys() (saves normalising brand and model twice). */
  observeKeys(keys: readonly ProductKey[], price: number): void;
  /** The most specific key with at least `minCount` prices in its window, or undefined. */
  lookup(category: string, brand: string | null | undefined, model: string | null | undefined, minCount: number): PriceLookup | undefined;
  /** lookup() with keys already computed by productKeys(). */
  lookupKeys(keys: readonly ProductKey[], minCount: number): PriceLookup | undefined;
  /**
   * Seeds keys from history rows (e.g. ClickHouse's daily quantiles): a key absent from the base gets a
   * synthetic window drawn from the row's quantile function (piecewise linear through p10, p25, median,
   * p75, p90, extended linearly and kept positive beyond), min(count, window) points; stream observations
   * then replace them as they arrive. Keys already present are left alone (the stream is fresher). Returns
   * the rows rejected, with why; the others still load.
   */
  fromRows(rows: readonly PriceBaseRow[]): { loaded: number; rejected: { index: number; reason: string }[] };
  /**
   * Seeds from per-product quantile rows of any levels, e.g. ClickHouse's price_base_daily merged over the
   * last weeks (quantilesExactMerge(0.05, 0.25, 0.5, 0.75, 0.95), uniqExactMerge(observations)): each row
   * feeds its product, model and category keys (brand and model normalised here, so ClickHouse's
   * lower-cased keys land on the stream's keys). A key pooling several rows (a category) gets `window`
   * evenly spaced order statistics of the rows' pooled synthetic samples (each row min(count, window)
   * points from its quantile function), so its quantiles are those of the mixture. Keys the stream already
   * has are left alone. Rows of another currency should be filtered out by the caller.
   */
  fromQuantiles(rows: readonly QuantileRow[]): { loaded: number; rejected: { index: number; reason: string }[] };
  /** Every key as a row, sorted by key: what a regulator queries and what fromRows() reads back. */
  snapshot(): PriceBaseRow[];
  readonly size: number;
}

export function createPriceBase(options: PriceBaseOptions = {}): PriceBase {
  const window = options.window ?? 256;
  const maxKeys = options.maxKeys ?? 50_000;
  const staleFraction = options.staleFraction ?? 1 / 16;
  if (!(staleFraction >= 0 && staleFraction < 1)) throw new PriceBaseError(`price base staleFraction must be in [0, 1), got ${staleFraction}`);
  if (!Number.isInteger(window) || window < 8) throw new PriceBaseError(`price base window must be an integer >= 8, got ${window}`);
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new PriceBaseError(`price base maxKeys must be a positive integer, got ${maxKeys}`);
  // Recency is a linked list through the entries, not Map order: evicting with map.keys().next() after many
  // delete/re-insert cycles walks over the deleted slots V8 leaves at the front of the table until it
  // rehashes, which made each eviction cost thousands of steps once the base was full.
  const entries = new Map<string, Entry>();
  let oldest: Entry | null = null;
  let newest: Entry | null = null;
  const unlink = (e: Entry): void => {
    if (e.older) e.older.newer = e.newer;
    else oldest = e.newer;
    if (e.newer) e.newer.older = e.older;
    else newest = e.older;
    e.older = e.newer = null;
  };
  const append = (e: Entry): void => {
    e.older = newest;
    e.newer = null;
    if (newest) newest.newer = e;
    else oldest = e;
    newest = e;
  };

  const entry = (pk: Pick<ProductKey, 'level' | 'key' | 'category' | 'brand' | 'model'>): Entry => {
    let e = entries.get(pk.key);
    if (e) {
      if (e !== newest) {
        unlink(e);
        append(e);
      }
    } else {
      if (entries.size >= maxKeys && oldest) {
        const evicted: Entry = oldest;
        unlink(evicted);
        entries.delete(evicted.key);
        e = evicted;
        e.category = pk.category;
        e.brand = pk.brand;
        e.model = pk.model;
        e.level = pk.level;
        e.key = pk.key;
        // The evicted key's entry, and its window while that is a small plain array (size 0: its old values
        // are never read), serve the new key: once the base is full a new key costs no allocation, where a
        // fresh entry and buffer per key were promoted and collected again by full GCs when keys churn (a
        // long tail of models seen once or twice). A grown window goes with its key, so a one-off key never
        // holds a busy key's buffer (memory stays what the keys' own prices need).
        if (!Array.isArray(e.buf)) e.buf = [];
        e.head = e.size = e.count = e.changed = 0;
        e.cached = null;
      } else e = { category: pk.category, brand: pk.brand, model: pk.model, level: pk.level, buf: [], head: 0, size: 0, count: 0, cached: null, changed: 0, older: null, newer: null, key: pk.key };
      entries.set(pk.key, e);
      append(e);
    }
    return e;
  };

  const push = (e: Entry, price: number): void => {
    if (e.size < window && e.size === e.buf.length && (e.size >= SMALL_BUFFER || !Array.isArray(e.buf))) {
      const grown = new Float64Array(Math.min(window, e.buf.length * 2));
      grown.set(e.buf);
      e.buf = grown;
    }
    if (e.size < window) {
      e.buf[e.size] = price;
      e.size++;
      e.head = e.size % window;
    } else {
      e.buf[e.head] = price;
      e.head = (e.head + 1) % window;
    }
    e.count++;
    e.changed++;
  };

  const statsOf = (e: Entry, fresh = false): PriceStats => {
    if (e.cached === null || e.changed > (fresh ? 0 : e.size * staleFraction)) {
      e.cached = computeStats(e.buf, e.size, e.count);
      e.changed = 0;
    } else if (e.cached.count !== e.count) {
      const c = e.cached; // a fresh object (a caller may hold the old one), built without a spread
      e.cached = { count: e.count, n: c.n, median: c.median, p10: c.p10, p25: c.p25, p75: c.p75, p90: c.p90, mad: c.mad, log_median: c.log_median, log_mad: c.log_mad };
    }
    return e.cached;
  };

  const observeKeys = (keys: readonly ProductKey[], price: number): void => {
    if (!(price > 0) || !Number.isFinite(price)) return;
    for (const pk of keys) push(entry(pk), price);
  };
  const lookupKeys = (keys: readonly ProductKey[], minCount: number): PriceLookup | undefined => {
    for (const pk of keys) {
      const e = entries.get(pk.key);
      if (e && e.size >= minCount) return { level: pk.level, key: pk.key, stats: statsOf(e) };
    }
    return undefined;
  };

  return {
    observe: (category, brand, model, price) => observeKeys(productKeys(category, brand, model), price),
    observeKeys,
    stats(key) {
      const e = entries.get(key);
      return e && e.size > 0 ? statsOf(e) : undefined;
    },
    lookup: (category, brand, model, minCount) => lookupKeys(productKeys(category, brand, model), minCount),
    lookupKeys,
    fromRows(rows) {
      const rejected: { index: number; reason: string }[] = [];
      let loaded = 0;
      rows.forEach((r, index) => {
        const qs = [r.p10, r.p25, r.median, r.p75, r.p90];
        if (typeof r.key !== 'string' || !r.key) return rejected.push({ index, reason: 'key is missing' });
        if (!qs.every((q) => Number.isFinite(q) && q > 0)) return rejected.push({ index, reason: 'quantiles must be positive numbers' });
        if (!qs.every((q, i) => i === 0 || q >= qs[i - 1]!)) return rejected.push({ index, reason: 'quantiles must be non-decreasing: p10 <= p25 <= median <= p75 <= p90' });
        if (!Number.isInteger(r.count) || r.count < 1) return rejected.push({ index, reason: 'count must be a positive integer' });
        if (entries.has(r.key)) return;
        if (r.level !== 'product' && r.level !== 'model' && r.level !== 'category') return rejected.push({ index, reason: "level must be 'product', 'model' or 'category'" });
        const e = entry({ level: r.level, key: r.key, category: r.category, brand: r.brand, model: r.model });
        const m = Math.min(r.count, window);
        const levels = [0.1, 0.25, 0.5, 0.75, 0.9];
        for (let i = 0; i < m; i++) push(e, quantileFunction(levels, qs, (i + 0.5) / m));
        e.count = r.count;
        e.cached = null;
        loaded++;
        return undefined;
      });
      return { loaded, rejected };
    },
    fromQuantiles(rows) {
      const rejected: { index: number; reason: string }[] = [];
      const pooled = new Map<string, { pk: ProductKey; samples: number[]; count: number }>();
      let loaded = 0;
      rows.forEach((r, index) => {
        const reason = checkQuantiles(r.levels, r.values) ?? (typeof r.category !== 'string' || !r.category ? 'category is missing' : !Number.isInteger(r.count) || r.count < 1 ? 'count must be a positive integer' : null);
        if (reason) return rejected.push({ index, reason });
        const m = Math.min(r.count, window);
        const samples = Array.from({ length: m }, (_, i) => quantileFunction(r.levels, r.values, (i + 0.5) / m));
        for (const pk of productKeys(r.category, r.brand, r.model)) {
          if (entries.has(pk.key) && !pooled.has(pk.key)) continue; // the stream's own prices are fresher
          let p = pooled.get(pk.key);
          if (!p) pooled.set(pk.key, (p = { pk, samples: [], count: 0 }));
          for (const v of samples) p.samples.push(v);
          p.count += r.count;
        }
        loaded++;
        return undefined;
      });
      for (const { pk, samples, count } of pooled.values()) {
        const e = entry(pk);
        samples.sort((a, b) => a - b);
        const m = Math.min(samples.length, window);
        for (let i = 0; i < m; i++) push(e, samples[Math.floor(((i + 0.5) * samples.length) / m)]!);
        e.count = count;
        e.cached = null;
      }
      return { loaded, rejected };
    },
    snapshot() {
      return [...entries.entries()]
        .filter(([, e]) => e.size > 0)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, e]) => {
          const s = statsOf(e, true);
          return {
            key,
            level: e.level,
            category: e.category,
            brand: e.brand,
            model: e.model,
            count: s.count,
            median: s.median,
            p10: s.p10,
            p25: s.p25,
            p75: s.p75,
            p90: s.p90,
            mad: s.mad,
            log_median: s.log_median,
            log_mad: s.log_mad,
          };
        });
    },
    get size() {
      return entries.size;
    },
  };
}

/** Piecewise-linear quantile function through (levels[i], values[i]), extended linearly, floored at 1% of the lowest. */
function checkQuantiles(levels: readonly number[], values: readonly number[]): string | null {
  if (!Array.isArray(levels) || !Array.isArray(values) || levels.length < 2 || levels.length !== values.length) return 'levels and values must be arrays of the same length (at least 2)';
  if (!levels.every((l, i) => l > 0 && l < 1 && (i === 0 || l > levels[i - 1]!))) return 'levels must increase strictly within (0, 1)';
  if (!values.every((v) => Number.isFinite(v) && v > 0)) return 'quantiles must be positive numbers';
  if (!values.every((v, i) => i === 0 || v >= values[i - 1]!)) return 'quantiles must be non-decreasing';
  return null;
}

function quantileFunction(levels: readonly number[], values: readonly number[], q: number): number {
  let i = 0;
  if (q <= levels[0]!) i = 0;
  else if (q >= levels[levels.length - 1]!) i = levels.length - 2;
  else while (q > levels[i + 1]!) i++;
  const [l0, l1, v0, v1] = [levels[i]!, levels[i + 1]!, values[i]!, values[i + 1]!];
  const v = v0 + ((q - l0) / (l1 - l0)) * (v1 - v0);
  return Math.max(v, values[0]! * 0.01);
}
