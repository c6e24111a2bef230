import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors.ts';
import type { Deps } from '../../../services/deps.ts';
import { can, completeSetup, findSetupToken, logout, startSession, SESSION_HOURS, verifyCredentials } from '../../../services/users.ts';
import { hasTwoFactor, verifySecondFactor } from '../../../services/two-factor.ts';
import { passkeySignInOptions, signInWithPasskey } from '../../../services/passkeys.ts';
import { keepChallenge, takeChallenge } from '../../webauthn-challenge.ts';
import { formValues } from '../../form-input.ts';
import { sameOriginPath } from '../../safe-redirect.ts';
import { pageContext, sendPage } from '../../page.ts';
import { SESSION_COOKIE } from '../../plugins/auth.ts';
import { html } from '../../views/html.ts';
import { csrfField, errorSummary, formErrors, textField, type FormErrors } from '../../views/form.ts';

/** Where to go after signing in: the requested page if it is ours, else the role's home (door staff: check-in). */
const safeNext = (n: unknown, role?: string): string => {
  const path = sameOriginPath(n);
  return path && path !== '/admin' ? path : role && !can(role, 'reviewApplications') ? '/checkin' : '/admin';
};

export default async function authRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const secure = deps.config.publicUrl.startsWith('https://');
  const setSession = (reply: import('fastify').FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, signed: true, maxAge: SESSION_HOURS * 3600 });

  function loginPage(req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply, o: { email?: string; next: string; error?: string; status?: number; notice?: string }) {
    const ctx = pageContext(req, reply);
    const errors: FormErrors = new Map();
    const body = html`<article class="narrow"><h1>${req.t('login.title')}</h1>
${o.error ? html`<div class="error-summary" role="alert"><p>${o.error}</p></div>` : ''}
${o.notice ? html`<p class="notice success" role="status">${o.notice}</p>` : ''}
<form method="post" action="/login">${csrfField(ctx.csrfToken ?? '')}
<input type="hidden" name="next" value="${o.next}">
${textField(req.t, { name: 'email', type: 'email', label: req.t('form.email'), value: o.email, errors, required: true, autocomplete: 'username' })}
${textField(req.t, { name: 'password', type: 'password', label: req.t('login.password'), errors, required: true, autocomplete: 'current-password' })}
<div class="actions"><button type="submit" class="primary">${req.t('login.submit')}</button></div>
</form>
<div class="passkey-login"><button type="button" id="passkey-login" hidden data-csrf="${ctx.csrfToken ?? ''}" data-next="${o.next}" data-status="passkey-login-status"
 data-working="${req.t('staff.passkeys.working')}" data-failed="${req.t('staff.passkeys.login_failed')}">${req.t('staff.passkeys.sign_in')}</button>
<p id="passkey-login-status" role="status" aria-live="polite"></p></div>
<p><a href="/password-reset">${req.t('staff.reset.link')}</a></p></article>`;
    return sendPage(reply, ctx, req.t('login.title'), body, { status: o.status, scripts: ['/assets/passkeys.js'] });
  }

  app.get<{ Querystring: { next?: string; reset?: string } }>('/login', async (req, reply) => {
    if (req.user) return reply.redirect(safeNext(req.query.next, req.user.role), 303);
    return loginPage(req, reply, { next: safeNext(req.query.next), notice: req.query.reset === '1' ? req.t('staff.reset.done') : undefined });
  });

  /**
   * Between the password and the second factor: a signed cookie naming the account and when the step expires
   * (5 minutes). It grants nothing but the right to enter a code for that account.
   */
  const PENDING_COOKIE = 'admit_2fa_pending';
  const PENDING_MS = 5 * 60_000;
  const pendingUser = (req: import('fastify').FastifyRequest): string | null => {
    const raw = req.cookies[PENDING_COOKIE];
    const v = raw ? req.unsignCookie(raw) : null;
    const [userId, until] = v?.valid && v.value ? v.value.split('|') : [];
    return userId && Number(until) > deps.clock.now().getTime() ? userId : null;
  };

  function secondStepPage(req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply, o: { next: string; error?: string; status?: number }) {
    const ctx = pageContext(req, reply);
    const t = req.t;
    const errors: FormErrors = o.error ? new Map([['code', o.error]]) : new Map();
    const body = html`<article class="narrow"><h1>${t('staff.two_factor.login_title')}</h1>
<p>${t('staff.two_factor.login_intro')}</p>
<form method="post" action="/login/two-factor">${errorSummary(t, errors)}${csrfField(ctx.csrfToken ?? '')}
<input type="hidden" name="next" value="${o.next}">
${textField(t, { name: 'code', label: t('staff.two_factor.code'), hint: t('staff.two_factor.code_or_recovery'), errors, required: true, autocomplete: 'one-time-code' })}
<div class="actions"><button type="submit" class="primary">${t('staff.two_factor.verify')}</button></div>
</form></article>`;
    return sendPage(reply, ctx, t('staff.two_factor.login_title'), body, { status: o.status });
  }

  app.get<{ Querystring: { next?: string } }>('/login/two-factor', async (req, reply) => {
    if (!pendingUser(req)) return reply.redirect('/login', 303);
    return secondStepPage(req, reply, { next: safeNext(req.query.next) });
  });

  app.post(
    '/login/two-factor',
    { preHandler: app.csrfProtection, config: { rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const v = formValues(req.body);
      const userId = pendingUser(req);
      if (!userId) return reply.redirect('/login', 303);
      if (!(await verifySecondFactor(deps, userId, v.code ?? ''))) {
        return secondStepPage(req, reply, { next: safeNext(v.next), error: req.t('staff.two_factor.wrong_code'), status: 401 });
      }
      const user = await deps.database.db.selectFrom('users').select(['id', 'role', 'disabled']).where('id', '=', userId).executeTakeFirst();
      if (!user || user.disabled) return reply.redirect('/login', 303);
      reply.clearCookie(PENDING_COOKIE, { path: '/' });
      setSession(reply, await startSession(deps, user.id, { userAgent: req.headers['user-agent'] }));
      return reply.redirect(safeNext(v.next, user.role), 303);
    },
  );

  // Passkey sign-in (discoverable credential with user verification: no password, no second step).
  app.post('/login/passkey/options', { preHandler: app.csrfProtection, config: { rateLimit: { max: 20, timeWindow: '1 minute' } } }, async (_req, reply) => {
    const options = await passkeySignInOptions(deps);
    keepChallenge(deps, reply, 'login', options.challenge);
    return reply.header('Cache-Control', 'no-store').send(options);
  });

  app.post<{ Body: { response: import('@simplewebauthn/server').AuthenticationResponseJSON; next?: string } }>(
    '/login/passkey',
    {
      preHandler: app.csrfProtection,
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: { body: { type: 'object', required: ['response'], properties: { response: { type: 'object' }, next: { type: 'string', maxLength: 2000 } } } },
    },
    async (req, reply) => {
      const challenge = takeChallenge(deps, req, reply, 'login');
      if (!challenge) throw new AppError('auth.invalid_credentials');
      const user = await signInWithPasskey(deps, { response: req.body.response, expectedChallenge: challenge });
      setSession(reply, await startSession(deps, user.id, { userAgent: req.headers['user-agent'] }));
      return reply.header('Cache-Control', 'no-store').send({ redirect: safeNext(req.body.next, user.role) });
    },
  );

  app.post(
    '/login',
    { preHandler: app.csrfProtection, config: { rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const v = formValues(req.body);
      try {
        const user = await verifyCredentials(deps, v.email ?? '', v.password ?? '');
        if (await hasTwoFactor(deps, user.id)) {
          reply.setCookie(PENDING_COOKIE, `${user.id}|${deps.clock.now().getTime() + PENDING_MS}`, { path: '/', httpOnly: true, sameSite: 'lax', secure, signed: true, maxAge: PENDING_MS / 1000 });
          return reply.redirect(`/login/two-factor?next=${encodeURIComponent(safeNext(v.next))}`, 303);
        }
        setSession(reply, await startSession(deps, user.id, { userAgent: req.headers['user-agent'] }));
        return reply.redirect(safeNext(v.next, user.role), 303);
      } catch (err) {
        if (err instanceof AppError && err.code === 'auth.invalid_credentials') {
          return loginPage(req, reply, { email: v.email, next: safeNext(v.next), error: req.t('login.invalid'), status: 401 });
        }
        throw err;
      }
    },
  );

  app.post('/logout', { preHandler: app.csrfProtection }, async (req, reply) => {
    const raw = req.cookies[SESSION_COOKIE];
    const unsigned = raw ? req.unsignCookie(raw) : null;
    await logout(deps, unsigned?.valid ? (unsigned.value ?? undefined) : undefined);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });

  function setupPage(req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply, token: string, email: string, errors: FormErrors, status = 200) {
    const ctx = pageContext(req, reply);
    const body = html`<article class="narrow"><h1>${req.t('setup.title')}</h1><p>${req.t('setup.intro', { email })}</p>
<form method="post" action="/setup/${token}">${errorSummary(req.t, errors)}${csrfField(ctx.csrfToken ?? '')}
${textField(req.t, { name: 'password', type: 'password', label: req.t('setup.password'), hint: req.t('setup.password_hint'), errors, required: true, autocomplete: 'new-password' })}
<div class="actions"><button type="submit" class="primary">${req.t('setup.submit')}</button></div></form></article>`;
    return sendPage(reply, ctx, req.t('setup.title'), body, { status });
  }

  app.get<{ Params: { token: string } }>('/setup/:token', async (req, reply) => {
    const setup = await findSetupToken(deps, req.params.token);
    if (!setup) throw new AppError('not_found');
    return setupPage(req, reply, req.params.token, setup.email, new Map());
  });

  app.post<{ Params: { token: string } }>('/setup/:token', { preHandler: app.csrfProtection }, async (req, reply) => {
    const setup = await findSetupToken(deps, req.params.token);
    if (!setup) throw new AppError('not_found');
    const v = formValues(req.body);
    try {
      const userId = await completeSetup(deps, req.params.token, v.password ?? '');
      setSession(reply, await startSession(deps, userId, { userAgent: req.headers['user-agent'] }));
      return reply.redirect('/admin', 303);
    } catch (err) {
      if (err instanceof AppError && err.code === 'validation.failed') return setupPage(req, reply, req.params.token, setup.email, formErrors(req.t, err.fields), 422);
      throw err;
    }
  });
}
