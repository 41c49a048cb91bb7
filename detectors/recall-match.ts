// Detector `recall_match`: a listing (or the product card of a livestream) that sells a recalled product.
// In: the snapshot's title, brand, model, GTIN; the recalls view with its inverted index
// (detectors/recall-index.ts). Out: one finding `recalled_product` per matching recall (evidence_key =
// recall_id), explaining which fields matched (gtin / model / brand / title), the values and the title
// similarity, and what the recall says (defect, hazard, notice id, date). A model with a set-apart letter
// suffix that matched nothing is looked up again without it (evidence: model_without_suffix).
import { z } from 'zod';
import type { Severity } from '../pipeline/contracts/index.ts';
import { DEFAULT_MATCH_OPTIONS } from './recall-index.ts';
import { baseOfSuffixedModel } from './model-suffix.ts';
import { defineDetector, type DetectorFinding, type RecallQuery, type ReferenceView, type Subject } from './types.ts';

const configSchema = z.strictObject({
  /** Minimum match score (0..1) for a finding. @default 0.6 */
  minScore: z.number().min(0).max(1).default(DEFAULT_MATCH_OPTIONS.minScore),
  /** Title-only matches need at least this cosine similarity. @default 0.8 */
  titleOnlyMin: z.number().min(0).max(1).default(DEFAULT_MATCH_OPTIONS.titleOnlyMin),
  /** Most findings per snapshot (best first). @default 3 */
  maxFindings: z.number().int().min(1).max(100).default(3),
});

export type RecallMatchConfig = z.infer<typeof configSchema>;

/**
 * What recall_match looks up for a subject: the listing's title, brand, model and GTIN, or a livestream's
 * product card; null when there is nothing to look up (a room without a product). The detect stage sends
 * only this to the thread that holds the recall index (detect-worker.ts), so it is the detector's whole input.
 */
export function recallQueryOf(subject: Subject): RecallQuery | null {
  if (subject.kind === 'listing') {
    const l = subject.snapshot;
    return { title: l.title, brand: l.brand, model: l.model, gtin: l.gtin };
  }
  const p = subject.snapshot.product;
  return p ? { title: p.title, brand: p.brand || null, model: p.model, gtin: null } : null;
}

/** recall_match on a query (recallQueryOf()): its findings. */
export function createRecallFinder(config: RecallMatchConfig): (query: RecallQuery, refs: ReferenceView) => DetectorFinding[] {
  // One object for every listing (the index merges it with its defaults once).
  const opts = { minScore: config.minScore, titleOnlyMin: config.titleOnlyMin };
  return (query, refs) => {
    if (refs.recalls.size === 0) return [];
    let matches = refs.recalls.match(query, opts);
    // 'GD84-43S-W', 'BD93-52APro': a set-apart letter suffix the model keys cannot tell from the model
    // itself (model-suffix.ts). Only when nothing matched, look the base model up too.
    let lookedUp: string | null = null;
    const base = matches.length === 0 && query.model ? baseOfSuffixedModel(query.model) : null;
    if (base) {
      matches = refs.recalls.match({ ...query, model: base }, opts);
      if (matches.length) lookedUp = base;
    }
    matches = matches.slice(0, config.maxFindings);
    return matches.map((m): DetectorFinding => {
      const r = m.recall;
      const severity: Severity = m.score >= 0.9 ? 'high' : m.score >= 0.75 ? 'medium' : 'low';
      return {
        rule_id: 'recalled_product',
        score: m.score,
        severity,
        summary: `matches recall ${r.recall_id} (${r.brand} ${r.product_name}) on ${m.matched_on.join(', ')}`,
        evidence_key: r.recall_id,
        evidence: {
          observed: JSON.parse(JSON.stringify({ title: query.title, brand: query.brand ?? null, model: query.model ?? null, ...(lookedUp ? { model_without_suffix: lookedUp } : {}), gtin: query.gtin ?? null, matched_on: m.matched_on, match: m.explain })),
          reference: { recall_id: r.recall_id, published_on: r.published_on, brand: r.brand, product_name: r.product_name, models: r.models.slice(0, 50), defect: r.defect, hazard: r.hazard, jurisdiction: r.jurisdiction, url: r.url },
        },
      };
    });
  };
}

export const recallMatch = defineDetector({
  name: 'recall_match',
  description: 'Listings and livestream products that match a recall notice (GTIN, model, brand aliases, title similarity)',
  subjects: ['listing', 'livestream'],
  configSchema,
  rules: ['recalled_product'],
  create(config) {
    const find = createRecallFinder(config);
    return (subject, refs) => {
      const query = recallQueryOf(subject);
      return query ? find(query, refs) : [];
    };
  },
});
