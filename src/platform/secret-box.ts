import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import type { RandomSource } from './random.ts';

/**
 * Small secrets at rest (TOTP seeds): AES-256-GCM under a key derived from the server secret for one purpose,
 * so a copy of the database alone does not give away second factors. Format: v1.<iv>.<tag>.<ciphertext> (base64url).
 */
const key = (serverSecret: string, purpose: string) => createHmac('sha256', serverSecret).update(`admit:secret-box:${purpose}`).digest();

export function seal(serverSecret: string, purpose: string, plaintext: string, random: RandomSource): string {
  const iv = random.bytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(serverSecret, purpose), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

export function open(serverSecret: string, purpose: string, sealed: string): string {
  const [v, iv, tag, body] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('secret-box: unknown format');
  const decipher = createDecipheriv('aes-256-gcm', key(serverSecret, purpose), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
