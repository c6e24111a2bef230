import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { Queryable } from '../db/connect.ts';
import { parseSignedTicket, signedTicketMessage, type ParsedSignedTicket, type SignedTicketFields } from '../domain/signed-ticket.ts';
import { open, seal } from '../platform/secret-box.ts';
import type { Deps } from './deps.ts';

/**
 * Per-event Ed25519 keys that sign ticket QR codes (ADR 0015). The private key is made from the injected
 * randomness (32-byte seed → PKCS#8), sealed with the server secret and stored; the public key (raw, 32 bytes)
 * goes to door devices. Keys are made lazily — when the first ticket of an event is issued or the first device
 * syncs — with INSERT … ON CONFLICT DO NOTHING and a re-read, so two instances never end up with two keys.
 */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PURPOSE = 'door-key';

export interface DoorKey {
  eventId: string;
  /** base64url raw public key */
  publicKey: string;
  offlineNames: boolean;
}

export async function findDoorKey(db: Queryable, eventId: string): Promise<(DoorKey & { sealed: string }) | null> {
  const row = await db.selectFrom('event_door_keys').selectAll().where('event_id', '=', eventId).executeTakeFirst();
  return row ? { eventId, publicKey: row.public_key, offlineNames: row.offline_names === 1, sealed: row.private_key } : null;
}

/** The event's key, made now when it has none (in the caller's transaction when given one). */
export async function ensureDoorKey(db: Queryable, deps: Pick<Deps, 'random' | 'config' | 'clock'>, eventId: string): Promise<DoorKey> {
  const found = await findDoorKey(db, eventId);
  if (found) return found;
  const seed = deps.random.bytes(32);
  const pkcs8 = Buffer.concat([PKCS8_ED25519_PREFIX, seed]);
  const priv = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const raw = createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
  await db
    .insertInto('event_door_keys')
    .values({
      event_id: eventId,
      public_key: Buffer.from(raw).toString('base64url'),
      private_key: seal(deps.config.secret, PURPOSE, pkcs8.toString('base64url'), deps.random),
      offline_names: 0,
      created_at: deps.clock.now().toISOString(),
    })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .execute();
  return (await findDoorKey(db, eventId))!;
}

// Opening a sealed key costs an AES-GCM decryption and a key import; a door signs and verifies thousands.
const privateCache = new Map<string, KeyObject>();
const publicCache = new Map<string, KeyObject>();

function privateKey(secret: string, sealed: string): KeyObject {
  let key = privateCache.get(sealed);
  if (!key) {
    key = createPrivateKey({ key: Buffer.from(open(secret, PURPOSE, sealed), 'base64url'), format: 'der', type: 'pkcs8' });
    if (privateCache.size > 1000) privateCache.clear();
    privateCache.set(sealed, key);
  }
  return key;
}

function publicKey(raw: string): KeyObject {
  let key = publicCache.get(raw);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(raw, 'base64url')]), format: 'der', type: 'spki' });
    if (publicCache.size > 1000) publicCache.clear();
    publicCache.set(raw, key);
  }
  return key;
}

/** The QR text of one ticket: its fields and the event key's signature over them. */
export function signTicket(secret: string, sealedKey: string, f: SignedTicketFields): string {
  const message = signedTicketMessage(f);
  return `${message}.${sign(null, Buffer.from(message), privateKey(secret, sealedKey)).toString('base64url')}`;
}

/** A scanned text → its fields when it is a payload signed by this event's key, else null (forged, other event, not signed). */
export function verifySignedTicket(publicKeyRaw: string, eventId: string, text: string): ParsedSignedTicket | null {
  const p = parseSignedTicket(text);
  if (!p || p.eventId !== eventId) return null;
  return verify(null, Buffer.from(p.message), publicKey(publicKeyRaw), p.signature) ? p : null;
}
