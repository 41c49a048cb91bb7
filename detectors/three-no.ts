// three_no: "三无产品" listings: no producer name, no producer address, no certificate where the category
// requires one (CCC, or a production licence).
// In: a listing snapshot. Out: at most one `three_no` finding listing what is missing; evidence_key is that
// list, so a listing that later adds its address gets a new alert and a re-crawl of the same page does not.
//
// Choices:
// - "Missing" includes placeholders sellers write instead of a name ('无', '暂无', '不详', '见包装', 'N/A',
//   '-' …, configurable), and the name/address may come from attributes ('生产厂家', '厂址', 'manufacturer' …)
//   when the structured producer fields are empty;
// - which categories need a CCC certificate or a production licence comes from the certificate detector's
//   catalogue (detectors/reference/ccc-catalogue.ts), so both detectors agree;
// - a listing that lacks only the certificate is by default not reported here: certificate_mismatch reports
//   it ("CCC-required category sold without a certificate") and one problem should give one alert. Set
//   `certificateAloneIsThreeNo` to report it here too.
import { z } from 'zod';
import { cccCodesForCategory, licenceProductForCategory } from './reference/ccc-catalogue.ts';
import { foldText } from './text.ts';
import { defineDetector, type DetectorFinding } from './types.ts';

export const threeNoConfigSchema = z.strictObject({
  /** Values that mean "not given" (compared folded: half-width, lower case, trimmed). */
  placeholders: z
    .array(z.string().min(1))
    .default(['无', '暂无', '没有', '不详', '未知', '见包装', '详见包装', '见说明书', '详见说明书', '见详情', '详见详情页', '见图', '详见图片', '同上', '略', 'n/a', 'na', 'none', 'null', 'unknown', '-', '--', '/', '.', '*', '0']),
  /** Attribute keys that carry the producer's name when the structured field is empty. */
  nameAttributes: z
    .array(z.string().min(1))
    .default(['生产厂家', '生产企业', '生产商', '生产者', '制造商', '制造商名称', '厂名', '厂家', '厂家名称', '委托方', '受委托生产企业', 'manufacturer', 'producer', 'maker']),
  /** Attribute keys that carry the producer's address. */
  addressAttributes: z
    .array(z.string().min(1))
    .default(['厂址', '厂家地址', '生产地址', '生产企业地址', '生产厂址', '制造商地址', '地址', 'manufacturer address', 'producer address', 'address']),
  /** Check for a certificate in CCC / licence categories. @default true */
  checkCertificate: z.boolean().default(true),
  /** Report a listing whose only gap is the certificate (certificate_mismatch reports it too). @default false */
  certificateAloneIsThreeNo: z.boolean().default(false),
});
export type ThreeNoConfig = z.infer<typeof threeNoConfigSchema>;

export type ThreeNoGap = 'producer_name' | 'producer_address' | 'ccc_certificate' | 'production_licence';

export const threeNo = defineDetector({
  name: 'three_no',
  description: '"three-no" listings: no producer name, no producer address, no certificate where the category requires one',
  subjects: ['listing'],
  configSchema: threeNoConfigSchema,
  rules: ['three_no'],
  create(cfg) {
    const placeholders = new Set(cfg.placeholders.map(foldText));
    const nameKeys = new Set(cfg.nameAttributes.map(foldText));
    const addressKeys = new Set(cfg.addressAttributes.map(foldText));
    // Producer names and addresses repeat across a seller's listings: a bounded memo (cleared when full)
    // answers most of them with one lookup instead of a fold and a regex replace.
    const givenMemo = new Map<string, boolean>();
    const given = (v: string | null | undefined): v is string => {
      if (v == null) return false;
      let g = givenMemo.get(v);
      if (g === undefined) {
        const f = foldText(v).replace(/^[:：\s]+|[:：\s]+$/g, '');
        g = f.length > 0 && !placeholders.has(f);
        if (givenMemo.size >= 4096) givenMemo.clear();
        givenMemo.set(v, g);
      }
      return g;
    };
    const fromAttributes = (attrs: Record<string, string>, keys: Set<string>): { key: string; value: string } | null => {
      for (const [k, v] of Object.entries(attrs)) if (keys.has(foldText(k)) && given(v)) return { key: k, value: v };
      return null;
    };

    return (subject) => {
      if (subject.kind !== 'listing') return [];
      const s = subject.snapshot;
      const nameGiven = given(s.producer.name);
      const addressGiven = given(s.producer.address);
      const nameAttr = nameGiven ? null : fromAttributes(s.attributes, nameKeys);
      const addressAttr = addressGiven ? null : fromAttributes(s.attributes, addressKeys);
      const gaps: ThreeNoGap[] = [];
      if (!nameGiven && !nameAttr) gaps.push('producer_name');
      if (!addressGiven && !addressAttr) gaps.push('producer_address');
      const producerGaps = gaps.length;
      // Most listings: name and address given, and a missing certificate alone is certificate_mismatch's.
      if (producerGaps === 0 && !cfg.certificateAloneIsThreeNo) return [];

      const cccCodes = cccCodesForCategory(s.category);
      const licenceProduct = licenceProductForCategory(s.category);
      if (cfg.checkCertificate) {
        if (cccCodes.length > 0 && !s.ccc_numbers.some(given)) gaps.push('ccc_certificate');
        if (licenceProduct && !s.licence_numbers.some(given)) gaps.push('production_licence');
      }
      if (gaps.length === 0 || (producerGaps === 0 && !cfg.certificateAloneIsThreeNo)) return [];

      const all = gaps.includes('producer_name') && gaps.includes('producer_address') && gaps.length > 2;
      const finding: DetectorFinding = {
        rule_id: 'three_no',
        score: Math.min(1, 0.6 + 0.15 * gaps.length),
        severity: all ? 'high' : 'medium',
        summary: `listing does not give: ${gaps.map((g) => g.replace('_', ' ')).join(', ')}`,
        evidence: {
          observed: {
            missing: gaps,
            producer_name: s.producer.name,
            producer_address: s.producer.address,
            ...(nameAttr ? { producer_name_from_attribute: nameAttr } : {}),
            ...(addressAttr ? { producer_address_from_attribute: addressAttr } : {}),
            ccc_numbers: s.ccc_numbers,
            licence_numbers: s.licence_numbers,
            category: s.category,
          },
          reference: {
            ccc_required: cccCodes.length > 0,
            ccc_codes: cccCodes,
            licence_required: licenceProduct !== undefined,
            ...(licenceProduct ? { licence_product: [...licenceProduct.nameZh] } : {}),
          },
        },
        evidence_key: gaps.join(','),
      };
      return [finding];
    };
  },
});
