// Identifiers pulled from free page text: CCC certificate numbers, industrial production licence numbers
// (XKxx-xxx-xxxxx, optionally with a province prefix), food SC licences, GTINs (check digit verified).
// In: untrusted text with full-width characters, spaces inside numbers and labels ('证书编号：', 'CCC', 'No.').
// Out: canonical strings (digits only for CCC; 'XK08-001-04763' / '(鄂)XK12-001-00018'; 'SC' + 14 digits).
// CCC and licence numbers are returned as shown (not validated): a malformed number is a detector's finding.
import { toHalfWidth } from './text.ts';

const CCC_LABEL = /(?:CCC|3C|证书编号|证书号|认证证书|认证编号|证书|No\.?|编号)\s*[:#]?\s*$/i;
const CCC_DIGITS = 16;

/** Splits a run of digit groups ('2020 0107 0312 3456 2021...') into 16-digit numbers. */
function splitRun(groups: string[]): { numbers: string[]; rest: string } {
  const numbers: string[] = [];
  let acc = '';
  for (const g of groups) {
    if (acc.length + g.length <= CCC_DIGITS) {
      acc += g;
      if (acc.length === CCC_DIGITS) {
        numbers.push(acc);
        acc = '';
      }
    } else {
      acc = g.length <= CCC_DIGITS ? g : '';
      if (g.length > CCC_DIGITS) return { numbers, rest: g };
      if (acc.length === CCC_DIGITS) {
        numbers.push(acc);
        acc = '';
      }
    }
  }
  return { numbers, rest: acc };
}

/**
 * CCC certificate numbers in the text, digits only, in order of appearance, without duplicates. Unlabelled
 * numbers count only when exactly 16 digits; after a label ('CCC', '证书编号：', 'No.') a run of 10-20 digits
 * is kept even when malformed, because a page showing a wrong-length number is itself evidence.
 */
export function extractCccNumbers(text: string): string[] {
  const s = toHalfWidth(text);
  const out: string[] = [];
  for (const m of s.matchAll(/\d(?:[ \t-]?\d)*/g)) {
    const before = s.slice(Math.max(0, m.index - 24), m.index);
    // Digits that are part of a licence number, a GTIN label or an alphanumeric code are not certificates.
    if (/[A-Za-z]$/.test(before) && !/(?:CCC|3C|No\.?)\s*$/i.test(before)) continue;
    const after = s.slice(m.index + m[0].length, m.index + m[0].length + 1);
    if (/[A-Za-z]/.test(after)) continue;
    const labelled = CCC_LABEL.test(before);
    const groups = m[0].split(/[ \t-]/);
    const { numbers, rest } = splitRun(groups);
    out.push(...numbers);
    if (labelled && numbers.length === 0 && rest.length >= 10 && rest.length <= 20) out.push(rest);
  }
  return [...new Set(out)];
}

/** Production licence numbers: 'XK08-001-04763', with a province prefix when shown: '(鄂)XK12-001-00018'. */
export function extractLicenceNumbers(text: string): string[] {
  const s = toHalfWidth(text);
  const out: string[] = [];
  const re = /(?:[(\[【]\s*([\u4e00-\u9fa5])\s*[)\]】]\s*)?(?<![A-Za-z])X\s*K\s*(\d{2})\s*-?\s*(\d{3})\s*-?\s*(\d{5})(?!\d)/gi;
  for (const m of s.matchAll(re)) {
    const prefix = m[1] ? `(${m[1]})` : '';
    out.push(`${prefix}XK${m[2]}-${m[3]}-${m[4]}`);
  }
  return [...new Set(out)];
}

/** Food production licences: 'SC' + 14 digits (spaces inside tolerated). */
export function extractScLicences(text: string): string[] {
  const s = toHalfWidth(text);
  const out: string[] = [];
  for (const m of s.matchAll(/(?<![A-Za-z])SC\s*((?:\d[ \t]?){13}\d)(?![ \t]?\d)/gi)) out.push('SC' + m[1]!.replace(/\s/g, ''));
  return [...new Set(out)];
}

/** GS1 check digit of GTIN-8/12/13/14 (mod 10, weights 3 and 1 from the right, check digit excluded). */
export function isValidGtin(digits: string): boolean {
  if (!/^(?:\d{8}|\d{12}|\d{13}|\d{14})$/.test(digits)) return false;
  let sum = 0;
  const body = digits.slice(0, -1);
  for (let i = 0; i < body.length; i++) {
    const d = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return (10 - (sum % 10)) % 10 === digits.charCodeAt(digits.length - 1) - 48;
}

/** A GTIN from a structured field ('0 12345 67890 5', '６９０１２３４５６７８９２'), or null when not valid. */
export function normalizeGtin(value: string | number | null | undefined): string | null {
  if (value == null) return null;
  const digits = toHalfWidth(String(value)).replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits)) return null;
  return isValidGtin(digits) ? digits : null;
}

/** GTINs in free text, check digit verified (barcode substrings and phone numbers mostly fail it). */
export function extractGtins(text: string): string[] {
  const s = toHalfWidth(text);
  const out: string[] = [];
  for (const m of s.matchAll(/(?<![\dA-Za-z])(\d{8}|\d{12,14})(?![\dA-Za-z])/g)) if (isValidGtin(m[1]!)) out.push(m[1]!);
  return [...new Set(out)];
}
