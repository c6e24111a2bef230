import { createHash } from 'node:crypto';
import type { Db } from '../db/connect.ts';

/**
 * Idempotency (STYLE habit 11): `Idempotency-Key` on the API, a one-time `form_token` in the HTML form.
 * The key's record is written in the same transaction as the application, so "one application per key"
 * holds across retries, crashes and instances. Keys are scoped by channel and event and stored hashed.
 */

export const IDEMPOTENCY_TTL_HOURS = 24;

/** Printable ASCII, 1–255 characters (the IETF draft's recommendation; UUIDs fit). */
export function isValidIdempotencyKey(key: unknown): key is string {
  return typeof key === 'string' && /^[\x21-\x7e]{1,255}$/.test(key);
}

export function idempotencyKeyHash(channel: 'api' | 'form', slug: string, key: string): string {
  return createHash('sha256').update(`${channel}\0${slug}\0${key}`).digest('base64url');
}

/** Canonical JSON (sorted keys), hashed: the same body in any key order is the same request. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonical(body)).digest('base64url');
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export interface StoredResponse {
  requestHash: string;
  statusCode: number;
  body: unknown;
}

export async function findStoredResponse(db: Db, keyHash: string): Promise<StoredResponse | null> {
  const r = await db.selectFrom('idempotency_keys').select(['request_hash', 'status_code', 'response']).where('key_hash', '=', keyHash).executeTakeFirst();
  return r ? { requestHash: r.request_hash, statusCode: r.status_code, body: JSON.parse(r.response) } : null;
}

export async function purgeExpiredIdempotencyKeys(db: Db, nowIso: string): Promise<number> {
  const res = await db.deleteFrom('idempotency_keys').where('expires_at', '<', nowIso).executeTakeFirst();
  return Number(res.numDeletedRows);
}
