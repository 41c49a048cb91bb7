// listingToLine (the sink's serializer) must give exactly the text of JSON.stringify(listingToRow(s)): the
// same columns, order, escaping and numbers, for every shape of snapshot, including awkward text.
import { describe, expect, it } from 'vitest';
import { listingToLine, listingToRow } from '../../pipeline/clickhouse/rows.ts';
import type { ListingSnapshot } from '../../pipeline/contracts/index.ts';
import { sampleListings } from '../../pipeline/sample.ts';
import { listingExample } from '../contracts/examples.ts';

const awkward = 'quote " backslash \\ newline \n tab \t nul \u0000 line-sep \u2028 emoji 🧯 lone \ud800 中文 </script>';

describe('listingToLine', () => {
  it.each<[string, ListingSnapshot]>([
    ['the example', listingExample()],
    ['nulls and empty lists', listingExample({ price: null, currency: null, original_price: null, brand: null, model: null, category: null, gtin: null, attributes: {}, images: [], ccc_numbers: [] })],
    ['awkward text everywhere', listingExample({ title: awkward, price_text: awkward, brand: awkward, attributes: { [awkward]: awkward, '10': 'numeric key', b: '' }, images: ['https://a.example/x?q="1"'] })],
    ['odd numbers', listingExample({ price: 0.1 + 0.2, original_price: 1e21, http_status: 599 })],
    ['fractional seconds', listingExample({ fetched_at: '2026-11-01T08:30:00.5Z' })],
    ['a field missing (not valid, but the text must still match)', { ...listingExample(), gtin: undefined } as unknown as ListingSnapshot],
  ])('%s', (_name, s) => {
    expect(listingToLine(s)).toBe(JSON.stringify(listingToRow(s)));
  });

  it('matches on 500 sample listings', () => {
    for (const s of sampleListings(500, 9)) expect(listingToLine(s)).toBe(JSON.stringify(listingToRow(s)));
  });

  it('throws where listingToRow throws (a timestamp it cannot map)', () => {
    const bad = listingExample({ fetched_at: 'yesterday' });
    expect(() => listingToRow(bad)).toThrow(RangeError);
    expect(() => listingToLine(bad)).toThrow(RangeError);
  });
});
