import { describe, expect, it } from 'vitest';
import { extractCccNumbers, extractGtins, extractLicenceNumbers, extractScLicences, isValidGtin, normalizeGtin } from '../../../crawlers/normalize/identifiers.ts';

describe('extractCccNumbers', () => {
  it.each([
    ['CCC证书：2020010703123456', ['2020010703123456']],
    ['证书编号：2020 0107 0312 3456', ['2020010703123456']],
    ['证书编号:２０２００１０７０３１２３４５６', ['2020010703123456']],
    ['CCC 2020-0107-0312-3456', ['2020010703123456']],
    ['CCC2020010703123456', ['2020010703123456']],
    ['No. 2019011606123450 和 No.2021010901000001', ['2019011606123450', '2021010901000001']],
    ['3C认证 2020010703123456 2021010901000001', ['2020010703123456', '2021010901000001']],
    ['本产品已通过认证 2020010703123456。', ['2020010703123456']],
    // labelled but malformed (15 digits): kept, it is evidence
    ['证书编号：202001070312345', ['202001070312345']],
    // unlabelled 15 / 17 digits, phone numbers, GTINs, licence numbers, dates: not certificates
    ['订单号 202001070312345', []],
    ['电话 13800138000', []],
    ['条码 6901234567892', []],
    ['XK08-001-04763', []],
    ['SC10533011000123', []],
    ['生产日期 2024-05-01', []],
    ['', []],
  ])('%s', (text, expected) => {
    expect(extractCccNumbers(text)).toEqual(expected);
  });
});

describe('extractLicenceNumbers', () => {
  it.each([
    ['生产许可证号：XK08-001-04763', ['XK08-001-04763']],
    ['(鄂)XK12-001-00018', ['(鄂)XK12-001-00018']],
    ['（鄂）XK12-001-00018', ['(鄂)XK12-001-00018']],
    ['（ 粤 ） X K 12 - 001 - 00018', ['(粤)XK12-001-00018']],
    ['ＸＫ０８－００１－０４７６３', ['XK08-001-04763']],
    ['xk08-001-04763', ['XK08-001-04763']],
    ['XK0800104763', ['XK08-001-04763']],
    ['XK08-001-0476', []],
    ['ABCXK08-001-04763', []],
    ['两张：XK08-001-04763、XK16-205-00123', ['XK08-001-04763', 'XK16-205-00123']],
  ])('%s', (text, expected) => {
    expect(extractLicenceNumbers(text)).toEqual(expected);
  });
});

describe('extractScLicences', () => {
  it.each([
    ['食品生产许可证编号：SC10533011000123', ['SC10533011000123']],
    ['SC 1053 3011 0001 23', ['SC10533011000123']],
    ['ＳＣ１０５３３０１１０００１２３', ['SC10533011000123']],
    ['SC1053301100012', []],
    ['SC105330110001234', []],
    ['DISC10533011000123', []],
  ])('%s', (text, expected) => {
    expect(extractScLicences(text)).toEqual(expected);
  });
});

describe('GTIN', () => {
  it.each([
    ['6901234567892', true],
    ['6901234567891', false],
    ['4006381333931', true],
    ['96385074', true],
    ['96385075', false],
    ['036000291452', true],
    ['10036000291459', true],
    ['123', false],
    ['abcdefghijklm', false],
  ])('isValidGtin(%s) = %s', (digits, valid) => {
    expect(isValidGtin(digits)).toBe(valid);
  });

  it.each([
    ['6901234567892', '6901234567892'],
    ['690 1234 5678 92', '6901234567892'],
    ['６９０１２３４５６７８９２', '6901234567892'],
    [4006381333931, '4006381333931'],
    ['6901234567891', null],
    ['', null],
    [null, null],
  ])('normalizeGtin(%s) = %s', (value, expected) => {
    expect(normalizeGtin(value)).toBe(expected);
  });

  it.each([
    ['条形码: 6901234567892 电话 13800138000', ['6901234567892']],
    ['EAN 4006381333931 / 6901234567891', ['4006381333931']],
    ['model KX6901234567892', []],
  ])('extractGtins(%s)', (text, expected) => {
    expect(extractGtins(text)).toEqual(expected);
  });
});
