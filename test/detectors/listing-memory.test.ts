import { describe, expect, it } from 'vitest';
import { createCompactListingMemory } from '../../detectors/listing-memory.ts';
import { createListingMemory, type ListingFacts } from '../../detectors/livestream-risk.ts';

const facts = (over: Partial<ListingFacts> = {}): ListingFacts => ({
  platform: 'bigmall',
  price: 399,
  currency: 'CNY',
  category: 'power_bank',
  ccc_numbers: ['2020010701000001'],
  fetched_at: '2026-11-01T00:00:00.000Z',
  url: 'http://127.0.0.1:18080/item/1',
  ...over,
});

describe('compact listing memory', () => {
  it.each<[string, ListingFacts]>([
    ['plain', facts()],
    ['nulls', facts({ price: null, currency: null, category: null })],
    ['no certificate', facts({ ccc_numbers: [] })],
    ['fractional price', facts({ price: 0.1 + 0.2 })],
    ['text that JSON escapes', facts({ ccc_numbers: ['"\\\n\u0001', '３Ｃ　认证', '\ud800'], url: 'http://x/?q="a"&b=\\' })],
    ['-0 price', facts({ price: -0 })],
    ['non-finite price', facts({ price: Number.POSITIVE_INFINITY })],
    ['empty strings', facts({ platform: '', currency: '', category: '' })],
  ])('gives back what was set: %s', (_name, f) => {
    const m = createCompactListingMemory();
    m.set('L1', f);
    expect(m.get('L1')).toStrictEqual(f);
    expect(Object.is(m.get('L1')!.price, f.price)).toBe(true);
  });

  it('unknown listing: undefined', () => expect(createCompactListingMemory().get('nope')).toBeUndefined());

  it('keeps the same listings as the plain memory when over its bound (least recently set go first)', () => {
    const plain = createListingMemory(3);
    const compact = createCompactListingMemory(3);
    const ops: [string, number][] = [['a', 1], ['b', 2], ['c', 3], ['a', 4], ['d', 5], ['e', 6], ['a', 7], ['f', 8]];
    for (const [id, price] of ops) {
      plain.set(id, facts({ price }));
      compact.set(id, facts({ price }));
    }
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) expect(compact.get(id)).toStrictEqual(plain.get(id));
    expect(['a', 'b', 'c', 'd', 'e', 'f'].filter((id) => compact.get(id) !== undefined)).toEqual(['a', 'e', 'f']);
  });
});
