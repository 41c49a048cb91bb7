// USCC make/validate: published codes validate, corrupted ones fail with the reason, made codes round-trip.
import { describe, expect, it } from 'vitest';
import { makeUscc, orgCodeCheckChar, usccCheckChar, validateUscc } from '../../../crawlers/demo-market/uscc.ts';
import { REGIONS } from '../../../crawlers/demo-market/regions.ts';

describe('validateUscc', () => {
  it.each([
    ['91350100M000100Y43', '350100'], // the example in GB 32100-2015
    ['914403001922038216', '440300'], // published on a company's business licence
    ['9144030071526726XG', '440300'],
  ])('accepts %s (region %s)', (code, region) => {
    expect(validateUscc(code)).toEqual({ ok: true, region, authority: '9', entityType: '1' });
  });

  it.each([
    ['91350100M000100Y4', 'length'],
    ['91350100M000100Y431', 'length'],
    ['91350100M000100I43', 'alphabet'], // I is not in the alphabet
    ['91350100m000100Y43', 'alphabet'],
    ['91350100M000100Y44', 'check_char'],
    ['914403001922038217', 'check_char'],
    ['924403001922038216', 'check_char'],
  ])('rejects %s: %s', (code, reason) => {
    const v = validateUscc(code);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toBe(reason);
  });

  it('flags every single-character substitution of a valid code', () => {
    const good = '91350100M000100Y43';
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    let tried = 0;
    for (let pos = 0; pos < 18; pos++) {
      for (const c of alphabet) {
        if (c === good[pos]) continue;
        tried++;
        expect(validateUscc(good.slice(0, pos) + c + good.slice(pos + 1)).ok, `${pos}:${c}`).toBe(false);
      }
    }
    expect(tried).toBe(18 * 30);
  });
});

describe('organisation code check (GB 11714)', () => {
  it.each([
    ['19220382', '1'],
    ['70846113', '6'],
    ['71526726', 'X'],
  ])('%s -> %s', (body, check) => expect(orgCodeCheckChar(body)).toBe(check));
});

describe('makeUscc', () => {
  it('makes valid codes carrying the region, for every region of the table', () => {
    for (const [k, r] of REGIONS.entries()) {
      const code = makeUscc({ region: r.code, serial: k * 7919 });
      const v = validateUscc(code);
      expect(v, code).toMatchObject({ ok: true, region: r.code });
      expect(orgCodeCheckChar(code.slice(8, 16))).toBe(code[16]);
    }
  });

  it('rejects a malformed region', () => {
    expect(() => makeUscc({ region: '4403', serial: 1 })).toThrow(/region must be 6 digits/);
  });

  it('check character is null for characters outside the alphabet', () => {
    expect(usccCheckChar('9135010OM000100Y4')).toBeNull();
  });
});
