import { cleanEmail } from './unicode.ts';

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;

export function isEmail(x: string): boolean {
  return x.length <= 254 && EMAIL.test(x);
}

/** Providers that ignore dots in the local part and deliver +tag addresses to the same inbox. */
const DOTLESS = new Set(['gmail.com', 'googlemail.com']);
const PLUS_TAGS = new Set(['gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'fastmail.com', 'proton.me', 'protonmail.com']);

/**
 * The identity used for "one application per person and event": case-folded and, for providers
 * that ignore them, without dots and +tags. The address the person typed is kept for sending.
 */
export function normalizeEmail(raw: string): string {
  // Look-alike spellings of one address (fullwidth letters, zero-width characters) are one identity.
  const email = cleanEmail(raw).toLowerCase();
  const at = email.lastIndexOf('@');
  if (at < 0) return email;
  let local = email.slice(0, at);
  let domain = email.slice(at + 1);
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (PLUS_TAGS.has(domain)) local = local.split('+')[0];
  if (DOTLESS.has(domain)) local = local.replaceAll('.', '');
  return `${local}@${domain}`;
}
