// Adapter `selfshop` (demo marketplace: a self-built shop). Microdata for name, price and brand (read by the
// generic extractor), everything else in plain HTML tables with labels in the first column; prices, CCC and
// licence numbers written oddly (full-width, ranges, 元, spaced, prefixed), some pages in GBK (decoded
// before this runs). In: a page. Out: products and links.
import { z } from 'zod';
import { extractGeneric } from '../extract/generic.ts';
import { emptyProduct, type ExtractedProduct } from '../extract/product.ts';
import { extractCccNumbers, extractLicenceNumbers, extractScLicences, normalizeGtin } from '../normalize/identifiers.ts';
import { parsePrice } from '../normalize/price.ts';
import { cleanModel, normalizeBrand } from '../normalize/product.ts';
import { hrefs, tableRows, textOf } from './common.ts';
import type { AdapterDefinition, AdapterPage, PageLinks, SiteAdapter } from './types.ts';

export const configSchema = z.strictObject({});

function extract(page: AdapterPage): ExtractedProduct[] {
  const { $ } = page;
  const goods = $('#goods');
  if (goods.length === 0) return [];
  const p = extractGeneric($, { url: page.url, scanText: false }).products[0] ?? emptyProduct('selfshop');
  p.source = 'selfshop';
  p.listing_id = goods.attr('data-goods-id')?.trim() || p.listing_id;
  p.price_text = textOf($, '#goods .goods-price') ?? p.price_text;
  if (p.price_text !== null) {
    // The shown text decides (a content attribute, when present, says the same in machine form).
    const content = $('#goods .goods-price').attr('content');
    const parsed = parsePrice(content ?? p.price_text, { defaultCurrency: p.currency ?? 'CNY' });
    if (parsed.price !== null) {
      p.price = parsed.price;
      p.currency = parsed.currency;
    }
  }
  const ccc: string[] = [];
  const licences: string[] = [];
  const attrs: Record<string, string> = {};
  for (const [label, value] of tableRows($, 'table.params')) {
    if (/CCC|3C|认证/.test(label)) ccc.push(...extractCccNumbers(`CCC ${value}`));
    else if (/许可证/.test(label)) licences.push(...extractLicenceNumbers(value), ...extractScLicences(value));
    else if (label === '品牌') p.brand = normalizeBrand(value) ?? p.brand;
    else if (label === '型号') p.model = cleanModel(value) ?? p.model;
    else if (label === '商品条码') p.gtin = normalizeGtin(value) ?? p.gtin;
    else if (label === '生产厂家') p.producer.name = value || null;
    else if (label === '厂家地址') p.producer.address = value || null;
    else if (label !== '') attrs[label] = value;
  }
  p.ccc_numbers = [...new Set(ccc)];
  p.licence_numbers = [...new Set(licences)];
  p.attributes = { ...p.attributes, ...attrs };
  const shop = Object.fromEntries(tableRows($, 'table.shop-info'));
  const sellerId = shop['店铺编号'] || shop['公司名称'];
  if (sellerId) {
    p.seller = {
      seller_id: sellerId,
      name: shop['公司名称'] || sellerId,
      credit_code: shop['统一社会信用代码'] || null,
      region_code: shop['所在地区代码'] || null,
      address: shop['注册地址'] || null,
    };
  }
  return [p];
}

function create(): SiteAdapter {
  return {
    name: 'selfshop',
    extract,
    links(page): PageLinks {
      const { $, url } = page;
      // Item pages link the catalogue from their header too; only the shop's own pages are followed for it.
      const catalogue = $('#goods').length === 0 ? hrefs($, 'a[href*="/shop/list"]', url) : [];
      return { products: hrefs($, 'table.goods-list a', url), lists: [...new Set([...hrefs($, 'nav.pagination a[rel=next]', url), ...catalogue])] };
    },
    needsBrowser: () => false,
  };
}

export const selfshop: AdapterDefinition<typeof configSchema> = {
  name: 'selfshop',
  hosts: ['127.0.0.1', 'localhost'],
  pathPrefix: '/shop/',
  configSchema,
  create,
};
