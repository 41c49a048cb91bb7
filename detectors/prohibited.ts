// prohibited_item: listings offering a product on the configurable prohibited / restricted list
// (ProhibitedItem records from the compacted reference topic: keywords, category, legal basis, severity).
// In: a listing snapshot and refs.prohibited. Out: at most one `prohibited_item` finding per item matched,
// with the matched keyword, the field and an excerpt as evidence and the item's legal basis as reference.
//
// Matching (also used by livestream_risk for its lexicon, hence exported):
// - text and keywords are folded alike: NFKC (full-width -> half-width), lower case, runs of spaces, '-',
//   '_' and '/' to one space, and spaces between two Han characters removed (sellers write '含 汞 体温计' to
//   slip past filters);
// - a keyword edge that is an ASCII letter or digit must sit at a word boundary ('tetramine' not inside
//   'tetramines2', '100瓦灯泡' not inside '1100瓦灯泡'); an English keyword may take a plural 's'/'es'; Han
//   edges need no boundary (Chinese has no spaces), which is why the negation guards matter;
// - negation guards: no match when the keyword is directly preceded by a negation or replacement cue
//   ('无', '不含', '非', '替代', 'no', 'without', 'non', 'replaces' …) or directly followed by one ('-free',
//   'free', 'equivalent', '替代品' …): '无汞体温计', 'mercury-free', '可替代100瓦灯泡的LED灯' are not offers of
//   the prohibited product;
// - item.category is the item's product group; listing categories are finer ids, so it is evidence, not a
//   filter, unless `requireCategory` is set.
// Cost: the compiled keyword list is cached per refs.prohibited.version; per listing, one indexOf per
// keyword over the folded text (the list is hundreds of keywords, not millions).
import { z } from 'zod';
import type { ProhibitedItem } from '../pipeline/contracts/index.ts';
import { halfWidth } from './text.ts';
import { defineDetector, type DetectorFinding, type KeyedView } from './types.ts';

const HAN = /\p{Script=Han}/u;
const ASCII_ALNUM = /[a-z0-9]/;

/** The folding text and terms go through before matching (see the header). */
export function foldForMatch(text: string): string {
  return halfWidth(text)
    .toLowerCase()
    .replace(/[\s\-_/]+/g, ' ')
    .replace(/(\p{Script=Han}) (?=\p{Script=Han})/gu, '$1')
    .trim();
}

export interface TermGuards {
  /** Cues that, directly before the term, negate it. */
  readonly before: readonly string[];
  /** Cues that, directly after the term, negate it (or make it another word: '第一' + '次'). */
  readonly after: readonly string[];
}

/** Negation and replacement cues for product terms, Chinese and English (folded). */
export const NEGATION_GUARDS: TermGuards = {
  before: ['不含', '不带', '不使用', '未使用', '未添加', '零添加', '无', '非', '不是', '拒绝', '告别', '替代', '代替', '取代', '替换', '可替代', '区别于', '不同于', 'no', 'not', 'non', 'without', 'free of', 'replaces', 'replace', 'replacement for', 'alternative to', 'instead of'],
  after: ['free', '替代品', '替代', '替换', 'equivalent', 'replacement', 'alternative'],
};

export interface CompiledTerm {
  /** As configured. */
  readonly raw: string;
  readonly folded: string;
  readonly guards: TermGuards;
  /** English keyword: allow a plural 's'/'es'. */
  readonly plural: boolean;
}

export function compileTerm(raw: string, guards: TermGuards = NEGATION_GUARDS): CompiledTerm | null {
  const folded = foldForMatch(raw);
  if (!folded) return null;
  return {
    raw,
    folded,
    guards: { before: guards.before.map(foldForMatch), after: guards.after.map(foldForMatch) },
    plural: /[a-z]$/.test(folded) && !HAN.test(folded),
  };
}

export interface TermHit {
  readonly index: number;
  readonly length: number;
}

function endsWithCue(prefix: string, cue: string): boolean {
  const p = prefix.trimEnd();
  if (!p.endsWith(cue)) return false;
  // An ASCII cue must be a whole word: 'piano' does not end with the cue 'no'.
  const before = p.charAt(p.length - cue.length - 1);
  return !(ASCII_ALNUM.test(cue.charAt(0)) && ASCII_ALNUM.test(before));
}

function startsWithCue(suffix: string, cue: string): boolean {
  const s = suffix.trimStart();
  if (!s.startsWith(cue)) return false;
  const after = s.charAt(cue.length);
  return !(ASCII_ALNUM.test(cue.charAt(cue.length - 1)) && ASCII_ALNUM.test(after));
}

/** First un-negated occurrence of `term` in already-folded text, or null. */
export function findTerm(folded: string, term: CompiledTerm): TermHit | null {
  const t = term.folded;
  const leftNeedsBoundary = ASCII_ALNUM.test(t.charAt(0));
  const rightNeedsBoundary = ASCII_ALNUM.test(t.charAt(t.length - 1));
  for (let from = 0; ; ) {
    const i = folded.indexOf(t, from);
    if (i < 0) return null;
    from = i + 1;
    let end = i + t.length;
    if (leftNeedsBoundary && ASCII_ALNUM.test(folded.charAt(i - 1))) continue;
    if (rightNeedsBoundary && ASCII_ALNUM.test(folded.charAt(end))) {
      if (!term.plural) continue;
      const rest = folded.slice(end, end + 3);
      const m = /^(es|s)(?![a-z0-9])/.exec(rest);
      if (!m) continue;
      end += m[1]!.length;
    }
    const before = folded.slice(Math.max(0, i - 24), i);
    const after = folded.slice(end, end + 24);
    if (term.guards.before.some((c) => endsWithCue(before, c))) continue;
    if (term.guards.after.some((c) => startsWithCue(after, c))) continue;
    return { index: i, length: end - i };
  }
}

/** Up to `radius` characters either side of a hit, marked with ‹›. */
export function excerpt(folded: string, hit: TermHit, radius = 24): string {
  const a = Math.max(0, hit.index - radius);
  const b = Math.min(folded.length, hit.index + hit.length + radius);
  return `${a > 0 ? '…' : ''}${folded.slice(a, hit.index)}‹${folded.slice(hit.index, hit.index + hit.length)}›${folded.slice(hit.index + hit.length, b)}${b < folded.length ? '…' : ''}`;
}

export const prohibitedConfigSchema = z.strictObject({
  /** Only match an item when the listing's category equals item.category (when both are set). @default false */
  requireCategory: z.boolean().default(false),
  /** Also search attribute keys and values ('材质: 温石棉'). @default true */
  matchAttributes: z.boolean().default(true),
});

interface CompiledItem {
  readonly item: ProhibitedItem;
  readonly terms: CompiledTerm[];
}

export const prohibitedItemDetector = defineDetector({
  name: 'prohibited_item',
  description: 'listings offering a product on the prohibited / restricted list (keywords, CJK-aware, negation guards)',
  subjects: ['listing'],
  configSchema: prohibitedConfigSchema,
  rules: ['prohibited_item'],
  create(cfg) {
    let cache: { view: KeyedView<ProhibitedItem>; version: number; items: CompiledItem[] } | null = null;
    const compiled = (view: KeyedView<ProhibitedItem>): CompiledItem[] => {
      if (cache?.view !== view || cache.version !== view.version) {
        const items: CompiledItem[] = [];
        for (const item of view.values()) {
          const terms = item.keywords.map((k) => compileTerm(k)).filter((t): t is CompiledTerm => t !== null);
          if (terms.length) items.push({ item, terms });
        }
        items.sort((a, b) => (a.item.item_id < b.item.item_id ? -1 : 1)); // deterministic order of findings
        cache = { view, version: view.version, items };
      }
      return cache.items;
    };

    return (subject, refs) => {
      if (subject.kind !== 'listing') return [];
      const s = subject.snapshot;
      const items = compiled(refs.prohibited);
      if (items.length === 0) return [];
      const fields: { field: string; folded: string }[] = [{ field: 'title', folded: foldForMatch(s.title) }];
      if (cfg.matchAttributes) {
        for (const [k, v] of Object.entries(s.attributes)) fields.push({ field: `attributes.${k}`, folded: foldForMatch(`${k}: ${v}`) });
      }
      const out: DetectorFinding[] = [];
      for (const { item, terms } of items) {
        if (cfg.requireCategory && item.category && s.category && item.category !== s.category) continue;
        let found: { field: string; term: CompiledTerm; folded: string; hit: TermHit } | null = null;
        for (const f of fields) {
          for (const term of terms) {
            const hit = findTerm(f.folded, term);
            if (hit) {
              found = { field: f.field, term, folded: f.folded, hit };
              break;
            }
          }
          if (found) break;
        }
        if (!found) continue;
        out.push({
          rule_id: 'prohibited_item',
          score: found.field === 'title' ? 0.9 : 0.8,
          severity: item.severity,
          summary: `listing offers ${item.name} (prohibited item ${item.item_id}): keyword "${found.term.raw}" in ${found.field}`,
          evidence: {
            observed: { field: found.field, keyword: found.term.raw, excerpt: excerpt(found.folded, found.hit), category: s.category },
            reference: { item_id: item.item_id, name: item.name, category: item.category, basis: item.basis, keywords: item.keywords },
          },
          evidence_key: item.item_id,
        });
      }
      return out;
    };
  },
});
