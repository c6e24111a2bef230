import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type FieldError } from '../../../errors.ts';
import { contentFor, type Event, intakeState, validateEvent } from '../../../domain/event.ts';
import { countApplicationsByStatus } from '../../../db/repositories/applications.ts';
import { findEventById, listEvents } from '../../../db/repositories/events.ts';
import type { Deps } from '../../../services/deps.ts';
import { changeEventStatus, createEvent, TRANSITIONS, updateEvent } from '../../../services/events.ts';
import { can } from '../../../services/users.ts';
import { eventFormValues, eventToFormValues, type EventFormValues, formFieldFor, newEventFormValues, parseEventForm } from '../../event-form-input.ts';
import { formValues } from '../../form-input.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requirePermission } from '../../plugins/auth.ts';
import { html } from '../../views/html.ts';
import { csrfField, errorMessage, type FormErrors } from '../../views/form.ts';
import { eventFormBody } from '../../views/admin/event-form.ts';
import { confirmActionPage } from '../../views/admin/confirm.ts';

export default async function eventAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;

  app.get('/admin', { preHandler: requirePermission('reviewApplications') }, async (req, reply) => {
    const events = await listEvents(deps.database.db);
    const now = deps.clock.now();
    const rows = await Promise.all(
      events.map(async (e) => {
        const counts = await countApplicationsByStatus(deps.database.db, e.id);
        const verified = counts.filter((c) => c.verified === 1 && c.status !== 'withdrawn').reduce((s, c) => s + Number(c.n), 0);
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
<th scope="row"><a href="/admin/events/${e.id}/applications">${contentFor(e, req.locale).title}</a><br><span class="muted">/e/${e.slug}</span></th>
<td>${t(`admin.events.status_${e.status}`)} · ${t(`home.intake_${intakeState(e, now)}`)}</td>
<td>${all}</td><td>${verified}</td>
<td><a href="/e/${e.slug}">${t('admin.events.public_page')}</a>
${manage ? html` · <a href="/admin/events/${e.id}/selection">${t('selection.link')}</a>` : ''}
${manage ? html` · <a href="/admin/events/${e.id}/reveal">${t('admin.nav.reveal')}</a>` : ''}
${manage ? html` · <a href="/admin/events/${e.id}/edit">${t('admin.events.edit')}</a>` : ''}
${manage && e.status !== 'closed' ? html`<form method="post" action="/admin/events/${e.id}/status" class="inline">${csrfField(ctx.csrfToken ?? '')}
<input type="hidden" name="status" value="${e.status === 'draft' ? 'open' : 'closed'}"><button type="submit">${t(e.status === 'draft' ? 'admin.events.open' : 'admin.events.close')}</button></form>` : ''}
</td></tr>`)}</tbody></table>`;
    return sendPage(reply, ctx, t('admin.events.title'), body, { wide: true });
  });

  function editorPage(req: FastifyRequest, reply: FastifyReply, o: { event: Event | null; values: EventFormValues; errors?: FormErrors; status?: number; saved?: boolean }) {
    const ctx = pageContext(req, reply);
    const t = req.t;
    const body = eventFormBody({
      t,
      locale: req.locale,
      csrfToken: ctx.csrfToken ?? '',
      values: o.values,
      errors: o.errors ?? new Map(),
      event: o.event,
      transitions: o.event ? TRANSITIONS[o.event.status] : [],
      saved: !!o.saved,
    });
    const title = o.event ? `${t('admin.editor.title_edit')}: ${contentFor(o.event, req.locale).title}` : t('admin.editor.title_new');
    return sendPage(reply, ctx, title, body, { status: o.status, wide: true });
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
    const values = eventFormValues(req.body);
    const { input, errors, slots } = parseEventForm(values, { status: event?.status ?? 'draft' });
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

  async function loadEvent(id: string): Promise<Event> {
    const event = await findEventById(deps.database.db, id);
    if (!event) throw new AppError('event.not_found');
    return event;
  }

  app.get('/admin/events/new', { preHandler: requirePermission('manageEvents') }, async (req, reply) =>
    editorPage(req, reply, { event: null, values: newEventFormValues(req.locale) }),
  );

  app.post('/admin/events/new', { preHandler: [requirePermission('manageEvents'), app.csrfProtection] }, async (req, reply) => save(req, reply, null));

  app.get<{ Params: { id: string }; Querystring: { saved?: string } }>(
    '/admin/events/:id/edit',
    { preHandler: requirePermission('manageEvents') },
    async (req, reply) => {
      const event = await loadEvent(req.params.id);
      return editorPage(req, reply, { event, values: eventToFormValues(event), saved: req.query.saved === '1' });
    },
  );

  app.post<{ Params: { id: string } }>('/admin/events/:id/edit', { preHandler: [requirePermission('manageEvents'), app.csrfProtection] }, async (req, reply) =>
    save(req, reply, await loadEvent(req.params.id)),
  );

  app.post<{ Params: { id: string } }>('/admin/events/:id/status', { preHandler: [requirePermission('manageEvents'), app.csrfProtection] }, async (req, reply) => {
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
