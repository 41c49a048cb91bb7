import { describe, expect, it } from 'vitest';
import { createRecallIndex, DEFAULT_MATCH_OPTIONS, modelCandidates, nameWords, sameCompany, splitModels, STOP_WORDS, titleTokens } from '../../detectors/recall-index.ts';
import { compareModels, modelKey } from '../../detectors/model-number.ts';
import { halfWidth } from '../../detectors/text.ts';
import { recallMatch } from '../../detectors/recall-match.ts';
import type { RecallQuery } from '../../detectors/types.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { listing, recall, refs } from './support/fixtures.ts';

describe('model keys', () => {
  it.each([
    ['KFR-35GW/BP3DN8Y', 'KFR35GWBP3DN8Y'],
    ['ｋｆｒ－３５ｇｗ', 'KFR35GW'],
    ['A1 (白色)', 'A1'],
    ['pac 20', 'PAC20'],
    ['FS40-13C【2024款】', 'FS4013C'],
  ])('%j -> %s', (raw, key) => expect(modelKey(raw)).toBe(key));

  it.each<[string, string, string | null]>([
    ['PAC20', 'pac-20', 'exact'],
    ['FS40-13CW', 'FS40-13C', null], // letter after letter: another word, not a variant
    ['FS40-13W', 'FS40-13', 'suffix_variant'],
    ['A15', 'A1', null],
    ['A1B', 'A1', null], // 'A1' is too short to carry variants
    ['XYZ-100', 'XYZ-1**', 'pattern'],
    ['KFR-35GW/BP3', 'KFR-35GW/*', 'pattern'],
    ['KFR-26GW/BP3', 'KFR-35GW/*', null],
  ])('%s vs %s -> %s', (a, b, rel) => expect(compareModels(a, b)).toBe(rel));
});

describe('text features', () => {
  it('tokenises words and CJK bigrams', () => {
    expect(titleTokens('罗马仕 移动电源 PAC20 for iPhone')).toEqual(['罗马', '马仕', '移动', '动电', '电源', 'pac20', 'iphone']);
  });
  it.each([
    ['the printshop v22 deluxe', ['printshop', '22', 'deluxe']],
    ['print shop version 22', ['print', 'shop', '22']],
    ['photoshop elements 4.0 mac', ['photoshop', 'elements', '4', 'mac']],
    ['mac os x 10.4.6', ['mac', 'os', 'x', '10', '4', '6']],
    ['pac 1.05', ['pac', '1', '05']],
  ])('one spelling of a version: %j', (title, tokens) => expect(titleTokens(title)).toEqual(tokens));
  it('cuts the runs /[a-z0-9]+|\\p{Script=Han}+/u would cut, for every code point', () => {
    // The scanner classifies characters by hand (ranges, then the regex for the rare ones); this is what it replaced.
    const runs = (s: string) => {
      const out: string[] = [];
      for (const t of halfWidth(s).toLowerCase().match(/[a-z0-9]+|\p{Script=Han}+/gu) ?? []) {
        if (!/^[a-z0-9]/.test(t)) out.push(...(t.length === 1 ? [t] : Array.from({ length: t.length - 1 }, (_, i) => t.slice(i, i + 2))));
        else if (!STOP_WORDS.has(t)) out.push(t);
      }
      return out;
    };
    const wrong: string[] = [];
    for (let cp = 0x80; cp < 0x110000; cp += cp < 0x30000 ? 1 : 97) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const s = `b中${String.fromCodePoint(cp)}国${String.fromCodePoint(cp)}x9`;
      if (JSON.stringify(titleTokens(s)) !== JSON.stringify(runs(s))) wrong.push(cp.toString(16));
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    // 〇 and 々 are Han outside the ideograph blocks; the compatibility ideograph and the Kangxi radical fold to 豈 and 一.
    expect(titleTokens('〇々\uF900 \u2F00z')).toEqual(['〇々', '々豈', '一', 'z']);
  });
  it('pulls model-like runs from titles, not barcodes', () => {
    expect(modelCandidates('罗马仕 PAC20 20000mAh 6901234567892')).toEqual(['PAC20', '20000MAH']);
  });
  it('splits a models field listing several', () => {
    expect(splitModels(['A1, A2、B3 及 C4', 'KFR-35GW/BP3'])).toEqual(['A1', 'A2', 'B3', 'C4', 'KFR-35GW/BP3']);
  });
});

describe('recall index', () => {
  const idx = createRecallIndex();
  idx.add(recall({ recall_id: 'R-PAC', brand: '罗马仕', product_name: '移动电源', models: ['PAC20'], gtins: ['6901234567892'] }));
  idx.add(recall({ recall_id: 'R-A1', brand: 'Anker', product_name: 'Power bank', models: ['A1'], gtins: [] }));
  idx.add(recall({ recall_id: 'R-UPC', brand: 'Zephyro', product_name: 'Blender bottle', models: ['ES15-BB-TA'], gtins: ['012345678905'] }));
  idx.add(recall({ recall_id: 'R-KFR', brand: '格力', product_name: '空调', models: ['KFR-35GW/*'], gtins: [] }));

  const ids = (q: RecallQuery) => idx.match(q).map((m) => m.recall.recall_id);

  it.each<[string, RecallQuery, string[]]>([
    ['GTIN field', { title: '充电宝', gtin: '6901234567892' }, ['R-PAC']],
    ['GTIN in the title', { title: '充电宝 条码 6901234567892' }, ['R-PAC']],
    ['UPC-12 equals EAN-13 with a leading zero', { title: 'bottle', gtin: '0012345678905' }, ['R-UPC']],
    ['barcode substring is no match', { title: '充电宝 条码 690123456789' }, []],
    ['model + brand (full-width, other case)', { title: '罗马仕充电宝 ｐａｃ－２０ 20000毫安', brand: null }, ['R-PAC']],
    ['model + brand via English alias', { title: 'Romoss PAC20 power bank 20000mAh' }, ['R-PAC']],
    ['same model, another brand: no match', { title: '品胜 PAC20 移动电源', brand: '品胜' }, []],
    ['short model inside another token: no match', { title: 'Anker A15 power bank', brand: 'Anker' }, []],
    ['short model with brand and a similar title', { title: 'Anker A1 power bank', brand: 'Anker' }, ['R-A1']],
    ['short model alone is not enough', { title: 'A1 phone case' }, []],
    ['series pattern', { title: '格力空调 KFR-35GW/BP3DN8Y 1.5匹', brand: '格力' }, ['R-KFR']],
    ['unrelated', { title: '不锈钢保温杯 500ml' }, []],
  ])('%s', (_n, q, expected) => expect(ids(q)).toEqual(expected));

  it('explains a match', () => {
    const [m] = idx.match({ title: 'Romoss PAC20 power bank', brand: 'ROMOSS', model: 'PAC-20' });
    expect(m).toMatchObject({ matched_on: ['model', 'brand'], explain: { model: { listing: 'PAC-20', recall: 'PAC20' }, brand: { listing: 'ROMOSS', recall: '罗马仕' } } });
    expect(m!.score).toBeGreaterThanOrEqual(0.9);
  });

  it('removing a recall removes its matches', () => {
    const local = createRecallIndex();
    local.add(recall({ recall_id: 'X', models: ['PAC20'] }));
    expect(local.match({ title: '罗马仕 PAC20' })).toHaveLength(1);
    local.remove('X');
    expect(local.match({ title: '罗马仕 PAC20' })).toHaveLength(0);
    expect(local.size).toBe(0);
  });

  it('candidate lookups do not scan every recall', () => {
    // 20k recalls of other products: the query still finds its one recall and scores few candidates.
    const big = createRecallIndex();
    for (let i = 0; i < 20_000; i++) big.add(recall({ recall_id: `N${i}`, brand: `brand${i % 500}`, product_name: `widget type ${i % 97}`, models: [`ZX${i}`] }));
    big.add(recall({ recall_id: 'T', brand: '罗马仕', product_name: '移动电源', models: ['PAC20'] }));
    expect(big.match({ title: '罗马仕 PAC20 移动电源' }).map((m) => m.recall.recall_id)).toEqual(['T']);
    // Cost is counted, not timed (speed is the benchmark's business): few candidates out of 20,001, and a
    // title made of words common to thousands of recalls still looks at no more than maxCandidates.
    expect(big.candidateCount({ title: '罗马仕 PAC20 移动电源' })).toBeLessThanOrEqual(5);
    expect(big.candidateCount({ title: 'brand7 widget type 3' })).toBeLessThanOrEqual(DEFAULT_MATCH_OPTIONS.maxCandidates + 1);
    expect(big.candidateCount({ title: 'brand7 widget type 3', model: 'ZX7' })).toBeGreaterThanOrEqual(1);
  });
});

describe('recall_match detector', () => {
  const run = (over: Parameters<typeof listing>[0], recalls = [recall()]) =>
    recallMatch.create(recallMatch.configSchema.parse({}), { logger: silentLogger })({ kind: 'listing', snapshot: listing(over) }, refs({ recalls }));

  it('reports a recalled product with evidence', () => {
    const [f, ...rest] = run({ title: '罗马仕 PAC20 充电宝', brand: '罗马仕', model: 'PAC20', category: 'power_bank' });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ rule_id: 'recalled_product', evidence_key: 'R1', evidence: { reference: { recall_id: 'R1', defect: '电芯存在缺陷，可能起火' } } });
  });
  it('no recalls loaded: nothing', () => expect(run({}, [])).toEqual([]));
  it('livestream product card', () => {
    const fn = recallMatch.create(recallMatch.configSchema.parse({}), { logger: silentLogger });
    const snapshot = { product: { listing_id: null, title: '罗马仕充电宝 PAC20', price: 59, currency: 'CNY', claimed_price_text: null, claimed_discount: null, ccc_numbers: [], brand: '罗马仕', model: null } } as never;
    expect(fn({ kind: 'livestream', snapshot }, refs({ recalls: [recall()] })).map((f) => f.evidence_key)).toEqual(['R1']);
  });
});

describe("keepNearBest on the recall side (match-recalls --near-best)", () => {
  it.each<[number, string[]]>([
    [0, ['a:1', 'b:3']],
    [0.1, ['a:1', 'a:2', 'b:3']],
    [0.5, ['a:1', 'a:2', 'b:3', 'a:4']],
  ])('delta %s', async (delta, kept) => {
    const { keepNearBest } = await import('../../detectors/match-recalls.ts');
    const ms = [
      { recall_id: 'a', listing_id: '1', score: 0.9 },
      { recall_id: 'a', listing_id: '2', score: 0.85 },
      { recall_id: 'b', listing_id: '3', score: 0.5 },
      { recall_id: 'a', listing_id: '4', score: 0.6 },
    ];
    expect(keepNearBest(ms, delta, 'recall').map((m) => `${m.recall_id}:${m.listing_id}`)).toEqual(kept);
  });
});

describe('brands written two ways', () => {
  it.each<[string, string, boolean]>([
    ['Apple', 'Apple Computer', true],
    ['Punch! Software', 'punch software', true],
    ['global-software-publishing', 'Global Software', true],
    ['Sony Media', 'sony', true],
    ['品牌1', '品牌12', false], // whole words only
    ['Mi', 'Midea', false],
    ['Encore', 'Topics Entertainment', false],
    ['', 'Apple', false],
  ])('%j vs %j -> %s', (a, b, same) => expect(sameCompany(nameWords(a), nameWords(b))).toBe(same));

  const idx = createRecallIndex();
  idx.add(recall({ recall_id: 'R-LOGIC', brand: 'Apple Computer', product_name: 'logic express 7 music production', models: [] }));
  idx.add(recall({ recall_id: 'R-TRAIN', brand: 'Topics Entertainment', product_name: 'microsoft office and windows training professional', models: [] }));
  idx.add(recall({ recall_id: 'R-GREE', brand: '格力', product_name: '空调', models: ['KFR-35GW/BP3'] }));
  const ids = (q: RecallQuery, o = {}) => idx.match(q, o).map((m) => m.recall.recall_id);

  it('a company name that begins with the recall brand is the brand', () => {
    const [m] = idx.match({ title: 'apple logic express 7 music production software', brand: 'Apple' });
    expect(m).toMatchObject({ recall: { recall_id: 'R-LOGIC' }, matched_on: expect.arrayContaining(['brand', 'title']) });
  });
  it('another brand only named in the title does not rule a title match out (it is often the subject)', () => {
    expect(ids({ title: 'microsoft office and windows training professional' }, { titleOnlyMin: 0.8 })).toEqual(['R-TRAIN']);
    // ... but a brand field naming another company still does
    expect(ids({ title: 'microsoft office and windows training professional', brand: 'Microsoft' }, { titleOnlyMin: 0.8 })).toEqual([]);
  });
  it('same model from another brand named in the title is still no match', () => {
    expect(ids({ title: '美的空调 KFR-35GW/BP3 1.5匹' })).toEqual([]);
    expect(ids({ title: '格力空调 KFR-35GW/BP3 1.5匹' })).toEqual(['R-GREE']);
  });
});
