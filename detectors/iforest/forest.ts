// Isolation forest as in Liu, Ting & Zhou, "Isolation Forest" (ICDM 2008), with the paper's sub-sampling.
// In: rows of finite numbers (one feature vector per row) and options (trees t, sub-sample size ψ, seed).
// Out: a trained forest whose score(row) is s(x, ψ) = 2^(−E[h(x)] / c(ψ)), in (0, 1]; near 1 = anomaly,
// well below 0.5 = normal.
//
// Why not ml-isolation-forest 0.1.0 as is (node_modules/ml-isolation-forest/src): it trains every tree on the
// whole set (no sub-sampling, so swamping and masking are not reduced, and training cost grows with n), draws
// from Math.random (not reproducible), keeps every training row in the leaves (memory grows with n × t), its
// depth test (`currentDepth <= maxDepth`) lets trees grow one level past ceil(log2 n), and its c(n) adds
// Euler's constant once instead of twice (2·ln(n−1) + 0.577 − … instead of 2·(ln(n−1) + 0.577) − …), which
// mis-weights leaves of different sizes. What is sound in it (random feature, uniform split between min and
// max, path length + c(leaf size)) is kept here, re-implemented on flat typed arrays.
//
// One deliberate choice beyond the paper: the split feature is drawn uniformly among the features that are
// not constant in the node (as scikit-learn does); the paper draws any feature, and a constant one gives an
// empty split that only burns depth. `splitRule: 'paper'` builds the trees exactly as the paper's Algorithm 2
// is printed (any attribute, a constant one giving an empty left child, a node splits until the height limit
// or one row), so the ODDS eval can show that this choice does not explain a gap to the paper. With `subsample: false` each tree sees the whole set and the height
// limit is ceil(log2 n): the library's regime, kept for measuring what sub-sampling changes.
import { createPrng, type Prng } from './prng.ts';

const EULER_GAMMA = 0.5772156649015329;

/**
 * c(n): the average path length of an unsuccessful search in a binary search tree of n points (paper eq. 1),
 * used to normalise path lengths and to credit a leaf holding n unsplit points.
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

export interface IsolationForestOptions {
  /** t, number of trees. @default 100 */
  trees?: number;
  /** ψ, rows per tree when sub-sampling (capped at n). @default 256 */
  sampleSize?: number;
  /** false = every tree on the whole set (no sub-sampling). @default true */
  subsample?: boolean;
  /** PRNG seed; the same seed and rows give the same forest. @default 0 */
  seed?: number;
  /**
   * 'informative': the split feature is drawn among the features not constant in the node; a node whose
   * features are all constant is a leaf. 'paper': Algorithm 2 of the paper as printed (see the header).
   * @default 'informative'
   */
  splitRule?: 'informative' | 'paper';
}

interface Tree {
  /** Split feature per node; -1 marks a leaf. */
  feature: Int32Array;
  split: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Rows that reached the leaf (0 for inner nodes). */
  size: Int32Array;
  /** depth + c(size) for a leaf: its path length, precomputed so scoring does no logarithms. */
  leafPath: Float64Array;
}

export interface IsolationForest {
  readonly trees: number;
  /** ψ actually used (min(sampleSize, n), or n without sub-sampling). */
  readonly sampleSize: number;
  readonly heightLimit: number;
  readonly dimensions: number;
  /** Nodes over all trees (memory: about 36 bytes each). */
  readonly nodes: number;
  /** E[h(x)]: path length averaged over the trees. */
  pathLength(row: ArrayLike<number>): number;
  /** Anomaly score s(x, ψ) in (0, 1]. */
  score(row: ArrayLike<number>): number;
  scoreAll(rows: readonly ArrayLike<number>[]): number[];
}

export class IsolationForestInputError extends Error {
  override name = 'IsolationForestInputError';
}

function checkRows(rows: readonly ArrayLike<number>[]): number {
  if (rows.length === 0) throw new IsolationForestInputError('cannot train an isolation forest on zero rows');
  const d = rows[0]!.length;
  if (d === 0) throw new IsolationForestInputError('rows have no features');
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (r.length !== d) throw new IsolationForestInputError(`row ${i} has ${r.length} features, expected ${d}`);
    for (let f = 0; f < d; f++) {
      if (!Number.isFinite(r[f])) throw new IsolationForestInputError(`row ${i} feature ${f} is not a finite number: ${r[f]}`);
    }
  }
  return d;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return v;
}

/**
 * Draws k distinct indices from [0, n): partial Fisher–Yates over a shared identity permutation `perm`,
 * whose k swaps are undone afterwards, so each draw costs O(k), not O(n).
 */
function sampleWithoutReplacement(perm: Int32Array, k: number, rng: Prng): Int32Array {
  const n = perm.length;
  const swapped = new Int32Array(k);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    swapped[i] = j;
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  const out = perm.slice(0, k);
  for (let i = k - 1; i >= 0; i--) {
    const j = swapped[i]!;
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return out;
}

/** A tree's node arrays, sized for the largest tree so far (a built tree is a trimmed copy). */
type Scratch = Tree;
const createScratch = (m: number): Scratch => ({
  feature: new Int32Array(m),
  split: new Float64Array(m),
  left: new Int32Array(m),
  right: new Int32Array(m),
  size: new Int32Array(m),
  leafPath: new Float64Array(m),
});
/** Node arrays a tree is built in (grown to the largest tree so far), so a tree allocates only its copies. */
let scratch = createScratch(511);

/**
 * `constant`: bit f set when feature f is known to be constant over every row of x (so in every node). A
 * feature found constant in a node stays constant in its children, so the bit is passed down too. Such a
 * feature is still drawn (the PRNG sequence, hence the tree, is the same as without the mask), only its
 * min/max scan is skipped: with the price detector's features, mostly flags that are the same for a whole
 * category, that scan was most of the training time.
 */
function buildTree(x: Float64Array, d: number, idx: Int32Array, heightLimit: number, rng: Prng, constant = 0, paper = false): Tree {
  // Paper rule: an empty-left split adds nodes without dividing the rows, so only the height bounds the tree.
  const maxNodes = paper ? Math.min(2 ** (heightLimit + 1) - 1, 2 * idx.length * (heightLimit + 1) + 1) : 2 * idx.length - 1;
  if (scratch.feature.length < maxNodes) scratch = createScratch(maxNodes);
  // Every node's slot of every array is written below (leaves and inner nodes alike), so the shared scratch
  // needs no clearing; the tree keeps copies of the used part.
  const { feature, split, left, right, size, leafPath } = scratch;
  const order = new Int32Array(d);
  let used = 0;

  const build = (lo: number, hi: number, depth: number, known: number): number => {
    const node = used++;
    const n = hi - lo;
    if (depth >= heightLimit || n <= 1) return leaf(node, n, depth);
    if (paper) return paperSplit(node, lo, hi, depth);
    for (let f = 0; f < d; f++) order[f] = f;
    // Features in random order until one is not constant in this node.
    for (let k = 0; k < d; k++) {
      const j = k + rng.int(d - k);
      const f = order[j]!;
      order[j] = order[k]!;
      order[k] = f;
      if (f < 32 && known & (1 << f)) continue;
      rangeOf(lo, hi, f);
      const min = rangeMin;
      const max = rangeMax;
      if (!(max > min)) {
        if (f < 32) known |= 1 << f;
        continue;
      }
      let p = min + rng.next() * (max - min);
      if (p <= min) p = max; // next() returned 0: split just above min so neither side is empty
      return splitAt(node, lo, hi, depth, f, p, known);
    }
    return leaf(node, n, depth); // every feature constant: nothing left to isolate
  };
  // Algorithm 2 as printed: q uniform over all attributes, p uniform in [min, max] of q in the node; when q
  // is constant (p = min = max) every row goes right and the left child is an empty leaf.
  const paperSplit = (node: number, lo: number, hi: number, depth: number): number => {
    const f = rng.int(d);
    rangeOf(lo, hi, f);
    return splitAt(node, lo, hi, depth, f, rangeMin + rng.next() * (rangeMax - rangeMin), 0);
  };
  // Min and max of feature f over the rows of [lo, hi), into rangeMin / rangeMax (no pair allocated per node).
  let rangeMin = 0;
  let rangeMax = 0;
  const rangeOf = (lo: number, hi: number, f: number): void => {
    let min = Infinity;
    let max = -Infinity;
    for (let i = lo; i < hi; i++) {
      const v = x[idx[i]! * d + f]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    rangeMin = min;
    rangeMax = max;
  };
  // Inner node: rows of [lo, hi) with feature f below p go left (partitioned in place), the rest right.
  const splitAt = (node: number, lo: number, hi: number, depth: number, f: number, p: number, known: number): number => {
    let m = lo;
    for (let i = lo; i < hi; i++) {
      const r = idx[i]!;
      if (x[r * d + f]! < p) {
        idx[i] = idx[m]!;
        idx[m] = r;
        m++;
      }
    }
    feature[node] = f;
    split[node] = p;
    size[node] = 0;
    leafPath[node] = 0;
    left[node] = build(lo, m, depth + 1, known);
    right[node] = build(m, hi, depth + 1, known);
    return node;
  };
  const leaf = (node: number, n: number, depth: number): number => {
    feature[node] = -1;
    split[node] = 0;
    left[node] = 0;
    right[node] = 0;
    size[node] = n;
    leafPath[node] = depth + averagePathLength(n);
    return node;
  };
  build(0, idx.length, 0, constant);
  return {
    feature: feature.slice(0, used),
    split: split.slice(0, used),
    left: left.slice(0, used),
    right: right.slice(0, used),
    size: size.slice(0, used),
    leafPath: leafPath.slice(0, used),
  };
}

function treePathLength(t: Tree, row: ArrayLike<number>): number {
  const { feature, split, left, right } = t;
  let node = 0;
  for (;;) {
    const f = feature[node]!;
    if (f < 0) return t.leafPath[node]!;
    node = row[f]! < split[node]! ? left[node]! : right[node]!;
  }
}

export function trainIsolationForest(rows: readonly ArrayLike<number>[], options: IsolationForestOptions = {}): IsolationForest {
  const d = checkRows(rows);
  const n = rows.length;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) x[i * d + f] = rows[i]![f]!;
  return train(x, n, d, options);
}

/**
 * trainIsolationForest() on rows already packed row after row in `x` (n rows of d features, x.length ≥ n·d;
 * only the first n·d values are read, and not kept): the same forest as from the same rows as arrays, without
 * one array per row (the price detector keeps its training rows this way).
 */
export function trainIsolationForestFlat(x: Float64Array, n: number, d: number, options: IsolationForestOptions = {}): IsolationForest {
  if (!Number.isInteger(n) || n < 1) throw new IsolationForestInputError('cannot train an isolation forest on zero rows');
  if (!Number.isInteger(d) || d < 1) throw new IsolationForestInputError('rows have no features');
  if (x.length < n * d) throw new IsolationForestInputError(`${n} rows of ${d} features need ${n * d} values, got ${x.length}`);
  for (let i = 0; i < n * d; i++) {
    if (!Number.isFinite(x[i])) throw new IsolationForestInputError(`row ${Math.floor(i / d)} feature ${i % d} is not a finite number: ${x[i]}`);
  }
  return train(x, n, d, options);
}

function train(x: Float64Array, n: number, d: number, options: IsolationForestOptions): IsolationForest {
  const t = positiveInt('trees', options.trees ?? 100);
  const subsample = options.subsample ?? true;
  const psi = subsample ? Math.min(positiveInt('sampleSize', options.sampleSize ?? 256), n) : n;
  const heightLimit = Math.max(1, Math.ceil(Math.log2(psi)));
  const rng = createPrng(options.seed ?? 0);
  const splitRule = options.splitRule ?? 'informative';
  if (splitRule !== 'informative' && splitRule !== 'paper') throw new RangeError(`splitRule must be 'informative' or 'paper', got ${String(splitRule)}`);

  // Features constant over every row are constant in every node of every tree (see buildTree).
  let constant = 0;
  for (let f = 0; f < d && f < 32; f++) {
    let same = true;
    for (let i = 1; i < n && same; i++) same = x[i * d + f] === x[f];
    if (same) constant |= 1 << f;
  }

  const forest: Tree[] = [];
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let k = 0; k < t; k++) {
    const idx = subsample ? sampleWithoutReplacement(perm, psi, rng) : perm.slice();
    forest.push(buildTree(x, d, idx, heightLimit, rng, constant, splitRule === 'paper'));
  }
  const cPsi = averagePathLength(psi);

  const pathLength = (row: ArrayLike<number>): number => {
    if (row.length !== d) throw new IsolationForestInputError(`row has ${row.length} features, the forest was trained on ${d}`);
    let sum = 0;
    for (const tree of forest) sum += treePathLength(tree, row);
    return sum / t;
  };
  // ψ = 1 gives c(ψ) = 0: every point is equally (un)isolated, score 0.5 by convention.
  const score = (row: ArrayLike<number>): number => (cPsi > 0 ? 2 ** (-pathLength(row) / cPsi) : 0.5);
  return {
    trees: t,
    sampleSize: psi,
    heightLimit,
    dimensions: d,
    nodes: forest.reduce((a, tr) => a + tr.feature.length, 0),
    pathLength,
    score,
    scoreAll: (rs) => rs.map(score),
  };
}
