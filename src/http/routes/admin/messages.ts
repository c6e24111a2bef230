import { requireEventById } from '../../../services/events.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldError } from '../../../errors.ts';
import { contentFor, type Event } from '../../../domain/event.ts';
import { isCountryCode } from '../../../domain/countries.ts';
import type { Locale } from '../../../domain/locales.ts';
import { utcToWallTime, wallTimeToUtc } from '../../../domain/wall-time.ts';
import type { Deps } from '../../../services/deps.ts';
import {
  AUDIENCES,
  cancelMessage,
  countSegment,
  createMessage,
  eventLocales,
  MAX_BODY,
  MAX_SUBJECT,
  messageLog,
  previewMessage,
  sendTestMessage,
  unreachableParties,
  validateMessage,
  WEIGHT_GROUPS,
  type Audience,
  type MessageInput,
} from '../../../services/messages.ts';
import { PLACEHOLDERS } from '../../../mail/messages.ts';
import { confirmActionPage } from '../../views/admin/confirm.ts';
import { messageLogView } from '../../views/admin/messages.ts';
import { formValues, type FormValues } from '../../form-input.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requireEventPermission } from '../../plugins/auth.ts';
import { csrfField, errorSummary, formErrors, selectField, textArea, textField, type FormErrors } from '../../views/form.ts';
import { html } from '../../views/html.ts';
import { eventTabs } from '../../views/admin/event-tabs.ts';
import { countryPicker } from '../../views/country-picker.ts';
import { segmentSummary } from '../../views/admin/messages.ts';

const FORM_FIELDS = (locales: readonly Locale[]) => ['audience', 'countries', 'group', 'categories', 'send_at', ...locales.flatMap((l) => [`subject_${l}`, `body_${l}`])];

const list = (raw: string | undefined, upper: boolean) =>
  [...new Set((raw ?? '').split(/[\s,;]+/).map((x) => (upper ? x.trim().toUpperCase() : x.trim().toLowerCase())).filter(Boolean))];

/** Form values → the service input, or field errors of the form itself (the service checks the rest). */
function inputFromValues(event: Event, v: FormValues): { input: MessageInput; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const audience = (AUDIENCES as readonly string[]).includes(v.audience ?? '') ? (v.audience as Audience) : 'confirmed';
  if (v.audience && audience !== v.audience) errors.push({ field: 'audience', code: 'invalid_choice' });
  const countries = list(v.countries, true);
  if (countries.some((c) => !isCountryCode(c))) errors.push({ field: 'countries', code: 'invalid_country' });
  const group = (WEIGHT_GROUPS as readonly string[]).includes(v.group ?? '') ? (v.group as (typeof WEIGHT_GROUPS)[number]) : null;
  const raw = (v.send_at ?? '').trim();
  const sendAt = raw ? wallTimeToUtc(raw, event.timezone) : null;
  if (raw && !sendAt) errors.push({ field: 'send_at', code: 'invalid_datetime' });
  const content: MessageInput['content'] = {};
  for (const l of eventLocales(event)) content[l] = { subject: (v[`subject_${l}`] ?? '').trim(), body: (v[`body_${l}`] ?? '').replace(/\r\n/g, '\n').trim() };
  return { input: { segment: { audience, countries, group, categories: audience === 'invited' ? list(v.categories, false) : [] }, content, sendAt }, errors };
}

/** The form's values; the ticked countries (one field each) as one list, like the confirmation's hidden field. */
function messageFormValues(body: unknown): FormValues {
  const v = formValues(body);
  const raw = (body as Record<string, unknown> | null)?.countries;
  if (Array.isArray(raw)) v.countries = raw.filter((x): x is string => typeof x === 'string').join(' ');
  return v;
}

/** Organizer messages to a segment of an event (issue 13): compose, count, preview, test, confirm, log. */
export default async function messageAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const guard = requireEventPermission('manageEvents');

  const load = (id: string): Promise<Event> => requireEventById(deps.database.db, id);

  async function compose(req: FastifyRequest, reply: FastifyReply, event: Event, values: FormValues, errors: FormErrors, notice: string | null, status = 200) {
    const t = req.t;
    const ctx = pageContext(req, reply);
    const locales = eventLocales(event);
    const { input } = inputFromValues(event, values);
    const counts = await countSegment(deps.database.db, event, input.segment);
    const body = html`${eventTabs(t, event, 'messages', req.user!.role)}<article class="messages">
<p class="eyebrow"><a href="/admin/events/${event.id}/messages">${t('messages.title')}</a></p>
<h1>${t('messages.new_title')}</h1>
${notice ? html`<p class="notice success" role="status">${notice}</p>` : ''}
${errorSummary(t, errors)}
<form method="post" action="/admin/events/${event.id}/messages" novalidate>
${csrfField(ctx.csrfToken ?? '')}
<fieldset><legend>${t('messages.to_legend')}</legend>
${selectField(t, { name: 'audience', label: t('messages.audience'), value: values.audience ?? 'confirmed', errors, options: AUDIENCES.map((a) => ({ value: a, label: t(`messages.audience_${a}`) })) })}
${countryPicker(t, req.locale, {
  name: 'countries',
  legend: t('messages.countries'),
  hint: t('messages.countries_hint'),
  chosen: new Set(list(values.countries, true)),
  filter: values.country_filter ?? '',
  filterButton: { name: 'action', value: 'count' },
  errors,
  focus: values.action === 'count' && !!values.country_filter,
})}
${selectField(t, { name: 'group', label: t('messages.group'), value: values.group ?? '', errors, placeholder: t('messages.group_any'), options: WEIGHT_GROUPS.map((g) => ({ value: g, label: t(`messages.group_${g}`) })) })}
${textField(t, { name: 'categories', label: t('messages.categories'), value: values.categories ?? '', errors, hint: t('messages.categories_hint'), maxlength: 1000 })}
<p class="badge" role="status">${t('messages.count_now', { n: counts.total })}</p>
<button type="submit" name="action" value="count">${t('messages.recount')}</button>
</fieldset>
<p class="hint">${t('messages.placeholders_hint', { list: PLACEHOLDERS.map((p) => `{${p}}`).join(' ') })}</p>
${locales.map(
  (l, i) => html`<fieldset lang="${l}"><legend>${t(`language.${l}`)}${i === 0 ? html` · ${t('messages.fallback_label')}` : ''}</legend>
${i > 0 ? html`<p class="hint">${t('messages.fallback_hint', { language: t(`language.${locales[0]}`) })}</p>` : ''}
${textField(t, { name: `subject_${l}`, label: t('messages.subject'), value: values[`subject_${l}`] ?? '', errors, maxlength: MAX_SUBJECT })}
${textArea(t, { name: `body_${l}`, label: t('messages.body'), value: values[`body_${l}`] ?? '', errors, maxlength: MAX_BODY })}
</fieldset>`,
)}
<fieldset><legend>${t('messages.when_legend')}</legend>
${textField(t, { name: 'send_at', label: t('messages.send_at'), type: 'datetime-local', value: values.send_at ?? '', errors, hint: t('messages.send_at_hint', { tz: event.timezone }) })}
</fieldset>
<div class="actions">
<button type="submit" name="action" value="preview" class="primary">${t('messages.preview_submit')}</button>
<button type="submit" name="action" value="test">${t('messages.test_submit', { email: req.user!.email })}</button>
</div>
</form>
</article>`;
    return sendPage(reply, ctx, t('messages.new_title'), body, { status, scripts: ['/assets/event-editor.js'] });
  }

  app.get<{ Params: { id: string }; Querystring: { done?: string; n?: string } }>('/admin/events/:id/messages', { preHandler: guard }, async (req, reply) => {
    const event = await load(req.params.id);
    const ctx = pageContext(req, reply);
    const n = Number(req.query.n ?? 0) || 0;
    const notice =
      req.query.done === 'queued' ? req.t('messages.queued_notice', { n }) : req.query.done === 'scheduled' ? req.t('messages.scheduled_notice') : req.query.done === 'cancelled' ? req.t('messages.cancelled_notice') : null;
    const [log, unreachable] = await Promise.all([messageLog(deps.database.db, event.id), unreachableParties(deps.database.db, event.id)]);
    const body = html`${eventTabs(req.t, event, 'messages', req.user!.role)}${messageLogView(ctx, event, log, unreachable, notice)}`;
    return sendPage(reply, ctx, req.t('messages.title'), body);
  });

  app.get<{ Params: { id: string } }>('/admin/events/:id/messages/new', { preHandler: guard }, async (req, reply) => {
    const event = await load(req.params.id);
    return compose(req, reply, event, { audience: 'confirmed' }, new Map(), null);
  });

  app.post<{ Params: { id: string } }>('/admin/events/:id/messages', { preHandler: [guard, app.csrfProtection] }, async (req, reply) => {
    const event = await load(req.params.id);
    const values = messageFormValues(req.body);
    const { input, errors } = inputFromValues(event, values);
    const fieldErrors = (list: FieldError[]) => formErrors(req.t, list);
    if (values.action === 'count') return compose(req, reply, event, values, fieldErrors(errors), null);
    const problems = [...errors, ...validateMessage(event, input, deps.clock.now())];
    if (problems.length) return compose(req, reply, event, values, fieldErrors(problems), null, 422);

    if (values.action === 'test') {
      const locale = eventLocales(event).includes(req.locale) ? req.locale : event.defaultLocale;
      await sendTestMessage(deps, req.user!, event.id, input, locale);
      return compose(req, reply, event, values, new Map(), req.t('messages.test_notice', { email: req.user!.email }));
    }

    if (values.confirm !== 'yes') {
      // The confirmation: how many get it, in which language (and who gets the fallback text), each previewed.
      const counts = await countSegment(deps.database.db, event, input.segment);
      const locales = eventLocales(event);
      const groups = new Map<Locale, number>();
      for (const [l, n] of counts.byLocale) {
        const key = (locales as readonly string[]).includes(l) ? (l as Locale) : event.defaultLocale;
        groups.set(key, (groups.get(key) ?? 0) + n);
      }
      for (const l of locales) if (!groups.has(l)) groups.set(l, 0);
      const previews = [...groups].map(([locale, count]) => {
        const p = previewMessage(deps, event, input, locale);
        return { label: p.fallback ? req.t('messages.preview_fallback', { language: req.t(`language.${event.defaultLocale}`) }) : req.t('messages.preview_label'), locale, count, mail: p.mail };
      });
      const ctx = pageContext(req, reply);
      const when = input.sendAt ? utcToWallTime(input.sendAt, event.timezone).replace('T', ' ') : null;
      const title = req.t('messages.confirm_title');
      const body = confirmActionPage(ctx, {
        back: { href: `/admin/events/${event.id}/messages`, label: contentFor(event, req.locale).title },
        title,
        intro: when ? req.t('messages.confirm_intro_later', { n: counts.total, when, tz: event.timezone }) : req.t('messages.confirm_intro_now', { n: counts.total }),
        details: html`<p class="segment"><strong>${req.t('messages.to_legend')}:</strong> ${segmentSummary(req.t, req.locale, input.segment)}</p>`,
        action: `/admin/events/${event.id}/messages`,
        fields: Object.fromEntries([...FORM_FIELDS(locales), 'action'].map((k) => [k, values[k] ?? ''])),
        previews,
        submit: req.t(when ? 'messages.confirm_submit_later' : 'messages.confirm_submit_now', { n: counts.total }),
      });
      return sendPage(reply, ctx, title, body);
    }

    const r = await createMessage(deps, req.user!.id, event.id, input);
    return reply.redirect(`/admin/events/${event.id}/messages?done=${r.queued === null ? 'scheduled' : 'queued'}&n=${r.queued ?? 0}`, 303);
  });

  app.post<{ Params: { id: string; messageId: string } }>('/admin/events/:id/messages/:messageId/cancel', { preHandler: [guard, app.csrfProtection] }, async (req, reply) => {
    const event = await load(req.params.id);
    await cancelMessage(deps, req.user!.id, event.id, req.params.messageId);
    return reply.redirect(`/admin/events/${event.id}/messages?done=cancelled`, 303);
  });
}
