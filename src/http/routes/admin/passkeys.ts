import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { AppError } from '../../../errors.ts';
import { formatDateTime } from '../../../i18n/index.ts';
import type { Deps } from '../../../services/deps.ts';
import { listPasskeys, MAX_PASSKEY_NAME, passkeyRegistrationOptions, registerPasskey, removePasskey } from '../../../services/passkeys.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requireSignedIn } from '../../plugins/auth.ts';
import { csrfField, textField } from '../../views/form.ts';
import { html } from '../../views/html.ts';
import { keepChallenge, takeChallenge } from '../../webauthn-challenge.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** A staff member's passkeys (add with the browser's WebAuthn dialog, remove), and the two scripts it needs. */
export default async function passkeyRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const js = 'text/javascript; charset=utf-8';
  // The UMD bundle (the package's "unpkg" file) sets globalThis.SimpleWebAuthnBrowser, also when loaded as a module
  // (as passkeys.js does). The package exports no package.json: its CommonJS entry is script/index.js.
  const browserLib = readFileSync(join(dirname(require.resolve('@simplewebauthn/browser')), '../dist/bundle/index.umd.min.js'));
  const passkeysJs = readFileSync(join(here, '../../assets/passkeys.js'));
  app.get('/assets/simplewebauthn-browser.js', async (_req, reply) => reply.header('Cache-Control', 'public, max-age=3600').type(js).send(browserLib));
  app.get('/assets/passkeys.js', async (_req, reply) => reply.header('Cache-Control', 'public, max-age=3600').type(js).send(passkeysJs));

  async function page(req: FastifyRequest<{ Querystring: { added?: string; removed?: string } }>, reply: FastifyReply) {
    const t = req.t;
    const ctx = pageContext(req, reply);
    const keys = await listPasskeys(deps, req.user!.id);
    const when = (iso: string | null) => (iso ? formatDateTime(iso, req.locale, 'UTC') : t('staff.passkeys.never'));
    const notice = req.query.added ? t('staff.passkeys.added') : req.query.removed ? t('staff.passkeys.removed') : null;
    const body = html`<p class="eyebrow"><a href="/admin/account">${t('staff.sessions.title')}</a></p>
<h1>${t('staff.passkeys.title')}</h1>
${notice ? html`<p class="notice success" role="status">${notice}</p>` : ''}
<p>${t('staff.passkeys.intro')}</p>
${keys.length
  ? html`<table class="data" tabindex="0"><caption>${t('staff.passkeys.caption')}</caption>
<thead><tr><th scope="col">${t('staff.passkeys.name')}</th><th scope="col">${t('staff.passkeys.created')}</th><th scope="col">${t('staff.passkeys.last_used')}</th><th scope="col"><span class="visually-hidden">${t('admin.events.actions')}</span></th></tr></thead>
<tbody>${keys.map((k) => html`<tr><th scope="row">${k.name || t('staff.passkeys.unnamed')}</th><td>${when(k.createdAt)}</td><td>${when(k.lastUsedAt)}</td>
<td><form method="post" action="/admin/account/passkeys/${k.id}/delete" class="inline">${csrfField(ctx.csrfToken ?? '')}<button type="submit" class="danger">${t('staff.passkeys.remove')}</button></form></td></tr>`)}</tbody></table>`
  : html`<p>${t('staff.passkeys.none')}</p>`}
<section aria-labelledby="add-h"><h2 id="add-h">${t('staff.passkeys.add_title')}</h2>
${textField(t, { name: 'passkey_name', label: t('staff.passkeys.name'), hint: t('staff.passkeys.name_hint'), errors: new Map(), maxlength: MAX_PASSKEY_NAME, autocomplete: 'off' })}
<div class="actions"><button type="button" class="primary" id="passkey-add" data-csrf="${ctx.csrfToken ?? ''}" data-status="passkey-status"
 data-working="${t('staff.passkeys.working')}" data-failed="${t('staff.passkeys.failed')}" data-unsupported="${t('staff.passkeys.unsupported')}">${t('staff.passkeys.add')}</button></div>
<p id="passkey-status" role="status" aria-live="polite"></p>
<noscript><p>${t('staff.passkeys.needs_js')}</p></noscript></section>`;
    return sendPage(reply, ctx, t('staff.passkeys.title'), body, { scripts: ['/assets/passkeys.js'] });
  }

  app.get<{ Querystring: { added?: string; removed?: string } }>('/admin/account/passkeys', { preHandler: requireSignedIn }, page);

  app.post('/admin/account/passkeys/options', { preHandler: [requireSignedIn, app.csrfProtection] }, async (req, reply) => {
    const options = await passkeyRegistrationOptions(deps, req.user!);
    keepChallenge(deps, reply, 'register', options.challenge);
    return reply.header('Cache-Control', 'no-store').send(options);
  });

  app.post<{ Body: { response: RegistrationResponseJSON; name?: string } }>(
    '/admin/account/passkeys',
    {
      preHandler: [requireSignedIn, app.csrfProtection],
      schema: { body: { type: 'object', required: ['response'], properties: { response: { type: 'object' }, name: { type: 'string', maxLength: 200 } } } },
    },
    async (req, reply) => {
      const challenge = takeChallenge(deps, req, reply, 'register');
      if (!challenge) throw new AppError('validation.failed', { fields: [{ field: 'passkey', code: 'invalid' }] });
      const key = await registerPasskey(deps, req.user!, { response: req.body.response, expectedChallenge: challenge, name: req.body.name });
      return reply.code(201).send({ id: key.id });
    },
  );

  app.post<{ Params: { id: string } }>('/admin/account/passkeys/:id/delete', { preHandler: [requireSignedIn, app.csrfProtection] }, async (req, reply) => {
    await removePasskey(deps, req.user!.id, req.params.id);
    return reply.redirect('/admin/account/passkeys?removed=1', 303);
  });
}
