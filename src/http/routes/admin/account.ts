import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.ts';
import { isLocale } from '../../../domain/locales.ts';
import { userAgentSummary } from '../../../domain/user-agent.ts';
import { formatDateTime } from '../../../i18n/index.ts';
import type { Deps } from '../../../services/deps.ts';
import { completePasswordReset, findPasswordReset, requestPasswordReset, RESET_MINUTES } from '../../../services/password-reset.ts';
import { endAllSessions, endOtherSessions, listSessions } from '../../../services/users.ts';
import { confirmTotpEnrolment, mustEnrolTwoFactor, startTotpEnrolment, twoFactorState } from '../../../services/two-factor.ts';
import QRCode from 'qrcode';
import { formValues } from '../../form-input.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requireSignedIn, SESSION_COOKIE, sessionToken } from '../../plugins/auth.ts';
import { csrfField, errorSummary, formErrors, type FormErrors, textField } from '../../views/form.ts';
import { html, raw } from '../../views/html.ts';

/**
 * A staff member's own account: their sessions (sign out everywhere else / everywhere) and the password reset
 * by mail for those who forgot it.
 */
export default async function accountRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;

  async function sessionsPage(req: FastifyRequest, reply: FastifyReply, notice?: string) {
    const t = req.t;
    const ctx = pageContext(req, reply);
    const sessions = await listSessions(deps, req.user!.id, sessionToken(req));
    const when = (iso: string) => formatDateTime(iso, req.locale, 'UTC');
    const device = (ua: string | null) => {
      const s = userAgentSummary(ua);
      return s.browser && s.system ? t('staff.sessions.device', { browser: s.browser, system: s.system }) : s.browser ?? s.system ?? t('staff.sessions.unknown_device');
    };
    const body = html`<h1>${t('staff.sessions.title')}</h1>
${notice ? html`<p class="notice success" role="status">${notice}</p>` : ''}
<p>${t('staff.sessions.intro', { email: req.user!.email })}</p>
<table class="data" tabindex="0"><caption>${t('staff.sessions.caption')}</caption>
<thead><tr><th scope="col">${t('staff.sessions.device_col')}</th><th scope="col">${t('staff.sessions.created')}</th><th scope="col">${t('staff.sessions.last_seen')}</th><th scope="col">${t('staff.sessions.ends')}</th></tr></thead>
<tbody>${sessions.map((s) => html`<tr><th scope="row">${device(s.userAgent)}${s.current ? html` <span class="badge">${t('staff.sessions.this_one')}</span>` : ''}</th>
<td>${when(s.createdAt)}</td><td>${when(s.lastSeenAt)}</td><td>${when(s.endsAt)}</td></tr>`)}</tbody></table>
<p class="hint">${t('staff.sessions.utc')}</p>
<h2>${t('staff.two_factor.title')}</h2>
<p>${(await twoFactorState(deps, req.user!.id)).enrolled ? t('staff.two_factor.state_on') : t('staff.two_factor.state_off')} <a href="/admin/account/two-factor">${t('staff.two_factor.manage')}</a></p>
<h2>${t('staff.passkeys.title')}</h2>
<p>${t('staff.passkeys.account_hint')} <a href="/admin/account/passkeys">${t('staff.passkeys.manage')}</a></p>
<h2>${t('staff.sessions.end_title')}</h2>
<div class="actions">
<form method="post" action="/admin/account/sessions/end-others" class="inline">${csrfField(ctx.csrfToken ?? '')}<button type="submit"${sessions.length > 1 ? '' : html` disabled`}>${t('staff.sessions.end_others')}</button></form>
<form method="post" action="/admin/account/sessions/end-all" class="inline">${csrfField(ctx.csrfToken ?? '')}<button type="submit" class="danger">${t('staff.sessions.end_all')}</button></form>
</div>`;
    return sendPage(reply, ctx, t('staff.sessions.title'), body, { wide: true });
  }

  app.get<{ Querystring: { ended?: string } }>('/admin/account', { preHandler: requireSignedIn }, async (req, reply) => {
    const n = Number(req.query.ended);
    return sessionsPage(req, reply, Number.isInteger(n) && n >= 0 && req.query.ended !== undefined ? req.t('staff.sessions.ended', { n }) : undefined);
  });

  app.post('/admin/account/sessions/end-others', { preHandler: [requireSignedIn, app.csrfProtection] }, async (req, reply) => {
    const token = sessionToken(req);
    if (!token) throw new AppError('auth.required');
    const n = await endOtherSessions(deps, req.user!.id, token);
    return reply.redirect(`/admin/account?ended=${n}`, 303);
  });

  app.post('/admin/account/sessions/end-all', { preHandler: [requireSignedIn, app.csrfProtection] }, async (req, reply) => {
    await endAllSessions(deps, req.user!.id);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });

  async function twoFactorPage(req: FastifyRequest, reply: FastifyReply, o: { errors?: FormErrors; recoveryCodes?: string[]; status?: number } = {}) {
    const t = req.t;
    const ctx = pageContext(req, reply);
    const user = req.user!;
    const state = await twoFactorState(deps, user.id);
    let body;
    if (o.recoveryCodes) {
      body = html`<h1>${t('staff.two_factor.title')}</h1>
<p class="notice success" role="status">${t('staff.two_factor.enabled')}</p>
<h2>${t('staff.two_factor.recovery_title')}</h2>
<p>${t('staff.two_factor.recovery_intro')}</p>
<ul class="recovery-codes">${o.recoveryCodes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
<p><a class="button primary" href="/admin">${t('staff.two_factor.continue')}</a></p>`;
    } else if (state.enrolled) {
      body = html`<h1>${t('staff.two_factor.title')}</h1><p>${t('staff.two_factor.state_on')}</p>
<p>${t('staff.two_factor.recovery_left', { n: state.recoveryCodesLeft })}</p>`;
    } else {
      const enrolment = await startTotpEnrolment(deps, user);
      const qr = await QRCode.toString(enrolment.uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
      const errors = o.errors ?? new Map();
      body = html`<h1>${t('staff.two_factor.title')}</h1>
${(await mustEnrolTwoFactor(deps, user)) ? html`<p class="notice" role="status">${t('staff.two_factor.required_notice')}</p>` : ''}
${errorSummary(t, errors)}
<p>${t('staff.two_factor.setup_intro')}</p>
<figure class="totp-qr" role="img" aria-label="${t('staff.two_factor.qr_label')}">${raw(qr)}</figure>
<p>${t('staff.two_factor.secret_label')} <code class="totp-secret">${enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}</code></p>
<form method="post" action="/admin/account/two-factor" novalidate>${csrfField(ctx.csrfToken ?? '')}
${textField(t, { name: 'code', label: t('staff.two_factor.code'), hint: t('staff.two_factor.code_hint'), errors, required: true, autocomplete: 'one-time-code' })}
<div class="actions"><button type="submit" class="primary">${t('staff.two_factor.confirm')}</button></div></form>`;
    }
    return sendPage(reply, ctx, t('staff.two_factor.title'), body, { status: o.status });
  }

  app.get('/admin/account/two-factor', { preHandler: requireSignedIn }, async (req, reply) => twoFactorPage(req, reply));

  app.post('/admin/account/two-factor', { preHandler: [requireSignedIn, app.csrfProtection], config: { rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (req, reply) => {
    try {
      const codes = await confirmTotpEnrolment(deps, req.user!, formValues(req.body).code ?? '');
      reply.header('Cache-Control', 'no-store');
      return twoFactorPage(req, reply, { recoveryCodes: codes });
    } catch (err) {
      if (err instanceof AppError && err.code === 'validation.failed') return twoFactorPage(req, reply, { errors: new Map([['code', req.t('staff.two_factor.wrong_code')]]), status: 422 });
      throw err;
    }
  });

  // Password reset: the same answer whatever the address (no enumeration); limited per IP here and per account
  // in the service.
  function requestPage(req: FastifyRequest, reply: FastifyReply, o: { sent?: boolean; email?: string } = {}) {
    const t = req.t;
    const ctx = pageContext(req, reply);
    const body = html`<article class="narrow"><h1>${t('staff.reset.title')}</h1>
${o.sent
  ? html`<div class="notice success" role="status"><p>${t('staff.reset.sent', { minutes: RESET_MINUTES })}</p></div><p><a href="/login">${t('staff.reset.back')}</a></p>`
  : html`<p>${t('staff.reset.intro')}</p>
<form method="post" action="/password-reset">${csrfField(ctx.csrfToken ?? '')}
${textField(t, { name: 'email', type: 'email', label: t('form.email'), value: o.email, errors: new Map(), required: true, autocomplete: 'username' })}
<div class="actions"><button type="submit" class="primary">${t('staff.reset.submit')}</button></div></form>`}
</article>`;
    return sendPage(reply, ctx, t('staff.reset.title'), body);
  }

  app.get('/password-reset', async (req, reply) => requestPage(req, reply));

  app.post(
    '/password-reset',
    { preHandler: app.csrfProtection, config: { rateLimit: { max: 5, timeWindow: '15 minutes' } } },
    async (req, reply) => {
      const v = formValues(req.body);
      await requestPasswordReset(deps, { email: v.email ?? '', locale: isLocale(req.locale) ? req.locale : 'en' });
      return requestPage(req, reply, { sent: true });
    },
  );

  function choosePage(req: FastifyRequest, reply: FastifyReply, token: string, email: string, errors: FormErrors, status = 200) {
    const t = req.t;
    const ctx = pageContext(req, reply);
    const body = html`<article class="narrow"><h1>${t('staff.reset.choose_title')}</h1><p>${t('setup.intro', { email })}</p>
<form method="post" action="/password-reset/${token}">${errorSummary(t, errors)}${csrfField(ctx.csrfToken ?? '')}
<input type="text" name="username" value="${email}" autocomplete="username" hidden>
${textField(t, { name: 'password', type: 'password', label: t('setup.password'), hint: t('setup.password_hint'), errors, required: true, autocomplete: 'new-password' })}
<div class="actions"><button type="submit" class="primary">${t('staff.reset.save')}</button></div></form></article>`;
    return sendPage(reply, ctx, t('staff.reset.choose_title'), body, { status });
  }

  app.get<{ Params: { token: string } }>('/password-reset/:token', async (req, reply) => {
    const reset = await findPasswordReset(deps, req.params.token);
    if (!reset) throw new AppError('not_found');
    reply.header('Referrer-Policy', 'no-referrer');
    return choosePage(req, reply, req.params.token, reset.email, new Map());
  });

  app.post<{ Params: { token: string } }>('/password-reset/:token', { preHandler: app.csrfProtection }, async (req, reply) => {
    const reset = await findPasswordReset(deps, req.params.token);
    if (!reset) throw new AppError('not_found');
    const v = formValues(req.body);
    try {
      await completePasswordReset(deps, req.params.token, v.password ?? '');
      return reply.redirect('/login?reset=1', 303);
    } catch (err) {
      if (err instanceof AppError && err.code === 'validation.failed') return choosePage(req, reply, req.params.token, reset.email, formErrors(req.t, err.fields), 422);
      throw err;
    }
  });
}
