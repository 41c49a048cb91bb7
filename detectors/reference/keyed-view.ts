// An in-memory keyed view of one compacted reference topic: the latest record per key, tombstones delete.
// In: (key, record | null) in topic order. Out: KeyedView (detectors/types.ts) plus change listeners, so a
// derived index (the recall inverted index) stays in step with the records.
import type { KeyedView } from '../types.ts';

export interface MutableKeyedView<T> extends KeyedView<T> {
  /** Upserts (record) or deletes (null) a key. */
  apply(key: string, record: T | null): void;
  onChange(listener: (key: string, before: T | undefined, after: T | undefined) => void): void;
}

export function createKeyedView<T>(): MutableKeyedView<T> {
  const map = new Map<string, T>();
  const listeners: ((key: string, before: T | undefined, after: T | undefined) => void)[] = [];
  let version = 0;
  return {
    get: (key) => map.get(key),
    get size() {
      return map.size;
    },
    values: () => map.values(),
    get version() {
      return version;
    },
    apply(key, record) {
      const before = map.get(key);
      if (record === null) {
        if (before === undefined) return;
        map.delete(key);
      } else map.set(key, record);
      version++;
      for (const l of listeners) l(key, before, record ?? undefined);
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
