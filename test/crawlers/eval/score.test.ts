import { describe, expect, it } from 'vitest';
import { currencyCandidates, sameCurrency, samePrice, score, tally, type Counts } from '../../../crawlers/eval/score.ts';

describe('benchmark scoring rules', () => {
  it.each([
    // [predicted, truth, tp, fp, fn]
    ['13.4', ['13.40'], 1, 0, 0],
    ['13.5', ['13.40'], 0, 1, 1],
    [null, ['13.40'], 0, 0, 1],
    ['13.4', [], 0, 1, 0],
    [null, [], 0, 0, 0],
    ['', ['1'], 0, 0, 1],
    ['2', ['1', '2'], 1, 0, 0],
  ])('price %s vs %j', (pred, truth, tp, fp, fn) => {
    const c: Counts = { tp: 0, fp: 0, fn: 0 };
    tally(c, pred, truth, samePrice);
    expect(c).toEqual({ tp, fp, fn });
  });

  it.each([
    ['502.2', '502.20', true],
    ['23450', '23.450', false],
    ['abc', 'abc', false],
  ])('samePrice(%s, %s) = %s', (a, b, same) => {
    expect(samePrice(a, b)).toBe(same);
  });

  it.each([
    ['EUR', '€', true],
    ['USD', '$', true],
    ['ARS', '$', true],
    ['GBP', '£', true],
    ['PKR', 'Rs', true],
    ['BYN', 'р.', true],
    ['SAR', 'ر.س', true],
    ['EUR', '$', false],
    ['р.', 'BYN', true],
    ['€', '€', true],
    ['XXX', '¤', false],
  ])('sameCurrency(%s, %s) = %s', (a, b, same) => {
    expect(sameCurrency(a, b)).toBe(same);
  });

  it('currencyCandidates of a code is the code', () => {
    expect(currencyCandidates('cny')).toEqual(['CNY']);
  });

  it('F1 from counts', () => {
    expect(score({ tp: 17, fp: 3, fn: 3 })).toMatchObject({ precision: 0.85, recall: 0.85 });
    expect(score({ tp: 17, fp: 3, fn: 3 }).f1).toBeCloseTo(0.85, 10);
    expect(score({ tp: 0, fp: 0, fn: 0 }).f1).toBe(0);
  });
});
