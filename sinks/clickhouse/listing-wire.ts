// A listing snapshot's JSONEachRow line made from its wire bytes, without parsing it into an object.
// In: the bytes of a message of the listings topic (validated by the ingest stage when it was written).
// Out: the row's line, written into a caller's buffer, or -1 when the bytes are not of the plain shape checked
// here (the caller then parses and validates the message with the contract, and dead-letters it or
// serializes the value).
//
// Why: the table's columns are the contract's flat fields under the same names (rows.ts), so their JSON text
// can go to ClickHouse as it is; only the nested objects become columns of their own (seller_*, producer_*,
// attribute_keys/values, copied from the wire's text) and fetched_at becomes 'YYYY-MM-DD hh:mm:ss' plus
// fetched_at_ms. Parsing, validating and re-serializing each snapshot was most of the sink's CPU per row
// (npm run bench:sink). The line names exactly the columns of listingToRow, the flat ones in the wire's order.
//
// What is checked, per message, in one pass over its bytes: well-formed UTF-8 and JSON on one line; exactly the
// contract's keys at the top level and in seller and producer (none missing, none extra, none twice); each
// value's JSON type as the contract has it (string, nullable string, integer, nullable number, array of
// strings, the literal schema_version); attribute keys non-empty, unescaped and unique, values strings;
// fetched_at of the contract's form (ISO-8601 UTC with milliseconds, 1970..2099, a real calendar date). Not
// checked here: string formats, lengths and enum values (the ingest stage checked them; the server rejects
// what its types cannot hold, and a rejected batch is validated message by message with the contract before
// anything is dead-lettered).
import { isUtf8 } from 'node:buffer';
import type { ListingSnapshot } from '../../pipeline/contracts/index.ts';

type Kind = 'str' | 'str?' | 'int' | 'num?' | 'strs' | 'one' | 'time' | 'seller' | 'producer' | 'attrs';

/** The JSON type of every top-level field of the contract (test/sinks/listing-wire.test.ts checks the keys). */
export const LISTING_WIRE_KINDS: Readonly<Record<keyof ListingSnapshot, Kind>> = {
  schema_version: 'one',
  snapshot_id: 'str',
  platform: 'str',
  listing_id: 'str',
  url: 'str',
  fetched_at: 'time',
  http_status: 'int',
  content_hash: 'str',
  crawler_kind: 'str',
  title: 'str',
  price: 'num?',
  currency: 'str?',
  original_price: 'num?',
  price_text: 'str?',
  brand: 'str?',
  model: 'str?',
  category: 'str?',
  gtin: 'str?',
  ccc_numbers: 'strs',
  licence_numbers: 'strs',
  seller: 'seller',
  producer: 'producer',
  attributes: 'attrs',
  images: 'strs',
};

/** Nested objects: wire key -> [column, kind], in the order the columns are appended. */
const SELLER: readonly (readonly [string, string, Kind])[] = [
  ['seller_id', 'seller_id', 'str'],
  ['name', 'seller_name', 'str'],
  ['credit_code', 'seller_credit_code', 'str?'],
  ['region_code', 'seller_region_code', 'str?'],
  ['address', 'seller_address', 'str?'],
];
const PRODUCER: readonly (readonly [string, string, Kind])[] = [
  ['name', 'producer_name', 'str?'],
  ['address', 'producer_address', 'str?'],
];

const TOP_KEYS = Object.keys(LISTING_WIRE_KINDS);
const TOP_KEY_BYTES = TOP_KEYS.map((k) => Buffer.from(k));
const TOP_INDEX = new Map(TOP_KEYS.map((k, i) => [k, i]));
const TOP_KIND = TOP_KEYS.map((k) => LISTING_WIRE_KINDS[k as keyof ListingSnapshot]);
const SELLER_KEY_BYTES = SELLER.map(([k]) => Buffer.from(k));
const PRODUCER_KEY_BYTES = PRODUCER.map(([k]) => Buffer.from(k));
const SELLER_PREFIX = SELLER.map(([, c]) => Buffer.from(`,"${c}":`));
const PRODUCER_PREFIX = PRODUCER.map(([, c]) => Buffer.from(`,"${c}":`));
const MS_KEY = Buffer.from(',"fetched_at_ms":');
const ATTR_KEYS = Buffer.from(',"attribute_keys":[');
const ATTR_VALUES = Buffer.from('],"attribute_values":[');
const END = Buffer.from(']}\n');
const MAX_ATTRS = 512;

// The calendar check of the contract's timestamps (zod's z.iso.datetime({ precision: 3 }) pattern).
const ISO_MS = /^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

class NotPlain extends Error {}
const NOT_PLAIN = new NotPlain();

// Scanner state (one message at a time; synchronous).
let b: Buffer = Buffer.alloc(0);
let p = 0;
let n = 0;
// Value spans [start, end) found by the last scan.
const topKey = new Int32Array(TOP_KEYS.length);
const topStart = new Int32Array(TOP_KEYS.length);
const topEnd = new Int32Array(TOP_KEYS.length);
const nestStart = new Int32Array(SELLER.length + PRODUCER.length);
const nestEnd = new Int32Array(SELLER.length + PRODUCER.length);
const attrKeyStart = new Int32Array(MAX_ATTRS);
const attrKeyEnd = new Int32Array(MAX_ATTRS);
const attrValStart = new Int32Array(MAX_ATTRS);
const attrValEnd = new Int32Array(MAX_ATTRS);
let attrCount = 0;

function fail(): never {
  throw NOT_PLAIN;
}

/** Blanks between tokens: spaces and tabs only, so that a line is one line (a pretty-printed message is not plain). */
function ws(): void {
  while (p < n) {
    const c = b[p]!;
    if (c !== 0x20 && c !== 0x09) return;
    p++;
  }
}

function expect(c: number): void {
  if (b[p] !== c) fail();
  p++;
}

/** Bytes that end the plain run of a JSON string: the quote, the backslash and the control characters. */
const SPECIAL = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) SPECIAL[c] = 1;
SPECIAL[0x22] = 1;
SPECIAL[0x5c] = 1;

/** A JSON string at p; returns its end (after the closing quote). Sets `escaped` when it has a backslash. */
let escaped = false;
function str(): number {
  const buf = b;
  const len = n;
  let q = p;
  if (buf[q] !== 0x22) fail();
  q++;
  escaped = false;
  for (;;) {
    while (q < len && SPECIAL[buf[q]!] === 0) q++;
    if (q >= len) fail();
    const c = buf[q++]!;
    if (c === 0x22) break;
    if (c !== 0x5c) fail(); // a raw control character
    escaped = true;
    const e = buf[q++];
    if (e === 0x75) {
      for (let k = 0; k < 4; k++) {
        const h = buf[q++]!;
        if (!((h >= 0x30 && h <= 0x39) || ((h | 0x20) >= 0x61 && (h | 0x20) <= 0x66))) fail();
      }
    } else if (!(e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74)) {
      fail();
    }
  }
  p = q;
  return q;
}

/**
 * The index of the key spelled by bytes [s, e) (without quotes) among `keys`, or undefined. Tries `guess`
 * first: producers write the keys in one order, so the key after the previous one is almost always right.
 */
function keyIndex(keys: readonly Buffer[], s: number, e: number, guess: number): number | undefined {
  if (guess < keys.length && same(keys[guess]!, s, e)) return guess;
  for (let i = 0; i < keys.length; i++) if (same(keys[i]!, s, e)) return i;
  return undefined;
}

function same(key: Buffer, s: number, e: number): boolean {
  if (key.length !== e - s) return false;
  for (let k = 0; k < key.length; k++) if (key[k] !== b[s + k]) return false;
  return true;
}

const digit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

/** A JSON number at p (RFC 8259 grammar); returns its end. */
function num(): number {
  if (b[p] === 0x2d) p++;
  if (b[p] === 0x30) p++;
  else if (digit(b[p]) && b[p] !== 0x30) while (digit(b[p])) p++;
  else fail();
  if (b[p] === 0x2e) {
    p++;
    if (!digit(b[p])) fail();
    while (digit(b[p])) p++;
  }
  if (b[p] === 0x65 || b[p] === 0x45) {
    p++;
    if (b[p] === 0x2b || b[p] === 0x2d) p++;
    if (!digit(b[p])) fail();
    while (digit(b[p])) p++;
  }
  return p;
}

function isNull(): boolean {
  if (b[p] === 0x6e && b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c) {
    p += 4;
    return true;
  }
  return false;
}

/** A value of `kind` at p; returns its end. */
function value(kind: Kind): number {
  switch (kind) {
    case 'str':
      return str();
    case 'str?':
      return isNull() ? p : str();
    case 'int':
      // Digits only: the column is an integer, and JSON's 2e2 or 200.0 (integers to the contract) are not to it.
      if (!digit(b[p])) fail();
      while (digit(b[p])) p++;
      return p;
    case 'num?':
      return isNull() ? p : num();
    case 'one':
      if (b[p] !== 0x31) fail();
      p++;
      if (digit(b[p]) || b[p] === 0x2e || b[p] === 0x65 || b[p] === 0x45) fail();
      return p;
    case 'strs':
      expect(0x5b);
      ws();
      if (b[p] === 0x5d) return ++p;
      for (;;) {
        str();
        ws();
        if (b[p] === 0x5d) return ++p;
        expect(0x2c);
        ws();
      }
    case 'time': {
      const s = p;
      const e = str();
      if (e - s !== 26 || escaped) fail();
      const text = b.toString('latin1', s + 1, e - 1);
      if (!ISO_MS.test(text) || text < '1970' || text >= '2100') fail();
      return e;
    }
    default:
      return fail();
  }
}

/** An object with exactly the keys of `fields` (any order, each once); spans go to nestStart/End from `base`. */
function record(fields: readonly (readonly [string, string, Kind])[], keys: readonly Buffer[], base: number): number {
  expect(0x7b);
  let seen = 0;
  let guess = 0;
  ws();
  if (b[p] !== 0x7d) {
    for (;;) {
      const ks = p;
      const ke = str();
      if (escaped) fail();
      const i = keyIndex(keys, ks + 1, ke - 1, guess);
      if (i === undefined || seen & (1 << i)) fail();
      seen |= 1 << i;
      guess = i + 1;
      ws();
      expect(0x3a);
      ws();
      nestStart[base + i] = p;
      nestEnd[base + i] = value(fields[i]![2]);
      ws();
      if (b[p] === 0x7d) break;
      expect(0x2c);
      ws();
    }
  }
  p++;
  if (seen !== (1 << fields.length) - 1) fail();
  return p;
}

const attrSeen = new Set<string>();

/** attributes: string keys (non-empty, unique, no escapes, not __proto__) to string values. */
function attrs(): number {
  expect(0x7b);
  attrCount = 0;
  ws();
  if (b[p] === 0x7d) return ++p;
  attrSeen.clear();
  for (;;) {
    if (attrCount === MAX_ATTRS) fail();
    const ks = p;
    const ke = str();
    // Escaped keys could spell one key two ways (JSON.parse keeps the last); the contract's path decides them.
    if (escaped || ke - ks === 2) fail();
    const key = b.toString('latin1', ks, ke);
    if (key === '"__proto__"' || attrSeen.has(key)) fail();
    attrSeen.add(key);
    attrKeyStart[attrCount] = ks;
    attrKeyEnd[attrCount] = ke;
    ws();
    expect(0x3a);
    ws();
    attrValStart[attrCount] = p;
    attrValEnd[attrCount] = str();
    attrCount++;
    ws();
    if (b[p] === 0x7d) return ++p;
    expect(0x2c);
    ws();
  }
}

/** Scans the top-level object; returns the position of its closing brace. */
function scan(): number {
  ws();
  expect(0x7b);
  let seen = 0;
  let k = 0;
  ws();
  for (;;) {
    const ks = p;
    const ke = str();
    if (escaped) fail();
    const i = keyIndex(TOP_KEY_BYTES, ks + 1, ke - 1, topOrder[k]!);
    if (i === undefined || seen & (1 << i)) fail();
    seen |= 1 << i;
    topOrder[k++] = i;
    topKey[i] = ks;
    ws();
    expect(0x3a);
    ws();
    topStart[i] = p;
    const kind = TOP_KIND[i]!;
    topEnd[i] = kind === 'seller' ? record(SELLER, SELLER_KEY_BYTES, 0) : kind === 'producer' ? record(PRODUCER, PRODUCER_KEY_BYTES, SELLER.length) : kind === 'attrs' ? attrs() : value(kind);
    ws();
    if (b[p] === 0x7d) break;
    expect(0x2c);
    ws();
  }
  const close = p++;
  ws();
  if (p !== n || seen !== 2 ** TOP_KEYS.length - 1) fail();
  return close;
}

const FETCHED_AT = TOP_INDEX.get('fetched_at')!;
/** The order of the top-level keys in the last message (the guess for the next one). */
const topOrder = new Int32Array(TOP_KEYS.length + 1).fill(0);

/** Bytes writeListingLine may write for `raw` at most. */
export const maxListingLineBytes = (raw: Buffer): number => 2 * raw.length + 512;

/**
 * Writes the row's JSONEachRow line (with its newline) for the listing whose wire bytes are `raw` into `out`
 * at `at` (room for maxListingLineBytes(raw) needed); returns the end, or -1 when `raw` is not of the plain
 * shape (nothing usable written).
 */
export function writeListingLine(raw: Buffer, out: Buffer, at: number): number {
  if (!isUtf8(raw)) return -1;
  b = raw;
  p = 0;
  n = raw.length;
  try {
    scan();
  } catch (err) {
    if (err === NOT_PLAIN) return -1;
    throw err;
  } finally {
    b = EMPTY;
  }
  // The flat fields, in the wire's order and text, in runs between the fields that are not columns (the
  // nested objects, left out) and fetched_at (rewritten).
  let o = at;
  out[o++] = 0x7b;
  let first = true;
  let runStart = -1;
  let runEnd = -1;
  for (let j = 0; j < TOP_KEYS.length; j++) {
    const i = topOrder[j]!;
    const kind = TOP_KIND[i]!;
    if (kind !== 'seller' && kind !== 'producer' && kind !== 'attrs' && kind !== 'time') {
      if (runStart < 0) runStart = topKey[i]!;
      runEnd = topEnd[i]!;
      continue;
    }
    if (runStart >= 0) {
      if (!first) out[o++] = 0x2c;
      o = put(raw, runStart, runEnd, out, o);
      first = false;
      runStart = -1;
    }
    if (kind === 'time') {
      // "YYYY-MM-DDThh:mm:ss.mmmZ" -> "YYYY-MM-DD hh:mm:ss", what a DateTime column reads.
      if (!first) out[o++] = 0x2c;
      o = put(raw, topKey[i]!, topStart[i]! + 11, out, o);
      out[o++] = 0x20;
      o = put(raw, topStart[i]! + 12, topStart[i]! + 20, out, o);
      out[o++] = 0x22;
      first = false;
    }
  }
  if (runStart >= 0) {
    if (!first) out[o++] = 0x2c;
    o = put(raw, runStart, runEnd, out, o);
  }
  o = put(MS_KEY, 0, MS_KEY.length, out, o);
  // The milliseconds are the three digits before the Z, written without leading zeros.
  const t = topEnd[FETCHED_AT]!;
  const ms = (raw[t - 5]! - 48) * 100 + (raw[t - 4]! - 48) * 10 + (raw[t - 3]! - 48);
  if (ms >= 100) out[o++] = 48 + Math.floor(ms / 100);
  if (ms >= 10) out[o++] = 48 + (Math.floor(ms / 10) % 10);
  out[o++] = 48 + (ms % 10);
  for (let i = 0; i < SELLER.length; i++) {
    o = put(SELLER_PREFIX[i]!, 0, SELLER_PREFIX[i]!.length, out, o);
    o = put(raw, nestStart[i]!, nestEnd[i]!, out, o);
  }
  for (let i = 0; i < PRODUCER.length; i++) {
    o = put(PRODUCER_PREFIX[i]!, 0, PRODUCER_PREFIX[i]!.length, out, o);
    o = put(raw, nestStart[SELLER.length + i]!, nestEnd[SELLER.length + i]!, out, o);
  }
  o = put(ATTR_KEYS, 0, ATTR_KEYS.length, out, o);
  for (let i = 0; i < attrCount; i++) {
    if (i) out[o++] = 0x2c;
    o = put(raw, attrKeyStart[i]!, attrKeyEnd[i]!, out, o);
  }
  o = put(ATTR_VALUES, 0, ATTR_VALUES.length, out, o);
  for (let i = 0; i < attrCount; i++) {
    if (i) out[o++] = 0x2c;
    o = put(raw, attrValStart[i]!, attrValEnd[i]!, out, o);
  }
  return put(END, 0, END.length, out, o);
}

/** Copies src[s, e) to dst at o; returns the end. Short runs in a loop: Buffer#copy costs more per call than that. */
function put(src: Buffer, s: number, e: number, dst: Buffer, o: number): number {
  if (e - s > 48) return o + src.copy(dst, o, s, e);
  for (let k = s; k < e; k++) dst[o++] = src[k]!;
  return o;
}

const EMPTY = Buffer.alloc(0);
