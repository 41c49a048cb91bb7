// The pure half of the detect stage's price-history seeding: ClickHouse price_base_daily rows -> QuantileRow,
// and those rows landing on the keys the stream's listings look up (ClickHouse's lower-cased, separator-free
// keys normalised onto the detector's).
import { describe, expect, it } from 'vitest';
import { createPriceState, NO_CATEGORY } from '../../detectors/price-anomaly.ts';
import { PRICE_QUANTILES } from '../../pipeline/clickhouse/migrations/0005_price_base_daily.ts';
import { quantileRowsFromHistory } from '../../pipeline/stages/price-history.ts';

const q = [150, 180, 200, 220, 260];
const row = (over: Record<string, unknown> = {}) => ({ category: 'electric_fan', brand_key: '美的', model_key: 'fs4013c', observations: '40', price_quantiles: q, ...over });

describe('quantileRowsFromHistory', () => {
  it.each([
    ['full key, UInt64 as string', row(), { category: 'electric_fan', brand: '美的', model: 'fs4013c', count: 40 }],
    ['count as a number (chdb)', row({ observations: 40 }), { count: 40 }],
    ['no brand', row({ brand_key: '' }), { brand: null, model: 'fs4013c' }],
    ['no model: category level only', row({ model_key: '' }), { brand: '美的', model: null }],
    ['no category, a model: the detector\'s NO_CATEGORY', row({ category: '' }), { category: NO_CATEGORY }],
  ])('%s', (_name, input, expected) => {
    const m = quantileRowsFromHistory([input]);
    expect(m.rejected).toEqual([]);
    expect(m.rows).toHaveLength(1);
    expect(m.rows[0]).toMatchObject({ ...expected, levels: PRICE_QUANTILES, values: q });
    expect(m.source).toEqual([0]);
  });

  it.each([
    ['observations zero', row({ observations: '0' }), /observations must be a positive integer/],
    ['observations not a number', row({ observations: 'x' }), /observations must be a positive integer/],
    ['quantiles of the wrong length', row({ price_quantiles: [1, 2] }), /price_quantiles must be 5 numbers/],
    ['quantiles not numbers', row({ price_quantiles: ['1', 2, 3, 4, 5] }), /price_quantiles must be 5 numbers/],
    ['category not a string', row({ category: null }), /must be strings/],
    ['not an object', null, /not an object/],
  ])('rejects %s, with why, and keeps the good rows around it', (_name, bad, reason) => {
    const m = quantileRowsFromHistory([row({ model_key: 'a1' }), bad, row({ model_key: 'a2' })]);
    expect(m.rejected).toEqual([{ index: 1, reason: expect.stringMatching(reason) }]);
    expect(m.rows.map((r) => r.model)).toEqual(['a1', 'a2']);
    expect(m.source).toEqual([0, 2]);
  });

  it('skips rows without category and model (no key the detector looks up)', () => {
    const m = quantileRowsFromHistory([row({ category: '', model_key: '' })]);
    expect(m).toMatchObject({ rows: [], rejected: [], skipped: 1 });
  });

  it('seeded rows are found under the stream\'s keys (brand alias, model spelling)', () => {
    const state = createPriceState();
    const m = quantileRowsFromHistory([row(), row({ brand_key: 'midea', observations: '30' })]);
    expect(state.base.fromQuantiles(m.rows)).toEqual({ loaded: 2, rejected: [] });
    // The page writes Midea's Chinese name and the model with its hyphen: the same product key.
    const found = state.base.lookup('electric_fan', '美的', 'FS40-13C', 20);
    expect(found?.level).toBe('product');
    expect(found?.stats.count).toBe(70);
    expect(found?.stats.median).toBeCloseTo(200, 0);
  });
});
