// Industrial product production licence numbers as shown on pages: 'XK08-001-04763', '（鄂）XK12-001-00018',
// '生产许可证号：ＸＫ０８－００１－０４７６３', 'xk08 001 04763'. In: untrusted text. Out: the canonical form
// (ASCII brackets, '(鄂)XK12-001-00018'), its core without the province and the parts (industry 2 +
// product 3 + enterprise 5), or the reason it is malformed (rule `licence_malformed`). Pure.
import { halfWidth } from './text.ts';

/** One-character province abbreviations that prefix provincially issued licences. */
export const PROVINCE_ABBREVIATIONS = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';

export interface LicenceParts {
  /** '(鄂)XK12-001-00018' or 'XK08-001-04763'. */
  readonly number: string;
  /** Without the province prefix: 'XK12-001-00018'. */
  readonly core: string;
  readonly province: string | null;
  readonly industry: string;
  readonly product: string;
  readonly enterprise: string;
}

export type LicenceMalformedReason = 'empty' | 'no_xk_prefix' | 'wrong_digit_count' | 'stray_characters' | 'wrong_grouping' | 'unknown_province';

export type LicenceParse = { ok: true; value: LicenceParts } | { ok: false; reason: LicenceMalformedReason };

const LABEL = /^(?:全国工业产品)?(?:生产)?(?:许可证)?(?:编号|号码|号)?\s*(?:no\.?)?\s*[:：]?\s*/iu;

export function parseLicenceNumber(raw: string): LicenceParse {
  const text = halfWidth(raw).trim();
  if (!text) return { ok: false, reason: 'empty' };
  let rest = text.replace(LABEL, '');
  let province: string | null = null;
  const prov = /^[([【〔]?\s*(\p{Script=Han})\s*[)\]】〕]?\s*(?=xk)/iu.exec(rest);
  if (prov) {
    province = prov[1]!;
    if (!PROVINCE_ABBREVIATIONS.includes(province)) return { ok: false, reason: 'unknown_province' };
    rest = rest.slice(prov[0].length);
  }
  if (!/^xk/i.test(rest)) return { ok: false, reason: 'no_xk_prefix' };
  const tail = rest.slice(2).replace(/[\s\-./_]/g, '');
  const digits = tail.replace(/\D/g, '');
  if (digits !== tail) return { ok: false, reason: 'stray_characters' };
  if (digits.length !== 10) return { ok: false, reason: 'wrong_digit_count' };
  // Separated groups must be the 2-3-5 of the format; '0800-104763' is a typo we must not silently accept.
  const groups = rest.slice(2).trim().split(/[\s\-./_]+/).filter(Boolean);
  if (groups.length > 1 && groups.map((g) => g.length).join(',') !== '2,3,5') return { ok: false, reason: 'wrong_grouping' };
  const industry = digits.slice(0, 2);
  const product = digits.slice(2, 5);
  const enterprise = digits.slice(5);
  const core = `XK${industry}-${product}-${enterprise}`;
  return { ok: true, value: { number: province ? `(${province})${core}` : core, core, province, industry, product, enterprise } };
}
