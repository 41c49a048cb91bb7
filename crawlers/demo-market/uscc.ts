// Unified social credit codes (统一社会信用代码, GB 32100-2015) and the 9-character organisation code inside
// them (GB 11714). In: region code + a number (make) or an 18-character string (validate). Out: codes with a
// correct check character, or a validation verdict with the reason. Reusable by detectors (forged-code checks)
// and by the demo marketplace's sellers.

/** The 31 characters of the code, in value order 0..30 (no I, O, S, V, Z). */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/** Check character for the first 17 characters; null when one of them is outside the alphabet. */
export function usccCheckChar(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let j = 0; j < 17; j++) {
    const v = USCC_ALPHABET.indexOf(first17[j] as string);
    if (v < 0) return null;
    sum += v * (WEIGHTS[j] as number);
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31] as string;
}

/** GB 11714 organisation code check character for the first 8 characters (digits or capitals). */
export function orgCodeCheckChar(first8: string): string | null {
  if (!/^[0-9A-Z]{8}$/.test(first8)) return null;
  let sum = 0;
  for (let j = 0; j < 8; j++) {
    const c = first8.charCodeAt(j);
    const v = c <= 57 ? c - 48 : c - 55; // A = 10 ... Z = 35
    sum += v * (ORG_WEIGHTS[j] as number);
  }
  const r = 11 - (sum % 11);
  return r === 10 ? 'X' : r === 11 ? '0' : String(r);
}

export interface MakeUsccInput {
  /** GB/T 2260 6-digit region code (positions 3-8). */
  region: string;
  /** Any non-negative integer; becomes the 8-digit organisation code body. */
  serial: number;
  /** Position 1, registering authority: 9 = market regulation. */
  authority?: string;
  /** Position 2, entity type: 1 = enterprise, 2 = individual business, 3 = farmers' cooperative. */
  entityType?: string;
}

export function makeUscc({ region, serial, authority = '9', entityType = '1' }: MakeUsccInput): string {
  if (!/^\d{6}$/.test(region)) throw new Error(`makeUscc: region must be 6 digits, got ${JSON.stringify(region)}`);
  const body8 = String(Math.floor(serial) % 1e8).padStart(8, '0');
  const org = body8 + (orgCodeCheckChar(body8) as string);
  const first17 = authority + entityType + region + org;
  const check = usccCheckChar(first17);
  if (check === null) throw new Error(`makeUscc: characters outside the USCC alphabet in ${JSON.stringify(first17)}`);
  return first17 + check;
}

export type UsccVerdict =
  | { ok: true; region: string; authority: string; entityType: string }
  | { ok: false; reason: 'length' | 'alphabet' | 'check_char'; message: string };

/** Checks length, alphabet and check character (not whether the code is registered). */
export function validateUscc(code: string): UsccVerdict {
  if (code.length !== 18) return { ok: false, reason: 'length', message: `expected 18 characters, got ${code.length}` };
  for (let j = 0; j < 18; j++) {
    if (!USCC_ALPHABET.includes(code[j] as string)) {
      return { ok: false, reason: 'alphabet', message: `character ${j + 1} (${JSON.stringify(code[j])}) is not in the USCC alphabet` };
    }
  }
  const expected = usccCheckChar(code.slice(0, 17));
  if (expected !== code[17]) return { ok: false, reason: 'check_char', message: `check character is ${code[17]}, expected ${expected}` };
  return { ok: true, region: code.slice(2, 8), authority: code[0] as string, entityType: code[1] as string };
}
