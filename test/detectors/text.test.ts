// halfWidth/foldText: the fast path for text that is already its own form (ASCII, CJK ideographs and
// punctuation) must give exactly what the full normalisation gives, for every code point.
import { describe, expect, it } from 'vitest';
import { foldText, halfWidth } from '../../detectors/text.ts';

/** The definition: NFKC, then the dashes and spaces NFKC leaves alone. */
const reference = (t: string) =>
  t
    .normalize('NFKC')
    .replace(/[\u2010-\u2015\u2212\uFE63\uFF0D\u30FC]/g, '-')
    .replace(/[\u00A0\u2000-\u200B\u202F\u205F\u3000\uFEFF]/g, ' ');

describe('halfWidth', () => {
  it.each([
    ['ASCII', 'Anker A1263 10000mAh', 'Anker A1263 10000mAh'],
    ['CJK and punctuation', '【官方旗舰店】美的 电风扇、落地扇。', '【官方旗舰店】美的 电风扇、落地扇。'],
    ['full-width letters and digits', 'ＫＦＲ－３５ＧＷ', 'KFR-35GW'],
    ['ideographic space', '美的\u3000电扇', '美的 电扇'],
    ['katakana prolonged mark as dash', 'A\u30FC1', 'A-1'],
    ['full-width parentheses', '（深圳）', '(深圳)'],
    ['compatibility ideograph', '\uF900', '\u8C48'],
    ['Hangzhou numeral', '\u3038', '\u5341'],
  ])('%s', (_name, input, expected) => {
    expect(halfWidth(input)).toBe(expected);
    expect(halfWidth(input)).toBe(reference(input));
  });

  it('equals the definition for every code point, alone and between ASCII and CJK neighbours', () => {
    const wrong: string[] = [];
    for (let c = 0; c < 0x110000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const s = String.fromCodePoint(c);
      for (const t of [s, `a${s}中`]) if (halfWidth(t) !== reference(t)) wrong.push(c.toString(16));
    }
    expect(wrong).toEqual([]);
  }, 60_000); // ~2.2M strings: seconds on a loaded machine

  it('foldText lower-cases and collapses whitespace', () => {
    expect(foldText('  ＡＢＣ\u3000 美的  ')).toBe('abc 美的');
  });
});
