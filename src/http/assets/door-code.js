// Door codes on the device: the same rules as src/domain/door-code.ts (Crockford base 32, mod-37 check
// symbol; case, spaces and hyphens ignored; I/L read as 1, O as 0). A typo is "mistyped", never a lookup.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CHECK_ALPHABET = `${ALPHABET}*~$=U`;
const VALUE = new Map();
[...CHECK_ALPHABET].forEach((c, i) => VALUE.set(c, i));
VALUE.set('I', 1);
VALUE.set('L', 1);
VALUE.set('O', 0);

export function parseDoorCode(input) {
  const s = String(input).replace(/[\s-]+/g, '').toUpperCase();
  if (s.length !== 10) return { ok: false, reason: 'not_a_door_code' };
  let data = 0n;
  let canonical = '';
  for (let i = 0; i < 9; i++) {
    const v = VALUE.get(s[i]);
    if (v === undefined || v >= 32) return { ok: false, reason: 'not_a_door_code' };
    data = (data << 5n) | BigInt(v);
    canonical += ALPHABET[v];
  }
  const check = VALUE.get(s[9]);
  if (check === undefined) return { ok: false, reason: 'not_a_door_code' };
  if (check !== Number(data % 37n)) return { ok: false, reason: 'bad_check' };
  return { ok: true, code: canonical + CHECK_ALPHABET[check] };
}

/** 80 bits of SHA-256 over "<event id>:<code>", hex: what the synced list holds instead of the codes. */
export async function doorCodeHash(eventId, code) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${eventId}:${code}`));
  return Array.from(new Uint8Array(digest).slice(0, 10), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** AD1.<event>.<ticket>.<position>.<signature>: the fields, or null when the text is not a signed payload. */
export function parseSigned(text) {
  const s = String(text).replace(/\s+/g, '');
  const at = s.lastIndexOf('AD1.');
  if (at < 0 || (at > 0 && s[at - 1] !== '/')) return null;
  const parts = s.slice(at).split('.');
  if (parts.length !== 5 || !/^[0-9a-z]{10,40}$/.test(parts[1]) || !/^[0-9a-z]{10,40}$/.test(parts[2]) || !/^\d{1,3}$/.test(parts[3]) || !/^[A-Za-z0-9_-]{86}$/.test(parts[4])) return null;
  return { text: s.slice(at), message: parts.slice(0, 4).join('.'), eventId: parts[1], ticketId: parts[2], position: Number(parts[3]), signature: fromBase64url(parts[4]) };
}

export function fromBase64url(s) {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}
