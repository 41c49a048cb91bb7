// Text clean-up shared by the normalisers: full-width to half-width (NFKC), whitespace collapsed.
// In: untrusted page text. Out: text on which the price / identifier / model rules can use plain ASCII
// patterns. NFKC is what turns '１２３', '￥', '（鄂）', '：' and U+3000 into their ASCII-ish forms.

/** NFKC plus the few characters NFKC leaves alone but Chinese pages use as separators. */
export function toHalfWidth(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u2010-\u2015\u2212\uFE63\uFF0D]/g, '-') // hyphens, dashes, minus signs
    .replace(/[\u3001]/g, ',') // ideographic comma
    .replace(/[\u3002]/g, '.') // ideographic full stop (used as decimal point on some shop pages)
    .replace(/[\u00A0\u2000-\u200B\u202F\u205F\u3000\uFEFF]/g, ' ');
}

/** Half-width, trimmed, runs of whitespace collapsed to one space. */
export function cleanText(text: string): string {
  return toHalfWidth(text).replace(/\s+/g, ' ').trim();
}

/** Text as shown, only whitespace collapsed and trimmed (titles, names, addresses keep their characters). */
export function collapseSpace(text: string): string {
  return text.replace(/[\s\u00A0\u3000]+/g, ' ').trim();
}
