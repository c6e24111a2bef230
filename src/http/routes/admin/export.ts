import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors.ts';
import { localized } from '../../../domain/event.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import { flagsInRange } from '../../../intake/stats.ts';
import type { Deps } from '../../../services/deps.ts';
import { requireEventPermission } from '../../plugins/auth.ts';

const CHUNK = 2000;

/**
 * A cell: quoted when needed, and a leading = + - @ (or tab/CR) is neutralised with an apostrophe so that
 * a spreadsheet never runs an applicant's text as a formula (CSV injection).
 */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * All applications of an event as CSV, streamed: keyset pages of 2,000 rows (by id), each its own short
 * query, so a million-row export neither holds memory nor keeps SQLite's single connection from the intake.
 */
export default async function exportAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  app.get<{ Params: { id: string } }>('/admin/events/:id/applications.csv', { preHandler: requireEventPermission('reviewApplications') }, async (req, reply) => {
    const event = await findEventById(deps.database.db, req.params.id);
    if (!event) throw new AppError('event.not_found');
    const questions = event.questions;
    const maxGuests = Math.max(0, event.maxPartySize - 1);
    const header = [
      'id',
      'created_at',
      'status',
      'verified',
      'name',
      'email',
      'country',
      'locale',
      'party_size',
      ...Array.from({ length: maxGuests }, (_, i) => [`guest_${i + 1}_name`, `guest_${i + 1}_relation`]).flat(),
      ...questions.map((q) => `answer_${q.id} (${localized(q.label, req.locale, event.defaultLocale).replaceAll(/\s+/g, ' ')})`),
      'review_flags',
    ];
    const db = deps.database.db;
    async function* rows(): AsyncGenerator<string> {
      yield '\ufeff' + header.map(csvCell).join(',') + '\r\n';
      let after = '';
      for (;;) {
        const page = await db
          .selectFrom('applications')
          .select(['id', 'created_at', 'status', 'verified', 'name', 'email', 'country', 'locale', 'party_size', 'guests', 'answers'])
          .where('event_id', '=', event!.id)
          .where('id', '>', after)
          .orderBy('id')
          .limit(CHUNK)
          .execute();
        if (!page.length) return;
        const flags = await flagsInRange(db, event!.id, page[0].id, page[page.length - 1].id);
        let out = '';
        for (const r of page) {
          const guests = JSON.parse(r.guests) as { name: string; relation: string }[];
          const answers = JSON.parse(r.answers) as Record<string, string>;
          out +=
            [
              r.id,
              r.created_at,
              r.status,
              r.verified ? 'yes' : 'no',
              r.name,
              r.email,
              r.country,
              r.locale,
              r.party_size,
              ...Array.from({ length: maxGuests }, (_, i) => [guests[i]?.name ?? '', guests[i]?.relation ?? '']).flat(),
              ...questions.map((q) => answers[q.id] ?? ''),
              (flags.get(r.id) ?? []).map((f) => `${f.kind}:${f.reason}${f.relatedId ? `:${f.relatedId}` : ''}`).join(' '),
            ]
              .map(csvCell)
              .join(',') + '\r\n';
        }
        yield out;
        after = page[page.length - 1].id;
        if (page.length < CHUNK) return;
      }
    }
    reply
      .type('text/csv; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('Content-Disposition', `attachment; filename="${event.slug}-applications.csv"`);
    return reply.send(Readable.from(rows()));
  });
}
