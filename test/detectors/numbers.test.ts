import { describe, expect, it } from 'vitest';
import { parseCccNumber } from '../../detectors/certificate-number.ts';
import { parseLicenceNumber } from '../../detectors/licence-number.ts';

describe('parseCccNumber', () => {
  it.each([
    ['2016010901123456', '2016010901123456', '0901'],
    ['２０１６０１０９０１１２３４５６', '2016010901123456', '0901'],
    ['2016 0109 0112 3456', '2016010901123456', '0901'],
    ['证书编号：2016010701000123', '2016010701000123', '0701'],
    ['CCC No. 2016-010702-000123', '2016010702000123', '0702'],
    ['ccc:2021011606123456', '2021011606123456', '1606'],
    ['  CQC证书号 2019010201999999 ', '2019010201999999', '0201'],
  ])('%j -> %s', (raw, number, code) => {
    const r = parseCccNumber(raw);
    expect(r).toMatchObject({ ok: true, value: { number, categoryCode: code } });
  });

  it('splits the parts', () => {
    expect(parseCccNumber('2016010901123456')).toEqual({ ok: true, value: { number: '2016010901123456', year: 2016, body: '01', categoryCode: '0901', sequence: '123456' } });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['证书编号：', 'no_digits'],
    ['201601090112345', 'wrong_length'],
    ['20160109011234567', 'wrong_length'],
    ['2016010901l23456', 'stray_characters'],
    ['2016O10901123456', 'stray_characters'],
    ['1999010901123456', 'implausible_year'],
    ['2016000901123456', 'invalid_body'],
    ['2016010001123456', 'invalid_category_code'],
    ['2016010900123456', 'invalid_category_code'],
  ])('%j is malformed: %s', (raw, reason) => {
    expect(parseCccNumber(raw)).toMatchObject({ ok: false, reason });
  });
});

describe('parseLicenceNumber', () => {
  it.each([
    ['XK08-001-04763', 'XK08-001-04763', null],
    ['xk08-001-04763', 'XK08-001-04763', null],
    ['ＸＫ０８－００１－０４７６３', 'XK08-001-04763', null],
    ['XK08 001 04763', 'XK08-001-04763', null],
    ['XK0800104763', 'XK08-001-04763', null],
    ['(鄂)XK12-001-00018', '(鄂)XK12-001-00018', '鄂'],
    ['（鄂）XK12-001-00018', '(鄂)XK12-001-00018', '鄂'],
    ['鄂XK12-001-00018', '(鄂)XK12-001-00018', '鄂'],
    ['生产许可证号：(粤)XK06-014-00501', '(粤)XK06-014-00501', '粤'],
    ['全国工业产品生产许可证编号: XK16-204-00007', 'XK16-204-00007', null],
    ['XK08—001—04763', 'XK08-001-04763', null],
  ])('%j -> %s', (raw, number, province) => {
    expect(parseLicenceNumber(raw)).toMatchObject({ ok: true, value: { number, province, core: number.replace(/^\(.\)/, '') } });
  });

  it.each([
    ['', 'empty'],
    ['08-001-04763', 'no_xk_prefix'],
    ['QS1234-5678', 'no_xk_prefix'],
    ['XK08-001-0476', 'wrong_digit_count'],
    ['XK08-001-047633', 'wrong_digit_count'],
    ['XK08-0010-4763', 'wrong_grouping'],
    ['XK08-00I-04763', 'stray_characters'],
    ['(X)XK12-001-00018', 'no_xk_prefix'],
    ['(美)XK12-001-00018', 'unknown_province'],
  ])('%j is malformed: %s', (raw, reason) => {
    expect(parseLicenceNumber(raw)).toMatchObject({ ok: false, reason });
  });
});
