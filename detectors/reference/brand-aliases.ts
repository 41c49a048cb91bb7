// Brand aliases: the same brand written in Chinese, pinyin or English, and company names that carry it.
// In: brand text from a page or a reference record. Out: a canonical brand key, so '美的', 'Midea' and
// 'MIDEA' compare equal and '广东美的制冷设备有限公司' is recognised as carrying the brand. The table is reference
// data: extend it (or load more with addBrandAliases) rather than adding special cases in detectors.
import { halfWidth } from '../text.ts';

/** canonical key -> spellings. Keys are lower-case ASCII. */
const BUILTIN: Record<string, readonly string[]> = {
  midea: ['美的', 'midea'],
  haier: ['海尔', 'haier'],
  gree: ['格力', 'gree'],
  huawei: ['华为', 'huawei'],
  xiaomi: ['小米', 'xiaomi', 'mi', '米家', 'mijia'],
  oppo: ['oppo', '欧珀'],
  vivo: ['vivo', '维沃'],
  apple: ['苹果', 'apple'],
  samsung: ['三星', 'samsung'],
  lenovo: ['联想', 'lenovo'],
  anker: ['安克', 'anker'],
  romoss: ['罗马仕', 'romoss'],
  philips: ['飞利浦', 'philips'],
  panasonic: ['松下', 'panasonic'],
  sony: ['索尼', 'sony'],
  tcl: ['tcl'],
  hisense: ['海信', 'hisense'],
  supor: ['苏泊尔', 'supor'],
  joyoung: ['九阳', 'joyoung'],
  bull: ['公牛', 'bull'],
  opple: ['欧普', 'opple'],
  nvc: ['雷士', 'nvc'],
  dyson: ['戴森', 'dyson'],
  siemens: ['西门子', 'siemens'],
  bosch: ['博世', 'bosch'],
  delixi: ['德力西', 'delixi'],
  chint: ['正泰', 'chint'],
  schneider: ['施耐德', 'schneider'],
  lego: ['乐高', 'lego'],
  goodbaby: ['好孩子', 'goodbaby', 'gb'],
  pisen: ['品胜', 'pisen'],
  baseus: ['倍思', 'baseus'],
  ugreen: ['绿联', 'ugreen'],
  aux: ['奥克斯', 'aux'],
  changhong: ['长虹', 'changhong'],
  skyworth: ['创维', 'skyworth'],
  galanz: ['格兰仕', 'galanz'],
  vatti: ['华帝', 'vatti'],
  fotile: ['方太', 'fotile'],
  microsoft: ['微软', 'microsoft'],
  adobe: ['奥多比', 'adobe'],
  hp: ['惠普', 'hp', 'hewlett packard', 'hewlett-packard'],
  dell: ['戴尔', 'dell'],
  canon: ['佳能', 'canon'],
  nikon: ['尼康', 'nikon'],
};

const aliasToKey = new Map<string, string>();
// Memos of brandKey() and brandSpellings(): every detector asks for the same few brands per listing, and
// brandSpellings() scans the whole alias table. Both are emptied when the table changes; brandKey's is
// bounded (cleared when full) since its keys are page text.
const KEY_MEMO_MAX = 8192;
const keyMemo = new Map<string, string>();
const spellingsMemo = new Map<string, readonly string[]>();

export function addBrandAliases(table: Record<string, readonly string[]>): void {
  keyMemo.clear();
  spellingsMemo.clear();
  for (const [key, spellings] of Object.entries(table)) {
    aliasToKey.set(key, key);
    for (const s of spellings) aliasToKey.set(foldBrand(s), key);
  }
}

function foldBrand(s: string): string {
  return halfWidth(s).toLowerCase().replace(/[\s\-_.·'’®™]/g, '');
}

addBrandAliases(BUILTIN);

/** Canonical key of a brand as written: 'Midea' and '美的' -> 'midea'; unknown brands fold to themselves. */
export function brandKey(raw: string): string {
  let key = keyMemo.get(raw);
  if (key === undefined) {
    const f = foldBrand(raw).replace(/(?:inc|corp|corporation|co|ltd|llc|gmbh|有限公司|股份有限公司|集团)$/u, '');
    key = aliasToKey.get(f) ?? f;
    if (keyMemo.size >= KEY_MEMO_MAX) keyMemo.clear();
    keyMemo.set(raw, key);
  }
  return key;
}

/** Every spelling of a brand key (including the key): used to look a brand up in free text. */
export function brandSpellings(key: string): string[] {
  return [...spellingsOf(key)];
}

function spellingsOf(key: string): readonly string[] {
  let memo = spellingsMemo.get(key);
  if (!memo) {
    const out = [key];
    for (const [alias, k] of aliasToKey) if (k === key && alias !== key) out.push(alias);
    memo = out;
    if (spellingsMemo.size >= KEY_MEMO_MAX) spellingsMemo.clear();
    spellingsMemo.set(key, memo);
  }
  return memo;
}

/** Text prepared once for many brand look-ups (a listing title checked against many recalls). */
export interface BrandHaystack {
  readonly hay: string;
  readonly squeezed: string;
}

export function brandHaystack(text: string): BrandHaystack {
  const hay = halfWidth(text).toLowerCase();
  return { hay, squeezed: hay.replace(/[\s\-_.·'’®™]/g, '') };
}

const wordRe = new Map<string, RegExp>();
function standAlone(s: string): RegExp {
  let re = wordRe.get(s);
  if (!re) wordRe.set(s, (re = new RegExp(`(?:^|[^a-z0-9])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:$|[^a-z0-9])`)));
  return re;
}

/** Whether the prepared text carries one of the spellings (brandSpellings()), as a whole token for ASCII. */
export function haystackCarries(h: BrandHaystack, spellings: readonly string[]): boolean {
  for (const s of spellings) {
    if (!s) continue;
    // ASCII spellings must stand alone ('mi' must not match 'midea' or 'premium').
    if (/^[a-z0-9]+$/.test(s)) {
      if (h.hay.includes(s) && standAlone(s).test(h.hay)) return true;
    } else if (containsBounded(h.squeezed, s)) return true;
  }
  return false;
}

/** Substring match that does not cut an ASCII run: '品牌1' is not in '品牌12', '美的' is in '广东美的制冷'. */
function containsBounded(hay: string, s: string): boolean {
  const asciiStart = /^[a-z0-9]/.test(s);
  const asciiEnd = /[a-z0-9]$/.test(s);
  for (let i = hay.indexOf(s); i >= 0; i = hay.indexOf(s, i + 1)) {
    if (asciiStart && i > 0 && /[a-z0-9]/.test(hay[i - 1]!)) continue;
    const j = i + s.length;
    if (asciiEnd && j < hay.length && /[a-z0-9]/.test(hay[j]!)) continue;
    return true;
  }
  return false;
}

/** Whether `text` (a company name, a title) carries the brand in any spelling, as a whole token for ASCII. */
export function textCarriesBrand(text: string, brand: string): boolean {
  const key = brandKey(brand);
  if (!key) return false;
  return haystackCarries(brandHaystack(text), spellingsOf(key));
}

/** Known brand keys found in free text (for listings with no brand field). */
export function brandsInText(text: string): string[] {
  const found = new Set<string>();
  const hay = halfWidth(text).toLowerCase();
  for (const [alias, key] of aliasToKey) {
    if (found.has(key) || alias.length < 2) continue;
    if (/^[a-z0-9]+$/.test(alias) ? new RegExp(`(?:^|[^a-z0-9])${alias}(?:$|[^a-z0-9])`).test(hay) : hay.includes(alias)) found.add(key);
  }
  return [...found];
}
