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

/**
 * The trees of a forest packed into three arrays, node after node, each tree in preorder (so an inner node's
 * left child is the next node): per node its split feature (-1 for a leaf), the right child's index, and one
 * number, the split point of an inner node or the path length of a leaf (depth + c(rows in it), precomputed
 * so scoring does no logarithms). Why packed: six typed arrays per tree made 600 ArrayBuffers per forest of
 * 100 trees, 32 bytes a node; the price detector keeps a forest per category.
 */
interface Nodes {
  feature: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

export interface IsolationForest {
  readonly trees: number;
  /** ψ actually used (min(sampleSize, n), or n without sub-sampling). */
  readonly sampleSize: number;
  readonly heightLimit: number;
  readonly dimensions: number;
  /** Nodes over all trees (memory: 16 bytes each). */
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
 * Draws k distinct indices from [0, n) into out[0..k): partial Fisher–Yates over a shared identity
 * permutation `perm`, whose k swaps (kept in `swapped`) are undone afterwards, so each draw costs O(k), not O(n).
 */
function sampleWithoutReplacement(perm: Int32Array, k: number, rng: Prng, out: Int32Array, swapped: Int32Array): void {
  const n = perm.length;
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    swapped[i] = j;
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  out.set(perm.subarray(0, k));
  for (let i = k - 1; i >= 0; i--) {
    const j = swapped[i]!;
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
}

/**
 * `constant`: bit f set when feature f is known to be constant over every row of x (so in every node). A
 * feature found constant in a node stays constant in its children, so the bit is passed down too. Such a
 * feature is still drawn (the PRNG sequence, hence the tree, is the same as without the mask), only its
 * min/max scan is skipped: with the price detector's features, mostly flags that are the same for a whole
 * category, that scan was most of the training time.
 */
function buildTree(x: Float64Array, d: number, idx: Int32Array, heightLimit: number, rng: Prng, constant: number, paper: boolean, out: Nodes, base: number): number {
  // Written from out[base] on; the caller made room for the most nodes a tree can have (maxTreeNodes).
  const { feature, right, value } = out;
  const order = new Int32Array(d);
  // Depth first, left child first (node numbers in preorder, PRNG draws in that order), with an explicit
  // stack of pending nodes instead of recursion: [lo, hi, depth, known, parent (-1 = root), is left child].
  let stack = stackScratch.length >= 6 * (heightLimit + 2) ? stackScratch : (stackScratch = new Int32Array(6 * (heightLimit + 2)));
  stack[0] = 0;
  stack[1] = idx.length;
  stack[2] = 0;
  stack[3] = constant;
  stack[4] = -1;
  stack[5] = 0;
  let top = 6;
  let used = base;
  while (top > 0) {
    top -= 6;
    const lo = stack[top]!;
    const hi = stack[top + 1]!;
    const depth = stack[top + 2]!;
    let known = stack[top + 3]!;
    const parent = stack[top + 4]!;
    const node = used++;
    // A left child is its parent's next node (preorder); a right child is linked from its parent.
    if (parent >= 0 && !stack[top + 5]) right[parent] = node;
    const n = hi - lo;
    // Choose the split: feature f and point p, or none (a leaf).
    let f = -1;
    let p = 0;
    if (depth < heightLimit && n > 1) {
      if (paper) {
        // Algorithm 2 as printed: q uniform over all attributes, p uniform in [min, max] of q in the node;
        // when q is constant (p = min = max) every row goes right and the left child is an empty leaf.
        f = rng.int(d);
        rangeOf(x, d, idx, lo, hi, f);
        p = rangeMin + rng.next() * (rangeMax - rangeMin);
        known = 0;
      } else {
        for (let k = 0; k < d; k++) order[k] = k;
        // Features in random order until one is not constant in this node.
        for (let k = 0; k < d; k++) {
          const j = k + rng.int(d - k);
          const g = order[j]!;
          order[j] = order[k]!;
          order[k] = g;
          if (g < 32 && known & (1 << g)) continue;
          rangeOf(x, d, idx, lo, hi, g);
          const min = rangeMin;
          const max = rangeMax;
          if (!(max > min)) {
            if (g < 32) known |= 1 << g;
            continue;
          }
          f = g;
          p = min + rng.next() * (max - min);
          if (p <= min) p = max; // next() returned 0: split just above min so neither side is empty
          break;
        }
      }
    }
    if (f < 0) {
      // A leaf: the height limit, one row, or every feature constant (nothing left to isolate).
      feature[node] = -1;
      right[node] = 0;
      value[node] = depth + averagePathLength(n);
      continue;
    }
    // Inner node: rows of [lo, hi) with feature f below p go left (partitioned in place), the rest right.
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
    value[node] = p;
    if (top + 12 > stack.length) {
      const grown = new Int32Array(stack.length * 2);
      grown.set(stack);
      stack = stackScratch = grown;
    }
    // Right pushed first, so the left child is taken next (preorder).
    stack[top] = m;
    stack[top + 1] = hi;
    stack[top + 2] = depth + 1;
    stack[top + 3] = known;
    stack[top + 4] = node;
    stack[top + 5] = 0;
    stack[top + 6] = lo;
    stack[top + 7] = m;
    stack[top + 8] = depth + 1;
    stack[top + 9] = known;
    stack[top + 10] = node;
    stack[top + 11] = 1;
    top += 12;
  }
  return used - base;
}

/** The most nodes buildTree can make from `rows` rows under the height limit. */
function maxTreeNodes(rows: number, heightLimit: number, paper: boolean): number {
  // Paper rule: an empty-left split adds nodes without dividing the rows, so only the height bounds the tree.
  return paper ? Math.min(2 ** (heightLimit + 1) - 1, 2 * rows * (heightLimit + 1) + 1) : 2 * rows - 1;
}
/** Min and max of feature f over the rows idx[lo..hi), into rangeMin / rangeMax (no pair allocated per node). */
let rangeMin = 0;
let rangeMax = 0;
function rangeOf(x: Float64Array, d: number, idx: Int32Array, lo: number, hi: number, f: number): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = lo; i < hi; i++) {
    const v = x[idx[i]! * d + f]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  rangeMin = min;
  rangeMax = max;
}

/** The pending-node stack of buildTree (grown as needed, shared: trees are built one at a time). */
let stackScratch = new Int32Array(64);

/** Path length of `row` in the tree whose root is node `root`. */
function treePathLength(nodes: Nodes, root: number, row: ArrayLike<number>): number {
  const { feature, right, value } = nodes;
  let node = root;
  for (;;) {
    const f = feature[node]!;
    if (f < 0) return value[node]!;
    node = row[f]! < value[node]! ? node + 1 : right[node]!;
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

  const paper = splitRule === 'paper';
  const perTree = maxTreeNodes(psi, heightLimit, paper);
  let nodes: Nodes = { feature: new Int32Array(0), right: new Int32Array(0), value: new Float64Array(0) };
  let used = 0;
  const roots = new Int32Array(t);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const idx = new Int32Array(psi);
  const swapped = new Int32Array(psi);
  for (let k = 0; k < t; k++) {
    if (subsample) sampleWithoutReplacement(perm, psi, rng, idx, swapped);
    else idx.set(perm);
    if (used + perTree > nodes.feature.length) nodes = resized(nodes, Math.max(used + perTree, 2 * nodes.feature.length), used);
    roots[k] = used;
    used += buildTree(x, d, idx, heightLimit, rng, constant, paper, nodes, used);
  }
  // Trimmed to the nodes made: what the forest keeps.
  nodes = resized(nodes, used, used);
  const cPsi = averagePathLength(psi);

  const pathLength = (row: ArrayLike<number>): number => {
    if (row.length !== d) throw new IsolationForestInputError(`row has ${row.length} features, the forest was trained on ${d}`);
    let sum = 0;
    for (let k = 0; k < t; k++) sum += treePathLength(nodes, roots[k]!, row);
    return sum / t;
  };
  // ψ = 1 gives c(ψ) = 0: every point is equally (un)isolated, score 0.5 by convention.
  const score = (row: ArrayLike<number>): number => (cPsi > 0 ? 2 ** (-pathLength(row) / cPsi) : 0.5);
  return {
    trees: t,
    sampleSize: psi,
    heightLimit,
    dimensions: d,
    nodes: used,
    pathLength,
    score,
    scoreAll: (rs) => rs.map(score),
  };
}

/** `nodes` in arrays of `length` nodes, the first `keep` copied. */
function resized(nodes: Nodes, length: number, keep: number): Nodes {
  const out: Nodes = { feature: new Int32Array(length), right: new Int32Array(length), value: new Float64Array(length) };
  out.feature.set(nodes.feature.subarray(0, keep));
  out.right.set(nodes.right.subarray(0, keep));
  out.value.set(nodes.value.subarray(0, keep));
  return out;
}
