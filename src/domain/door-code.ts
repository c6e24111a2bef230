/**
 * Door codes: what a person can type at the door when the QR code will not scan. Ten characters of
 * Crockford's base 32 (https://www.crockford.com/base32.html): nine data symbols (45 bits) and one check
 * symbol, the value mod 37. Case does not matter, hyphens and spaces are ignored, and I/L read as 1, O as 0.
 *
 * Why mod 37: 37 is prime and larger than the alphabet, so every single wrong symbol and every swap of
 * two neighbours changes the check — a typo is refused with "check the code" instead of matching nobody
 * (or, worse, someone else). Crockford's extra check symbols (* ~ $ = U for 32…36) are awkward on a phone
 * keyboard, so codes are only ever issued with a check value below 32 (see issueDoorCode); the parser
 * still accepts all five.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CHECK_ALPHABET = `${ALPHABET}*~$=U`;
export const DOOR_CODE_LENGTH = 10;
const DATA_LENGTH = DOOR_CODE_LENGTH - 1;

/** Symbol → value, with Crockford's decoding aliases (I, L → 1; O → 0). */
const VALUE = new Map<string, number>();
[...CHECK_ALPHABET].forEach((c, i) => VALUE.set(c, i));
VALUE.set('I', 1);
VALUE.set('L', 1);
VALUE.set('O', 0);

/** 45-bit value of the nine data symbols → the check value (0…36). */
function checkValue(data: bigint): number {
  return Number(data % 37n);
}

function encodeData(data: bigint): string {
  let s = '';
  for (let i = 0; i < DATA_LENGTH; i++) {
    s = ALPHABET[Number(data & 31n)] + s;
    data >>= 5n;
  }
  return s;
}

/** The canonical stored form: ten upper-case symbols, no separators. */
export type DoorCode = string;

/**
 * A door code from random bytes (at least 6). Returns null when the check value would need one of the
 * extra check symbols: the caller draws again (about 1 in 7.4 times), so issued codes are letters and digits only.
 */
export function doorCodeFromBytes(bytes: Uint8Array): DoorCode | null {
  if (bytes.length < 6) throw new Error('doorCodeFromBytes: need 6 bytes');
  let data = 0n;
  for (let i = 0; i < 6; i++) data = (data << 8n) | BigInt(bytes[i]);
  data &= (1n << 45n) - 1n;
  const check = checkValue(data);
  if (check >= 32) return null;
  return encodeData(data) + CHECK_ALPHABET[check];
}

/** How a code is printed: two groups of five, "ABCDE-FGHJK". */
export const formatDoorCode = (code: DoorCode): string => `${code.slice(0, 5)}-${code.slice(5)}`;

export type ParsedDoorCode = { ok: true; code: DoorCode } | { ok: false; reason: 'not_a_door_code' | 'bad_check' };

/**
 * What a person typed → the canonical code. `not_a_door_code`: not ten base-32 symbols (it may be a long
 * QR token); `bad_check`: ten symbols whose check does not match — a typo.
 */
export function parseDoorCode(input: string): ParsedDoorCode {
  const s = input.replace(/[\s-]+/g, '').toUpperCase();
  if (s.length !== DOOR_CODE_LENGTH) return { ok: false, reason: 'not_a_door_code' };
  let data = 0n;
  let canonical = '';
  for (let i = 0; i < DATA_LENGTH; i++) {
    const v = VALUE.get(s[i]);
    if (v === undefined || v >= 32) return { ok: false, reason: 'not_a_door_code' };
    data = (data << 5n) | BigInt(v);
    canonical += ALPHABET[v];
  }
  const check = VALUE.get(s[DATA_LENGTH]);
  if (check === undefined) return { ok: false, reason: 'not_a_door_code' };
  if (check !== checkValue(data)) return { ok: false, reason: 'bad_check' };
  return { ok: true, code: canonical + CHECK_ALPHABET[check] };
}
