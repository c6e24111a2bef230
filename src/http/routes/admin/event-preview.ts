import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.ts';
import { validateApplication } from '../../../domain/application.ts';
import { contentFor, type Event } from '../../../domain/event.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import type { Deps } from '../../../services/deps.ts';
import { applicationInputFromForm, formValues, type FormValues } from '../../form-input.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requireEventPermission } from '../../plugins/auth.ts';
import { html } from '../../views/html.ts';
import { formErrors, type FormErrors } from '../../views/form.ts';
import { applicationForm } from '../../views/public/application-form.ts';
import { eventHeader } from '../../views/admin/event-tabs.ts';
import { eventPage } from '../../views/public/event-page.ts';

/**
 * The public page of an event as applicants will see it — also while it is a draft — for staff only. The
 * application form is live but posts here: it checks the answers like the real one (new question types
 * included) and stores nothing.
 */
export default async function eventPreviewRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const guard = requireEventPermission('reviewApplications');

  async function loadEvent(id: string): Promise<Event> {
    const event = await findEventById(deps.database.db, id);
    if (!event) throw new AppError('event.not_found');
    return event;
  }

  function render(req: FastifyRequest, reply: FastifyReply, event: Event, values: FormValues, errors: FormErrors, checked: boolean) {
    const ctx = pageContext(req, reply);
    const c = contentFor(event, req.locale);
    const form = applicationForm(ctx, { event, values, errors, action: `/admin/events/${event.id}/preview`, submitLabel: req.t('editor.preview_check'), consentText: c.consent });
    const banner = html`<div class="notice preview-banner" role="note"><strong>${req.t('editor.preview_banner')}</strong> ${req.t('editor.preview_banner_hint')}
<a href="/admin/events/${event.id}/edit">${req.t('editor.preview_back')}</a></div>
${checked && !errors.size ? html`<p class="notice success" role="status">${req.t('editor.preview_valid')}</p>` : ''}`;
    reply.header('X-Robots-Tag', 'noindex').header('Cache-Control', 'no-store');
    return sendPage(reply, ctx, `${req.t('editor.preview_title')}: ${c.title}`, html`${eventHeader(req.t, req.locale, event, 'settings', req.user!.role)}${banner}${eventPage(ctx, event, 'open', form)}`, { status: errors.size ? 422 : 200 });
  }

  app.get<{ Params: { id: string } }>('/admin/events/:id/preview', { preHandler: guard }, async (req, reply) =>
    render(req, reply, await loadEvent(req.params.id), { locale: req.locale }, new Map(), false),
  );

  app.post<{ Params: { id: string } }>('/admin/events/:id/preview', { preHandler: [guard, app.csrfProtection] }, async (req, reply) => {
    const event = await loadEvent(req.params.id);
    const values = formValues(req.body);
    const { errors } = validateApplication(event, applicationInputFromForm(values));
    return render(req, reply, event, values, formErrors(req.t, errors), true);
  });
}
