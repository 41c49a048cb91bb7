// livestream_risk: high-risk livestream selling.
// In: livestream snapshots (room samples: product card + transcript since the previous sample), and listing
// snapshots, which it only remembers (price, category, CCC numbers by listing id) to compare rooms with.
// Out: findings with the transcript excerpt as evidence:
// - `absolute_claim`: absolute terms in what the host says or the card shows. Advertising Law art. 9(3)
//   names 国家级, 最高级, 最佳 ("and the like"): those entries are `statutory: true`; the longer lists
//   platforms enforce (第一, 唯一, 顶级, 销量冠军, 全网最低 …) are practice, `statutory: false`, and
//   configurable. Each entry may list words that, following it, make it another word ('第一次', '第一时间').
//   One finding per term, severity high for a statutory term, medium otherwise; evidence_key = the term, so
//   the same claim heard again in later samples of the room gives the same alert.
// - `room_price_mismatch`: the price the room claims (card price, else the number in the claimed price
//   text) is far from the price of the listing the card links to, as last seen on the listing's page.
// - `room_ccc_missing`: the card sells goods of a CCC-required category (the listing's category, from the
//   shared catalogue; for a listing page without a category, the CCC codes the certificate register gives
//   its model, as certificate_mismatch does) and neither the card nor the listing shows a certificate number.
// Nothing is claimed about a listing this detector has not seen (no price, no category: no finding).
//
// State: the listing memory is a ListingMemory the stage may pass in deps (`listingMemory`, e.g. shared by
// several detect instances); without one, create() makes its own (bounded, least recently seen evicted).
// ProductCard carries the listing id but not its platform, so the memory is keyed by listing id alone (the
// most recent listing with that id wins). With several detect instances, a room and its listings may be
// handled by different instances: then pass a shared memory, or this detector's price and CCC rules stay
// silent for those rooms (never wrong, only blind).
import { z } from 'zod';
import type { LivestreamSnapshot } from '../pipeline/contracts/index.ts';
import { compileTerm, excerpt, findTerm, foldForMatch, type CompiledTerm, type TermGuards } from './prohibited.ts';
import { createRegisterProductLookup } from './certificate-mismatch.ts';
import { cccCodesForCategory } from './reference/ccc-catalogue.ts';
import { halfWidth } from './text.ts';
import { defineDetector, type DetectorDeps, type DetectorFinding } from './types.ts';

const lexiconEntry = z.strictObject({
  term: z.string().min(1).max(100),
  /** Named by Advertising Law art. 9(3) itself (not platform practice). */
  statutory: z.boolean(),
  /** Words that, directly after the term, make it something else ('第一' + '次'). */
  notFollowedBy: z.array(z.string().min(1)).default([]),
});
export type LexiconEntry = z.infer<typeof lexiconEntry>;

/** Art. 9(3): "不得使用'国家级'、'最高级'、'最佳'等用语". */
export const STATUTORY_TERMS: readonly LexiconEntry[] = [
  { term: '国家级', statutory: true, notFollowedBy: [] },
  { term: '最高级', statutory: true, notFollowedBy: [] },
  { term: '最佳', statutory: true, notFollowedBy: ['赏味期', '食用期'] },
];

/** Platform practice (not statute): terms platforms and regulators' guidance treat as absolute. */
export const PRACTICE_TERMS: readonly LexiconEntry[] = [
  { term: '第一', statutory: false, notFollowedBy: ['次', '时间', '步', '天', '批', '件', '眼', '期', '季', '届', '章', '集', '条', '波', '单', '轮', '位', '个', '层', '排', '页', '部分'] },
  { term: '唯一', statutory: false, notFollowedBy: ['的缺点', '缺点', '的问题', '的区别', '区别', '不足'] },
  { term: '顶级', statutory: false, notFollowedBy: [] },
  { term: '销量冠军', statutory: false, notFollowedBy: [] },
  { term: '全网最低', statutory: false, notFollowedBy: [] },
  { term: '史上最低', statutory: false, notFollowedBy: [] },
  { term: '最低价', statutory: false, notFollowedBy: [] },
  { term: '独一无二', statutory: false, notFollowedBy: [] },
  { term: '绝无仅有', statutory: false, notFollowedBy: [] },
  { term: '万能', statutory: false, notFollowedBy: ['表'] },
  { term: '100%有效', statutory: false, notFollowedBy: [] },
];

const ADVERTISING_LAW_9_3 = '《广告法》第九条第（三）项：不得使用“国家级”“最高级”“最佳”等用语';

/** Cues that, before a term, show the host is not making the claim ('不是第一', '不敢说最佳'). */
const CLAIM_GUARDS_BEFORE = ['不是', '并非', '不敢说', '不能说', '不可以说', '不说', '禁止说', '不叫'];

export const livestreamRiskConfigSchema = z.strictObject({
  /** Absolute-claim lexicon. @default statutory (art. 9(3)) + practice terms */
  lexicon: z.array(lexiconEntry).min(1).default([...STATUTORY_TERMS, ...PRACTICE_TERMS]),
  /** Also look for claims on the product card (title, claimed price text, discount). @default true */
  scanCard: z.boolean().default(true),
  /** room_price_mismatch when room price / listing price is below 1 − this, or above 1 / (1 − this). @default 0.2 */
  priceDeviation: z.number().gt(0).lt(1).default(0.2),
  /** Check CCC-required goods sold without a certificate number. @default true */
  checkCertificate: z.boolean().default(true),
  /** Transcript lines quoted in evidence at most. @default 5 */
  maxExcerptLines: z.number().int().min(1).max(50).default(5),
  /** Listings remembered (by listing id) when no shared memory is given. @default 500000 */
  maxListings: z.number().int().min(1).default(500_000),
});
export type LivestreamRiskConfig = z.infer<typeof livestreamRiskConfigSchema>;

/** What the detector remembers about a listing, to compare a room's card with. */
export interface ListingFacts {
  readonly platform: string;
  readonly price: number | null;
  readonly currency: string | null;
  readonly category: string | null;
  /** No category on the page: the CCC codes the certificate register gives its model (certificate_mismatch's lookup). */
  readonly register_ccc_codes?: readonly string[];
  readonly ccc_numbers: readonly string[];
  readonly fetched_at: string;
  readonly url: string;
}

export interface ListingMemory {
  get(listingId: string): ListingFacts | undefined;
  set(listingId: string, facts: ListingFacts): void;
}

export function createListingMemory(max = 500_000): ListingMemory {
  const map = new Map<string, ListingFacts>();
  return {
    get: (id) => map.get(id),
    set(id, facts) {
      map.delete(id);
      if (map.size >= max) map.delete(map.keys().next().value!);
      map.set(id, facts);
    },
  };
}

export interface LivestreamRiskDeps {
  readonly listingMemory?: ListingMemory;
}

const PRICE_NUMBER = /([¥￥]\s*)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(万)?\s*(元|块)?/g;
const NOT_A_PRICE_AFTER = /^\s*(?:折|%|件|个|天|年|月|日|号|小时|分钟|秒|人|单|台|瓦|w\b|kg|g\b|ml|l\b|cm|mm|m\b|米|寸|英寸|升|克|斤)/i;

/** The price a text claims ('直播间到手价 399 元' -> 399, '全网最低 ¥1,299' -> 1299, '5折' -> null). */
export function parseClaimedPrice(text: string | null | undefined): number | null {
  if (!text) return null;
  const t = halfWidth(text);
  let first: number | null = null;
  for (const m of t.matchAll(PRICE_NUMBER)) {
    const after = t.slice(m.index + m[0].length);
    const marked = Boolean(m[1] || m[5]);
    if (!marked && !m[4] && NOT_A_PRICE_AFTER.test(after)) continue;
    const value = Number(m[2]!.replace(/,/g, '') + (m[3] ?? '')) * (m[4] ? 10_000 : 1);
    if (!Number.isFinite(value) || value <= 0) continue;
    if (marked) return value;
    first ??= value;
  }
  return first;
}

interface CompiledEntry {
  readonly entry: LexiconEntry;
  readonly term: CompiledTerm;
}

interface ClaimHit {
  term: string;
  statutory: boolean;
  source: string;
  at: string | null;
  excerpt: string;
}

export const livestreamRisk = defineDetector({
  name: 'livestream_risk',
  description: 'livestream selling: absolute claims (Advertising Law art. 9(3) + practice lexicon), room price far from the listing, CCC goods without certificate',
  subjects: ['listing', 'livestream'],
  configSchema: livestreamRiskConfigSchema,
  rules: ['absolute_claim', 'room_price_mismatch', 'room_ccc_missing'],
  create(cfg, deps: DetectorDeps & LivestreamRiskDeps) {
    const memory = deps.listingMemory ?? createListingMemory(cfg.maxListings);
    const registerProduct = createRegisterProductLookup();
    const lexicon: CompiledEntry[] = cfg.lexicon.flatMap((entry) => {
      const guards: TermGuards = { before: CLAIM_GUARDS_BEFORE, after: entry.notFollowedBy };
      const term = compileTerm(entry.term, guards);
      return term ? [{ entry, term }] : [];
    });

    const claims = (s: LivestreamSnapshot): ClaimHit[] => {
      const sources: { source: string; at: string | null; text: string }[] = s.transcript.map((l) => ({ source: 'transcript', at: l.at, text: l.text }));
      if (cfg.scanCard && s.product) {
        sources.push({ source: 'card.title', at: null, text: s.product.title });
        if (s.product.claimed_price_text) sources.push({ source: 'card.claimed_price_text', at: null, text: s.product.claimed_price_text });
        if (s.product.claimed_discount) sources.push({ source: 'card.claimed_discount', at: null, text: s.product.claimed_discount });
      }
      const hits: ClaimHit[] = [];
      for (const src of sources) {
        const folded = foldForMatch(src.text);
        for (const { entry, term } of lexicon) {
          const hit = findTerm(folded, term);
          if (hit) hits.push({ term: entry.term, statutory: entry.statutory, source: src.source, at: src.at, excerpt: excerpt(folded, hit, 40) });
        }
      }
      return hits;
    };

    const quoteLines = (s: LivestreamSnapshot, pred: (text: string) => boolean) =>
      s.transcript
        .filter((l) => pred(l.text))
        .slice(0, cfg.maxExcerptLines)
        .map((l) => ({ at: l.at, text: l.text.length > 200 ? l.text.slice(0, 200) + '…' : l.text }));

    return (subject, refs) => {
      if (subject.kind === 'listing') {
        const l = subject.snapshot;
        // Only a listing that shows no certificate can make a room_ccc_missing; only then is the register asked.
        const fromRegister = cfg.checkCertificate && l.category === null && l.ccc_numbers.length === 0 && refs.certificates.size > 0 ? registerProduct(l, refs.certificates) : null;
        memory.set(l.listing_id, { platform: l.platform, price: l.price, currency: l.currency, category: l.category, ...(fromRegister ? { register_ccc_codes: fromRegister.codes } : {}), ccc_numbers: l.ccc_numbers, fetched_at: l.fetched_at, url: l.url });
        return [];
      }
      const s = subject.snapshot;
      const out: DetectorFinding[] = [];

      // One finding per term: the same term heard again in a later sample is the same alert (evidence_key =
      // the term), whichever other terms that sample happens to contain.
      const hits = claims(s);
      const terms = [...new Set(hits.map((h) => h.term))].sort();
      for (const term of terms) {
        const own = hits.filter((h) => h.term === term);
        const statutory = own[0]!.statutory;
        out.push({
          rule_id: 'absolute_claim',
          score: statutory ? 0.9 : 0.7,
          severity: statutory ? 'high' : 'medium',
          summary: `host or card uses the absolute term "${term}" (${statutory ? 'statutory: Advertising Law art. 9(3)' : 'platform practice, not statutory'})`,
          evidence: {
            observed: {
              term,
              excerpts: own.slice(0, cfg.maxExcerptLines).map((h) => ({ source: h.source, at: h.at, excerpt: h.excerpt })),
              other_terms: terms.filter((t) => t !== term),
              host: s.host.name,
              viewer_count: s.viewer_count,
            },
            reference: {
              statutory,
              basis: statutory ? ADVERTISING_LAW_9_3 : 'platform practice lexicon (configurable; not named by statute)',
            },
          },
          evidence_key: term,
        });
      }

      const card = s.product;
      const listing = card?.listing_id ? memory.get(card.listing_id) : undefined;
      if (card && listing) {
        const roomPrice = card.price ?? parseClaimedPrice(card.claimed_price_text);
        const sameCurrency = !card.currency || !listing.currency || card.currency === listing.currency;
        if (roomPrice !== null && roomPrice > 0 && listing.price !== null && listing.price > 0 && sameCurrency) {
          const ratio = roomPrice / listing.price;
          const lo = 1 - cfg.priceDeviation;
          if (ratio < lo || ratio > 1 / lo) {
            const roomText = String(roomPrice);
            out.push({
              rule_id: 'room_price_mismatch',
              score: Math.min(1, 0.6 + Math.abs(Math.log(ratio))),
              severity: 'medium',
              summary: `room claims ${roomPrice} for listing ${card.listing_id}, whose page shows ${listing.price} (×${ratio.toFixed(2)})`,
              evidence: {
                observed: {
                  room_price: roomPrice,
                  claimed_price_text: card.claimed_price_text,
                  claimed_discount: card.claimed_discount,
                  transcript: quoteLines(s, (t) => halfWidth(t).includes(roomText)),
                  ratio: Math.round(ratio * 1000) / 1000,
                },
                reference: { listing_id: card.listing_id, listing_platform: listing.platform, listing_price: listing.price, listing_url: listing.url, listing_fetched_at: listing.fetched_at, max_deviation: cfg.priceDeviation },
              },
              evidence_key: `${card.listing_id}|${roomPrice}|${listing.price}`,
            });
          }
        }
        const codes = listing.category !== null ? cccCodesForCategory(listing.category) : [...(listing.register_ccc_codes ?? [])];
        const shown = (xs: readonly string[]) => xs.some((x) => x.trim().length > 0);
        if (cfg.checkCertificate && codes.length && !shown(card.ccc_numbers) && !shown(listing.ccc_numbers)) {
          out.push({
            rule_id: 'room_ccc_missing',
            score: 0.8,
            severity: 'high',
            summary: `room sells ${listing.category ?? `${card.model ?? card.title} (CCC per the certificate register)`} (CCC ${codes.join('/')} required) from listing ${card.listing_id}; neither the card nor the listing shows a CCC certificate`,
            evidence: {
              observed: { card_title: card.title, card_ccc_numbers: card.ccc_numbers, listing_ccc_numbers: [...listing.ccc_numbers], transcript: quoteLines(s, (t) => !!card.model && t.includes(card.model)) },
              reference: { category: listing.category, ...(listing.category === null ? { ccc_codes_from: 'certificate register' } : {}), ccc_codes: codes, listing_id: card.listing_id, listing_url: listing.url },
            },
            evidence_key: card.listing_id!,
          });
        }
      }
      return out;
    };
  },
});
