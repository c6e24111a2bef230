import { LOCALES, type Locale, textDirection } from '../../domain/locales.ts';
import { endonym, type Translator } from '../../i18n/index.ts';
import { html, type SafeHtml } from './html.ts';
import { can } from '../../services/users.ts';
import { assetUrl } from '../asset-manifest.ts';

export interface PageContext {
  locale: Locale;
  t: Translator;
  /** Current path+query, used by the language switcher. */
  url: string;
  user?: { email: string; role: string } | null;
  csrfToken?: string;
}

function withLang(url: string, lang: string): string {
  const u = new URL(url, 'http://x');
  u.searchParams.set('lang', lang);
  return u.pathname + u.search;
}

function languageSwitcher(ctx: PageContext): SafeHtml {
  return html`<nav class="lang" aria-label="${ctx.t('layout.language')}"><ul>${LOCALES.map((l) =>
    l === ctx.locale
      ? html`<li><span aria-current="true" lang="${l}">${endonym(l)}</span></li>`
      : html`<li><a href="${withLang(ctx.url, l)}" lang="${l}" hreflang="${l}">${endonym(l)}</a></li>`,
  )}</ul></nav>`;
}

export interface LayoutOptions {
  scripts?: string[];
  wide?: boolean;
  /** Extra stylesheets of our own origin (an event's accent colour). */
  styles?: string[];
  /** Extra head elements: link-preview metadata (Open Graph, JSON-LD). */
  head?: SafeHtml;
  /** The page is the form inside another site's frame: no site header, footer or language switcher. */
  embedded?: boolean;
}

export function layout(ctx: PageContext, title: string, body: SafeHtml, opts: LayoutOptions = {}): string {
  return html`<!doctype html>
<html lang="${ctx.locale}" dir="${textDirection(ctx.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Admit</title>
<link rel="icon" href="${assetUrl('/assets/icon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${assetUrl('/assets/app.css')}">
${(opts.styles ?? []).map((s) => html`<link rel="stylesheet" href="${s}">`)}
${opts.head ?? ''}
${(opts.scripts ?? []).some((s) => s.includes("altcha")) ? html`<link rel="stylesheet" href="${assetUrl('/assets/altcha.css')}">` : ""}
${(opts.scripts ?? []).map((s) => html`<script type="module" src="${assetUrl(s)}"></script>`)}
</head>
<body${opts.embedded ? html` class="embedded"` : ''}>
${opts.embedded ? '' : html`<a class="skip" href="#main">${ctx.t('layout.skip')}</a>
<header class="site">
<a class="brand" href="/">Admit</a>
${ctx.user ? html`<nav class="staff" aria-label="${ctx.t('layout.staff_nav')}"><ul>
${can(ctx.user.role, 'reviewApplications') ? html`<li><a href="/admin">${ctx.t('admin.nav.events')}</a></li>` : ''}
${can(ctx.user.role, 'checkIn') ? html`<li><a href="/checkin">${ctx.t('admin.nav.checkin')}</a></li>` : ''}
${can(ctx.user.role, 'readMail') ? html`<li><a href="/admin/mail">${ctx.t('admin.nav.mail')}</a></li>` : ''}
${can(ctx.user.role, 'manageUsers') ? html`<li><a href="/admin/users">${ctx.t('admin.nav.users')}</a></li>` : ''}
<li><a href="/admin/account">${ctx.t('staff.nav_account')}</a></li>
<li><form method="post" action="/logout"><input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ''}"><button class="link" type="submit">${ctx.t('admin.nav.logout')}</button></form></li>
</ul></nav>` : ''}
${languageSwitcher(ctx)}
</header>`}
<main id="main" class="${opts.wide ? 'wide' : ''}" tabindex="-1">
${body}
</main>
${opts.embedded ? '' : html`<footer class="site"><p>${ctx.t('layout.footer')}</p></footer>`}
</body>
</html>`.value;
}
