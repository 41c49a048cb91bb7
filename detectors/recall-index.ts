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
//  - brand: alias keys (Chinese / English spellings; detectors/reference/brand-aliases.ts), and company names
//    written two ways ('Apple' / 'Apple Computer': whole words, one name beginning the other). The same model
//    from another brand is rejected: a model number is only unique within its brand. Another brand only
//    found in a listing title (no brand field) does not rule out a title match: it may be the subject.
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

export const STOP_WORDS: ReadonlySet<string> = new Set(['the', 'and', 'for', 'with', 'of', 'a', 'an', 'in', 'to', 'on', 'by', 'or', 'new', 'model', 'models', 'item', 'no']);

/**
 * Word tokens (ASCII letters/digits runs, lower case) and CJK bigrams (a single Han character when alone):
 * the runs of /[a-z0-9]+|\p{Script=Han}+/gu, found by nextToken() without a match array per run.
 */
const HAN_CHAR = /^\p{Script=Han}$/u;
/** The token nextToken() found: s[start, end), a Han run or an ASCII word. */
const tok = { start: 0, end: 0, han: false };

function isWordUnit(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}
/** Code units of the Han character at s[i] (1, or 2 for a surrogate pair), 0 when it is not Han. */
function hanAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  // The unified ideographs and extension A are all Han, and nothing below U+2E80 is.
  if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf)) return 1;
  if (c < 0x2e80) return 0;
  const cp = s.codePointAt(i)!;
  return HAN_CHAR.test(String.fromCodePoint(cp)) ? (cp > 0xffff ? 2 : 1) : 0;
}
/** Finds the first token of `s` at or after `i` (into `tok`); false when there is none. */
function nextToken(s: string, i: number): boolean {
  const n = s.length;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (isWordUnit(c)) {
      let j = i + 1;
      while (j < n && isWordUnit(s.charCodeAt(j))) j++;
      tok.start = i;
      tok.end = j;
      tok.han = false;
      return true;
    }
    if (c < 0x80) continue;
    let k = hanAt(s, i);
    if (!k) continue;
    let j = i + k;
    while (j < n && (k = hanAt(s, j))) j += k;
    tok.start = i;
    tok.end = j;
    tok.han = true;
    return true;
  }
  return false;
}

const ZERO_MINOR = /(\d)\.0+(?![.\d])/g;
const VERSION_WORD = /\bv(?:er|ersion)?\.?\s?(?=\d)/g;
const DIGIT = /\d/;

/**
 * One spelling of a version number, so it counts as the same term on both sides: 'v22', 'v. 22', 'version
 * 22' -> '22'; '4.0' -> '4' ('10.4.6' stays). Without it 'print shop 22' and 'printshop v22' share no number
 * and the number-conflict penalty calls them different products.
 */
function versionsFolded(s: string): string {
  if (!DIGIT.test(s)) return s;
  // Most titles have neither '.0' nor a 'v': skip the replace scans then.
  if (s.includes('.0')) s = s.replace(ZERO_MINOR, '$1');
  if (s.includes('v')) s = s.replace(VERSION_WORD, '');
  return s;
}

/** The text titleTokens() cuts into tokens. */
function tokenText(text: string): string {
  return versionsFolded(halfWidth(text).toLowerCase());
}

export function titleTokens(text: string): string[] {
  const out: string[] = [];
  const s = tokenText(text);
  for (let i = 0; nextToken(s, i); i = tok.end) {
    const { start, end } = tok;
    if (!tok.han) {
      const t = s.slice(start, end);
      if (!STOP_WORDS.has(t)) out.push(t);
    } else if (end - start === 1) out.push(s[start]!);
    else for (let k = start; k + 1 < end; k++) out.push(s.slice(k, k + 2));
  }
  return out;
}

/** Model-like runs in free text: letters+digits mixes or 4+ digit runs, e.g. 'FS40-13C', 'KFR-35GW/BP3'. */
export function modelCandidates(text: string): string[] {
  const s = halfWidth(text);
  const out: string[] = [];
  const runs: RegExpExecArray[] = [];
  MODEL_RUN.lastIndex = 0;
  for (let m = MODEL_RUN.exec(s); m; m = MODEL_RUN.exec(s)) runs.push(m);
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i]![0];
    // 'ns af5dss2', 'KFR 35GW': a short letter prefix written apart from the rest of the model.
    const next = runs[i + 1];
    const joined = next && SHORT_LETTERS.test(run) && hasDigit(next[0]) && next.index === runs[i]!.index + run.length + 1 ? run + next[0] : null;
    // A run without a digit has no part with one (the text is already half-width ASCII here): no model.
    if (hasDigit(run)) {
      addModelCandidate(out, run);
      if (run.includes('/')) for (const p of run.split('/')) addModelCandidate(out, p);
    }
    if (joined) addModelCandidate(out, joined);
  }
  return out;
}

const MODEL_RUN = /[A-Za-z0-9](?:[A-Za-z0-9]|[-_/.](?=[A-Za-z0-9]))*/g;
const SHORT_LETTERS = /^[A-Za-z]{1,4}$/;

/** Letters+digits keys of 2+ characters, or pure-digit keys of 4-7 digits (8+ digits are barcodes, not models). */
function addModelCandidate(out: string[], part: string): void {
  const key = modelKey(part);
  let digits = 0;
  let upper = false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c >= 65 && c <= 90) upper = true;
  }
  const ok = (digits > 0 && upper && key.length >= 2) || (digits === key.length && digits >= 4 && digits <= 7);
  if (ok && !out.includes(key)) out.push(key);
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
//
// Layout (why it is not Maps of strings): 20k recalls as objects holding four Maps each (term counts,
// trigram counts and their two weight vectors) took ~4 KB per recall, and the title similarity, computed
// for tens of candidates per listing, was Map look-ups. Here terms and trigrams are interned to small
// integer ids; an entry keeps ids and counts in typed arrays (first-occurrence order, as the Maps had), its
// unit vectors as Float64Arrays aligned with them, and a query scatters its vector once into a dense array
// indexed by id. The dot product sums the same products in the same order as the Map version did (over the
// smaller side, in its order), so scores are bit-for-bit those of the straightforward implementation.

/** Term (or trigram) ids: interned strings with their document frequency; ids of unused terms are reused. */
class Vocabulary {
  readonly ids = new Map<string, number>();
  /** id -> term (for giving ids back on removal). */
  private readonly terms: (string | undefined)[] = [];
  df = new Int32Array(1024);
  private free: number[] = [];
  private next = 0;

  /** The id of a term, or -1 when no recall has it. */
  /**
   * Two-code-unit terms that start outside ASCII (CJK bigrams) also by number, (first << 16 | second): a
   * query looks its bigrams up without cutting a string out of the title for each (pairIdOf()).
   */
  readonly pairs = new Map<number, number>();

  idOf(term: string): number {
    return this.ids.get(term) ?? -1;
  }
  /** idOf() of the two-code-unit term `s[i..i+2)` whose first unit is not ASCII. */
  pairIdOf(s: string, i: number): number {
    return this.pairs.get(pairCode(s, i)) ?? -1;
  }
  /** Interns `term` and counts one more recall having it. */
  addDoc(term: string): number {
    let id = this.ids.get(term);
    if (id === undefined) {
      id = this.free.pop() ?? this.next++;
      if (id >= this.df.length) {
        const grown = new Int32Array(this.df.length * 2);
        grown.set(this.df);
        this.df = grown;
      }
      this.ids.set(term, id);
      if (isPairTerm(term)) this.pairs.set(pairCode(term, 0), id);
      this.terms[id] = term;
      this.df[id] = 0;
    }
    this.df[id]!++;
    return id;
  }
  /** One recall fewer has the term; an unused term gives its id back. */
  removeDoc(id: number): void {
    if (--this.df[id]! <= 0) {
      const term = this.terms[id]!;
      this.ids.delete(term);
      if (isPairTerm(term)) this.pairs.delete(pairCode(term, 0));
      this.terms[id] = undefined;
      this.df[id] = 0;
      this.free.push(id);
    }
  }
  get capacity(): number {
    return this.df.length;
  }
}

function isPairTerm(term: string): boolean {
  return term.length === 2 && term.charCodeAt(0) >= 0x80;
}
function pairCode(s: string, i: number): number {
  return ((s.charCodeAt(i) << 16) | s.charCodeAt(i + 1)) >>> 0;
}

/** Distinct items in first-occurrence order with their counts (what a Map of counts iterates as). */
function counted(items: readonly string[]): { terms: string[]; counts: number[] } {
  const at = new Map<string, number>();
  const terms: string[] = [];
  const counts: number[] = [];
  for (const t of items) {
    const i = at.get(t);
    if (i === undefined) {
      at.set(t, terms.length);
      terms.push(t);
      counts.push(1);
    } else counts[i]!++;
  }
  return { terms, counts };
}

const HAS_DIGIT = /\d/;
const EIGHT_DIGITS = /\d{8}/;

function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

/** Adds a model to a query's list unless its key is empty or already there (the first spelling wins). */
function keepModel(models: ModelRef[], raw: string, key: string): void {
  if (!key) return;
  for (const m of models) if (m.key === key) return;
  models.push({ raw, key, lead: leadOf(key) });
}
const PATTERN_CHARS = /[*?]/;

interface ModelRef {
  readonly raw: string;
  readonly key: string;
  readonly lead: string;
}

interface Entry {
  readonly recall: Recall;
  readonly gtins: string[];
  readonly models: ModelRef[];
  /** Some model is a series pattern ('KFR-35GW/*'). */
  readonly hasPattern: boolean;
  readonly brand: string;
  /**
   * One array (a typed array costs ~200 bytes of headers, so one instead of five): word/bigram term ids
   * [0, nW), their counts [nW, 2nW), trigram ids [2nW, 2nW+nT), their counts, then the ids of the terms with
   * a digit (versions, sizes; nN of them) for the number-conflict penalty. First-occurrence order; the
   * terms themselves live in the vocabularies.
   */
  readonly packed: Int32Array;
  readonly nW: number;
  readonly nT: number;
  readonly nN: number;
  /** Every spelling of the recall's brand (aliases + as written), for finding it in listing titles. */
  readonly brandSpellings: string[];
  /** The brand as written, in words (nameWords). */
  readonly brandWords: string[];
  /** brandRelation()'s answers when the listing has the brand (shared, so a candidate costs no allocation). */
  readonly brandSame: Prelim['brand'];
  readonly brandInTitle: Prelim['brand'];
  /** Position in the index's scratch arrays (reused after removal). */
  readonly slot: number;
  /** The query (match() counter) that last took this entry as a candidate. */
  mark: number;
  /** Unit TF-IDF vectors as of index generation `gen`: words [0, nW), trigrams [nW, nW+nT). */
  gen: number;
  vec: Float64Array | null;
}

function sparseAdd<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}
function sparseDel<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (!s.size) m.delete(k);
}

/** The leading letters of a model key ('NSAF5' -> 'NSAF'): models of one product line share them. */
function leadOf(key: string): string {
  return /^\p{L}+/u.exec(key)?.[0] ?? '';
}

/** Strips a short trailing letter suffix after a digit ('FS4013C' -> 'FS4013'), the base key of variants. */
function baseKey(key: string): string | null {
  // ASCII ending (the usual key): the same answer as the regex below without running it.
  const n = key.length;
  let ascii = true;
  for (let i = Math.max(0, n - 4); i < n; i++) if (key.charCodeAt(i) >= 0x80) ascii = false;
  if (ascii) {
    let r = 0;
    while (r < 4 && r < n && isAsciiLetter(key.charCodeAt(n - 1 - r))) r++;
    if (r < 1 || r > 3 || n - r < 3) return null;
    const d = key.charCodeAt(n - r - 1);
    return d >= 48 && d <= 57 ? key.slice(0, n - r) : null;
  }
  const m = /^(.*\d)(\p{L}{1,3})$/u.exec(key);
  return m && m[1]!.length >= 3 ? m[1]! : null;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

let topScratch = new Float64Array(256);

/**
 * The k slots with the highest accumulated values (ties: smaller recall id first), in no particular order
 * (callers only take the set). The k-th value comes from a native numeric sort of the values; recall ids
 * are compared only among the slots tied at that value (titles sharing the same rare words tie often,
 * and comparing ids for every insertion was the main cost with a few thousand recalls).
 */
function topK(touched: readonly number[], acc: Float64Array, k: number, bySlot: readonly (Entry | undefined)[]): readonly number[] {
  const n = touched.length;
  if (n <= k) return touched;
  if (topScratch.length < n) topScratch = new Float64Array(Math.max(n, topScratch.length * 2));
  const vals = topScratch.subarray(0, n);
  for (let i = 0; i < n; i++) vals[i] = acc[touched[i]!]!;
  vals.sort();
  const kth = vals[n - k]!;
  const top: number[] = [];
  const tied: number[] = [];
  for (const s of touched) {
    const v = acc[s]!;
    if (v > kth) top.push(s);
    else if (v === kth) tied.push(s);
  }
  const need = k - top.length;
  if (tied.length > need) tied.sort((a, b) => (bySlot[a]!.recall.recall_id < bySlot[b]!.recall.recall_id ? -1 : 1));
  for (let i = 0; i < need; i++) top.push(tied[i]!);
  return top;
}

const F_MODELS = 1;
const F_GTINS = 2;
/** Exactly one model, not a series pattern. */
const F_ONE_MODEL = 4;

/** Hash of a model key's first 4 characters (the whole key when shorter). */
function headOf(key: string): number {
  let h = 0x811c9dc5;
  const n = Math.min(4, key.length);
  for (let i = 0; i < n; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h | 0;
}

export interface RecallIndex {
  add(recall: Recall): void;
  remove(recallId: string): void;
  readonly size: number;
  /** `opts` is read, never changed, and must not be changed by the caller between calls either (it is merged with the defaults once per object). */
  match(query: RecallQuery, opts?: Partial<RecallMatchOptions>): RecallMatch[];
  /** Scores one (recall, query) pair with the same rules as match(), or null when it does not match at all. */
  scorePair(recallId: string, query: RecallQuery, opts?: Partial<RecallMatchOptions>): RecallMatch | null;
  /** How many recalls match() would look at for this query: the cost driver, bounded whatever the index size. */
  candidateCount(query: RecallQuery, opts?: Partial<RecallMatchOptions>): number;
}

/**
 * A query's vector over one vocabulary: every term (known or not: all count in its norm), unit weights.
 * Plain arrays: a query's vectors live for one match() and a typed array per vector cost more to allocate
 * than the rest of the tokenising (most listings have a dozen terms).
 */
interface QueryVector {
  /** Vocabulary ids, -1 for terms no recall has. */
  readonly ids: readonly number[];
  readonly weights: readonly number[];
}

interface Features {
  title: string;
  gtins: string[];
  models: ModelRef[];
  /** The listing has a model field (not just model-like words in its title). */
  explicitModel: boolean;
  /** Brand keys: the given brand, else known brands found in the title. */
  brands: string[];
  w: QueryVector;
  /** Trigram vector, made on first use (most listings have no candidate that needs it). */
  t: QueryVector | null;
  text: string;
  /** Vocabulary ids of the query's terms with a digit (-1: no recall has it). */
  numberIds: readonly number[];
  /** Brand + title, prepared once for the brand look-ups of every candidate (on first use). */
  hay: BrandHaystack | null;
  brandText: string;
  /** brandRelation()'s answer when the listing names another brand (or BRAND_UNKNOWN when it names none). */
  brandOther: Prelim['brand'];
  /** The brand field as written (null: brands were found in the title). */
  brandRaw: string | null;
  /** The listing's brands as words (nameWords), for the company-name relation (sameCompany); on first use. */
  brandWords: string[][] | null;
  /** headOf() of each model key, for a listing with an explicit model (skippable()). */
  heads: number[] | null;
}

interface Prelim {
  gtin: string | undefined;
  model: { listing: string; recall: string; rel: ModelRelation } | undefined;
  /** ok false + fromTitle: the other brand was only found in the listing title (it may be the product's subject). */
  brand: { ok: boolean | null; listing?: string; fromTitle?: boolean };
  conflict: boolean;
  specific: boolean;
}

/** A query's word vector being counted (queryWords()). */
interface QueryWords {
  ids: number[];
  counts: number[];
  numbers: number[];
  unknown: (string | number)[] | null;
  unknownAt: number[] | null;
}

/** A candidate being scored; `simValue` memoises its similarity. */
interface Cand {
  e: Entry;
  p: Prelim;
  simValue: number | undefined;
}

const BRAND_UNKNOWN: Prelim['brand'] = Object.freeze({ ok: null });

/** A company or brand name as words: ASCII letter/digit runs and runs of other letters ('Punch! Software' -> punch, software). */
export function nameWords(name: string): string[] {
  return halfWidth(name).toLowerCase().match(/[a-z0-9]+|[^\s\p{P}\p{S}a-z0-9]+/gu) ?? [];
}

/**
 * One company written two ways: one name's words begin the other's ('Apple' / 'Apple Computer', 'Sony' /
 * 'Sony Media', 'Punch! Software' / 'Punch Software', 'global-software-publishing' / 'Global Software').
 * Whole words only: '品牌1' is not '品牌12', 'Mi' is not 'Midea'.
 */
export function sameCompany(a: readonly string[], b: readonly string[]): boolean {
  const n = Math.min(a.length, b.length);
  if (n === 0) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function createRecallIndex(): RecallIndex {
  const entries = new Map<string, Entry>();
  const byGtin = new Map<string, Set<Entry>>();
  const byModel = new Map<string, Set<Entry>>();
  /** The model keys (pattern stripped) of entries with a series pattern, for the prefix look-up. */
  const byPatternEntryKey = new Map<string, Set<Entry>>();
  const byModelBase = new Map<string, Set<Entry>>();
  const byBrand = new Map<string, Set<Entry>>();
  const words = new Vocabulary();
  const grams = new Vocabulary();
  /** Word id -> the slots of the entries having it (candidate generation by rare terms). */
  const postings: (number[] | undefined)[] = [];
  const bySlot: (Entry | undefined)[] = [];
  // Per slot, what decides cheaply whether a title-token candidate can matter (see skippable()), kept in
  // typed arrays so rejecting one does not touch the entry object (a cache miss per candidate).
  let slotFlags = new Uint8Array(1024);
  let slotHead = new Int32Array(1024);
  // Weights depend on idf, which changes with every record: an entry's normalised vectors are rebuilt on
  // demand when the index changed since they were built (only entries a query touches pay for it).
  let generation = 0;
  // Entry slots index the per-query accumulator; a removed entry's slot is reused.
  const freeSlots: number[] = [];
  let nextSlot = 0;
  let acc = new Float64Array(1024);
  let stamp = 0;
  // Dense scratch vectors indexed by vocabulary id (zero outside a dot product; see dot()).
  let wScratch = new Float64Array(0);
  let tScratch = new Float64Array(0);
  let wPos = new Int32Array(0);
  let tPos = new Int32Array(0);

  // idf by document frequency, cached while the number of recalls stays the same (same formula, same bits).
  let idfCache = new Float64Array(0);
  let idfCacheSize = -1;
  const idfOf = (df: number): number => {
    if (idfCacheSize !== entries.size) {
      idfCacheSize = entries.size;
      idfCache = new Float64Array(Math.min(idfCacheSize + 2, 4096));
    }
    if (df < idfCache.length) {
      const x = idfCache[df]!;
      if (x) return x;
      return (idfCache[df] = Math.log(1 + (entries.size + 1) / (df + 1)));
    }
    return Math.log(1 + (entries.size + 1) / (df + 1));
  };

  /**
   * Unit TF-IDF weights of `len` terms into v[vOff..] (an entry's typed array, or a new plain array for a
   * query): ids at ids[idOff..] (< 0: a term no recall has), counts at counts[cOff..].
   */
  function weigh<V extends Float64Array | number[]>(v: V, vOff: number, ids: ArrayLike<number>, idOff: number, counts: ArrayLike<number>, cOff: number, len: number, vocab: Vocabulary): V {
    let n = 0;
    for (let i = 0; i < len; i++) {
      const id = ids[idOff + i]!;
      const x = counts[cOff + i]! * idfOf(id < 0 ? 0 : vocab.df[id]!);
      v[vOff + i] = x;
      n += x * x;
    }
    n = Math.sqrt(n);
    if (n > 0) for (let i = 0; i < len; i++) v[vOff + i] = v[vOff + i]! / n;
    return v;
  }

  function vectors(e: Entry): Float64Array {
    if (e.gen !== generation || !e.vec) {
      const v = e.vec ?? new Float64Array(e.nW + e.nT);
      weigh(v, 0, e.packed, 0, e.packed, e.nW, e.nW, words);
      weigh(v, e.nW, e.packed, 2 * e.nW, e.packed, 2 * e.nW + e.nT, e.nT, grams);
      e.vec = v;
      e.gen = generation;
    }
    return e.vec;
  }

  /**
   * Cosine of a query vector and an entry vector (both unit), capped at 1. Sums over the side with fewer
   * terms, in its order, as a Map-based dot product would (so rounding is the same). `scratch` holds the
   * query's weights by id and `pos` the query positions + 1 (filled by prepare()).
   */
  function dot(q: QueryVector, ids: Int32Array, idOff: number, len: number, weights: Float64Array, wOff: number, scratch: Float64Array, pos: Int32Array): number {
    let s = 0;
    if (len < q.ids.length) {
      for (let i = 0; i < len; i++) {
        const y = scratch[ids[idOff + i]!]!;
        if (y) s += weights[wOff + i]! * y;
      }
    } else {
      // Query side is the smaller: sum in the query's order. Products are collected by query position.
      const prod = q.weights.length <= PROD.length ? PROD : (PROD = new Float64Array(q.weights.length * 2));
      prod.fill(0, 0, q.weights.length);
      for (let i = 0; i < len; i++) {
        const p = pos[ids[idOff + i]!]!;
        if (p) prod[p - 1] = q.weights[p - 1]! * weights[wOff + i]!;
      }
      for (let i = 0; i < q.weights.length; i++) if (prod[i]) s += prod[i]!;
    }
    return Math.min(1, s);
  }
  let PROD = new Float64Array(64);

  /** Scatters a query vector into the dense scratch arrays (known terms only). */
  function scatter(q: QueryVector, scratch: Float64Array, pos: Int32Array): void {
    for (let i = 0; i < q.ids.length; i++) {
      const id = q.ids[i]!;
      if (id >= 0) {
        scratch[id] = q.weights[i]!;
        pos[id] = i + 1;
      }
    }
  }
  function unscatter(q: QueryVector | null, scratch: Float64Array, pos: Int32Array): void {
    if (!q) return;
    for (let i = 0; i < q.ids.length; i++) {
      const id = q.ids[i]!;
      if (id >= 0) {
        scratch[id] = 0;
        pos[id] = 0;
      }
    }
  }

  function add(r: Recall): void {
    if (entries.has(r.recall_id)) remove(r.recall_id);
    const gtins = r.gtins.filter(isValidGtin).map(gtin14);
    const models = splitModels(r.models)
      .map((raw): ModelRef => {
        const key = modelKey(raw);
        return { raw, key, lead: leadOf(key) };
      })
      .filter((m) => m.key.length >= 2);
    const brand = r.brand.trim() ? brandKey(r.brand) : '';
    const text = `${r.brand} ${r.product_name} ${r.models.join(' ')}`;
    const w = counted(titleTokens(text));
    const t = counted(trigrams(text));
    const spellings = brand ? [...new Set([...brandSpellings(brand), brandHaystack(r.brand).squeezed])] : [];
    const nW = w.terms.length;
    const nT = t.terms.length;
    const digits = w.terms.flatMap((term, i) => (HAS_DIGIT.test(term) ? [i] : []));
    const packed = new Int32Array(2 * nW + 2 * nT + digits.length);
    w.terms.forEach((term, i) => {
      packed[i] = words.addDoc(term);
      packed[nW + i] = w.counts[i]!;
    });
    t.terms.forEach((g, i) => {
      packed[2 * nW + i] = grams.addDoc(g);
      packed[2 * nW + nT + i] = t.counts[i]!;
    });
    digits.forEach((i, k) => (packed[2 * nW + 2 * nT + k] = packed[i]!));
    const e: Entry = {
      recall: r,
      gtins,
      models,
      hasPattern: models.some((m) => PATTERN_CHARS.test(m.key)),
      brand,
      packed,
      nW,
      nT,
      nN: digits.length,
      brandSpellings: spellings,
      brandWords: nameWords(r.brand),
      brandSame: Object.freeze({ ok: true, listing: brand }),
      brandInTitle: Object.freeze({ ok: true, listing: r.brand }),
      slot: freeSlots.pop() ?? nextSlot++,
      mark: 0,
      gen: -1,
      vec: null,
    };
    generation++;
    entries.set(r.recall_id, e);
    bySlot[e.slot] = e;
    if (e.slot >= slotFlags.length) {
      const n = Math.max(e.slot + 1, slotFlags.length * 2);
      const flags = new Uint8Array(n);
      flags.set(slotFlags);
      slotFlags = flags;
      const heads = new Int32Array(n);
      heads.set(slotHead);
      slotHead = heads;
    }
    const single = models.length === 1 && !e.hasPattern;
    slotFlags[e.slot] = (models.length ? F_MODELS : 0) | (gtins.length ? F_GTINS : 0) | (single ? F_ONE_MODEL : 0);
    slotHead[e.slot] = single ? headOf(models[0]!.key) : 0;
    for (const g of gtins) sparseAdd(byGtin, g, e);
    for (const m of models) {
      sparseAdd(byModel, m.key.replace(/[*?].*$/, ''), e);
      if (e.hasPattern) sparseAdd(byPatternEntryKey, m.key.replace(/[*?].*$/, ''), e);
      const b = baseKey(m.key);
      if (b) sparseAdd(byModelBase, b, e);
    }
    if (brand) sparseAdd(byBrand, brand, e);
    for (let i = 0; i < nW; i++) (postings[packed[i]!] ??= []).push(e.slot);
  }

  function remove(id: string): void {
    const e = entries.get(id);
    if (!e) return;
    entries.delete(id);
    for (const g of e.gtins) sparseDel(byGtin, g, e);
    for (const m of e.models) {
      sparseDel(byModel, m.key.replace(/[*?].*$/, ''), e);
      if (e.hasPattern) sparseDel(byPatternEntryKey, m.key.replace(/[*?].*$/, ''), e);
      const b = baseKey(m.key);
      if (b) sparseDel(byModelBase, b, e);
    }
    if (e.brand) sparseDel(byBrand, e.brand, e);
    freeSlots.push(e.slot);
    bySlot[e.slot] = undefined;
    slotFlags[e.slot] = 0;
    for (let i = 0; i < e.nW; i++) {
      const tid = e.packed[i]!;
      const post = postings[tid];
      if (post) {
        const at = post.indexOf(e.slot);
        if (at >= 0) post.splice(at, 1);
        if (!post.length) postings[tid] = undefined;
      }
      words.removeDoc(tid);
    }
    for (let i = 0; i < e.nT; i++) grams.removeDoc(e.packed[2 * e.nW + i]!);
    generation++;
  }

  function queryVector(terms: readonly string[], counts: readonly number[], vocab: Vocabulary): QueryVector {
    const ids: number[] = [];
    for (let i = 0; i < terms.length; i++) ids.push(vocab.idOf(terms[i]!));
    return { ids, weights: weigh([], 0, ids, 0, counts, 0, ids.length, vocab) };
  }

  function features(q: RecallQuery): Features {
    const title = q.title ?? '';
    const gtins: string[] = [];
    if (q.gtin && isValidGtin(q.gtin)) gtins.push(gtin14(q.gtin));
    // A GTIN in a title is a stand-alone run of 8+ digits: most titles have none, and the extractor's scan
    // (its own normalisation, a look-behind regex) is then skipped.
    if (EIGHT_DIGITS.test(halfWidth(title))) for (const g of extractGtins(title)) if (!gtins.includes(gtin14(g))) gtins.push(gtin14(g));
    const modelRaw = q.model?.trim() || null;
    // The given model first, then model-like runs of the title; the first of each key, none empty.
    const models: ModelRef[] = [];
    if (modelRaw) keepModel(models, modelRaw, modelKey(modelRaw));
    for (const k of modelCandidates(title)) keepModel(models, k, k);
    const explicitModel = modelRaw !== null && models.length > 0 && models[0]!.raw === modelRaw;
    const brands = q.brand?.trim() ? [brandKey(q.brand)] : brandsInText(title);
    const text = `${q.brand ?? ''} ${title} ${q.model ?? ''}`;
    const { w, numberIds } = queryWords(text);
    const fromTitle = !q.brand?.trim();
    const brandOther = brands.length ? { ok: false, listing: brands[0], fromTitle } : BRAND_UNKNOWN;
    let heads: number[] | null = null;
    if (explicitModel) {
      heads = [];
      for (let i = 0; i < models.length; i++) heads.push(headOf(models[i]!.key));
    }
    return { title, gtins, models, explicitModel, heads, brands, brandRaw: fromTitle ? null : q.brand!, brandWords: null, w, t: null, text, numberIds, hay: null, brandText: `${q.brand ?? ''} ${title}`, brandOther };
  }

  /**
   * The query's word vector from its tokens: distinct terms in first-occurrence order with their counts
   * (as counted() gives them), without a Map per query: known terms are counted through wPos (id ->
   * position + 1; cleared again before returning, prepare() fills it), the few terms no recall has through
   * a short list. Also the ids of the terms with a digit (numberConflict()).
   */
  function queryWords(text: string): { w: QueryVector; numberIds: readonly number[] } {
    if (wScratch.length < words.capacity) {
      wScratch = new Float64Array(words.capacity);
      wPos = new Int32Array(words.capacity);
    }
    const q: QueryWords = { ids: [], counts: [], numbers: [], unknown: null, unknownAt: null };
    // The tokens titleTokens() gives, in its order; CJK bigrams looked up by number (pairIdOf).
    const s = tokenText(text);
    for (let i = 0; nextToken(s, i); i = tok.end) {
      const { start, end } = tok;
      if (!tok.han || end - start === 1) {
        const t = s.slice(start, end);
        if (tok.han || !STOP_WORDS.has(t)) countWord(q, words.idOf(t), t, t);
      } else for (let k = start; k + 1 < end; k++) countWord(q, words.pairIdOf(s, k), pairCode(s, k), null);
    }
    for (const id of q.ids) if (id >= 0) wPos[id] = 0;
    return { w: { ids: q.ids, weights: weigh([], 0, q.ids, 0, q.counts, 0, q.ids.length, words) }, numberIds: q.numbers };
  }

  /** One token of a query: `key` tells unknown terms apart (the term, or a bigram's pair code); `term` null for bigrams (no digits). */
  function countWord(q: QueryWords, id: number, key: string | number, term: string | null): void {
    if (id >= 0) {
      const p = wPos[id]!;
      if (p) q.counts[p - 1]!++;
      else {
        wPos[id] = q.ids.length + 1;
        if (term !== null && hasDigit(term)) q.numbers.push(id);
        q.ids.push(id);
        q.counts.push(1);
      }
      return;
    }
    const k = q.unknown ? q.unknown.indexOf(key) : -1;
    if (k >= 0) q.counts[q.unknownAt![k]!]!++;
    else {
      (q.unknown ??= []).push(key);
      (q.unknownAt ??= []).push(q.ids.length);
      if (term !== null && hasDigit(term)) q.numbers.push(-1);
      q.ids.push(-1);
      q.counts.push(1);
    }
  }

  function trigramVector(f: Features): QueryVector {
    if (!f.t) {
      const { terms, counts } = counted(trigrams(f.text));
      f.t = queryVector(terms, counts, grams);
      if (tScratch.length < grams.capacity) {
        tScratch = new Float64Array(grams.capacity);
        tPos = new Int32Array(grams.capacity);
      }
      scatter(f.t, tScratch, tPos);
    }
    return f.t;
  }

  /** Makes the query's vectors usable by dot(); release() must follow before the next query. */
  function prepare(f: Features): void {
    if (wScratch.length < words.capacity) {
      wScratch = new Float64Array(words.capacity);
      wPos = new Int32Array(words.capacity);
    }
    scatter(f.w, wScratch, wPos);
  }
  function release(f: Features): void {
    unscatter(f.w, wScratch, wPos);
    unscatter(f.t, tScratch, tPos);
  }

  /** Title similarity: word/bigram TF-IDF cosine blended with character-trigram TF-IDF cosine, less number conflicts. */
  function similarity(f: Features, e: Entry, o: RecallMatchOptions): number {
    const v = vectors(e);
    const w = o.trigramWeight;
    const sim = (1 - w) * dot(f.w, e.packed, 0, e.nW, v, 0, wScratch, wPos) + (w > 0 ? w * dot(trigramVector(f), e.packed, 2 * e.nW, e.nT, v, e.nW, tScratch, tPos) : 0);
    return o.numberPenalty > 0 ? sim * (1 - o.numberPenalty * numberConflict(f, e)) : sim;
  }

  /** Share of the smaller side's number-bearing tokens the other side lacks (0 when either side has none). */
  function numberConflict(f: Features, e: Entry): number {
    if (!f.numberIds.length || !e.nN) return 0;
    let shared = 0;
    for (const id of f.numberIds) if (id >= 0 && hasWord(e, id)) shared++;
    return 1 - shared / Math.min(f.numberIds.length, e.nN);
  }

  function hasWord(e: Entry, id: number): boolean {
    for (let i = 0; i < e.nW; i++) if (e.packed[i] === id) return true;
    return false;
  }

  function brandRelation(f: Features, e: Entry): Prelim['brand'] {
    if (!e.brand) return BRAND_UNKNOWN;
    if (f.brands.includes(e.brand)) return e.brandSame;
    // The recall's brand spelled in the listing title (a brand we have no alias for).
    if (haystackCarries((f.hay ??= brandHaystack(f.brandText)), e.brandSpellings)) return e.brandInTitle;
    if (e.brandWords.length) for (const words of (f.brandWords ??= f.brandRaw === null ? f.brands.map((b) => [b]) : [nameWords(f.brandRaw)])) if (sameCompany(words, e.brandWords)) return e.brandSame;
    return f.brandOther;
  }

  /**
   * The cheap signals (GTIN, model, brand): decided before any similarity is computed. Null when the
   * candidate can neither match nor take part in the ranking: no GTIN and no model in common while the
   * listing names another model of the line (score() would give 0 and needsSimilarity() false), which is
   * most candidates of a listing with a model; the brand look-up is skipped for them.
   */
  function prelim(e: Entry, f: Features): Prelim | null {
    let gtin: string | undefined;
    if (e.gtins.length) {
      for (const g of f.gtins) {
        if (e.gtins.includes(g)) {
          gtin = g;
          break;
        }
      }
    }
    let model: Prelim['model'];
    let modelRecallKey = '';
    const lms = f.models;
    const rms = e.models;
    for (let i = 0; i < lms.length; i++) {
      const lm = lms[i]!;
      for (let j = 0; j < rms.length; j++) {
        const rm = rms[j]!;
        const rel = compareModelKeys(lm.key, rm.key);
        if (rel && (!model || (rel === 'exact' && model.rel !== 'exact'))) {
          model = { listing: lm.raw, recall: rm.raw, rel };
          modelRecallKey = rm.key;
        }
      }
    }
    // The listing names a model of the same line that is not the recalled one ('A15' vs recall 'A1'):
    // same brand and similar title must not make it a match.
    const conflict = !model && e.models.length > 0 && modelConflict(f, e);
    if (conflict && !gtin) return null;
    const brand = brandRelation(f, e);
    return { gtin, model, brand, conflict, specific: model ? isSpecificModel(modelRecallKey) : false };
  }

  /** Whether the score depends on the title similarity (otherwise it is computed only to explain a match). */
  function needsSimilarity(p: Prelim): boolean {
    if (p.brand.ok === false) return !p.model && !p.gtin && !p.conflict && p.brand.fromTitle === true;
    if (p.model) return !p.specific || !p.brand.ok;
    return !p.gtin && !p.conflict;
  }

  function simOf(c: Cand, f: Features, o: RecallMatchOptions): number {
    return (c.simValue ??= similarity(f, c.e, o));
  }

  /** The similarity the title-driven rules use: match() adjusts it by rank (gap to the best, bonus for the best). */
  function titleSimOf(c: Cand, f: Features, o: RecallMatchOptions, best: number | null): number {
    const x = simOf(c, f, o);
    return best === null ? x : Math.max(0, Math.min(1, x - o.gapPenalty * (best - x) + (x >= best ? o.bestBonus : 0)));
  }

  /**
   * Scores one candidate. The similarity, the costly part, is computed only when the score depends on it or
   * for a match's explanation (simOf memoises it).
   */
  function score(c: Cand, f: Features, q: RecallQuery, o: RecallMatchOptions, best: number | null): RecallMatch | null {
    const { e, p } = c;
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
      else if (!p.specific) ms = brand.ok && simOf(c, f, o) >= 0.5 ? 0.7 : 0; // 'A1': needs brand and a similar title
      else if (brand.ok) ms = model.rel === 'exact' ? 0.95 : model.rel === 'pattern' ? 0.9 : 0.85;
      else ms = (model.rel === 'exact' ? 0.6 : 0.5) + 0.35 * simOf(c, f, o); // brand unknown: the title must agree
      if (ms > 0) {
        matched.push('model');
        s = Math.max(s, ms);
      } else model = undefined;
    }
    if (brand.ok) matched.push('brand');
    // Another brand only named in the listing title ('Microsoft Office training' by another publisher) does
    // not rule the title out, it only keeps the brand bonus away; but the same model under it stays no match.
    if (!gtin && !model && !conflict && (brand.ok !== false || (brand.fromTitle && !p.model))) {
      const t = titleSimOf(c, f, o, best);
      if (brand.ok && t >= o.brandTitleMin) s = 0.45 + 0.5 * t;
      else if (t >= o.titleOnlyMin) s = 0.3 + 0.6 * t;
    }
    if (s < o.minScore || s === 0) return null;
    const sim = simOf(c, f, o);
    if (sim >= 0.3) matched.push('title');
    return {
      recall: e.recall,
      score: Math.round(s * 1000) / 1000,
      matched_on: matched,
      explain: {
        ...(gtin ? { gtin } : {}),
        ...(model ? { model: { listing: model.listing, recall: model.recall } } : {}),
        ...(brand.ok ? { brand: { listing: q.brand?.trim() || brand.listing!, recall: e.recall.brand } } : {}),
        title_similarity: Math.round(sim * 1000) / 1000,
      },
    };
  }

  function modelConflict(f: Features, e: Entry): boolean {
    if (f.explicitModel) return true;
    for (const m of f.models) if (m.lead && e.models.some((rm) => rm.lead === m.lead)) return true;
    return false;
  }

  /** Adds the entries not yet taken for this query (marked with `stamp`). */
  function addAll(ids: Entry[], from: Set<Entry> | undefined): void {
    if (from) for (const e of from) take(ids, e);
  }
  function take(ids: Entry[], e: Entry): void {
    if (e.mark !== stamp) {
      e.mark = stamp;
      ids.push(e);
    }
  }

  function candidates(f: Features, o: RecallMatchOptions): Entry[] {
    stamp++;
    const ids: Entry[] = [];
    for (const g of f.gtins) addAll(ids, byGtin.get(g));
    for (const m of f.models) {
      addAll(ids, byModel.get(m.key));
      addAll(ids, byModelBase.get(m.key));
      const b = baseKey(m.key);
      if (b) {
        addAll(ids, byModel.get(b));
        addAll(ids, byModelBase.get(b));
      }
    }
    // Series patterns ('KFR-35GW/*') are indexed under their literal prefix: look up the query's prefixes
    // (only when some recall has a pattern: the slices and look-ups cost more than the rest of this).
    if (byPatternEntryKey.size) {
      for (const m of f.models) {
        for (let n = 3; n < m.key.length; n++) addAll(ids, byPatternEntryKey.get(m.key.slice(0, n)));
      }
    }
    // Rare title tokens, accumulated by idf: the top candidates by overlap.
    const cap = Math.min(o.maxPosting, Math.max(20, o.maxTokenShare * entries.size));
    const heads = f.heads;
    if (heads) {
      // A listing with its own model: most entries these tokens reach are other models (skippable). When
      // the lists are short enough that every entry they reach is taken anyway (no more than
      // maxCandidates), the overlap ranking is skipped: same candidates, same order (first reached).
      let total = 0;
      for (let i = 0; i < f.w.ids.length; i++) {
        const id = f.w.ids[i]!;
        const post = id < 0 ? undefined : postings[id];
        if (post && post.length <= cap) total += post.length;
      }
      if (total <= o.maxCandidates) {
        for (let i = 0; i < f.w.ids.length; i++) {
          const id = f.w.ids[i]!;
          const post = id < 0 ? undefined : postings[id];
          if (!post || post.length > cap) continue;
          for (let j = 0; j < post.length; j++) {
            const slot = post[j]!;
            if (!skippable(slot, f, heads)) take(ids, bySlot[slot]!);
          }
        }
        return ids;
      }
    }
    if (acc.length < nextSlot) acc = new Float64Array(Math.max(nextSlot, acc.length * 2));
    const touched: number[] = [];
    for (let i = 0; i < f.w.ids.length; i++) {
      const id = f.w.ids[i]!;
      const post = id < 0 ? undefined : postings[id];
      if (!post || post.length > cap) continue;
      const w = idfOf(post.length);
      for (let j = 0; j < post.length; j++) {
        const slot = post[j]!;
        if (acc[slot] === 0) touched.push(slot);
        acc[slot] = acc[slot]! + w;
      }
    }
    if (touched.length) {
      for (const slot of topK(touched, acc, o.maxCandidates, bySlot)) if (!(heads && skippable(slot, f, heads))) take(ids, bySlot[slot]!);
    }
    for (const slot of touched) acc[slot] = 0;
    return ids;
  }

  /**
   * Whether prelim() would return null for the entry in `slot`, decided from the slot arrays alone. Only for
   * a listing with an explicit model (so any entry with models and none in common is a conflict): an entry
   * with exactly one model, no pattern, and no GTIN to share, whose model key starts differently from
   * every listing model key. A model relation needs equal keys or one a prefix of the other of 4+
   * characters (compareModelKeys: suffix variants need a specific model), so equal heads (first 4
   * characters, hashed) are necessary; a hash collision only means the full check runs.
   */
  function skippable(slot: number, f: Features, heads: readonly number[]): boolean {
    const flags = slotFlags[slot]!;
    if (!(flags & F_MODELS) || !(flags & F_ONE_MODEL)) return false;
    if (flags & F_GTINS && f.gtins.length) return false;
    const h = slotHead[slot]!;
    for (const x of heads) if (x === h) return false;
    return true;
  }

  // The detector passes the same options object for every listing: merged with the defaults once.
  let lastOpts: Partial<RecallMatchOptions> | undefined;
  let lastMerged: RecallMatchOptions = DEFAULT_MATCH_OPTIONS;
  function options(opts: Partial<RecallMatchOptions> | undefined): RecallMatchOptions {
    if (!opts) return DEFAULT_MATCH_OPTIONS;
    if (opts !== lastOpts) {
      lastMerged = { ...DEFAULT_MATCH_OPTIONS, ...opts };
      lastOpts = opts;
    }
    return lastMerged;
  }

  return {
    add,
    remove,
    get size() {
      return entries.size;
    },
    match(query, opts) {
      const o = options(opts);
      const f = features(query);
      prepare(f);
      try {
        const out: RecallMatch[] = [];
        const scored: Cand[] = [];
        for (const e of candidates(f, o)) {
          const p = prelim(e, f);
          if (p) scored.push({ e, p, simValue: undefined });
        }
        // The rank adjustment compares title-driven candidates among themselves; a candidate that another
        // brand rules out, or that matches on GTIN / model alone, needs no similarity (the costly part).
        let best = 0;
        for (const c of scored) if (needsSimilarity(c.p)) best = Math.max(best, simOf(c, f, o));
        for (const c of scored) {
          if (c.p.brand.ok === false && !c.p.gtin && !c.p.brand.fromTitle) continue;
          const m = score(c, f, query, o, best);
          if (m) out.push(m);
        }
        return out.sort((a, b) => b.score - a.score || (a.recall.recall_id < b.recall.recall_id ? -1 : 1));
      } finally {
        release(f);
      }
    },
    candidateCount(query, opts) {
      const f = features(query);
      prepare(f);
      try {
        return candidates(f, { ...DEFAULT_MATCH_OPTIONS, ...opts }).length;
      } finally {
        release(f);
      }
    },
    scorePair(recallId, query, opts) {
      const e = entries.get(recallId);
      if (!e) return null;
      const o = { ...DEFAULT_MATCH_OPTIONS, ...opts };
      const f = features(query);
      prepare(f);
      try {
        const p = prelim(e, f);
        return p ? score({ e, p, simValue: undefined }, f, query, o, null) : null;
      } finally {
        release(f);
      }
    },
  };
}
