import { AppError, type FieldError } from '../errors.ts';
import type { Queryable } from '../db/connect.ts';
import type { OutboxRow } from '../db/schema.ts';
import { isLocale, LOCALES, type Locale } from '../domain/locales.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { t } from '../i18n/index.ts';
import { html, type SafeHtml } from '../http/views/html.ts';
import type { RenderedMail } from '../mail/render.ts';
import { renderTemplate, type MailTemplateName, type MailTemplateRef } from '../mail/templates.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';

/**
 * Organizers' own wording of the built-in mails, per event and language (issue 13 part 2, ADR 0014).
 *
 * A text is a subject and a body with placeholders from a fixed list per mail ({name}, {event}, {link}, …): plain
 * text, filled with the mail's own params and escaped for HTML, so nothing an organizer types can execute or
 * inject markup. Placeholders a mail cannot do without (the capability link, the deadline) must stay: a text
 * without them is refused. The default text shown in the editor is the built-in mail itself, rendered with the
 * placeholders as values, so "reset" gives back exactly what would be sent without a custom text.
 *
 * Custom texts apply when a mail is sent (the sender's prepare step): the outbox keeps the template reference,
 * and a text edited before sending is the one that goes out.
 */
type Values = Record<string, string>;
interface EditableMail {
  /** Placeholders this mail offers, in the order the editor lists them. */
  placeholders: readonly string[];
  /** Placeholders a custom text must keep. */
  required: readonly string[];
  /** The built-in mail's params with each value being its placeholder: renders the default text. */
  sample: Record<string, unknown>;
  /** The values of the placeholders for one mail's params. */
  values(locale: Locale, params: Record<string, unknown>): Values;
}

const s = (v: unknown): string => (v == null ? '' : String(v));
const details = (locale: Locale, d: unknown): Values => {
  const x = d as { when?: string; where?: string } | null;
  return { when: x?.when ?? t(locale, 'ticketpdf.tba'), where: x?.where ?? t(locale, 'ticketpdf.tba') };
};
const SAMPLE_DETAILS = { when: '{when}', where: '{where}', mapUrl: null };

export const EDITABLE_MAILS = {
  'application.verify': {
    placeholders: ['name', 'event', 'link'],
    required: ['link'],
    sample: { name: '{name}', eventTitle: '{event}', url: '{link}' },
    values: (_l, p) => ({ name: s(p.name), event: s(p.eventTitle), link: s(p.url) }),
  },
  offer: {
    placeholders: ['name', 'event', 'seats', 'deadline', 'link'],
    required: ['link', 'deadline'],
    sample: { name: '{name}', eventTitle: '{event}', url: '{link}', deadline: '{deadline}', seats: '{seats}', source: 'draw' },
    values: (_l, p) => ({ name: s(p.name), event: s(p.eventTitle), seats: s(p.seats), deadline: s(p.deadline), link: s(p.url) }),
  },
  'draw.waitlisted': {
    placeholders: ['name', 'event', 'position', 'link'],
    required: ['link'],
    sample: { name: '{name}', eventTitle: '{event}', url: '{link}', position: '{position}' },
    values: (_l, p) => ({ name: s(p.name), event: s(p.eventTitle), position: s(p.position), link: s(p.url) }),
  },
  'application.rejected': {
    placeholders: ['name', 'event'],
    required: [],
    sample: { name: '{name}', eventTitle: '{event}' },
    values: (_l, p) => ({ name: s(p.name), event: s(p.eventTitle) }),
  },
  'offer.reminder': {
    placeholders: ['name', 'event', 'deadline', 'link'],
    required: ['link', 'deadline'],
    sample: { name: '{name}', eventTitle: '{event}', url: '{link}', deadline: '{deadline}' },
    values: (_l, p) => ({ name: s(p.name), event: s(p.eventTitle), deadline: s(p.deadline), link: s(p.url) }),
  },
  'application.confirmed': {
    placeholders: ['name', 'event', 'seats', 'tickets', 'when', 'where', 'link'],
    required: ['link'],
    sample: { name: '{name}', eventTitle: '{event}', seats: '{seats}', holders: ['{tickets}'], ticketsUrl: '{link}', details: SAMPLE_DETAILS },
    values: (l, p) => {
      const holders = (p.holders as string[] | undefined) ?? [];
      const codes = (p.doorCodes as string[] | undefined) ?? [];
      const tickets = holders.map((h, i) => (codes[i] ? `${h} — ${t(l, 'doorcode.mail_code', { code: codes[i] })}` : h)).join('\n– ');
      return { name: s(p.name), event: s(p.eventTitle), seats: s(p.seats), tickets, ...details(l, p.details), link: s(p.ticketsUrl) };
    },
  },
  'event.reveal': {
    placeholders: ['name', 'event', 'when', 'where', 'link'],
    required: ['link', 'when', 'where'],
    sample: { name: '{name}', eventTitle: '{event}', details: SAMPLE_DETAILS, ticketsUrl: '{link}', update: false },
    values: (l, p) => ({ name: s(p.name), event: s(p.eventTitle), ...details(l, p.details), link: s(p.ticketsUrl) }),
  },
  'ticket.guest': {
    placeholders: ['name', 'applicant', 'event', 'door_code', 'when', 'where', 'link'],
    required: ['link'],
    sample: { name: '{name}', applicantName: '{applicant}', eventTitle: '{event}', doorCode: '{door_code}', ticketUrl: '{link}', details: SAMPLE_DETAILS },
    values: (l, p) => ({ name: s(p.name), applicant: s(p.applicantName), event: s(p.eventTitle), door_code: s(p.doorCode), ...details(l, p.details), link: s(p.ticketUrl) }),
  },
  'event.reminder': {
    placeholders: ['name', 'event', 'when', 'where', 'calendar_link', 'link'],
    required: ['link'],
    sample: { name: '{name}', eventTitle: '{event}', details: SAMPLE_DETAILS, ticketsUrl: '{link}', calendarUrl: '{calendar_link}' },
    values: (l, p) => ({ name: s(p.name), event: s(p.eventTitle), ...details(l, p.details), calendar_link: s(p.calendarUrl), link: s(p.ticketsUrl) }),
  },
  'event.thanks': {
    placeholders: ['name', 'event'],
    required: [],
    sample: { name: '{name}', eventTitle: '{event}' },
    values: (_l, p) => ({ name: s(p.name), event: s(p.eventTitle) }),
  },
} as const satisfies Partial<Record<MailTemplateName, EditableMail>>;

export type EditableMailName = keyof typeof EDITABLE_MAILS;
export const EDITABLE_MAIL_NAMES = Object.keys(EDITABLE_MAILS) as EditableMailName[];
export const isEditableMail = (name: unknown): name is EditableMailName => typeof name === 'string' && Object.hasOwn(EDITABLE_MAILS, name);

const spec = (name: EditableMailName): EditableMail => EDITABLE_MAILS[name] as EditableMail;

export interface MailText {
  subject: string;
  body: string;
}

/** The built-in text with placeholders: what the editor starts from and what "reset" restores. */
export function defaultMailText(name: EditableMailName, locale: Locale): MailText {
  const m = renderTemplate({ name, locale, params: spec(name).sample } as unknown as MailTemplateRef);
  const signoff = t(locale, 'mail.signoff');
  const body = m.text.replace(`\n${signoff}`, '').replace(/\n{3,}/g, '\n\n').trim();
  return { subject: m.subject, body };
}

const PLACEHOLDER = /\{([a-z_]+)\}/g;
export const SUBJECT_MAX = 200;
export const BODY_MAX = 5000;

/** What is wrong with a text, as field errors (an empty list = fine). */
export function checkMailText(name: EditableMailName, text: MailText): FieldError[] {
  const { placeholders, required } = spec(name);
  const errors: FieldError[] = [];
  for (const [field, value, max] of [
    ['subject', text.subject, SUBJECT_MAX],
    ['body', text.body, BODY_MAX],
  ] as const) {
    if (!value.trim()) errors.push({ field, code: 'required' });
    else if (value.length > max) errors.push({ field, code: 'too_long', params: { max } });
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(value)) errors.push({ field, code: 'control_characters' });
    const unknown = [...value.matchAll(PLACEHOLDER)].map((m) => m[1]).find((p) => !placeholders.includes(p));
    if (unknown) errors.push({ field, code: 'placeholder_unknown', params: { placeholder: `{${unknown}}` } });
  }
  if (/\n/.test(text.subject)) errors.push({ field: 'subject', code: 'invalid' });
  const used = new Set([...`${text.subject}\n${text.body}`.matchAll(PLACEHOLDER)].map((m) => m[1]));
  const missing = required.filter((p) => !used.has(p));
  if (missing.length) errors.push({ field: 'body', code: 'placeholder_missing', params: { placeholder: missing.map((p) => `{${p}}`).join(', ') } });
  return errors;
}

const fill = (text: string, values: Values) => text.replace(PLACEHOLDER, (all, k: string) => (Object.hasOwn(values, k) ? values[k] : all));

/** A custom text made into a mail: placeholders filled as plain text; in HTML escaped, a line that is a link made a link. */
export function renderMailText(name: EditableMailName, locale: Locale, text: MailText, params: Record<string, unknown>): RenderedMail {
  return renderFilled(locale, text, spec(name).values(locale, params));
}

function renderFilled(locale: Locale, text: MailText, values: Values): RenderedMail {
  const subject = fill(text.subject, values).replace(/\s+/g, ' ').trim();
  const body = fill(text.body, values).replace(/\r\n?/g, '\n').trim();
  const signoff = t(locale, 'mail.signoff');
  const paras = body.split(/\n{2,}/).filter((p) => p.trim());
  const line = (l: string): SafeHtml => (/^https?:\/\/\S+$/.test(l.trim()) ? html`<a href="${l.trim()}">${l.trim()}</a>` : html`${l}`);
  const para = (p: string): SafeHtml => html`<p>${p.split('\n').map((l, i) => (i ? html`<br>${line(l)}` : line(l)))}</p>`;
  const doc = html`<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:36rem;margin:0 auto;padding:1rem">
${paras.map(para)}
${para(signoff)}
</body></html>`;
  return { subject, text: `${body}\n\n${signoff}`, html: doc.value };
}

export async function findMailText(db: Queryable, eventId: string, name: string, locale: string): Promise<MailText | null> {
  const row = await db.selectFrom('event_mail_texts').select(['subject', 'body']).where('event_id', '=', eventId).where('template', '=', name).where('locale', '=', locale).executeTakeFirst();
  return row ?? null;
}

/** Which (template, locale) pairs of an event have a custom text. */
export async function customMailTexts(db: Queryable, eventId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('event_mail_texts').select(['template', 'locale']).where('event_id', '=', eventId).execute();
  return new Set(rows.map((r) => `${r.template}:${r.locale}`));
}

/** Saves a custom text after checking it; refused texts throw validation.failed with the fields (nothing stored). */
export async function saveMailText(deps: Deps, actor: string, eventId: string, name: EditableMailName, locale: Locale, text: MailText): Promise<void> {
  const errors = checkMailText(name, text);
  if (errors.length) throw new AppError('validation.failed', { fields: errors });
  const nowIso = deps.clock.now().toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    const exists = await findMailText(trx, eventId, name, locale);
    const row = { subject: text.subject.trim(), body: text.body.replace(/\r\n?/g, '\n').trim(), updated_at: nowIso, updated_by: actor };
    if (exists) await trx.updateTable('event_mail_texts').set(row).where('event_id', '=', eventId).where('template', '=', name).where('locale', '=', locale).execute();
    else await trx.insertInto('event_mail_texts').values({ event_id: eventId, template: name, locale, ...row }).execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: 'event.mail_text_saved', eventId, subjectId: eventId, data: { template: name, locale } });
  });
}

/** Back to the built-in text. */
export async function resetMailText(deps: Deps, actor: string, eventId: string, name: EditableMailName, locale: Locale): Promise<void> {
  const nowIso = deps.clock.now().toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('event_mail_texts').where('event_id', '=', eventId).where('template', '=', name).where('locale', '=', locale).execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor, action: 'event.mail_text_reset', eventId, subjectId: eventId, data: { template: name, locale } });
  });
}

/** Example params for the preview: the sample's placeholders replaced by plausible values. */
export function previewMail(name: EditableMailName, locale: Locale, text: MailText, example: { eventTitle: string; publicUrl: string }): RenderedMail {
  const values: Values = {
    name: t(locale, 'mailtexts.example_name'),
    applicant: t(locale, 'mailtexts.example_applicant'),
    event: example.eventTitle,
    link: `${example.publicUrl}/a/…`,
    seats: '2',
    position: '7',
    deadline: t(locale, 'mailtexts.example_deadline'),
    tickets: t(locale, 'mailtexts.example_name'),
    when: t(locale, 'mailtexts.example_when'),
    where: t(locale, 'mailtexts.example_where'),
    door_code: 'K7QM2-X9TRB',
    calendar_link: `${example.publicUrl}/a/…/event.ics`,
  };
  return renderFilled(locale, text, Object.fromEntries(spec(name).placeholders.map((k) => [k, values[k] ?? ''])));
}

/**
 * For the sender: a row of an editable mail whose event has a custom text in the row's language is rendered with
 * it (returned pre-rendered: template null); any other row is returned unchanged.
 */
export function mailTextResolver(db: Queryable): (row: OutboxRow) => Promise<OutboxRow> {
  return async (row) => {
    if (!row.event_id || !isEditableMail(row.template) || !isLocale(row.locale) || !row.params) return row;
    const text = await findMailText(db, row.event_id, row.template, row.locale);
    if (!text) return row;
    const m = renderMailText(row.template, row.locale, text, JSON.parse(row.params) as Record<string, unknown>);
    return { ...row, template: null, subject: m.subject, text_body: m.text, html_body: m.html };
  };
}

/**
 * The previews of a mass action's confirmation page as the mails will really go out: where the event has its own
 * wording of a mail in a language, the preview shows that text (filled with the preview's sample params).
 */
export async function withEventMailTexts<P extends { kind: string; locale: Locale; params: Record<string, unknown>; mail: RenderedMail }>(
  db: Queryable,
  eventId: string,
  previews: P[],
): Promise<P[]> {
  return Promise.all(
    previews.map(async (p) => {
      if (!isEditableMail(p.kind)) return p;
      const text = await findMailText(db, eventId, p.kind, p.locale);
      return text ? { ...p, mail: renderMailText(p.kind, p.locale, text, p.params) } : p;
    }),
  );
}

export const MAIL_TEXT_LOCALES = LOCALES;
