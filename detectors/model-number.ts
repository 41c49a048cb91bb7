// Model numbers as printed by sellers and regulators: 'KFR-35GW/BP3DN8Y', 'kfr 35gw／bp3dn8y', 'A1 (白色)'.
// In: untrusted text. Out: a canonical key (half-width, upper case, separators and bracketed qualifiers
// removed) and the comparison the certificate and recall detectors share: equal keys, a certificate's
// series pattern ('KFR-35GW/*', 'XYZ-1XX'), or a short letter suffix variant ('XYZ100' ~ 'XYZ100B').
// Never a digit suffix: 'A1' must not cover 'A15' (the classic false positive). Pure.
import { halfWidth } from './text.ts';

// The certificate, recall and price detectors key the same few models per listing (and a certificate's
// models on every listing that shows it): memoised, bounded (cleared when full).
const KEY_MEMO_MAX = 8192;
const keyMemo = new Map<string, string>();
const CANONICAL = /^[A-Z0-9]*$/;

/** Canonical model key: 'KFR35GWBP3DN8Y'. Empty when nothing model-like remains. */
export function modelKey(raw: string): string {
  // Already canonical (upper-case ASCII letters and digits: every step below leaves it as it is). Most
  // models are, and each is seen rarely, so the memo only churned on them.
  if (CANONICAL.test(raw)) return raw;
  let key = keyMemo.get(raw);
  if (key === undefined) {
    key = halfWidth(raw)
      .toUpperCase()
      .replace(/[(\[{【（][^)\]}】）]*[)\]}】）]/g, '') // '(白色)', '[2023款]': qualifiers, not the model
      .replace(/[\s\-_./\\·:+,'"#]/g, '')
      .replace(/[^\p{L}\p{N}*?]/gu, '');
    if (keyMemo.size >= KEY_MEMO_MAX) keyMemo.clear();
    keyMemo.set(raw, key);
  }
  return key;
}

/**
 * A model key specific enough to match on its own: 4+ characters mixing letters and digits, or 5+ digits.
 * 'A1', 'X5', 'S10' name different products across brands and lines: they need brand and title too.
 */
export function isSpecificModel(key: string): boolean {
  if (key.length < 4) return false;
  if (/^\d+$/.test(key)) return key.length >= 5;
  if (/^\p{L}+$/u.test(key)) return key.length >= 4 && /[A-Z]/.test(key) && /\d/.test(key);
  return true;
}

/** Max length of a variant suffix: colour/region letters ('B', 'W', 'CN'). */
const MAX_SUFFIX = 3;

export type ModelRelation = 'exact' | 'pattern' | 'suffix_variant';

/**
 * How `listing` relates to `reference` (a certificate's or recall's model), or null when it does not.
 * Series wildcards in the reference: '*' (any run) and runs of 'X' after a separator-free digit ('1XX').
 */
export function compareModels(listing: string, reference: string): ModelRelation | null {
  return compareModelKeys(modelKey(listing), modelKey(reference));
}

const patternCache = new Map<string, RegExp>();

/** compareModels() on keys already canonical (modelKey()): the hot path of the recall index. */
export function compareModelKeys(a: string, b: string): ModelRelation | null {
  if (!a || !b) return null;
  if (a === b) return 'exact';
  if (b.includes('*') || b.includes('?')) {
    let re = patternCache.get(b);
    if (!re) {
      re = new RegExp('^' + b.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
      if (patternCache.size < 100_000) patternCache.set(b, re);
    }
    if (re.test(a)) return 'pattern';
  }
  const short = a.length < b.length ? a : b;
  const long = a.length < b.length ? b : a;
  if (long.startsWith(short) && isSpecificModel(short) && short.length >= 3 && /\d/.test(short)) {
    const suffix = long.slice(short.length);
    // A letter suffix after a digit is a variant ('100B'); a digit suffix is another model ('A1' vs 'A15');
    // a letter suffix after a letter continues a word ('ABC1D' vs 'ABC1DE' is ambiguous: refuse).
    if (suffix.length <= MAX_SUFFIX && /^\p{L}+$/u.test(suffix) && /\d$/.test(short)) return 'suffix_variant';
  }
  return null;
}
