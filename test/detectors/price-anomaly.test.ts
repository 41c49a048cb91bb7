import { describe, expect, it } from 'vitest';
import { trainIsolationForest } from '../../detectors/iforest/forest.ts';
import { createPrng } from '../../detectors/iforest/prng.ts';
import { createPriceBase, productKeys, type PriceLookup } from '../../detectors/price-base.ts';
import {
  assessPrice,
  createPriceState,
  priceAnomaly,
  priceAnomalyConfigSchema,
  priceFeatures,
  type ListingPriceState,
  type PriceAnomalyConfig,
  type PriceDetectorState,
} from '../../detectors/price-anomaly.ts';
import type { DetectorFinding, ReferenceView } from '../../detectors/types.ts';
import type { ListingSnapshot } from '../../pipeline/contracts/index.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { listingExample } from '../contracts/examples.ts';

const cfg = (over: Partial<PriceAnomalyConfig> = {}): PriceAnomalyConfig => priceAnomalyConfigSchema.parse(over);
const refs = {} as ReferenceView;
const HOUR = 3_600_000;

/** A reference with median 100 and a log-price spread of about 10%. */
function ref100(): PriceLookup {
  const b = createPriceBase();
  for (let i = 0; i < 100; i++) b.observe('fan', 'Midea', 'X1', 100 * Math.exp(0.1 * Math.sin(i * 7.77)));
  return b.lookup('fan', 'Midea', 'X1', 20)!;
}

describe('assessPrice: hysteresis (enter below T1 = 0.5, leave above T2 = 0.65)', () => {
  const ref = ref100();
  const med = ref.stats.median;
  // ratio to the median per step, and whether price_far_below fires at that step.
  it.each([
    ['enter once, stay quiet while flapping under T2', [1.0, 0.45, 0.48, 0.55, 0.45, 0.6, 0.46], [0, 1, 0, 0, 0, 0, 0]],
    ['leave above T2, re-enter = new finding', [0.45, 0.7, 0.45], [1, 0, 1]],
    ['between T1 and T2 from outside: nothing', [1.0, 0.55, 0.6, 0.52], [0, 0, 0, 0]],
    ['re-notify only on a further 30% drop', [0.45, 0.4, 0.3, 0.25, 0.2], [1, 0, 1, 0, 1]],
  ])('%s', (_label, ratios, fires) => {
    let prev: ListingPriceState | undefined;
    const got: number[] = [];
    ratios.forEach((r, i) => {
      const a = assessPrice({ price: r * med, currency: 'CNY', originalPrice: null, at: i * 1000, reference: ref, previous: prev, iforestScore: null }, cfg({ jumpFactor: 100 }));
      got.push(a.findings.filter((f) => f.rule_id === 'price_far_below').length);
      prev = a.next;
    });
    expect(got).toEqual(fires);
  });

  it('a finding explains itself: ratio, robust z, the key and its statistics; evidence key = key + price', () => {
    const a = assessPrice({ price: 30, currency: 'CNY', originalPrice: 199, at: 0, reference: ref, previous: undefined, iforestScore: 0.71 }, cfg());
    const f = a.findings[0]!;
    expect(f.rule_id).toBe('price_far_below');
    expect(f.severity).toBe('medium');
    expect(f.evidence.observed).toMatchObject({ price: 30, original_price: 199, iforest_score: 0.71 });
    expect(f.evidence.observed.ratio_to_median).toBeCloseTo(30 / med, 3);
    expect(f.evidence.observed.robust_z as number).toBeLessThan(-3);
    expect(f.evidence.reference).toMatchObject({ key: 'fan|midea|X1', level: 'product', count: 100, window: 100 });
    expect(f.evidence_key).toBe('fan|midea|X1|30.00');
    expect(f.summary).toMatch(/price 30.00 is 3\d% of the median/);
    expect(a.feedBase).toBe(false);
  });

  it.each([
    [0.2, 'high'],
    [0.3, 'medium'],
  ])('ratio %f -> severity %s', (r, sev) => {
    const a = assessPrice({ price: r * med, currency: null, originalPrice: null, at: 0, reference: ref, previous: undefined, iforestScore: null }, cfg());
    expect(a.findings[0]!.severity).toBe(sev);
  });

  it('a cheap price inside a wide spread is not extreme: the robust z gate holds', () => {
    const b = createPriceBase();
    for (let i = 0; i < 100; i++) b.observe('fan', null, null, 100 * Math.exp(0.8 * Math.sin(i * 7.77)));
    const wide = b.lookup('fan', null, null, 20)!;
    const a = assessPrice({ price: 0.45 * wide.stats.median, currency: null, originalPrice: null, at: 0, reference: wide, previous: undefined, iforestScore: null }, cfg());
    expect(a.findings).toEqual([]);
  });
});

describe('assessPrice: price_jump', () => {
  const prevAt = (price: number, at = 0, lastJumpAt: number | null = null): ListingPriceState => ({ lastPrice: price, lastAt: at, inAlert: false, alertedPrice: null, lastJumpAt });
  it.each([
    [100, 30, HOUR, null, 1, 'medium'],
    [100, 40, HOUR, null, 0, null],
    [30, 100, HOUR, null, 1, 'low'],
    [100, 30, 2 * HOUR, HOUR, 0, null], // cooldown 24h since the last jump
    [100, 30, 30 * HOUR, HOUR, 1, 'medium'],
  ])('%f -> %f at %i (last jump %s): %i finding(s)', (from, to, at, lastJump, n, severity) => {
    const a = assessPrice({ price: to, currency: null, originalPrice: null, at, reference: undefined, previous: prevAt(from, 0, lastJump), iforestScore: null }, cfg());
    const jumps = a.findings.filter((f) => f.rule_id === 'price_jump');
    expect(jumps).toHaveLength(n);
    if (n) {
      expect(jumps[0]!.severity).toBe(severity);
      expect(jumps[0]!.evidence_key).toBe(`${from.toFixed(2)}->${to.toFixed(2)}`);
    }
  });
});

describe('config', () => {
  it('is strict and fully defaulted', () => {
    expect(priceAnomalyConfigSchema.parse({})).toMatchObject({ minCount: 20, enterRatio: 0.5, exitRatio: 0.65 });
    expect(() => priceAnomalyConfigSchema.parse({ minCnt: 3 })).toThrow(/minCnt/);
    expect(() => priceAnomalyConfigSchema.parse({ iforest: { tree: 3 } })).toThrow(/tree/);
  });
  it('exitRatio must exceed enterRatio', () => {
    expect(() => priceAnomaly.create(cfg({ enterRatio: 0.5, exitRatio: 0.4 }), { logger: silentLogger })).toThrow(/exitRatio.*greater than enterRatio/);
  });
  it('extends with `enabled` like the registry does', () => {
    expect(priceAnomaly.configSchema.extend({}).parse({}).minCount).toBe(20);
  });
});

// ---- synthetic market ----------------------------------------------------------------------------------
interface Item {
  listing: ListingSnapshot;
  /** Injected: priced below 40% of its product's reasonable (median) price. */
  fake: boolean;
}

/**
 * 4 categories × 25 products, base prices spread over two orders of magnitude within each category (so a
 * category median says little about a product), each product with its own spread (σ of log price 5–25%).
 */
function market(seed: number) {
  const r = createPrng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  const products: { category: string; brand: string; model: string; base: number; sigma: number }[] = [];
  for (const category of ['power_bank', 'electric_fan', 'hair_dryer', 'rice_cooker']) {
    for (let p = 0; p < 25; p++) products.push({ category, brand: ['Anker', '美的', 'Gree', 'Philips', 'Supor'][p % 5]!, model: `M${p}-${category.length}`, base: 20 * Math.exp(r.next() * Math.log(100)), sigma: 0.05 + 0.2 * r.next() });
  }
  let n = 0;
  const make = (prod: (typeof products)[number], price: number, at: number): ListingSnapshot =>
    listingExample({
      listing_id: `L${n++}`,
      category: prod.category,
      brand: prod.brand,
      model: prod.model,
      price: Math.round(price * 100) / 100,
      original_price: r.next() < 0.5 ? Math.round(prod.base * 1.3) : null,
      fetched_at: new Date(Date.UTC(2026, 5, 1) + at * 1000).toISOString(),
    });
  /** History (e.g. from ClickHouse) seeds the base: 60 clean prices per product. */
  const history = (state: PriceDetectorState) => {
    for (const p of products) for (let i = 0; i < 60; i++) state.base.observe(p.category, p.brand, p.model, p.base * Math.exp(p.sigma * gauss()));
  };
  /** A stream of `perProduct` listings per product, `fakeRate` of them priced at 25–40% of the product price (the hard end). */
  const stream = (perProduct: number, fakeRate: number): Item[] => {
    const items: Item[] = [];
    let t = 0;
    for (let i = 0; i < perProduct; i++) {
      for (const p of products) {
        const fake = r.next() < fakeRate;
        const price = fake ? p.base * (0.25 + 0.15 * r.next()) : p.base * Math.exp(p.sigma * gauss());
        items.push({ listing: make(p, price, t++), fake });
      }
    }
    return items;
  };
  return { history, stream };
}

function runStream(items: Item[], state: PriceDetectorState, config: PriceAnomalyConfig = cfg()): DetectorFinding[][] {
  const detect = priceAnomaly.create(config, { logger: silentLogger, priceState: state } as never);
  return items.map((it) => detect({ kind: 'listing', snapshot: it.listing }, refs));
}

describe('price_anomaly on a synthetic market (seeded)', { timeout: 30_000 }, () => {
  it.each([1, 2, 3])('seed %i: recall >= 0.9 at precision >= 0.9 for prices below 40% of the product price', (seed) => {
    const m = market(seed);
    const state = createPriceState();
    m.history(state);
    const items = m.stream(30, 0.05);
    const out = runStream(items, state);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    items.forEach((it, i) => {
      const flagged = out[i]!.some((f) => f.rule_id === 'price_far_below');
      if (flagged && it.fake) tp++;
      else if (flagged) fp++;
      else if (it.fake) fn++;
    });
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    expect(tp + fn).toBeGreaterThan(100);
    expect(recall).toBeGreaterThanOrEqual(0.9);
    expect(precision).toBeGreaterThanOrEqual(0.9);
  });

  it.each([1, 2, 3])('seed %i: false-positive rate <= 1 percent on a clean catalogue (any rule)', (seed) => {
    const m = market(seed);
    const state = createPriceState();
    m.history(state);
    const items = m.stream(30, 0);
    const out = runStream(items, state);
    const flagged = out.filter((fs) => fs.length > 0).length;
    expect(flagged / items.length).toBeLessThanOrEqual(0.01);
  });

  it('cold start: nothing is claimed before a key has minCount prices', () => {
    const m = market(4);
    const state = createPriceState();
    const items = m.stream(30, 0.1);
    const out = runStream(items, state, cfg({ categoryFallback: false }));
    // 100 products, one listing each per round: a product key reaches 20 prices after round 20.
    const early = out.slice(0, 100 * 20).flat().filter((f) => f.rule_id === 'price_far_below');
    expect(early).toEqual([]);
    expect(out.slice(100 * 20).flat().some((f) => f.rule_id === 'price_far_below')).toBe(true);
  });

  it('calibrated per product: a fake of an expensive product is caught though it is above its category median', () => {
    const state = createPriceState();
    for (let i = 0; i < 50; i++) {
      state.base.observe('fan', 'Cheap', 'C1', 20 * (1 + 0.05 * Math.sin(i)));
      state.base.observe('fan', 'Cheap', 'C2', 25 * (1 + 0.05 * Math.sin(i)));
      state.base.observe('fan', 'Dear', 'D1', 2000 * (1 + 0.05 * Math.sin(i)));
    }
    expect(state.base.stats('fan')!.median).toBeLessThan(800);
    const detect = priceAnomaly.create(cfg(), { logger: silentLogger, priceState: state } as never);
    const fake = detect({ kind: 'listing', snapshot: listingExample({ category: 'fan', brand: 'Dear', model: 'D1', price: 800 }) }, refs);
    expect(fake.map((f) => f.rule_id)).toEqual(['price_far_below']);
    expect(fake[0]!.evidence.reference.key).toBe('fan|dear|D1');
    const cheap = detect({ kind: 'listing', snapshot: listingExample({ listing_id: 'c', category: 'fan', brand: 'Cheap', model: 'C1', price: 19 }) }, refs);
    expect(cheap).toEqual([]);
  });

  it('category fallback compares with the category p10, not its median (products of a category differ in price)', () => {
    const state = createPriceState();
    for (let i = 0; i < 100; i++) state.base.observe('bedding', `B${i % 10}`, `M${i % 10}`, 100 + 9 * i);
    const p10 = state.base.stats('bedding')!.p10;
    const detect = priceAnomaly.create(cfg(), { logger: silentLogger, priceState: state } as never);
    const run = (id: string, price: number) => detect({ kind: 'listing', snapshot: listingExample({ listing_id: id, category: 'bedding', brand: 'New', model: 'N1', price }) }, refs);
    // 120 is 22% of the category median (~550) but above half its p10: a cheap product, not a fake.
    expect(run('a', 120)).toEqual([]);
    const f = run('b', 0.3 * p10);
    expect(f.map((x) => x.rule_id)).toEqual(['price_far_below']);
    expect(f[0]!.evidence.reference).toMatchObject({ level: 'category', compared_with: 'p10', enter_ratio: 0.5 });
    expect(f[0]!.evidence.observed.ratio_to_p10).toBeCloseTo(0.3, 1); // p10 moved a little with the cheap product's price
  });

  it('deterministic: the same stream twice gives the same findings, iforest scores included', () => {
    const run = () => {
      const m = market(5);
      const state = createPriceState();
      m.history(state);
      return runStream(m.stream(20, 0.05), state);
    };
    const a = run();
    expect(run()).toEqual(a);
    // null until the category's first forest is trained (minTrainRows), a score in (0, 1) after.
    const scores = a.flat().map((f) => f.evidence.observed.iforest_score);
    expect(scores.filter((s) => typeof s === 'number' && s > 0 && s < 1).length).toBeGreaterThan(5);
    expect(scores.every((s) => s === null || (typeof s === 'number' && s > 0 && s < 1))).toBe(true);
  });

  it('the secondary isolation-forest score ranks fakes above clean listings (evidence only)', () => {
    const m = market(6);
    const state = createPriceState();
    m.history(state);
    const items = m.stream(30, 0.05);
    runStream(items, state);
    // Score a fresh stream against the trained per-category forests.
    const detect = priceAnomaly.create(cfg({ enterRatio: 0.99, exitRatio: 0.995, minRobustZ: 0 }), { logger: silentLogger, priceState: state } as never);
    const test = m.stream(5, 0.2);
    const scores = test.map((it) => detect({ kind: 'listing', snapshot: it.listing }, refs).find((f) => f.rule_id === 'price_far_below')?.evidence.observed.iforest_score as number | undefined);
    const fakeScores = test.flatMap((it, i) => (it.fake && scores[i] !== undefined ? [scores[i]!] : []));
    expect(fakeScores.length).toBeGreaterThan(20);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(fakeScores)).toBeGreaterThan(0.6);
  });

  it('retrains each category forest on schedule: every retrainEvery rows, or after retrainHours of snapshot time', () => {
    const state = createPriceState();
    for (let i = 0; i < 40; i++) state.base.observe('fan', 'A', 'A1', 100 + (i % 7));
    const detect = priceAnomaly.create(cfg({ iforest: { minTrainRows: 16, retrainEvery: 50, retrainHours: 5 } as never }), { logger: silentLogger, priceState: state } as never);
    const at = (h: number) => new Date(Date.UTC(2026, 5, 1) + h * HOUR).toISOString();
    const feed = (n: number, hour: number) => {
      for (let i = 0; i < n; i++) detect({ kind: 'listing', snapshot: listingExample({ listing_id: `r${hour}-${i}`, category: 'fan', brand: 'A', model: 'A1', price: 100 + (i % 5), fetched_at: at(hour) }) }, refs);
    };
    feed(15, 0);
    expect(state.forests.get('fan')!.trainings).toBe(0);
    feed(1, 0); // 16 rows: first forest
    expect(state.forests.get('fan')!.trainings).toBe(1);
    feed(49, 1);
    expect(state.forests.get('fan')!.trainings).toBe(1);
    feed(1, 1); // 50 rows since: retrain
    expect(state.forests.get('fan')!.trainings).toBe(2);
    feed(1, 7); // 6 hours later, one row: retrain by time
    expect(state.forests.get('fan')!.trainings).toBe(3);
  });

  it('trains a category forest on exactly the feature rows it was given (flags kept as bits, prices as doubles)', () => {
    const state = createPriceState();
    for (let i = 0; i < 40; i++) state.base.observe('fan', 'A', 'A1', 100 + (i % 7));
    const c = cfg({ iforest: { minTrainRows: 64, retrainEvery: 1000 } as never });
    const detect = priceAnomaly.create(c, { logger: silentLogger, priceState: state } as never);
    const rows: number[][] = [];
    for (let i = 0; i < 64; i++) {
      const snapshot = listingExample({
        listing_id: `f${i}`,
        category: 'fan',
        brand: 'A',
        model: 'A1',
        price: 80 + ((i * 37) % 41) + 0.01 * i,
        original_price: i % 3 ? null : 150 + i,
        seller: { ...listingExample().seller, credit_code: i % 2 ? null : '91440300MA5DC0QX3A', region_code: i % 5 ? '440305' : null },
        producer: { name: i % 7 ? 'P' : null, address: i % 4 ? 'X' : null },
      });
      const lookup = state.base.lookupKeys(productKeys('fan', 'A', 'A1'), c.minCount)!;
      rows.push(priceFeatures(snapshot.price!, snapshot.original_price, lookup, { creditCode: snapshot.seller.credit_code !== null, region: snapshot.seller.region_code !== null, producerName: !!snapshot.producer.name, producerAddress: !!snapshot.producer.address }));
      detect({ kind: 'listing', snapshot }, refs);
    }
    expect(new Set(rows.map((r) => r.slice(2).join())).size).toBeGreaterThan(8); // the flags do vary
    const forest = state.forests.get('fan')!.forest!.get();
    const direct = trainIsolationForest(rows, { trees: c.iforest.trees, sampleSize: c.iforest.sampleSize, seed: c.iforest.seed });
    for (const r of [...rows, [0, 0, 0, 0, 0, 0], [-2, 0.5, 1, 1, 1, 1]]) expect(forest.score(r)).toBe(direct.score(r));
  });

  it('keeps at most iforest.maxCategories category forests, dropping the one that got a row least recently', () => {
    const state = createPriceState();
    for (const c of ['fan', 'kettle', 'heater']) for (let i = 0; i < 20; i++) state.base.observe(c, 'A', 'A1', 100 + (i % 7));
    const detect = priceAnomaly.create(cfg({ iforest: { maxCategories: 2 } as never }), { logger: silentLogger, priceState: state } as never);
    let n = 0;
    const row = (category: string) => detect({ kind: 'listing', snapshot: listingExample({ listing_id: `c${n++}`, category, brand: 'A', model: 'A1', price: 101 }) }, refs);
    row('fan');
    row('kettle');
    row('fan'); // kettle is now the least recent
    row('heater');
    expect([...state.forests.keys()].sort()).toEqual(['fan', 'heater']);
    expect(state.forests.get('fan')!.rows).toBe(2);
    row('kettle'); // back, from empty; fan is the least recent now
    expect([...state.forests.keys()].sort()).toEqual(['heater', 'kettle']);
    expect(state.forests.get('kettle')!.rows).toBe(1);
  });

  it('ignores livestreams and missing prices; a first price without a category claims nothing', () => {
    const detect = priceAnomaly.create(cfg(), { logger: silentLogger });
    expect(detect({ kind: 'listing', snapshot: listingExample({ price: null }) }, refs)).toEqual([]);
    expect(detect({ kind: 'listing', snapshot: listingExample({ category: null }) }, refs)).toEqual([]);
  });

  it('without a category: compared with the same product seen without one, never with a pool of everything', () => {
    const detect = priceAnomaly.create(cfg(), { logger: silentLogger });
    const at = (i: number) => new Date(Date.UTC(2026, 5, 1) + i * 1000).toISOString();
    for (let i = 0; i < 25; i++) {
      detect({ kind: 'listing', snapshot: listingExample({ listing_id: `A${i}`, category: null, brand: 'Anker', model: 'A1263', price: 100 + (i % 7), fetched_at: at(i) }) }, refs);
      detect({ kind: 'listing', snapshot: listingExample({ listing_id: `B${i}`, category: null, brand: null, model: null, price: 1000 + i, fetched_at: at(i) }) }, refs);
    }
    const fake = detect({ kind: 'listing', snapshot: listingExample({ listing_id: 'F', category: null, brand: 'Anker', model: 'A1263', price: 30, fetched_at: at(30) }) }, refs);
    expect(fake.map((f) => [f.rule_id, (f.evidence.reference as { key: string }).key])).toEqual([['price_far_below', '_|anker|A1263']]);
    // No brand and model: no product key, and the uncategorised prices are no category of their own.
    expect(detect({ kind: 'listing', snapshot: listingExample({ listing_id: 'G', category: null, brand: null, model: null, price: 10, fetched_at: at(31) }) }, refs)).toEqual([]);
  });
});
