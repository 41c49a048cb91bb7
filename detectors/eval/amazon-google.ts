// Recall matching on real product titles: the Amazon-Google entity-matching benchmark
// (/work/shared/eval/amazon_google, see its SOURCE.md). Amazon rows play the recalls, Google rows the
// listings; the matcher is the recall index as `shelfwatch match-recalls` runs it.
// Protocol: (1) DeepMatcher split: the matcher's free parameters (score threshold, rank adjustment,
// number penalty, the batch near-best filter) are chosen on train + valid only; F1 on test is reported beside the published Magellan
// 49.1, DeepMatcher 69.3 and Ditto 75.6. No model is trained; test labels are read only to score.
// (2) Full cross product (1,363 x 3,226 rows): `shelfwatch match-recalls` itself (subprocess) on the
// original Leipzig files (latin-1) with the chosen parameters, against the 1,300-pair perfect mapping.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadRecallIndex, matchLines } from '../match-recalls.ts';
import type { RecallMatchOptions } from '../recall-index.ts';
import { readRecords } from '../reference/files.ts';
import { looseListing } from '../reference/loose-rows.ts';
import type { RecallQuery } from '../types.ts';

export const DEFAULT_AG_DIR = '/work/shared/eval/amazon_google';
export const PUBLISHED_F1 = { magellan: 49.1, deepmatcher: 69.3, ditto: 75.6 } as const;

interface Pair {
  a: string;
  b: string;
  label: number;
}

async function rows(path: string, encoding: 'utf8' | 'latin1' = 'utf8'): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const r of readRecords(path, { encoding })) if ('record' in r) out.push(r.record);
  return out;
}

export interface Prf {
  precision: number;
  recall: number;
  f1: number;
  tp: number;
  fp: number;
  fn: number;
}

export function prf(tp: number, fp: number, fn: number): Prf {
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, tp, fp, fn };
}

function evalAt(scored: { s: number; label: number }[], t: number): Prf {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const { s, label } of scored) {
    if (s >= t && s > 0) label ? tp++ : fp++;
    else if (label) fn++;
  }
  return prf(tp, fp, fn);
}

export interface AmazonGoogleResult {
  chosen: { threshold: number; trigramWeight: number; gapPenalty: number; bestBonus: number; numberPenalty: number; pricePenalty: number; nearBest: number | null; mutual: boolean; trainValidF1: number };
  test: Prf;
  crossProduct: Prf & { pairs: number; seconds: number };
  published: typeof PUBLISHED_F1;
}

const GRID = {
  trigramWeight: [0.5],
  gapPenalty: [0.5, 1],
  bestBonus: [0.1],
  numberPenalty: [0.3],
  /** Batch only: the most a price disagreement takes off a score (both rows have a price). */
  pricePenalty: [0, 0.1, 0.2],
  /** null = off (the stage's behaviour); else the batch filter's delta. */
  nearBest: [null, 0, 0.02, 0.05, 0.1],
  /** The near-best filter on the recall side only, or on both sides (--mutual). */
  mutual: [false, true],
};

export async function runAmazonGoogleEval(dir = DEFAULT_AG_DIR, log: (s: string) => void = () => {}): Promise<AmazonGoogleResult> {
  const D = join(dir, 'deepmatcher_splits');
  const { index, prices } = await loadRecallIndex(join(D, 'tableA.csv'));
  const B: { id: string; query: RecallQuery; price: number | null }[] = [];
  for (const r of await rows(join(D, 'tableB.csv'))) {
    const x = looseListing(r);
    if (x.ok) B.push(x.value);
  }
  const split = async (name: string): Promise<Pair[]> => (await rows(join(D, `${name}.csv`))).map((r) => ({ a: String(r.ltable_id), b: String(r.rtable_id), label: Number(r.label) }));
  const tuning = [...(await split('train')), ...(await split('valid'))];
  const test = await split('test');

  // Every listing matched as match-recalls does (all of tableB, so the near-best filter sees what the CLI
  // sees); a labelled pair the matcher does not return scores 0. Labels are not used to score. The filter
  // does not depend on the threshold (a recall's best kept score is its best score once any is kept), so
  // each pair carries its score and the best scores of its recall and its listing.
  const scored = (o: Partial<RecallMatchOptions>, pricePenalty: number) => {
    const score = new Map<string, number>();
    const bestR = new Map<string, number>();
    const bestL = new Map<string, number>();
    for (const l of B) {
      for (const m of matchLines(index, l.id, l.query, l.price, { match: { ...o, minScore: 0.0001, titleOnlyMin: 0, brandTitleMin: 0 }, prices, pricePenalty })) {
        score.set(`${m.recall_id}\t${m.listing_id}`, m.score);
        bestR.set(m.recall_id, Math.max(bestR.get(m.recall_id) ?? 0, m.score));
        bestL.set(m.listing_id, Math.max(bestL.get(m.listing_id) ?? 0, m.score));
      }
    }
    return (pairs: Pair[]) => pairs.map((p) => ({ s: score.get(`${p.a}\t${p.b}`) ?? 0, r: bestR.get(p.a) ?? 0, l: bestL.get(p.b) ?? 0, label: p.label }));
  };
  type Scored = ReturnType<ReturnType<typeof scored>>;
  const filtered = (xs: Scored, nearBest: number | null, mutual: boolean) =>
    nearBest === null ? xs : xs.map((x) => ({ ...x, s: x.s >= x.r - nearBest - 1e-9 && (!mutual || x.s >= x.l - nearBest - 1e-9) ? x.s : 0 }));

  let chosen: AmazonGoogleResult['chosen'] = { threshold: 0, trigramWeight: 0, gapPenalty: 0, bestBonus: 0, numberPenalty: 0, pricePenalty: 0, nearBest: null, mutual: false, trainValidF1: -1 };
  let testScored: Scored = [];
  for (const trigramWeight of GRID.trigramWeight)
    for (const gapPenalty of GRID.gapPenalty)
      for (const bestBonus of GRID.bestBonus)
        for (const numberPenalty of GRID.numberPenalty)
          for (const pricePenalty of GRID.pricePenalty) {
            const of = scored({ trigramWeight, gapPenalty, bestBonus, numberPenalty }, pricePenalty);
            const tuned = of(tuning);
            for (const nearBest of GRID.nearBest)
              for (const mutual of nearBest === null ? [false] : GRID.mutual) {
                const xs = filtered(tuned, nearBest, mutual);
                // Whole hundredths (not an accumulated float): the threshold scored here is the --min-score the CLI gets.
                for (let k = 30; k <= 99; k++) {
                  const t = k / 100;
                  const f = evalAt(xs, t).f1;
                  if (f > chosen.trainValidF1) {
                    chosen = { threshold: t, trigramWeight, gapPenalty, bestBonus, numberPenalty, pricePenalty, nearBest, mutual, trainValidF1: f };
                    testScored = filtered(of(test), nearBest, mutual);
                  }
                }
              }
          }
  log(`chosen on train+valid: ${JSON.stringify(chosen)}`);
  const testPrf = evalAt(testScored, chosen.threshold);

  const crossProduct = runCrossProduct(dir, chosen);
  return { chosen, test: testPrf, crossProduct, published: PUBLISHED_F1 };
}

/**
 * The full cross product through the CLI: `shelfwatch match-recalls` on the Leipzig files with the chosen
 * parameters. Title-driven scores are 0.45 + 0.5 x sim (brand agrees) or 0.3 + 0.6 x sim (brand unknown);
 * the threshold chosen on the score scale becomes --min-score, and --title-min 0 leaves the cut to it;
 * the chosen trigram weight and rank adjustment are passed as their flags.
 */
function runCrossProduct(dir: string, chosen: AmazonGoogleResult['chosen']): AmazonGoogleResult['crossProduct'] {
  const L = join(dir, 'leipzig');
  const out = join(mkdtempSync(join(tmpdir(), 'sw-ag-')), 'matches.ndjson');
  const root = resolve(import.meta.dirname, '../..');
  const t0 = Date.now();
  const args = ['bin/shelfwatch.js', 'match-recalls', '--recalls', join(L, 'Amazon.csv'), '--listings', join(L, 'GoogleProducts.csv'), '--encoding', 'latin1', '--min-score', String(chosen.threshold), '--title-min', '0', '--trigram-weight', String(chosen.trigramWeight), '--gap-penalty', String(chosen.gapPenalty), '--best-bonus', String(chosen.bestBonus), '--number-penalty', String(chosen.numberPenalty), '--price-penalty', String(chosen.pricePenalty), ...(chosen.nearBest === null ? [] : ['--near-best', String(chosen.nearBest), ...(chosen.mutual ? ['--mutual'] : [])]), '--out', out];
  const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (Date.now() - t0) / 1000;
  if (run.status !== 0) throw new Error(`match-recalls failed (${run.status}): ${run.stderr}`);
  const truth = new Set(
    readFileSync(join(L, 'Amazon_GoogleProducts_perfectMapping.csv'), 'latin1')
      .split(/\r?\n/)
      .slice(1)
      .filter(Boolean)
      .map((line) => line.replace(/"/g, '').split(',').join('\t')),
  );
  const predicted = new Set(
    readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { recall_id: string; listing_id: string })
      .map((m) => `${m.recall_id}\t${m.listing_id}`),
  );
  let tp = 0;
  for (const p of predicted) if (truth.has(p)) tp++;
  return { ...prf(tp, predicted.size - tp, truth.size - tp), pairs: predicted.size, seconds };
}

export function formatAmazonGoogle(r: AmazonGoogleResult): string {
  const pct = (x: number) => (100 * x).toFixed(1);
  return [
    'Recall matching on Amazon-Google (Amazon = recalls, Google = listings); F1 x 100',
    `  parameters chosen on train+valid only: threshold ${r.chosen.threshold}, trigram weight ${r.chosen.trigramWeight}, gap penalty ${r.chosen.gapPenalty}, best bonus ${r.chosen.bestBonus}, number penalty ${r.chosen.numberPenalty}, price penalty ${r.chosen.pricePenalty}, near-best ${r.chosen.nearBest ?? 'off'}${r.chosen.mutual ? ' (both sides)' : ''} (train+valid F1 ${pct(r.chosen.trainValidF1)})`,
    '  method                         | test F1 | P     | R',
    `  Magellan (published)           | ${r.published.magellan.toFixed(1).padStart(7)} |       |`,
    `  DeepMatcher hybrid (published) | ${r.published.deepmatcher.toFixed(1).padStart(7)} |       |`,
    `  Ditto (published)              | ${r.published.ditto.toFixed(1).padStart(7)} |       |`,
    `  shelfwatch recall matcher      | ${pct(r.test.f1).padStart(7)} | ${pct(r.test.precision).padStart(5)} | ${pct(r.test.recall)}`,
    `  full cross product via shelfwatch match-recalls (Leipzig files, 1,300 true pairs): F1 ${pct(r.crossProduct.f1)}, P ${pct(r.crossProduct.precision)}, R ${pct(r.crossProduct.recall)}, ${r.crossProduct.pairs} predicted pairs, ${r.crossProduct.seconds.toFixed(1)} s`,
    r.test.f1 * 100 > r.published.ditto ? '  goal (above Ditto): reached' : `  goal (above Ditto ${r.published.ditto}): NOT reached (${pct(r.test.f1)})`,
  ].join('\n');
}

export function amazonGoogleSummary(r: AmazonGoogleResult): Record<string, unknown> {
  const f = (x: number) => Math.round(x * 1000) / 10;
  return {
    eval: 'amazon_google',
    test_f1: f(r.test.f1),
    test_precision: f(r.test.precision),
    test_recall: f(r.test.recall),
    cross_product_f1: f(r.crossProduct.f1),
    cross_product_precision: f(r.crossProduct.precision),
    cross_product_recall: f(r.crossProduct.recall),
    published_f1: r.published,
    above_ditto: r.test.f1 * 100 > r.published.ditto,
    chosen: r.chosen,
  };
}
