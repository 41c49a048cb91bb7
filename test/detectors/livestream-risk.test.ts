import { describe, expect, it } from 'vitest';
import { createListingMemory, livestreamRisk, livestreamRiskConfigSchema, parseClaimedPrice } from '../../detectors/livestream-risk.ts';
import type { DetectFn, ReferenceView } from '../../detectors/types.ts';
import type { LivestreamSnapshot } from '../../pipeline/contracts/index.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { listingExample, livestreamExample } from '../contracts/examples.ts';
import { certificate, refs as fixtureRefs } from './support/fixtures.ts';

const refs = {} as ReferenceView;
const make = (over: Record<string, unknown> = {}, deps: Record<string, unknown> = {}): DetectFn =>
  livestreamRisk.create(livestreamRiskConfigSchema.parse(over), { logger: silentLogger, ...deps });
const base = livestreamExample();
const room = (transcript: string[], product: Partial<NonNullable<LivestreamSnapshot['product']>> | null = {}): LivestreamSnapshot =>
  livestreamExample({
    transcript: transcript.map((text, i) => ({ at: `2026-11-01T20:00:0${i}.000Z`, text })),
    product: product === null ? null : { ...base.product!, claimed_price_text: '直播间到手价 399 元', claimed_discount: '限时8折', title: '儿童电动玩具车', ...product },
  });
const live = (d: DetectFn, s: LivestreamSnapshot) => d({ kind: 'livestream', snapshot: s }, refs);

describe('parseClaimedPrice', () => {
  it.each([
    ['直播间到手价 399 元', 399],
    ['全网最低 ¥1,299', 1299],
    ['到手价：￥８９.９', 89.9],
    ['只要1.2万', 12000],
    ['5折', null],
    ['买2件 99元', 99],
    ['100W 大功率 仅需 59', 59],
    ['', null],
    [null, null],
  ])('%j -> %j', (text, want) => {
    expect(parseClaimedPrice(text)).toBe(want);
  });
});

describe('absolute_claim', () => {
  const d = make({ scanCard: false });
  it.each([
    [['这款是国家级的品质'], [['国家级', 'high']]],
    [['最佳选择，最高级工艺'], [['最佳', 'high'], ['最高级', 'high']]],
    [['全网最低价！', '销量冠军'], [['全网最低', 'medium'], ['最低价', 'medium'], ['销量冠军', 'medium']]],
    [['行业第一品牌'], [['第一', 'medium']]],
    [['唯一正品'], [['唯一', 'medium']]],
  ])('%j -> one finding per term %j', (lines, want) => {
    const f = live(d, room(lines)).filter((x) => x.rule_id === 'absolute_claim');
    const sorted = [...want].sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    expect(f.map((x) => [x.evidence_key, x.severity])).toEqual(sorted);
    expect(f.map((x) => x.evidence.observed.term)).toEqual(sorted.map((w) => w[0]));
  });

  it('the same term in a later sample gives the same evidence key, whatever else is said', () => {
    const a = live(d, room(['国家级品质']));
    const b = live(d, room(['国家级品质，全网最低']));
    expect(b.map((x) => x.evidence_key)).toContain(a[0]!.evidence_key);
  });

  it.each([
    ['第一次来直播间的宝宝点关注'],
    ['第一时间发货'],
    ['唯一的缺点就是有点重'],
    ['我们不是第一，但是用心'],
    ['最佳赏味期30天'],
    ['七天无理由退换，运费险已经安排上了'],
  ])('not a claim: %j', (line) => {
    expect(live(d, room([line]))).toEqual([]);
  });

  it('evidence: statutory or practice, the transcript excerpt with its time, the legal basis', () => {
    const f = live(d, room(['家人们，这是国家级品质', '全网最低了']));
    expect(f[0]!.evidence.observed).toMatchObject({ term: '全网最低', excerpts: [{ source: 'transcript', at: '2026-11-01T20:00:01.000Z', excerpt: '‹全网最低›了' }], other_terms: ['国家级'] });
    expect(f[0]!.evidence.reference).toMatchObject({ statutory: false });
    expect(f[1]!.evidence.observed).toMatchObject({ term: '国家级', excerpts: [{ source: 'transcript', at: '2026-11-01T20:00:00.000Z', excerpt: '家人们,这是‹国家级›品质' }] });
    expect(f[1]!.evidence.reference).toMatchObject({ statutory: true });
    expect(f[1]!.evidence.reference.basis).toMatch(/广告法/);
  });

  it('scans the product card when enabled', () => {
    const f = live(make(), room([], { claimed_price_text: '全网最低 399' }));
    expect(f[0]!.evidence.observed.excerpts).toEqual([expect.objectContaining({ source: 'card.claimed_price_text', at: null })]);
  });

  it('the lexicon is configurable (an entry marked statutory or not)', () => {
    const d2 = make({ lexicon: [{ term: '王炸', statutory: false }] });
    expect(live(d2, room(['国家级', '王炸单品'])).map((f) => f.evidence_key)).toEqual(['王炸']);
    expect(() => livestreamRiskConfigSchema.parse({ lexicon: [{ term: 'x' }] })).toThrow();
  });
});

describe('room_price_mismatch and room_ccc_missing', () => {
  const seen = (d: DetectFn, over: Parameters<typeof listingExample>[0]) => d({ kind: 'listing', snapshot: listingExample(over) }, refs);

  it.each([
    [399, 399, false],
    [399, 340, false],
    [399, 300, true],
    [399, 520, true],
    [399, 480, false],
  ])('listing %f, room %f -> mismatch %s', (listingPrice, roomPrice, want) => {
    const d = make();
    expect(seen(d, { listing_id: 'item-77', price: listingPrice, category: 'toy_car' })).toEqual([]);
    const f = live(d, room([`今天直播间只要${roomPrice}元！`, '点点关注'], { price: roomPrice })).filter((x) => x.rule_id === 'room_price_mismatch');
    expect(f.length).toBe(want ? 1 : 0);
    if (want) {
      expect(f[0]!.evidence.reference).toMatchObject({ listing_id: 'item-77', listing_price: listingPrice });
      expect(f[0]!.evidence.observed.transcript).toEqual([{ at: '2026-11-01T20:00:00.000Z', text: `今天直播间只要${roomPrice}元！` }]);
    }
  });

  it('uses the claimed price text when the card shows no price', () => {
    const d = make();
    seen(d, { listing_id: 'item-77', price: 399 });
    expect(live(d, room([], { price: null, claimed_price_text: '到手价 199 元' })).map((f) => f.rule_id)).toContain('room_price_mismatch');
  });

  it('claims nothing about a listing it has not seen', () => {
    expect(live(make(), room([], { price: 1 }))).toEqual([]);
  });

  it.each([
    ['power_bank', [], [], true],
    ['power_bank', ['2021010915000001'], [], false],
    ['power_bank', [], ['2021010915000001'], false],
    ['bedding_set', [], [], false],
  ])('category %s, listing CCC %j, card CCC %j -> room_ccc_missing %s', (category, listingCcc, cardCcc, want) => {
    const d = make();
    seen(d, { listing_id: 'item-77', price: 399, category, ccc_numbers: listingCcc });
    const f = live(d, room([], { ccc_numbers: cardCcc })).filter((x) => x.rule_id === 'room_ccc_missing');
    expect(f.length).toBe(want ? 1 : 0);
    if (want) expect(f[0]!.evidence.reference).toMatchObject({ ccc_codes: ['0915'], listing_id: 'item-77' });
  });

  it('a listing page without a category: the certificate register says whether its model needs CCC', () => {
    const register = fixtureRefs({ certificates: [certificate()] }); // FS40-13C of 广东美的环境电器制造有限公司, code 0702
    const d = make();
    const fan = { listing_id: 'item-77', price: 399, category: null, brand: '美的', model: 'FS40-13C', producer: { name: '广东美的环境电器制造有限公司', address: null }, ccc_numbers: [] };
    d({ kind: 'listing', snapshot: listingExample(fan) }, register);
    const f = d({ kind: 'livestream', snapshot: room([], { ccc_numbers: [] }) }, register).filter((x) => x.rule_id === 'room_ccc_missing');
    expect(f.map((x) => x.evidence.reference)).toMatchObject([{ ccc_codes: ['0702'], ccc_codes_from: 'certificate register', listing_id: 'item-77' }]);
    // A model the register does not know: nothing claimed.
    const other = make();
    other({ kind: 'listing', snapshot: listingExample({ ...fan, model: 'ZZ-9' }) }, register);
    expect(other({ kind: 'livestream', snapshot: room([], { ccc_numbers: [] }) }, register).filter((x) => x.rule_id === 'room_ccc_missing')).toEqual([]);
  });

  it('a shared listing memory passed in deps is used', () => {
    const memory = createListingMemory();
    make({}, { listingMemory: memory })({ kind: 'listing', snapshot: listingExample({ listing_id: 'item-77', price: 399 }) }, refs);
    const other = make({}, { listingMemory: memory });
    expect(live(other, room([], { price: 100 })).map((f) => f.rule_id)).toContain('room_price_mismatch');
  });

  it('memory is bounded', () => {
    const m = createListingMemory(2);
    const facts = { platform: 'p', price: 1, currency: null, category: null, ccc_numbers: [], fetched_at: '', url: '' };
    m.set('a', facts);
    m.set('b', facts);
    m.set('c', facts);
    expect([m.get('a'), m.get('b'), m.get('c')].map(Boolean)).toEqual([false, true, true]);
  });

  it('a room without a product card: only claims', () => {
    expect(live(make(), room(['国家级'], null)).map((f) => f.rule_id)).toEqual(['absolute_claim']);
  });
});
