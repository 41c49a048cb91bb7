// The reference views every detector reads: certificates, licences, recalls (with the recall index) and
// prohibited items, in memory, keyed like the compacted topics (referenceKey()). In: (kind, key, record |
// null) from the topic follower (detectors/reference/follow.ts) or from files/tests. Out: ReferenceView.
// Writes happen between detector calls (the stage applies updates between slices), never during one.
// Memory: a register of 100k certificates parsed from JSON is 100k objects of a dozen strings each, most of
// them repeated across records (status, dates, issuer, standard, product name, the holder written again as
// manufacturer and factory). Certificates, licences and recalls are stored with those strings interned (one
// copy per distinct value), which roughly halves the register's heap; the records read the same.
import type { Certificate, Licence, ProhibitedItem, Recall } from '../../pipeline/contracts/index.ts';
import { createRecallIndex, type RecallIndex } from '../recall-index.ts';
import type { ReferenceView } from '../types.ts';
import { createKeyedView, type MutableKeyedView } from './keyed-view.ts';

export interface ReferenceRecords {
  certificates: Certificate;
  licences: Licence;
  recalls: Recall;
  prohibited: ProhibitedItem;
}
export type ReferenceKind = keyof ReferenceRecords;
export const REFERENCE_KINDS: readonly ReferenceKind[] = ['certificates', 'licences', 'recalls', 'prohibited'];

export interface ReferenceViews {
  readonly view: ReferenceView;
  /** Upserts (record) or deletes (null). The views keep the record (its repeated strings interned in place). */
  apply<K extends ReferenceKind>(kind: K, key: string, record: ReferenceRecords[K] | null): void;
  readonly recallIndex: RecallIndex;
}

/** Fields that repeat across register records; the record's own number is unique and is left alone. */
const CERTIFICATE_SHARED = ['updated_at', 'status', 'holder', 'manufacturer', 'factory', 'product_name', 'category_code', 'standard', 'issued_on', 'expires_on', 'issuer'] as const;
const LICENCE_SHARED = ['updated_at', 'holder', 'product', 'issued_on', 'expires_on', 'status'] as const;
const RECALL_SHARED = ['updated_at', 'published_on', 'producer', 'brand', 'product_name', 'defect', 'hazard', 'jurisdiction'] as const;

/**
 * One copy per distinct string. Entries are never dropped (a value whose last record was deleted stays):
 * bounded by the distinct values a register ever had, which for these fields is far below its size.
 */
function createInterner(): <T extends string>(s: T) => T {
  const table = new Map<string, string>();
  return <T extends string>(s: T): T => {
    const hit = table.get(s);
    if (hit !== undefined) return hit as T;
    table.set(s, s);
    return s;
  };
}

// In place: the views own the records they are given (a copy per record was garbage the size of the register
// at load time); the values read the same, only equal strings become one.
function compactCertificate(record: Certificate, intern: <T extends string>(s: T) => T): Certificate {
  const c = Object.isFrozen(record) ? { ...record } : record;
  for (const f of CERTIFICATE_SHARED) (c as Record<string, unknown>)[f] = intern(c[f]);
  return c;
}

function compactLicence(record: Licence, intern: <T extends string>(s: T) => T): Licence {
  const l = Object.isFrozen(record) ? { ...record } : record;
  for (const f of LICENCE_SHARED) (l as Record<string, unknown>)[f] = intern(l[f]);
  return l;
}

function compactRecall(record: Recall, intern: <T extends string>(s: T) => T): Recall {
  const r = Object.isFrozen(record) ? { ...record } : record;
  for (const f of RECALL_SHARED) (r as Record<string, unknown>)[f] = intern(r[f]);
  return r;
}

export function createReferenceViews(): ReferenceViews {
  const intern = createInterner();
  const certificates = createKeyedView<Certificate>();
  const licences = createKeyedView<Licence>();
  const recalls = createKeyedView<Recall>();
  const prohibited = createKeyedView<ProhibitedItem>();
  const recallIndex = createRecallIndex();
  recalls.onChange((key, _before, after) => {
    if (after) recallIndex.add(after);
    else recallIndex.remove(key);
  });
  const views: { [K in ReferenceKind]: MutableKeyedView<ReferenceRecords[K]> } = { certificates, licences, recalls, prohibited };
  const view: ReferenceView = {
    certificates,
    licences,
    prohibited,
    recalls: {
      get: (k) => recalls.get(k),
      get size() {
        return recalls.size;
      },
      values: () => recalls.values(),
      get version() {
        return recalls.version;
      },
      match: (q, opts) => recallIndex.match(q, opts),
    },
  };
  return {
    view,
    recallIndex,
    apply(kind, key, record) {
      if (record !== null && kind === 'certificates') {
        const c = compactCertificate(record as Certificate, intern);
        // The key is the number: keep one string for both.
        views.certificates.apply(key === c.number ? c.number : key, c);
      } else if (record !== null && kind === 'licences') {
        const l = compactLicence(record as Licence, intern);
        views.licences.apply(key === l.number ? l.number : key, l);
      } else if (record !== null && kind === 'recalls') {
        const r = compactRecall(record as Recall, intern);
        views.recalls.apply(key === r.recall_id ? r.recall_id : key, r);
      } else (views[kind] as MutableKeyedView<ReferenceRecords[typeof kind]>).apply(key, record);
    },
  };
}
