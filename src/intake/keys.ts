import { createHmac } from 'node:crypto';
import { cleanEmail, isMixedScriptEmail } from '../domain/unicode.ts';

/**
 * Lookup keys that find likely duplicates and same-household parties (ADR 0004). Pure.
 *
 *   e:<loose address>          the same mailbox written differently: dots and +tags removed for every domain,
 *                              which is stricter than the identity rule (normalizeEmail only folds providers known
 *                              to ignore them), so j.doe+x@corp.example and jdoe@corp.example are flagged, not merged
 *   n:<name>.a<name|country>   a person's name, held by an applicant from that country …
 *   n:<name>.g                 … or by a guest: one name namespace for applicants and guests
 *
 * A name is looked up ONCE, as the range of keys under its stem `n:<name>` (at most one row per country it was
 * applied from, plus one for guests), and that one range answers all four name rules: the same applicant name
 * from the same country (possible duplicate), the applicant is someone's guest, a guest applied themselves, a
 * guest is in two parties. Before (keys p:, a:, g:) a party with two guests stored five keys and made seven
 * lookups; now four keys and four lookups, with the same flags (ADR 0004, "Fewer keys").
 *
 * Names are folded (case, accents, punctuation, word order) and need two words, so "Ada" alone
 * matches nothing. Keys are HMACs under the server secret, truncated to 96 bits: the
 * table that holds them reveals no names, addresses or countries, and nobody without the secret can test a
 * guess against it.
 */

export interface PartyForKeys {
  name: string;
  email: string;
  country: string;
  guests: { name: string }[];
}

export type ProbeKind = 'possible_duplicate' | 'same_household';

/**
 * One lookup rule. The batch reads every stored key under `stem` (the stem itself and `stem.…`) once and
 * matches: `key` exactly, or with `prefix`, any stored key that starts with it (e.g. "an applicant of any
 * country"). Plain data: the batch is posted to the SQLite writer thread by structured clone.
 */
export interface Probe {
  stem: string;
  key: string;
  prefix?: boolean;
  kind: ProbeKind;
  reason: 'email' | 'name' | 'applicant_is_guest' | 'guest_applied' | 'shared_guest';
}

export interface IntakeKeys {
  /** Stored with the application (only where no earlier application holds the key). */
  own: string[];
  /** Looked up, in order: the first match of a kind gives the flag. */
  probes: Probe[];
  /** Flags that need no other application: an address mixing scripts (look-alike letters) is reviewed. */
  flags?: { kind: 'suspicious_email'; reason: 'mixed_script' }[];
}

export function foldName(name: string): string | null {
  const words = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .sort();
  return words.length >= 2 ? words.join(' ') : null;
}

export function looseEmail(email: string): string {
  const e = cleanEmail(email).toLowerCase();
  const at = e.lastIndexOf('@');
  if (at < 0) return e;
  const local = e.slice(0, at).split('+')[0].replaceAll('.', '');
  return `${local}@${e.slice(at + 1)}`;
}

/** The stored keys under one stem sort together: `stem` ≤ key < `stem` + '/' ('.' is 0x2E, '/' 0x2F; binary order). */
export const stemEnd = (stem: string): string => `${stem}/`;

type Hmac = (s: string) => string;
const hmacOf =
  (secret: string): Hmac =>
  (s) =>
    createHmac('sha256', secret).update(s).digest('base64url').slice(0, 16);

export function intakeKeys(secret: string, p: PartyForKeys): IntakeKeys {
  const h = hmacOf(secret);
  const own: string[] = [];
  const probes: Probe[] = [];
  const email = `e:${h(`e\0${looseEmail(p.email)}`)}`;
  own.push(email);
  probes.push({ stem: email, key: email, kind: 'possible_duplicate', reason: 'email' });
  const applicant = foldName(p.name);
  if (applicant) {
    const stem = `n:${h(`n\0${applicant}`)}`;
    // The country part is the HMAC the p: key of earlier versions was made of (see legacyProbesOf).
    const mine = `${stem}.a${h(`p\0${applicant}\0${p.country}`)}`;
    own.push(mine);
    probes.push({ stem, key: mine, kind: 'possible_duplicate', reason: 'name' });
    // The applicant appears as someone else's guest.
    probes.push({ stem, key: `${stem}.g`, kind: 'same_household', reason: 'applicant_is_guest' });
  }
  for (const g of p.guests) {
    const folded = foldName(g.name);
    if (!folded) continue;
    const stem = `n:${h(`n\0${folded}`)}`;
    const key = `${stem}.g`;
    if (!own.includes(key)) own.push(key);
    probes.push({ stem, key: `${stem}.a`, prefix: true, kind: 'same_household', reason: 'guest_applied' });
    // A guest with the applicant's own name keeps the applicant's reason (it was probed first).
    if (!probes.some((x) => x.key === key)) probes.push({ stem, key, kind: 'same_household', reason: 'shared_guest' });
  }
  const flags: IntakeKeys['flags'] = isMixedScriptEmail(cleanEmail(p.email)) ? [{ kind: 'suspicious_email', reason: 'mixed_script' }] : [];
  return { own, probes, flags };
}

/**
 * The keys versions before the single name namespace stored (p: applicant name + country, a: applicant name,
 * g: guest name) as probes, in the order those versions looked them up — so applications that came in before
 * an upgrade are still found by the ones after it. Derived from the new probes (same HMACs), so the batch makes
 * them only for an event that still holds old keys, and they are neither computed nor posted to the writer
 * thread otherwise.
 */
export function legacyProbesOf(probes: Probe[]): Probe[] {
  const out: Probe[] = [];
  const point = (key: string, kind: ProbeKind, reason: Probe['reason']) => {
    if (!out.some((x) => x.key === key)) out.push({ stem: key, key, kind, reason });
  };
  for (const x of probes) {
    const name = x.stem.slice(2);
    if (x.reason === 'name') point(`p:${x.key.slice(x.key.indexOf('.') + 2)}`, x.kind, x.reason);
    else if (x.reason === 'applicant_is_guest' || x.reason === 'shared_guest') point(`g:${name}`, x.kind, x.reason);
    else if (x.reason === 'guest_applied') point(`a:${name}`, x.kind, x.reason);
  }
  return out;
}

/** The end of a namespace's key range: 'p:' ≤ key < 'p;' (':' is 0x3A, ';' 0x3B). */
export const namespaceEnd = (ns: string): string => `${ns.slice(0, -1)};`;

/** Namespaces only versions before the single name namespace wrote (see legacyProbesOf). */
export const LEGACY_NAMESPACES = ['a:', 'g:', 'p:'] as const;

/** Every key an application may hold, old and new, for forgetting it (src/intake/forget.ts). */
export function keysToForget(secret: string, p: PartyForKeys): string[] {
  const k = intakeKeys(secret, p);
  // Old versions also stored the applicant's name alone (a:), which no probe of the same party looks up; it is
  // the HMAC of the applicant's name stem.
  const stem = k.probes.find((x) => x.reason === 'name')?.stem;
  const legacyOwn = stem ? [`a:${stem.slice(2)}`] : [];
  return [...new Set([...k.own, ...legacyProbesOf(k.probes).map((x) => x.key), ...legacyOwn])];
}
