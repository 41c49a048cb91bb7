// CCC certificate numbers as shown on pages: '2016010901123456', '证书编号：２０１６ ０１０９ ０１１２ ３４５６',
// 'CCC No. 2016-010901-123456'. In: untrusted text. Out: the canonical 16 digits and their parts
// (year first issued + certification body + 4-digit CCC product code + sequence), or the reason it is
// malformed (the `ccc_malformed` rule reports that reason). Pure.
import { halfWidth } from './text.ts';

export interface CccParts {
  readonly number: string;
  readonly year: number;
  readonly body: string;
  readonly categoryCode: string;
  readonly sequence: string;
}

export type CccMalformedReason = 'empty' | 'no_digits' | 'wrong_length' | 'stray_characters' | 'implausible_year' | 'invalid_body' | 'invalid_category_code';

export type CccParse = { ok: true; value: CccParts } | { ok: false; reason: CccMalformedReason; digits: string };

/** Labels pages put before the number; stripped before parsing. */
const PREFIX = /^(?:(?:ccc|3c|cqc)\s*)?(?:认证)?(?:证书)?(?:编号|号码|号)?\s*(?:no\.?|number|#)?\s*[:：]?\s*/iu;

/** CCC started in 2002 (first certificates issued 2001-12 under the new scheme); the bound is generous. */
const FIRST_YEAR = 2001;
const LAST_YEAR = 2099;

/** Already 16 plain digits (most numbers as extracted): nothing below would change it. */
const SIXTEEN_DIGITS = /^\d{16}$/;

export function parseCccNumber(raw: string): CccParse {
  let digits: string;
  if (SIXTEEN_DIGITS.test(raw)) digits = raw;
  else {
    const text = halfWidth(raw).trim();
    if (!text) return { ok: false, reason: 'empty', digits: '' };
    const body = text.replace(PREFIX, '');
    // Separators people put between digit groups; anything else between digits makes it malformed.
    const compact = body.replace(/[\s\-./_]/g, '');
    digits = compact.replace(/\D/g, '');
    if (!digits) return { ok: false, reason: 'no_digits', digits };
    if (digits !== compact) return { ok: false, reason: 'stray_characters', digits };
    if (digits.length !== 16) return { ok: false, reason: 'wrong_length', digits };
  }
  const year = Number(digits.slice(0, 4));
  if (year < FIRST_YEAR || year > LAST_YEAR) return { ok: false, reason: 'implausible_year', digits };
  const bodyCode = digits.slice(4, 6);
  if (bodyCode === '00') return { ok: false, reason: 'invalid_body', digits };
  const categoryCode = digits.slice(6, 10);
  // Codes are <group 01..99><product 01..99>; '00' in either half is never issued.
  if (categoryCode.startsWith('00') || categoryCode.endsWith('00')) return { ok: false, reason: 'invalid_category_code', digits };
  return { ok: true, value: { number: digits, year, body: bodyCode, categoryCode, sequence: digits.slice(10) } };
}
