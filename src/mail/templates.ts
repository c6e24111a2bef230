import { DEFAULT_LOCALE, isLocale, type Locale } from '../domain/locales.ts';
import type { OutboxRow } from '../db/schema.ts';
import { alreadyAppliedMail, setupMail, verificationMail, withdrawnMail, type RenderedMail } from './render.ts';
import { offerMail, waitlistedMail } from './selection-mails.ts';
import { rejectedMail } from './review-mails.ts';
import { offerExtendedMail, offerReminderMail } from './deadline-mails.ts';
import { confirmedMail, declinedMail, expiredMail, revealMail } from './after-draw-mails.ts';
import { passwordResetMail } from './staff-mails.ts';
import { organizerMessageMail } from './messages.ts';
import { guestTicketMail } from './guest-mails.ts';
import { eventReminderMail, eventThanksMail } from './automatic.ts';

/**
 * The registry of mail templates that may be stored by reference in the outbox (ADR 0004, "rendering mail at
 * send time"): a row carries `template` (a key of this object), `locale` and `params` (JSON), and the sender,
 * the .eml writer and /admin/mail render it when they need the text. Enqueueing is then one JSON.stringify
 * instead of i18n lookups and HTML templating, and the row is a few hundred bytes instead of ~4 KB.
 *
 * Rules for entries:
 * - A template is a pure function (locale, params) → RenderedMail; params must survive JSON (strings,
 *   numbers, booleans, null, arrays and plain objects of those; no Date, no undefined that matters).
 *   Anything that depends on the moment of enqueueing (a formatted deadline, the event title as it was,
 *   a link with a fresh token) is computed by the caller and passed in.
 * - Names are stored in rows that may wait for hours (retries) and are shown later at /admin/mail:
 *   never rename or remove one, and keep its params backwards compatible (add optional fields only).
 *   A different mail gets a new name.
 */
export const mailTemplates = {
  'application.verify': verificationMail,
  'application.already_applied': alreadyAppliedMail,
  'application.withdrawn': withdrawnMail,
  'user.setup': setupMail,
  'user.password_reset': passwordResetMail,
  /** Any offer; `source` decides the wording (invite, review, draw, waitlist). */
  offer: offerMail,
  'draw.waitlisted': waitlistedMail,
  'application.confirmed': confirmedMail,
  'application.declined': declinedMail,
  'offer.expired': expiredMail,
  /** The reveal and a later change of the details (`update: true`). */
  'event.reveal': revealMail,
  /** A rejection in review, when the organizer chose to send it. */
  'application.rejected': rejectedMail,
  /** 24 h before an offer expires (services/deadlines.ts). */
  'offer.reminder': offerReminderMail,
  /** The organizer extended an offer's deadline. */
  'offer.extended': offerExtendedMail,
  /** A message from the organizer to a segment (services/messages.ts); placeholders filled in at enqueueing. */
  'organizer.message': organizerMessageMail,
  /** A guest's own ticket, when the applicant gave the guest's address on confirming (ADR 0014). */
  'ticket.guest': guestTicketMail,
  /** Automatic mails the organizer switches on per event (services/auto-mails.ts). */
  'event.reminder': eventReminderMail,
  'event.thanks': eventThanksMail,
} as const satisfies Record<string, (locale: Locale, params: never) => RenderedMail>;

export type MailTemplateName = keyof typeof mailTemplates;
export type MailTemplateParams<N extends MailTemplateName> = Parameters<(typeof mailTemplates)[N]>[1];

/** A mail by reference: `{ name: 'application.verify', locale, params: { name, eventTitle, url } }`, params checked per name. */
export type MailTemplateRef = { [N in MailTemplateName]: { name: N; locale: Locale; params: MailTemplateParams<N> } }[MailTemplateName];

export function isMailTemplateName(name: unknown): name is MailTemplateName {
  return typeof name === 'string' && Object.hasOwn(mailTemplates, name);
}

/** Renders a reference. Pure. */
export function renderTemplate(ref: MailTemplateRef): RenderedMail {
  const render = mailTemplates[ref.name] as (locale: Locale, params: unknown) => RenderedMail;
  return render(ref.locale, ref.params);
}

export class MailRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailRenderError';
  }
}

/** The columns that decide what a stored mail says. */
export type StoredMailColumns = Pick<OutboxRow, 'subject' | 'text_body' | 'html_body' | 'template' | 'locale' | 'params'>;

/**
 * Subject, text and HTML of an outbox row: a template row is rendered now, a pre-rendered row (written
 * before migration 007, or by a caller that rendered itself) is returned as stored. Throws MailRenderError
 * for a row that cannot be rendered (unknown template, params erased or not JSON).
 */
export function renderOutboxMail(row: StoredMailColumns): RenderedMail {
  if (row.template == null) return { subject: row.subject ?? '', text: row.text_body ?? '', html: row.html_body ?? '' };
  if (!isMailTemplateName(row.template)) throw new MailRenderError(`unknown mail template ${JSON.stringify(row.template)}`);
  if (row.params == null) throw new MailRenderError(`mail template ${row.template} without params`);
  let params: unknown;
  try {
    params = JSON.parse(row.params);
  } catch {
    throw new MailRenderError(`mail template ${row.template}: params are not JSON`);
  }
  if (!params || typeof params !== 'object') throw new MailRenderError(`mail template ${row.template}: params are not an object`);
  // A locale no longer shipped renders in the default language rather than not at all.
  const locale: Locale = isLocale(row.locale) ? row.locale : DEFAULT_LOCALE;
  return renderTemplate({ name: row.template, locale, params } as MailTemplateRef);
}

/**
 * The row with subject and bodies filled in (template rows rendered), for code and tests that read
 * stored mails: `withRenderedMail(await db.selectFrom('outbox').selectAll()….executeTakeFirstOrThrow())`.
 */
export function withRenderedMail<R extends StoredMailColumns>(row: R): R & { subject: string; text_body: string; html_body: string } {
  const m = renderOutboxMail(row);
  return { ...row, subject: m.subject, text_body: m.text, html_body: m.html };
}
