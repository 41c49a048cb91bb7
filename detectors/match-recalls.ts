// The batch form of recall matching, for analysts: a recalls file and a listings file in, one match per
// line out, with the same index and scoring as the recall_match detector. In: CSV / JSON / NDJSON files
// (detectors/reference/loose-rows.ts says which columns are used). Out: matches {recall_id, listing_id,
// score, matched_on, explain}, and bad rows with line numbers (the rest still match).
// Two refinements only a batch can make (both files are at hand; the stream sees listings one by one and
// recall notices have no price): a price agreement check when both rows have a price, and the near-best
// filter (keepNearBest) over all matches.
import { createRecallIndex, DEFAULT_MATCH_OPTIONS, type RecallIndex, type RecallMatchOptions } from './recall-index.ts';
import { readRecords, type ReadOptions } from './reference/files.ts';
import { looseListing, loosePrice, looseRecall } from './reference/loose-rows.ts';
import type { RecallMatch } from './types.ts';

export interface MatchLine {
  recall_id: string;
  listing_id: string;
  score: number;
  matched_on: readonly string[];
  explain: RecallMatch['explain'] & {
    /** Both prices and what their disagreement took off the score (only when both rows have a price). */
    price?: { recall: number; listing: number; adjustment: number };
  };
}

export interface BadRow {
  file: string;
  line: number;
  reason: string;
}

export interface LoadedRecalls {
  index: RecallIndex;
  loaded: number;
  /** recall_id -> price, for the rows that have one. */
  prices: Map<string, number>;
}

export async function loadRecallIndex(path: string, opts: ReadOptions & { onBad?: (b: BadRow) => void } = {}): Promise<LoadedRecalls> {
  const index = createRecallIndex();
  const prices = new Map<string, number>();
  let loaded = 0;
  for await (const row of readRecords(path, opts)) {
    const r = 'error' in row ? ({ ok: false, reason: row.error } as const) : looseRecall(row.record);
    if (!r.ok) opts.onBad?.({ file: path, line: row.line, reason: r.reason });
    else {
      index.add(r.value);
      const price = loosePrice((row as { record: Record<string, unknown> }).record);
      if (price !== null) prices.set(r.value.recall_id, price);
      loaded++;
    }
  }
  return { index, loaded, prices };
}

/**
 * What a price disagreement takes off a score: `penalty` x |ln(recall price / listing price)|, at most
 * `penalty` (a factor e apart or more). Offers of one product sit close in price (29.99 vs 29.95); an
 * upgrade, an edition or a 20-user pack of the same title does not (899 vs 244.99). 0 when either is unknown.
 */
export function priceAdjustment(recallPrice: number | null | undefined, listingPrice: number | null | undefined, penalty: number): number {
  if (!penalty || !recallPrice || !listingPrice || recallPrice <= 0 || listingPrice <= 0) return 0;
  return Math.round(penalty * Math.min(1, Math.abs(Math.log(recallPrice / listingPrice))) * 1000) / 1000;
}

export type NearBestSides = 'recall' | 'both';

/**
 * Batch-only filter (both files are at hand): keep a match only when its score is within `delta` of the
 * best score its recall gets over all listings, and with sides 'both' also of the best score its listing
 * gets over all recalls. In entity resolution each side usually has one true partner (a listing sells one
 * product), so a far-from-best match is mostly a near-duplicate of the right one (another edition, an
 * upgrade). The stage cannot do this (listings arrive one by one).
 */
export function keepNearBest<T extends { recall_id: string; listing_id: string; score: number }>(matches: readonly T[], delta: number, sides: NearBestSides = 'recall'): T[] {
  const bestR = new Map<string, number>();
  const bestL = new Map<string, number>();
  for (const m of matches) {
    bestR.set(m.recall_id, Math.max(bestR.get(m.recall_id) ?? 0, m.score));
    if (sides === 'both') bestL.set(m.listing_id, Math.max(bestL.get(m.listing_id) ?? 0, m.score));
  }
  return matches.filter((m) => m.score >= bestR.get(m.recall_id)! - delta - 1e-9 && (sides === 'recall' || m.score >= bestL.get(m.listing_id)! - delta - 1e-9));
}

export interface MatchFileOptions extends ReadOptions {
  match?: Partial<RecallMatchOptions>;
  /** Recall prices (loadRecallIndex) and the most a price disagreement takes off a score (0: off). */
  prices?: ReadonlyMap<string, number>;
  pricePenalty?: number;
  onBad?: (b: BadRow) => void;
  onListing?: () => void;
}

/** The matches of one listing as lines; a price-adjusted score still has to reach minScore. */
export function matchLines(index: RecallIndex, listingId: string, query: Parameters<RecallIndex['match']>[0], listingPrice: number | null, opts: Pick<MatchFileOptions, 'match' | 'prices' | 'pricePenalty'> = {}): MatchLine[] {
  const out: MatchLine[] = [];
  const minScore = opts.match?.minScore ?? DEFAULT_MATCH_OPTIONS.minScore;
  for (const m of index.match(query, opts.match)) {
    const recallPrice = opts.prices?.get(m.recall.recall_id);
    const adj = priceAdjustment(recallPrice, listingPrice, opts.pricePenalty ?? 0);
    const score = Math.round((m.score - adj) * 1000) / 1000;
    if (adj > 0 && (score <= 0 || score < minScore)) continue;
    const explain = recallPrice && listingPrice && opts.pricePenalty ? { ...m.explain, price: { recall: recallPrice, listing: listingPrice, adjustment: -adj } } : m.explain;
    out.push({ recall_id: m.recall.recall_id, listing_id: listingId, score, matched_on: m.matched_on, explain });
  }
  return out;
}

export async function* matchListingsFile(index: RecallIndex, path: string, opts: MatchFileOptions = {}): AsyncGenerator<MatchLine> {
  for await (const row of readRecords(path, opts)) {
    const l = 'error' in row ? ({ ok: false, reason: row.error } as const) : looseListing(row.record);
    if (!l.ok) {
      opts.onBad?.({ file: path, line: row.line, reason: l.reason });
      continue;
    }
    opts.onListing?.();
    yield* matchLines(index, l.value.id, l.value.query, l.value.price, opts);
  }
}
