// Text normalisation the detectors share: full-width to half-width (NFKC) and the dashes/spaces NFKC
// leaves alone. Kept inside detectors/ (crawlers/normalize has its own for page extraction) so a detector's
// behaviour doesn't change when the crawler's normaliser does.

/** NFKC plus the dash and space characters Chinese pages use that NFKC leaves alone. */
export function halfWidth(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u2010-\u2015\u2212\uFE63\uFF0D\u30FC]/g, '-')
    .replace(/[\u00A0\u2000-\u200B\u202F\u205F\u3000\uFEFF]/g, ' ');
}

/** Lower-case half-width text with whitespace collapsed. */
export function foldText(text: string): string {
  return halfWidth(text).toLowerCase().replace(/\s+/g, ' ').trim();
}
