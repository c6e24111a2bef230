import type { Queryable } from '../connect.ts';

export interface ReviewScore {
  reviewerId: string;
  reviewerName: string;
  score: number;
  note: string | null;
  updatedAt: string;
}

/** Every reviewer's score for one application, earliest first. */
export async function listScores(db: Queryable, applicationId: string): Promise<ReviewScore[]> {
  const rows = await db
    .selectFrom('application_scores as s')
    .leftJoin('users as u', 'u.id', 's.reviewer_id')
    .select(['s.reviewer_id', 'u.name', 'u.email', 's.score', 's.note', 's.updated_at'])
    .where('s.application_id', '=', applicationId)
    .orderBy('s.created_at')
    .orderBy('s.reviewer_id')
    .execute();
  return rows.map((r) => ({ reviewerId: r.reviewer_id, reviewerName: r.name || r.email || r.reviewer_id, score: r.score, note: r.note, updatedAt: r.updated_at }));
}

/** Blind review: name, address and country are hidden from the reviewer role for this event. */
export async function isBlindReview(db: Queryable, eventId: string): Promise<boolean> {
  const row = await db.selectFrom('review_settings').select('blind').where('event_id', '=', eventId).executeTakeFirst();
  return row?.blind === 1;
}
