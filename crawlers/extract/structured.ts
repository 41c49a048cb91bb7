// schema.org items from HTML: JSON-LD blocks (with @graph, arrays, @id references, light repair of common
// breakage), microdata (itemscope / itemprop) and RDFa Lite (typeof / property). Pure; no network.
// In: a cheerio document. Out: items as plain objects { '@type': [...], prop: value | item | [...] },
// in document order, each tagged with where it came from, plus the errors met (a broken JSON-LD block is
// reported and skipped; the rest of the page still yields its items).
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';

export type ItemSource = 'json-ld' | 'microdata' | 'rdfa';

export interface SchemaItem {
  [key: string]: unknown;
}

export interface StructuredData {
  items: { item: SchemaItem; source: ItemSource }[];
  errors: { source: ItemSource; message: string }[];
}

/** Local type names of a node: 'http://schema.org/Product' and 'schema:Product' both give 'Product'. */
export function typesOf(node: unknown): string[] {
  if (node === null || typeof node !== 'object') return [];
  const t = (node as SchemaItem)['@type'];
  const list = Array.isArray(t) ? t : t === undefined ? [] : [t];
  return list.filter((x): x is string => typeof x === 'string').map((x) => x.replace(/^.*[/#:]/, ''));
}

/** Parses JSON-LD text, repairing what CMSs commonly break (comments, CDATA, raw newlines, trailing commas). */
export function parseJsonLd(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (first) {
    const repaired = text
      .replace(/^\s*(?:<!--|\/\/\s*<!\[CDATA\[|<!\[CDATA\[)/, '')
      .replace(/(?:-->|\/\/\s*\]\]>|\]\]>)\s*$/, '')
      .replace(/[\u0000-\u001f]+/g, ' ')
      .replace(/,\s*([}\]])/g, '$1')
      .trim();
    try {
      return JSON.parse(repaired);
    } catch {
      // Several objects pasted one after the other: '{...}{...}'.
      try {
        return JSON.parse(`[${repaired.replace(/}\s*{/g, '},{')}]`);
      } catch {
        throw first;
      }
    }
  }
}

function collectIds(root: unknown, ids: Map<string, SchemaItem>, depth = 0): void {
  if (depth > 40 || root === null || typeof root !== 'object') return;
  if (Array.isArray(root)) {
    for (const r of root) collectIds(r, ids, depth + 1);
    return;
  }
  const node = root as SchemaItem;
  if (typeof node['@id'] === 'string' && Object.keys(node).length > 1) ids.set(node['@id'], node);
  for (const [k, v] of Object.entries(node)) if (k !== '@context') collectIds(v, ids, depth + 1);
}

/** Top-level nodes of a JSON-LD document: the object itself, each array element, each @graph member. */
function roots(doc: unknown, out: SchemaItem[] = [], depth = 0): SchemaItem[] {
  if (depth > 5 || doc === null || typeof doc !== 'object') return out;
  if (Array.isArray(doc)) {
    for (const d of doc) roots(d, out, depth + 1);
  } else if (Array.isArray((doc as SchemaItem)['@graph'])) {
    roots((doc as SchemaItem)['@graph'], out, depth + 1);
  } else {
    out.push(doc as SchemaItem);
  }
  return out;
}

/** Replaces { '@id': x } references by the node with that id (one level per property, no cycles followed). */
function resolveRefs(node: SchemaItem, ids: Map<string, SchemaItem>, seen = new Set<SchemaItem>()): SchemaItem {
  if (seen.has(node)) return node;
  seen.add(node);
  const out: SchemaItem = {};
  for (const [k, v] of Object.entries(node)) {
    const one = (x: unknown): unknown => {
      if (x && typeof x === 'object' && !Array.isArray(x)) {
        const o = x as SchemaItem;
        const ref = typeof o['@id'] === 'string' && Object.keys(o).length === 1 ? ids.get(o['@id']) : undefined;
        return resolveRefs(ref ?? o, ids, seen);
      }
      return x;
    };
    out[k] = Array.isArray(v) ? v.map(one) : one(v);
  }
  return out;
}

function jsonLdItems($: CheerioAPI, scripts: Element[], data: StructuredData): void {
  scripts.forEach((el, i) => {
    const text = $(el).text();
    if (text.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = parseJsonLd(text);
    } catch (err) {
      data.errors.push({ source: 'json-ld', message: `JSON-LD block ${i + 1}: ${(err as Error).message}` });
      return;
    }
    const ids = new Map<string, SchemaItem>();
    collectIds(parsed, ids);
    for (const n of roots(parsed)) data.items.push({ item: resolveRefs(n, ids), source: 'json-ld' });
  });
}

interface Vocabulary {
  source: ItemSource;
  scope: string; // selector of item elements
  type: string; // attribute holding the type
  prop: string; // attribute holding property names
  isScope: (el: Element) => boolean;
}

const MICRODATA: Vocabulary = { source: 'microdata', scope: '[itemscope]', type: 'itemtype', prop: 'itemprop', isScope: (el) => el.attribs.itemscope !== undefined };
const RDFA: Vocabulary = { source: 'rdfa', scope: '[typeof]', type: 'typeof', prop: 'property', isScope: (el) => el.attribs.typeof !== undefined };

function propertyValue($: CheerioAPI, el: Element, v: Vocabulary, depth: number): unknown {
  if (v.isScope(el)) return readItem($, el, v, depth + 1);
  const a = el.attribs;
  if (a.content !== undefined) return a.content;
  switch (el.tagName.toLowerCase()) {
    case 'meta':
      return a.content ?? '';
    case 'a':
    case 'link':
    case 'area':
      return a.href ?? $(el).text();
    case 'img':
    case 'audio':
    case 'video':
    case 'source':
    case 'iframe':
    case 'embed':
      return a.src ?? '';
    case 'data':
    case 'meter':
    case 'input':
      return a.value ?? $(el).text();
    case 'time':
      return a.datetime ?? $(el).text();
    default:
      return $(el).text().replace(/\s+/g, ' ').trim();
  }
}

/** Reads one item: its own properties, not those of items nested inside it. */
function readItem($: CheerioAPI, el: Element, v: Vocabulary, depth = 0): SchemaItem {
  const item: SchemaItem = {};
  const type = el.attribs[v.type];
  if (type) item['@type'] = type.split(/\s+/).filter(Boolean);
  if (depth > 20) return item;
  const walk = (node: AnyNode): void => {
    for (const child of (node as Element).children ?? []) {
      if (child.type !== 'tag' && child.type !== 'script' && child.type !== 'style') continue;
      const c = child as Element;
      const names = c.attribs[v.prop];
      if (names) {
        const value = propertyValue($, c, v, depth);
        for (const raw of names.split(/\s+/).filter(Boolean)) {
          const name = raw.replace(/^.*[/#:]/, '');
          const prev = item[name];
          item[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
        }
      }
      // Properties below a nested item belong to it, not to us.
      if (!v.isScope(c)) walk(c);
    }
  };
  walk(el);
  return item;
}

function attributeItems($: CheerioAPI, scopes: Element[], v: Vocabulary, data: StructuredData): void {
  for (const el of scopes) {
    // Top-level items only: an item that is a property of an enclosing item is read as that property's value.
    if (el.attribs[v.prop] !== undefined && $(el).parent().closest(v.scope).length > 0) continue;
    data.items.push({ item: readItem($, el, v), source: v.source });
  }
}

const JSON_LD_TYPES = new Set(['application/ld+json', 'application/json+ld']);

/**
 * The elements the three kinds of markup start from, in document order, found in one walk over the tree:
 * what `script[type="application/ld+json" i], script[type="application/json+ld" i]`, `[itemscope]` and
 * `[typeof]` select (three selector queries cost three walks plus compiling the selectors, on every page).
 */
function markupRoots($: CheerioAPI): { scripts: Element[]; microdata: Element[]; rdfa: Element[] } {
  const out = { scripts: [] as Element[], microdata: [] as Element[], rdfa: [] as Element[] };
  const walk = (nodes: readonly AnyNode[]): void => {
    for (const n of nodes) {
      if (n.type !== 'tag' && n.type !== 'script' && n.type !== 'style') {
        if ('children' in n && Array.isArray(n.children)) walk(n.children as AnyNode[]);
        continue;
      }
      const el = n as Element;
      const a = el.attribs;
      if (el.name === 'script' && a.type !== undefined && JSON_LD_TYPES.has(a.type.toLowerCase())) out.scripts.push(el);
      if (a.itemscope !== undefined) out.microdata.push(el);
      if (a.typeof !== undefined) out.rdfa.push(el);
      walk(el.children);
    }
  };
  walk($.root().toArray());
  return out;
}

/** All schema.org items on the page, JSON-LD first, then microdata, then RDFa Lite. */
export function readStructuredData($: CheerioAPI): StructuredData {
  const data: StructuredData = { items: [], errors: [] };
  const roots = markupRoots($);
  jsonLdItems($, roots.scripts, data);
  attributeItems($, roots.microdata, MICRODATA, data);
  attributeItems($, roots.rdfa, RDFA, data);
  return data;
}

/** Flattens items into every nested item too (a Product inside a WebPage's mainEntity, an Offer's itemOffered). */
export function allNodes(item: unknown, out: SchemaItem[] = [], depth = 0, seen = new Set<unknown>()): SchemaItem[] {
  if (depth > 40 || item === null || typeof item !== 'object' || seen.has(item)) return out;
  seen.add(item);
  if (Array.isArray(item)) {
    for (const x of item) allNodes(x, out, depth + 1, seen);
    return out;
  }
  out.push(item as SchemaItem);
  for (const [k, v] of Object.entries(item as SchemaItem)) if (k !== '@context') allNodes(v, out, depth + 1, seen);
  return out;
}
