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
    ['register codes', facts({ category: null, ccc_numbers: [], register_ccc_codes: ['0701', '0702'] })],
    ['several certificates', facts({ ccc_numbers: ['2020010701000001', '2020010701000002'] })],
    ['a number of 16 digits at 2^53 - 1', facts({ ccc_numbers: ['9007199254740991'] })],
    ['a number past 2^53', facts({ ccc_numbers: ['9007199254740993'] })],
    ['a number with a leading zero', facts({ ccc_numbers: ['0020010701000001'] })],
    ['a number of 17 digits', facts({ ccc_numbers: ['20200107010000011'] })],
    ['a number with a space', facts({ ccc_numbers: ['2020 0107 0100 0001'] })],
    ['fetch time not canonical', facts({ fetched_at: '2026-11-01T08:00:00+08:00' })],
    ['fetch time not a date', facts({ fetched_at: 'yesterday' })],
    ['url without the id', facts({ url: 'http://127.0.0.1:18080/item/other' })],
    ['url with the id twice', facts({ url: 'http://x/L1/L1?x=L1' })],
  ])('gives back what was set: %s', (_name, f) => {
    const m = createCompactListingMemory();
    m.set('L1', f);
    expect(m.get('L1')).toStrictEqual(f);
    expect(Object.is(m.get('L1')!.price, f.price)).toBe(true);
  });

  it('unknown listing: undefined', () => expect(createCompactListingMemory().get('nope')).toBeUndefined());

  it('a slot reused after eviction carries nothing of the listing before it', () => {
    const m = createCompactListingMemory(1);
    m.set('a', facts({ category: null, register_ccc_codes: ['0701'], url: 'http://x/a/other', fetched_at: 'odd' }));
    m.set('b', facts({ price: null }));
    expect(m.get('a')).toBeUndefined();
    expect(m.get('b')).toStrictEqual(facts({ price: null }));
  });

  it('listings set one after another with different URL shapes and fetch times all read back', () => {
    const m = createCompactListingMemory();
    const rows: [string, ListingFacts][] = [
      ['L1', facts({ url: 'http://x/item/L1' })],
      ['L2', facts({ url: 'http://x/item/L2' })],
      ['L3', facts({ url: 'http://x/item/L3.html', fetched_at: '2026-11-01T00:00:01.000Z' })],
      ['L4', facts({ url: 'http://x/item/L4' })],
      ['L5', facts({ url: 'http://x/item/L5/L5', fetched_at: 'odd' })],
      ['L6', facts({ url: 'http://x/item/L66' })],
      ['L7', facts({ url: 'http://x/item/L7', fetched_at: '2026-11-01T00:00:01.000Z' })],
      ['', facts({ url: 'http://x/item/' })],
    ];
    for (const [id, f] of rows) m.set(id, f);
    for (const [id, f] of rows) expect(m.get(id)).toStrictEqual(f);
  });

  it('URLs that do not share their parts are kept whole once the table is large (bounded table)', () => {
    const m = createCompactListingMemory(100_000);
    for (let i = 0; i < 70_000; i++) m.set(`L${i}`, facts({ url: `http://x/L${i}?t=${i}` }));
    for (const i of [0, 65_000, 69_999]) expect(m.get(`L${i}`)!.url).toBe(`http://x/L${i}?t=${i}`);
  });

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
