// Text normalisation the detectors share: full-width to half-width (NFKC) and the dashes/spaces NFKC
// leaves alone. Kept inside detectors/ (crawlers/normalize has its own for page extraction) so a detector's
// behaviour doesn't change when the crawler's normaliser does.

// Text made only of ASCII, CJK unified ideographs (and extension A), CJK punctuation 、。【】《》… and
// curly quotes is its own NFKC form and has none of the dashes/spaces below (checked code point by code
// point against the runtime's ICU: none of these decompose, and no two of them compose), so it is returned
// as is. Why: most titles are such text and each is unique, so they missed the memo, cost an NFKC pass and
// two replaces, and cleared the memo of the brands and company names that do repeat.
const STABLE = /^[\x00-\x7F\u2018-\u201F\u3001-\u3035\u303B-\u303F\u3400-\u4DBF\u4E00-\u9FFF]*$/;
// Every detector folds the same few strings of a listing (title, brand, model, producer): a small memo
// makes that one normalisation per listing instead of one per detector and use. Cleared when full.
const MEMO_MAX = 4096;
const memo = new Map<string, string>();

/** NFKC plus the dash and space characters Chinese pages use that NFKC leaves alone. */
export function halfWidth(text: string): string {
  if (STABLE.test(text)) return text;
  let out = memo.get(text);
  if (out === undefined) {
    out = text
      .normalize('NFKC')
      .replace(/[\u2010-\u2015\u2212\uFE63\uFF0D\u30FC]/g, '-')
      .replace(/[\u00A0\u2000-\u200B\u202F\u205F\u3000\uFEFF]/g, ' ');
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(text, out);
  }
  return out;
}

/** Lower-case half-width text with whitespace collapsed. */
export function foldText(text: string): string {
  return halfWidth(text).toLowerCase().replace(/\s+/g, ' ').trim();
}
