// Reference records: CCC certificates, production licences, recalls, prohibited items. Loaders publish them
// on compacted topics keyed by `referenceKey` (the record's natural id); a null value (tombstone) under a key
// deletes the record. The detect stage builds its reference views from these topics.
import { z } from 'zod';
import { LIMITS, boundedText, categoryId, externalId, httpUrl, isoDate, isoDateTime, nonEmptyText, schemaVersion, severity, stringList, usccShape } from './common.ts';

export const certificateStatus = z.enum(['valid', 'suspended', 'revoked', 'cancelled', 'expired']);
export type CertificateStatus = z.infer<typeof certificateStatus>;

const name = nonEmptyText(LIMITS.name);
const models = stringList(LIMITS.longList, LIMITS.name);

export const Certificate = z.strictObject({
  schema_version: schemaVersion,
  updated_at: isoDateTime,
  /** 16 digits: year (4) + body (2) + category code (4) + sequence (6). */
  number: z.string().regex(/^\d{16}$/, 'expected a 16-digit CCC certificate number'),
  status: certificateStatus,
  holder: name,
  manufacturer: name,
  factory: name,
  product_name: name,
  /** CCC catalogue product code, 4 digits (e.g. 0701). */
  category_code: z.string().regex(/^\d{4}$/, 'expected a 4-digit CCC product code'),
  models,
  standard: boundedText(LIMITS.name),
  issued_on: isoDate,
  expires_on: isoDate,
  issuer: name,
});
export type Certificate = z.infer<typeof Certificate>;

export const Licence = z.strictObject({
  schema_version: schemaVersion,
  updated_at: isoDateTime,
  /** XK08-001-04763, or with a province prefix: (鄂)XK12-001-00018 (ASCII or full-width brackets). */
  number: z
    .string()
    .regex(/^(?:[(（][\u4e00-\u9fff][)）])?XK\d{2}-\d{3}-\d{5}$/u, 'expected a licence number like XK08-001-04763 or (鄂)XK12-001-00018'),
  holder: name,
  product: name,
  issued_on: isoDate,
  expires_on: isoDate,
  status: certificateStatus,
});
export type Licence = z.infer<typeof Licence>;

export const Recall = z.strictObject({
  schema_version: schemaVersion,
  updated_at: isoDateTime,
  recall_id: externalId,
  published_on: isoDate,
  producer: name,
  producer_credit_code: usccShape.nullable(),
  brand: boundedText(LIMITS.name),
  product_name: name,
  models,
  gtins: z.array(z.string().regex(/^\d{8,14}$/, 'expected 8 to 14 digits')).max(LIMITS.longList),
  batches: stringList(LIMITS.longList, LIMITS.name),
  production_from: isoDate.nullable(),
  production_to: isoDate.nullable(),
  defect: boundedText(LIMITS.text),
  hazard: boundedText(LIMITS.text),
  /** Issuing jurisdiction: 'CN' (SAMR), 'CN-44' (a province), 'EU', 'US', ... */
  jurisdiction: z.string().regex(/^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$/, "expected 'CN', 'EU', 'US' or a subdivision like 'CN-44'"),
  url: httpUrl.nullable(),
});
export type Recall = z.infer<typeof Recall>;

export const ProhibitedItem = z.strictObject({
  schema_version: schemaVersion,
  updated_at: isoDateTime,
  item_id: externalId,
  name,
  keywords: z.array(nonEmptyText(LIMITS.name)).min(1).max(LIMITS.longList),
  category: categoryId.nullable(),
  /** Legal basis, e.g. the regulation and article that prohibits it. */
  basis: nonEmptyText(LIMITS.text),
  severity,
});
export type ProhibitedItem = z.infer<typeof ProhibitedItem>;

/** The compacted-topic key of each reference record. */
export const referenceKey = {
  certificate: (r: Certificate): string => r.number,
  licence: (r: Licence): string => r.number,
  recall: (r: Recall): string => r.recall_id,
  prohibited_item: (r: ProhibitedItem): string => r.item_id,
} as const;
