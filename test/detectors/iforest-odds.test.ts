// The ODDS eval (detectors/eval/odds.ts) on small synthetic sets in the ODDS layout: every column of the
// table is computed from the data (an easy set scores near 1 in each, a set of pure noise near 0.5), and the
// "at or above the paper" flags follow the figures, at 2 decimals and strictly.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatOddsTable, oddsSummary, runOddsEval, type OddsRow } from '../../detectors/eval/odds.ts';
import { createPrng } from '../../detectors/iforest/prng.ts';

let dir: string;
let rows: OddsRow[];

/** n inliers around the origin, k outliers far out (or, with noise, labels drawn independently of the rows). */
function csv(seed: number, n: number, k: number, noise: boolean): string {
  const r = createPrng(seed);
  const g = () => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  const lines = ['x1,x2,x3,label'];
  for (let i = 0; i < n + k; i++) {
    const out = i >= n;
    const x = Array.from({ length: 3 }, () => (out && !noise ? 8 + g() : g()));
    lines.push(`${x.map((v) => v.toFixed(4)).join(',')},${out ? 1 : 0}`);
  }
  return lines.join('\n') + '\n';
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'odds-'));
  await writeFile(join(dir, 'breastw.csv'), csv(1, 200, 20, false));
  await writeFile(join(dir, 'ionosphere.csv'), csv(2, 150, 15, false));
  await writeFile(join(dir, 'pima.csv'), csv(3, 200, 100, true));
  await writeFile(
    join(dir, 'reference_auc.csv'),
    'dataset,n,d,n_outliers,pct_outliers,iforest_auc_liu2008,linkedin_standardif_auroc_mean,linkedin_standardif_auroc_sem\n' +
      'breastw,220,3,20,9,0.99,0.98,0.001\nionosphere,165,3,15,9,0.999,,\npima,300,3,100,33,0.9,0.5,0.01\n',
  );
  rows = runOddsEval({ dir, seeds: 3 });
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('ODDS eval', () => {
  it.each([
    ['breastw', 0.95],
    ['ionosphere', 0.95],
  ])('%s (separable): every forest variant scores AUC > %f', (name, min) => {
    const r = rows.find((x) => x.dataset === name)!;
    for (const s of [r.subsampled, r.whole_set, r.library_as_published, r.paper_split_rule, r.converged_1000_trees]) expect(s.mean).toBeGreaterThan(min);
  });

  it('labels independent of the rows: AUC near 0.5, and below the reference, so not "at the paper"', () => {
    const r = rows.find((x) => x.dataset === 'pima')!;
    expect(Math.abs(r.subsampled.mean - 0.5)).toBeLessThan(0.1);
    expect(Math.abs(r.converged_1000_trees.mean - 0.5)).toBeLessThan(0.1);
    expect([r.at_or_above_paper, r.strictly_at_or_above_paper]).toEqual([false, false]);
  });

  it('reads n, d, outliers and the references from the files; flags follow the figures', () => {
    const b = rows.find((x) => x.dataset === 'breastw')!;
    expect([b.n, b.d, b.outliers, b.paper_auc, b.linkedin_auc]).toEqual([220, 3, 20, 0.99, 0.98]);
    expect(rows.find((x) => x.dataset === 'ionosphere')!.linkedin_auc).toBeNull();
    for (const r of rows) {
      expect(r.at_or_above_paper).toBe(Math.round(r.subsampled.mean * 100) / 100 >= r.paper_auc);
      expect(r.strictly_at_or_above_paper).toBe(r.subsampled.mean >= r.paper_auc);
    }
    const s = oddsSummary(rows, 3) as { auc: Record<string, Record<string, number>> };
    expect(Object.keys(s.auc.breastw!).sort()).toEqual(['converged_1000_trees', 'library', 'paper', 'paper_split_rule', 'subsampled', 'subsampled_sem', 'whole_set']);
    expect(formatOddsTable(rows, 3).split('\n')).toHaveLength(2 + rows.length);
  });
});
