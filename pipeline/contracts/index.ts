// The wire contracts of shelfwatch, in one place. Every message on a topic is one of these, parsed with
// zod where it enters (crawler output, Kafka consumers, reference loaders). Objects are strict: an unknown
// key is a validation error (the message goes to the dead-letter topic) rather than being silently
// dropped, because a field we would drop is data a regulator may need; adding a field means a new
// schema_version. See docs/schemas/README.md.
import type { z } from 'zod';
import { Alert, Finding } from './alert.ts';
import { DeadLetter } from './dead-letter.ts';
import { ListingSnapshot } from './listing-snapshot.ts';
import { LivestreamSnapshot } from './livestream-snapshot.ts';
import { Certificate, Licence, ProhibitedItem, Recall } from './reference.ts';

export * from './common.ts';
export * from './listing-snapshot.ts';
export * from './livestream-snapshot.ts';
export * from './alert.ts';
export * from './reference.ts';
export * from './dead-letter.ts';

/** Every wire message schema by its snake_case name (also the docs/schemas/<name>.schema.json file name). */
export const contracts = {
  listing_snapshot: ListingSnapshot,
  livestream_snapshot: LivestreamSnapshot,
  alert: Alert,
  certificate: Certificate,
  licence: Licence,
  recall: Recall,
  prohibited_item: ProhibitedItem,
  dead_letter: DeadLetter,
} as const;
export type ContractName = keyof typeof contracts;
export type ContractOf<N extends ContractName> = z.infer<(typeof contracts)[N]>;

/** Schemas embedded in messages, published alongside for consumers that validate parts. */
export const embedded = { finding: Finding } as const;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: 'invalid_json' | 'schema_mismatch'; error: string; fields: string[] };

/**
 * Parses bytes or text from the wire into a contract, as a result (never throws for bad input).
 * `fields` names each offending field ('seller.credit_code', or the unknown key itself).
 */
export function parseContract<N extends ContractName>(name: N, input: Uint8Array | string): ParseResult<ContractOf<N>> {
  let json: unknown;
  try {
    json = JSON.parse(typeof input === 'string' ? input : Buffer.from(input).toString('utf8'));
  } catch (err) {
    return { ok: false, reason: 'invalid_json', error: (err as Error).message, fields: [] };
  }
  const result = contracts[name].safeParse(json);
  if (result.success) return { ok: true, value: result.data as ContractOf<N> };
  const fields = issueFields(result.error.issues);
  return { ok: false, reason: 'schema_mismatch', error: result.error.issues.map((i, n) => `${fields[n]}: ${i.message}`).join('; '), fields };
}

/** One field path per issue; for unknown keys, the key names themselves. */
export function issueFields(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const base = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => (base ? `${base}.${k}` : k)).join(',');
    return base || '(root)';
  });
}
