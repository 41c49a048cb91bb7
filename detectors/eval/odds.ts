// Isolation-forest quality on labelled ODDS sets (../shared/eval/odds_iforest: breastw, ionosphere, pima),
// side by side with the AUC Liu, Ting & Zhou (ICDM 2008, Table 3) report.
// In: the data folder (each CSV: features x1..xd + label; reference_auc.csv). Out: per data set the ROC AUC
// of (a) our forest with the paper's sub-sampling (ψ = 256, t = 100), (b) our forest on the whole set per
// tree (no sub-sampling), (c) ml-isolation-forest 0.1.0 as published, each averaged over `seeds` runs (the
// paper's protocol: unsupervised, trained and scored on the whole set, 10 runs); printed as a table. Two
// checks of where a gap to the paper could come from: (d) the paper's Algorithm 2 taken literally
// (splitRule 'paper'), (e) t = 1000 trees over 3 seeds, the forest's converged AUC on the set (what a mean
// over more runs tends to), so a paper figure above it is not reachable by seeds alone.
// Rows are read with the same code as `shelfwatch score-outliers FILE --exclude label` (score-csv.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { rocAuc } from '../iforest/auc.ts';
import { scoreWithLibrary } from '../iforest/library.ts';
import { trainIsolationForest } from '../iforest/forest.ts';
import { createPrng } from '../iforest/prng.ts';
import { readFeatureTable, scoreTable } from '../iforest/score-csv.ts';

export const DEFAULT_ODDS_DIR = '/work/shared/eval/odds_iforest';
const DATASETS = ['breastw', 'ionosphere', 'pima'] as const;

export interface Stat {
  mean: number;
  /** Standard error of the mean over the runs. */
  sem: number;
}

export interface OddsRow {
  dataset: string;
  n: number;
  d: number;
  outliers: number;
  paper_auc: number;
  linkedin_auc: number | null;
  subsampled: Stat;
  whole_set: Stat;
  library_as_published: Stat;
  /** ψ = 256, t = 100, Algorithm 2 as printed (splitRule 'paper'), over the same seeds. */
  paper_split_rule: Stat;
  /** ψ = 256, t = 1000, 3 seeds: the converged AUC of the sub-sampled forest. */
  converged_1000_trees: Stat;
  /**
   * subsampled.mean rounded to 2 decimals (the precision the paper reports) >= paper_auc. The strict
   * comparison is reported too: the paper's 0.99 on breastw is itself rounded (LinkedIn's reimplementation of
   * the same protocol measures 0.9864).
   */
  at_or_above_paper: boolean;
  strictly_at_or_above_paper: boolean;
}

function stat(xs: number[]): Stat {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.length > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) : 0;
  return { mean, sem: Math.sqrt(variance / xs.length) };
}

export function runOddsEval(opts: { dir?: string; seeds?: number } = {}): OddsRow[] {
  const dir = opts.dir ?? DEFAULT_ODDS_DIR;
  const seeds = opts.seeds ?? 10;
  const refs = parse(readFileSync(join(dir, 'reference_auc.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  return DATASETS.map((name) => {
    const ref = refs.find((r) => r.dataset === name);
    if (!ref) throw new Error(`reference_auc.csv has no row for ${name}`);
    const table = readFeatureTable(readFileSync(join(dir, `${name}.csv`), 'utf8'), ['label']);
    if (table.bad.length) throw new Error(`${name}.csv: ${table.bad.length} bad rows, first at line ${table.bad[0]!.line}: ${table.bad[0]!.reason}`);
    const labelAt = table.header.indexOf('label');
    const labels = table.raw.map((r) => Number(r[labelAt]));
    const rows = table.rows as number[][];
    const auc = (scores: (number | null)[]) => rocAuc(scores as number[], labels);
    const sub: number[] = [];
    const whole: number[] = [];
    const lib: number[] = [];
    const paperRule: number[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      sub.push(auc(scoreTable(table, { seed, subsample: true })));
      whole.push(auc(scoreTable(table, { seed, subsample: false })));
      lib.push(auc(scoreWithLibrary(rows)));
      paperRule.push(auc(scoreTable(table, { seed, splitRule: 'paper' })));
    }
    const converged = [1, 2, 3].map((seed) => auc(scoreTable(table, { seed, trees: 1000 })));
    const subsampled = stat(sub);
    const paper = Number(ref.iforest_auc_liu2008);
    return {
      dataset: name,
      n: rows.length,
      d: table.features.length,
      outliers: labels.filter((y) => y === 1).length,
      paper_auc: paper,
      linkedin_auc: ref.linkedin_standardif_auroc_mean ? Number(ref.linkedin_standardif_auroc_mean) : null,
      subsampled,
      whole_set: stat(whole),
      library_as_published: stat(lib),
      paper_split_rule: stat(paperRule),
      converged_1000_trees: stat(converged),
      at_or_above_paper: Math.round(subsampled.mean * 100) / 100 >= paper,
      strictly_at_or_above_paper: subsampled.mean >= paper,
    };
  });
}

export function formatOddsTable(rows: readonly OddsRow[], seeds: number): string {
  const f = (s: Stat) => `${s.mean.toFixed(4)} ± ${s.sem.toFixed(4)}`;
  const lines = [
    `Isolation forest ROC AUC on ODDS (mean ± s.e. over ${seeds} seeds; t = 100 trees)`,
    'dataset     n    d  outl  paper  linkedin  ψ=256 sub-sampled   whole set, no sub-sampling  ml-isolation-forest 0.1.0  ≥ paper (2 dp / strict)  paper Alg. 2 literal  t=1000 (3 seeds)',
  ];
  for (const r of rows) {
    lines.push(
      [
        r.dataset.padEnd(10),
        String(r.n).padStart(4),
        String(r.d).padStart(3),
        String(r.outliers).padStart(5),
        r.paper_auc.toFixed(2).padStart(6),
        (r.linkedin_auc?.toFixed(4) ?? '-').padStart(9),
        f(r.subsampled).padStart(19),
        f(r.whole_set).padStart(27),
        f(r.library_as_published).padStart(26),
        `${r.at_or_above_paper ? 'yes' : 'NO'} / ${r.strictly_at_or_above_paper ? 'yes' : 'no'}`.padStart(10),
        f(r.paper_split_rule).padStart(29),
        f(r.converged_1000_trees).padStart(17),
      ].join(' '),
    );
  }
  return lines.join('\n');
}

/** The one-line JSON summary an eval prints last. */
export function oddsSummary(rows: readonly OddsRow[], seeds: number): Record<string, unknown> {
  const round = (x: number) => Math.round(x * 10000) / 10000;
  return {
    eval: 'odds_iforest',
    seeds,
    at_or_above_paper: rows.every((r) => r.at_or_above_paper),
    strictly_at_or_above_paper: rows.every((r) => r.strictly_at_or_above_paper),
    auc: Object.fromEntries(
      rows.map((r) => [
        r.dataset,
        {
          paper: r.paper_auc,
          subsampled: round(r.subsampled.mean),
          subsampled_sem: round(r.subsampled.sem),
          whole_set: round(r.whole_set.mean),
          library: round(r.library_as_published.mean),
          paper_split_rule: round(r.paper_split_rule.mean),
          converged_1000_trees: round(r.converged_1000_trees.mean),
        },
      ]),
    ),
  };
}

/**
 * Runs `shelfwatch score-outliers DATASET.csv --exclude label --seed 1` and checks that its output equals
 * what this eval computes in-process, so the AUCs above are the command's AUCs.
 */
export function cliAgrees(opts: { dir?: string; dataset?: string } = {}): { dataset: string; rows: number; identical: boolean } {
  const dir = opts.dir ?? DEFAULT_ODDS_DIR;
  const dataset = opts.dataset ?? 'pima';
  const file = join(dir, `${dataset}.csv`);
  const r = spawnSync(process.execPath, ['bin/shelfwatch.js', '--log-level', 'silent', 'score-outliers', file, '--exclude', 'label', '--seed', '1'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`score-outliers exited ${r.status}: ${r.stderr}`);
  const scores = scoreTable(readFeatureTable(readFileSync(file, 'utf8'), ['label']), { seed: 1 });
  const expected = 'row,score\n' + scores.map((s, i) => `${i},${s === null ? '' : s.toFixed(6)}`).join('\n') + '\n';
  return { dataset, rows: scores.length, identical: r.stdout === expected };
}

export interface CostRow {
  n: number;
  subsampled: { train_ms: number; nodes: number };
  whole_set: { train_ms: number; nodes: number };
}

/**
 * What sub-sampling changes in cost: training time and tree size for n rows (8 Gaussian features), ψ = 256
 * vs every row per tree. Median of `repeats` trainings; wall-clock, so provisional on a shared machine.
 */
export function trainingCost(sizes: readonly number[] = [1000, 4000, 16000], repeats = 3): CostRow[] {
  return sizes.map((n) => {
    const r = createPrng(n);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
    const rows = Array.from({ length: n }, () => Array.from({ length: 8 }, gauss));
    const measure = (subsample: boolean) => {
      const times: number[] = [];
      let nodes = 0;
      for (let k = 0; k < repeats; k++) {
        const t = performance.now();
        nodes = trainIsolationForest(rows, { seed: k, subsample }).nodes;
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      return { train_ms: Math.round(times[Math.floor(times.length / 2)]! * 10) / 10, nodes };
    };
    return { n, subsampled: measure(true), whole_set: measure(false) };
  });
}

export function formatCostTable(rows: readonly CostRow[]): string {
  const lines = ['Training cost, t = 100 trees, 8 features (median of 3; wall-clock on a shared machine: provisional)', '     n   ψ=256: ms    nodes   whole set: ms      nodes'];
  for (const r of rows) {
    lines.push(`${String(r.n).padStart(6)} ${r.subsampled.train_ms.toFixed(1).padStart(11)} ${String(r.subsampled.nodes).padStart(8)} ${r.whole_set.train_ms.toFixed(1).padStart(15)} ${String(r.whole_set.nodes).padStart(10)}`);
  }
  return lines.join('\n');
}
