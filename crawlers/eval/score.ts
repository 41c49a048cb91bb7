// Scoring of extracted price and currency against human ground truth, one rule set for every system (ours,
// Zyte, Diffbot, extruct), so their figures are comparable. Rules of the Zyte product-extraction benchmark
// (github.com/scrapinghub/product-extraction-benchmark): at most one prediction per page; a prediction is a
// TP if it equals any ground-truth value, else an FP (and an FN when ground truth exists); no prediction is
// an FN when ground truth exists. Prices compare as decimals.
// Currency is annotated as shown on the page ('€', '$', 'р.'), our output is ISO 4217: both sides are mapped
// to the set of ISO codes they can mean, and they match when the sets meet ('$' matches USD, CAD, ARS ...).
// The same mapping is applied to every system's output.

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export interface Scores extends Counts {
  precision: number;
  recall: number;
  f1: number;
}

export function score(c: Counts): Scores {
  const precision = c.tp + c.fp === 0 ? 0 : c.tp / (c.tp + c.fp);
  const recall = c.tp + c.fn === 0 ? 0 : c.tp / (c.tp + c.fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { ...c, precision, recall, f1 };
}

/** Adds one page's outcome to the counts. */
export function tally(c: Counts, predicted: string | null | undefined, truth: readonly string[], equal: (a: string, b: string) => boolean): void {
  const has = predicted !== null && predicted !== undefined && predicted.trim() !== '';
  if (has && truth.some((t) => equal(predicted, t))) c.tp++;
  else {
    if (has) c.fp++;
    if (truth.length > 0) c.fn++;
  }
}

/** Decimal equality of two price strings ('502.20' = '502.2'); non-numbers never match. */
export function samePrice(a: string, b: string): boolean {
  const x = Number(a.trim());
  const y = Number(b.trim());
  return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) < 1e-9 * Math.max(1, Math.abs(x));
}

const SIGNS: [string, string[]][] = [
  ['$', ['USD', 'CAD', 'AUD', 'NZD', 'HKD', 'SGD', 'TWD', 'MXN', 'ARS', 'CLP', 'COP', 'UYU']],
  ['US$', ['USD']],
  ['C$', ['CAD']],
  ['CA$', ['CAD']],
  ['A$', ['AUD']],
  ['HK$', ['HKD']],
  ['R$', ['BRL']],
  ['€', ['EUR']],
  ['£', ['GBP']],
  ['¥', ['CNY', 'JPY']],
  ['￥', ['CNY', 'JPY']],
  ['元', ['CNY']],
  ['円', ['JPY']],
  ['₩', ['KRW']],
  ['₹', ['INR']],
  ['rs', ['INR', 'PKR', 'LKR', 'NPR']],
  ['rs.', ['INR', 'PKR', 'LKR', 'NPR']],
  ['₽', ['RUB']],
  ['руб', ['RUB']],
  ['руб.', ['RUB']],
  ['р.', ['BYN', 'RUB']],
  ['₴', ['UAH']],
  ['грн', ['UAH']],
  ['zł', ['PLN']],
  ['kč', ['CZK']],
  ['kr', ['SEK', 'NOK', 'DKK', 'ISK']],
  ['kr.', ['SEK', 'NOK', 'DKK', 'ISK']],
  ['lei', ['RON']],
  ['ft', ['HUF']],
  ['лв', ['BGN']],
  ['лв.', ['BGN']],
  ['₺', ['TRY']],
  ['tl', ['TRY']],
  ['ر.س', ['SAR']],
  ['د.إ', ['AED']],
];
const SIGN_MAP = new Map(SIGNS.map(([s, codes]) => [s.toLowerCase(), codes]));

/** The ISO 4217 codes a currency annotation can mean: itself for a code, the candidates for a sign. */
export function currencyCandidates(value: string): string[] {
  const v = value.normalize('NFKC').trim();
  if (/^[A-Za-z]{3}$/.test(v)) return [v.toUpperCase() === 'RMB' ? 'CNY' : v.toUpperCase()];
  return SIGN_MAP.get(v.toLowerCase()) ?? [];
}

export function sameCurrency(a: string, b: string): boolean {
  const cb = currencyCandidates(b);
  return currencyCandidates(a).some((c) => cb.includes(c));
}
