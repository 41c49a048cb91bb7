import { describe, expect, it } from 'vitest';
import { brandKey, cleanModel, normalizeBrand, normalizeModel } from '../../../crawlers/normalize/product.ts';
import { cleanText, toHalfWidth } from '../../../crawlers/normalize/text.ts';

describe('normalizeModel', () => {
  it.each([
    ['KX-2000B', 'KX2000B'],
    ['kx 2000 b', 'KX2000B'],
    ['ＫＸ－２０００Ｂ', 'KX2000B'],
    ['kx_2000/B', 'KX2000B'],
    ['型号：KX-2000B', 'KX2000B'],
    ['Model No. kx.2000.b', 'KX2000B'],
    ['SD-120型', 'SD120'],
    ['A1', 'A1'],
    ['A15', 'A15'],
    ['   ', null],
    [null, null],
  ])('%s -> %s', (text, key) => {
    expect(normalizeModel(text)).toBe(key);
  });

  it('keeps short models distinct from longer ones', () => {
    expect(normalizeModel('A1')).not.toBe(normalizeModel('A15'));
  });

  it.each([
    ['型号: KX-2000B ', 'KX-2000B'],
    ['ＫＸ－２０００Ｂ', 'KX-2000B'],
    ['', null],
  ])('cleanModel(%s) = %s', (text, shown) => {
    expect(cleanModel(text)).toBe(shown);
  });
});

describe('brand', () => {
  it.each([
    ['  Midea®  ', 'Midea'],
    ['品牌：美的', '美的'],
    ['ＭＩＤＥＡ', 'ＭＩＤＥＡ'],
    ['康宜（Kangyi）', '康宜（Kangyi）'],
    ['Brand', 'Brand'],
    ['Brand: Philips™', 'Philips'],
    ['', null],
    [null, null],
  ])('normalizeBrand(%s) = %s', (text, brand) => {
    expect(normalizeBrand(text)).toBe(brand);
  });

  it.each([
    ['BabyBjörn', 'babybjorn'],
    ['Baby Bjorn', 'babybjorn'],
    ['ＭＩＤＥＡ', 'midea'],
    ['美的 Midea', '美的midea'],
  ])('brandKey(%s) = %s', (text, key) => {
    expect(brandKey(text)).toBe(key);
  });
});

describe('text', () => {
  it.each([
    ['１２３ＡＢＣ', '123ABC'],
    ['（鄂）', '(鄂)'],
    ['￥', '¥'],
    ['a\u3000b', 'a b'],
    ['a–b', 'a-b'],
  ])('toHalfWidth(%s) = %s', (text, out) => {
    expect(toHalfWidth(text)).toBe(out);
  });

  it('cleanText collapses whitespace', () => {
    expect(cleanText('  a \n\t b  ')).toBe('a b');
  });
});
