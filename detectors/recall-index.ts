// The recall index: recall notices in inverted indexes so a listing is matched against the few recalls that
// share a GTIN, a model key or a rare title token, never against all of them (cost per listing does not grow
// linearly with the number of recalls). In: Recall records (added / removed as the compacted topic changes)
// and RecallQuery values (a listing's title, brand, model, GTIN; missing fields are pulled from the title).
// Out: RecallMatch values that explain themselves (fields matched, values, title similarity).
//
// Matching, strongest signal first:
//  - GTIN: exact after check-digit validation, compared as GTIN-14 (a UPC-12 equals its EAN-13 with a
//    leading 0). Never a substring: GTINs from titles must stand alone (crawlers/normalize extractGtins).
//  - model: canonical keys (detectors/model-number.ts: case, separators, full width, bracketed qualifiers),
//    series patterns and short letter suffix variants; never a digit suffix ('A1' vs 'A15'). A model shorter
//    than isSpecificModel() needs the brand and a similar title too.
//  - brand: alias keys (Chinese / English spellings; detectors/reference/brand-aliases.ts). The same model
//    from another known brand is rejected: a model number is only unique within its brand.
//  - title: TF-IDF cosine over word tokens + CJK bigrams; alone it needs a high similarity.
import { extractGtins, isValidGtin } from '../crawlers/normalize/identifiers.ts';
import type { Recall } from '../pipeline/contracts/index.ts';
import { compareModelKeys, isSpecificModel, modelKey, type ModelRelation } from './model-number.ts';
import { brandHaystack, brandKey, brandSpellings, brandsInText, haystackCarries, type BrandHaystack } from './reference/brand-aliases.ts';
import { halfWidth } from './text.ts';
import type { RecallMatch, RecallQuery } from './types.ts';

export interface RecallMatchOptions {
  /** Matches below this score are not returned. @default 0.6 */
  minScore: number;
  /** Title-only matches (no GTIN, model or brand agreement) need at least this cosine. @default 0.8 */
  titleOnlyMin: number;
  /** Tokens in more than this share of recalls are not used to find candidates (they still score). @default 0.05 */
  maxTokenShare: number;
  /**
   * ...nor tokens in more than this many recalls, whatever the share: this bound is what keeps the cost per
   * listing flat as recalls grow (a token that common says little about which recall it is). @default 100
   */
  maxPosting: number;
  /** Candidates scored per query, by title overlap, at most. @default 100 */
  maxCandidates: number;
  /** Brand-only + title candidates need at least this cosine. @default 0.35 */
  brandTitleMin: number;
  /** Weight of the character-trigram cosine in the title similarity (the rest is the word/bigram cosine). @default 0.5 */
  trigramWeight: number;
  /**
   * match() only: a title-driven candidate loses gapPenalty x (best candidate's similarity - its own) and the
   * best one gains bestBonus. A listing is one product: among near-identical recall titles ('Photoshop CS3'
   * vs 'Photoshop CS3 upgrade') the closest is the likely one. @default 0.5, 0.1
   */
  gapPenalty: number;
  bestBonus: number;
  /**
   * Title-driven matches lose up to this share of their similarity when the numbers in the two titles
   * disagree ('2007' vs '2008', 'cs3' vs 'cs2', '5.0' vs '6.0'): versions and sizes are different products.
   * @default 0.3
   */
  numberPenalty: number;
}

export const DEFAULT_MATCH_OPTIONS: RecallMatchOptions = { minScore: 0.6, titleOnlyMin: 0.8, maxTokenShare: 0.05, maxPosting: 100, maxCandidates: 100, brandTitleMin: 0.35, trigramWeight: 0.5, gapPenalty: 0.5, bestBonus: 0.1, numberPenalty: 0.3 };

// ---------- text features ----------

const STOP = new Set(['the', 'and', 'for', 'with', 'of', 'a', 'an', 'in', 'to', 'on', 'by', 'or', 'new', 'model', 'models', 'item', 'no']);

/** Word tokens (ASCII letters/digits runs, lower case) and CJK bigrams (a single Han character when alone). */
export function titleTokens(text: string): string[] {
  const s = halfWidth(text).toLowerCase();
  const out: string[] = [];
  for (const m of s.matchAll(/[a-z0-9]+|\p{Script=Han}+/gu)) {
    const t = m[0];
    if (/^[a-z0-9]/.test(t)) {
      if (!STOP.has(t)) out.push(t);
    } else if (t.length === 1) out.push(t);
    else for (let i = 0; i + 1 < t.length; i++) out.push(t.slice(i, i + 2));
  }
  return out;
}

/** Model-like runs in free text: letters+digits mixes or 4+ digit runs, e.g. 'FS40-13C', 'KFR-35GW/BP3'. */
export function modelCandidates(text: string): string[] {
  const s = halfWidth(text);
  const out = new Set<string>();
  const runs = [...s.matchAll(/[A-Za-z0-9](?:[A-Za-z0-9]|[-_/.](?=[A-Za-z0-9]))*/g)];
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i]![0];
    const parts = [run, ...run.split('/')];
    // 'ns af5dss2', 'KFR 35GW': a short letter prefix written apart from the rest of the model.
    const next = runs[i + 1];
    if (next && /^[A-Za-z]{1,4}$/.test(run) && /\d/.test(next[0]) && next.index === runs[i]!.index! + run.length + 1) parts.push(run + next[0]);
    for (const p of parts) {
      const key = modelKey(p);
      if (/\d/.test(key) && /[A-Z]/.test(key) && key.length >= 2) out.add(key);
      else if (/^\d{4,7}$/.test(key)) out.add(key); // pure-digit model numbers; 8+ digits are barcodes, not models
    }
  }
  return [...out];
}

/** Character trigrams of the folded text (word boundaries as spaces): robust to spelling and spacing variants. */
export function trigrams(text: string): string[] {
  const x = ` ${halfWidth(text).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `;
  const out: string[] = [];
  for (let i = 0; i + 3 <= x.length; i++) out.push(x.slice(i, i + 3));
  return out;
}

export function gtin14(digits: string): string {
  return digits.padStart(14, '0');
}

/** A recall's models field is often one string listing several: 'A1, A2 / B3 及 C4'. */
export function splitModels(models: readonly string[]): string[] {
  const out: string[] = [];
  for (const m of models) for (const part of halfWidth(m).split(/[,;，；、|]|\s+(?:and|及|和|与|or)\s+/)) if (part.trim()) out.push(part.trim());
  return out;
}

// ---------- the index ----------

interface Entry {
  recall: Recall;
  gtins: string[];
  models: { raw: string; key: string; lead: string }[];
  brand: string;
  tf: Map<string, number>;
  tri: Map<string, number>;
  /** Tokens with a digit (versions, sizes), for the number-conflict penalty. */
  numbers: string[];
  /** Every spelling of the recall's brand (aliases + as written), for finding it in listing titles. */
  brandSpellings: string[];
  /** Unit TF-IDF vectors as of index generation `gen`. */
  gen: number;
  vec: { w: Map<string, number>; t: Map<string, number> } | null;
}

function sparseAdd<K>(m: Map<K, Set<string>>, k: K, id: string): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(id);
}
function sparseDel<K>(m: Map<K, Set<string>>, k: K, id: string): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(id);
  if (!s.size) m.delete(k);
}

/** The leading letters of a model key ('NSAF5' -> 'NSAF'): models of one product line share them. */
function leadOf(key: string): string {
  return /^\p{L}+/u.exec(key)?.[0] ?? '';
}

/** Strips a short trailing letter suffix after a digit ('FS4013C' -> 'FS4013'), the base key of variants. */
function baseKey(key: string): string | null {
  const m = /^(.*\d)(\p{L}{1,3})$/u.exec(key);
  return m && m[1]!.length >= 3 ? m[1]! : null;
}

/** The k keys with the highest values (ties: smaller key first), without sorting the whole map. */
function topK(acc: Map<string, number>, k: number): string[] {
  if (acc.size <= k) return [...acc.keys()];
  const better = (a: [string, number], b: [string, number]) => a[1] > b[1] || (a[1] === b[1] && a[0] < b[0]);
  const top: [string, number][] = [];
  for (const item of acc) {
    if (top.length === k && !better(item, top[k - 1]!)) continue;
    let i = top.length === k ? k - 1 : top.length;
    if (top.length === k) top.pop();
    while (i > 0 && better(item, top[i - 1]!)) i--;
    top.splice(i, 0, item);
  }
  return top.map(([id]) => id);
}

export interface RecallIndex {
  add(recall: Recall): void;
  remove(recallId: string): void;
  readonly size: number;
  match(query: RecallQuery, opts?: Partial<RecallMatchOptions>): RecallMatch[];
  /** Scores one (recall, query) pair with the same rules as match(), or null when it does not match at all. */
  scorePair(recallId: string, query: RecallQuery, opts?: Partial<RecallMatchOptions>): RecallMatch | null;
}

export function createRecallIndex(): RecallIndex {
  const entries = new Map<string, Entry>();
  const byGtin = new Map<string, Set<string>>();
  const byModel = new Map<string, Set<string>>();
  const byModelBase = new Map<string, Set<string>>();
  const byBrand = new Map<string, Set<string>>();
  const byToken = new Map<string, Set<string>>();
  // Weights depend on idf, which changes with every record: an entry's normalised vectors are rebuilt on
  // demand when the index changed since they were built (only entries a query touches pay for it).
  let generation = 0;
  const triDf = new Map<string, number>();
  const triIdf = (g: string): number => Math.log(1 + (entries.size + 1) / ((triDf.get(g) ?? 0) + 1));
  const idf = (token: string): number => Math.log(1 + (entries.size + 1) / ((byToken.get(token)?.size ?? 0) + 1));

  function tfOf(text: string): Map<string, number> {
    return countOf(titleTokens(text));
  }

  function countOf(items: string[]): Map<string, number> {
    const m = new Map<string, number>();
    for (const t of items) m.set(t, (m.get(t) ?? 0) + 1);
    return m;
  }

  /** TF-IDF vector normalised to unit length. */
  function weigh(counts: Map<string, number>, w: (t: string) => number): Map<string, number> {
    const v = new Map<string, number>();
    let n = 0;
    for (const [t, c] of counts) {
      const x = c * w(t);
      v.set(t, x);
      n += x * x;
    }
    n = Math.sqrt(n);
    if (n > 0) for (const [t, x] of v) v.set(t, x / n);
    return v;
  }

  function vectors(e: Entry): { w: Map<string, number>; t: Map<string, number> } {
    if (e.gen !== generation || !e.vec) {
      e.vec = { w: weigh(e.tf, idf), t: weigh(e.tri, triIdf) };
      e.gen = generation;
    }
    return e.vec;
  }

  function dot(a: Map<string, number>, b: Map<string, number>): number {
    const [small, big] = a.size <= b.size ? [a, b] : [b, a];
    let s = 0;
    for (const [t, x] of small) {
      const y = big.get(t);
      if (y) s += x * y;
    }
    return Math.min(1, s);
  }

  function add(r: Recall): void {
    if (entries.has(r.recall_id)) remove(r.recall_id);
    const gtins = r.gtins.filter(isValidGtin).map(gtin14);
    const models = splitModels(r.models)
      .map((raw) => {
        const key = modelKey(raw);
        return { raw, key, lead: leadOf(key) };
      })
      .filter((m) => m.key.length >= 2);
    const brand = r.brand.trim() ? brandKey(r.brand) : '';
    const text = `${r.brand} ${r.product_name} ${r.models.join(' ')}`;
    const tf = tfOf(text);
    const tri = countOf(trigrams(text));
    const numbers = [...tf.keys()].filter((t) => /\d/.test(t));
    const spellings = brand ? [...new Set([...brandSpellings(brand), brandHaystack(r.brand).squeezed])] : [];
    const e: Entry = { recall: r, gtins, models, brand, tf, tri, numbers, brandSpellings: spellings, gen: -1, vec: null };
    for (const g of tri.keys()) triDf.set(g, (triDf.get(g) ?? 0) + 1);
    generation++;
    entries.set(r.recall_id, e);
    for (const g of gtins) sparseAdd(byGtin, g, r.recall_id);
    for (const m of models) {
      sparseAdd(byModel, m.key.replace(/[*?].*$/, ''), r.recall_id);
      const b = baseKey(m.key);
      if (b) sparseAdd(byModelBase, b, r.recall_id);
    }
    if (brand) sparseAdd(byBrand, brand, r.recall_id);
    for (const t of tf.keys()) sparseAdd(byToken, t, r.recall_id);
  }

  function remove(id: string): void {
    const e = entries.get(id);
    if (!e) return;
    entries.delete(id);
    for (const g of e.gtins) sparseDel(byGtin, g, id);
    for (const m of e.models) {
      sparseDel(byModel, m.key.replace(/[*?].*$/, ''), id);
      const b = baseKey(m.key);
      if (b) sparseDel(byModelBase, b, id);
    }
    if (e.brand) sparseDel(byBrand, e.brand, id);
    for (const t of e.tf.keys()) sparseDel(byToken, t, id);
    for (const g of e.tri.keys()) {
      const n = (triDf.get(g) ?? 1) - 1;
      if (n > 0) triDf.set(g, n);
      else triDf.delete(g);
    }
    generation++;
  }

  interface Features {
    title: string;
    gtins: string[];
    models: { raw: string; key: string; lead: string }[];
    /** The listing has a model field (not just model-like words in its title). */
    explicitModel: boolean;
    /** Brand keys: the given brand, else known brands found in the title. */
    brands: string[];
    tf: Map<string, number>;
    /** Unit TF-IDF vectors of words/bigrams and of character trigrams. */
    w: Map<string, number>;
    readonly t: Map<string, number>;
    numbers: string[];
    /** Brand + title, prepared once for the brand look-ups of every candidate. */
    readonly hay: BrandHaystack;
  }

  function features(q: RecallQuery): Features {
    const title = q.title ?? '';
    const given = q.gtin ? [q.gtin].filter(isValidGtin) : [];
    const gtins = [...new Set([...given, ...extractGtins(title)])].map(gtin14);
    const modelRaw = q.model?.trim() ? [q.model.trim()] : [];
    const models = [...modelRaw.map((raw) => ({ raw, key: modelKey(raw) })), ...modelCandidates(title).map((k) => ({ raw: k, key: k }))]
      .filter((m, i, all) => m.key && all.findIndex((x) => x.key === m.key) === i)
      .map((m) => ({ ...m, lead: leadOf(m.key) }));
    const explicitModel = modelRaw.length > 0 && models.length > 0 && models[0]!.raw === modelRaw[0];
    const brands = q.brand?.trim() ? [brandKey(q.brand)] : brandsInText(title);
    const text = `${q.brand ?? ''} ${title} ${q.model ?? ''}`;
    const tf = tfOf(text);
    // Trigram vector and brand haystack only when some candidate needs them (most listings have none).
    let t: Map<string, number> | undefined;
    let hay: BrandHaystack | undefined;
    return {
      title,
      gtins,
      models,
      explicitModel,
      brands,
      tf,
      w: weigh(tf, idf),
      get t() {
        return (t ??= weigh(countOf(trigrams(text)), triIdf));
      },
      numbers: [...tf.keys()].filter((x) => /\d/.test(x)),
      get hay() {
        return (hay ??= brandHaystack(`${q.brand ?? ''} ${title}`));
      },
    };
  }

  /** Title similarity: word/bigram TF-IDF cosine blended with character-trigram TF-IDF cosine, less number conflicts. */
  function similarity(f: Features, _id: string, e: Entry, o: RecallMatchOptions): number {
    const v = vectors(e);
    const w = o.trigramWeight;
    const sim = (1 - w) * dot(f.w, v.w) + (w > 0 ? w * dot(f.t, v.t) : 0);
    return o.numberPenalty > 0 ? sim * (1 - o.numberPenalty * numberConflict(f, e)) : sim;
  }

  /** Share of the smaller side's number-bearing tokens the other side lacks (0 when either side has none). */
  function numberConflict(f: Features, e: Entry): number {
    if (!f.numbers.length || !e.numbers.length) return 0;
    let shared = 0;
    for (const t of f.numbers) if (e.tf.has(t)) shared++;
    return 1 - shared / Math.min(f.numbers.length, e.numbers.length);
  }

  function brandRelation(f: Features, e: Entry, q: RecallQuery): { ok: boolean | null; listing?: string } {
    if (!e.brand) return { ok: null };
    if (f.brands.includes(e.brand)) return { ok: true, listing: f.brands.find((b) => b === e.brand)! };
    // The recall's brand spelled in the listing title (a brand we have no alias for).
    if (haystackCarries(f.hay, e.brandSpellings)) return { ok: true, listing: e.recall.brand };
    if (f.brands.length) return { ok: false, listing: f.brands[0] };
    return { ok: null };
  }

  /** `titleSim`: the similarity the title-driven rules use (match() adjusts it by rank); defaults to `sim`. */
  interface Prelim {
    gtin: string | undefined;
    model: { listing: string; recall: string; rel: ModelRelation } | undefined;
    brand: { ok: boolean | null; listing?: string };
    conflict: boolean;
    specific: boolean;
  }

  /** The cheap signals (GTIN, model, brand): decided before any similarity is computed. */
  function prelim(e: Entry, f: Features, q: RecallQuery): Prelim {
    const gtin = f.gtins.find((g) => e.gtins.includes(g));
    let model: Prelim['model'];
    let modelRecallKey = '';
    for (const lm of f.models) {
      for (const rm of e.models) {
        const rel = compareModelKeys(lm.key, rm.key);
        if (rel && (!model || (rel === 'exact' && model.rel !== 'exact'))) {
          model = { listing: lm.raw, recall: rm.raw, rel };
          modelRecallKey = rm.key;
        }
      }
    }
    const brand = brandRelation(f, e, q);
    // The listing names a model of the same line that is not the recalled one ('A15' vs recall 'A1'):
    // same brand and similar title must not make it a match.
    const conflict = !model && e.models.length > 0 && modelConflict(f, q, e);
    return { gtin, model, brand, conflict, specific: model ? isSpecificModel(modelRecallKey) : false };
  }

  /** Whether the score depends on the title similarity (otherwise it is computed only to explain a match). */
  function needsSimilarity(p: Prelim): boolean {
    if (p.brand.ok === false) return false;
    if (p.model) return !p.specific || !p.brand.ok;
    return !p.gtin && !p.conflict;
  }

  /**
   * Scores one candidate. `sim` is the title similarity and `titleSim` the one the title-driven rules use
   * (match() adjusts it by rank); both are functions so the similarity, the costly part, is computed only
   * when the score depends on it or for a match's explanation.
   */
  /** A candidate being scored; `simValue` memoises its similarity. */
  interface Cand {
    id: string;
    e: Entry;
    p: Prelim;
    simValue: number | undefined;
  }

  function simOf(c: Cand, f: Features, o: RecallMatchOptions): number {
    return (c.simValue ??= similarity(f, c.id, c.e, o));
  }

  function score(c: Cand, f: Features, q: RecallQuery, o: RecallMatchOptions, best: number | null): RecallMatch | null {
    const { e, p } = c;
    const sim = () => simOf(c, f, o);
    // The rank adjustment (match() only): the gap to the best title-driven candidate, bonus for the best.
    const titleSim = () => {
      const x = simOf(c, f, o);
      return best === null ? x : Math.max(0, Math.min(1, x - o.gapPenalty * (best - x) + (x >= best ? o.bestBonus : 0)));
    };
    const { gtin, brand, conflict } = p;
    let model = p.model;
    const matched: string[] = [];
    let s = 0;
    if (gtin) {
      matched.push('gtin');
      s = brand.ok === false ? 0.8 : 0.98;
    }
    if (model) {
      let ms: number;
      if (brand.ok === false) ms = 0; // same model number, another brand: not this product
      else if (!p.specific) ms = brand.ok && sim() >= 0.5 ? 0.7 : 0; // 'A1': needs brand and a similar title
      else if (brand.ok) ms = model.rel === 'exact' ? 0.95 : model.rel === 'pattern' ? 0.9 : 0.85;
      else ms = (model.rel === 'exact' ? 0.6 : 0.5) + 0.35 * sim(); // brand unknown: the title must agree
      if (ms > 0) {
        matched.push('model');
        s = Math.max(s, ms);
      } else model = undefined;
    }
    if (brand.ok) matched.push('brand');
    if (!gtin && !model && !conflict && brand.ok !== false) {
      const t = titleSim();
      if (brand.ok && t >= o.brandTitleMin) s = 0.45 + 0.5 * t;
      else if (t >= o.titleOnlyMin) s = 0.3 + 0.6 * t;
    }
    if (s < o.minScore || s === 0) return null;
    if (sim() >= 0.3) matched.push('title');
    return {
      recall: e.recall,
      score: Math.round(s * 1000) / 1000,
      matched_on: matched,
      explain: {
        ...(gtin ? { gtin } : {}),
        ...(model ? { model: { listing: model.listing, recall: model.recall } } : {}),
        ...(brand.ok ? { brand: { listing: q.brand?.trim() || brand.listing!, recall: e.recall.brand } } : {}),
        title_similarity: Math.round(sim() * 1000) / 1000,
      },
    };
  }

  function modelConflict(f: Features, _q: RecallQuery, e: Entry): boolean {
    if (f.explicitModel) return true;
    for (const m of f.models) if (m.lead && e.models.some((rm) => rm.lead === m.lead)) return true;
    return false;
  }

  function candidates(f: Features, o: RecallMatchOptions): Set<string> {
    const ids = new Set<string>();
    for (const g of f.gtins) for (const id of byGtin.get(g) ?? []) ids.add(id);
    for (const m of f.models) {
      for (const id of byModel.get(m.key) ?? []) ids.add(id);
      for (const id of byModelBase.get(m.key) ?? []) ids.add(id);
      const b = baseKey(m.key);
      if (b) {
        for (const id of byModel.get(b) ?? []) ids.add(id);
        for (const id of byModelBase.get(b) ?? []) ids.add(id);
      }
    }
    // Series patterns ('KFR-35GW/*') are indexed under their literal prefix: look up the query's prefixes.
    for (const m of f.models) for (let n = 3; n < m.key.length; n++) for (const id of byModel.get(m.key.slice(0, n)) ?? []) if (entries.get(id)?.models.some((x) => /[*?]/.test(x.key))) ids.add(id);
    // Rare title tokens, accumulated by idf: the top candidates by overlap.
    const cap = Math.min(o.maxPosting, Math.max(20, o.maxTokenShare * entries.size));
    const acc = new Map<string, number>();
    for (const t of f.tf.keys()) {
      const post = byToken.get(t);
      if (!post || post.size > cap) continue;
      const w = idf(t);
      for (const id of post) acc.set(id, (acc.get(id) ?? 0) + w);
    }
    if (acc.size) for (const id of topK(acc, o.maxCandidates)) ids.add(id);
    return ids;
  }

  return {
    add,
    remove,
    get size() {
      return entries.size;
    },
    match(query, opts) {
      const o = { ...DEFAULT_MATCH_OPTIONS, ...opts };
      const f = features(query);
      const out: RecallMatch[] = [];
      const scored: Cand[] = [];
      for (const id of candidates(f, o)) {
        const e = entries.get(id)!;
        scored.push({ id, e, p: prelim(e, f, query), simValue: undefined });
      }
      // The rank adjustment compares title-driven candidates among themselves; a candidate that another
      // brand rules out, or that matches on GTIN / model alone, needs no similarity (the costly part).
      let best = 0;
      for (const c of scored) if (needsSimilarity(c.p)) best = Math.max(best, simOf(c, f, o));
      for (const c of scored) {
        if (c.p.brand.ok === false && !c.p.gtin) continue;
        const m = score(c, f, query, o, best);
        if (m) out.push(m);
      }
      return out.sort((a, b) => b.score - a.score || (a.recall.recall_id < b.recall.recall_id ? -1 : 1));
    },
    scorePair(recallId, query, opts) {
      const e = entries.get(recallId);
      if (!e) return null;
      const o = { ...DEFAULT_MATCH_OPTIONS, ...opts };
      const f = features(query);
      return score({ id: recallId, e, p: prelim(e, f, query), simValue: undefined }, f, query, o, null);
    },
  };
}
