// Price normalisation: the price text a page shows ('到手价￥1,299起', '¥59-89', '€ 13,40', '1.2万元') to a
// number, an ISO 4217 currency and the range it states. Pure; no page-specific rules.
// In: text (or a number from structured data). Out: { price, currency, low, high } (null when not shown).
import { toHalfWidth } from './text.ts';

export interface ParsedPrice {
  /** The price a buyer pays: the low bound of a range, the 到手价 / 券后价 when one is given. */
  price: number | null;
  /** ISO 4217 code, or null when the text names no currency (and no default was given). */
  currency: string | null;
  low: number | null;
  /** High bound of a range; null for '起' (from) prices with no upper bound. */
  high: number | null;
}

const NONE: ParsedPrice = { price: null, currency: null, low: null, high: null };

/** ISO codes we accept when written out on a page (a bare 3-letter word is not trusted otherwise). */
const ISO_CODES = new Set(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF ' +
    'CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG ' +
    'HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA ' +
    'MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD ' +
    'RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX ' +
    'USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL'
  ).split(' '),
);

/** Currency words and signs, most specific first ('HK$' before '$', '美元' before '元'). */
const CURRENCY_SIGNS: [RegExp, string][] = [
  [/HK\$|港币|港元|港幣/i, 'HKD'],
  [/NT\$|新台币|新台幣/i, 'TWD'],
  [/US\$|美元|美金/i, 'USD'],
  [/C\$|CA\$|加元/, 'CAD'],
  [/A\$|AU\$|澳元/, 'AUD'],
  [/S\$|新加坡元/, 'SGD'],
  [/R\$/, 'BRL'],
  [/欧元|€/, 'EUR'],
  [/英镑|£/, 'GBP'],
  [/日元|円/, 'JPY'],
  [/韩元|₩/, 'KRW'],
  [/卢布|₽|руб/i, 'RUB'],
  [/₹/, 'INR'],
  [/₺/, 'TRY'],
  [/₴|грн/i, 'UAH'],
  [/zł/i, 'PLN'],
  [/Kč/, 'CZK'],
  [/lei\b/i, 'RON'],
  // Chinese pages: ¥ is the yuan (a Japanese page would say 円 or JPY).
  [/[¥]|人民币|元|块钱|RMB/i, 'CNY'],
  [/\$/, 'USD'],
];

/** The ISO 4217 code the text names, or null. Codes written out win over signs. */
export function detectCurrency(text: string): string | null {
  const s = toHalfWidth(text);
  for (const m of s.matchAll(/(?<![A-Za-z])([A-Za-z]{3})(?![A-Za-z])/g)) {
    const code = m[1]!.toUpperCase();
    if (code === 'RMB') return 'CNY';
    if (ISO_CODES.has(code) && m[1] === code) return code;
  }
  for (const [re, code] of CURRENCY_SIGNS) if (re.test(s)) return code;
  return null;
}

/** Normalises a currency value from structured data ('CNY', 'rmb', '¥', '€') to ISO 4217, or null. */
export function normalizeCurrency(value: string | null | undefined): string | null {
  if (value == null) return null;
  const s = toHalfWidth(value).trim();
  if (/^[A-Za-z]{3}$/.test(s)) {
    const code = s.toUpperCase();
    if (code === 'RMB') return 'CNY';
    return ISO_CODES.has(code) ? code : null;
  }
  return s === '' ? null : detectCurrency(s);
}

// A number as written: 1,299.00 / 1.299,00 / 13,40 / 1'299. A plain space separates numbers more often than
// thousands on Chinese pages, so only no-break spaces are thousands separators (joined before this runs).
const NUMBER = /\d{1,3}(?:[,.']\d{3})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)?/g;
/** A number followed by one of these is a quantity, discount or spec, not a price. */
const NOT_A_PRICE_AFTER = /^\s*(?:%|折|件|人|个|只|台|套|瓶|袋|盒|包|月|年|天|日|小时|分钟|秒|次|mAh|[kKmM]?[gGlLwWvVAa](?![a-zA-Z])|cm|mm|m(?![a-zA-Z])|岁|期|号|款|色)/;
/** A number after one of these is the list price, skipped when a selling price follows. */
const ORIGINAL_BEFORE = /(?:原价|划线价|市场价|吊牌价|参考价|专柜价|was|RRP|UVP)\s*[:]?\s*[^\d\s]{0,4}\s*$/i;
/** The selling price once coupons and discounts are taken: what the buyer pays. */
const SELLING_MARKER = /到手价|券后价|券后|折后价|活动价|秒杀价|促销价|优惠价|现价|售价|抢购价|直播价/g;
const RANGE_SEP = /^\s*(?:[¥$€£]|元)?\s*(?:-|~|〜|至|到|to)\s*(?:[¥$€£]|RMB|CNY)?\s*$/i;

/** Parses one number token (see NUMBER) as a decimal, resolving ',' and '.' as thousands or decimal marks. */
export function parseNumberToken(token: string): number | null {
  let t = token.replace(/['\u00A0\u202F ]/g, '');
  const lastComma = t.lastIndexOf(',');
  const lastDot = t.lastIndexOf('.');
  if (lastComma >= 0 && lastDot >= 0) {
    // Both: the later one is the decimal mark.
    t = lastComma > lastDot ? t.replace(/\./g, '').replace(',', '.') : t.replace(/,/g, '');
  } else if (lastComma >= 0) {
    const groups = t.split(',');
    // '1,299' and '1,299,000' are thousands; '13,40' and '13,5' are decimal commas.
    t = groups.length > 2 || groups[1]!.length === 3 ? groups.join('') : groups.join('.');
  } else if (lastDot >= 0 && t.split('.').length > 2) {
    t = t.replace(/\./g, ''); // 1.299.000
  }
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

interface Token {
  value: number;
  start: number;
  end: number;
}

function tokens(s: string): Token[] {
  const out: Token[] = [];
  for (const m of s.matchAll(NUMBER)) {
    const start = m.index;
    const end = start + m[0].length;
    if (start > 0 && /[A-Za-z]/.test(s[start - 1]!) && !/[¥$€£]|RMB|CNY|USD|EUR|GBP/i.test(s.slice(Math.max(0, start - 3), start))) continue; // model numbers like 'KX2000'
    if (NOT_A_PRICE_AFTER.test(s.slice(end, end + 6))) continue;
    let value = parseNumberToken(m[0]);
    if (value === null) continue;
    if (/^\s*万/.test(s.slice(end, end + 3))) value = Math.round(value * 10000 * 100) / 100;
    out.push({ value, start, end });
  }
  return out;
}

/**
 * Parses a price as shown. Numbers are found in the text; a selling-price marker (到手价, 券后价, ...) picks
 * the number after it; list-price markers (原价, 划线价) are skipped when another number remains; two numbers
 * joined by '-', '~', '至' form a range whose low bound is the price.
 */
export function parsePrice(input: string | number | null | undefined, opts: { defaultCurrency?: string | null } = {}): ParsedPrice {
  const fallbackCurrency = opts.defaultCurrency ?? null;
  if (input == null) return NONE;
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0 ? { price: input, currency: fallbackCurrency, low: input, high: input } : NONE;
  }
  // No-break and narrow spaces between digit groups are thousands separators ('1 299,00 €'); toHalfWidth
  // would turn them into plain spaces, which separate numbers.
  let s = toHalfWidth(input.replace(/(\d)[\u00A0\u202F](?=\d{3}(?!\d))/g, '$1'));
  if (s.length > 500) s = s.slice(0, 500); // a price text is short; don't scan a whole page here
  const currency = detectCurrency(s) ?? fallbackCurrency;

  // Start after the last selling-price marker, when there is one.
  let from = 0;
  for (const m of s.matchAll(SELLING_MARKER)) from = m.index + m[0].length;
  const all = tokens(s).filter((t) => t.start >= from);
  if (all.length === 0) return { ...NONE, currency: null };

  let candidates = all.filter((t) => !ORIGINAL_BEFORE.test(s.slice(Math.max(0, t.start - 12), t.start)));
  if (candidates.length === 0) candidates = all;
  const first = candidates[0]!;
  const next = candidates[1];
  if (next && RANGE_SEP.test(s.slice(first.end, next.start)) && next.value >= first.value) {
    return { price: first.value, currency, low: first.value, high: next.value };
  }
  const openEnded = /^\s*(?:元)?\s*(?:起|以上|up|\+)/i.test(s.slice(first.end, first.end + 6)) || /(?:from|ab|от)\s*[^\d]{0,3}$/i.test(s.slice(Math.max(0, first.start - 8), first.start));
  return { price: first.value, currency, low: first.value, high: openEnded ? null : first.value };
}
