// A compact ListingMemory (detectors/livestream-risk.ts): what livestream_risk remembers per listing, to
// compare a room's product card with. In: the facts of every listing snapshot (set), a listing id (get).
// Out: the same facts, equal field by field to what was set.
// Why: the plain memory keeps one object per listing holding the snapshot's own strings (platform, currency,
// category, the certificate array, fetch time, URL): ~345 bytes a listing, 69 MB at 200k listings. Here a
// listing is one string: the low-cardinality fields as indexes into a shared table, the rest JSON-encoded
// (~220 bytes with its key, measured). get() decodes (rooms are far fewer than listings). Same recency and bound as
// createListingMemory: set() refreshes, the least recently set listing goes first past `max`.
import type { ListingFacts, ListingMemory } from './livestream-risk.ts';

export function createCompactListingMemory(max = 500_000): ListingMemory {
  const map = new Map<string, string>();
  const values: (string | null)[] = [];
  const index = new Map<string | null, number>();
  const code = (v: string | null): number => {
    let i = index.get(v);
    if (i === undefined) {
      i = values.length;
      values.push(v);
      index.set(v, i);
    }
    return i;
  };
  // JSON keeps strings and finite numbers exactly; a -0 or non-finite price would not survive it (the
  // contract wants a positive price or null, so this stays empty), so such a price is kept aside.
  const oddPrices = new Map<string, number>();
  return {
    get(id) {
      const packed = map.get(id);
      if (packed === undefined) return undefined;
      const [platform, price, currency, category, ccc, fetchedAt, url] = JSON.parse(packed) as [number, number | null, number, number, string[], string, string];
      return { platform: values[platform] as string, price: oddPrices.get(id) ?? price, currency: values[currency] ?? null, category: values[category] ?? null, ccc_numbers: ccc, fetched_at: fetchedAt, url };
    },
    set(id, facts: ListingFacts) {
      const odd = facts.price !== null && (!Number.isFinite(facts.price) || Object.is(facts.price, -0));
      if (odd) oddPrices.set(id, facts.price!);
      else if (oddPrices.size) oddPrices.delete(id);
      const packed = JSON.stringify([code(facts.platform), odd ? null : facts.price, code(facts.currency), code(facts.category), facts.ccc_numbers, facts.fetched_at, facts.url]);
      map.delete(id);
      if (map.size >= max) {
        const oldest = map.keys().next().value!;
        map.delete(oldest);
        oddPrices.delete(oldest);
      }
      map.set(id, packed);
    },
  };
}
