import { describe, expect, it } from 'vitest';
import { brandKey, brandsInText, textCarriesBrand } from '../../detectors/reference/brand-aliases.ts';

describe('brand aliases', () => {
  it.each([
    ['Midea', 'midea'],
    ['美的', 'midea'],
    ['ＭＩＤＥＡ', 'midea'],
    ['Anker Inc', 'anker'],
    ['Zephyro', 'zephyro'],
  ])('brandKey(%j) = %s', (raw, key) => expect(brandKey(raw)).toBe(key));

  it.each<[string, string, boolean]>([
    ['广东美的制冷设备有限公司', 'Midea', true],
    ['Midea air conditioner', '美的', true],
    ['premium power bank', 'mi', false], // ASCII spellings stand alone
    ['Xiaomi Mi 11', '小米', true],
    ['品牌12 电风扇', '品牌1', false], // a CJK+digit brand does not match inside a longer number
    ['品牌1 电风扇', '品牌1', true],
    ['格力空调', '美的', false],
  ])('%j carries %j: %s', (text, brand, expected) => expect(textCarriesBrand(text, brand)).toBe(expected));

  it('finds known brands in free text', () => {
    expect(brandsInText('罗马仕 PAC20 充电宝').sort()).toEqual(['romoss']);
    expect(brandsInText('generic power bank')).toEqual([]);
  });
});
