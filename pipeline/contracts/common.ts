// Shared building blocks of the wire contracts: field types, length limits and deterministic ids.
// In: nothing. Out: zod field schemas used by every message schema, `stableId()` and the id helpers.
// Wire conventions (docs/schemas/README.md): snake_case field names mapping 1:1 to ClickHouse columns;
// timestamps are ISO-8601 UTC with exactly 3 fraction digits ('2024-05-01T08:30:00.000Z', what
// Date#toISOString() prints); dates are 'YYYY-MM-DD'; every message carries `schema_version: 1`.
import { hash } from 'node:crypto';
import { z } from 'zod';

export const SCHEMA_VERSION = 1 as const;
export const schemaVersion = z.literal(SCHEMA_VERSION);

/** Upper bounds on untrusted text and lists, so a hostile page cannot blow up a message or a row. */
export const LIMITS = {
  id: 256,
  name: 500,
  title: 2000,
  text: 4000,
  url: 4096,
  shortList: 100,
  longList: 1000,
  attributeKey: 200,
  attributeValue: 2000,
  attributes: 200,
  transcript: 1000,
  error: 4000,
} as const;

export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase sha256 hex digest (64 chars)');
/** Component and platform ids: 'jd', 'demo_market', 'price_anomaly'. */
export const snakeId = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'expected a snake_case id (a-z, 0-9, _; starts with a letter; <= 64 chars)');
/** Free-form external ids (listing ids, room ids, seller ids): printable, bounded. */
export const externalId = z
  .string()
  .min(1)
  .max(LIMITS.id)
  .regex(/^[^\x00-\x1f\x7f]+$/, 'must not contain control characters');
/** Key product category id from the reference catalogue: 'power_bank', or a CCC product code like '0701'. */
export const categoryId = z.string().regex(/^[a-z0-9][a-z0-9_]{0,63}$/, 'expected a category id (a-z, 0-9, _; <= 64 chars)');
export const boundedText = (max: number) => z.string().max(max);
export const nonEmptyText = (max: number) => z.string().min(1).max(max);
/**
 * ISO-8601 UTC timestamp with milliseconds: 2024-05-01T08:30:00.000Z, between 1970 and 2099 (ClickHouse
 * DateTime covers 1970..2105; a year outside means a broken clock or a hostile page).
 */
export const isoDateTime = z.iso
  .datetime({ precision: 3 })
  .refine((s) => s >= '1970-01-01T00:00:00.000Z' && s < '2100-01-01T00:00:00.000Z', 'must be between 1970 and 2099');
/** Calendar date: 2024-05-01. */
export const isoDate = z.iso.date();
export const httpUrl = z.url({ protocol: /^https?$/ }).max(LIMITS.url);
export const currency = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code: 3 capital letters');
/**
 * Unified social credit code as shown: 18 characters from the USCC alphabet (no I, O, S, V, Z). The check
 * character is NOT verified here: a listing showing a forged code is evidence for a detector, not bad input.
 */
export const usccShape = z.string().regex(/^[0-9A-HJ-NP-RTUW-Y]{18}$/, 'expected an 18-character unified social credit code');
/** GB/T 2260 administrative division code, 6 digits. */
export const regionCode = z.string().regex(/^\d{6}$/, 'expected a 6-digit GB/T 2260 division code');
export const severity = z.enum(['info', 'low', 'medium', 'high', 'critical']);
export type Severity = z.infer<typeof severity>;
/** A JSON value (no undefined, functions, NaN): evidence is stored as JSON text. */
export const jsonRecord = z.record(z.string().max(LIMITS.attributeKey), z.json());
export const stringList = (maxItems: number, maxLen: number) => z.array(z.string().max(maxLen)).max(maxItems);

/**
 * The one way ids are derived: sha256 hex of the parts joined with '|', each part with '\' and '|' escaped
 * by a backslash (so ('a|b','c') and ('a','b|c') differ). Parts that contain neither character (platform
 * ids, hex hashes, snake_case names, numbers) are used as they are, so e.g. snapshotId('jd', '100', h) is
 * sha256('jd|100|' + h). Python: '|'.join(p.replace('\\', '\\\\').replace('|', '\\|') for p in parts).
 */
export function stableId(...parts: (string | number)[]): string {
  const joined = parts.map((p) => String(p).replace(/\\/g, '\\\\').replace(/\|/g, '\\|')).join('|');
  return hash('sha256', joined); // one-shot: a string is hashed as UTF-8, as update(s, 'utf8') did
}

/** sha256 hex of raw bytes (or of a string's UTF-8 bytes): `content_hash` of a fetched page. */
export function contentHash(raw: Uint8Array | string): string {
  return hash('sha256', raw);
}

/** Truncates error text for `DeadLetter.error` and similar bounded fields, marking the cut. */
export function truncateText(text: string, max: number = LIMITS.error): string {
  if (text.length <= max) return text;
  const marker = '…[truncated]';
  let cut = max - marker.length;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1; // don't split a surrogate pair
  return text.slice(0, cut) + marker;
}
