import { createHmac } from 'node:crypto';
import { cleanEmail, isMixedScriptEmail } from '../domain/unicode.ts';

/**
 * Lookup keys that find likely duplicates and same-household parties (ADR 0004). Pure.
 *
 *   e:<loose address>   the same mailbox written differently: dots and +tags removed for every domain, which
 *                       is stricter than the identity rule (normalizeEmail only folds providers known to
 *                       ignore them), so j.doe+x@corp.example and jdoe@corp.example are flagged, not merged
 *   p:<name | country>  the same applicant name from the same country
 *   a:<name>            an applicant's name …
 *   g:<name>            … and each guest's: someone who is in two parties (as applicant or guest)
 *
 * Names are folded (case, accents, punctuation, word order) and need two words, so "Ada" alone
 * matches nothing. Keys are HMACs under the server secret, truncated to 96 bits: the table that holds
 * them reveals no names or addresses, and nobody without the secret can test a guess against it.
 */

export interface PartyForKeys {
  name: string;
  email: string;
  country: string;
  guests: { name: string }[];
}

export interface IntakeKeys {
  /** Stored with the application. */
  own: string[];
  /** Looked up: key → the flag a match means. */
  probes: Map<string, { kind: 'possible_duplicate' | 'same_household'; reason: string }>;
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

export function intakeKeys(secret: string, p: PartyForKeys): IntakeKeys {
  const h = (s: string) => createHmac('sha256', secret).update(s).digest('base64url').slice(0, 16);
  const own: string[] = [];
  const probes: IntakeKeys['probes'] = new Map();
  const email = `e:${h(`e\0${looseEmail(p.email)}`)}`;
  own.push(email);
  probes.set(email, { kind: 'possible_duplicate', reason: 'email' });
  const applicant = foldName(p.name);
  if (applicant) {
    const pc = `p:${h(`p\0${applicant}\0${p.country}`)}`;
    const name = h(`n\0${applicant}`);
    own.push(pc, `a:${name}`);
    probes.set(pc, { kind: 'possible_duplicate', reason: 'name' });
    // The applicant appears as someone else's guest.
    probes.set(`g:${name}`, { kind: 'same_household', reason: 'applicant_is_guest' });
  }
  for (const g of p.guests) {
    const folded = foldName(g.name);
    if (!folded) continue;
    const name = h(`n\0${folded}`);
    if (!own.includes(`g:${name}`)) own.push(`g:${name}`);
    probes.set(`a:${name}`, { kind: 'same_household', reason: 'guest_applied' });
    if (!probes.has(`g:${name}`)) probes.set(`g:${name}`, { kind: 'same_household', reason: 'shared_guest' });
  }
  const flags: IntakeKeys['flags'] = isMixedScriptEmail(cleanEmail(p.email)) ? [{ kind: 'suspicious_email', reason: 'mixed_script' }] : [];
  return { own, probes, flags };
}
