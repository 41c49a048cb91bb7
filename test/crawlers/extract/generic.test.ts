import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodePage } from '../../../crawlers/extract/decode.ts';
import { extractGeneric } from '../../../crawlers/extract/generic.ts';
import { extractPage } from '../../../crawlers/extract/index.ts';
import { parseJsonLd } from '../../../crawlers/extract/structured.ts';

const page = (name: string): string => readFileSync(new URL(`../../fixtures/pages/${name}`, import.meta.url), 'utf8');
const bytes = (name: string): Buffer => readFileSync(new URL(`../../fixtures/pages/${name}`, import.meta.url));

describe('generic extractor on hand-written pages', () => {
  it('JSON-LD Product with brand, model, GTIN, list price, seller, producer, certificate and licence in the text', () => {
    const { products, errors } = extractGeneric(page('jsonld-basic.html'), { url: 'https://shop.example.cn/item/1001' });
    expect(errors).toEqual([]);
    expect(products).toHaveLength(1);
    const p = products[0]!;
    expect(p).toMatchObject({
      source: 'json-ld',
      listing_id: 'sku-1001',
      title: '美的 充电宝 10000mAh KX-2000B',
      price: 1299,
      currency: 'CNY',
      original_price: 1599,
      price_text: '1,299.00',
      brand: 'Midea',
      model: 'KX-2000B',
      gtin: '6901234567892',
      ccc_numbers: ['2020010703123456'],
      licence_numbers: ['(鄂)XK12-001-00018'],
      producer: { name: '武汉某电器有限公司', address: '湖北省武汉市洪山区' },
      attributes: { 容量: '10000mAh' },
      images: ['https://shop.example.cn/img/kx2000b.jpg', 'https://cdn.example.com/kx2000b-2.jpg'],
    });
    expect(p.seller?.name).toBe('美的官方旗舰店');
  });

  it('@graph with @id references between product, offer and seller', () => {
    const { products } = extractGeneric(page('jsonld-graph.html'), { url: 'https://shop.example.com/p/42' });
    expect(products).toHaveLength(1);
    expect(products[0]).toMatchObject({ title: 'Kettle KT-42', price: 49.5, currency: 'EUR', brand: 'Philips', model: 'KT-42', url: 'https://shop.example.com/p/42' });
    expect(products[0]!.seller?.name).toBe('Example Shop Ltd');
  });

  it('several offers: all kept, the price is the lowest in stock', () => {
    const { products } = extractGeneric(page('jsonld-several-offers.html'));
    expect(products).toHaveLength(1);
    const p = products[0]!;
    expect(p.offers.map((o) => o.price)).toEqual([699, 759, 899]);
    expect(p.price).toBe(759);
    expect(p.currency).toBe('CNY');
    expect(p.seller?.name).toBe('乙店');
  });

  it('AggregateOffer: low bound is the price, the range is kept', () => {
    const { products } = extractGeneric(page('jsonld-aggregate.html'));
    expect(products[0]).toMatchObject({ title: '保温杯 500ml', price: 59, currency: 'CNY', brand: 'ＴＨＥＲＭＯＳ' });
    expect(products[0]!.offers[0]).toMatchObject({ low: 59, high: 89 });
  });

  it('microdata: nested Brand and Offer, price text with sign and thousands, main product first, related product separate', () => {
    const { products } = extractGeneric(page('microdata.html'), { url: 'https://shop.example.cn/oh9' });
    expect(products).toHaveLength(2);
    expect(products[0]).toMatchObject({ source: 'microdata', title: 'Oil-filled heater OH-9', brand: 'Gree', model: 'OH-9', price: 1299, currency: 'CNY', images: ['https://shop.example.cn/img/oh9.jpg'], ccc_numbers: ['2019010700123456'] });
    expect(products[1]).toMatchObject({ title: 'Related: fan F-1', price: 199, currency: 'CNY', ccc_numbers: [] });
  });

  it('broken JSON-LD next to good microdata: the error is reported and the microdata product comes out', () => {
    const { products, errors } = extractGeneric(page('broken-jsonld-microdata.html'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/JSON-LD block 1/);
    expect(products).toHaveLength(1);
    expect(products[0]).toMatchObject({ source: 'microdata', title: '电热水壶 WK-17', brand: '苏泊尔', price: 129.9, currency: 'CNY' });
  });

  it('meta tags only (product:price:amount with a decimal comma)', () => {
    const { products } = extractGeneric(page('meta-only.html'));
    expect(products).toHaveLength(1);
    expect(products[0]).toMatchObject({ source: 'meta', title: 'Lampe de bureau LED', price: 1299, currency: 'EUR', images: ['https://shop.example.fr/lampe.jpg'] });
  });

  it('RDFa Lite', () => {
    const { products } = extractGeneric(page('rdfa.html'));
    expect(products[0]).toMatchObject({ source: 'rdfa', title: 'Gas stove GS-2', brand: 'Fotile', price: 2499, currency: 'CNY' });
  });

  it.each([
    ['a', 2499, 'CNY'],
    ['b', 1299.5, 'EUR'],
    ['c', 1049.99, 'USD'],
    ['d', 1299, 'CNY'],
    ['e', 12345, 'GBP'],
    ['f', 59, 'CNY'],
  ])('price strings with commas and currency signs: product %s -> %s %s', (sku, price, currency) => {
    const { products } = extractGeneric(page('price-strings.html'));
    expect(products.find((p) => p.sku === sku)).toMatchObject({ price, currency });
  });

  it('script injection in fields is kept as inert text', () => {
    const { products } = extractGeneric(page('injection.html'));
    expect(products[0]!.title).toBe("<script>alert(1)</script>'; DROP TABLE listings; --");
    expect(products[0]!.price).toBe(9.9);
  });

  it('a page without markup gives no product', () => {
    expect(extractGeneric('<html><body><p>hello ¥99</p></body></html>').products).toEqual([]);
  });

  it.each([
    ['', 'empty'],
    ['<html><body><div itemscope itemtype="https://schema.org/Product"><span itemprop="name">half', 'truncated'],
    ['\u0000\u0001binary garbage \uFFFD', 'garbage'],
  ])('never throws on bad HTML (%#: %s)', (html) => {
    expect(() => extractGeneric(html)).not.toThrow();
  });
});

describe('parseJsonLd repairs common breakage', () => {
  it.each([
    ['{"a":1,}', { a: 1 }],
    ['<!--{"a":1}-->', { a: 1 }],
    ['{"a":"line\nbreak"}', { a: 'line break' }],
    ['{"a":1}{"b":2}', [{ a: 1 }, { b: 2 }]],
  ])('%j', (text, value) => {
    expect(parseJsonLd(text)).toEqual(value);
  });

  it('throws on text that is not JSON', () => {
    expect(() => parseJsonLd('{"a":')).toThrow();
  });
});

describe('decodePage', () => {
  it('GBK page declared in <meta charset>', () => {
    const d = decodePage(bytes('gbk-microdata.html'));
    expect(d.charset).toBe('gb18030');
    expect(d.charsetSource).toBe('meta');
    expect(d.html).toContain('电饭煲 FB-30');
  });

  it('GBK page served as UTF-8 (wrong charset header) is sniffed', () => {
    const d = decodePage(bytes('gbk-microdata.html'), 'text/html; charset=utf-8');
    expect(d.charsetSource).toBe('sniffed');
    expect(d.html).toContain('电饭煲 FB-30');
  });

  it('header charset wins over meta; gzip is undone', () => {
    const html = '<html><head><meta charset="utf-8"></head><body>电饭煲</body></html>';
    const d = decodePage(gzipSync(iconv.encode(html, 'gbk')), 'text/html; charset=GBK');
    expect(d.charsetSource).toBe('header');
    expect(d.html).toContain('电饭煲');
  });

  it('extractPage on GBK bytes gives the product with its certificate', () => {
    const r = extractPage({ bytes: bytes('gbk-microdata.html') });
    expect(r.extractor).toBe('generic');
    expect(r.products[0]).toMatchObject({ title: '电饭煲 FB-30', price: 399, currency: 'CNY', ccc_numbers: ['2021010701234567'] });
  });
});
