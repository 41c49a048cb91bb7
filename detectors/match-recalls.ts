// The batch form of recall matching, for analysts: a recalls file and a listings file in, one match per
// line out, with the same index and scoring as the recall_match detector. In: CSV / JSON / NDJSON files
// (detectors/reference/loose-rows.ts says which columns are used). Out: matches {recall_id, listing_id,
// score, matched_on, explain}, and bad rows with line numbers (the rest still match).
import { createRecallIndex, type RecallIndex, type RecallMatchOptions } from './recall-index.ts';
import { readRecords, type ReadOptions } from './reference/files.ts';
import { looseListing, looseRecall } from './reference/loose-rows.ts';
import type { RecallMatch } from './types.ts';

export interface MatchLine {
  recall_id: string;
  listing_id: string;
  score: number;
  matched_on: readonly string[];
  explain: RecallMatch['explain'];
}

export interface BadRow {
  file: string;
  line: number;
  reason: string;
}

export async function loadRecallIndex(path: string, opts: ReadOptions & { onBad?: (b: BadRow) => void } = {}): Promise<{ index: RecallIndex; loaded: number }> {
  const index = createRecallIndex();
  let loaded = 0;
  for await (const row of readRecords(path, opts)) {
    const r = 'error' in row ? ({ ok: false, reason: row.error } as const) : looseRecall(row.record);
    if (!r.ok) opts.onBad?.({ file: path, line: row.line, reason: r.reason });
    else {
      index.add(r.value);
      loaded++;
    }
  }
  return { index, loaded };
}

/**
 * Batch-only filter (both files are at hand): keep a match only when its score is within `delta` of the
 * best score its recall gets over all listings. In entity resolution each side usually has one true
 * partner, so a recall's far-from-best matches are mostly near-duplicates of the right listing
 * (another edition, an upgrade). The stage cannot do this (listings arrive one by one).
 */
export function keepNearBestPerRecall<T extends { recall_id: string; score: number }>(matches: readonly T[], delta: number): T[] {
  const best = new Map<string, number>();
  for (const m of matches) best.set(m.recall_id, Math.max(best.get(m.recall_id) ?? 0, m.score));
  return matches.filter((m) => m.score >= best.get(m.recall_id)! - delta - 1e-9);
}

export async function* matchListingsFile(index: RecallIndex, path: string, opts: ReadOptions & { match?: Partial<RecallMatchOptions>; onBad?: (b: BadRow) => void; onListing?: () => void } = {}): AsyncGenerator<MatchLine> {
  for await (const row of readRecords(path, opts)) {
    const l = 'error' in row ? ({ ok: false, reason: row.error } as const) : looseListing(row.record);
    if (!l.ok) {
      opts.onBad?.({ file: path, line: row.line, reason: l.reason });
      continue;
    }
    opts.onListing?.();
    for (const m of index.match(l.value.query, opts.match)) {
      yield { recall_id: m.recall.recall_id, listing_id: l.value.id, score: m.score, matched_on: m.matched_on, explain: m.explain };
    }
  }
}
