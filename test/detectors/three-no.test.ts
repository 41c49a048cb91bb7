import { describe, expect, it } from 'vitest';
import { threeNo, threeNoConfigSchema } from '../../detectors/three-no.ts';
import type { ReferenceView } from '../../detectors/types.ts';
import type { ListingSnapshot } from '../../pipeline/contracts/index.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { listingExample } from '../contracts/examples.ts';

const refs = {} as ReferenceView;
const make = (over: Record<string, unknown> = {}) => threeNo.create(threeNoConfigSchema.parse(over), { logger: silentLogger });
const detect = make();
const producer = (name: string | null, address: string | null): Pick<ListingSnapshot, 'producer'> => ({ producer: { name, address } });
const run = (over: Partial<ListingSnapshot>, d = detect) => d({ kind: 'listing', snapshot: listingExample(over) }, refs);

describe('three_no', () => {
  // power_strip requires CCC (0201); the example listing shows a CCC number.
  it.each([
    ['all given', { ...producer('公牛集团股份有限公司', '浙江省慈溪市') }, null],
    ['no name', { ...producer(null, '浙江省慈溪市') }, 'producer_name'],
    ['no address', { ...producer('公牛集团股份有限公司', null) }, 'producer_address'],
    ['neither', { ...producer(null, null) }, 'producer_name,producer_address'],
    ['placeholders', { ...producer('暂无', ' 见包装 ') }, 'producer_name,producer_address'],
    ['full-width placeholder', { ...producer('Ｎ/Ａ', '－') }, 'producer_name,producer_address'],
    ['empty strings', { ...producer('', '  ') }, 'producer_name,producer_address'],
    ['all three missing (CCC category)', { ...producer(null, null), ccc_numbers: [] }, 'producer_name,producer_address,ccc_certificate'],
    ['only the certificate missing: left to certificate_mismatch', { ...producer('公牛', '慈溪'), ccc_numbers: [] }, null],
    ['no certificate needed (category outside CCC)', { ...producer(null, '慈溪'), category: 'bedding_set', ccc_numbers: [] }, 'producer_name'],
    ['name from attributes', { ...producer(null, '慈溪'), attributes: { 生产厂家: '公牛集团' } }, null],
    ['address from attributes', { ...producer('公牛', null), attributes: { 厂址: '浙江慈溪' } }, null],
    ['placeholder in attributes does not count', { ...producer(null, '慈溪'), attributes: { 生产厂家: '无' } }, 'producer_name'],
    ['licence category without licence', { ...producer(null, '慈溪'), category: 'electric_wire', ccc_numbers: ['2019010102998877'], licence_numbers: [] }, 'producer_name,production_licence'],
  ] as [string, Partial<ListingSnapshot>, string | null][])('%s -> %s', (_label, over, want) => {
    const f = run(over);
    if (want === null) expect(f).toEqual([]);
    else {
      expect(f).toHaveLength(1);
      expect(f[0]!.rule_id).toBe('three_no');
      expect(f[0]!.evidence_key).toBe(want);
      expect(f[0]!.evidence.observed.missing).toEqual(want.split(','));
    }
  });

  it('a true three-no (name, address and certificate) is high severity; evidence says the category needs CCC', () => {
    const f = run({ ...producer(null, null), ccc_numbers: [] })[0]!;
    expect(f.severity).toBe('high');
    expect(f.evidence.reference).toMatchObject({ ccc_required: true, ccc_codes: ['0201'] });
    expect(run({ ...producer(null, null) })[0]!.severity).toBe('medium');
  });

  it('certificateAloneIsThreeNo reports a listing lacking only the certificate', () => {
    const f = run({ ...producer('公牛', '慈溪'), ccc_numbers: [] }, make({ certificateAloneIsThreeNo: true }));
    expect(f[0]!.evidence_key).toBe('ccc_certificate');
  });

  it('config is strict; placeholders configurable', () => {
    expect(() => threeNoConfigSchema.parse({ placeholder: [] })).toThrow();
    expect(run({ ...producer('待定', '慈溪') }, make({ placeholders: ['待定'] }))[0]!.evidence_key).toBe('producer_name');
  });

  it('ignores livestreams', () => {
    expect(detect({ kind: 'livestream' } as never, refs)).toEqual([]);
  });
});
