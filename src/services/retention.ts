import { searchColumns } from '../domain/search.ts';
import { removeMailFiles } from '../mail/files.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { hashToken, newToken } from '../platform/random.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';

/**
 * Data minimisation. event.retention_days after the event (ends_at, else starts_at) the personal data of
 * every application of the event is erased; those who will not come — not selected, withdrawn,
 * declined, expired, rejected — are erased that long after the draw already. Waitlisted parties
 * might still move up, so they wait for the event.
 *
 * Erasing keeps the row (status, country, party size, entry id, draw position) so counts, the audit
 * log and the published draw bundle stay valid — the bundle only has pseudonymous entry ids — and
 * replaces name and email with placeholders, empties guests and answers, renames tickets, deletes the
 * stored copies of mails to the address, and makes old status links stop working.
 */
export const EARLY_ERASE_STATUSES = ['not_selected', 'withdrawn', 'declined', 'expired', 'rejected'] as const;
export const ERASED_NAME = '—';
const BATCH = 500;
const DAY = 86_400_000;

export async function erasePersonalData(deps: Deps): Promise<number> {
  const { db } = deps.database;
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const events = await db
    .selectFrom('events')
    .leftJoin('draws', 'draws.event_id', 'events.id')
    .select(['events.id', 'events.starts_at', 'events.ends_at', 'events.retention_days', 'draws.drawn_at'])
    .execute();
  let total = 0;
  for (const e of events) {
    const keepMs = e.retention_days * DAY;
    const end = e.ends_at ?? e.starts_at;
    const afterEvent = !!end && now.getTime() >= Date.parse(end) + keepMs;
    const afterDraw = !!e.drawn_at && now.getTime() >= Date.parse(e.drawn_at) + keepMs;
    if (!afterEvent && !afterDraw) continue;
    for (;;) {
      let q = db.selectFrom('applications').select(['id', 'email']).where('event_id', '=', e.id).where('erased_at', 'is', null);
      if (!afterEvent) q = q.where('status', 'in', [...EARLY_ERASE_STATUSES]);
      const batch = await q.orderBy('id').limit(BATCH).execute();
      if (!batch.length) break;
      const mailIds: string[] = [];
      const erased = await db.transaction().execute(async (trx) => {
        let n = 0;
        for (const a of batch) {
          const placeholder = `erased-${a.id}@invalid`;
          const res = await trx
            .updateTable('applications')
            .set({
              name: ERASED_NAME,
              email: placeholder,
              email_normalized: placeholder,
              ...searchColumns({ name: ERASED_NAME, email: placeholder, guests: [] }),
              guests: '[]',
              answers: '{}',
              review_note: null,
              token_hash: hashToken(newToken(deps.random)),
              erased_at: nowIso,
              updated_at: nowIso,
            })
            .where('id', '=', a.id)
            .where('erased_at', 'is', null)
            .executeTakeFirst();
          if (Number(res.numUpdatedRows) !== 1) continue;
          n++;
          await trx.deleteFrom('application_links').where('application_id', '=', a.id).execute();
          // Guests' own addresses and links (migration 020) go with the party's data.
          const guestAddresses = await trx.selectFrom('tickets').select('holder_email').where('application_id', '=', a.id).where('holder_email', 'is not', null).execute();
          await trx.deleteFrom('ticket_links').where('ticket_id', 'in', (eb) => eb.selectFrom('tickets').select('id').where('application_id', '=', a.id)).execute();
          await trx.updateTable('tickets').set({ holder_name: ERASED_NAME, holder_email: null }).where('application_id', '=', a.id).execute();
          const addresses = [a.email, ...guestAddresses.map((g) => g.holder_email!)];
          const mails = await trx.deleteFrom('outbox').where('event_id', '=', e.id).where('to_address', 'in', addresses).returning('id').execute();
          for (const m of mails) mailIds.push(m.id);
        }
        if (n) {
          await appendAudit(trx, {
            id: nextId(deps),
            at: nowIso,
            actor: 'system',
            action: 'application.personal_data_erased',
            eventId: e.id,
            data: { count: n, rule: afterEvent ? 'after_event' : 'after_draw', retentionDays: e.retention_days },
          });
        }
        return n;
      });
      await removeMailFiles(deps.config.dataDir, mailIds);
      total += erased;
      if (batch.length < BATCH) break;
    }
  }
  return total;
}
