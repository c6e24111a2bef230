import type { OutboxRow } from '../db/schema.ts';
import { isMailTemplateName, type MailTemplateName, type MailTemplateParams } from './templates.ts';

/**
 * Capability links — an applicant's status page `/a/<token>` (verify, offer, confirm/decline, withdraw, tickets) and
 * a staff member's `/setup/<token>` — act for the person they were mailed to. They are that person's secret
 * (ADR 0007): staff never see them, and the outbox holds them only until the mail is handed over.
 *
 * For each template, the params that carry such a link. Declared per name and type-checked, so a new template
 * has to say whether it carries one.
 */
export const CAPABILITY_PARAMS = {
  'application.verify': ['url'],
  'application.already_applied': ['url'],
  'application.withdrawn': [],
  'user.setup': ['url'],
  offer: ['url'],
  'draw.waitlisted': ['url'],
  'application.confirmed': ['ticketsUrl'],
  'application.declined': [],
  'offer.expired': [],
  'event.reveal': ['ticketsUrl'],
  'application.rejected': [],
  'offer.reminder': ['url'],
  'offer.extended': ['url'],
  'user.password_reset': ['url'],
  // The body may hold {status_link}/{ticket_link} (scrubbed as text below); the unsubscribe link is /u/<token>.
  'organizer.message': ['unsubscribeUrl'],
  'ticket.guest': ['ticketUrl'],
  'event.reminder': ['ticketsUrl', 'calendarUrl', 'unsubscribeUrl'],
  'event.thanks': ['unsubscribeUrl'],
} as const satisfies { [N in MailTemplateName]: readonly (keyof MailTemplateParams<N>)[] };

export const REDACTED = '[redacted]';

/** Tokens are 160 bits in base64url (27 characters); anything ≥ 16 after /a/, /t/ (a guest's ticket), /u/ (unsubscribe), /setup/ or /password-reset/ is treated as one. */
const CAPABILITY_IN_TEXT = /(\/(?:a|t|u|setup|password-reset)\/)[A-Za-z0-9_-]{16,}/g;

/** A text (a rendered body, a link) with every capability token replaced by the marker; the rest of the URL stays. */
export function redactCapabilityText(text: string): string {
  return text.replace(CAPABILITY_IN_TEXT, `$1${REDACTED}`);
}

function redactDeep(v: unknown): unknown {
  if (typeof v === 'string') return redactCapabilityText(v);
  if (Array.isArray(v)) return v.map(redactDeep);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactDeep(x)]));
  return v;
}

/**
 * A template's params (as stored: JSON) without capability links. The declared link params lose their token (or,
 * if they do not look like one of our links, their whole value); every other string is scrubbed too. Params that
 * are not JSON are returned unchanged (the row cannot be rendered anyway and shows why).
 */
export function redactCapabilityParams(template: string | null, params: string | null): string | null {
  if (params == null) return params;
  let parsed: unknown;
  try {
    parsed = JSON.parse(params);
  } catch {
    return params;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return params;
  const out = redactDeep(parsed) as Record<string, unknown>;
  const keys: readonly string[] = isMailTemplateName(template) ? CAPABILITY_PARAMS[template] : [];
  for (const k of keys) {
    // Not recognisable as one of our links (and not already redacted): the whole value goes.
    const v = out[k];
    if (typeof v === 'string' && v === (parsed as Record<string, unknown>)[k] && !v.includes(REDACTED)) out[k] = REDACTED;
  }
  return JSON.stringify(out);
}

/** The stored columns of a mail with its capability links removed (for rows that were sent or gave up). */
export function redactedMailColumns(row: Pick<OutboxRow, 'template' | 'params' | 'text_body' | 'html_body'>) {
  return {
    params: redactCapabilityParams(row.template, row.params),
    text_body: row.text_body == null ? row.text_body : redactCapabilityText(row.text_body),
    html_body: row.html_body == null ? row.html_body : redactCapabilityText(row.html_body),
  };
}
