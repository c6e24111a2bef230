import type { Queryable } from '../connect.ts';

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  eventId?: string | null;
  subjectId?: string | null;
  data?: Record<string, unknown>;
}

/** Append-only: there is no update or delete for audit rows anywhere in the code base. */
export async function appendAudit(db: Queryable, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: e.id,
      at: e.at,
      actor: e.actor,
      action: e.action,
      event_id: e.eventId ?? null,
      subject_id: e.subjectId ?? null,
      data: JSON.stringify(e.data ?? {}),
    })
    .execute();
}

export async function listAudit(db: Queryable, filter: { eventId?: string; subjectId?: string; limit?: number }) {
  let q = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(filter.limit ?? 100);
  if (filter.eventId) q = q.where('event_id', '=', filter.eventId);
  if (filter.subjectId) q = q.where('subject_id', '=', filter.subjectId);
  return q.execute();
}
