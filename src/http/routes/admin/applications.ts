import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors.ts';
import {
  countApplicationsByCountry,
  countApplicationsByStatus,
  findApplicationById,
  listApplicationPage,
} from '../../../db/repositories/applications.ts';
import { receivedByDay } from '../../../intake/stats.ts';
import { listAudit } from '../../../db/repositories/audit.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import type { Deps } from '../../../services/deps.ts';
import { pageContext, sendPage } from '../../page.ts';
import { eventOfApplication, requireEventPermission } from '../../plugins/auth.ts';
import { applicationDetailBody, applicationListBody, type ListQuery } from '../../views/admin/applications.ts';
import { reviewActions } from '../../views/admin/selection-review.ts';
import { html } from '../../views/html.ts';
import { eventTabs } from '../../views/admin/event-tabs.ts';

export const PAGE = 50;

/** Names (or emails) of the staff members among the actors of a history, for its sentences. */
async function staffNames(deps: Deps, actors: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(actors.filter((a) => a !== 'applicant' && a !== 'system'))];
  if (!ids.length) return new Map();
  const rows = await deps.database.db.selectFrom('users').select(['id', 'name', 'email']).where('id', 'in', ids).execute();
  return new Map(rows.map((u) => [u.id, u.name || u.email]));
}
/**
 * At most this many applications are looked at for one page of a search or of filters no index serves in
 * order (see listApplicationPage): ~20–40 ms on SQLite and PostgreSQL (bench/ingest.ts), whatever the event's size.
 */
export const SCAN_LIMIT = 50_000;

export default async function applicationAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;

  app.get<{ Params: { id: string }; Querystring: ListQuery }>(
    '/admin/events/:id/applications',
    { preHandler: requireEventPermission('reviewApplications') },
    async (req, reply) => {
      const db = deps.database.db;
      const event = await findEventById(db, req.params.id);
      if (!event) throw new AppError('event.not_found');
      const q = req.query;
      const party = Number(q.party);
      const str = (x: unknown) => (typeof x === 'string' && x ? x : undefined);
      // Counts come from maintained counters (exact, same transaction as every change): no GROUP BY over the rows.
      const [list, byStatus, byCountry, byDay] = await Promise.all([
        listApplicationPage(db, {
          eventId: event.id,
          status: str(q.status),
          country: str(q.country),
          partySize: Number.isInteger(party) && party > 0 ? party : undefined,
          verified: q.verified === 'yes' ? true : q.verified === 'no' ? false : undefined,
          q: str(q.q)?.trim() || undefined,
          after: str(q.after),
          limit: PAGE,
          scanLimit: SCAN_LIMIT,
        }),
        countApplicationsByStatus(db, event.id),
        countApplicationsByCountry(db, event.id),
        receivedByDay(db, event.id),
      ]);
      const keep = new URLSearchParams(Object.entries(q).filter(([k, v]) => k !== 'after' && k !== 'lang' && typeof v === 'string' && v) as [string, string][]);
      const nextUrl = list.next ? `?${new URLSearchParams([...keep, ['after', list.next]])}` : null;
      const firstUrl = q.after ? `?${keep}` : null;
      const ctx = pageContext(req, reply);
      const body = applicationListBody({
        t: req.t,
        locale: req.locale,
        event,
        query: q,
        rows: list.rows,
        nextUrl,
        firstUrl,
        searchedTo: list.searchedTo,
        byStatus,
        byCountry,
        byDay,
      });
      return sendPage(reply, ctx, req.t('admin.apps.title'), html`${eventTabs(req.t, event, 'applications', req.user!.role)}${body}<p class="actions"><a class="button" href="/admin/events/${event.id}/applications.csv" download>${req.t('export.download')}</a></p>`, { wide: true });
    },
  );

  app.get<{ Params: { id: string } }>('/admin/applications/:id', { preHandler: requireEventPermission('reviewApplications', eventOfApplication) }, async (req, reply) => {
    const a = await findApplicationById(deps.database.db, req.params.id);
    if (!a) throw new AppError('application.not_found');
    const event = await findEventById(deps.database.db, a.eventId);
    if (!event) throw new AppError('event.not_found');
    const audit = await listAudit(deps.database.db, { subjectId: a.id });
    const staff = await staffNames(deps, audit.map((e) => e.actor));
    const ctx = pageContext(req, reply);
    return sendPage(reply, ctx, a.name, html`${applicationDetailBody({ t: req.t, locale: req.locale, event, a, audit, staff })}${reviewActions(ctx, a)}`);
  });
}
