import type { FastifyInstance, FastifyRequest } from 'fastify';
import { mailsOfApplication } from '../../../services/messages.ts';
import { applicationMailsView } from '../../views/admin/messages.ts';
import { AppError } from '../../../errors.ts';
import { isLocale, type Locale } from '../../../domain/locales.ts';
import {
  applicationFromRow,
  countApplicationsByCountry,
  countApplicationsByStatus,
  findApplicationById,
  flagsOf,
  isFlagKind,
  type ReviewFlag,
  isApplicationSort,
  listApplicationPage,
  type Application,
  type ApplicationFilter,
} from '../../../db/repositories/applications.ts';
import { isBlindReview, listScores } from '../../../db/repositories/review.ts';
import { receivedByDay } from '../../../intake/stats.ts';
import { listAudit } from '../../../db/repositories/audit.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import { offerPreviews, rejectionPreviews, type PreviewGroup, type RenderedPreview } from '../../../mail/previews.ts';
import type { Deps } from '../../../services/deps.ts';
import { can } from '../../../services/users.ts';
import { MAX_BULK, REVIEW_DECISIONS, reviewApplications, reviewChoices, type ReviewDecision } from '../../../services/review.ts';
import { scoreApplication, setBlindReview } from '../../../services/review-scores.ts';
import { formValues } from '../../form-input.ts';
import { pageContext, sendPage } from '../../page.ts';
import { eventOfApplication, requireEventPermission } from '../../plugins/auth.ts';
import { applicationDetailBody, applicationListBody, blindLabel, type DetailNav, type ListQuery } from '../../views/admin/applications.ts';
import { bulkConfirmPage } from '../../views/admin/review-bulk.ts';
import type { MailPreview } from '../../views/admin/mail-preview.ts';
import { reviewActions } from '../../views/admin/selection-review.ts';
import { html } from '../../views/html.ts';
import { eventHeader, eventTabs } from '../../views/admin/event-tabs.ts';
import { withEventMailTexts } from '../../../services/mail-texts.ts';

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

/** The list's own query keys: what "back to the list" and previous/next carry along. */
const LIST_KEYS = ['status', 'country', 'party', 'verified', 'flag', 'q', 'sort'] as const;

const str = (x: unknown) => (typeof x === 'string' && x ? x : undefined);

/** The list query as far as it is the list's (no cursor, no language, no done-message), as a query string. */
export function listQueryString(query: object): string {
  const q = query as Record<string, unknown>;
  return new URLSearchParams(LIST_KEYS.flatMap((k) => (str(q[k]) ? [[k, str(q[k])!] as [string, string]] : []))).toString();
}

/** The repository filter of a list query. Blind review: no search, country filter or sort that would reveal them. */
export function listFilter(eventId: string, q: ListQuery, blind: boolean): Omit<ApplicationFilter, 'limit'> {
  const party = Number(q.party);
  const sort = isApplicationSort(q.sort) && !(blind && (q.sort === 'name' || q.sort === 'country')) ? q.sort : undefined;
  return {
    eventId,
    status: str(q.status),
    country: blind ? undefined : str(q.country),
    partySize: Number.isInteger(party) && party > 0 ? party : undefined,
    verified: q.verified === 'yes' ? true : q.verified === 'no' ? false : undefined,
    flag: q.flag === 'any' || isFlagKind(q.flag) ? q.flag : undefined,
    q: blind ? undefined : str(q.q)?.trim() || undefined,
    sort: sort === 'date' ? undefined : sort,
  };
}

/** Repeated form fields (checkboxes): the body parser gives a string or an array. */
function formList(body: unknown, name: string): string[] {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x.length > 0 && x.length < 100);
}

export default async function applicationAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const db = deps.database.db;
  const applicationEvent = async (req: FastifyRequest) => (await findApplicationById(db, (req.params as { id: string }).id))?.eventId ?? null;
  /** Blind review applies to the reviewer role only; owners and admins always see who applied. */
  const blindFor = async (req: FastifyRequest, eventId: string) => req.user?.role === 'reviewer' && (await isBlindReview(db, eventId));

  app.get<{ Params: { id: string }; Querystring: ListQuery & { done?: string; n?: string; skipped?: string } }>(
    '/admin/events/:id/applications',
    { preHandler: requireEventPermission('reviewApplications') },
    async (req, reply) => {
      const event = await findEventById(db, req.params.id);
      if (!event) throw new AppError('event.not_found');
      const q = req.query;
      const blind = await blindFor(req, event.id);
      // Counts come from maintained counters (exact, same transaction as every change): no GROUP BY over the rows.
      const [list, byStatus, byCountry, byDay, blindOn] = await Promise.all([
        listApplicationPage(db, { ...listFilter(event.id, q, blind), after: str(q.after), limit: PAGE, scanLimit: SCAN_LIMIT }),
        countApplicationsByStatus(db, event.id),
        countApplicationsByCountry(db, event.id),
        receivedByDay(db, event.id),
        isBlindReview(db, event.id),
      ]);
      const flags = await flagsOf(db, event.id, list.rows.map((a) => a.id));
      const keep = new URLSearchParams(listQueryString(q));
      const nextUrl = list.next ? `?${new URLSearchParams([...keep, ['after', list.next]])}` : null;
      const firstUrl = q.after ? `?${keep}` : null;
      const ctx = pageContext(req, reply);
      const mayManage = can(req.user!.role, 'manageEvents');
      const body = applicationListBody({
        t: req.t,
        locale: req.locale,
        event,
        query: q,
        rows: list.rows,
        flags,
        nextUrl,
        firstUrl,
        searchedTo: list.searchedTo,
        byStatus,
        byCountry: blind ? [] : byCountry,
        byDay,
        view: { blind, listQuery: keep.toString(), bulk: { csrfToken: ctx.csrfToken ?? '', back: keep.toString() } },
        blindSwitch: mayManage ? { blind: blindOn, csrfToken: ctx.csrfToken ?? '' } : undefined,
        done: q.done === 'bulk' ? { n: Number(q.n) || 0, skipped: Number(q.skipped) || 0 } : null,
      });
      return sendPage(reply, ctx, req.t('admin.apps.title'), html`${eventTabs(req.t, event, 'applications', req.user!.role)}${body}${blind ? '' : html`<p class="actions"><a class="button" href="/admin/events/${event.id}/applications.csv" download>${req.t('export.download')}</a></p>`}`, { wide: true });
    },
  );

  app.get<{ Params: { id: string }; Querystring: { list?: string } }>(
    '/admin/applications/:id',
    { preHandler: requireEventPermission('reviewApplications', applicationEvent) },
    async (req, reply) => {
      const a = await findApplicationById(db, req.params.id);
      if (!a) throw new AppError('application.not_found');
      const event = await findEventById(db, a.eventId);
      if (!event) throw new AppError('event.not_found');
      const blind = await blindFor(req, event.id);
      const listQ = typeof req.query.list === 'string' ? listQueryString(Object.fromEntries(new URLSearchParams(req.query.list))) : '';
      const [audit, scores, nav, mails, flags] = await Promise.all([
        listAudit(db, { subjectId: a.id }),
        listScores(db, a.id),
        neighbours(a, listQ, blind),
        mailsOfApplication(db, a),
        flagsOf(db, event.id, [a.id]).then((m) => m.get(a.id) ?? []),
      ]);
      const related = await relatedApplications(flags);
      const staff = await staffNames(deps, audit.map((e) => e.actor));
      const ctx = pageContext(req, reply);
      return sendPage(
        reply,
        ctx,
        blind ? blindLabel(req.t, a) : a.name,
        html`${eventHeader(req.t, req.locale, event, 'applications', req.user!.role)}${applicationDetailBody({ t: req.t, locale: req.locale, event, a, audit, staff, blind, nav, flags, related })}${reviewActions(ctx, a, {
          list: listQ,
          scores,
          me: req.user!.id,
          timezone: event.timezone,
        })}${applicationMailsView(req.t, req.locale, event, mails)}`,
      );
    },
  );

  /** The applications a detail page's flags point to (same event by construction): id → name. */
  async function relatedApplications(flags: ReviewFlag[]): Promise<Map<string, string>> {
    const ids = [...new Set(flags.flatMap((f) => (f.relatedId ? [f.relatedId] : [])))];
    if (!ids.length) return new Map();
    const rows = await db.selectFrom('applications').select(['id', 'name']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** Previous and next in the list the page was opened from: one bounded step each way in the same order. */
  async function neighbours(a: Application, listQ: string, blind: boolean): Promise<DetailNav> {
    const f = listFilter(a.eventId, Object.fromEntries(new URLSearchParams(listQ)) as ListQuery, blind);
    const step = async (reverse: boolean) => (await listApplicationPage(db, { ...f, after: a.id, reverse, limit: 1, scanLimit: SCAN_LIMIT })).rows[0];
    const [prev, next] = await Promise.all([step(true), step(false)]);
    const url = (x: Application | undefined) => (x ? `/admin/applications/${x.id}${listQ ? `?list=${encodeURIComponent(listQ)}` : ''}` : null);
    return { list: listQ, prev: url(prev), next: url(next) };
  }

  /**
   * Bulk review from the list's checkboxes. Without confirm=yes it changes nothing and shows what would happen —
   * counts, who, and every mail in each language — with a form that posts the same fields and confirm=yes.
   */
  app.post<{ Params: { id: string } }>(
    '/admin/events/:id/applications/bulk',
    { preHandler: [requireEventPermission('reviewApplications'), app.csrfProtection] },
    async (req, reply) => {
      const event = await findEventById(db, req.params.id);
      if (!event) throw new AppError('event.not_found');
      const v = formValues(req.body);
      const ids = [...new Set(formList(req.body, 'ids'))];
      const decision = v.decision as ReviewDecision;
      if (!REVIEW_DECISIONS.includes(decision)) throw new AppError('validation.failed', { fields: [{ field: 'decision', code: 'invalid_choice' }] });
      if (ids.length > MAX_BULK) throw new AppError('validation.failed', { fields: [{ field: 'ids', code: 'too_many', params: { max: MAX_BULK } }] });
      const back = listQueryString(Object.fromEntries(new URLSearchParams(v.back ?? '')));
      const sendMail = decision === 'reject' && v.send_mail === 'yes';
      const note = (v.note ?? '').trim();
      if (v.confirm === 'yes' && ids.length) {
        const done = await reviewApplications(deps, req.user!.id, event.id, ids, decision, { note, sendMail });
        const q = new URLSearchParams([...new URLSearchParams(back), ['done', 'bulk'], ['n', String(done.done.length)], ['skipped', String(done.skipped.length)]]);
        return reply.redirect(`/admin/events/${event.id}/applications?${q}`, 303);
      }
      const rows = ids.length
        ? (await db.selectFrom('applications').selectAll().where('event_id', '=', event.id).where('id', 'in', ids).orderBy('id', 'desc').execute()).map(applicationFromRow)
        : [];
      const applicable = rows.filter((a) => reviewChoices(a).includes(decision));
      const skipped = rows.filter((a) => !applicable.includes(a));
      const groups = byLocale(applicable);
      const rendered: RenderedPreview[] = await withEventMailTexts(
        db,
        event.id,
        decision === 'reject' && sendMail
          ? rejectionPreviews(event, groups)
          : decision === 'approve'
            ? offerPreviews(event, groups, 'review', deps.clock.now(), deps.config.publicUrl)
            : [],
      );
      const ctx = pageContext(req, reply);
      const body = bulkConfirmPage(ctx, {
        event,
        decision,
        note,
        sendMail,
        back,
        applicable,
        skipped,
        previews: rendered.map((p): MailPreview => ({ ...p, label: req.t(`review.mail_${p.kind.replace('.', '_')}`) })),
        blind: await blindFor(req, event.id),
      });
      return sendPage(reply, ctx, req.t(`review.confirm_${decision}`, { n: applicable.length }), body, { status: applicable.length ? 200 : 422 });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/admin/events/:id/review-settings',
    { preHandler: [requireEventPermission('manageEvents'), app.csrfProtection] },
    async (req, reply) => {
      await setBlindReview(deps, req.user!.id, req.params.id, formValues(req.body).blind === 'yes');
      return reply.redirect(`/admin/events/${req.params.id}/applications`, 303);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/admin/applications/:id/score',
    { preHandler: [requireEventPermission('reviewApplications', applicationEvent), app.csrfProtection] },
    async (req, reply) => {
      const v = formValues(req.body);
      await scoreApplication(deps, req.user!.id, req.params.id, Number(v.score), v.score_note ?? '');
      const list = listQueryString(Object.fromEntries(new URLSearchParams(v.list ?? '')));
      return reply.redirect(`/admin/applications/${req.params.id}${list ? `?list=${encodeURIComponent(list)}` : ''}`, 303);
    },
  );
}

/** Applicants per language (each mail goes out in the applicant's), with a party size to show in a sample offer. */
function byLocale(apps: readonly Application[]): PreviewGroup[] {
  const m = new Map<Locale, PreviewGroup>();
  for (const a of apps) {
    const locale: Locale = isLocale(a.locale) ? a.locale : 'en';
    const g = m.get(locale);
    if (g) g.count++;
    else m.set(locale, { locale, count: 1, seats: a.partySize });
  }
  return [...m.values()];
}
