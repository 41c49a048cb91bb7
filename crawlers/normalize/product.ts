// Brand and model normalisation. The recall matcher reuses normalizeModel() so that 'KX-2000 b',
// 'ＫＸ２０００Ｂ' and 'kx_2000/B' compare equal. In: text as shown. Out: display-clean brand, comparable keys.
import { cleanText, collapseSpace, toHalfWidth } from './text.ts';

const BRAND_LABEL = /^(?:品牌(?:名称)?|商标|brand(?:\s*name)?)\s*[:：]\s*/i;
const MODEL_LABEL = /^(?:规格型号|产品型号|型号|货号|款号|model(?:\s*(?:no\.?|number))?|mpn)\s*[:：]?\s*/i;

/**
 * Brand as shown: labels and ™/® removed, spaces collapsed, characters kept (full-width stays full-width:
 * the page's spelling is evidence). Compare brands with brandKey(). Null when empty.
 */
export function normalizeBrand(text: string | null | undefined): string | null {
  if (text == null) return null;
  const s = collapseSpace(text.replace(/[™®©]/g, ''))
    .replace(BRAND_LABEL, '')
    .replace(/\((?:R|TM)\)$/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  return s === '' ? null : s;
}

/** Brand comparison key: lower case, accents and punctuation dropped ('BabyBjörn' = 'babybjorn'). */
export function brandKey(text: string | null | undefined): string | null {
  const b = normalizeBrand(text);
  if (b === null) return null;
  const k = toHalfWidth(b)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
  return k === '' ? null : k;
}

/** Model as displayed: half-width, label removed, spaces collapsed. Null when empty. */
export function cleanModel(text: string | null | undefined): string | null {
  if (text == null) return null;
  const s = cleanText(text).replace(MODEL_LABEL, '').trim();
  return s === '' ? null : s;
}

/**
 * Model comparison key: half-width, upper case, separators (space - _ / . · ,) removed, a trailing '型'
 * dropped. Keeps every letter and digit, so 'A1' and 'A15' stay different (whole-token matching is the
 * matcher's job, on these keys).
 */
export function normalizeModel(text: string | null | undefined): string | null {
  const m = cleanModel(text);
  if (m === null) return null;
  const k = toHalfWidth(m)
    .toUpperCase()
    .replace(/[\s\-_/\\.·•,:;'"()\[\]]+/g, '')
    .replace(/型$/, '');
  return k === '' ? null : k;
}
