// The reference views every detector reads: certificates, licences, recalls (with the recall index) and
// prohibited items, in memory, keyed like the compacted topics (referenceKey()). In: (kind, key, record |
// null) from the topic follower (detectors/reference/follow.ts) or from files/tests. Out: ReferenceView.
// Writes happen between detector calls (the stage applies updates between slices), never during one.
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
  apply<K extends ReferenceKind>(kind: K, key: string, record: ReferenceRecords[K] | null): void;
  readonly recallIndex: RecallIndex;
}

export function createReferenceViews(): ReferenceViews {
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
      (views[kind] as MutableKeyedView<ReferenceRecords[typeof kind]>).apply(key, record);
    },
  };
}
