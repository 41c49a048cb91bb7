import { describe, expect, it } from 'vitest';
import { createPriceBase, productKeys, quantileSorted, type PriceBaseRow } from '../../detectors/price-base.ts';

describe('productKeys', () => {
  it.each([
    ['power_bank', 'Anker', 'A1263', ['power_bank|anker|A1263', 'power_bank|*|A1263', 'power_bank']],
    ['power_bank', '安克', 'a-1263', ['power_bank|anker|A1263', 'power_bank|*|A1263', 'power_bank']],
    ['electric_fan', '美的', 'FS40-13C（白色）', ['electric_fan|midea|FS4013C', 'electric_fan|*|FS4013C', 'electric_fan']],
    ['electric_fan', null, 'FS40-13C', ['electric_fan|*|FS4013C', 'electric_fan']],
    ['electric_fan', '美的', null, ['electric_fan']],
    ['electric_fan', '美的', ' - ', ['electric_fan']],
  ])('%s / %s / %s', (cat, brand, model, want) => {
    expect(productKeys(cat, brand, model).map((k) => k.key)).toEqual(want);
  });
});

describe('quantileSorted (type 7)', () => {
  it.each([
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, 3, 4], 0.25, 1.75],
    [[1, 2, 3, 4], 0, 1],
    [[1, 2, 3, 4], 1, 4],
    [[7], 0.9, 7],
  ])('%j q=%f -> %f', (xs, q, want) => {
    expect(quantileSorted(xs, q)).toBeCloseTo(want, 12);
  });
});

describe('createPriceBase', () => {
  it('keeps product and category statistics: median, quantiles, MAD, count', () => {
    const b = createPriceBase();
    for (const p of [10, 20, 30, 40, 50]) b.observe('fan', 'Midea', 'X1', p);
    b.observe('fan', 'Gree', 'G9', 1000);
    const s = b.stats('fan|midea|X1')!;
    expect(s).toMatchObject({ count: 5, n: 5, median: 30, p25: 20, p75: 40, p10: 14, p90: 46, mad: 10 });
    expect(s.log_median).toBeCloseTo(Math.log(30), 12);
    expect(b.stats('fan')).toMatchObject({ count: 6, median: 35 });
  });

  it('ignores non-positive and non-finite prices', () => {
    const b = createPriceBase();
    for (const p of [0, -1, Number.NaN, Infinity]) b.observe('fan', null, null, p);
    expect(b.stats('fan')).toBeUndefined();
  });

  it('lookup: product level when it has enough prices, then the model under any brand, then the category', () => {
    const b = createPriceBase();
    for (let i = 0; i < 5; i++) b.observe('fan', 'Midea', 'X1', 100 + i);
    for (let i = 0; i < 3; i++) b.observe('fan', '安格', 'X1', 100 + i);
    for (let i = 0; i < 3; i++) b.observe('fan', 'Ange', 'X1', 100 + i);
    expect(b.lookup('fan', '美的', 'x-1', 5)?.key).toBe('fan|midea|X1');
    expect(b.lookup('fan', 'Ange', 'x-1', 5)?.key).toBe('fan|*|X1');
    for (let i = 0; i < 5; i++) b.observe('fan', 'Gree', 'G9', 200 + i);
    expect(b.lookup('fan', '美的', 'x-1', 12)?.key).toBe('fan');
    expect(b.lookup('fan', '美的', 'x-1', 17)).toBeUndefined();
    expect(b.lookup('kettle', null, null, 1)).toBeUndefined();
  });

  it('window: statistics follow the most recent prices; count keeps growing', () => {
    const b = createPriceBase({ window: 8 });
    for (let i = 0; i < 8; i++) b.observe('fan', null, null, 100);
    for (let i = 0; i < 8; i++) b.observe('fan', null, null, 50);
    expect(b.stats('fan')).toMatchObject({ count: 16, n: 8, median: 50 });
  });

  it('maxKeys: the least recently updated key is evicted', () => {
    const b = createPriceBase({ maxKeys: 3 });
    b.observe('a', null, null, 1);
    b.observe('b', null, null, 1);
    b.observe('c', null, null, 1);
    b.observe('a', null, null, 2); // a is now the most recent
    b.observe('d', null, null, 1);
    expect(b.size).toBe(3);
    expect(b.stats('b')).toBeUndefined();
    expect(b.stats('a')?.count).toBe(2);
  });

  it('a key that takes an evicted key\'s place starts empty (the old window is not read)', () => {
    const b = createPriceBase({ maxKeys: 2 });
    for (let i = 0; i < 40; i++) b.observe('big', null, null, 1000 + i); // past the plain array: a typed window
    for (let i = 0; i < 5; i++) b.observe('small', null, null, 10 + i);
    b.observe('new1', null, null, 7); // evicts big
    expect(b.stats('big')).toBeUndefined();
    expect(b.stats('new1')).toMatchObject({ count: 1, n: 1, median: 7, p90: 7, mad: 0 });
    b.observe('new1', null, null, 9);
    b.observe('new2', null, null, 3); // evicts small
    b.observe('new2', null, null, 5);
    expect(b.stats('new1')).toMatchObject({ count: 2, n: 2, median: 8 });
    expect(b.stats('new2')).toMatchObject({ count: 2, n: 2, median: 4 });
    expect(b.snapshot().map((r) => [r.key, r.level, r.count, r.median])).toEqual([
      ['new1', 'category', 2, 8],
      ['new2', 'category', 2, 4],
    ]);
  });

  it('snapshot() rows seed another base with fromRows(), giving close statistics', () => {
    const a = createPriceBase();
    for (let i = 0; i < 200; i++) a.observe('fan', 'Midea', 'X1', 100 * Math.exp(0.2 * Math.sin(i * 12.9898)));
    const rows = a.snapshot();
    expect(rows.map((r) => [r.key, r.level])).toEqual([
      ['fan', 'category'],
      ['fan|*|X1', 'model'],
      ['fan|midea|X1', 'product'],
    ]);
    const b = createPriceBase();
    expect(b.fromRows(rows)).toEqual({ loaded: 3, rejected: [] });
    const sa = a.stats('fan|midea|X1')!;
    const sb = b.stats('fan|midea|X1')!;
    expect(sb.count).toBe(200);
    for (const k of ['median', 'p25', 'p75'] as const) expect(Math.abs(sb[k] - sa[k]) / sa[k]).toBeLessThan(0.02);
    expect(b.lookup('fan', 'midea', 'X1', 20)?.level).toBe('product');
  });

  it('fromRows rejects bad rows with the reason and loads the rest; keeps keys already seen from the stream', () => {
    const good: PriceBaseRow = { key: 'fan', level: 'category', category: 'fan', brand: null, model: null, count: 50, median: 100, p10: 60, p25: 80, p75: 120, p90: 150, mad: 20 };
    const b = createPriceBase();
    b.observe('kettle', null, null, 30);
    const res = b.fromRows([
      good,
      { ...good, key: 'x', p25: 200 },
      { ...good, key: 'y', median: Number.NaN },
      { ...good, key: 'z', count: 0 },
      { ...good, key: 'kettle' },
    ]);
    expect(res.loaded).toBe(1);
    expect(res.rejected.map((r) => r.index)).toEqual([1, 2, 3]);
    expect(res.rejected[0]!.reason).toMatch(/non-decreasing/);
    expect(b.stats('kettle')!.median).toBe(30);
    expect(b.stats('fan')!.median).toBeCloseTo(100, 0);
  });
});

describe('fromQuantiles (ClickHouse price_base_daily rows)', () => {
  const levels = [0.05, 0.25, 0.5, 0.75, 0.95];
  it('seeds product, model and category keys; ClickHouse-style lower-cased keys meet the stream keys', () => {
    const b = createPriceBase();
    const res = b.fromQuantiles([
      { category: 'fan', brand: 'midea', model: 'fs4013c', count: 300, levels, values: [80, 95, 100, 105, 120] },
      { category: 'fan', brand: 'gree', model: 'g9', count: 100, levels, values: [800, 950, 1000, 1050, 1200] },
    ]);
    expect(res).toEqual({ loaded: 2, rejected: [] });
    const product = b.lookup('fan', '美的', 'FS40-13C', 20)!;
    expect(product.key).toBe('fan|midea|FS4013C');
    expect(product.stats.count).toBe(300);
    expect(product.stats.median).toBeCloseTo(100, 0);
    expect(product.stats.p25).toBeCloseTo(95, 0);
    expect(b.stats('fan|*|G9')!.median).toBeCloseTo(1000, -1);
    // The category pools both products in proportion to their samples (256 vs 100 points).
    const cat = b.stats('fan')!;
    expect(cat.count).toBe(400);
    expect(cat.n).toBe(256);
    expect(cat.median).toBeLessThan(200);
    expect(cat.p90).toBeGreaterThan(700);
  });

  it.each([
    [{ levels: [0.5], values: [1] }, /same length \(at least 2\)/],
    [{ levels: [0.5, 0.25], values: [1, 2] }, /increase strictly/],
    [{ levels: [0.25, 0.5], values: [2, 1] }, /non-decreasing/],
    [{ levels: [0.25, 0.5], values: [0, 1] }, /positive/],
    [{ count: 0 }, /count/],
    [{ category: '' }, /category/],
  ])('rejects %j with the reason, loads the rest', (over, reason) => {
    const b = createPriceBase();
    const good = { category: 'fan', brand: null, model: 'x1', count: 10, levels: [0.25, 0.5, 0.75], values: [1, 2, 3] };
    const res = b.fromQuantiles([{ ...good, ...over }, good]);
    expect(res.loaded).toBe(1);
    expect(res.rejected[0]!.index).toBe(0);
    expect(res.rejected[0]!.reason).toMatch(reason);
  });

  it('leaves keys the stream already has', () => {
    const b = createPriceBase();
    b.observe('fan', null, 'x1', 5);
    b.fromQuantiles([{ category: 'fan', brand: null, model: 'x1', count: 50, levels: [0.25, 0.75], values: [100, 200] }]);
    expect(b.stats('fan|*|X1')!.median).toBe(5);
    expect(b.stats('fan')!.median).toBe(5);
  });
});

describe('MAD without sorting the deviations', () => {
  // The MAD is taken by merging the two sorted runs of deviations; it must equal the median of the sorted
  // deviations exactly (ties, even and odd sizes, one price).
  it.each([1, 2, 3, 16, 17, 255, 256])('window of %i prices, with ties and without', (n) => {
    let seed = n;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (const ties of [true, false]) {
      const prices = Array.from({ length: n }, () => (ties ? 1 + Math.round(rnd() * 6) : Math.exp(rnd() * 6)));
      const base = createPriceBase({ window: 256, staleFraction: 0 });
      for (const p of prices) base.observe('c', null, null, p);
      const sorted = Float64Array.from(prices).sort();
      const med = quantileSorted(sorted, 0.5);
      const logs = sorted.map((x) => Math.log(x));
      const logMed = quantileSorted(logs, 0.5);
      const s = base.stats('c')!;
      expect(s.mad).toBe(quantileSorted(sorted.map((x) => Math.abs(x - med)).sort(), 0.5));
      expect(s.log_mad).toBe(quantileSorted(logs.map((x) => Math.abs(x - logMed)).sort(), 0.5));
    }
  });
});
