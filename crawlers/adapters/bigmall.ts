// Adapter `bigmall` (demo marketplace: a large platform). Item pages are server-rendered with schema.org
// JSON-LD; the generic extractor reads it and this adapter adds what the markup leaves out or puts where the
// generic rules can't know (listing id, category id, seller card with credit code and region, certificate and
// licence rows). Category pages list items with rel=next pagination. In: a page. Out: products and links.
import { z } from 'zod';
import { extractGeneric } from '../extract/generic.ts';
import { emptyProduct, type ExtractedProduct } from '../extract/product.ts';
import { extractCccNumbers, extractLicenceNumbers } from '../normalize/identifiers.ts';
import { cleanModel, normalizeBrand } from '../normalize/product.ts';
import { parsePrice } from '../normalize/price.ts';
import { first, hrefs, sellerCard, textOf, textsByClass } from './common.ts';
import type { AdapterDefinition, AdapterPage, PageLinks, SiteAdapter } from './types.ts';

export const configSchema = z.strictObject({
  /** Follow the "related" links of item pages too (category pages already list every item). @default false */
  followRelated: z.boolean().default(false),
});

function extract(page: AdapterPage): ExtractedProduct[] {
  const { $ } = page;
  const main = $('main.item');
  if (main.length === 0) return [];
  const p = extractGeneric($, { url: page.url, scanText: false }).products[0] ?? emptyProduct('bigmall');
  p.source = 'bigmall';
  p.listing_id = main.attr('data-listing-id')?.trim() || p.listing_id;
  p.title = textOf($, 'h1.item-title') ?? p.title;
  const priceText = textOf($, '.price-box .price');
  if (p.price === null && priceText !== null) {
    const parsed = parsePrice(priceText, { defaultCurrency: $('.price-box .price').attr('data-currency') ?? null });
    p.price = parsed.price;
    p.currency = parsed.currency;
  }
  p.price_text = priceText ?? p.price_text;
  const specs = textsByClass($, 'table.specs tr');
  p.brand = normalizeBrand(first(specs, 'brand')) ?? p.brand;
  p.model = cleanModel(first(specs, 'model')) ?? p.model;
  p.category = $('.breadcrumb .category').attr('data-category') ?? null;
  p.ccc_numbers = [...new Set((specs.get('ccc') ?? []).flatMap((t) => extractCccNumbers(`CCC ${t}`)))];
  p.licence_numbers = [...new Set((specs.get('licence') ?? []).flatMap(extractLicenceNumbers))];
  p.producer = { name: first(specs, 'producer-name'), address: first(specs, 'producer-address') };
  p.seller = sellerCard($, '.seller-card') ?? p.seller;
  return [p];
}

function create(config: z.infer<typeof configSchema>): SiteAdapter {
  return {
    name: 'bigmall',
    extract,
    links(page): PageLinks {
      const { $, url } = page;
      return {
        products: [...hrefs($, 'ul.products a.product-link', url), ...(config.followRelated ? hrefs($, '.related a', url) : [])],
        lists: [...hrefs($, 'ul.categories a', url), ...hrefs($, 'nav.pagination a[rel=next]', url)],
      };
    },
    needsBrowser: () => false,
  };
}

export const bigmall: AdapterDefinition<typeof configSchema> = {
  name: 'bigmall',
  hosts: ['127.0.0.1', 'localhost'],
  pathPrefix: '/bigmall/',
  configSchema,
  create,
};
