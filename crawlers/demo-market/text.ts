// Text helpers shared by the generators and the page renderers: full-width digits, thousands separators,
// HTML escaping. In: strings and numbers. Out: strings.

/** ASCII '!'..'~' to their full-width forms (U+FF01..U+FF5E); space stays. */
export function toFullWidth(s: string): string {
  return s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
}

/** 1299.5 -> '1,299.50' (decimals = 2) or '1,299.5' (decimals = null: as short as exact). */
export function withThousands(n: number, decimals: number | null): string {
  const s = decimals === null ? String(n) : n.toFixed(decimals);
  const [int, frac] = s.split('.');
  return (int as string).replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (frac !== undefined ? `.${frac}` : '');
}

/** Short price text: 129 -> '129', 128.9 -> '128.9'. */
export const shortNumber = (n: number): string => String(Math.round(n * 100) / 100);

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON for a <script> block: '<' escaped so page text can never close the script element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
