// Generic schema.org Product/Offer extractor: works on pages no site adapter knows.
// In: HTML text (or a cheerio document) and the page URL. Out: ExtractedProduct[], the main product first
// (JSON-LD, then microdata, then RDFa Lite; page meta tags og:price:amount / product:price:amount and a
// stray itemprop=price as the last resort), plus the problems met (a broken JSON-LD block is reported and
// the microdata next to it still yields the product). General rules only: nothing here knows a site.
import * as cheerio from 'cheerio';
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element, Text } from 'domhandler';
import { extractCccNumbers, extractLicenceNumbers, extractScLicences, normalizeGtin } from '../normalize/identifiers.ts';
import { normalizeCurrency, parsePrice } from '../normalize/price.ts';
import { cleanModel, normalizeBrand } from '../normalize/product.ts';
import { cleanText, collapseSpace } from '../normalize/text.ts';
import { emptyProduct, type ExtractedOffer, type ExtractedProduct } from './product.ts';
import { allNodes, readStructuredData, typesOf, type SchemaItem } from './structured.ts';

export interface GenericResult {
  products: ExtractedProduct[];
  errors: string[];
}

const PRODUCT_TYPES = new Set(['Product', 'ProductGroup', 'ProductModel', 'IndividualProduct', 'SomeProducts', 'Vehicle', 'Car', 'Motorcycle']);
const OFFER_TYPES = new Set(['Offer', 'AggregateOffer']);
/** priceType values of a list (crossed-out) price rather than the selling price. */
const LIST_PRICE = /ListPrice|StrikethroughPrice|MSRP|SRP|InvoicePrice/i;
/** Page text scanned for certificate and licence numbers, at most (a 10 MB page must not cost 10 MB of regex). */
const MAX_TEXT = 200_000;

/** A property of an item; names compared without case when the exact one is missing ('pricecurrency'). */
function get(node: SchemaItem, name: string): unknown {
  if (node[name] !== undefined) return node[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(node)) if (k.toLowerCase() === lower) return node[k];
  return undefined;
}

function list(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

/** The first text of a property: a string, a number, or an item's name / @value. */
function text(v: unknown): string | null {
  for (const x of list(v)) {
    if (typeof x === 'string') {
      const t = collapseSpace(x);
      if (t !== '') return t;
    } else if (typeof x === 'number' && Number.isFinite(x)) {
      return String(x);
    } else if (x && typeof x === 'object') {
      const o = x as SchemaItem;
      const t = text(o['@value'] ?? o.name ?? o.value);
      if (t !== null) return t;
    }
  }
  return null;
}

function rawValue(v: unknown): string | number | null {
  for (const x of list(v)) {
    if (typeof x === 'number' && Number.isFinite(x)) return x;
    if (typeof x === 'string' && x.trim() !== '') return x;
    if (x && typeof x === 'object') {
      const inner = rawValue((x as SchemaItem)['@value'] ?? (x as SchemaItem).value);
      if (inner !== null) return inner;
    }
  }
  return null;
}

function isProduct(node: SchemaItem): boolean {
  const types = typesOf(node);
  if (types.some((t) => PRODUCT_TYPES.has(t))) return true;
  // Books, vehicles, creative works sold with an offer: anything that has offers and is not itself an offer.
  return get(node, 'offers') !== undefined && !types.some((t) => OFFER_TYPES.has(t));
}

function availability(v: unknown): string | null {
  const t = text(v);
  return t === null ? null : t.replace(/^.*[/#:]/, '');
}

function priceOf(offer: SchemaItem, field: 'price' | 'lowPrice' | 'highPrice', currency: string | null): { value: number | null; text: string | null; currency: string | null } {
  const raw = rawValue(offer[field]);
  if (raw === null) return { value: null, text: null, currency };
  const p = parsePrice(raw, { defaultCurrency: currency });
  return { value: p.price, text: typeof raw === 'string' ? cleanText(raw) : String(raw), currency: currency ?? p.currency };
}

function offersOf(node: SchemaItem): { offers: ExtractedOffer[]; listPrice: number | null } {
  const offers: ExtractedOffer[] = [];
  let listPrice: number | null = null;
  const visit = (o: unknown, depth: number): void => {
    if (depth > 5 || !o || typeof o !== 'object' || Array.isArray(o)) return;
    const offer = o as SchemaItem;
    const specs = list(get(offer, 'priceSpecification')).filter((s): s is SchemaItem => !!s && typeof s === 'object');
    let currency = normalizeCurrency(text(get(offer, 'priceCurrency')));
    const seller = text(get(offer, 'seller'));
    const avail = availability(get(offer, 'availability'));
    if (typesOf(offer).includes('AggregateOffer') || get(offer, 'lowPrice') !== undefined) {
      const low = priceOf(offer, 'lowPrice', currency);
      const high = priceOf(offer, 'highPrice', currency);
      const single = priceOf(offer, 'price', currency);
      const price = low.value ?? single.value;
      if (price !== null) {
        offers.push({ price, currency: low.currency ?? single.currency, low: price, high: high.value ?? (low.value === null ? price : null), price_text: low.text ?? single.text, availability: avail, seller_name: seller });
      }
      for (const inner of list(get(offer, 'offers'))) visit(inner, depth + 1);
      return;
    }
    let p = priceOf(offer, 'price', currency);
    for (const spec of specs) {
      const specCurrency = normalizeCurrency(text(get(spec, 'priceCurrency'))) ?? currency;
      const sp = priceOf(spec, 'price', specCurrency);
      if (sp.value === null) continue;
      if (LIST_PRICE.test(text(get(spec, 'priceType')) ?? '')) {
        listPrice ??= sp.value;
      } else if (p.value === null) {
        p = sp;
        currency = sp.currency;
      }
    }
    if (p.value !== null) {
      offers.push({ price: p.value, currency: p.currency, low: p.value, high: p.value, price_text: p.text, availability: avail, seller_name: seller });
    }
    // Offers nested in an offer (seen on marketplaces: an item-level offer wrapping the price offer).
    for (const inner of list(get(offer, 'offers'))) visit(inner, depth + 1);
  };
  for (const o of list(get(node, 'offers'))) visit(o, 0);
  return { offers, listPrice };
}

/** The offer whose price is the product's: the lowest in-stock price (what a buyer pays at least), else the lowest. */
function mainOffer(offers: ExtractedOffer[]): ExtractedOffer | null {
  const priced = offers.filter((o) => o.price !== null);
  const inStock = priced.filter((o) => !/OutOfStock|SoldOut|Discontinued/i.test(o.availability ?? ''));
  const pool = inStock.length > 0 ? inStock : priced;
  let best: ExtractedOffer | null = null;
  for (const o of pool) if (best === null || o.price! < best.price!) best = o;
  return best ?? offers[0] ?? null;
}

function absoluteUrl(href: string | null, base: string | null): string | null {
  if (!href) return null;
  try {
    const u = new URL(href, base ?? undefined);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

function imagesOf(v: unknown, base: string | null): string[] {
  const out: string[] = [];
  for (const x of list(v)) {
    const href = typeof x === 'string' ? x : x && typeof x === 'object' ? text(get(x as SchemaItem, 'contentUrl') ?? get(x as SchemaItem, 'url')) : null;
    const abs = absoluteUrl(href, base);
    if (abs && !out.includes(abs)) out.push(abs);
  }
  return out;
}

function attributesOf(node: SchemaItem): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const p of list(get(node, 'additionalProperty'))) {
    if (!p || typeof p !== 'object') continue;
    const name = text(get(p as SchemaItem, 'name'));
    const value = text(get(p as SchemaItem, 'value'));
    if (name && value !== null) attrs[name] = value;
  }
  for (const key of ['color', 'material', 'size', 'weight', 'category', 'productionDate', 'countryOfOrigin']) {
    const value = text(get(node, key));
    if (value !== null && attrs[key] === undefined) attrs[key] = value;
  }
  return attrs;
}

function productFromNode(node: SchemaItem, source: string, pageUrl: string | null, parentOffer: SchemaItem | null): ExtractedProduct {
  const p = emptyProduct(source);
  p.title = text(get(node, 'name')) ?? '';
  p.url = absoluteUrl(text(get(node, 'url')), pageUrl);
  p.sku = text(get(node, 'sku')) ?? text(get(node, 'productID'));
  p.brand = normalizeBrand(text(get(node, 'brand')) ?? text(get(node, 'manufacturer')));
  p.model = cleanModel(text(get(node, 'model')) ?? text(get(node, 'mpn')));
  for (const key of ['gtin13', 'gtin', 'gtin14', 'gtin12', 'gtin8', 'ean', 'isbn']) {
    const g = normalizeGtin(rawValue(get(node, key)));
    if (g) {
      p.gtin = g;
      break;
    }
  }
  p.listing_id = p.sku ?? text(get(node, 'mpn')) ?? p.gtin;
  p.images = imagesOf(get(node, 'image'), pageUrl);
  p.attributes = attributesOf(node);
  const manufacturer = list(get(node, 'manufacturer')).find((m) => m && typeof m === 'object') as SchemaItem | undefined;
  if (manufacturer) p.producer = { name: text(get(manufacturer, 'name')), address: text(get(manufacturer, 'address')) };
  const { offers, listPrice } = offersOf(parentOffer && get(node, 'offers') === undefined ? { offers: parentOffer } : node);
  p.offers = offers;
  const main = mainOffer(offers);
  if (main) {
    p.price = main.price;
    p.currency = main.currency;
    p.price_text = main.price_text;
    if (main.seller_name) p.seller = { seller_id: main.seller_name, name: main.seller_name, credit_code: null, region_code: null, address: null };
  }
  p.original_price = listPrice !== null && p.price !== null && listPrice > p.price ? listPrice : null;
  const own = [text(get(node, 'description')), ...Object.values(p.attributes)].filter(Boolean).join('\n');
  p.ccc_numbers = extractCccNumbers(own);
  p.licence_numbers = [...extractLicenceNumbers(own), ...extractScLicences(own)];
  return p;
}

function productKey(p: ExtractedProduct): string {
  return p.sku ?? p.gtin ?? (p.title.toLowerCase().replace(/\s+/g, ' ') || `price:${p.price}`);
}

/** Fills fields missing from `a` with those of `b` (the same product described twice). */
function merge(a: ExtractedProduct, b: ExtractedProduct): void {
  const fields = ['listing_id', 'url', 'price', 'currency', 'original_price', 'price_text', 'brand', 'model', 'gtin', 'sku', 'seller'] as const;
  for (const f of fields) if (a[f] === null && b[f] !== null) (a as unknown as Record<string, unknown>)[f] = b[f];
  if (!a.title) a.title = b.title;
  if (a.price !== null && a.currency === null && b.currency !== null && b.price === a.price) a.currency = b.currency;
  if (a.producer.name === null) a.producer = b.producer;
  for (const img of b.images) if (!a.images.includes(img)) a.images.push(img);
  for (const [k, v] of Object.entries(b.attributes)) a.attributes[k] ??= v;
  a.ccc_numbers = [...new Set([...a.ccc_numbers, ...b.ccc_numbers])];
  a.licence_numbers = [...new Set([...a.licence_numbers, ...b.licence_numbers])];
  if (a.offers.length === 0) a.offers = b.offers;
}

/** <meta> contents by property / name / itemprop, read in one pass (first non-empty value wins). */
function metaTags($: CheerioAPI): Map<string, string> {
  const tags = new Map<string, string>();
  $('meta').each((_, el) => {
    const a = (el as Element).attribs;
    const content = a.content;
    if (content === undefined || content.trim() === '') return;
    for (const key of [a.property, a.name, a.itemprop]) if (key && !tags.has(key)) tags.set(key, content);
  });
  return tags;
}

function meta(tags: Map<string, string>, ...names: string[]): string | null {
  for (const n of names) {
    const v = tags.get(n);
    if (v !== undefined) return cleanText(v);
  }
  return null;
}

/**
 * The currency of a price stated without one: the sign in the price text, else the one currency the page's
 * meta tags / itemprop=priceCurrency name (several different ones: unknown).
 */
function pageCurrency($: CheerioAPI, priceText: string | null): string | null {
  const fromText = priceText === null ? null : parsePrice(priceText).currency;
  if (fromText !== null) return fromText;
  const named = new Set<string>();
  $('meta[property="product:price:currency"], meta[property="og:price:currency"], [itemprop="priceCurrency" i]').each((_, el) => {
    const c = normalizeCurrency($(el).attr('content') ?? $(el).text());
    if (c !== null) named.add(c);
  });
  return named.size === 1 ? [...named][0]! : null;
}

/** Page-level fallbacks: Open Graph / product meta tags and a stray itemprop=price outside any item. */
function metaProduct($: CheerioAPI, pageUrl: string | null): ExtractedProduct {
  const tags = metaTags($);
  const p = emptyProduct('meta');
  p.title = meta(tags, 'og:title', 'twitter:title') ?? cleanText($('title').first().text());
  const currency = normalizeCurrency(meta(tags, 'product:price:currency', 'og:price:currency', 'priceCurrency'));
  let priceText = meta(tags, 'product:price:amount', 'og:price:amount', 'price');
  if (priceText === null) {
    const el = $('[itemprop="price"]').first();
    if (el.length > 0) priceText = cleanText(el.attr('content') ?? el.text());
  }
  if (priceText !== null) {
    const parsed = parsePrice(priceText, { defaultCurrency: currency });
    p.price = parsed.price;
    p.currency = currency ?? parsed.currency;
    p.price_text = priceText;
    if (p.price !== null) p.offers = [{ price: p.price, currency: p.currency, low: parsed.low, high: parsed.high, price_text: priceText, availability: null, seller_name: null }];
  }
  p.brand = normalizeBrand(meta(tags, 'product:brand', 'og:brand', 'brand'));
  p.images = imagesOf(meta(tags, 'og:image'), pageUrl);
  p.url = absoluteUrl(meta(tags, 'og:url'), pageUrl);
  p.attributes = tags.get('og:type') ? { 'og:type': tags.get('og:type')! } : {};
  return p;
}

/** Text of the page outside scripts and styles, up to `max` characters. */
export function visibleText($: CheerioAPI, max: number): string {
  const parts: string[] = [];
  let size = 0;
  const walk = (nodes: AnyNode[]): void => {
    for (const n of nodes) {
      if (size >= max) return;
      if (n.type === 'text') {
        const t = (n as Text).data;
        parts.push(t);
        size += t.length;
      } else if (n.type === 'tag') {
        walk((n as Element).children);
      }
    }
  };
  const root = $('body').get(0) ?? $.root().get(0);
  if (root) walk((root as Element).children ?? []);
  return parts.join(' ').slice(0, max);
}

/** Extracts the products a page describes with schema.org markup (or meta tags), main product first. */
export function extractGeneric(page: string | CheerioAPI, opts: { url?: string | null; scanText?: boolean } = {}): GenericResult {
  const $ = typeof page === 'string' ? cheerio.load(page) : page;
  const pageUrl = opts.url ?? null;
  const data = readStructuredData($);
  const errors = data.errors.map((e) => e.message);

  const found: ExtractedProduct[] = [];
  for (const { item, source } of data.items) {
    const seen = new Set<SchemaItem>();
    for (const node of allNodes(item)) {
      if (seen.has(node)) continue;
      if (isProduct(node)) {
        seen.add(node);
        found.push(productFromNode(node, source, pageUrl, null));
      } else if (typesOf(node).some((t) => OFFER_TYPES.has(t))) {
        // An Offer at the top with the product in itemOffered: the price lives on the offer.
        for (const offered of list(get(node, 'itemOffered'))) {
          if (offered && typeof offered === 'object' && !Array.isArray(offered) && get(offered as SchemaItem, 'offers') === undefined) {
            seen.add(offered as SchemaItem);
            found.push(productFromNode(offered as SchemaItem, source, pageUrl, node));
          }
        }
      }
    }
  }

  // One product per key: JSON-LD first, microdata and RDFa fill its gaps.
  const byKey = new Map<string, ExtractedProduct>();
  for (const p of found) {
    if (!p.title && p.price === null) continue;
    const k = productKey(p);
    const prev = byKey.get(k);
    if (prev) merge(prev, p);
    else byKey.set(k, p);
  }
  let products = [...byKey.values()];
  // The main product: a priced one whose URL is the page's, else the first priced one, else the first.
  const norm = (u: string | null): string => (u ?? '').replace(/[?#].*$/, '').replace(/\/$/, '');
  let chosen = pageUrl === null ? -1 : products.findIndex((p) => p.price !== null && p.url !== null && norm(p.url) === norm(pageUrl));
  if (chosen < 0) chosen = products.findIndex((p) => p.price !== null);
  if (chosen > 0) products = [products[chosen]!, ...products.filter((_, i) => i !== chosen)];

  // Meta tags only when the markup left the price out (most pages with structured data don't need them).
  if (products.length === 0 || products[0]!.price === null) {
    const fallback = metaProduct($, pageUrl);
    const isProductPage = /product/i.test(fallback.attributes['og:type'] ?? '');
    fallback.attributes = {};
    if (products.length === 0) {
      if (fallback.price !== null || isProductPage) products = [fallback];
    } else if (fallback.price !== null) {
      merge(products[0]!, fallback);
    }
  }
  const main0 = products[0];
  if (main0 && main0.price !== null && main0.currency === null) main0.currency = pageCurrency($, main0.price_text);

  // Certificates and licences shown anywhere on the page belong to the main product (adapters that read
  // them from known places turn this scan off).
  if (products.length > 0 && opts.scanText !== false) {
    const bodyText = visibleText($, MAX_TEXT);
    const main = products[0]!;
    main.ccc_numbers = [...new Set([...main.ccc_numbers, ...extractCccNumbers(bodyText)])];
    main.licence_numbers = [...new Set([...main.licence_numbers, ...extractLicenceNumbers(bodyText), ...extractScLicences(bodyText)])];
  }
  return { products, errors };
}
