import type { Queryable } from '../db/connect.ts';
import type { OutboxRow } from '../db/schema.ts';
import { normalizeEmail } from '../domain/email.ts';

/**
 * The suppression list (migration 019, ADR 0013). A hard bounce (a DSN to the bounce listener, or an SMTP 5xx to
 * RCPT TO at send time) suppresses an address for every mail (scope ''); a one-click unsubscribe suppresses it for
 * one event's OPTIONAL mails only — the kinds below. Mails a person needs (verification, offer, tickets) ignore
 * unsubscribes: an unsubscribe is not a way to miss one's own offer.
 */
export const UNSUBSCRIBABLE_KINDS: ReadonlySet<string> = new Set(['message', 'event.reminder', 'event.thanks']);

export const isUnsubscribable = (kind: string): boolean => UNSUBSCRIBABLE_KINDS.has(kind);

/** Adds an address to the list (idempotent: the first reason stays). */
export async function suppressAddress(db: Queryable, email: string, scope: string, reason: 'bounce' | 'unsubscribe', detail: string | null, nowIso: string): Promise<void> {
  await db
    .insertInto('mail_suppressions')
    .values({ email_normalized: normalizeEmail(email), scope, reason, detail: detail?.slice(0, 500) ?? null, created_at: nowIso })
    .onConflict((oc) => oc.columns(['email_normalized', 'scope']).doNothing())
    .execute();
}

/** The claimed rows that must not be sent: one query per claimed batch. */
export async function suppressedRows(db: Queryable, rows: readonly OutboxRow[]): Promise<Set<string>> {
  if (!rows.length) return new Set();
  const addresses = [...new Set(rows.map((r) => normalizeEmail(r.to_address)))];
  const hits = await db.selectFrom('mail_suppressions').select(['email_normalized', 'scope']).where('email_normalized', 'in', addresses).execute();
  if (!hits.length) return new Set();
  const out = new Set<string>();
  for (const r of rows) {
    const a = normalizeEmail(r.to_address);
    const blocked = hits.some((h) => h.email_normalized === a && (h.scope === '' || (h.scope === r.event_id && isUnsubscribable(r.kind))));
    if (blocked) out.add(r.id);
  }
  return out;
}

/** An SMTP error that says the recipient does not exist (5xx to RCPT TO): a hard bounce at send time. */
export function isHardRecipientFailure(err: unknown): boolean {
  const e = err as { responseCode?: number; command?: string; code?: string } | null;
  return !!e && typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600 && (e.command === 'RCPT TO' || e.code === 'EENVELOPE');
}
