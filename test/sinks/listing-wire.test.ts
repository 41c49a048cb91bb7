// writeListingLine (the sink's line from a listing's wire bytes) must give a JSONEachRow line with exactly the
// columns and JSON values of listingToRow's row (keys in another order), and must refuse (-1) every message
// that is not of the plain shape, so the contract decides those. The server side: listing-wire.integration.test.ts.
import { describe, expect, it } from 'vitest';
import { LISTING_COLUMNS, listingToLine, listingToRow } from '../../pipeline/clickhouse/rows.ts';
import { ListingSnapshot } from '../../pipeline/contracts/index.ts';
import { sampleListings } from '../../pipeline/sample.ts';
import { LISTING_WIRE_KINDS, maxListingLineBytes, writeListingLine } from '../../sinks/clickhouse/listing-wire.ts';
import { HOSTILE } from '../clickhouse/helpers.ts';
import { listingExample } from '../contracts/examples.ts';

const awkward = 'quote " backslash \\ newline \n tab \t nul \u0000 line-sep \u2028 emoji 🧯 lone \ud800 中文 </script>';

function line(raw: Buffer | string): string | null {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const out = Buffer.alloc(maxListingLineBytes(bytes) + 16, 0xff);
  const end = writeListingLine(bytes, out, 8);
  if (end < 0) return null;
  expect(end).toBeLessThanOrEqual(8 + maxListingLineBytes(bytes));
  return out.toString('utf8', 8, end);
}

/** The top-level keys of a JSON object's text, in order, duplicates included (JSON.parse would hide them). */
function topKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && /^\s*:/.test(text.slice(j + 1))) keys.push(JSON.parse(text.slice(i, j + 1)) as string);
      i = j;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return keys;
}

function expectSameRow(s: ListingSnapshot, wire: string) {
  const got = line(wire);
  expect(got).not.toBeNull();
  expect(got!.endsWith('\n')).toBe(true);
  expect(got!.indexOf('\n')).toBe(got!.length - 1);
  expect(topKeys(got!).sort()).toEqual([...LISTING_COLUMNS].sort());
  expect(JSON.parse(got!)).toEqual(JSON.parse(listingToLine(s)));
}

describe('writeListingLine', () => {
  it('knows exactly the contract fields, and the columns are those of listingToRow', () => {
    expect(Object.keys(LISTING_WIRE_KINDS).sort()).toEqual(Object.keys(ListingSnapshot.shape).sort());
    expect(LISTING_COLUMNS).toEqual(Object.keys(listingToRow(listingExample())));
  });

  it.each<[string, ListingSnapshot]>([
    ['the example', listingExample()],
    ['nulls and empty lists', listingExample({ price: null, currency: null, original_price: null, brand: null, model: null, category: null, gtin: null, attributes: {}, images: [], ccc_numbers: [] })],
    ['awkward text everywhere', listingExample({ title: awkward, price_text: awkward, brand: awkward, attributes: { [awkward.replace(/[\\"\u0000-\u001f\ud800]/g, '')]: awkward, '10': 'numeric key', b: '' }, images: ['https://a.example/x?q="1"'] })],
    ['hostile titles', listingExample({ title: HOSTILE.slice(1, 20).join(' | ') })],
    ['odd numbers', listingExample({ price: 0.1 + 0.2, original_price: 1e11 + 0.5, http_status: 599 })],
    ['Chinese attribute keys', listingExample({ fetched_at: '2026-11-01T08:30:00.007Z', attributes: { 颜色: '白色', 长度: '5m' } })],
    ['leap day', listingExample({ fetched_at: '2024-02-29T23:59:59.999Z' })],
  ])('%s: lands as the same row', (_name, s) => {
    expect(ListingSnapshot.safeParse(s).success).toBe(true);
    expectSameRow(s, JSON.stringify(s));
  });

  it.each(['2026-11-01T08:30:00.000Z', '2026-11-01T08:30:00.045Z', '1970-01-01T00:00:00.999Z'])('milliseconds of %s', (fetched_at) => {
    expectSameRow(listingExample({ fetched_at }), JSON.stringify(listingExample({ fetched_at })));
  });

  it('keys in another order, and whitespace between tokens', () => {
    const s = listingExample({ attributes: { a: '1', b: '2' } });
    const reversed = Object.fromEntries(Object.entries(s).reverse());
    expectSameRow(s, JSON.stringify(reversed));
    expectSameRow(s, JSON.stringify(s, null, 2).replace(/\n/g, ' '));
  });

  it('matches on 1000 sample listings', () => {
    for (const s of sampleListings(1000, 9)) expectSameRow(s, JSON.stringify(s));
  });

  const ok = listingExample();
  const wire = (over: Record<string, unknown>) => JSON.stringify({ ...ok, ...over });
  const without = (key: string) => JSON.stringify(Object.fromEntries(Object.entries(ok).filter(([k]) => k !== key)));
  it.each<[string, string | Buffer]>([
    ['not JSON', 'hello'],
    ['pretty-printed (newlines between tokens)', JSON.stringify(ok, null, 2)],
    ['truncated', JSON.stringify(ok).slice(0, -1)],
    ['trailing garbage', JSON.stringify(ok) + 'x'],
    ['two objects', JSON.stringify(ok) + JSON.stringify(ok)],
    ['an array', JSON.stringify([ok])],
    ['a missing key', without('gtin')],
    ['an extra key', wire({ seller_name: 'x' })],
    ['a duplicate key', JSON.stringify(ok).replace('{', '{"title":"x",')],
    ['an escaped key', JSON.stringify(ok).replace('"title"', '"\\u0074itle"')],
    ['a number as text', wire({ price: '69.9' })],
    ['a string as number', wire({ title: 5 })],
    ['null where not nullable', wire({ title: null })],
    ['http_status as 2e2', JSON.stringify(ok).replace('"http_status":200', '"http_status":2e2')],
    ['http_status fractional', JSON.stringify(ok).replace('"http_status":200', '"http_status":200.5')],
    ['a bad number', JSON.stringify(ok).replace('"price":69.9', '"price":069.9')],
    ['schema_version 2', wire({ schema_version: 2 })],
    ['schema_version 1.0', JSON.stringify(ok).replace('"schema_version":1', '"schema_version":1.0')],
    ['an array of numbers', wire({ images: [1] })],
    ['fetched_at without milliseconds', wire({ fetched_at: '2026-11-01T08:30:00Z' })],
    ['fetched_at with an offset', wire({ fetched_at: '2026-11-01T08:30:00.000+08:00' })],
    ['fetched_at in 2100', wire({ fetched_at: '2100-01-01T00:00:00.000Z' })],
    ['fetched_at on 30 February', wire({ fetched_at: '2026-02-30T00:00:00.000Z' })],
    ['fetched_at at 24:00', wire({ fetched_at: '2026-11-01T24:00:00.000Z' })],
    ['seller missing a key', wire({ seller: { seller_id: 's', name: 'n', credit_code: null, region_code: null } })],
    ['seller with an extra key', wire({ seller: { ...ok.seller, x: null } })],
    ['producer as null', wire({ producer: null })],
    ['attributes with a number', wire({ attributes: { a: 1 } })],
    ['attributes with an empty key', wire({ attributes: { '': 'x' } })],
    ['attributes with a duplicate key', JSON.stringify(ok).replace('"attributes":{', '"attributes":{"k":"1","k":"2"')],
    ['attributes with __proto__', JSON.stringify(ok).replace('"attributes":{', '"attributes":{"__proto__":"x"')],
    ['a raw control character in a string', JSON.stringify(ok).replace('公牛 插线板', '公牛\u0001插线板')],
    ['a bad escape', JSON.stringify(ok).replace('公牛 插线板', '公牛\\x插线板')],
    ['invalid UTF-8', Buffer.concat([Buffer.from(JSON.stringify(ok).slice(0, 60)), Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(ok).slice(60))])],
  ])('refuses %s (the contract decides it)', (_name, raw) => {
    expect(line(raw)).toBeNull();
  });
});
