// Loose rows for the analysts' batch tools (`shelfwatch match-recalls`): any CSV / JSON / NDJSON with at
// least an id and a title or product name per row. Columns are found by name, case and punctuation
// ignored ('Recall Number', 'recall_id', 'Name of product', 'UPCs' ...). Brand, model and GTIN columns are
// used when present; otherwise they are pulled from the text (models from 'Model ...' phrases of a
// description, GTINs from stand-alone check-digit-valid numbers). In: raw records. Out: Recall records for
// the recall index and RecallQuery values for listings, or the reason a row is unusable.
import { extractGtins, isValidGtin } from '../../crawlers/normalize/identifiers.ts';
import type { Recall } from '../../pipeline/contracts/index.ts';
import { splitModels } from '../recall-index.ts';
import { halfWidth } from '../text.ts';
import type { RecallQuery } from '../types.ts';

const ALIASES = {
  id: ['recallid', 'id', 'recallnumber', 'alertnumber', 'noticeid', 'number', 'listingid', 'productid', 'sku'],
  title: ['title', 'producttitle', 'productname', 'nameofproduct', 'name', 'recallheading', 'itemname'],
  extraTitle: ['productdescription'],
  brand: ['brand', 'brandname', 'manufacturer', 'manufacturers', 'maker'],
  model: ['model', 'models', 'modelnumber', 'modelnumbers', 'modeltypenumber', 'modelno'],
  gtin: ['gtin', 'gtins', 'upc', 'upcs', 'ean', 'barcode', 'barcodes'],
  description: ['description'],
  date: ['date', 'publishedon', 'recalldate'],
  price: ['price', 'listprice', 'unitprice', 'saleprice'],
} as const;

const normKey = (k: string) => k.toLowerCase().replace(/[^a-z0-9]/g, '');

function pick(rec: Record<string, unknown>, names: readonly string[]): unknown {
  const byNorm = new Map(Object.entries(rec).map(([k, v]) => [normKey(k), v]));
  for (const n of names) {
    const v = byNorm.get(n);
    if (v !== undefined && v !== null && !(typeof v === 'string' && !v.trim()) && !(Array.isArray(v) && !v.length)) return v;
  }
  return undefined;
}

const text = (v: unknown): string => (v === undefined || v === null ? '' : Array.isArray(v) ? v.map(String).join(', ') : String(v)).replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&').trim();
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : text(v) ? [text(v)] : []);

/**
 * Model numbers named in free text: 'model number ES15-BB-TA', 'Models 1234A, 1235B and 1236C',
 * 'model numbers: KF-100/KF-200'. Only tokens with a digit count (a model phrase is followed by words too).
 */
export function modelsFromText(raw: string): string[] {
  const s = halfWidth(raw);
  const out = new Set<string>();
  const sep = String.raw`\s*(?:,\s*(?:and|or)\b|,|;|\band\b|\bor\b|&)\s*`;
  const item = String.raw`[A-Z0-9][A-Za-z0-9\-/.]*[A-Za-z0-9]`;
  const re = new RegExp(String.raw`\b(?:model|item|style|sku|part)s?\s*(?:numbers?|nos?\.?|#)?\s*(?:is|are|include|includes|starting with|beginning with)?\s*[:#]?\s*(${item}(?:${sep}${item})*)`, 'gi');
  for (const m of s.matchAll(re)) {
    // 'model numbers starting with FAB38U': a series, matched as the pattern 'FAB38U*'.
    const series = /starting with|beginning with/i.test(m[0]);
    for (const part of m[1]!.split(new RegExp(sep, 'i'))) {
      const t = part.replace(/[.]$/, '');
      if (/\d/.test(t) && t.length >= 2 && !/^\d{8,14}$/.test(t)) out.add(series ? `${t}*` : t);
    }
  }
  return [...out];
}

export type Loose<T> = { ok: true; value: T } | { ok: false; reason: string };

export function looseRecall(rec: Record<string, unknown>): Loose<Recall> {
  const id = text(pick(rec, ALIASES.id));
  const title = [text(pick(rec, ALIASES.title)), text(pick(rec, ALIASES.extraTitle))].filter(Boolean).join(' ');
  if (!id) return { ok: false, reason: `no id column (one of: ${ALIASES.id.join(', ')})` };
  if (!title) return { ok: false, reason: `no title / product name (one of: ${ALIASES.title.join(', ')})` };
  const description = text(pick(rec, ALIASES.description));
  const modelCol = pick(rec, ALIASES.model);
  const models = modelCol !== undefined ? splitModels(list(modelCol)) : modelsFromText(`${title} ${description}`);
  const gtinCol = pick(rec, ALIASES.gtin);
  const gtins = (gtinCol !== undefined ? list(gtinCol).flatMap((g) => g.split(/[,;|\s]+/)) : extractGtins(description))
    .map((g) => g.replace(/\D/g, ''))
    .filter((g) => isValidGtin(g));
  const date = text(pick(rec, ALIASES.date));
  return {
    ok: true,
    value: {
      schema_version: 1,
      updated_at: '1970-01-01T00:00:00.000Z',
      recall_id: id,
      published_on: /^\d{4}-\d{2}-\d{2}/.test(date) ? date.slice(0, 10) : '1970-01-01',
      producer: text(pick(rec, ALIASES.brand)) || '-',
      producer_credit_code: null,
      // A manufacturer column often reads 'Secop GmbH, of Germany (compressors); ...': the first name is the brand.
      brand: text(pick(rec, ['brand', 'brandname'])) || (text(pick(rec, ALIASES.brand)).split(/[,;(]|\bof\b/)[0] ?? '').trim(),
      product_name: title,
      models,
      gtins: [...new Set(gtins)],
      batches: [],
      production_from: null,
      production_to: null,
      defect: '',
      hazard: '',
      jurisdiction: 'CN',
      url: null,
    },
  };
}

/**
 * A row's price, when it has a price column holding a positive number ('29.99', '$1,299.00', 'USD 5');
 * null otherwise (no column, empty, 0 = unknown in many exports). Batch matching only: recall notices carry
 * no price, the stream never uses it.
 */
export function loosePrice(rec: Record<string, unknown>): number | null {
  const raw = pick(rec, ALIASES.price);
  if (raw === undefined) return null;
  const x = typeof raw === 'number' ? raw : Number(/\d[\d,]*(?:\.\d+)?/.exec(text(raw))?.[0]?.replace(/,/g, '') ?? NaN);
  return Number.isFinite(x) && x > 0 ? x : null;
}

export function looseListing(rec: Record<string, unknown>): Loose<{ id: string; query: RecallQuery; price: number | null }> {
  const id = text(pick(rec, ALIASES.id));
  const title = text(pick(rec, ALIASES.title));
  if (!id) return { ok: false, reason: `no id column (one of: ${ALIASES.id.join(', ')})` };
  if (!title) return { ok: false, reason: `no title / product name (one of: ${ALIASES.title.join(', ')})` };
  const gtin = list(pick(rec, ALIASES.gtin))
    .map((g) => g.replace(/\D/g, ''))
    .find((g) => isValidGtin(g));
  return { ok: true, value: { id, query: { title, brand: text(pick(rec, ALIASES.brand)) || null, model: text(pick(rec, ALIASES.model)) || null, gtin: gtin ?? null }, price: loosePrice(rec) } };
}
