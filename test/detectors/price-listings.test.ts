// ListingPriceStore: the packed per-listing state of price_anomaly gives back what was set, with the same
// bound and recency as a plain Map keyed 'platform:id' (delete + re-set, oldest evicted past max), across
// platforms: the same listing id on two platforms is two listings.
import { describe, expect, it } from 'vitest';
import type { ListingPriceState } from '../../detectors/price-anomaly.ts';
import { ListingPriceStore } from '../../detectors/price-listings.ts';

const states: ListingPriceState[] = [
  { lastPrice: 99.9, lastAt: 1_780_000_000_000, inAlert: false, alertedPrice: null, lastJumpAt: null },
  { lastPrice: 12.5, lastAt: 0, inAlert: true, alertedPrice: 12.5, lastJumpAt: null },
  { lastPrice: 0.01, lastAt: -5, inAlert: true, alertedPrice: 0, lastJumpAt: 0 },
  { lastPrice: 1e9, lastAt: Number.NaN, inAlert: false, alertedPrice: null, lastJumpAt: Number.NaN },
];

describe('ListingPriceStore', () => {
  it.each(states.map((s, i) => [i, s] as const))('state %i round-trips field by field', (_i, s) => {
    const store = new ListingPriceStore();
    store.set('p', '1', s, 10);
    expect(store.get('p', '1')).toEqual(s);
    expect(store.get('p', '2')).toBeUndefined();
    expect(store.get('q', '1')).toBeUndefined();
  });

  it.each([1, 3, 50, 5000])('matches a plain LRU Map with max %i over a random stream', (max) => {
    const store = new ListingPriceStore();
    const plain = new Map<string, ListingPriceState>();
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    for (let k = 0; k < 20_000; k++) {
      const platform = ['shop', 'mall', 'live'][rnd(3)]!;
      const id = String(rnd(1500));
      const key = `${platform}:${id}`;
      expect(store.get(platform, id)).toEqual(plain.get(key));
      expect(store.has(platform, id)).toBe(plain.has(key));
      const s = states[rnd(states.length)]!;
      const next = { ...s, lastPrice: rnd(1000) + 0.5 };
      store.set(platform, id, next, max);
      plain.delete(key);
      if (plain.size >= max) plain.delete(plain.keys().next().value!);
      plain.set(key, next);
      expect(store.size).toBe(plain.size);
    }
    for (const [key, s] of plain) expect(store.get(key.split(':')[0]!, key.split(':')[1]!)).toEqual(s);
  });
});
