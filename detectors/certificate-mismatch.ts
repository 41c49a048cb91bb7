// Detector `certificate_mismatch`: CCC certificates and production licences shown on a listing, checked
// against the registers (reference views of the compacted certificates / licences topics) and the CCC
// catalogue. In: a listing snapshot (ccc_numbers, licence_numbers, category, brand, model, producer) and
// the reference view. Out: findings, one per (rule, number):
//   ccc_malformed / licence_malformed            the number cannot be a real one (reason in evidence)
//   ccc_not_in_register / licence_not_in_register well-formed but unknown: likely forged
//   ccc_expired|suspended|revoked|cancelled (and licence_*) the register's status, or expiry before fetch date
//   ccc_category_mismatch / licence_product_mismatch   the certificate's product code doesn't cover the listing's category
//   ccc_model_not_covered                        the listing's model is not among the certificate's models
//   ccc_holder_mismatch / licence_holder_mismatch       neither brand nor producer matches holder/manufacturer/factory
//   ccc_missing / licence_missing                a category that needs one, sold without any
// A listing without a category (many pages show none) takes its CCC product code from the register's
// certificates for its model whose holder fits its brand/producer (config inferFromRegister; evidence
// category_from_register), so the category rules still apply; and a licence is missing when the producer
// holds one for the product the title names (licence_from_register), and a licence shown for another product code is licence_product_mismatch. "Now" is the snapshot's fetched_at (pure: no clock). Register checks are skipped while a register is
// empty (not loaded yet), so a stage started before its reference data does not call everything forged.
import { z } from 'zod';
import type { Certificate, Licence, ListingSnapshot, Severity } from '../pipeline/contracts/index.ts';
import { parseCccNumber } from './certificate-number.ts';
import { parseLicenceNumber, PROVINCE_ABBREVIATIONS, type LicenceParts } from './licence-number.ts';
import { compareModels, isSpecificModel, modelKey } from './model-number.ts';
import { baseOfSuffixedModel, isSuffixedModel } from './model-suffix.ts';
import { brandKey, textCarriesBrand } from './reference/brand-aliases.ts';
import { cccCodesForCategory, cccProduct, licenceProductForCategory } from './reference/ccc-catalogue.ts';
import { halfWidth } from './text.ts';
import { defineDetector, type DetectorFinding, type KeyedView } from './types.ts';

export const CERTIFICATE_RULES = [
  'ccc_malformed',
  'ccc_not_in_register',
  'ccc_expired',
  'ccc_suspended',
  'ccc_revoked',
  'ccc_cancelled',
  'ccc_category_mismatch',
  'ccc_model_not_covered',
  'ccc_holder_mismatch',
  'ccc_missing',
  'licence_malformed',
  'licence_not_in_register',
  'licence_expired',
  'licence_suspended',
  'licence_revoked',
  'licence_cancelled',
  'licence_product_mismatch',
  'licence_holder_mismatch',
  'licence_missing',
] as const;

const configSchema = z.strictObject({
  /** Check that the listing's model is among the certificate's models. @default true */
  checkModels: z.boolean().default(true),
  /** Check brand / producer against holder, manufacturer and factory. @default true */
  checkHolder: z.boolean().default(true),
  /** Report CCC-required categories listed without a certificate. @default true */
  reportMissing: z.boolean().default(true),
  /**
   * A listing without a category: take its CCC product code from register certificates that cover its model
   * and whose holder/manufacturer/factory fit its brand or producer, so "required but missing" and "for
   * another product" still work on pages that show no category. @default true
   */
  inferFromRegister: z.boolean().default(true),
  /** Register lookups run only once the register holds at least this many records. @default 1 */
  minRegisterSize: z.number().int().min(0).default(1),
});

type Rule = (typeof CERTIFICATE_RULES)[number];

const SEVERITY: Record<Rule, [Severity, number]> = {
  ccc_malformed: ['high', 0.9],
  ccc_not_in_register: ['critical', 0.95],
  ccc_expired: ['high', 0.9],
  ccc_suspended: ['high', 0.9],
  ccc_revoked: ['critical', 0.95],
  ccc_cancelled: ['high', 0.9],
  ccc_category_mismatch: ['high', 0.85],
  ccc_model_not_covered: ['medium', 0.7],
  ccc_holder_mismatch: ['medium', 0.6],
  ccc_missing: ['high', 0.85],
  licence_malformed: ['high', 0.9],
  licence_not_in_register: ['critical', 0.95],
  licence_expired: ['high', 0.9],
  licence_suspended: ['high', 0.9],
  licence_revoked: ['critical', 0.95],
  licence_cancelled: ['high', 0.9],
  licence_product_mismatch: ['high', 0.85],
  licence_holder_mismatch: ['medium', 0.6],
  licence_missing: ['high', 0.85],
};

function finding(rule: Rule, key: string, summary: string, observed: Record<string, unknown>, reference: Record<string, unknown>): DetectorFinding {
  const [severity, score] = SEVERITY[rule];
  return { rule_id: rule, score, severity, summary, evidence_key: key, evidence: { observed: clean(observed), reference: clean(reference) } };
}

/** Evidence is JSON: drop undefined so the Finding schema (z.json) accepts it. */
function clean(o: Record<string, unknown>): Record<string, z.core.util.JSONType> {
  return JSON.parse(JSON.stringify(o)) as Record<string, z.core.util.JSONType>;
}

/** Status rule for a register record as of the fetch date, or null when valid. */
function statusProblem(status: Certificate['status'], expiresOn: string, fetchedDate: string): 'expired' | 'suspended' | 'revoked' | 'cancelled' | null {
  if (status === 'revoked' || status === 'suspended' || status === 'cancelled' || status === 'expired') return status;
  return expiresOn < fetchedDate ? 'expired' : null;
}

// Company names repeat: the register's holder/manufacturer/factory are interned strings shared by many
// certificates, and a producer sells many listings. A bounded memo (cleared when full) keeps this to one
// Map lookup per name instead of a normalisation and two regex replaces per comparison.
const COMPANY_MEMO_MAX = 8192;
const companyMemo = new Map<string, string>();

function companyKey(name: string): string {
  let key = companyMemo.get(name);
  if (key === undefined) {
    key = halfWidth(name)
      .toLowerCase()
      .replace(/[\s()（）.,·\-]/g, '')
      .replace(/(股份有限公司|有限责任公司|有限公司|公司|集团|制品厂|厂|co\.?ltd|ltd|inc|corp)$/u, '');
    if (companyMemo.size >= COMPANY_MEMO_MAX) companyMemo.clear();
    companyMemo.set(name, key);
  }
  return key;
}

function sameCompany(a: string, b: string): boolean {
  const x = companyKey(a);
  const y = companyKey(b);
  return x.length >= 2 && y.length >= 2 && (x === y || x.includes(y) || y.includes(x));
}

const HAN = /\p{Script=Han}/u;
const LATIN = /[a-z]/i;

/**
 * Whether brand / producer fit the named parties: true, false, or null when it can't be decided (e.g. an
 * English brand we have no alias for, against Chinese company names, and no producer shown: saying "mismatch"
 * there would be a guess). A producer shown that is none of the parties decides it when the brand cannot:
 * neither fits.
 */
function partiesMatch(listing: Pick<ListingSnapshot, 'brand' | 'producer'>, parties: readonly string[]): boolean | null {
  const producer = listing.producer.name?.trim();
  if (producer && parties.some((p) => sameCompany(producer, p))) return true;
  const brand = listing.brand?.trim();
  if (brand) {
    if (parties.some((p) => textCarriesBrand(p, brand))) return true;
    const known = brandKey(brand) !== halfWidth(brand).toLowerCase().replace(/[\s\-_.·'’®™]/g, '');
    const comparable = known || parties.some((p) => (HAN.test(brand) && HAN.test(p)) || (LATIN.test(brand) && LATIN.test(p)));
    if (comparable) return false;
  }
  if (producer) return false;
  return null;
}

/** The certificate's model covers the listing's: compareModels(), or the same model with a set-apart suffix. */
export function modelCovered(listingModel: string, certModel: string): boolean {
  return compareModels(listingModel, certModel) !== null || isSuffixedModel(listingModel, certModel);
}

/** Register certificates by model key (specific keys only: 'A1' names too many products to say which). */
function indexByModel(view: KeyedView<Certificate>): Map<string, Certificate[]> {
  const byModel = new Map<string, Certificate[]>();
  for (const c of view.values()) {
    for (const m of c.models) {
      const k = modelKey(m);
      if (!isSpecificModel(k)) continue;
      const list = byModel.get(k);
      if (list) list.push(c);
      else byModel.set(k, [c]);
    }
  }
  return byModel;
}

export interface RegisterProduct {
  /** CCC product codes of the register certificates covering the model. */
  readonly codes: string[];
  /** Those certificates (at most 5), for the evidence. */
  readonly certificates: string[];
}

/** What the register says a listing without a category is: the product codes of the certificates covering its model. */
function codesFromRegister(l: Pick<ListingSnapshot, 'brand' | 'model' | 'producer'>, byModel: Map<string, Certificate[]>): RegisterProduct | null {
  const raw = l.model?.trim();
  if (!raw) return null;
  const base = baseOfSuffixedModel(raw);
  const hits = [...(byModel.get(modelKey(raw)) ?? []), ...(base ? (byModel.get(modelKey(base)) ?? []) : [])].filter((c) => partiesMatch(l, [c.holder, c.manufacturer, c.factory]) === true);
  if (!hits.length) return null;
  return { codes: [...new Set(hits.map((c) => c.category_code))].sort(), certificates: [...new Set(hits.map((c) => c.number))].sort().slice(0, 5) };
}

/**
 * A lookup of RegisterProduct by a listing's model (brand/producer must fit the holder), with the model index
 * of the register rebuilt when the register changes (the stage applies reference updates between slices).
 * Shared with livestream_risk, which needs the same answer for the listings a room sells.
 */
export function createRegisterProductLookup(): (l: Pick<ListingSnapshot, 'brand' | 'model' | 'producer'>, view: KeyedView<Certificate>) => RegisterProduct | null {
  let cache: { view: KeyedView<Certificate>; version: number; byModel: Map<string, Certificate[]> } | null = null;
  return (l, view) => {
    if (cache?.view !== view || cache.version !== view.version) cache = { view, version: view.version, byModel: indexByModel(view) };
    return codesFromRegister(l, cache.byModel);
  };
}

/**
 * A listing without a category: the register's licences held by its producer (same company name) for a
 * product its title names, e.g. a 复合肥料 licence of the producer on a listing titled '… 复合肥料 …'. Indexed
 * by company key, so the cost does not grow with the register.
 */
export function createRegisterLicenceLookup(): (l: Pick<ListingSnapshot, 'title' | 'producer'>, view: KeyedView<Licence>) => Licence | null {
  let cache: { view: KeyedView<Licence>; version: number; byHolder: Map<string, Licence[]> } | null = null;
  return (l, view) => {
    if (cache?.view !== view || cache.version !== view.version) {
      const byHolder = new Map<string, Licence[]>();
      for (const lic of view.values()) {
        const k = companyKey(lic.holder);
        if (k.length < 2) continue;
        byHolder.set(k, [...(byHolder.get(k) ?? []), lic]);
      }
      cache = { view, version: view.version, byHolder };
    }
    const producer = l.producer.name?.trim();
    if (!producer) return null;
    const title = halfWidth(l.title);
    return (cache.byHolder.get(companyKey(producer)) ?? []).find((lic) => lic.product.trim().length >= 2 && title.includes(halfWidth(lic.product.trim()))) ?? null;
  };
}

// Summary and evidence parts, built only for a finding (most listings have none). Module functions rather
// than closures per listing: tsx (esbuild keepNames) names every closure it creates, a defineProperty each.
function productText(l: ListingSnapshot, requiredCodes: readonly string[]): string {
  return l.category !== null ? `the listing's category ${l.category}` : `model ${l.model?.trim()} (product code ${requiredCodes.join('/')} in the register)`;
}

function listingCategory(l: ListingSnapshot, inferred: RegisterProduct | null): Record<string, unknown> {
  return inferred ? { category: null, category_from_register: inferred } : { category: l.category };
}

function listingSide(l: ListingSnapshot, inferred: RegisterProduct | null): Record<string, unknown> {
  return { ...listingCategory(l, inferred), brand: l.brand, model: l.model, producer: l.producer.name };
}

function certRef(cert: Certificate): Record<string, unknown> {
  return { number: cert.number, status: cert.status, holder: cert.holder, expires_on: cert.expires_on, category_code: cert.category_code };
}

function findLicence(view: KeyedView<Licence>, parts: LicenceParts): Licence | undefined {
  const direct = view.get(parts.number) ?? view.get(parts.core);
  if (direct || parts.province) return direct;
  // Shown without its province prefix: try each province (31 lookups, no scan).
  for (const p of PROVINCE_ABBREVIATIONS) {
    const hit = view.get(`(${p})${parts.core}`);
    if (hit) return hit;
  }
  return undefined;
}

export const certificateMismatch = defineDetector({
  name: 'certificate_mismatch',
  description: 'CCC certificates and production licences: malformed, forged, expired/suspended/revoked, wrong category/model/holder, missing where required',
  subjects: ['listing'],
  configSchema,
  rules: CERTIFICATE_RULES,
  create(config) {
    const registerProduct = createRegisterProductLookup();
    const registerLicence = createRegisterLicenceLookup();
    return (subject, refs) => {
      if (subject.kind !== 'listing') return [];
      const l = subject.snapshot;
      const out: DetectorFinding[] = [];
      const fetchedDate = l.fetched_at.slice(0, 10);

      // --- CCC ---
      const cccShown = l.ccc_numbers.map((s) => s.trim()).filter(Boolean);
      const cccRegisterReady = refs.certificates.size >= config.minRegisterSize;
      let requiredCodes = cccCodesForCategory(l.category);
      // No category on the page: what the register's certificates for this model say the product is.
      const inferred = l.category === null && config.inferFromRegister && cccRegisterReady ? registerProduct(l, refs.certificates) : null;
      if (inferred) requiredCodes = inferred.codes;
      const seenCcc: string[] = []; // one or two numbers: an array, not a Set per listing
      for (const raw of cccShown) {
        const parsed = parseCccNumber(raw);
        if (!parsed.ok) {
          out.push(finding('ccc_malformed', raw, `CCC number "${raw}" is malformed (${parsed.reason})`, { ccc_number: raw, reason: parsed.reason }, { format: 'year(4) + body(2) + product code(4) + sequence(6), 16 digits' }));
          continue;
        }
        const number = parsed.value.number;
        if (seenCcc.includes(number)) continue;
        seenCcc.push(number);
        // The code inside the number says what the certificate is for, even without the register.
        // A certificate for another product is one problem: its models and holder will not fit either, and
        // reporting those too would triple the alerts for one cause (so they are checked only when it fits).
        let otherProduct = false;
        if (requiredCodes.length && !requiredCodes.includes(parsed.value.categoryCode)) {
          otherProduct = true;
          const certProduct = cccProduct(parsed.value.categoryCode);
          out.push(
            finding('ccc_category_mismatch', number, `CCC ${number} is for product code ${parsed.value.categoryCode}${certProduct ? ` (${certProduct.nameZh})` : ''}, not ${productText(l, requiredCodes)}`, { ccc_number: number, ...listingCategory(l, inferred) }, { certificate_code: parsed.value.categoryCode, certificate_product: certProduct?.nameZh ?? null, codes_for_category: requiredCodes }),
          );
        }
        if (!cccRegisterReady) continue;
        const cert = refs.certificates.get(number);
        if (!cert) {
          out.push(finding('ccc_not_in_register', number, `CCC ${number} is not in the certificate register (possibly forged)`, { ccc_number: number }, { register_size: refs.certificates.size }));
          continue;
        }
        const problem = statusProblem(cert.status, cert.expires_on, fetchedDate);
        if (problem) {
          out.push(finding(`ccc_${problem}`, number, `CCC ${number} is ${problem}${problem === 'expired' ? ` (expired ${cert.expires_on})` : ''}`, { ccc_number: number, fetched_on: fetchedDate }, certRef(cert)));
        }
        if (requiredCodes.length && cert.category_code !== parsed.value.categoryCode && !requiredCodes.includes(cert.category_code)) {
          otherProduct = true;
          out.push(finding('ccc_category_mismatch', `${number}:register`, `CCC ${number} covers product code ${cert.category_code}, not ${productText(l, requiredCodes)}`, { ccc_number: number, ...listingCategory(l, inferred) }, { ...certRef(cert), codes_for_category: requiredCodes }));
        }
        if (otherProduct) continue;
        if (config.checkModels && l.model?.trim() && cert.models.length) {
          const covered = cert.models.some((m) => modelCovered(l.model!, m));
          if (!covered) {
            out.push(finding('ccc_model_not_covered', `${number}:${l.model.trim()}`, `model ${l.model.trim()} is not among the models CCC ${number} covers`, { ccc_number: number, model: l.model }, { models: cert.models.slice(0, 50), product_name: cert.product_name }));
          }
        }
        if (config.checkHolder) {
          const match = partiesMatch(l, [cert.holder, cert.manufacturer, cert.factory]);
          if (match === false) {
            out.push(finding('ccc_holder_mismatch', number, `brand/producer do not match the holder of CCC ${number} (${cert.holder})`, { ccc_number: number, brand: l.brand, producer: l.producer.name }, { holder: cert.holder, manufacturer: cert.manufacturer, factory: cert.factory }));
          }
        }
      }
      if (config.reportMissing && requiredCodes.length && cccShown.length === 0) {
        out.push(finding('ccc_missing', '', `${l.category !== null ? `category ${l.category}` : productText(l, requiredCodes)} requires CCC (code ${requiredCodes.join('/')}) but the listing shows no certificate`, listingSide(l, inferred), { required_codes: requiredCodes, product: cccProduct(requiredCodes[0]!)?.nameZh ?? null }));
      }

      // --- production licences ---
      const licShown = l.licence_numbers.map((s) => s.trim()).filter(Boolean);
      const licProduct = licenceProductForCategory(l.category);
      const licRegisterReady = refs.licences.size >= config.minRegisterSize;
      // No category on the page: a licence the producer holds for the product the title names says one is needed.
      const heldLicence = !licProduct && l.category === null && config.inferFromRegister && licRegisterReady && config.reportMissing ? registerLicence(l, refs.licences) : null;
      const seenLic: string[] = [];
      for (const raw of licShown) {
        const parsed = parseLicenceNumber(raw);
        if (!parsed.ok) {
          out.push(finding('licence_malformed', raw, `licence number "${raw}" is malformed (${parsed.reason})`, { licence_number: raw, reason: parsed.reason }, { format: 'XKxx-xxx-xxxxx, optionally with a province prefix like (鄂)' }));
          continue;
        }
        const p = parsed.value;
        if (seenLic.includes(p.core)) continue;
        seenLic.push(p.core);
        const code = `${p.industry}-${p.product}`;
        if (licProduct && licProduct.codes.length && !licProduct.codes.includes(code)) {
          out.push(finding('licence_product_mismatch', p.core, `licence ${p.number} is for product code ${code}, not ${licProduct.nameZh[0]}`, { licence_number: p.number, category: l.category }, { licence_code: code, codes_for_category: licProduct.codes }));
        }
        if (!licRegisterReady) continue;
        const lic = findLicence(refs.licences, p);
        if (!lic) {
          out.push(finding('licence_not_in_register', p.core, `licence ${p.number} is not in the licence register (possibly forged)`, { licence_number: p.number }, { register_size: refs.licences.size }));
          continue;
        }
        const licRef = { number: lic.number, status: lic.status, holder: lic.holder, product: lic.product, expires_on: lic.expires_on };
        const problem = statusProblem(lic.status, lic.expires_on, fetchedDate);
        if (problem) out.push(finding(`licence_${problem}`, p.core, `licence ${lic.number} is ${problem}`, { licence_number: p.number, fetched_on: fetchedDate }, licRef));
        if (licProduct && !licProduct.codes.length && !licProduct.nameZh.some((n) => lic.product.includes(n))) {
          out.push(finding('licence_product_mismatch', `${p.core}:register`, `licence ${lic.number} is for ${lic.product}, not ${licProduct.nameZh[0]}`, { licence_number: p.number, category: l.category }, licRef));
        }
        // No category on the page: the producer's licence for the product the title names says what it is; a
        // licence of another product code, for a product the title does not name, is for something else.
        const held = heldLicence ? parseLicenceNumber(heldLicence.number) : null;
        if (heldLicence && held?.ok && `${held.value.industry}-${held.value.product}` !== code && !halfWidth(l.title).includes(halfWidth(lic.product.trim()))) {
          out.push(
            finding('licence_product_mismatch', `${p.core}:register`, `licence ${lic.number} is for ${lic.product}, not ${heldLicence.product}, which the title names (the producer's licence for it: ${heldLicence.number})`, { licence_number: p.number, category: null, title: l.title }, {
              ...licRef,
              licence_from_register: { number: heldLicence.number, holder: heldLicence.holder, product: heldLicence.product, status: heldLicence.status },
            }),
          );
        }
        if (config.checkHolder && partiesMatch(l, [lic.holder]) === false) {
          out.push(finding('licence_holder_mismatch', p.core, `brand/producer do not match the holder of licence ${lic.number} (${lic.holder})`, { licence_number: p.number, brand: l.brand, producer: l.producer.name }, licRef));
        }
      }
      if (config.reportMissing && licProduct && licShown.length === 0) {
        out.push(finding('licence_missing', '', `category ${l.category} requires a production licence (${licProduct.nameZh[0]}) but the listing shows none`, listingSide(l, inferred), { licence_product: licProduct.nameZh[0]!, codes: licProduct.codes }));
      } else if (heldLicence && licShown.length === 0) {
        out.push(
          finding('licence_missing', '', `the producer holds production licence ${heldLicence.number} for ${heldLicence.product}, which the title names, but the listing shows none`, { ...listingSide(l, inferred), title: l.title }, {
            licence_product: heldLicence.product,
            licence_from_register: { number: heldLicence.number, holder: heldLicence.holder, product: heldLicence.product, status: heldLicence.status },
          }),
        );
      }
      return out;
    };
  },
});
