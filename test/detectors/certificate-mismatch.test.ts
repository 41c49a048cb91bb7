import { describe, expect, it } from 'vitest';
import { certificateMismatch, modelCovered } from '../../detectors/certificate-mismatch.ts';
import type { Certificate, Licence, ListingSnapshot } from '../../pipeline/contracts/index.ts';
import { Finding } from '../../pipeline/contracts/index.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { certificate, licence, listing, refs } from './support/fixtures.ts';

const run = (l: ListingSnapshot, data: { certificates?: Certificate[]; licences?: Licence[] } = { certificates: [certificate()] }, config = {}) =>
  certificateMismatch.create(certificateMismatch.configSchema.parse(config), { logger: silentLogger })({ kind: 'listing', snapshot: l }, refs(data));
const rules = (l: ListingSnapshot, data?: { certificates?: Certificate[]; licences?: Licence[] }, config = {}) => run(l, data, config).map((f) => f.rule_id).sort();

describe('certificate_mismatch: CCC', () => {
  it('a listing that matches its valid certificate gives no finding', () => {
    expect(run(listing())).toEqual([]);
  });

  it.each<[string, Partial<ListingSnapshot>, Partial<Certificate> | null, string[]]>([
    ['malformed number', { ccc_numbers: ['20200107021234'] }, {}, ['ccc_malformed']],
    ['full-width number still found', { ccc_numbers: ['２０２０ ０１０７ ０２１２ ３４５６'] }, {}, []],
    ['not in the register (forged)', { ccc_numbers: ['2020010702999999'] }, {}, ['ccc_not_in_register']],
    ['expired by date', { fetched_at: '2030-03-01T00:00:00.000Z' }, {}, ['ccc_expired']],
    ['expired by status', {}, { status: 'expired' }, ['ccc_expired']],
    ['suspended', {}, { status: 'suspended' }, ['ccc_suspended']],
    ['revoked', {}, { status: 'revoked' }, ['ccc_revoked']],
    ['cancelled', {}, { status: 'cancelled' }, ['ccc_cancelled']],
    ['category code in the number does not fit (a fridge certificate on a fan)', { ccc_numbers: ['2020010701123456'] }, { number: '2020010701123456', category_code: '0701' }, ['ccc_category_mismatch']],
    ['another product\'s certificate: one finding, not also model and holder', { ccc_numbers: ['2020010701123456'], brand: '格力', model: 'FS50-9', producer: { name: '珠海某某电器有限公司', address: null } }, { number: '2020010701123456', category_code: '0701' }, ['ccc_category_mismatch']],
    ['model not covered', { model: 'FS50-9' }, {}, ['ccc_model_not_covered']],
    ['model covered by a series pattern', { model: 'FS40-15B' }, {}, []],
    ['model with a colour suffix variant', { model: 'FS40-13CW' }, { models: ['FS40-13'] }, []],
    ['short model is no prefix of a longer one', { model: 'FS40-135' }, { models: ['FS40-13'] }, ['ccc_model_not_covered']],
    ['brand and producer differ from the holder', { brand: '格力', producer: { name: '珠海某某电器有限公司', address: null } }, {}, ['ccc_holder_mismatch']],
    ['English alias of the holder brand is fine', { brand: 'Midea', producer: { name: null, address: null } }, {}, []],
    ['unknown English brand vs Chinese holder cannot be decided', { brand: 'Zephyro', producer: { name: null, address: null } }, {}, []],
    ['unknown English brand, and a producer that is none of the parties', { brand: 'Zephyro', producer: { name: '珠海某某电器有限公司', address: null } }, {}, ['ccc_holder_mismatch']],
    ['CCC-required category without a certificate', { ccc_numbers: [] }, {}, ['ccc_missing']],
    ['category not requiring CCC without a certificate', { ccc_numbers: [], category: 'bedding_set' }, {}, []],
  ])('%s', (_name, over, certOver, expected) => {
    const data = certOver ? { certificates: [certificate(certOver)] } : { certificates: [] };
    expect(rules(listing(over), data)).toEqual(expected);
  });

  it('skips register lookups while the register is empty (not loaded yet), still checks the number', () => {
    expect(rules(listing({ ccc_numbers: ['2020010702999999', 'x'] }), { certificates: [] })).toEqual(['ccc_malformed']);
  });

  it('findings are valid Finding contracts and carry the evidence key', () => {
    const fs = run(listing({ ccc_numbers: ['2020010702999999'] }));
    expect(fs).toHaveLength(1);
    const { evidence_key, ...f } = fs[0]!;
    expect(evidence_key).toBe('2020010702999999');
    expect(Finding.parse({ ...f, detector: 'certificate_mismatch' })).toBeTruthy();
    expect(f.evidence.observed).toMatchObject({ ccc_number: '2020010702999999' });
  });

  it('the same number shown twice (different spellings) gives one finding', () => {
    expect(rules(listing({ ccc_numbers: ['2020010702999999', '2020 0107 0299 9999'] }))).toEqual(['ccc_not_in_register']);
  });

  it('config can turn checks off, and rejects unknown keys', () => {
    expect(rules(listing({ model: 'FS50-9' }), undefined, { checkModels: false })).toEqual([]);
    expect(() => certificateMismatch.configSchema.parse({ checkModel: false })).toThrow(/checkModel/);
  });
});

describe('certificate_mismatch: production licences', () => {
  const wire = (over: Partial<ListingSnapshot> = {}) =>
    listing({ category: 'electric_wire', ccc_numbers: ['2020010102123456'], brand: '珠江', model: null, producer: { name: '广州珠江电缆有限公司', address: null }, licence_numbers: ['（粤）XK06-001-00501'], ...over });
  const data = (over: Partial<Licence> = {}) => ({ certificates: [certificate({ number: '2020010102123456', category_code: '0102', holder: '广州珠江电缆有限公司', manufacturer: '广州珠江电缆有限公司', factory: '广州珠江电缆有限公司', models: [] })], licences: [licence(over)] });

  it.each<[string, Partial<ListingSnapshot>, Partial<Licence>, string[]]>([
    ['valid', {}, {}, []],
    ['shown without the province prefix', { licence_numbers: ['XK06-001-00501'] }, {}, []],
    ['malformed', { licence_numbers: ['XK06-01-00501'] }, {}, ['licence_malformed']],
    ['not in register', { licence_numbers: ['XK06-001-09999'] }, {}, ['licence_not_in_register']],
    ['revoked', {}, { status: 'revoked' }, ['licence_revoked']],
    ['expired by date', { fetched_at: '2027-06-01T00:00:00.000Z' }, {}, ['licence_expired']],
    ['licence for another product code', { licence_numbers: ['(粤)XK17-002-00501'] }, { number: '(粤)XK17-002-00501' }, ['licence_product_mismatch']],
    ['holder differs', { brand: '远东', producer: { name: '东莞某某线缆厂', address: null } }, {}, ['licence_holder_mismatch', 'ccc_holder_mismatch'].sort()],
    ['missing where required', { licence_numbers: [] }, {}, ['licence_missing']],
  ])('%s', (_name, over, licOver, expected) => {
    expect(rules(wire(over), data(licOver))).toEqual(expected);
  });
});

describe('certificate_mismatch: model coverage', () => {
  it.each([
    ['ABC31-93B', 'ABC31-93B', true],
    ['abc 31 93b', 'ABC31-93B', true],
    ['ABC31-93B-W', 'ABC31-93B', true], // separated colour suffix
    ['ABC31-93B/A', 'ABC31-93B', true],
    ['FSD50-92BPro', 'FSD50-92B', true], // capitalised word after a letter
    ['FS40-13W', 'FS40-13', true], // letter after a digit (compareModels)
    ['FS40-13CW', 'FS40-13C', false], // letter run: may continue the model
    ['ABC31-93BW', 'ABC31-93B', false],
    ['FS40-13C-15', 'FS40-13C', false], // digit suffix: another model
    ['ABC31-93B Pro Max', 'ABC31-93B', false],
    ['A1-B', 'A1', false], // too short to carry variants
  ])('%s on a certificate for %s -> %s', (listingModel, certModel, covered) => expect(modelCovered(listingModel, certModel)).toBe(covered));
});

describe('certificate_mismatch: a listing without a category takes its product code from the register', () => {
  const heater = certificate({ number: '2021010717000101', category_code: '0717', product_name: '电热水壶', holder: '某某厨电有限公司', manufacturer: '某某厨电有限公司', factory: '某某厨电有限公司工厂', models: ['SH17-20'] });
  const data = { certificates: [certificate(), heater] };
  it.each([
    ['shows its own certificate', { category: null }, []],
    ['shows none', { category: null, ccc_numbers: [] }, ['ccc_missing']],
    ['shows the certificate of another product', { category: null, ccc_numbers: ['2021010717000101'] }, ['ccc_category_mismatch']],
    ['suffixed model, shows none', { category: null, model: 'FS40-13C-W', ccc_numbers: [] }, ['ccc_missing']],
    ['model in the register under another holder: nothing inferred', { category: null, ccc_numbers: [], brand: '格力', producer: { name: '珠海格力电器股份有限公司', address: null } }, []],
    ['model not in the register: nothing inferred', { category: null, model: 'ZZ99-1', ccc_numbers: [] }, []],
  ] as const)('%s', (_name, over, expected) => {
    expect(rules(listing(over as Partial<ListingSnapshot>), data)).toEqual(expected);
  });

  it('says where the product code came from', () => {
    const [{ evidence_key: _key, ...f }] = run(listing({ category: null, ccc_numbers: [] }), data) as [ReturnType<typeof run>[number]];
    expect(f.rule_id).toBe('ccc_missing');
    expect(f.evidence.observed.category_from_register).toEqual({ codes: ['0702'], certificates: ['2020010702123456'] });
    expect(Finding.parse({ ...f, detector: 'certificate_mismatch' })).toBeTruthy();
  });

  it('can be turned off', () => {
    expect(rules(listing({ category: null, ccc_numbers: [] }), data, { inferFromRegister: false })).toEqual([]);
  });
});

describe('certificate_mismatch: a listing without a category needs a licence its producer holds for the product its title names', () => {
  const fertiliser = licence({ number: 'XK13-001-00042', holder: '某某化肥有限公司', product: '复合肥料' });
  const data = { certificates: [certificate()], licences: [fertiliser] };
  const base = { category: null, title: '金稻 复合肥料 NPK15-15-15 50kg', brand: '金稻', model: 'NPK15-15-15', ccc_numbers: [], producer: { name: '某某化肥有限公司', address: '某地' } };
  it.each([
    ['shows none', {}, ['licence_missing']],
    ['shows its licence', { licence_numbers: ['XK13-001-00042'] }, []],
    ['title names another product', { title: '金稻 有机肥 50kg' }, []],
    ['another producer', { producer: { name: '别的公司', address: null } }, []],
    ['a category that needs no licence says so', { category: 'bedding_set' }, []],
  ] as const)('%s', (_name, over, expected) => {
    expect(rules(listing({ ...base, ...over } as Partial<ListingSnapshot>), data)).toEqual(expected);
  });
});

describe('certificate_mismatch: a listing without a category showing its producer\'s licence for another product', () => {
  const fertiliser = licence({ number: 'XK13-001-00042', holder: '某某化肥有限公司', product: '复合肥料' });
  const container = licence({ number: 'XK16-204-00077', holder: '某某化肥有限公司', product: '塑料保鲜盒' });
  const data = { certificates: [certificate()], licences: [fertiliser, container] };
  const base = { category: null, title: '金稻 复合肥料 NPK15-15-15 50kg', brand: '金稻', model: 'NPK15-15-15', ccc_numbers: [], producer: { name: '某某化肥有限公司', address: '某地' } };
  it.each([
    ['the licence of the product the title names', ['XK13-001-00042'], []],
    ['a licence for a product the title does not name', ['XK16-204-00077'], ['licence_product_mismatch']],
    ['a licence for a product the title names too', ['XK16-204-00077'], [], '金稻 复合肥料 塑料保鲜盒 套装'],
  ] as const)('%s', (_name, shown, expected, title?: string) => {
    expect(rules(listing({ ...base, licence_numbers: [...shown], ...(title ? { title } : {}) } as Partial<ListingSnapshot>), data)).toEqual(expected);
  });
});
