import { describe, expect, it } from 'vitest';
import { detectCurrency, normalizeCurrency, parseNumberToken, parsePrice } from '../../../crawlers/normalize/price.ts';

describe('parsePrice', () => {
  it.each([
    // [text, price, currency, low, high]
    ['¥199', 199, 'CNY', 199, 199],
    ['￥199.00', 199, 'CNY', 199, 199],
    ['199元', 199, 'CNY', 199, 199],
    ['RMB 88.5', 88.5, 'CNY', 88.5, 88.5],
    ['CNY 1,299.00', 1299, 'CNY', 1299, 1299],
    ['人民币 45', 45, 'CNY', 45, 45],
    ['$19.99', 19.99, 'USD', 19.99, 19.99],
    ['US$ 5', 5, 'USD', 5, 5],
    ['HK$ 120', 120, 'HKD', 120, 120],
    ['€ 13,40', 13.4, 'EUR', 13.4, 13.4],
    ['1.299,00 €', 1299, 'EUR', 1299, 1299],
    ['£1,049.99', 1049.99, 'GBP', 1049.99, 1049.99],
    ['EUR 56', 56, 'EUR', 56, 56],
    ['１２９９元', 1299, 'CNY', 1299, 1299],
    ['￥１，２９９．００', 1299, 'CNY', 1299, 1299],
    ['¥1,234,567', 1234567, 'CNY', 1234567, 1234567],
    ['¥59-89', 59, 'CNY', 59, 89],
    ['¥59 - ¥89', 59, 'CNY', 59, 89],
    ['￥59～89', 59, 'CNY', 59, 89],
    ['59元至89元', 59, 'CNY', 59, 89],
    ['到手价¥99', 99, 'CNY', 99, 99],
    ['原价¥199 到手价¥99', 99, 'CNY', 99, 99],
    ['券后价 ￥ 79.9 原价￥129', 79.9, 'CNY', 79.9, 79.9],
    ['原价:¥199 ¥149', 149, 'CNY', 149, 149],
    ['¥199起', 199, 'CNY', 199, null],
    ['199 元起', 199, 'CNY', 199, null],
    ['1.2万元', 12000, 'CNY', 12000, 12000],
    ['5折 ¥49', 49, 'CNY', 49, 49],
    ['2件 ¥30', 30, 'CNY', 30, 30],
    ['10000mAh 充电宝 ¥89', 89, 'CNY', 89, 89],
    ['0.01元', 0.01, 'CNY', 0.01, 0.01],
    ['1\u202F299 zł', 1299, 'PLN', 1299, 1299],
    ['2 100元', 2, 'CNY', 2, 2],
    ['1\u00A0299,00 €', 1299, 'EUR', 1299, 1299],
  ])('%s -> %s %s', (text, price, currency, low, high) => {
    expect(parsePrice(text)).toEqual({ price, currency, low, high });
  });

  it.each([[''], ['面议'], ['暂无报价'], ['--'], [null], [undefined]])('%s -> no price', (text) => {
    expect(parsePrice(text).price).toBeNull();
  });

  it.each([
    [59, 59],
    [0, 0],
    [Number.NaN, null],
    [-1, null],
  ])('number %s -> %s', (n, price) => {
    expect(parsePrice(n, { defaultCurrency: 'CNY' }).price).toBe(price);
  });

  it('uses the default currency only when the text names none', () => {
    expect(parsePrice('59', { defaultCurrency: 'CNY' }).currency).toBe('CNY');
    expect(parsePrice('$59', { defaultCurrency: 'CNY' }).currency).toBe('USD');
    expect(parsePrice('59').currency).toBeNull();
  });
});

describe('parseNumberToken', () => {
  it.each([
    ['1,299', 1299],
    ['1,299.50', 1299.5],
    ['1.299,50', 1299.5],
    ['13,40', 13.4],
    ['13,5', 13.5],
    ['1.299.000', 1299000],
    ["1'299", 1299],
    ['12.5', 12.5],
    ['007', 7],
  ])('%s -> %s', (token, n) => {
    expect(parseNumberToken(token)).toBe(n);
  });
});

describe('currency', () => {
  it.each([
    ['¥', 'CNY'],
    ['元', 'CNY'],
    ['rmb', 'CNY'],
    ['美元', 'USD'],
    ['港元', 'HKD'],
    ['€', 'EUR'],
    ['£', 'GBP'],
    ['$', 'USD'],
    ['zł', 'PLN'],
    ['₽', 'RUB'],
    ['hello', null],
  ])('detectCurrency(%s) = %s', (text, code) => {
    expect(detectCurrency(text)).toBe(code);
  });

  it.each([
    ['CNY', 'CNY'],
    ['cny', 'CNY'],
    ['RMB', 'CNY'],
    ['usd', 'USD'],
    ['€', 'EUR'],
    ['XYZ', null],
    ['', null],
    [null, null],
  ])('normalizeCurrency(%s) = %s', (value, code) => {
    expect(normalizeCurrency(value)).toBe(code);
  });
});
