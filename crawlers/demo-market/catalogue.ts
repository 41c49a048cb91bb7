// The demo marketplace's product catalogue: key product groups of the action plan, product types with their
// CCC product code / production-licence product and reasonable CNY price range, fictional brands (Chinese +
// English aliases) with their manufacturers, concrete products (brand + model + GTIN + reference median
// price), recalled products and prohibited items. Built once per seed and memoised: its size does not grow
// with the number of listings (a few hundred products), so 1M listings still cost no memory.
// In: seed. Out: `catalogueFor(seed)`.
import { hashKeys, rngFor } from './rng.ts';
import { PROVINCE_ABBR, REGIONS, shortPlace, type Region } from './regions.ts';

export const GROUPS = [
  'children_products',
  'electrical_appliances',
  'gas_appliances',
  'food_contact',
  'sanitary',
  'agricultural_inputs',
  'fire_products',
  'building_insulation',
  'textiles',
] as const;
export type GroupId = (typeof GROUPS)[number];

export const GROUP_NAMES: Record<GroupId, { zh: string; en: string }> = {
  children_products: { zh: '儿童用品', en: "Children's products" },
  electrical_appliances: { zh: '电器', en: 'Electrical appliances' },
  gas_appliances: { zh: '燃气器具', en: 'Gas appliances' },
  food_contact: { zh: '食品相关产品', en: 'Food-contact products' },
  sanitary: { zh: '卫生用品', en: 'Sanitary products' },
  agricultural_inputs: { zh: '农资', en: 'Agricultural inputs' },
  fire_products: { zh: '消防产品', en: 'Fire products' },
  building_insulation: { zh: '建筑保温材料', en: 'Building insulation' },
  textiles: { zh: '纺织服装', en: 'Textiles and clothing' },
};

export interface ProductType {
  /** Category id on listings (ListingSnapshot.category). */
  id: string;
  group: GroupId;
  zh: string;
  en: string;
  /**
   * CCC product code (4 digits) when the product needs CCC. Codes follow our reading of the CCC catalogue
   * (unverified for gas, fire and child-seat products); the demo only needs them to be consistent with the
   * certificate register it serves.
   */
  ccc: string | null;
  /** Production-licence industry (2 digits) + product (3 digits) when one is needed (unverified codes). */
  licence: { industry: string; product: string } | null;
  /** Reasonable retail price range, CNY. */
  price: [number, number];
  modelPrefixes: readonly string[];
  features: readonly string[];
}

const T = (
  id: string,
  group: GroupId,
  zh: string,
  en: string,
  ccc: string | null,
  licence: [string, string] | null,
  price: [number, number],
  modelPrefixes: string[],
  features: string[],
): ProductType => ({ id, group, zh, en, ccc, licence: licence ? { industry: licence[0], product: licence[1] } : null, price, modelPrefixes, features });

export const PRODUCT_TYPES: readonly ProductType[] = [
  T('toy_ride_on', 'children_products', '儿童电动童车', "Children's ride-on car", '2201', null, [399, 1599], ['RC', 'BX'], ['可坐人', '遥控', '双驱']),
  T('toy_electric', 'children_products', '电动玩具', 'Electric toy', '2202', null, [49, 399], ['ET', 'YW'], ['声光', '益智', '3岁以上']),
  T('toy_plastic', 'children_products', '塑胶积木玩具', 'Plastic building blocks', '2203', null, [39, 299], ['BK', 'JM'], ['大颗粒', '拼装', '益智']),
  T('child_car_seat', 'children_products', '儿童安全座椅', 'Child car seat', '1211', null, [599, 2999], ['CS', 'ISO'], ['ISOFIX', '0-12岁', '可躺']),
  T('electric_fan', 'electrical_appliances', '电风扇', 'Electric fan', '0702', null, [129, 599], ['FS', 'FSD'], ['落地扇', '静音', '遥控']),
  T('hair_dryer', 'electrical_appliances', '电吹风', 'Hair dryer', '0709', null, [79, 899], ['HD', 'KF'], ['负离子', '大功率', '速干']),
  T('electric_kettle', 'electrical_appliances', '电热水壶', 'Electric kettle', '0717', null, [59, 299], ['SH', 'KT'], ['304不锈钢', '1.7L', '自动断电']),
  T('rice_cooker', 'electrical_appliances', '电饭煲', 'Rice cooker', '0718', null, [149, 899], ['FB', 'RC'], ['4L', '智能预约', '不粘内胆']),
  T('power_strip', 'electrical_appliances', '插线板', 'Power strip', '0201', null, [29, 159], ['PS', 'CX'], ['USB快充', '防过载', '1.8米']),
  T('electric_wire', 'electrical_appliances', '家装电线', 'Building wire', '0102', ['06', '001'], [159, 699], ['BV', 'BVR'], ['国标铜芯', '100米', '2.5平方']),
  T('gas_stove', 'gas_appliances', '家用燃气灶', 'Gas stove', '2101', null, [399, 2499], ['JZT', 'JZY'], ['熄火保护', '嵌入式', '5.0kW']),
  T('gas_water_heater', 'gas_appliances', '燃气热水器', 'Gas water heater', '2102', null, [899, 3999], ['JSQ', 'JSG'], ['恒温', '强排式', '13升']),
  T('lpg_regulator', 'gas_appliances', '液化气减压阀', 'LPG cylinder regulator', null, ['17', '002'], [25, 99], ['JYT', 'LP'], ['防爆', '家用', '带表']),
  T('food_container', 'food_contact', '塑料保鲜盒', 'Plastic food container', null, ['16', '204'], [19, 129], ['BX', 'FC'], ['PP材质', '可微波', '密封']),
  T('stainless_pot', 'food_contact', '不锈钢汤锅', 'Stainless steel pot', null, null, [99, 599], ['TG', 'SP'], ['304不锈钢', '24cm', '燃气电磁通用']),
  T('baby_bottle', 'food_contact', '婴儿奶瓶', 'Baby bottle', null, ['16', '205'], [39, 259], ['NB', 'BB'], ['PPSU', '防胀气', '240ml']),
  T('sanitary_pad', 'sanitary', '卫生巾', 'Sanitary pads', null, null, [19, 89], ['WS', 'SN'], ['日用', '超薄', '棉柔']),
  T('baby_diaper', 'sanitary', '婴儿纸尿裤', 'Baby diapers', null, null, [69, 259], ['NK', 'DP'], ['L码', '透气', '干爽']),
  T('fertilizer', 'agricultural_inputs', '复合肥料', 'Compound fertilizer', null, ['13', '001'], [89, 329], ['FH', 'NPK'], ['15-15-15', '50kg', '高塔造粒']),
  T('sprayer', 'agricultural_inputs', '电动喷雾器', 'Electric sprayer', null, null, [129, 599], ['3WBD', 'PW'], ['16L', '锂电', '背负式']),
  T('fire_extinguisher', 'fire_products', '手提式干粉灭火器', 'Portable dry-powder extinguisher', '1807', null, [35, 159], ['MFZ', 'ABC'], ['4kg', '家用', '车载']),
  T('smoke_alarm', 'fire_products', '独立式感烟火灾探测报警器', 'Smoke alarm', '1801', null, [39, 199], ['JTY', 'GD'], ['10年电池', '声光报警', '家用']),
  T('xps_board', 'building_insulation', '挤塑聚苯板', 'XPS insulation board', null, null, [25, 120], ['XPS', 'B1'], ['B1级', '50mm', '外墙保温']),
  T('rock_wool', 'building_insulation', '岩棉板', 'Rock wool board', null, null, [39, 180], ['YM', 'RW'], ['A级不燃', '100mm', '防火']),
  T('children_clothing', 'textiles', '儿童外套', "Children's jacket", null, null, [79, 499], ['TZ', 'KC'], ['A类', '纯棉', '110-160cm']),
  T('bedding_set', 'textiles', '四件套', 'Bedding set', null, null, [129, 899], ['SJ', 'BD'], ['全棉', '1.8m床', '磨毛']),
];

/** Items whose sale is prohibited (the demo's reference list; bases paraphrased from the cited rules). */
export interface ProhibitedDef {
  item_id: string;
  group: GroupId;
  zh: string;
  en: string;
  keywords: string[];
  basis: string;
  severity: 'medium' | 'high' | 'critical';
  price: [number, number];
}
export const PROHIBITED: readonly ProhibitedDef[] = [
  { item_id: 'mercury_thermometer', group: 'sanitary', zh: '含汞体温计', en: 'Mercury thermometer', keywords: ['含汞体温计', '水银体温计', 'mercury thermometer'], basis: '《关于汞的水俣公约》及生态环境部等部门公告：自2026年1月1日起禁止生产含汞体温计', severity: 'high', price: [5, 20] },
  { item_id: 'foam_tableware', group: 'food_contact', zh: '一次性发泡塑料餐具', en: 'Disposable foam tableware', keywords: ['发泡餐盒', '一次性发泡塑料餐具', 'foam lunch box'], basis: '国家发展改革委 生态环境部《关于进一步加强塑料污染治理的意见》：禁止生产和销售一次性发泡塑料餐具', severity: 'medium', price: [9, 39] },
  { item_id: 'tetramine_rodenticide', group: 'agricultural_inputs', zh: '毒鼠强', en: 'Tetramine rodenticide', keywords: ['毒鼠强', '四亚甲基二砜四胺', 'tetramine'], basis: '《农药管理条例》及农业农村部公告：毒鼠强为国家明令禁止使用的农药', severity: 'critical', price: [5, 30] },
  { item_id: 'incandescent_lamp', group: 'electrical_appliances', zh: '普通照明白炽灯(100瓦)', en: '100 W incandescent lamp', keywords: ['白炽灯', '100瓦灯泡', 'incandescent'], basis: '国家发展改革委等《关于逐步禁止进口和销售普通照明白炽灯的公告》', severity: 'medium', price: [3, 15] },
  { item_id: 'magnet_bead_toy', group: 'children_products', zh: '巴克球磁力珠', en: 'Magnetic bead toy (bucky balls)', keywords: ['巴克球', '磁力珠', 'bucky balls'], basis: 'GB 6675.1-2014 磁通量指数要求；市场监管总局风险警示：不得作为儿童玩具销售', severity: 'high', price: [19, 79] },
  { item_id: 'unlabelled_lpg_cylinder', group: 'gas_appliances', zh: '翻新液化气钢瓶', en: 'Refurbished LPG cylinder', keywords: ['翻新液化气钢瓶', '二手煤气罐', 'refurbished LPG cylinder'], basis: '《特种设备安全法》：禁止销售翻新、报废的气瓶', severity: 'critical', price: [60, 180] },
  { item_id: 'fake_fire_extinguisher', group: 'fire_products', zh: '二氧化碳假冒灭火器(无标志)', en: 'Unmarked extinguisher refill', keywords: ['无标志灭火器', '灭火器翻新'], basis: '《消防产品监督管理规定》：禁止销售不合格、国家明令淘汰的消防产品', severity: 'high', price: [15, 40] },
  { item_id: 'asbestos_board', group: 'building_insulation', zh: '温石棉保温板', en: 'Chrysotile asbestos board', keywords: ['石棉板', '温石棉'], basis: '《产业结构调整指导目录》淘汰类：石棉保温材料', severity: 'high', price: [20, 90] },
  { item_id: 'azo_dyed_clothing', group: 'textiles', zh: '偶氮染料童装(禁用)', en: 'Clothing with banned azo dyes', keywords: ['可分解致癌芳香胺染料'], basis: 'GB 18401-2010：禁用可分解致癌芳香胺染料', severity: 'high', price: [29, 99] },
];

export interface Brand {
  id: string;
  zh: string;
  en: string;
}

/** Fictional brands (so no real company is named as a problem seller), two Chinese+English aliases each. */
const BRAND_NAMES: readonly [string, string][] = [
  ['安格', 'Ange'], ['华韵', 'Huayun'], ['乐途', 'Letu'], ['星朗', 'Xinglang'], ['禾田', 'Hetian'], ['优恩', 'Youen'],
  ['瑞丰', 'Ruifeng'], ['康宜', 'Kangyi'], ['卓美', 'Zhuomei'], ['新源', 'Xinyuan'], ['博雅', 'Boya'], ['吉祥鸟', 'Luckybird'],
  ['正泰和', 'Zhengtaihe'], ['蓝鲸', 'Bluewhale'], ['金稻', 'Goldrice'], ['贝贝熊', 'Beibeibear'], ['暖居', 'Nuanju'], ['安消', 'Anxiao'],
];

export interface Party {
  name: string;
  address: string;
  region: Region;
}

export interface Product {
  product_id: string;
  index: number;
  type: ProductType;
  brand: Brand;
  model: string;
  gtin: string;
  /** Reference median price (CNY) and the product's reasonable range. */
  median: number;
  min: number;
  max: number;
  manufacturer: Party;
  recalled: boolean;
}

export interface ProhibitedProduct {
  def: ProhibitedDef;
  product_id: string;
  /** The maker's trade name used as the brand on listings. */
  brand: string;
  model: string;
  median: number;
  manufacturer: Party;
}

export interface Catalogue {
  seed: number;
  products: readonly Product[];
  /** Products that may appear on clean listings (not recalled). */
  sellable: readonly Product[];
  byGroup: ReadonlyMap<GroupId, { sellable: Product[]; ccc: Product[]; licensed: Product[]; recalled: Product[]; prohibited: ProhibitedProduct[] }>;
  prohibited: readonly ProhibitedProduct[];
  brandManufacturer: ReadonlyMap<string, Party>;
}

export function ean13(first12: string): string {
  let sum = 0;
  for (let j = 0; j < 12; j++) sum += Number(first12[j]) * (j % 2 === 0 ? 1 : 3);
  return first12 + String((10 - (sum % 10)) % 10);
}

/** A street address inside a region: '广东省深圳市南山区科技园路88号'. */
export function addressIn(region: Region, street: string, no: number): string {
  const city = region.city === region.province ? '' : region.city;
  return `${region.province}${city}${region.county}${street}${no}号`;
}

const STREETS = ['工业大道', '科技园路', '兴业路', '创业路', '人民路', '解放路', '建设路', '高新路', '振兴路', '滨江路', '长安路', '胜利路'];
export const pickStreet = (h: number): string => STREETS[h % STREETS.length] as string;

const CCC_PRICE_ROUND = (x: number): number => Math.max(1, Math.round(x));

function makeManufacturer(seed: number, brand: Brand, groupWord: string): Party {
  const r = rngFor(seed, 'maker', brand.id);
  const region = r.pick(REGIONS);
  return {
    name: `${shortPlace(region.city)}${brand.zh}${groupWord}有限公司`,
    address: addressIn(region, pickStreet(r.int(1000)), r.range(1, 388)),
    region,
  };
}

const cache = new Map<number, Catalogue>();

export function catalogueFor(seed: number): Catalogue {
  const hit = cache.get(seed);
  if (hit) return hit;
  const products: Product[] = [];
  const brandManufacturer = new Map<string, Party>();
  const brands: Brand[] = BRAND_NAMES.map(([zh, en]) => ({ id: en.toLowerCase(), zh, en }));
  for (const b of brands) brandManufacturer.set(b.id, makeManufacturer(seed, b, '实业'));
  for (const type of PRODUCT_TYPES) {
    const r = rngFor(seed, 'type', type.id);
    // Four brands per type, two models each, one more model per type that will be recalled.
    const start = r.int(brands.length);
    for (let b = 0; b < 4; b++) {
      const brand = brands[(start + b * 5) % brands.length] as Brand;
      for (let m = 0; m < (b === 0 ? 3 : 2); m++) {
        const pr = rngFor(seed, 'product', type.id, b, m);
        const prefix = pr.pick(type.modelPrefixes);
        const model = `${prefix}${pr.range(10, 99)}-${pr.range(1, 9)}${pr.digits(1)}${pr.pick(['', 'A', 'B', 'GR', 'H', 'S'])}`;
        const [lo, hi] = type.price;
        const median = CCC_PRICE_ROUND(lo + (hi - lo) * pr.float(0.2, 0.8));
        products.push({
          product_id: `${type.id}-${brand.id}-${model.toLowerCase()}`,
          index: products.length,
          type,
          brand,
          model,
          gtin: ean13(`69${String(hashKeys(seed, 'gtin', type.id, b, m) % 1e10).padStart(10, '0')}`),
          median,
          min: CCC_PRICE_ROUND(median * 0.75),
          max: CCC_PRICE_ROUND(median * 1.4),
          manufacturer: brandManufacturer.get(brand.id) as Party,
          recalled: b === 0 && m === 2,
        });
      }
    }
  }
  const prohibited: ProhibitedProduct[] = PROHIBITED.map((def) => {
    const r = rngFor(seed, 'prohibited', def.item_id);
    const region = r.pick(REGIONS);
    const brand = r.pick(['恒达', '兴旺', '鑫源', '大众', '宏发']);
    return {
      def,
      product_id: `prohibited-${def.item_id}`,
      brand,
      model: `${def.item_id.slice(0, 2).toUpperCase()}-${r.range(100, 999)}`,
      median: CCC_PRICE_ROUND(def.price[0] + (def.price[1] - def.price[0]) * r.float(0.3, 0.7)),
      manufacturer: { name: `${shortPlace(region.city)}${brand}制品厂`, address: addressIn(region, pickStreet(r.int(1000)), r.range(1, 300)), region },
    };
  });
  const byGroup = new Map<GroupId, { sellable: Product[]; ccc: Product[]; licensed: Product[]; recalled: Product[]; prohibited: ProhibitedProduct[] }>();
  for (const g of GROUPS) byGroup.set(g, { sellable: [], ccc: [], licensed: [], recalled: [], prohibited: [] });
  for (const p of products) {
    const e = byGroup.get(p.type.group)!;
    if (p.recalled) e.recalled.push(p);
    else {
      e.sellable.push(p);
      if (p.type.ccc) e.ccc.push(p);
      if (p.type.licence) e.licensed.push(p);
    }
  }
  for (const p of prohibited) byGroup.get(p.def.group)!.prohibited.push(p);
  const cat: Catalogue = { seed, products, sellable: products.filter((p) => !p.recalled), byGroup, prohibited, brandManufacturer };
  cache.set(seed, cat);
  return cat;
}

/** The province abbreviation of a party's region, for provincially issued licences. */
export const provinceAbbr = (p: Party): string => PROVINCE_ABBR[p.region.provinceCode] ?? '京';
