// A compact ListingMemory (detectors/livestream-risk.ts): what livestream_risk remembers per listing, to
// compare a room's product card with. In: the facts of every listing snapshot (set), a listing id (get).
// Out: the same facts, equal field by field to what was set (register_ccc_codes included when set).
// Why: the plain memory keeps one object per listing holding the snapshot's own strings (platform, currency,
// category, the certificate array, fetch time, URL): ~345 bytes a listing, 69 MB at 200k listings. Here a
// listing is a slot in parallel typed arrays: low-cardinality strings (platform, currency, category, the
// URL around the listing id, e.g. 'https://item.jd.com/' + id + '.html') as indexes into a shared table,
// the price and the fetch time (when it is a canonical ISO instant) as doubles, a single certificate number
// as a double too when it is plain digits (a CCC number), else as one string. get() rebuilds the object
// (rooms are far fewer than listings). An earlier version packed each listing into a JSON string (~220
// bytes with its key, a JSON.stringify per listing) and lost register_ccc_codes. Same recency and bound as createListingMemory: set() refreshes, the least recently
// set listing goes first past `max`, and its slot is reused.
import type { ListingFacts, ListingMemory } from './livestream-risk.ts';

const HAS_PRICE = 1;
/** fetched_at is kept as ms since epoch (it reads back identically through toISOString). */
const AT_AS_MS = 2;
/** url = table[prefix] + listing id + table[suffix]. */
const URL_SPLIT = 4;
/** The one certificate number is kept as a number (it reads back identically through String()). */
const CCC_AS_NUMBER = 8;
/** Digits without a leading zero, at most 16 (cccNumberOf() checks they are below 2^53). */
const PLAIN_DIGITS = /^[1-9][0-9]{0,15}$/;
/** Codes per slot: platform, currency, category, url prefix, url suffix. */
const CODES = 5;
/** Entries of the shared string table beyond which URL parts are no longer added to it. */
const MAX_TABLE = 65_536;
const NONE: readonly string[] = Object.freeze([]);

export function createCompactListingMemory(max = 500_000): ListingMemory {
  const slots = new Map<string, number>();
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
  // URL parts are not low-cardinality everywhere (a suffix may carry a tracking token): past this many table
  // entries a URL is kept whole, so the table stays bounded whatever the URLs look like.
  const partCode = (v: string): number => index.get(v) ?? (values.length < MAX_TABLE ? code(v) : -1);
  let cap = 1024;
  let price = new Float64Array(cap);
  let at = new Float64Array(cap);
  let flags = new Uint8Array(cap);
  let codes = new Uint32Array(cap * CODES);
  /** Per slot: the one certificate number when it is plain digits (a CCC number is 16: split 1 + 15). */
  let cccNumber = new Float64Array(cap);
  /** Per slot: the fetch time when not kept as ms, the url when not split around the id. */
  const text: (string | undefined)[] = [];
  const urls: (string | undefined)[] = [];
  /** Per slot: the certificate numbers, one string when there is exactly one (none: it is in cccNumber). */
  const ccc: (string | readonly string[] | undefined)[] = [];
  /** Slots with register_ccc_codes (listings without a category and without a certificate: few). */
  const registerCodes = new Map<number, readonly string[]>();
  let used = 0;
  let lastAtText: string | undefined;
  let lastAtMs = Number.NaN;
  let lastPrefix = -1;
  let lastSuffix = -1;

  const grow = () => {
    cap *= 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    price = f64(price);
    at = f64(at);
    cccNumber = f64(cccNumber);
    const f = new Uint8Array(cap);
    f.set(flags);
    flags = f;
    const c = new Uint32Array(cap * CODES);
    c.set(codes);
    codes = c;
  };

  return {
    get(id) {
      const i = slots.get(id);
      if (i === undefined) return undefined;
      const f = flags[i]!;
      const c = i * CODES;
      const shown = ccc[i]!;
      const reg = registerCodes.get(i);
      return {
        platform: values[codes[c]!] as string,
        price: f & HAS_PRICE ? price[i]! : null,
        currency: values[codes[c + 1]!]!,
        category: values[codes[c + 2]!]!,
        ...(reg ? { register_ccc_codes: [...reg] } : {}),
        ccc_numbers: f & CCC_AS_NUMBER ? [String(cccNumber[i]!)] : typeof shown === 'string' ? [shown] : [...shown!],
        fetched_at: f & AT_AS_MS ? new Date(at[i]!).toISOString() : text[i]!,
        url: f & URL_SPLIT ? (values[codes[c + 3]!] as string) + id + (values[codes[c + 4]!] as string) : urls[i]!,
      };
    },
    set(id, facts: ListingFacts) {
      let i = slots.get(id);
      if (i !== undefined) slots.delete(id); // re-inserted below: most recently set goes last
      else if (slots.size >= max && slots.size > 0) {
        const oldest = slots.keys().next().value!;
        i = slots.get(oldest)!;
        slots.delete(oldest);
      } else {
        i = used++;
        if (i >= cap) grow();
      }
      slots.set(id, i);
      let f = 0;
      if (facts.price !== null) {
        f |= HAS_PRICE;
        price[i] = facts.price;
      }
      // Listings of one crawl pass often share a fetch time and a URL shape: the last ones are checked first.
      if (facts.fetched_at !== lastAtText) {
        lastAtText = facts.fetched_at;
        const ms = Date.parse(lastAtText);
        lastAtMs = Number.isFinite(ms) && new Date(ms).toISOString() === lastAtText ? ms : Number.NaN;
      }
      if (!Number.isNaN(lastAtMs)) {
        f |= AT_AS_MS;
        at[i] = lastAtMs;
        text[i] = undefined;
      } else text[i] = facts.fetched_at;
      const c = i * CODES;
      codes[c] = code(facts.platform);
      codes[c + 1] = code(facts.currency);
      codes[c + 2] = code(facts.category);
      const url = facts.url;
      const pre = values[lastPrefix] as string;
      const suf = values[lastSuffix] as string;
      let prefix = -1;
      let suffix = -1;
      if (lastPrefix >= 0 && id && url.length === pre.length + id.length + suf.length && url.startsWith(pre) && url.endsWith(suf) && url.lastIndexOf(id) === pre.length) {
        prefix = lastPrefix;
        suffix = lastSuffix;
      } else {
        const idAt = id ? url.lastIndexOf(id) : -1;
        prefix = idAt >= 0 ? partCode(url.slice(0, idAt)) : -1;
        suffix = prefix >= 0 ? partCode(url.slice(idAt + id.length)) : -1;
        if (suffix >= 0) {
          lastPrefix = prefix;
          lastSuffix = suffix;
        }
      }
      if (suffix >= 0) {
        f |= URL_SPLIT;
        codes[c + 3] = prefix;
        codes[c + 4] = suffix;
        urls[i] = undefined;
      } else urls[i] = facts.url;
      const one = facts.ccc_numbers.length === 1 ? facts.ccc_numbers[0]! : undefined;
      const asNumber = one !== undefined ? cccNumberOf(one) : -1;
      if (asNumber >= 0) {
        f |= CCC_AS_NUMBER;
        cccNumber[i] = asNumber;
        ccc[i] = undefined;
      } else ccc[i] = one ?? (facts.ccc_numbers.length === 0 ? NONE : [...facts.ccc_numbers]);
      if (facts.register_ccc_codes) registerCodes.set(i, [...facts.register_ccc_codes]);
      else if (registerCodes.size) registerCodes.delete(i);
      flags[i] = f;
    },
  };
}

/**
 * A certificate number of digits only, without a leading zero and below 2^53 (a CCC number: 16 digits from
 * 20xx), as a number, which String() gives back digit for digit; -1 for anything else (kept as the string).
 * Why: a listing's certificate string was ~30 bytes of the memory's ~170.
 */
function cccNumberOf(s: string): number {
  if (!PLAIN_DIGITS.test(s)) return -1;
  const n = Number(s);
  return n <= Number.MAX_SAFE_INTEGER ? n : -1;
}
