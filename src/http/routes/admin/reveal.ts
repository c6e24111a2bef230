import { requireEventById } from '../../../services/events.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type FieldError } from '../../../errors.ts';
import { contentFor, type Event } from '../../../domain/event.ts';
import { isLocale, type Locale } from '../../../domain/locales.ts';
import { utcToWallTime, wallTimeToUtc } from '../../../domain/wall-time.ts';
import { formatDateTime } from '../../../i18n/index.ts';
import type { Deps } from '../../../services/deps.ts';
import { missingForReveal, revealEvent, saveRevealDetails, validateRevealDetails, type RevealDetailsInput } from '../../../services/reveal.ts';
import { revealPreviews } from '../../../mail/previews.ts';
import { confirmActionPage } from '../../views/admin/confirm.ts';
import { formValues, type FormValues } from '../../form-input.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requireEventPermission } from '../../plugins/auth.ts';
import { csrfField, errorSummary, formErrors, textArea, textField, type FormErrors } from '../../views/form.ts';
import { html } from '../../views/html.ts';
import { eventTabs } from '../../views/admin/event-tabs.ts';
import { withEventMailTexts } from '../../../services/mail-texts.ts';

const FIELD = { startsAt: 'starts_at', endsAt: 'ends_at', venueName: 'venue_name', venueAddress: 'venue_address', venueMapUrl: 'venue_map_url', revealAt: 'reveal_at' } as const;

function valuesFromEvent(e: Event): FormValues {
  const local = (iso: string | null) => (iso ? utcToWallTime(iso, e.timezone) : '');
  return {
    starts_at: local(e.startsAt),
    ends_at: local(e.endsAt),
    venue_name: e.venueName ?? '',
    venue_address: e.venueAddress ?? '',
    venue_map_url: e.venueMapUrl ?? '',
    reveal_at: local(e.revealAt),
  };
}

/** Form values (wall time in the event's zone) → the service input, or field errors. */
function inputFromValues(v: FormValues, tz: string): { input: RevealDetailsInput; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const instant = (name: keyof typeof FIELD) => {
    const raw = (v[FIELD[name]] ?? '').trim();
    if (!raw) return null;
    const iso = wallTimeToUtc(raw, tz);
    if (!iso) errors.push({ field: name, code: 'invalid_datetime' });
    return iso;
  };
  const text = (name: keyof typeof FIELD) => (v[FIELD[name]] ?? '').trim() || null;
  const input = {
    startsAt: instant('startsAt'),
    endsAt: instant('endsAt'),
    venueName: text('venueName'),
    venueAddress: text('venueAddress'),
    venueMapUrl: text('venueMapUrl'),
    revealAt: instant('revealAt'),
  };
  return { input, errors };
}

const detailsChanged = (a: Event, b: Event) =>
  a.startsAt !== b.startsAt || a.endsAt !== b.endsAt || a.venueName !== b.venueName || a.venueAddress !== b.venueAddress || a.venueMapUrl !== b.venueMapUrl;

const toFormErrors = (req: FastifyRequest, errors: FieldError[]): FormErrors =>
  formErrors(req.t, errors.map((e) => ({ ...e, field: FIELD[e.field as keyof typeof FIELD] ?? e.field })));

/** Organizer: time, venue and map link, revealed to confirmed guests now or at a set time. */
export default async function revealAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const guard = requireEventPermission('manageEvents');

  const load = (id: string): Promise<Event> => requireEventById(deps.database.db, id);

  async function render(req: FastifyRequest, reply: FastifyReply, event: Event, values: FormValues, errors: FormErrors, notice: string | null, status = 200) {
    const t = req.t;
    const ctx = pageContext(req, reply);
    const confirmed = await deps.database.db
      .selectFrom('applications')
      .select((eb) => [eb.fn.countAll<number>().as('parties'), eb.fn.sum<number | string | null>('seats').as('people')])
      .where('event_id', '=', event.id)
      .where('status', '=', 'confirmed')
      .executeTakeFirst();
    const state = event.revealedAt
      ? t('reveal.state_revealed', { time: formatDateTime(event.revealedAt, req.locale, event.timezone) })
      : event.revealAt
        ? t('reveal.state_scheduled', { time: formatDateTime(event.revealAt, req.locale, event.timezone) })
        : t('reveal.state_hidden');
    const field = (name: string, label: string, type = 'text', hint?: string) =>
      textField(t, { name, label, type, value: values[name] ?? '', errors, hint, maxlength: name === 'venue_map_url' ? 2000 : 500 });
    const body = html`${eventTabs(t, event, 'reveal', req.user!.role)}<article class="reveal">
<p class="eyebrow"><a href="/admin">${t('admin.events.title')}</a> · <a href="/admin/events/${event.id}">${contentFor(event, req.locale).title}</a></p>
<h1>${t('reveal.title')}</h1>
${notice ? html`<p class="notice success" role="status">${notice}</p>` : ''}
${errorSummary(t, errors)}
<p>${t('reveal.intro')}</p>
<p class="badge">${state}</p>
<p>${t('reveal.confirmed_count', { parties: t('reveal.parties', { n: Number(confirmed?.parties ?? 0) }), people: t('admin.apps.people', { n: Number(confirmed?.people ?? 0) }) })}</p>
<form method="post" action="/admin/events/${event.id}/reveal" novalidate>
${csrfField(ctx.csrfToken ?? '')}
<fieldset><legend>${t('reveal.when_legend')}</legend>
<p class="hint">${t('reveal.tz_hint', { tz: event.timezone })}</p>
${field('starts_at', t('reveal.starts_at'), 'datetime-local')}
${field('ends_at', t('reveal.ends_at'), 'datetime-local')}
</fieldset>
<fieldset><legend>${t('reveal.where_legend')}</legend>
${field('venue_name', t('reveal.venue_name'))}
${textArea(t, { name: 'venue_address', label: t('reveal.venue_address'), value: values.venue_address ?? '', errors, maxlength: 500 })}
${field('venue_map_url', t('reveal.map_url'), 'url', t('reveal.map_url_hint'))}
</fieldset>
${event.revealedAt
  ? html`<p class="hint">${t('reveal.after_reveal_hint')}</p>`
  : html`<fieldset><legend>${t('reveal.schedule_legend')}</legend>${field('reveal_at', t('reveal.reveal_at'), 'datetime-local', t('reveal.reveal_at_hint'))}</fieldset>`}
<div class="actions">
<button type="submit" name="action" value="save"${event.revealedAt ? html` class="primary"` : ''}>${t('reveal.save')}</button>
${event.revealedAt ? '' : html`<button type="submit" name="action" value="reveal" class="primary">${t('reveal.reveal_now')}</button>`}
</div>
</form>
</article>`;
    return sendPage(reply, ctx, t('reveal.title'), body, { status });
  }

  /** The confirmation: how many confirmed parties get which mail, in each of their languages, then the same fields with confirm=yes. */
  async function confirmReveal(req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, after: Event, values: FormValues, update: boolean) {
    const rows = await deps.database.db
      .selectFrom('applications')
      .select(['locale', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('event_id', '=', after.id)
      .where('status', '=', 'confirmed')
      .where('erased_at', 'is', null)
      .groupBy('locale')
      .orderBy('locale')
      .execute();
    const groups = rows.map((r) => ({ locale: (isLocale(r.locale) ? r.locale : after.defaultLocale) as Locale, count: Number(r.n) }));
    const parties = groups.reduce((s, g) => s + g.count, 0);
    const previews = (await withEventMailTexts(deps.database.db, after.id, revealPreviews(after, groups, update, deps.clock.now(), deps.config.publicUrl))).map((p) => ({ ...p, label: req.t(update ? 'review.mail_update' : 'review.mail_reveal') }));
    const ctx = pageContext(req, reply);
    const fields = Object.fromEntries([...Object.values(FIELD), 'action'].map((k) => [k, values[k] ?? '']));
    const title = req.t(update ? 'review.update_confirm_title' : 'review.reveal_confirm_title');
    const body = confirmActionPage(ctx, {
      back: { href: `/admin/events/${after.id}/reveal`, label: contentFor(after, req.locale).title },
      title,
      intro: req.t(update ? 'review.update_confirm_intro' : 'review.reveal_confirm_intro', { n: parties }),
      action: `/admin/events/${after.id}/reveal`,
      fields,
      previews,
      submit: req.t(update ? 'review.update_confirm_submit' : 'review.reveal_confirm_submit'),
    });
    return sendPage(reply, ctx, title, body);
  }

  app.get<{ Params: { id: string }; Querystring: { done?: string; n?: string } }>('/admin/events/:id/reveal', { preHandler: guard }, async (req, reply) => {
    const event = await load(req.params.id);
    const n = Number(req.query.n ?? 0) || 0;
    const notice = req.query.done === 'revealed' ? req.t('reveal.revealed_notice', { n }) : req.query.done === 'saved' ? req.t(n ? 'reveal.updated_notice' : 'reveal.saved', { n }) : null;
    return render(req, reply, event, valuesFromEvent(event), new Map(), notice);
  });

  app.post<{ Params: { id: string } }>('/admin/events/:id/reveal', { preHandler: [guard, app.csrfProtection] }, async (req, reply) => {
    const event = await load(req.params.id);
    const values = formValues(req.body);
    const { input, errors } = inputFromValues(values, event.timezone);
    if (errors.length) return render(req, reply, event, values, toFormErrors(req, errors), null, 422);
    // Revealing, or changing revealed details, mails every confirmed guest and cannot be taken back: confirm first.
    const after: Event = { ...event, ...input, revealAt: event.revealedAt ? event.revealAt : input.revealAt };
    const mails = values.action === 'reveal' && !event.revealedAt ? 'reveal' : event.revealedAt && detailsChanged(event, after) ? 'update' : null;
    if (mails && values.confirm !== 'yes') {
      const problems = [...validateRevealDetails(input), ...missingForReveal(input)];
      if (problems.length) return render(req, reply, event, values, toFormErrors(req, problems), null, 422);
      return confirmReveal(req, reply, after, values, mails === 'update');
    }
    try {
      const saved = await saveRevealDetails(deps, req.user!.id, event.id, input);
      if (values.action === 'reveal') {
        const r = await revealEvent(deps, req.user!.id, event.id);
        return reply.redirect(`/admin/events/${event.id}/reveal?done=revealed&n=${r.notified}`, 303);
      }
      return reply.redirect(`/admin/events/${event.id}/reveal?done=saved&n=${saved.notified}`, 303);
    } catch (err) {
      if (err instanceof AppError && (err.code === 'validation.failed' || err.code === 'reveal.incomplete')) {
        return render(req, reply, await load(event.id), values, toFormErrors(req, err.fields), null, 422);
      }
      throw err;
    }
  });
}
