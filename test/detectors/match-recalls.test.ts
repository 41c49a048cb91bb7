import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepNearBest, loadRecallIndex, matchListingsFile, priceAdjustment, type MatchLine } from '../../detectors/match-recalls.ts';
import { loosePrice } from '../../detectors/reference/loose-rows.ts';

describe('loosePrice', () => {
  it.each<[Record<string, unknown>, number | null]>([
    [{ price: '29.99' }, 29.99],
    [{ Price: '$1,299.00' }, 1299],
    [{ list_price: 'USD 5' }, 5],
    [{ price: 12 }, 12],
    [{ price: '0' }, null], // 0 = unknown in many exports
    [{ price: '' }, null],
    [{ price: 'n/a' }, null],
    [{ title: 'no price column' }, null],
  ])('%j -> %s', (rec, price) => expect(loosePrice(rec)).toBe(price));
});

describe('priceAdjustment', () => {
  it.each<[number | null, number | null, number, number]>([
    [29.99, 29.95, 0.2, 0], // same offer, rounding
    [100, 50, 0.2, 0.139], // 0.2 x ln 2
    [899, 244.99, 0.2, 0.2], // an upgrade priced apart: capped at the penalty
    [50, 100, 0.2, 0.139], // symmetric
    [null, 50, 0.2, 0],
    [100, 50, 0, 0], // off
  ])('%s vs %s (penalty %s) -> %s', (r, l, p, adj) => expect(priceAdjustment(r, l, p)).toBeCloseTo(adj, 3));
});

describe('keepNearBest', () => {
  const ms = [
    { recall_id: 'a', listing_id: '1', score: 0.9 },
    { recall_id: 'a', listing_id: '2', score: 0.85 },
    { recall_id: 'b', listing_id: '2', score: 0.95 },
    { recall_id: 'b', listing_id: '3', score: 0.5 },
    { recall_id: 'a', listing_id: '4', score: 0.6 },
  ];
  it.each<[number, 'recall' | 'both', string[]]>([
    [0, 'recall', ['a:1', 'b:2']],
    [0.1, 'recall', ['a:1', 'a:2', 'b:2']],
    [0.5, 'recall', ['a:1', 'a:2', 'b:2', 'b:3', 'a:4']],
    // listing 2 is closer to recall b (0.95) than to a (0.85): with both sides, a:2 goes at delta 0.05
    [0.05, 'both', ['a:1', 'b:2']],
    [0.1, 'both', ['a:1', 'a:2', 'b:2']],
  ])('delta %s, %s', (delta, sides, kept) => expect(keepNearBest(ms, delta, sides).map((m) => `${m.recall_id}:${m.listing_id}`)).toEqual(kept));
});

describe('match-recalls files with prices', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-mr-'));
  writeFileSync(join(dir, 'recalls.csv'), 'id,title,manufacturer,price\nA1,quarkxpress 7 windows & macintosh,quark,899\nA2,mighty math number heroes,edmark,\n');
  writeFileSync(join(dir, 'listings.csv'), 'id,title,manufacturer,price\nG1,quark quarkxpress 7 for mac & windows,quark,889.99\nG2,quark quarkxpress 7 upgrade for mac & windows,quark,244.99\nG3,mighty math number heroes,,9.95\nG4,,quark,10\n');
  const run = async (pricePenalty: number) => {
    const bad: number[] = [];
    const { index, prices } = await loadRecallIndex(join(dir, 'recalls.csv'));
    const out: MatchLine[] = [];
    for await (const m of matchListingsFile(index, join(dir, 'listings.csv'), { prices, pricePenalty, match: { minScore: 0.5, titleOnlyMin: 0, brandTitleMin: 0 }, onBad: (b) => bad.push(b.line) })) out.push(m);
    return { out, bad, prices };
  };

  it('reads prices, lowers the score of a far-priced offer and says so; a row without a title is reported', async () => {
    const off = await run(0);
    const on = await run(0.2);
    expect(on.prices).toEqual(new Map([['A1', 899]]));
    expect(on.bad).toEqual([5]);
    const score = (r: typeof on, l: string) => r.out.find((m) => m.recall_id === 'A1' && m.listing_id === l)!;
    expect(score(on, 'G1').score).toBeCloseTo(score(off, 'G1').score, 1); // 899 vs 889.99: about the same
    expect(score(on, 'G2').score).toBeCloseTo(score(off, 'G2').score - 0.2, 3);
    expect(score(on, 'G2').explain.price).toEqual({ recall: 899, listing: 244.99, adjustment: -0.2 });
    // No recall price: no adjustment, no price evidence.
    const g3 = on.out.find((m) => m.listing_id === 'G3')!;
    expect(g3.recall_id).toBe('A2');
    expect(g3.explain.price).toBeUndefined();
  });
});
