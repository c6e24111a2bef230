import type { OutboxRow } from '../db/schema.ts';
import { isUnsubscribable } from './suppression.ts';

/** DKIM key for nodemailer's signer (ADMIT_DKIM_*; `admit mail dkim` makes one). */
export interface DkimConfig {
  domainName: string;
  keySelector: string;
  /** PEM */
  privateKey: string;
}

/** How mail leaves this deployment (config.ts → sender): DKIM signing and the VERP return path. */
export interface DeliveryOptions {
  dkim?: DkimConfig | null;
  /** With it, the envelope sender is bounces+<outbox id>@<bounceDomain>: a bounce names the very mail (VERP). */
  bounceDomain?: string | null;
}

/** The address a bounce for one outbox row goes to, and back. */
export const verpAddress = (rowId: string, domain: string): string => `bounces+${rowId}@${domain}`;
export function rowOfVerpAddress(address: string): string | null {
  const m = /^bounces\+([0-9a-z]{10,40})@/i.exec(address.trim());
  return m ? m[1].toLowerCase() : null;
}

/** The one-click unsubscribe URL stored with an optional mail (params.unsubscribeUrl), if any. */
function unsubscribeUrlOf(row: OutboxRow): string | null {
  if (!isUnsubscribable(row.kind) || !row.params) return null;
  try {
    const url = (JSON.parse(row.params) as { unsubscribeUrl?: unknown }).unsubscribeUrl;
    return typeof url === 'string' && /^https?:\/\//.test(url) ? url : null;
  } catch {
    return null;
  }
}

/**
 * Headers and envelope every mail gets besides its content: Auto-Submitted (RFC 3834: auto-replies stay away),
 * RFC 8058 one-click unsubscribe on optional mails only, the VERP envelope sender and the DKIM signature.
 * Message-ID and Date are set by the caller and nodemailer.
 */
export function deliveryHeaders(row: OutboxRow, o: DeliveryOptions) {
  const unsubscribe = unsubscribeUrlOf(row);
  const headers: Record<string, string> = { 'Auto-Submitted': 'auto-generated' };
  if (unsubscribe) headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  return {
    headers,
    ...(unsubscribe ? { list: { unsubscribe } } : {}),
    ...(o.bounceDomain ? { envelope: { from: verpAddress(row.id, o.bounceDomain), to: [row.to_address] } } : {}),
    ...(o.dkim ? { dkim: o.dkim } : {}),
  };
}
