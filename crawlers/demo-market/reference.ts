// The reference registers that match the demo catalogue: CCC certificates (valid ones for every CCC product
// plus expired / revoked / suspended ones the problem listings show, and one per product issued to another
// company for the same model), production licences (per licensed product a valid one plus expired / revoked /
// suspended ones of the same holder, and the holder's licence for another product), recall notices and
// prohibited items. Rows satisfy the contracts in pipeline/contracts/reference.ts. Catalogue-sized (a few
// hundred rows), built once per seed.
// In: seed. Out: `referenceFor(seed)` with the rows and the per-product numbers listings use.
import type { Certificate, CertificateStatus, Licence, ProhibitedItem, Recall } from '../../pipeline/contracts/reference.ts';
import { catalogueFor, provinceAbbr, type Product } from './catalogue.ts';
import { hashKeys, rngFor } from './rng.ts';
import { makeUscc } from './uscc.ts';

/** Registers are stamped with a fixed time so their bytes depend only on the seed. */
export const REFERENCE_UPDATED_AT = '2026-06-01T00:00:00.000Z';

const CERT_STATUSES = ['valid', 'expired', 'revoked', 'suspended'] as const satisfies readonly CertificateStatus[];
export type CertVariant = (typeof CERT_STATUSES)[number];

const STANDARDS: Record<string, string> = {
  '01': 'GB/T 5023.3-2008', '02': 'GB/T 2099.1-2021', '07': 'GB 4706.1-2005', '12': 'GB 27887-2024',
  '18': 'GB 4351-2023', '21': 'GB 16410-2020', '22': 'GB 6675.1-2014',
};
const DEFECTS: readonly [string, string][] = [
  ['电源线与外壳连接处绝缘不足，长期使用可能破损。', '可能导致触电，存在安全隐患。'],
  ['内部元件温升过高。', '极端情况下可能引发火灾。'],
  ['小零件易脱落。', '儿童误吞可能导致窒息。'],
  ['密封件老化过快，可能发生泄漏。', '可能导致燃气泄漏、中毒或爆炸。'],
  ['标识与实际性能不符。', '可能导致使用者误用，造成伤害。'],
];

export interface Reference {
  certificates: Certificate[];
  licences: Licence[];
  recalls: Recall[];
  prohibited: ProhibitedItem[];
  /** product_id -> certificate number per status variant (CCC products only). */
  certNumbers: Map<string, Record<CertVariant, string>>;
  /** product_id -> a valid certificate for the same model and product code, held by another company. */
  borrowedCert: Map<string, string>;
  /**
   * product_id -> the valid certificate of another model of the same maker and product code (sellable
   * products only; a model that neither equals nor extends this one).
   */
  otherModelCert: Map<string, string>;
  /** product_id -> licence number (canonical, ASCII brackets). */
  licenceNumber: Map<string, string>;
  /** Every licence number of the register without its province prefix ('XK06-001-01234'). */
  licenceNumbers: Set<string>;
  /**
   * product_id -> licence numbers of the same holder in the register: expired / revoked / suspended ones for
   * the same product, and `other_product`, a valid one for a licensed product of another industry.
   */
  licenceVariants: Map<string, Record<LicenceVariant, string>>;
  /** product_id -> recall id. */
  recallId: Map<string, string>;
}

export const LICENCE_VARIANTS = ['expired', 'revoked', 'suspended', 'other_product'] as const;
export type LicenceVariant = (typeof LICENCE_VARIANTS)[number];

const iso = (y: number, m: number, d: number): string => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** A production licence as the register lists it: issued in `year` (month and day drawn from r), valid five years. */
function licenceRow(r: ReturnType<typeof rngFor>, number: string, holder: string, product: string, year: number, status: Licence['status']): Licence {
  return {
    schema_version: 1,
    updated_at: REFERENCE_UPDATED_AT,
    number,
    holder,
    product,
    issued_on: iso(year, r.range(1, 12), r.range(1, 28)),
    expires_on: iso(year + 5, r.range(1, 12), r.range(1, 28)),
    status,
  };
}

/** The 16-digit number of product `p`'s certificate in status variant v: year + body 01 + code + sequence. */
function certNumber(p: Product, year: number, v: number): string {
  return `${year}01${p.type.ccc}${String(100000 + p.index * 10 + v).padStart(6, '0')}`;
}

/** A number with the right shape that the register never contains (sequence 9xxxxx is never issued here). */
export function forgedCertNumber(code: string, h: number): string {
  return `${2018 + (h % 7)}01${code}9${String(h % 100000).padStart(5, '0')}`;
}

/** A licence number shaped like `real` (same industry and product codes) that the register never contains. */
export function forgedLicenceNumber(real: string, h: number, register: ReadonlySet<string>): string {
  const core = /XK(\d\d)-(\d{3})-\d{5}/.exec(real)!;
  for (let k = 0; ; k++) {
    const n = `XK${core[1]}-${core[2]}-${String((h + k * 7919) % 100000).padStart(5, '0')}`;
    if (!register.has(n)) return n;
  }
}

const cache = new Map<number, Reference>();

export function referenceFor(seed: number): Reference {
  const hit = cache.get(seed);
  if (hit) return hit;
  const cat = catalogueFor(seed);
  const ref: Reference = {
    certificates: [],
    licences: [],
    recalls: [],
    prohibited: [],
    certNumbers: new Map(),
    borrowedCert: new Map(),
    otherModelCert: new Map(),
    licenceNumber: new Map(),
    licenceNumbers: new Set(),
    licenceVariants: new Map(),
    recallId: new Map(),
  };
  for (const p of cat.products) {
    const r = rngFor(seed, 'ref', p.product_id);
    const maker = p.manufacturer;
    if (p.type.ccc) {
      const nums = {} as Record<CertVariant, string>;
      CERT_STATUSES.forEach((status, v) => {
        const year = status === 'expired' ? r.range(2013, 2018) : r.range(2022, 2025);
        const month = r.range(1, 12);
        const day = r.range(1, 28);
        const number = certNumber(p, year, v);
        nums[status] = number;
        ref.certificates.push({
          schema_version: 1,
          updated_at: REFERENCE_UPDATED_AT,
          number,
          status,
          holder: maker.name,
          manufacturer: maker.name,
          factory: `${maker.name}生产基地`,
          product_name: p.type.zh,
          category_code: p.type.ccc as string,
          models: [p.model],
          standard: STANDARDS[(p.type.ccc as string).slice(0, 2)] ?? 'GB 4706.1-2005',
          issued_on: iso(year, month, day),
          expires_on: iso(year + 5, month, day),
          issuer: '中国质量认证中心',
        });
      });
      ref.certNumbers.set(p.product_id, nums);
    }
    if (p.type.licence) {
      const core = `XK${p.type.licence.industry}-${p.type.licence.product}-${String(hashKeys(seed, 'lic', p.product_id) % 100000).padStart(5, '0')}`;
      const number = r.chance(0.5) ? `(${provinceAbbr(maker)})${core}` : core;
      const year = r.range(2022, 2025); // issued 2022+ so a "valid" licence (5 years) is still valid at the demo crawl date (2026-11)
      ref.licenceNumber.set(p.product_id, number);
      ref.licenceNumbers.add(core);
      ref.licences.push(licenceRow(r, number, maker.name, p.type.zh, year, 'valid'));
    }
    if (p.recalled) {
      const recall_id = `SAMR-RECALL-${String(ref.recalls.length + 1).padStart(4, '0')}`;
      const [defect, hazard] = r.pick(DEFECTS);
      const y = r.range(2022, 2024);
      ref.recallId.set(p.product_id, recall_id);
      ref.recalls.push({
        schema_version: 1,
        updated_at: REFERENCE_UPDATED_AT,
        recall_id,
        published_on: iso(y + 1, r.range(1, 12), r.range(1, 28)),
        producer: maker.name,
        producer_credit_code: makeUscc({ region: maker.region.code, serial: hashKeys(seed, 'maker-uscc', p.brand.id) }),
        brand: p.brand.zh,
        product_name: p.type.zh,
        models: [p.model],
        gtins: [p.gtin],
        batches: [`${y}${r.digits(4)}`, `${y}${r.digits(4)}`],
        production_from: iso(y, 1, 1),
        production_to: iso(y, 12, 31),
        defect,
        hazard,
        jurisdiction: 'CN',
        url: null,
      });
    }
  }
  addVariants(seed, ref);
  for (const pp of cat.prohibited) {
    ref.prohibited.push({
      schema_version: 1,
      updated_at: REFERENCE_UPDATED_AT,
      item_id: pp.def.item_id,
      name: pp.def.zh,
      keywords: pp.def.keywords,
      category: pp.def.group,
      basis: pp.def.basis,
      severity: pp.def.severity,
    });
  }
  cache.set(seed, ref);
  return ref;
}

/** A model `a` that `b` equals or extends (or the reverse) once case and separators are dropped: too close to call "another model". */
function relatedModels(a: string, b: string): boolean {
  const k = (m: string) => m.toUpperCase().replace(/[^0-9A-Z]/g, '');
  return k(a).startsWith(k(b)) || k(b).startsWith(k(a));
}

/**
 * The rows for the secondary problems (borrowed and other-model certificates, licence variants), added after
 * every product's own rows with their own random streams, so the rows above stay exactly as they were and a
 * variant's number can be checked against every licence number already issued.
 */
function addVariants(seed: number, ref: Reference): void {
  const cat = catalogueFor(seed);
  const makers = [...cat.brandManufacturer.values()];
  const licensedTypes = [...new Map(cat.products.filter((p) => p.type.licence).map((p) => [p.type.id, p.type])).values()];
  for (const p of cat.products) {
    const r = rngFor(seed, 'ref-variant', p.product_id);
    const maker = p.manufacturer;
    if (p.type.ccc) {
      // Issued to a company that is neither this maker nor carries the brand: a certificate "borrowed" from it.
      const others = makers.filter((m) => !m.name.includes(maker.name) && !maker.name.includes(m.name) && !m.name.includes(p.brand.zh));
      const holder = others[hashKeys(seed, 'borrowed-holder', p.product_id) % others.length]!;
      const year = r.range(2022, 2025);
      const month = r.range(1, 12);
      const day = r.range(1, 28);
      const number = certNumber(p, year, 4);
      ref.borrowedCert.set(p.product_id, number);
      ref.certificates.push({
        schema_version: 1,
        updated_at: REFERENCE_UPDATED_AT,
        number,
        status: 'valid',
        holder: holder.name,
        manufacturer: holder.name,
        factory: `${holder.name}生产基地`,
        product_name: p.type.zh,
        category_code: p.type.ccc,
        models: [p.model],
        standard: STANDARDS[p.type.ccc.slice(0, 2)] ?? 'GB 4706.1-2005',
        issued_on: iso(year, month, day),
        expires_on: iso(year + 5, month, day),
        issuer: '中国质量认证中心',
      });
      if (!p.recalled) {
        const sibling = cat.products.find((q) => q !== p && !q.recalled && q.type === p.type && q.brand === p.brand && !relatedModels(q.model, p.model));
        if (sibling) ref.otherModelCert.set(p.product_id, ref.certNumbers.get(sibling.product_id)!.valid);
      }
    }
    const own = ref.licenceNumber.get(p.product_id);
    if (p.type.licence && own) {
      const prefix = /^\([^)]+\)/.exec(own)?.[0] ?? '';
      const issue = (industry: string, product: string, key: string): string => {
        for (let k = 0; ; k++) {
          const core = `XK${industry}-${product}-${String(hashKeys(seed, 'lic-variant', p.product_id, key, k) % 100000).padStart(5, '0')}`;
          if (!ref.licenceNumbers.has(core)) {
            ref.licenceNumbers.add(core);
            return prefix + core;
          }
        }
      };
      const variants = {} as Record<LicenceVariant, string>;
      const { industry, product } = p.type.licence;
      for (const status of ['expired', 'revoked', 'suspended'] as const) {
        const year = status === 'expired' ? r.range(2014, 2020) : r.range(2022, 2025);
        const number = issue(industry, product, status);
        variants[status] = number;
        ref.licences.push(licenceRow(r, number, maker.name, p.type.zh, year, status));
      }
      // The same holder's licence for a product of another industry (so no product code of this one).
      const otherTypes = licensedTypes.filter((t) => t.licence!.industry !== industry);
      const other = otherTypes[hashKeys(seed, 'other-licence', p.product_id) % otherTypes.length]!;
      const year = r.range(2022, 2025);
      variants.other_product = issue(other.licence!.industry, other.licence!.product, 'other_product');
      ref.licences.push(licenceRow(r, variants.other_product, maker.name, other.zh, year, 'valid'));
      ref.licenceVariants.set(p.product_id, variants);
    }
  }
}
