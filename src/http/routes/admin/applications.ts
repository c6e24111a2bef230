import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors.ts';
import {
  countApplicationsByCountry,
  countApplicationsByStatus,
  findApplicationById,
  listApplications,
} from '../../../db/repositories/applications.ts';
import { listAudit } from '../../../db/repositories/audit.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import type { Deps } from '../../../services/deps.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requirePermission } from '../../plugins/auth.ts';
import { applicationDetailBody, applicationListBody, type ListQuery } from '../../views/admin/applications.ts';
import { reviewActions } from '../../views/admin/selection-review.ts';
import { html } from '../../views/html.ts';

export const PAGE = 50;

export default async function applicationAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;

  app.get<{ Params: { id: string }; Querystring: ListQuery }>(
    '/admin/events/:id/applications',
    { preHandler: requirePermission('reviewApplications') },
    async (req, reply) => {
      const db = deps.database.db;
      const event = await findEventById(db, req.params.id);
      if (!event) throw new AppError('event.not_found');
      const q = req.query;
      const party = Number(q.party);
      const str = (x: unknown) => (typeof x === 'string' && x ? x : undefined);
      const [rows, byStatus, byCountry] = await Promise.all([
        listApplications(db, {
          eventId: event.id,
          status: str(q.status),
          country: str(q.country),
          partySize: Number.isInteger(party) && party > 0 ? party : undefined,
          verified: q.verified === 'yes' ? true : q.verified === 'no' ? false : undefined,
          q: str(q.q)?.trim() || undefined,
          after: str(q.after),
          limit: PAGE + 1,
        }),
        countApplicationsByStatus(db, event.id),
        countApplicationsByCountry(db, event.id),
      ]);
      const more = rows.length > PAGE;
      const page = rows.slice(0, PAGE);
      const keep = new URLSearchParams(Object.entries(q).filter(([k, v]) => k !== 'after' && k !== 'lang' && typeof v === 'string' && v) as [string, string][]);
      const nextUrl = more ? `?${new URLSearchParams([...keep, ['after', page[page.length - 1].id]])}` : null;
      const firstUrl = q.after ? `?${keep}` : null;
      const ctx = pageContext(req, reply);
      const body = applicationListBody({ t: req.t, locale: req.locale, event, query: q, rows: page, nextUrl, firstUrl, byStatus, byCountry });
      return sendPage(reply, ctx, req.t('admin.apps.title'), body, { wide: true });
    },
  );

  app.get<{ Params: { id: string } }>('/admin/applications/:id', { preHandler: requirePermission('reviewApplications') }, async (req, reply) => {
    const a = await findApplicationById(deps.database.db, req.params.id);
    if (!a) throw new AppError('application.not_found');
    const event = await findEventById(deps.database.db, a.eventId);
    if (!event) throw new AppError('event.not_found');
    const audit = await listAudit(deps.database.db, { subjectId: a.id });
    const ctx = pageContext(req, reply);
    return sendPage(reply, ctx, a.name, html`${applicationDetailBody({ t: req.t, locale: req.locale, event, a, audit })}${reviewActions(ctx, a)}`);
  });
}
