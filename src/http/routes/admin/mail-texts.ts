import { requireEventById } from '../../../services/events.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.ts';
import { contentFor, type Event } from '../../../domain/event.ts';
import { isLocale, LOCALES, type Locale } from '../../../domain/locales.ts';
import type { Deps } from '../../../services/deps.ts';
import {
  checkMailText,
  customMailTexts,
  defaultMailText,
  EDITABLE_MAIL_NAMES,
  EDITABLE_MAILS,
  findMailText,
  isEditableMail,
  previewMail,
  resetMailText,
  saveMailText,
  type EditableMailName,
} from '../../../services/mail-texts.ts';
import { autoMailSettings, AUTO_MAIL_KINDS, saveAutoMailSettings, type AutoMailKind } from '../../../services/auto-mails.ts';
import { formValues } from '../../form-input.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requireEventPermission } from '../../plugins/auth.ts';
import { formErrors, type FormErrors } from '../../views/form.ts';
import { autoMailsSection } from '../../views/admin/auto-mails.ts';
import { mailTextEditor, mailTextPath, mailTextsPage } from '../../views/admin/mail-texts.ts';

type Params = { id: string; template: string; locale: string };

/** Organizer: the wording of every built-in mail per language, and the automatic reminder and thank-you (ADR 0014). */
export default async function mailTextAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const guard = requireEventPermission('manageEvents');

  const load = (id: string): Promise<Event> => requireEventById(deps.database.db, id);
  function target(p: Params): { name: EditableMailName; locale: Locale } {
    if (!isEditableMail(p.template) || !isLocale(p.locale)) throw new AppError('not_found');
    return { name: p.template, locale: p.locale };
  }

  async function renderList(req: FastifyRequest, reply: FastifyReply, event: Event, notice: string | null, autoErrors: FormErrors = new Map(), autoValues?: Record<string, string>, status = 200) {
    const ctx = pageContext(req, reply);
    const settings = await autoMailSettings(deps.database.db, event.id);
    const body = mailTextsPage(ctx, {
      event,
      role: req.user!.role,
      names: EDITABLE_MAIL_NAMES,
      locales: LOCALES,
      custom: await customMailTexts(deps.database.db, event.id),
      notice,
      autoMails: autoMailsSection(ctx, { event, settings, errors: autoErrors, values: autoValues }),
    });
    return sendPage(reply, ctx, req.t('mailtexts.title'), body, { status });
  }

  async function renderEditor(
    req: FastifyRequest<{ Params: Params }>,
    reply: FastifyReply,
    o: { event: Event; name: EditableMailName; locale: Locale; values: { subject: string; body: string }; errors: FormErrors; preview: boolean; notice: string | null },
    status = 200,
  ) {
    const ctx = pageContext(req, reply);
    const spec = EDITABLE_MAILS[o.name];
    const custom = !!(await findMailText(deps.database.db, o.event.id, o.name, o.locale));
    const body = mailTextEditor(ctx, {
      ...o,
      role: req.user!.role,
      placeholders: spec.placeholders,
      required: spec.required,
      custom,
      preview: o.preview ? previewMail(o.name, o.locale, o.values, { eventTitle: contentFor(o.event, o.locale).title, publicUrl: deps.config.publicUrl }) : null,
    });
    return sendPage(reply, ctx, req.t('mailtexts.title'), body, { status });
  }

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>('/admin/events/:id/mail-texts', { preHandler: guard }, async (req, reply) => {
    const event = await load(req.params.id);
    return renderList(req, reply, event, req.query.done === 'auto' ? req.t('mailtexts.auto_saved') : null);
  });

  app.post<{ Params: { id: string } }>('/admin/events/:id/mail-texts/automatic', { preHandler: [guard, app.csrfProtection] }, async (req, reply) => {
    const event = await load(req.params.id);
    const v = formValues(req.body);
    const input = Object.fromEntries(
      AUTO_MAIL_KINDS.map((k) => [k, { enabled: v[`${k}_enabled`] === 'yes', offsetHours: (v[`${k}_hours`] ?? '').trim() }]),
    ) as Record<AutoMailKind, { enabled: boolean; offsetHours: string }>;
    try {
      await saveAutoMailSettings(deps, req.user!.id, event.id, input);
    } catch (err) {
      if (err instanceof AppError && err.code === 'validation.failed') return renderList(req, reply, event, null, formErrors(req.t, err.fields), v, 422);
      throw err;
    }
    return reply.redirect(`/admin/events/${event.id}/mail-texts?done=auto`, 303);
  });

  app.get<{ Params: Params; Querystring: { done?: string } }>('/admin/events/:id/mail-texts/:template/:locale', { preHandler: guard }, async (req, reply) => {
    const event = await load(req.params.id);
    const { name, locale } = target(req.params);
    const custom = await findMailText(deps.database.db, event.id, name, locale);
    const notice = req.query.done === 'saved' ? req.t('mailtexts.saved') : req.query.done === 'reset' ? req.t('mailtexts.reset_done') : null;
    // The event's own text, shown and previewed as it goes out; otherwise the built-in text to start from.
    return renderEditor(req, reply, { event, name, locale, values: custom ?? defaultMailText(name, locale), errors: new Map(), preview: !!custom, notice });
  });

  app.post<{ Params: Params }>('/admin/events/:id/mail-texts/:template/:locale', { preHandler: [guard, app.csrfProtection] }, async (req, reply) => {
    const event = await load(req.params.id);
    const { name, locale } = target(req.params);
    const v = formValues(req.body);
    const values = { subject: v.subject ?? '', body: v.body ?? '' };
    // Refused or previewed: the page comes back with exactly what was typed.
    const problems = checkMailText(name, values);
    if (problems.length) return renderEditor(req, reply, { event, name, locale, values, errors: formErrors(req.t, problems), preview: false, notice: null }, 422);
    if (v.action !== 'save') return renderEditor(req, reply, { event, name, locale, values, errors: new Map(), preview: true, notice: null });
    await saveMailText(deps, req.user!.id, event.id, name, locale, values);
    return reply.redirect(`${mailTextPath(event.id, name, locale)}?done=saved`, 303);
  });

  app.post<{ Params: Params }>('/admin/events/:id/mail-texts/:template/:locale/reset', { preHandler: [guard, app.csrfProtection] }, async (req, reply) => {
    const event = await load(req.params.id);
    const { name, locale } = target(req.params);
    await resetMailText(deps, req.user!.id, event.id, name, locale);
    return reply.redirect(`${mailTextPath(event.id, name, locale)}?done=reset`, 303);
  });
}
