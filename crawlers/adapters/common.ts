// DOM helpers the demo-market adapters share: labelled table rows, the seller card, absolute links.
// In: a cheerio document. Out: cleaned strings (null when absent).
import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import { cleanText, collapseSpace } from '../normalize/text.ts';
import type { ExtractedSeller } from '../extract/product.ts';

export function textOf($: CheerioAPI, selector: string): string | null {
  const el = $(selector).first();
  if (el.length === 0) return null;
  const t = collapseSpace(el.text());
  return t === '' ? null : t;
}

export function textsOf($: CheerioAPI, selector: string): string[] {
  return $(selector)
    .map((_, el) => collapseSpace($(el).text()))
    .get()
    .filter((t) => t !== '');
}

/**
 * Texts of the elements `selector` matches, grouped by their class names, in one pass over the document
 * (instead of one selector per field: selectors are the adapters' main cost). For rows (`tr`) the text is
 * that of the value cell (`td`).
 */
export function textsByClass($: CheerioAPI, selector: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  $(selector).each((_, el) => {
    const cls = (el as Element).attribs.class;
    if (!cls) return;
    const node = (el as Element).tagName === 'tr' ? $(childTags(el as Element, TD).slice(0, 1)) : $(el);
    const t = collapseSpace(node.text());
    if (t === '') return;
    for (const c of cls.split(/\s+/)) {
      if (!c) continue;
      const list = out.get(c);
      if (list) list.push(t);
      else out.set(c, [t]);
    }
  });
  return out;
}

const TD = new Set(['td']);
const TH_TD = new Set(['th', 'td']);

/**
 * Child elements with one of these tag names, in order: what `.children('td')` selects, without compiling a
 * selector for every table row (selector compilation was a visible share of the adapters' time).
 */
function childTags(el: Element, names: ReadonlySet<string>): Element[] {
  const out: Element[] = [];
  for (const c of el.children) if (c.type === 'tag' && names.has((c as Element).name)) out.push(c as Element);
  return out;
}

export const first = (m: Map<string, string[]>, key: string): string | null => m.get(key)?.[0] ?? null;

/** The seller card (dd.seller-id, .seller-name, .credit-code, .region-code, .seller-address), or null. */
export function sellerCard($: CheerioAPI, scope = ''): ExtractedSeller | null {
  const dd = textsByClass($, `${scope} dd`);
  const id = first(dd, 'seller-id');
  const name = first(dd, 'seller-name');
  if (id === null && name === null) return null;
  return {
    seller_id: id ?? name!,
    name: name ?? id!,
    credit_code: first(dd, 'credit-code'),
    region_code: first(dd, 'region-code'),
    address: first(dd, 'seller-address'),
  };
}

/** Absolute http(s) URLs of the elements' hrefs, resolved against the page. */
export function hrefs($: CheerioAPI, selector: string, base: string): string[] {
  const out: string[] = [];
  $(selector).each((_, el) => {
    const href = $(el).attr('href');
    if (!href) return;
    try {
      const u = new URL(href, base);
      if ((u.protocol === 'http:' || u.protocol === 'https:') && !out.includes(u.href)) out.push(u.href);
    } catch {
      // a broken href is not a link
    }
  });
  return out;
}

/** Rows of a two-column table as [label, value-cell text], labels without trailing colons. */
export function tableRows($: CheerioAPI, selector: string): [string, string][] {
  const rows: [string, string][] = [];
  $(`${selector} tr`).each((_, tr) => {
    const cells = childTags(tr as Element, TH_TD);
    if (cells.length < 2) return;
    rows.push([cleanText($(cells[0]).text()).replace(/[:：]\s*$/, ''), collapseSpace($(cells[1]).text())]);
  });
  return rows;
}
