// `npm run eval` on a small demo catalogue: the detectors must keep meeting the goals (rule-based
// detectors at precision = recall = 1 on the injected cases, price far-below precision and recall >= 0.9,
// clean-catalogue false-positive rate <= 1 %), so a regression in a detector, the generator or the ground
// truth fails CI. Also checks that the eval's snapshots are what the crawler's extraction gives.
import { beforeAll, describe, expect, it } from 'vitest';
import { listingAt, listingTruth, LISTING_PROBLEM_KINDS } from '../../crawlers/demo-market/listings.ts';
import { isRuleBased, PROBLEM_RULES, runDemoEval, type DemoEvalReport } from '../../detectors/eval/demo-eval.ts';
import { DEMO_BASE_URL, demoListingSnapshot, demoRoomSnapshots } from '../../detectors/eval/demo-snapshots.ts';

const SEED = 7;
const LISTINGS = 1200;

let report: DemoEvalReport;
beforeAll(async () => {
  report = await runDemoEval({ seed: SEED, listings: LISTINGS });
}, 120_000);

const truth = () => report.truth_category;

describe('demo-market eval', () => {
  it('runs cleanly: every page extracted, every alert valid, no detector threw', () => {
    expect(report.snapshot_errors.count).toBe(0);
    expect(report.invalid_alerts).toBe(0);
    expect(report.detector_errors).toEqual({});
    expect(report.reference.bad_rows).toEqual([]);
    expect(report.reference.certificates).toBeGreaterThan(0);
  });

  it('injects every listing problem kind that has a rule', () => {
    for (const kind of LISTING_PROBLEM_KINDS) {
      if (!PROBLEM_RULES[kind]) continue;
      expect(report.problems[kind]?.injected ?? 0, kind).toBeGreaterThan(0);
    }
  });

  it('every rule a listing problem names has TP > 0 and counts in min_precision / min_recall (none is measured only as "no false positive")', () => {
    for (const rule of new Set(Object.values(PROBLEM_RULES))) {
      if (rule === 'price_anomaly/price_far_below') continue; // statistical: price_precision / price_recall
      for (const [name, v] of [['crawl', report], ['truth_category', truth()]] as const) {
        const r = v.rules[rule]!;
        expect(r.tp, `${name} ${rule}`).toBeGreaterThan(0);
        expect(isRuleBased(r) || rule.startsWith('livestream_risk/'), rule).toBe(true);
      }
    }
    expect(isRuleBased({ detector: 'price_anomaly', rule: 'price_jump' })).toBe(true);
    expect(isRuleBased({ detector: 'price_anomaly', rule: 'price_far_below' })).toBe(false);
  });

  it('as crawled (spa_mall and selfshop snapshots have no category): the goals hold', () => {
    expect(Object.keys(report.category_missing).sort()).toEqual(['selfshop', 'spa_mall']);
    const rows = Object.entries(report.rules).filter(([, r]) => isRuleBased(r) && r.tp + r.fp + r.fn > 0);
    expect(rows.filter(([, r]) => r.fp > 0 || r.fn > 0).map(([k, r]) => `${k}: TP ${r.tp} FP ${r.fp} FN ${r.fn}`)).toEqual([]);
    expect([report.min_precision, report.min_recall]).toEqual([1, 1]);
    // Price recall needs each product's window filled; pages without a category pool only with each other,
    // which 1,200 + 1,200 listings do not fill (at 10k: recall 0.97): only precision is held here.
    expect(report.price.precision).toBeGreaterThanOrEqual(0.9);
    expect(report.clean!.clean_fpr).toBeLessThanOrEqual(0.01);
  });

  it('with the category: rule-based detectors at precision = recall = 1 on every rule', () => {
    const report = truth();
    const rows = Object.entries(report.rules).filter(([, r]) => isRuleBased(r) && r.tp + r.fp + r.fn > 0);
    expect(rows.length).toBeGreaterThanOrEqual(9);
    const off = rows.filter(([, r]) => r.fp > 0 || r.fn > 0).map(([k, r]) => `${k}: TP ${r.tp} FP ${r.fp} FN ${r.fn}`);
    expect(off).toEqual([]);
    expect(report.min_precision).toBe(1);
    expect(report.min_recall).toBe(1);
  });

  it('with the category: price far below at precision and recall >= 0.9', () => {
    const report = truth();
    expect(report.price.tp).toBeGreaterThan(10);
    expect(report.price.precision).toBeGreaterThanOrEqual(0.9);
    expect(report.price.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('livestream rules find the injected rooms', () => {
    const report = truth();
    for (const rule of ['livestream_risk/absolute_claim', 'livestream_risk/room_price_mismatch']) {
      const r = report.rules[rule]!;
      expect(r.tp, rule).toBeGreaterThan(0);
      expect(r.precision, rule).toBe(1);
      expect(r.recall, rule).toBe(1);
    }
  });

  it('with the category: at most 1 % of clean listings alerted', () => {
    const report = truth();
    expect(report.clean!.listings).toBe(LISTINGS);
    expect(report.clean!.clean_fpr).toBeLessThanOrEqual(0.01);
  });
});

describe('eval snapshots are what the crawler extracts', () => {
  it.each(Array.from({ length: 24 }, (_, i) => i * 7 + 1))('listing %i matches its ground truth', (i) => {
    const r = demoListingSnapshot(SEED, i, { fetchedAt: new Date('2026-11-01T00:00:00Z') });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const s = r.snapshot;
    const t = listingTruth(listingAt(SEED, i), DEMO_BASE_URL) as Record<string, any>;
    expect({ id: s.listing_id, url: s.url, title: s.title, price: s.price, brand: s.brand, model: s.model, ccc: s.ccc_numbers, lic: s.licence_numbers, gtin: s.gtin, credit: s.seller.credit_code, producer: s.producer }).toEqual({
      id: t.listing_id,
      url: t.url,
      title: t.title,
      price: t.price,
      brand: t.brand,
      model: t.model,
      ccc: t.ccc_numbers,
      lic: t.licence_numbers,
      gtin: t.gtin,
      credit: t.seller.credit_code,
      producer: t.producer,
    });
    // Only bigmall pages carry the category id.
    expect(s.category).toBe(t.platform === 'bigmall' ? t.category : null);
  });

  it('a room visit gives three samples, each line of transcript once, the card linking a listing of the room', () => {
    const { room, snapshots, errors } = demoRoomSnapshots(SEED, 3, { start: new Date('2026-11-01T00:00:00Z') });
    expect(errors).toEqual([]);
    expect(snapshots.map((s) => s.sampled_seq)).toEqual([0, 1, 2]);
    const lines = snapshots.flatMap((s) => s.transcript.map((l) => `${l.at}|${l.text}`));
    expect(new Set(lines).size).toBe(lines.length);
    for (const s of snapshots) expect(room.cards.map((c) => c.listing_id)).toContain(s.product?.listing_id);
    expect(snapshots[0]!.product!.price).toBe(room.cards.find((c) => c.listing_id === snapshots[0]!.product!.listing_id)!.room_price);
  });
});
