import type { Locale } from '../domain/locales.ts';
import { t } from '../i18n/index.ts';
import { html, paragraphs, type SafeHtml } from '../http/views/html.ts';
import { MAIL_ACCENT } from './brand.ts';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** A short mail: greeting, paragraphs, optional call-to-action link, sign-off. Pure. */
export interface MailContent {
  subject: string;
  greeting: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  footer?: string;
}

export function renderMail(locale: Locale, c: MailContent): RenderedMail {
  const text = [
    c.greeting,
    '',
    ...c.paragraphs.flatMap((p) => [p, '']),
    ...(c.action ? [`${c.action.label}:`, c.action.url, ''] : []),
    t(locale, 'mail.signoff'),
    ...(c.footer ? ['', '--', c.footer] : []),
  ].join('\n');
  const body: SafeHtml = html`<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${c.subject}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:36rem;margin:0 auto;padding:1rem">
<p>${c.greeting}</p>
${c.paragraphs.map((p) => paragraphs(p))}
${c.action ? html`<p><a href="${c.action.url}" style="display:inline-block;background:${MAIL_ACCENT};color:#fff;padding:.6rem 1rem;border-radius:.4rem;text-decoration:none">${c.action.label}</a></p>
<p style="font-size:.9em;color:#555">${c.action.url}</p>` : ''}
<p>${t(locale, 'mail.signoff')}</p>
${c.footer ? html`<hr><p style="font-size:.85em;color:#555">${c.footer}</p>` : ''}
</body></html>`;
  return { subject: c.subject, text, html: body.value };
}

export function verificationMail(locale: Locale, p: { name: string; eventTitle: string; url: string }): RenderedMail {
  return renderMail(locale, {
    subject: t(locale, 'mail.verify.subject', { event: p.eventTitle }),
    greeting: t(locale, 'mail.greeting', { name: p.name }),
    paragraphs: [t(locale, 'mail.verify.body', { event: p.eventTitle }), t(locale, 'mail.verify.next')],
    action: { label: t(locale, 'mail.verify.action'), url: p.url },
    footer: t(locale, 'mail.verify.footer'),
  });
}

export function alreadyAppliedMail(locale: Locale, p: { name: string; eventTitle: string; url: string }): RenderedMail {
  return renderMail(locale, {
    subject: t(locale, 'mail.already.subject', { event: p.eventTitle }),
    greeting: t(locale, 'mail.greeting', { name: p.name }),
    paragraphs: [t(locale, 'mail.already.body', { event: p.eventTitle })],
    action: { label: t(locale, 'mail.already.action'), url: p.url },
    footer: t(locale, 'mail.already.footer'),
  });
}

export function withdrawnMail(locale: Locale, p: { name: string; eventTitle: string }): RenderedMail {
  return renderMail(locale, {
    subject: t(locale, 'mail.withdrawn.subject', { event: p.eventTitle }),
    greeting: t(locale, 'mail.greeting', { name: p.name }),
    paragraphs: [t(locale, 'mail.withdrawn.body', { event: p.eventTitle })],
  });
}

export function setupMail(locale: Locale, p: { url: string }): RenderedMail {
  return renderMail(locale, {
    subject: t(locale, 'mail.setup.subject'),
    greeting: t(locale, 'mail.greeting_plain'),
    paragraphs: [t(locale, 'mail.setup.body')],
    action: { label: t(locale, 'mail.setup.action'), url: p.url },
  });
}
