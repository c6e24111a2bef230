import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Locale } from '../domain/locales.ts';
import { t } from '../i18n/index.ts';
import { escapeHtml, html, raw } from '../http/views/html.ts';
import type { RenderedMail } from './render.ts';

/**
 * Messages from the organizer (issue 13, ADR 0013): the organizer writes plain text; the only thing that is
 * ever substituted is a placeholder from this fixed list. Nothing else is interpreted — no markup, no expressions —
 * and the HTML part is the escaped text with its line breaks (links made clickable after escaping).
 */
export const PLACEHOLDERS = ['name', 'party_size', 'status_link', 'ticket_link', 'event_date', 'venue'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
/** Only filled in for confirmed guests once time and venue are revealed; empty for everyone else. */
export const REVEALED_PLACEHOLDERS: readonly Placeholder[] = ['event_date', 'venue'];
/** Need a fresh status-page link per recipient (a capability link, ADR 0007). */
export const LINK_PLACEHOLDERS: readonly Placeholder[] = ['status_link', 'ticket_link'];

const PLACEHOLDER_RE = /\{([a-z_]+)\}/g;

/** The placeholders a text uses, known or not. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER_RE)].map((m) => m[1]))];
}

export const isPlaceholder = (name: string): name is Placeholder => (PLACEHOLDERS as readonly string[]).includes(name);

/** Replaces known placeholders in ONE pass (a value containing "{name}" is not substituted again). Unknown ones stay as written. */
export function fillPlaceholders(text: string, values: Partial<Record<Placeholder, string>>): string {
  return text.replace(PLACEHOLDER_RE, (whole, name: string) => (isPlaceholder(name) ? (values[name] ?? '') : whole));
}

export interface OrganizerMessageParams {
  eventTitle: string;
  /** Subject and body with the placeholders already filled in for this recipient. */
  subject: string;
  body: string;
  /** One-click unsubscribe from this event's organizer messages (RFC 8058); a capability link. */
  unsubscribeUrl?: string | null;
}

const URL_IN_ESCAPED = /https?:\/\/[^\s<>"']+/g;

/** Escaped text → HTML paragraphs; http(s) URLs become links (matched in the already escaped text). */
function textToHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .filter((p) => p.trim())
    .map((p) => `<p>${escapeHtml(p).replace(URL_IN_ESCAPED, (u) => `<a href="${u}">${u}</a>`).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

/** The template `organizer.message` (src/mail/templates.ts). Pure. */
export function organizerMessageMail(locale: Locale, p: OrganizerMessageParams): RenderedMail {
  const footer = t(locale, 'messages.mail_footer', { event: p.eventTitle });
  const unsub = p.unsubscribeUrl ? t(locale, 'messages.mail_unsubscribe') : null;
  const text = [p.body.trim(), '', '--', footer, ...(p.unsubscribeUrl ? [`${unsub}: ${p.unsubscribeUrl}`] : [])].join('\n');
  const body = html`<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${p.subject}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:36rem;margin:0 auto;padding:1rem">
${raw(textToHtml(p.body))}
<hr><p style="font-size:.85em;color:#555">${footer}${p.unsubscribeUrl ? html`<br><a href="${p.unsubscribeUrl}">${unsub}</a>` : ''}</p>
</body></html>`;
  return { subject: p.subject, text, html: body.value };
}

/** The unsubscribe capability: /u/<application id><MAC>. No storage; the MAC (128 bits) is keyed with the server secret. */
const MAC_LENGTH = 22;
function unsubscribeMac(secret: string, applicationId: string): string {
  return createHmac('sha256', secret).update(`unsubscribe:${applicationId}`).digest('base64url').slice(0, MAC_LENGTH);
}

export function unsubscribeToken(secret: string, applicationId: string): string {
  return `${applicationId}${unsubscribeMac(secret, applicationId)}`;
}

/** The application id a token stands for, or null when the token is not one of ours. */
export function applicationOfUnsubscribeToken(secret: string, token: string): string | null {
  if (token.length <= MAC_LENGTH || token.length > 80) return null;
  const id = token.slice(0, -MAC_LENGTH);
  const a = Buffer.from(token.slice(-MAC_LENGTH));
  const b = Buffer.from(unsubscribeMac(secret, id));
  return a.length === b.length && timingSafeEqual(a, b) ? id : null;
}
