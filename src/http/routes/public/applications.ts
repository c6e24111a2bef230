import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.ts';
import { contentFor, type Event, intakeState } from '../../../domain/event.ts';
import {
  editApplication,
  findApplicationByToken,
  assertAcceptingApplications,
  findEarlierAnswer,
  type Idempotency,
  requireEvent,
  requirePublishedEvent,
  submitApplication,
  verifyApplication,
  withdrawApplication,
} from '../../../services/applications.ts';
import { validateApplication } from '../../../domain/application.ts';
import { applyLimits } from '../../../intake/http-limits.ts';
import { isValidIdempotencyKey } from '../../../intake/idempotency.ts';
import { newToken } from '../../../platform/random.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import type { Deps } from '../../../services/deps.ts';
import { applicationInputFromForm, formValues, formValuesFromApplication, type FormValues } from '../../form-input.ts';
import { pageContext, sendPage } from '../../page.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';
import { csrfTokenFor } from '../../plugins/security.ts';
import { cachePage, chooseEncoding, eventPageCache, SLOT_MARKS, stitchPage } from '../../event-page-cache.ts';
import { formErrors, type FormErrors } from '../../views/form.ts';
import { applicationForm } from '../../views/public/application-form.ts';
import { eventPage, messagePage } from '../../views/public/event-page.ts';
import { type StatusNotice, verifyEmailPage, withdrawConfirmPage } from '../../views/public/application-status.ts';
import { sendStatusPage } from './status-page.ts';
import type { ApplicantLink } from '../../views/public/applicant-links.ts';
import { useApplicantLocale } from './applicant-locale.ts';
import type { Captcha } from '../../captcha.ts';
import { type Brand, emptyBrand, loadBrand } from '../../../services/brand.ts';
import { brandBanner, brandStyles } from '../../views/brand.ts';
import { linkPreview } from '../../views/public/link-preview.ts';
import { allowFraming, announcedParent, issueEmbedToken, postedFromOwnOrigin, verifyEmbedToken } from '../../embed.ts';
import { embeddedForm } from '../../views/public/embedded-form.ts';

/** The page shape: the event page, or the form alone inside another site's frame (ADR 0016). */
type Mode = { kind: 'page' } | { kind: 'embed'; parent?: string | null };

export interface PublicRouteOptions {
  deps: Deps;
  captcha: Captcha | null;
}

export default async function publicApplicationRoutes(app: FastifyInstance, opts: PublicRouteOptions) {
  const { deps, captcha } = opts;
  const captchaView = captcha ? { challengeUrl: '/api/v1/captcha/challenge' } : null;
  const scripts = captcha ? ['/assets/altcha.js'] : [];

  const lastBrand = new Map<string, Brand>();
  type Extra = { formToken?: string; notice?: string; mode?: Mode };
  interface EventPageParts {
    title: string;
    body: SafeHtml;
    scripts: string[];
    styles: string[];
    head?: SafeHtml;
    embedded: boolean;
    brand: Awaited<ReturnType<typeof loadBrand>>;
  }

  /** The event page with the form (or the form alone for a frame) as HTML; extra.formToken keeps a posted token. */
  async function eventPageHtml(ctx: PageContext, event: Event, values: FormValues, errors: FormErrors, extra: Extra = {}, status = 200): Promise<EventPageParts> {
    const mode = extra.mode ?? { kind: 'page' };
    const c = contentFor(event, ctx.locale);
    const state = intakeState(event, deps.clock.now());
    const form = applicationForm(ctx, {
      event,
      values,
      errors,
      action: mode.kind === 'embed' ? `/e/${event.slug}/embed/apply?lang=${ctx.locale}` : `/e/${event.slug}/apply`,
      submitLabel: ctx.t('form.submit'),
      consentText: c.consent,
      captcha: captchaView,
      formToken: extra.formToken ?? newToken(deps.random),
      hidden: mode.kind === 'embed' && mode.parent ? { parent: mode.parent } : undefined,
    });
    const body = extra.notice ? html`<p class="notice" role="alert" id="form-notice">${extra.notice}</p>${form}` : form;
    // A busy or unavailable database (503) must not stop the answers from coming back: the brand is then the one
    // this process saw last (no query), else none.
    const brand = status === 503 ? (lastBrand.get(event.id) ?? emptyBrand(event.id)) : await loadBrand(deps.database.db, event.id);
    lastBrand.set(event.id, brand);
    const styles = brandStyles(brand);
    const scriptsNow = state === 'open' ? scripts : [];
    if (mode.kind === 'embed') {
      const parent = announcedParent(brand, mode.parent);
      return {
        title: c.title,
        body: embeddedForm(ctx, event, state, body, brandBanner(brand, event, ctx.locale), parent),
        scripts: [...scriptsNow, '/assets/embed-frame.js'],
        styles,
        embedded: true,
        brand,
      };
    }
    return {
      title: c.title,
      body: eventPage(ctx, event, state, body, brandBanner(brand, event, ctx.locale)),
      scripts: scriptsNow,
      styles,
      head: linkPreview(event, brand, ctx.locale, deps.config.publicUrl),
      embedded: false,
      brand,
    };
  }

  /** extra.formToken: the one-time token to keep (a re-render of a post); extra.notice: shown above the form. */
  async function renderEvent(
    req: FastifyRequest,
    reply: FastifyReply,
    event: Event,
    values: FormValues,
    errors: FormErrors,
    status = 200,
    extra: Extra = {},
  ) {
    const mode = extra.mode ?? { kind: 'page' };
    const ctx = pageContext(req, reply);
    if (mode.kind === 'embed') {
      // No cookie reaches a third-party frame: the token the form carries is a signed one, not the cookie's.
      ctx.csrfToken = issueEmbedToken(deps.config.secret, event.slug, deps.clock.now());
    }
    const page = await eventPageHtml(ctx, event, values, errors, extra, status);
    if (page.embedded) allowFraming(reply, page.brand);
    return sendPage(reply, ctx, page.title, page.body, {
      status,
      scripts: page.scripts,
      styles: page.styles,
      head: page.head,
      embedded: page.embedded || undefined,
    });
  }

  // The first visit of everyone in a rush: rendered once per (event version, language, intake state), each
  // visitor's CSRF and form tokens stitched in (ADR 0012). Signed-in staff get the page rendered for them.
  const pages = eventPageCache(deps.database);
  app.addHook('onClose', async () => pages.close());
  app.get<{ Params: { slug: string } }>('/e/:slug', async (req, reply) => {
    if (req.user) {
      const event = await requireEvent(deps.database.db, req.params.slug);
      return renderEvent(req, reply, event, { locale: req.locale }, new Map());
    }
    const { event, page } = await pages.event(req.params.slug);
    const { locale, t } = req;
    const cached = await page({ locale, state: intakeState(event, deps.clock.now()) }, async (ev) => {
      const ctx: PageContext = { locale, t, url: `/e/${ev.slug}`, user: null, csrfToken: SLOT_MARKS.csrf };
      const p = await eventPageHtml(ctx, ev, { locale }, new Map(), { formToken: SLOT_MARKS.formToken });
      return cachePage(layout(ctx, p.title, p.body, { scripts: p.scripts, styles: p.styles, head: p.head }), p.scripts);
    });
    const encoding = chooseEncoding(req.headers['accept-encoding']);
    const csrf = csrfTokenFor(req, reply, deps.config.publicUrl.startsWith('https://'));
    const body = stitchPage(cached, { csrf, formToken: newToken(deps.random) }, encoding);
    if (encoding !== 'identity') reply.header('Content-Encoding', encoding);
    return reply
      .code(200)
      .header('Cache-Control', 'no-store')
      .header('Vary', 'Accept-Language, Cookie, Accept-Encoding')
      .type('text/html; charset=utf-8')
      .send(body);
  });

  const limits = applyLimits(app, deps.config.rateLimits);
  app.post<{ Params: { slug: string } }>(
    '/e/:slug/apply',
    { onRequest: limits.byIp, preHandler: [app.csrfProtection, limits.byEmail] },
    async (req, reply) => apply(req, reply, await requirePublishedEvent(deps, req.params.slug), { kind: 'page' }),
  );

  app.get<{ Params: { slug: string }; Querystring: { parent?: string } }>('/e/:slug/embed', async (req, reply) => {
    const event = await requireEvent(deps.database.db, req.params.slug);
    return renderEvent(req, reply, event, { locale: req.locale }, new Map(), 200, { mode: { kind: 'embed', parent: req.query.parent } });
  });

  /** The embedded form's post: our own origin and a signed token instead of the CSRF cookie (src/http/embed.ts). */
  app.post<{ Params: { slug: string } }>('/e/:slug/embed/apply', { onRequest: limits.byIp, preHandler: [limits.byEmail] }, async (req, reply) => {
    const event = await requirePublishedEvent(deps, req.params.slug);
    const token = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (!postedFromOwnOrigin(req, deps.config.publicUrl) || !verifyEmbedToken(deps.config.secret, event.slug, token, deps.clock.now())) {
      throw new AppError('csrf.invalid');
    }
    return apply(req, reply, event, { kind: 'embed', parent: formValues(req.body).parent });
  });

  app.get<{ Params: { slug: string }; Querystring: { parent?: string } }>('/e/:slug/embed/thanks', async (req, reply) => {
    const event = await requireEvent(deps.database.db, req.params.slug);
    const brand = await loadBrand(deps.database.db, event.id);
    allowFraming(reply, brand);
    const ctx = pageContext(req, reply);
    const title = req.t('thanks.title');
    const parent = announcedParent(brand, req.query.parent);
    return sendPage(
      reply,
      ctx,
      title,
      html`<div class="embed"${parent ? html` data-parent="${parent}"` : ''}>${messagePage(title, html`<p class="eyebrow">${contentFor(event, req.locale).title}</p><p>${req.t('thanks.body')}</p><p class="hint">${req.t('thanks.hint')}</p>`)}</div>`,
      { embedded: true, scripts: ['/assets/embed-frame.js'], styles: brandStyles(brand) },
    );
  });

  async function apply(req: FastifyRequest, reply: FastifyReply, event: Event, mode: Mode) {
      const values = formValues(req.body);
      const parentQuery = mode.kind === 'embed' && mode.parent ? `&parent=${encodeURIComponent(mode.parent)}` : '';
      const thanks = () =>
        reply.redirect(mode.kind === 'embed' ? `/e/${event.slug}/embed/thanks?lang=${req.locale}${parentQuery}` : `/e/${event.slug}/thanks`, 303);
      // Honeypot: humans never see the field; a bot that fills it gets the normal answer and nothing is stored.
      if (values.website) return thanks();
      // The one-time token of this rendering of the form: a double click or a re-post gets one application
      // and the same answer. Re-renders below keep it, so a retry after "busy" is still the same submission.
      const formToken = isValidIdempotencyKey(values.form_token) && values.form_token.length >= 16 ? values.form_token : undefined;
      const idempotency: Idempotency | undefined = formToken
        ? { channel: 'form', key: formToken, body: submittedAnswers(values), onMismatch: 'replay', checked: true }
        : undefined;
      try {
        assertAcceptingApplications(deps);
        if (idempotency && (await findEarlierAnswer(deps, event.slug, idempotency))) return thanks();
        const input = applicationInputFromForm(values);
        // Every problem in one round: the fields' errors and the robot check's together.
        const fieldErrors = validateApplication(event, input).errors;
        if (captcha && !(await captcha.verify(values.altcha))) {
          // The second click of a double click carries the already used captcha solution.
          if (idempotency && (await findEarlierAnswer(deps, event.slug, idempotency, true))) return thanks();
          const errors = formErrors(req.t, [...fieldErrors, { field: 'altcha', code: 'captcha_failed' }]);
          return renderEvent(req, reply, event, values, errors, 422, { formToken, mode });
        }
        if (fieldErrors.length) return renderEvent(req, reply, event, values, formErrors(req.t, fieldErrors), 422, { formToken, mode });
        await submitApplication(deps, event.slug, input, idempotency ? { idempotency } : {});
      } catch (err) {
        if (err instanceof AppError && err.code === 'validation.failed') {
          return renderEvent(req, reply, event, values, formErrors(req.t, err.fields), 422, { formToken, mode });
        }
        if (err instanceof AppError && err.code === 'service.unavailable') {
          // Saturated or the database is away: nothing was stored. Keep every answer on the page.
          const seconds = Math.max(1, Number(err.details.retryAfter) || 5);
          reply.header('Retry-After', String(seconds));
          const notice = req.t(err.details.reason === 'database' ? 'intake.unavailable' : 'intake.busy', { seconds });
          return renderEvent(req, reply, event, values, new Map(), 503, { formToken, notice, mode });
        }
        throw err;
      }
      return thanks();
  }

  /** What the person entered, without the per-request fields (CSRF, captcha, token, honeypot). */
  function submittedAnswers(values: FormValues): FormValues {
    const { _csrf: _c, altcha: _a, form_token: _t, website: _w, parent: _p, ...rest } = values;
    return rest;
  }

  app.get<{ Params: { slug: string } }>('/e/:slug/thanks', async (req, reply) => {
    const event = await requireEvent(deps.database.db, req.params.slug);
    const ctx = pageContext(req, reply);
    const title = req.t('thanks.title');
    return sendPage(
      reply,
      ctx,
      title,
      messagePage(title, html`<p class="eyebrow">${contentFor(event, req.locale).title}</p><p>${req.t('thanks.body')}</p><p class="hint">${req.t('thanks.hint')}</p>`),
    );
  });

  /**
   * The mailed link. An unconfirmed address first gets one button: verifying is a POST, so a mail scanner
   * that follows every link verifies nothing. Afterwards the link shows the application.
   */
  app.get<{ Params: { token: string }; Querystring: { verified?: string; declined?: string } }>('/a/:token', async (req, reply) => {
    const { application, event } = await loadEditable(req.params.token);
    const link = useApplicantLocale(req, reply, req.params.token, application);
    if (!application.verified && application.status === 'submitted') {
      const ctx = pageContext(req, reply);
      reply.header('Referrer-Policy', 'no-referrer');
      return sendPage(reply, ctx, req.t('applicant.verify_title'), verifyEmailPage(ctx, { event, app: application, link }));
    }
    const notice: StatusNotice | null =
      req.query.verified === '1' && application.status === 'submitted' ? 'just_verified'
      : application.status === 'declined' && req.query.declined === 'passed' ? 'declined_passed'
      : application.status === 'declined' && req.query.declined === 'freed' ? 'declined_freed'
      : null;
    return sendStatusPage(deps, req, reply, { application, event, link, notice });
  });

  app.post<{ Params: { token: string } }>('/a/:token/verify', { preHandler: app.csrfProtection }, async (req, reply) => {
    const application = await verifyApplication(deps, req.params.token);
    const link = useApplicantLocale(req, reply, req.params.token, application);
    return reply.redirect(link('', { verified: '1' }), 303);
  });

  async function loadEditable(token: string) {
    const application = await findApplicationByToken(deps, token);
    const event = await findEventById(deps.database.db, application.eventId);
    if (!event) throw new AppError('event.not_found');
    return { application, event };
  }

  function renderEdit(req: FastifyRequest, reply: FastifyReply, event: Event, link: ApplicantLink, values: FormValues, errors: FormErrors, status = 200) {
    const ctx = pageContext(req, reply);
    const form = applicationForm(ctx, {
      event,
      values,
      errors,
      action: link('/edit'),
      submitLabel: req.t('form.save'),
      consentText: '',
      editing: true,
    });
    const body = html`<article><p class="eyebrow">${contentFor(event, req.locale).title}</p><h1>${req.t('edit.title')}</h1>${form}
<p><a href="${link()}">${req.t('edit.back')}</a></p></article>`;
    return sendPage(reply, ctx, req.t('edit.title'), body, { status });
  }

  app.get<{ Params: { token: string } }>('/a/:token/edit', async (req, reply) => {
    const { application, event } = await loadEditable(req.params.token);
    const link = useApplicantLocale(req, reply, req.params.token, application);
    if (application.status !== 'submitted' || intakeState(event, deps.clock.now()) !== 'open') throw new AppError('application.not_editable');
    return renderEdit(req, reply, event, link, formValuesFromApplication(application), new Map());
  });

  app.post<{ Params: { token: string } }>('/a/:token/edit', { preHandler: app.csrfProtection }, async (req, reply) => {
    const { application, event } = await loadEditable(req.params.token);
    const link = useApplicantLocale(req, reply, req.params.token, application);
    const values = { ...formValues(req.body), email: application.email };
    try {
      await editApplication(deps, req.params.token, applicationInputFromForm(values));
    } catch (err) {
      if (err instanceof AppError && err.code === 'validation.failed') return renderEdit(req, reply, event, link, values, formErrors(req.t, err.fields), 422);
      throw err;
    }
    return reply.redirect(link(), 303);
  });

  app.get<{ Params: { token: string } }>('/a/:token/withdraw', async (req, reply) => {
    const { application, event } = await loadEditable(req.params.token);
    const link = useApplicantLocale(req, reply, req.params.token, application);
    if (application.status === 'withdrawn') return reply.redirect(link(), 303);
    const ctx = pageContext(req, reply);
    reply.header('Referrer-Policy', 'no-referrer');
    return sendPage(reply, ctx, req.t('withdraw.title'), withdrawConfirmPage(ctx, { event, link }));
  });

  app.post<{ Params: { token: string } }>('/a/:token/withdraw', { preHandler: app.csrfProtection }, async (req, reply) => {
    const application = await withdrawApplication(deps, req.params.token);
    return reply.redirect(useApplicantLocale(req, reply, req.params.token, application)(), 303);
  });
}
