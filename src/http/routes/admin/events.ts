import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type FieldError } from '../../../errors.ts';
import { contentFor, type Event, intakeState, validateEvent } from '../../../domain/event.ts';
import { countApplicationsByStatus } from '../../../db/repositories/applications.ts';
import { findEventById, findEventBySlug } from '../../../db/repositories/events.ts';
import { listEventsFor } from '../../../services/teams.ts';
import type { Deps } from '../../../services/deps.ts';
import { changeEventStatus, createEvent, TRANSITIONS, updateEvent } from '../../../services/events.ts';
import { can } from '../../../services/users.ts';
import {
  applyEditorAction,
  editorAction,
  eventFormValues,
  eventToFormValues,
  type EventFormValues,
  formFieldFor,
  newEventFormValues,
  numberedSlug,
  parseEventForm,
} from '../../event-form-input.ts';
import { formValues } from '../../form-input.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requireEventPermission, requirePermission } from '../../plugins/auth.ts';
import { html } from '../../views/html.ts';
import { formatNumber } from '../../../i18n/index.ts';
import { csrfField, errorMessage, type FormErrors } from '../../views/form.ts';
import { eventFormBody } from '../../views/admin/event-form.ts';
import { eventHomeBody } from '../../views/admin/event-home.ts';
import { eventTabs } from '../../views/admin/event-tabs.ts';
import { loadEventOverview } from '../../../services/event-overview.ts';
import { confirmActionPage } from '../../views/admin/confirm.ts';

export default async function eventAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;

  app.get('/admin', { preHandler: requirePermission('reviewApplications') }, async (req, reply) => {
    const events = await listEventsFor(deps, req.user!);
    const now = deps.clock.now();
    const rows = await Promise.all(
      events.map(async (e) => {
        const counts = await countApplicationsByStatus(deps.database.db, e.id);
        const verified = counts.filter((c) => c.verified === 1).reduce((s, c) => s + Number(c.n), 0);
        const all = counts.reduce((s, c) => s + Number(c.n), 0);
        return { e, verified, all };
      }),
    );
    const ctx = pageContext(req, reply);
    const t = req.t;
    const manage = can(req.user!.role, 'manageEvents');
    const body = html`<h1>${t('admin.events.title')}</h1>
${manage || can(req.user!.role, 'manageUsers')
  ? html`<div class="actions">${manage ? html`<a class="button primary" href="/admin/events/new">${t('admin.events.new')}</a>` : ''}
${can(req.user!.role, 'manageUsers') ? html`<a class="button" href="/admin/users">${t('admin.users.title')}</a>` : ''}</div>`
  : ''}
<table class="data"><caption class="visually-hidden">${t('admin.events.title')}</caption>
<thead><tr><th scope="col">${t('admin.events.event')}</th><th scope="col">${t('admin.events.status')}</th><th scope="col">${t('admin.events.applications')}</th><th scope="col">${t('admin.events.verified')}</th><th scope="col">${t('admin.events.actions')}</th></tr></thead>
<tbody>${rows.map(({ e, verified, all }) => html`<tr>
<th scope="row"><a href="/admin/events/${e.id}">${contentFor(e, req.locale).title}</a><br><span class="muted">/e/${e.slug}</span></th>
<td>${t(`admin.events.status_${e.status}`)} · ${t(`home.intake_${intakeState(e, now)}`)}</td>
<td>${formatNumber(all, req.locale)}</td><td>${formatNumber(verified, req.locale)}</td>
<td><a href="/e/${e.slug}">${t('admin.events.public_page')}</a>
 · <a href="/admin/events/${e.id}/applications">${t('admin.events.applications')}</a>
${manage ? html` · <a href="/admin/events/${e.id}/selection">${t('selection.link')}</a>` : ''}
${manage ? html` · <a href="/admin/events/${e.id}/reveal">${t('admin.nav.reveal')}</a>` : ''}
${manage ? html` · <a href="/admin/events/${e.id}/edit">${t('admin.events.edit')}</a>` : ''}
${manage && e.status !== 'closed' ? html`<form method="post" action="/admin/events/${e.id}/status" class="inline">${csrfField(ctx.csrfToken ?? '')}
<input type="hidden" name="status" value="${e.status === 'draft' ? 'open' : 'closed'}"><button type="submit">${t(e.status === 'draft' ? 'admin.events.open' : 'admin.events.close')}</button></form>` : ''}
</td></tr>`)}</tbody></table>`;
    return sendPage(reply, ctx, t('admin.events.title'), body, { wide: true });
  });

  function editorPage(
    req: FastifyRequest,
    reply: FastifyReply,
    o: { event: Event | null; values: EventFormValues; errors?: FormErrors; status?: number; saved?: boolean; focus?: string | null },
  ) {
    const ctx = pageContext(req, reply);
    const t = req.t;
    const form = eventFormBody({
      t,
      locale: req.locale,
      csrfToken: ctx.csrfToken ?? '',
      values: o.values,
      errors: o.errors ?? new Map(),
      event: o.event,
      transitions: o.event ? TRANSITIONS[o.event.status] : [],
      saved: !!o.saved,
      focus: o.focus ?? null,
    });
    const body = o.event ? html`${eventTabs(t, o.event, 'settings', req.user!.role)}${form}` : form;
    const title = o.event ? `${t('admin.editor.title_edit')}: ${contentFor(o.event, req.locale).title}` : t('admin.editor.title_new');
    return sendPage(reply, ctx, title, body, { status: o.status, wide: true, scripts: ['/assets/event-editor.js'] });
  }

  /** Field errors → messages on the form's own field names; the first problem per field wins. */
  function toFormErrors(req: FastifyRequest, fields: FieldError[], slots: number[], defaultLocale: string): FormErrors {
    const m: FormErrors = new Map();
    for (const f of fields) {
      const name = formFieldFor(f.field, slots, defaultLocale);
      if (!m.has(name)) m.set(name, errorMessage(req.t, f));
    }
    return m;
  }

  async function save(req: FastifyRequest, reply: FastifyReply, event: Event | null) {
    const posted = eventFormValues(req.body);
    const action = editorAction(posted);
    // Add, move or remove a question, or filter the countries: re-render with everything kept, save nothing.
    if (action.kind !== 'save') {
      const { values, focus } = applyEditorAction(posted, action);
      delete values.editor_action;
      return editorPage(req, reply, { event, values, focus });
    }
    const values = posted;
    const { input, errors, slots, slugFromTitle } = parseEventForm(values, { status: event?.status ?? 'draft' });
    // A slug made from the title takes the first free "-2", "-3", … (a typed slug that is taken is an error instead).
    if (slugFromTitle) input.slug = await freeSlug(input.slug, event?.id ?? null);
    const invalid = (fields: FieldError[]) =>
      editorPage(req, reply, { event, values, errors: toFormErrors(req, fields, slots, input.defaultLocale), status: 422 });
    // Show every problem at once: what only the form sees, then the domain's rules.
    if (errors.length) return invalid([...errors, ...validateEvent(input)]);
    try {
      const saved = event ? await updateEvent(deps, req.user!.id, event.id, input) : await createEvent(deps, req.user!.id, input);
      return reply.redirect(`/admin/events/${saved.id}/edit?saved=1`, 303);
    } catch (err) {
      if (err instanceof AppError && err.code === 'validation.failed') return invalid(err.fields);
      throw err;
    }
  }

  async function freeSlug(base: string, own: string | null): Promise<string> {
    for (let n = 1; n < 100; n++) {
      const slug = n === 1 ? base : numberedSlug(base, n);
      const other = await findEventBySlug(deps.database.db, slug);
      if (!other || other.id === own) return slug;
    }
    return base;
  }

  async function loadEvent(id: string): Promise<Event> {
    const event = await findEventById(deps.database.db, id);
    if (!event) throw new AppError('event.not_found');
    return event;
  }

  app.get<{ Params: { id: string } }>('/admin/events/:id', { preHandler: requireEventPermission('reviewApplications') }, async (req, reply) => {
    const event = await loadEvent(req.params.id);
    const overview = await loadEventOverview(deps, event);
    const ctx = pageContext(req, reply);
    const body = eventHomeBody({ t: req.t, locale: req.locale, role: req.user!.role, event, overview });
    return sendPage(reply, ctx, `${contentFor(event, req.locale).title} · ${req.t('event_home.tab_overview')}`, body, { wide: true });
  });

  app.get('/admin/events/new', { preHandler: requirePermission('manageEvents') }, async (req, reply) =>
    editorPage(req, reply, { event: null, values: newEventFormValues(req.locale) }),
  );

  app.post('/admin/events/new', { preHandler: [requirePermission('manageEvents'), app.csrfProtection] }, async (req, reply) => save(req, reply, null));

  app.get<{ Params: { id: string }; Querystring: { saved?: string } }>(
    '/admin/events/:id/edit',
    { preHandler: requireEventPermission('manageEvents') },
    async (req, reply) => {
      const event = await loadEvent(req.params.id);
      return editorPage(req, reply, { event, values: eventToFormValues(event), saved: req.query.saved === '1' });
    },
  );

  app.post<{ Params: { id: string } }>('/admin/events/:id/edit', { preHandler: [requireEventPermission('manageEvents'), app.csrfProtection] }, async (req, reply) =>
    save(req, reply, await loadEvent(req.params.id)),
  );

  app.post<{ Params: { id: string } }>('/admin/events/:id/status', { preHandler: [requireEventPermission('manageEvents'), app.csrfProtection] }, async (req, reply) => {
    const v = formValues(req.body);
    // Closing ends intake for everyone at once: a confirmation page with the counts first (it sends no mail).
    if (v.status === 'closed' && v.confirm !== 'yes') {
      const event = await loadEvent(req.params.id);
      const counts = await countApplicationsByStatus(deps.database.db, event.id);
      const n = (f: (c: (typeof counts)[number]) => boolean) => counts.filter(f).reduce((s, c) => s + Number(c.n), 0);
      const ctx = pageContext(req, reply);
      const back = v.back === 'edit' ? `/admin/events/${encodeURIComponent(event.id)}/edit` : '/admin';
      const title = req.t('review.close_confirm_title');
      return sendPage(
        reply,
        ctx,
        title,
        confirmActionPage(ctx, {
          back: { href: back, label: contentFor(event, req.locale).title },
          title,
          intro: req.t('review.close_confirm_intro', {
            n: n((c) => c.status !== 'withdrawn'),
            unverified: n((c) => c.status === 'submitted' && c.verified === 0),
          }),
          action: `/admin/events/${event.id}/status`,
          fields: { status: 'closed', ...(v.back ? { back: v.back } : {}) },
          previews: [],
          submit: req.t('review.close_confirm_submit'),
        }),
      );
    }
    if (v.status === 'open' || v.status === 'closed') await changeEventStatus(deps, req.user!.id, req.params.id, v.status);
    return reply.redirect(v.back === 'edit' ? `/admin/events/${encodeURIComponent(req.params.id)}/edit` : '/admin', 303);
  });
}
