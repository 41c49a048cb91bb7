// Reference rows from files to wire contracts. In: a raw record from CSV / JSON / NDJSON (detectors/
// reference/files.ts) for one of the kinds certificates, licences, recalls, prohibited. Out: the validated
// contract record and its compacted-topic key (referenceKey()), or the reason the row is bad (naming the
// fields). Lenient only where files differ harmlessly: CSV cells are strings, so lists may be written
// 'A1;A2' or 'A1|A2' (or a JSON array), empty cells of nullable fields are null, schema_version and
// updated_at may be omitted (the load time is used), certificate and licence numbers are canonicalised
// (full-width, spaces, brackets), so the register is keyed the way detectors look numbers up.
import { z } from 'zod';
import { contracts, issueFields, referenceKey, SCHEMA_VERSION, type Certificate, type Licence, type ProhibitedItem, type Recall } from '../../pipeline/contracts/index.ts';
import { parseCccNumber } from '../certificate-number.ts';
import { parseLicenceNumber } from '../licence-number.ts';
import type { ReferenceKind, ReferenceRecords } from './views.ts';

const CONTRACT = { certificates: 'certificate', licences: 'licence', recalls: 'recall', prohibited: 'prohibited_item' } as const;

const LIST_FIELDS: Record<ReferenceKind, readonly string[]> = {
  certificates: ['models'],
  licences: [],
  recalls: ['models', 'gtins', 'batches'],
  prohibited: ['keywords'],
};
const NULLABLE: Record<ReferenceKind, readonly string[]> = {
  certificates: [],
  licences: [],
  recalls: ['producer_credit_code', 'production_from', 'production_to', 'url'],
  prohibited: ['category'],
};

function asList(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!t) return [];
  if (t.startsWith('[')) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      /* not JSON: split below */
    }
  }
  return t.split(/[;|]/).map((s) => s.trim()).filter(Boolean);
}

export type RowResult<K extends ReferenceKind> = { ok: true; key: string; value: ReferenceRecords[K] } | { ok: false; reason: string };

export function referenceRow<K extends ReferenceKind>(kind: K, raw: Record<string, unknown>, loadedAt: string): RowResult<K> {
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) r[k.trim()] = typeof v === 'string' ? v.trim() : v;
  r.schema_version ??= SCHEMA_VERSION;
  if (typeof r.schema_version === 'string' && /^\d+$/.test(r.schema_version)) r.schema_version = Number(r.schema_version);
  if (r.updated_at === undefined || r.updated_at === '') r.updated_at = loadedAt;
  for (const f of LIST_FIELDS[kind]) if (f in r) r[f] = asList(r[f]);
  for (const f of NULLABLE[kind]) if (r[f] === '') r[f] = null;
  if (kind === 'certificates' && typeof r.number === 'string') {
    const p = parseCccNumber(r.number);
    if (!p.ok) return { ok: false, reason: `number: not a CCC certificate number (${p.reason})` };
    r.number = p.value.number;
  }
  if (kind === 'licences' && typeof r.number === 'string') {
    const p = parseLicenceNumber(r.number);
    if (!p.ok) return { ok: false, reason: `number: not a production licence number (${p.reason})` };
    r.number = p.value.number;
  }
  const schema = contracts[CONTRACT[kind]] as z.ZodType;
  const parsed = schema.safeParse(r);
  if (!parsed.success) {
    const fields = issueFields(parsed.error.issues);
    return { ok: false, reason: parsed.error.issues.map((i, n) => `${fields[n]}: ${i.message}`).join('; ') };
  }
  const value = parsed.data as ReferenceRecords[K];
  const key =
    kind === 'certificates'
      ? referenceKey.certificate(value as Certificate)
      : kind === 'licences'
        ? referenceKey.licence(value as Licence)
        : kind === 'recalls'
          ? referenceKey.recall(value as Recall)
          : referenceKey.prohibited_item(value as ProhibitedItem);
  return { ok: true, key, value };
}
