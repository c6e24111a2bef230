import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { Queryable } from '../db/connect.ts';
import type { Clock } from '../platform/clock.ts';
import { rowOfVerpAddress } from './delivery.ts';
import { suppressAddress } from './suppression.ts';

/** One recipient's block of an RFC 3464 delivery status notification. */
export interface DsnRecipient {
  finalRecipient: string | null;
  action: string;
  status: string;
  diagnostic: string | null;
}

/**
 * The per-recipient fields of a message/delivery-status body (RFC 3464 §2.3): blocks separated by blank lines, the
 * first being per-message fields. Header continuation lines are folded. Only what deciding "hard bounce" needs.
 */
export function parseDeliveryStatus(text: string): DsnRecipient[] {
  const blocks = text.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ').split(/\n\s*\n/);
  const out: DsnRecipient[] = [];
  for (const block of blocks) {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) fields.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    if (!fields.has('action') || !fields.has('status')) continue;
    const addr = (v: string | undefined) => (v ? v.replace(/^[^;]*;\s*/, '').replace(/^<|>$/g, '').trim() || null : null);
    out.push({
      finalRecipient: addr(fields.get('final-recipient') ?? fields.get('original-recipient')),
      action: fields.get('action')!.toLowerCase(),
      status: fields.get('status')!.split(/\s/)[0],
      diagnostic: fields.get('diagnostic-code') ?? null,
    });
  }
  return out;
}

/** Permanent failure (RFC 3464 Action: failed with a 5.x.x status): the address will not work again. */
export const isHardBounce = (r: DsnRecipient): boolean => r.action === 'failed' && /^5\.\d{1,3}\.\d{1,3}$/.test(r.status);

/**
 * The message/delivery-status parts of a multipart/report. mailparser reads the envelope headers, but folds that
 * part into the text body, so the parts are split here by the boundary it found (base64 parts decoded).
 */
export async function deliveryStatusParts(raw: Buffer): Promise<string[]> {
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const ct = parsed.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const boundary = ct?.params?.boundary;
  if (!ct?.value || !/^multipart\/report$/i.test(ct.value) || !boundary) return [];
  const text = raw.toString('latin1');
  const out: string[] = [];
  for (const part of text.split(`--${boundary}`).slice(1)) {
    const split = part.search(/\r?\n\r?\n/);
    if (split < 0) continue;
    const head = part.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
    if (!/^content-type:\s*message\/(global-)?delivery-status/im.test(head)) continue;
    let body = part.slice(split).replace(/^\r?\n\r?\n/, '');
    if (/^content-transfer-encoding:\s*base64/im.test(head)) body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('latin1');
    out.push(body);
  }
  return out;
}

export interface BounceOutcome {
  /** The outbox row named by the VERP address, if any. */
  rowId: string | null;
  /** Addresses suppressed. */
  suppressed: string[];
}

/**
 * Handles one inbound mail to bounces+<id>@…: a DSN with a hard failure suppresses the address the named outbox
 * row went to (or, without a known row, the DSN's Final-Recipient) and marks the row bounced. Delays (4.x.x),
 * auto-replies and anything else change nothing.
 */
export async function handleBounce(db: Queryable, clock: Clock, envelopeTo: readonly string[], raw: Buffer): Promise<BounceOutcome> {
  const rowId = envelopeTo.map(rowOfVerpAddress).find((x): x is string => !!x) ?? null;
  const recipients = (await deliveryStatusParts(raw)).flatMap(parseDeliveryStatus);
  const hard = recipients.filter(isHardBounce);
  if (!hard.length) return { rowId, suppressed: [] };
  const row = rowId ? await db.selectFrom('outbox').select(['id', 'to_address']).where('id', '=', rowId).executeTakeFirst() : undefined;
  const nowIso = clock.now().toISOString();
  const detail = hard.map((h) => [h.status, h.diagnostic].filter(Boolean).join(' ')).join('; ');
  const addresses = row ? [row.to_address] : hard.map((h) => h.finalRecipient).filter((a): a is string => !!a);
  for (const a of addresses) await suppressAddress(db, a, '', 'bounce', detail, nowIso);
  if (row) await db.updateTable('outbox').set({ bounced_at: nowIso }).where('id', '=', row.id).execute();
  return { rowId: row?.id ?? null, suppressed: addresses };
}

export interface BounceListener {
  port: number;
  close(): Promise<void>;
}

/** Inbound SMTP for bounces only: accepts mail to bounces+<id>@ addresses (nothing is relayed), at most 1 MB each. */
export async function startBounceListener(o: { db: Queryable; clock: Clock; port: number; host: string; onError?: (err: unknown) => void }): Promise<BounceListener> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: 1024 * 1024,
    onRcptTo(address, _session, callback) {
      if (rowOfVerpAddress(address.address)) callback();
      else callback(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', callback);
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) return callback(Object.assign(new Error('5.3.4 message too big'), { responseCode: 552 }));
        handleBounce(
          o.db,
          o.clock,
          session.envelope.rcptTo.map((r) => r.address),
          Buffer.concat(chunks),
        ).then(
          () => callback(),
          (err) => {
            o.onError?.(err);
            callback(); // a DSN we cannot read is still accepted: the reporting server must not retry it forever
          },
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  server.on('error', (err) => o.onError?.(err));
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
