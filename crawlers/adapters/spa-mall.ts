// Adapter `spa_mall` (demo marketplace: pages rendered in the browser from a JSON API). Without a browser the
// item page is an empty shell, so the crawler fetches it with Playwright and this adapter reads the rendered
// DOM (#app[data-ready]). In: a rendered page. Out: products and links.
import { z } from 'zod';
import { emptyProduct, type ExtractedProduct } from '../extract/product.ts';
import { extractCccNumbers, extractLicenceNumbers, normalizeGtin } from '../normalize/identifiers.ts';
import { normalizeCurrency, parsePrice } from '../normalize/price.ts';
import { cleanModel, normalizeBrand } from '../normalize/product.ts';
import { first, hrefs, sellerCard, textOf, textsByClass } from './common.ts';
import type { AdapterDefinition, AdapterPage, PageLinks, SiteAdapter } from './types.ts';

export const configSchema = z.strictObject({});

function extract(page: AdapterPage): ExtractedProduct[] {
  const { $ } = page;
  const app = $('#app[data-item-id]');
  if (app.length === 0 || app.attr('data-ready') !== '1') return [];
  const p = emptyProduct('spa_mall');
  p.listing_id = app.attr('data-item-id')!.trim();
  p.title = textOf($, '#app h1.item-title') ?? '';
  const priceEl = $('#app .price-box .price').first();
  const currency = normalizeCurrency(priceEl.attr('data-currency'));
  const amount = Number(priceEl.attr('data-amount'));
  p.price_text = textOf($, '#app .price-box .price');
  if (Number.isFinite(amount) && priceEl.attr('data-amount') !== undefined) {
    p.price = amount;
    p.currency = currency;
  } else {
    const parsed = parsePrice(p.price_text, { defaultCurrency: currency });
    p.price = parsed.price;
    p.currency = parsed.currency;
  }
  const specs = textsByClass($, '#app table.specs tr');
  p.brand = normalizeBrand(first(specs, 'brand'));
  p.model = cleanModel(first(specs, 'model'));
  p.gtin = normalizeGtin(first(specs, 'gtin'));
  p.ccc_numbers = [...new Set((specs.get('ccc') ?? []).flatMap((t) => extractCccNumbers(`CCC ${t}`)))];
  p.licence_numbers = [...new Set((specs.get('licence') ?? []).flatMap(extractLicenceNumbers))];
  p.producer = { name: first(specs, 'producer-name'), address: first(specs, 'producer-address') };
  p.seller = sellerCard($, '#app .seller-card');
  return [p];
}

function create(): SiteAdapter {
  return {
    name: 'spa_mall',
    extract,
    links(page): PageLinks {
      return { products: hrefs(page.$, '#app ul.products a', page.url), lists: hrefs(page.$, '#app nav.pagination a[rel=next]', page.url) };
    },
    needsBrowser: (url) => !/^\/spa\/api\//.test(new URL(url).pathname),
    readySelector: () => '#app[data-ready="1"]',
  };
}

export const spaMall: AdapterDefinition<typeof configSchema> = {
  name: 'spa_mall',
  hosts: ['127.0.0.1', 'localhost'],
  pathPrefix: '/spa/',
  configSchema,
  create,
};
