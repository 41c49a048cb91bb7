// Finding and Alert. A detector returns Findings (pure: snapshot + reference view -> findings); the detect
// stage wraps each in an Alert carrying the evidence pointer (snapshot id, content hash, fetch time, URL)
// and the routing fields (seller, region), and publishes it on the alerts topic (key = alert_id).
// Maps to the ClickHouse table alerts (evidence stored as JSON text).
import { z } from 'zod';
import {
  LIMITS,
  categoryId,
  externalId,
  httpUrl,
  isoDateTime,
  jsonRecord,
  nonEmptyText,
  regionCode,
  schemaVersion,
  severity,
  sha256Hex,
  snakeId,
  stableId,
  usccShape,
} from './common.ts';
import type { ListingSnapshot } from './listing-snapshot.ts';
import type { LivestreamSnapshot } from './livestream-snapshot.ts';

export const ruleId = z.string().regex(/^[a-z][a-z0-9_.-]{0,127}$/, "expected a rule id: lowercase letters, digits, '_', '.', '-'");

export const Finding = z.strictObject({
  /** Detector name (snake_case), as registered in detectors/index.ts. */
  detector: snakeId,
  rule_id: ruleId,
  /** Confidence 0..1. */
  score: z.number().min(0).max(1),
  severity,
  summary: nonEmptyText(LIMITS.text),
  evidence: z.strictObject({
    /** What was seen on the page / in the stream. */
    observed: jsonRecord,
    /** What the reference data says. */
    reference: jsonRecord,
  }),
});
export type Finding = z.infer<typeof Finding>;

export const subjectKind = z.enum(['listing', 'livestream']);
export type SubjectKind = z.infer<typeof subjectKind>;

export const Alert = z.strictObject({
  schema_version: schemaVersion,
  /** alertId(subjectKey(subject_kind, platform, subject_id), detector, rule_id, evidenceKey). */
  alert_id: sha256Hex,
  created_at: isoDateTime,
  subject_kind: subjectKind,
  /** listing_id for a listing, room_id for a livestream. */
  subject_id: externalId,
  snapshot_id: sha256Hex,
  url: httpUrl,
  content_hash: sha256Hex,
  fetched_at: isoDateTime,
  platform: snakeId,
  seller_id: externalId,
  seller_credit_code: usccShape.nullable(),
  region_code: regionCode.nullable(),
  category: categoryId.nullable(),
  ...Finding.shape,
});
export type Alert = z.infer<typeof Alert>;

/** The subject part of an alert id: 'listing:jd:100012'. */
export function subjectKey(kind: SubjectKind, platform: string, subjectId: string): string {
  return `${kind}:${platform}:${subjectId}`;
}

/**
 * Deterministic alert id: sha256 hex of subject|detector|rule_id|evidenceKey (see stableId). The evidence
 * key is chosen by the detector so that the same problem seen again gives the same id (e.g. the certificate
 * number that is revoked), and a real change gives a new one.
 */
export function alertId(subject: string, detector: string, rule: string, evidenceKey: string): string {
  return stableId(subject, detector, rule, evidenceKey);
}

/** The fields of an Alert that come from the snapshot it is about (everything but the finding). */
export type AlertSubjectFields = Omit<Alert, 'alert_id' | 'detector' | 'rule_id' | 'score' | 'severity' | 'summary' | 'evidence'>;

/** Alert fields for a listing snapshot: evidence points at the snapshot (id, url, hash, fetch time). */
export function alertSubjectFromListing(l: ListingSnapshot, createdAt: string = l.fetched_at): AlertSubjectFields {
  return {
    schema_version: 1,
    created_at: createdAt,
    subject_kind: 'listing',
    subject_id: l.listing_id,
    snapshot_id: l.snapshot_id,
    url: l.url,
    content_hash: l.content_hash,
    fetched_at: l.fetched_at,
    platform: l.platform,
    seller_id: l.seller.seller_id,
    seller_credit_code: l.seller.credit_code,
    region_code: l.seller.region_code,
    category: l.category,
  };
}

/** Alert fields for a livestream sample; the room's seller (or host) stands for the seller. */
export function alertSubjectFromLivestream(s: LivestreamSnapshot, createdAt: string = s.fetched_at): AlertSubjectFields {
  return {
    schema_version: 1,
    created_at: createdAt,
    subject_kind: 'livestream',
    subject_id: s.room_id,
    snapshot_id: s.snapshot_id,
    url: s.url,
    content_hash: s.content_hash,
    fetched_at: s.fetched_at,
    platform: s.platform,
    seller_id: s.host.seller_id ?? s.host.host_id,
    seller_credit_code: null,
    region_code: null,
    category: null,
  };
}
