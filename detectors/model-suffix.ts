// Variant suffixes a seller appends to a model number, read from the raw text: 'GD84-43S-W', 'ABC31-93B/A',
// 'FSD50-92BPro'. Model keys (model-number.ts) drop separators and case, so there 'GD8443SW' vs 'GD8443S' is
// ambiguous (a letter after a letter may continue the model) and is refused; the raw text can still tell
// when the suffix is set apart by a separator or starts a capitalised word. Shared by certificate_mismatch
// (is the listing's model among the certificate's?) and recall_match (look the base model up again).
// In: raw model strings. Out: the base model, or whether one model is the other plus such a suffix. Pure.
import { halfWidth } from './text.ts';

/** A short letter suffix set apart from the model: by separators, or as a capitalised word glued on. */
const SET_APART = /^(?:[\s\-_/.]+[A-Za-z]{1,3}|[A-Z][a-z]{1,2})$/;

/** The model without a set-apart letter suffix ('GD84-43S-W' -> 'GD84-43S'), or null when it has none. */
export function baseOfSuffixedModel(raw: string): string | null {
  const t = halfWidth(raw).trim();
  const m = /^(.*?\d[\dA-Za-z\-_/.]*?)((?:[\s\-_/.]+[A-Za-z]{1,3})|(?:[A-Z][a-z]{1,2}))$/.exec(t);
  if (!m) return null;
  const base = m[1]!.replace(/[\s\-_/.]+$/, '');
  return base.length >= 4 && /\d/.test(base) ? base : null;
}

/** `listing` is `reference` plus a set-apart letter suffix (case-insensitive on the shared part). */
export function isSuffixedModel(listing: string, reference: string): boolean {
  const a = halfWidth(listing).trim();
  const b = halfWidth(reference).trim();
  if (b.length < 4 || a.length <= b.length || !/\d/.test(b) || a.slice(0, b.length).toUpperCase() !== b.toUpperCase()) return false;
  return SET_APART.test(a.slice(b.length));
}
