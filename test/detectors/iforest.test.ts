import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../detectors/iforest/auc.ts';
import { averagePathLength, IsolationForestInputError, trainIsolationForest, trainIsolationForestFlat } from '../../detectors/iforest/forest.ts';
import { scoreWithLibrary } from '../../detectors/iforest/library.ts';
import { createPrng } from '../../detectors/iforest/prng.ts';

const H = (i: number) => Math.log(i) + 0.5772156649015329;

/** A 2-D Gaussian-ish cloud around the origin plus a few far points. */
function blob(n: number, seed: number): number[][] {
  const r = createPrng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  return Array.from({ length: n }, () => [gauss(), gauss()]);
}

describe('averagePathLength c(n)', () => {
  it.each([
    [0, 0],
    [1, 0],
    [2, 1],
    [3, 2 * H(2) - 4 / 3],
    [256, 2 * H(255) - (2 * 255) / 256],
  ])('c(%i) = %f', (n, want) => {
    expect(averagePathLength(n)).toBeCloseTo(want, 12);
  });
  it('c(256) is about 10.24 (the normaliser with the paper’s ψ)', () => {
    expect(averagePathLength(256)).toBeCloseTo(10.2448, 3);
  });
});

describe('trainIsolationForest', () => {
  const data = [...blob(1000, 7), [8, 8], [-9, 7], [10, -10]];

  it.each([
    ['sub-sampled', true],
    ['whole set', false],
  ])('same seed gives identical scores (%s)', (_label, subsample) => {
    const a = trainIsolationForest(data, { seed: 42, subsample }).scoreAll(data);
    const b = trainIsolationForest(data, { seed: 42, subsample }).scoreAll(data);
    expect(b).toEqual(a);
  });

  it('another seed gives different scores', () => {
    const a = trainIsolationForest(data, { seed: 1 }).scoreAll(data);
    const b = trainIsolationForest(data, { seed: 2 }).scoreAll(data);
    expect(b).not.toEqual(a);
  });

  it.each([
    ['sub-sampled', true],
    ['whole set', false],
  ])('obvious outliers score higher than every inlier (%s)', (_label, subsample) => {
    const scores = trainIsolationForest(data, { seed: 3, subsample }).scoreAll(data);
    const inlierMax = Math.max(...scores.slice(0, 1000));
    for (const s of scores.slice(1000)) {
      expect(s).toBeGreaterThan(inlierMax);
      expect(s).toBeGreaterThan(0.6);
    }
  });

  it('uses ψ = 256 and height limit 8 when sub-sampling, n and ceil(log2 n) otherwise', () => {
    const sub = trainIsolationForest(data, { seed: 1 });
    expect([sub.sampleSize, sub.heightLimit, sub.trees]).toEqual([256, 8, 100]);
    const whole = trainIsolationForest(data, { seed: 1, subsample: false });
    expect([whole.sampleSize, whole.heightLimit]).toEqual([1003, 10]);
  });

  it('caps ψ at n for a small set', () => {
    expect(trainIsolationForest(blob(50, 1), { seed: 1 }).sampleSize).toBe(50);
  });

  it('constant data: every row gets the same score, no crash', () => {
    const rows = Array.from({ length: 300 }, () => [5, 5]);
    const scores = trainIsolationForest(rows, { seed: 1 }).scoreAll(rows);
    expect(new Set(scores).size).toBe(1);
  });

  it('a duplicated inlier mass does not hide an outlier (masking, the point of sub-sampling)', () => {
    // 2000 points in two dense clusters plus 40 clustered anomalies: the paper's Figure 4 setting in small.
    const r = createPrng(11);
    const rows: number[][] = [];
    for (let i = 0; i < 2000; i++) rows.push([(i % 2 ? 0 : 10) + r.next(), (i % 2 ? 0 : 10) + r.next()]);
    for (let i = 0; i < 40; i++) rows.push([5 + r.next() * 0.3, 5 + r.next() * 0.3]);
    const labels = rows.map((_, i) => (i >= 2000 ? 1 : 0));
    const auc = rocAuc(trainIsolationForest(rows, { seed: 5 }).scoreAll(rows), labels);
    expect(auc).toBeGreaterThan(0.95);
  });

  it.each([
    [[], /zero rows/],
    [[[1, 2], [3]], /row 1 has 1 features/],
    [[[1, Number.NaN]], /row 0 feature 1 is not a finite number/],
  ])('rejects bad input %j', (rows, msg) => {
    expect(() => trainIsolationForest(rows as number[][])).toThrow(IsolationForestInputError);
    expect(() => trainIsolationForest(rows as number[][])).toThrow(msg);
  });

  it('rejects a row of the wrong width at scoring time', () => {
    expect(() => trainIsolationForest(data, { seed: 1 }).score([1])).toThrow(/trained on 2/);
  });
});

describe('rocAuc', () => {
  it.each([
    [[0.1, 0.2, 0.9, 0.8], [0, 0, 1, 1], 1],
    [[0.9, 0.8, 0.1, 0.2], [0, 0, 1, 1], 0],
    [[0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1], 0.5],
    [[0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.75],
  ])('auc(%j, %j) = %f', (s, y, want) => {
    expect(rocAuc(s, y)).toBeCloseTo(want, 12);
  });
  it('needs both classes', () => {
    expect(() => rocAuc([1, 2], [0, 0])).toThrow(/both/);
  });
});

describe('ml-isolation-forest as published', () => {
  it('runs and ranks far points above the cloud (the eval compares against it)', () => {
    const scores = scoreWithLibrary(data2(), 50);
    expect(scores).toHaveLength(503);
    expect(Math.min(...scores.slice(500))).toBeGreaterThan(Math.max(...scores.slice(0, 500)));
  });
});

function data2(): number[][] {
  return [...blob(500, 9), [9, 9], [-9, 9], [9, -9]];
}

describe('trainIsolationForestFlat', () => {
  // Rows with constant columns (skipped scans) and low-cardinality ones: the packed input gives the forest
  // the row arrays give, score for score.
  it.each([
    [1, 50],
    [6, 300],
    [6, 4096],
    [40, 200], // more features than the constant-feature mask has bits
  ])('%i features, %i rows: same scores as trainIsolationForest', (d, n) => {
    const rows = Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, f) => (f % 3 === 0 ? 1 : f % 3 === 1 ? Math.round(Math.sin(i * (f + 1)) * 3) : Math.sin(i * 7.3 + f))));
    const a = trainIsolationForest(rows, { seed: 3, trees: 20 });
    const packed = new Float64Array(n * d + 7); // longer than needed: only n·d values are read
    rows.forEach((r, i) => packed.set(r, i * d));
    const b = trainIsolationForestFlat(packed, n, d, { seed: 3, trees: 20 });
    expect(b.nodes).toBe(a.nodes);
    expect(rows.map((r) => b.score(r))).toEqual(rows.map((r) => a.score(r)));
  });

  it('names the row and feature that is not finite', () => {
    expect(() => trainIsolationForestFlat(Float64Array.from([1, 2, 3, Number.NaN]), 2, 2)).toThrow(/row 1 feature 1 is not a finite number/);
    expect(() => trainIsolationForestFlat(new Float64Array(3), 2, 2)).toThrow(IsolationForestInputError);
  });
});

describe("splitRule 'paper' (Algorithm 2 as printed)", () => {
  const dups = [...Array.from({ length: 299 }, () => [5, 5]), [50, 50]];

  it.each([
    // Informative rule: the first split separates the outlier, the 299 copies become a leaf at depth 1.
    ['informative', 1],
    // Paper rule: the copies keep splitting on constant attributes (empty left child) down to the height limit.
    ['paper', 9],
  ] as const)('%s: 299 identical rows end at depth %i + c(299) in every tree', (splitRule, depth) => {
    const f = trainIsolationForest(dups, { seed: 4, subsample: false, splitRule });
    expect(f.heightLimit).toBe(9);
    expect(f.pathLength([5, 5])).toBeCloseTo(depth + averagePathLength(299), 9);
    expect(f.score([50, 50])).toBeGreaterThan(f.score([5, 5]));
  });

  it('is reproducible, differs from the informative rule, and ranks far points above the cloud', () => {
    const data = data2();
    const a = trainIsolationForest(data, { seed: 8, splitRule: 'paper' });
    expect(trainIsolationForest(data, { seed: 8, splitRule: 'paper' }).scoreAll(data)).toEqual(a.scoreAll(data));
    expect(trainIsolationForest(data, { seed: 8 }).scoreAll(data)).not.toEqual(a.scoreAll(data));
    const scores = a.scoreAll(data);
    expect(Math.min(...scores.slice(500))).toBeGreaterThan(Math.max(...scores.slice(0, 500)));
    expect(a.nodes).toBeLessThanOrEqual(a.trees * (2 ** (a.heightLimit + 1) - 1));
  });

  it('rejects an unknown rule', () => {
    expect(() => trainIsolationForest(data2(), { splitRule: 'sklearn' as 'paper' })).toThrow(/splitRule/);
  });
});
