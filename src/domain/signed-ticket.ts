/**
 * Signed ticket payloads (issue 15, ADR 0015): what a ticket's QR code carries, so a door device can tell a
 * genuine ticket from a forged one without the network — including tickets issued after it last synced.
 *
 *   AD1.<event id>.<ticket id>.<party position>.<Ed25519 signature, base64url>
 *
 * The signature covers everything before the last dot, with the event's own key (one key per event: a
 * device holds only the public keys of the events it works for, and a leaked key affects one event). Ids are
 * the lower-case ULIDs of src/platform/random.ts; the payload is ~150 characters (QR version 9 at level M).
 * Pure: building and parsing only. Signing and verifying live in services/door-keys.ts (node:crypto) and in
 * the device (WebCrypto), both over exactly `message`.
 */
export const SIGNED_TICKET_VERSION = 'AD1';

export interface SignedTicketFields {
  eventId: string;
  ticketId: string;
  position: number;
}

export interface ParsedSignedTicket extends SignedTicketFields {
  /** The signed text: everything before the signature. */
  message: string;
  signature: Uint8Array;
}

const ID = /^[0-9a-z]{10,40}$/;

export function signedTicketMessage(f: SignedTicketFields): string {
  return `${SIGNED_TICKET_VERSION}.${f.eventId}.${f.ticketId}.${f.position}`;
}

/** Looks like a signed payload (any version we know)? Cheap test before parsing. */
export const looksSigned = (text: string): boolean => text.startsWith(`${SIGNED_TICKET_VERSION}.`);

/** A scanned text → its fields and signature, or null when it is not a well-formed signed payload. */
export function parseSignedTicket(text: string): ParsedSignedTicket | null {
  const s = text.trim();
  const parts = s.split('.');
  if (parts.length !== 5 || parts[0] !== SIGNED_TICKET_VERSION) return null;
  const [, eventId, ticketId, pos, sig] = parts;
  if (!ID.test(eventId) || !ID.test(ticketId) || !/^\d{1,3}$/.test(pos) || !/^[A-Za-z0-9_-]{86}$/.test(sig)) return null;
  const signature = new Uint8Array(Buffer.from(sig, 'base64url'));
  if (signature.length !== 64) return null;
  const fields = { eventId, ticketId, position: Number(pos) };
  return { ...fields, message: signedTicketMessage(fields), signature };
}
