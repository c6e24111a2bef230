import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors.ts';
import { countryName } from '../../../domain/countries.ts';
import { localized } from '../../../domain/event.ts';
import type { Locale } from '../../../domain/locales.ts';
import { isBlindReview } from '../../../db/repositories/review.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import { endonym, type Translator } from '../../../i18n/index.ts';
import { flagsInRange } from '../../../intake/stats.ts';
import type { Deps } from '../../../services/deps.ts';
import { CSV_BOM, csvRow } from '../../csv.ts';
import { requireEventPermission } from '../../plugins/auth.ts';
import { flagReason, stateLabel } from '../../views/admin/applications.ts';
import { isFlagKind } from '../../../db/repositories/applications.ts';
import { answerLabel } from '../../views/answer-text.ts';

const CHUNK = 2000;

/** Date and time in the event's zone, short enough for a spreadsheet column, in the reader's language. */
export function exportDateFormat(locale: Locale, timeZone: string): (iso: string | null) => string {
  const f = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZone });
  return (iso) => (iso ? f.format(new Date(iso)) : '');
}

/** An answer as a person reads it (views/answer-text.ts; kept exported here for existing imports). */
export { answerLabel };

/** Organizers' names for a review flag: "possible duplicate (email)". */
function flagLabel(t: Translator, f: { kind: string; reason: string }): string {
  return `${isFlagKind(f.kind) ? t(`flags.kind.${f.kind}`) : f.kind} (${flagReason(t, f.reason)})`;
}

/**
 * All applications of an event as CSV in the organizer's language (question labels as headers, option labels,
 * country names, dates in the event's zone), every cell quoted and formula-safe (src/http/csv.ts). Streamed:
 * keyset pages of 2,000 rows (by id), each its own short query, so a million-row export neither holds memory nor
 * keeps SQLite's single connection from the intake.
 */
export default async function exportAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  app.get<{ Params: { id: string } }>('/admin/events/:id/applications.csv', { preHandler: requireEventPermission('reviewApplications') }, async (req, reply) => {
    const event = await findEventById(deps.database.db, req.params.id);
    if (!event) throw new AppError('event.not_found');
    // Blind review hides who applied from reviewers; a spreadsheet of names and addresses would undo it.
    if (req.user?.role === 'reviewer' && (await isBlindReview(deps.database.db, event.id))) throw new AppError('auth.forbidden');
    const { t, locale } = req;
    const questions = event.questions;
    const maxGuests = Math.max(0, event.maxPartySize - 1);
    const date = exportDateFormat(locale, event.timezone);
    const header = [
      t('export.id'),
      t('export.applied'),
      t('export.status'),
      t('export.email_verified'),
      t('export.name'),
      t('export.email'),
      t('export.country'),
      t('export.language'),
      t('export.party_size'),
      ...Array.from({ length: maxGuests }, (_, i) => [t('export.guest_name', { n: i + 1 }), t('export.guest_relation', { n: i + 1 })]).flat(),
      ...questions.map((q) => localized(q.label, locale, event.defaultLocale).replaceAll(/\s+/g, ' ')),
      t('export.flags'),
    ];
    const db = deps.database.db;
    async function* rows(): AsyncGenerator<string> {
      yield CSV_BOM + csvRow(header);
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
          out += csvRow([
            r.id,
            date(r.created_at),
            stateLabel(t, r.status, r.verified),
            r.verified ? t('form.yes') : t('form.no'),
            r.name,
            r.email,
            r.country ? countryName(r.country, locale) : '',
            endonym(r.locale),
            r.party_size,
            ...Array.from({ length: maxGuests }, (_, i) => [guests[i]?.name ?? '', guests[i] ? t(`relation.${guests[i].relation}`) : '']).flat(),
            ...questions.map((q) => answerLabel(t, locale, event!, q, answers[q.id])),
            (flags.get(r.id) ?? []).map((f) => flagLabel(t, f)).join('; '),
          ]);
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
