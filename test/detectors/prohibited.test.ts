import { describe, expect, it } from 'vitest';
import { compileTerm, findTerm, foldForMatch, prohibitedConfigSchema, prohibitedItemDetector } from '../../detectors/prohibited.ts';
import type { KeyedView, ReferenceView } from '../../detectors/types.ts';
import type { ProhibitedItem } from '../../pipeline/contracts/index.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { listingExample, prohibitedExample } from '../contracts/examples.ts';

function view<T>(items: T[], version = 1): KeyedView<T> {
  return { get: () => undefined, size: items.length, values: () => items.values(), version };
}
const refsWith = (items: ProhibitedItem[]) => ({ prohibited: view(items) }) as unknown as ReferenceView;

const ITEMS: ProhibitedItem[] = [
  prohibitedExample({ item_id: 'mercury_thermometer', name: '含汞体温计', keywords: ['含汞体温计', '水银体温计', 'mercury thermometer'], category: 'sanitary', severity: 'high', basis: '水俣公约' }),
  prohibitedExample({ item_id: 'incandescent_lamp', name: '普通照明白炽灯', keywords: ['白炽灯', '100瓦灯泡', 'incandescent'], category: 'electrical_appliances', severity: 'medium', basis: '白炽灯公告' }),
  prohibitedExample({ item_id: 'tetramine', name: '毒鼠强', keywords: ['毒鼠强', 'tetramine'], category: 'agricultural_inputs', severity: 'critical', basis: '农药管理条例' }),
  prohibitedExample({ item_id: 'bucky_balls', name: '巴克球', keywords: ['巴克球', 'bucky balls'], category: 'children_products', severity: 'high', basis: 'GB 6675' }),
];

describe('foldForMatch', () => {
  it.each([
    ['含 汞 体温计', '含汞体温计'],
    ['ＭＥＲＣＵＲＹ　Thermometer', 'mercury thermometer'],
    ['bucky-balls', 'bucky balls'],
    ['A 1 b', 'a 1 b'],
    ['巴克 ball', '巴克 ball'],
  ])('%j -> %j', (text, want) => {
    expect(foldForMatch(text)).toBe(want);
  });
});

describe('findTerm', () => {
  it.each([
    // [text, term, matches?]
    ['正品含汞体温计 家用', '含汞体温计', true],
    ['含 汞 体 温 计', '含汞体温计', true],
    ['无汞体温计 电子', '汞体温计', false],
    ['不含汞体温计', '汞体温计', false],
    ['Mercury Thermometers for home', 'mercury thermometer', true],
    ['mercury-free thermometer', 'mercury', false],
    ['mercury free thermometer', 'mercury', false],
    ['no mercury inside', 'mercury', false],
    ['piano mercury', 'mercury', true],
    ['tetramines2', 'tetramine', false],
    ['1100瓦灯泡', '100瓦灯泡', false],
    ['100瓦灯泡 暖光', '100瓦灯泡', true],
    ['可替代100瓦灯泡的LED灯', '100瓦灯泡', false],
    ['LED灯 60W incandescent equivalent', 'incandescent', false],
    ['复古白炽灯 E27', '白炽灯', true],
    ['非白炽灯 LED', '白炽灯', false],
    ['无线白炽灯', '白炽灯', true],
    ['白炽灯替代品 LED', '白炽灯', false],
    ['磁力 巴克球 儿童', '巴克球', true],
    ['buckyballs', 'bucky balls', false],
  ])('%j contains %j: %s', (text, term, want) => {
    expect(findTerm(foldForMatch(text), compileTerm(term)!) !== null).toBe(want);
  });
  it('finds a later un-negated occurrence after a negated one', () => {
    expect(findTerm(foldForMatch('无汞体温计 vs 汞体温计'), compileTerm('汞体温计')!)).toEqual({ index: 9, length: 4 });
  });
});

describe('prohibited_item detector', () => {
  const detect = prohibitedItemDetector.create(prohibitedConfigSchema.parse({}), { logger: silentLogger });
  const run = (over: Parameters<typeof listingExample>[0], items = ITEMS) => detect({ kind: 'listing', snapshot: listingExample(over) }, refsWith(items));

  it.each([
    ['老牌 水银体温计 腋下 家用', 'mercury_thermometer', 'title'],
    ['Mercury Thermometer glass', 'mercury_thermometer', 'title'],
    ['复古 白炽灯泡 E27', 'incandescent_lamp', 'title'],
    ['强效灭鼠 毒 鼠 强', 'tetramine', 'title'],
  ])('%j -> %s', (title, itemId, field) => {
    const f = run({ title });
    expect(f.map((x) => x.evidence_key)).toEqual([itemId]);
    expect(f[0]!.rule_id).toBe('prohibited_item');
    expect(f[0]!.evidence.observed.field).toBe(field);
    expect(f[0]!.evidence.reference.basis).toBeTruthy();
  });

  it.each([
    ['电子体温计 无汞 安全', []],
    ['LED灯泡 可替代100瓦灯泡', []],
    ['公牛 插线板 GN-B3050', []],
    ['儿童磁力片积木', []],
  ])('clean %j -> nothing', (title, want) => {
    expect(run({ title, attributes: {} })).toEqual(want);
  });

  it('matches attributes, with the field named', () => {
    const f = run({ title: '灭鼠药 强效', attributes: { 成分: '毒鼠强 0.1%' } });
    expect(f[0]!.evidence.observed).toMatchObject({ field: 'attributes.成分', keyword: '毒鼠强' });
    expect(f[0]!.severity).toBe('critical');
  });

  it('one finding per item, several items possible, ordered by item id', () => {
    const f = run({ title: '巴克球 + 白炽灯 套装 白炽灯' });
    expect(f.map((x) => x.evidence_key)).toEqual(['bucky_balls', 'incandescent_lamp']);
  });

  it('requireCategory restricts an item to listings of its category', () => {
    const strict = prohibitedItemDetector.create(prohibitedConfigSchema.parse({ requireCategory: true }), { logger: silentLogger });
    const s = (category: string) => strict({ kind: 'listing', snapshot: listingExample({ title: '白炽灯', category }) }, refsWith(ITEMS));
    expect(s('led_lamp')).toEqual([]);
    expect(s('electrical_appliances')).toHaveLength(1);
  });

  it('picks up a changed list (new view version)', () => {
    expect(run({ title: '石棉板' })).toEqual([]);
    const more = [...ITEMS, prohibitedExample({ item_id: 'asbestos', keywords: ['石棉板'] })];
    expect(detect({ kind: 'listing', snapshot: listingExample({ title: '石棉板' }) }, { prohibited: view(more, 2) } as unknown as ReferenceView)).toHaveLength(1);
  });

  it('empty list, livestreams: nothing', () => {
    expect(run({ title: '白炽灯' }, [])).toEqual([]);
  });

  it('config is strict', () => {
    expect(() => prohibitedConfigSchema.parse({ requireCategories: true })).toThrow();
  });
});
