import { type ExpressionBuilder, sql, type SelectQueryBuilder } from 'kysely';
import type { Queryable } from '../db/connect.ts';
import type { DB } from '../db/schema.ts';
import { AppError, type FieldError } from '../errors.ts';
import { contentFor, type Event } from '../domain/event.ts';
import { isLocale, LOCALES, type Locale } from '../domain/locales.ts';
import { findEventById } from '../db/repositories/events.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { formatDateTime } from '../i18n/index.ts';
import { hashToken, newToken } from '../platform/random.ts';
import { outboxRow } from '../mail/outbox.ts';
import { fillPlaceholders, isPlaceholder, LINK_PLACEHOLDERS, placeholdersIn, REVEALED_PLACEHOLDERS, unsubscribeToken, type Placeholder } from '../mail/messages.ts';
import { renderTemplate } from '../mail/templates.ts';
import type { RenderedMail } from '../mail/render.ts';
import { nextId } from './ids.ts';
import type { Deps } from './deps.ts';

/** Who a message goes to (issue 13). Every audience leaves out withdrawn and erased applications. */
export const AUDIENCES = ['everyone', 'verified', 'selected', 'offered', 'confirmed', 'waitlisted', 'not_selected', 'checked_in', 'not_checked_in', 'invited'] as const;
export type Audience = (typeof AUDIENCES)[number];
export const WEIGHT_GROUPS = ['preferred', 'other'] as const;

export interface Segment {
  audience: Audience;
  /** ISO 3166-1 alpha-2; empty = every country. */
  countries: string[];
  /** The draw's weight group (preferred countries or the others); null = both. */
  group: (typeof WEIGHT_GROUPS)[number] | null;
  /** Invite categories (audience 'invited' only); empty = every category. */
  categories: string[];
}

export interface MessageText {
  subject: string;
  body: string;
}

export interface MessageInput {
  segment: Segment;
  /** One text per event language; a language left empty gets the fallback's text. */
  content: Partial<Record<Locale, MessageText>>;
  /** UTC ISO; null = now. */
  sendAt: string | null;
}

export const MAX_SUBJECT = 200;
export const MAX_BODY = 10_000;
/** Mails per INSERT when a message is expanded into the outbox. */
const WRITE_BATCH = 500;

/** The event's languages, default first: one text per language in the compose form. */
export function eventLocales(event: Event): Locale[] {
  const own = LOCALES.filter((l) => event.content[l]);
  return [event.defaultLocale, ...own.filter((l) => l !== event.defaultLocale)];
}

type AppQuery = SelectQueryBuilder<DB, 'applications', object>;

/** The applications a segment selects (not yet projected). Reads through the (event_id, status) index. */
export function segmentQuery(db: Queryable, event: Event, s: Segment): AppQuery {
  let q = db.selectFrom('applications').where('applications.event_id', '=', event.id).where('erased_at', 'is', null).where('status', '!=', 'withdrawn') as AppQuery;
  const checkedIn = (eb: ExpressionBuilder<DB, 'applications'>) =>
    eb.exists(
      eb
        .selectFrom('tickets')
        .select('tickets.id')
        .whereRef('tickets.application_id', '=', 'applications.id')
        .where('tickets.checked_in_at', 'is not', null)
        .where('tickets.voided_at', 'is', null),
    );
  switch (s.audience) {
    case 'everyone':
      break;
    case 'verified':
      q = q.where('verified', '=', 1);
      break;
    case 'selected':
      q = q.where('status', 'in', ['offered', 'confirmed']);
      break;
    case 'offered':
    case 'confirmed':
    case 'waitlisted':
      q = q.where('status', '=', s.audience);
      break;
    case 'not_selected':
      q = q.where('status', 'in', ['waitlisted', 'rejected']);
      break;
    case 'checked_in':
      q = q.where('status', '=', 'confirmed').where((eb) => checkedIn(eb));
      break;
    case 'not_checked_in':
      q = q.where('status', '=', 'confirmed').where((eb) => eb.not(checkedIn(eb)));
      break;
    case 'invited':
      q = q.where('kind', '=', 'invite');
      if (s.categories.length) q = q.where('category', 'in', s.categories);
      break;
  }
  if (s.countries.length) q = q.where('country', 'in', s.countries);
  if (s.group) {
    const preferred = event.preferredCountries;
    if (s.group === 'preferred') q = preferred.length ? q.where('country', 'in', preferred) : q.where(sql<boolean>`1 = 0`);
    else if (preferred.length) q = q.where('country', 'not in', preferred);
  }
  return q;
}

/** How many applications a segment reaches, per language: shown before anything is sent. */
export async function countSegment(db: Queryable, event: Event, s: Segment): Promise<{ total: number; byLocale: Map<string, number> }> {
  const rows = await segmentQuery(db, event, s)
    .select(['locale', (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy('locale')
    .execute();
  const byLocale = new Map(rows.map((r) => [r.locale, Number(r.n)]));
  return { total: [...byLocale.values()].reduce((a, b) => a + b, 0), byLocale };
}

/** The text a recipient of `locale` gets, and whether it is the fallback. */
export function textFor(content: MessageInput['content'], fallback: Locale, locale: string): { locale: Locale; text: MessageText; fallback: boolean } {
  const own = isLocale(locale) ? content[locale] : undefined;
  if (own && own.subject.trim() && own.body.trim()) return { locale: locale as Locale, text: own, fallback: false };
  return { locale: isLocale(locale) ? (locale as Locale) : fallback, text: content[fallback]!, fallback: true };
}

/** Guard clauses for a message; field names are `subject_<locale>`, `body_<locale>`, `send_at`, `countries`, `categories`. */
export function validateMessage(event: Event, input: MessageInput, now: Date): FieldError[] {
  const errors: FieldError[] = [];
  const fallback = event.defaultLocale;
  const main = input.content[fallback];
  if (!main?.subject.trim()) errors.push({ field: `subject_${fallback}`, code: 'required' });
  if (!main?.body.trim()) errors.push({ field: `body_${fallback}`, code: 'required' });
  const revealed = !!event.revealedAt;
  for (const [locale, text] of Object.entries(input.content) as [Locale, MessageText][]) {
    if (!text) continue;
    if (text.subject.trim() && !text.body.trim()) errors.push({ field: `body_${locale}`, code: 'required' });
    if (!text.subject.trim() && text.body.trim()) errors.push({ field: `subject_${locale}`, code: 'required' });
    if (text.subject.length > MAX_SUBJECT) errors.push({ field: `subject_${locale}`, code: 'too_long', params: { max: MAX_SUBJECT } });
    if (text.body.length > MAX_BODY) errors.push({ field: `body_${locale}`, code: 'too_long', params: { max: MAX_BODY } });
    for (const [field, value] of [[`subject_${locale}`, text.subject], [`body_${locale}`, text.body]] as const) {
      for (const name of placeholdersIn(value)) {
        if (!isPlaceholder(name)) errors.push({ field, code: 'unknown_placeholder', params: { name: `{${name}}` } });
        else if (REVEALED_PLACEHOLDERS.includes(name) && !revealed) errors.push({ field, code: 'placeholder_not_revealed', params: { name: `{${name}}` } });
      }
    }
  }
  if (input.sendAt && input.sendAt < new Date(now.getTime() - 60_000).toISOString()) errors.push({ field: 'send_at', code: 'send_time_past' });
  return errors;
}

interface Recipient {
  id: string;
  name: string;
  email: string;
  locale: string;
  party_size: number;
  seats: number | null;
  status: string;
}

/** Placeholder values for one recipient. Time and venue only for confirmed guests of a revealed event. */
function valuesFor(deps: Deps, event: Event, r: Recipient, locale: Locale, token: string | null): Partial<Record<Placeholder, string>> {
  const base = deps.config.publicUrl;
  const revealed = !!event.revealedAt && r.status === 'confirmed';
  return {
    name: r.name,
    party_size: String(r.seats ?? r.party_size),
    status_link: token ? `${base}/a/${token}` : '',
    ticket_link: token && r.status === 'confirmed' ? `${base}/a/${token}/tickets` : '',
    event_date: revealed && event.startsAt ? formatDateTime(event.startsAt, locale, event.timezone) : '',
    venue: revealed ? [event.venueName, event.venueAddress].filter(Boolean).join(', ') : '',
  };
}

/** The mail one recipient gets (params of the `organizer.message` template). */
function mailParams(deps: Deps, event: Event, m: { content: MessageInput['content']; fallback: Locale }, r: Recipient, token: string | null, unsubscribe: boolean) {
  const { locale, text } = textFor(m.content, m.fallback, r.locale);
  const values = valuesFor(deps, event, r, locale, token);
  return {
    locale,
    params: {
      eventTitle: contentFor(event, locale).title,
      subject: fillPlaceholders(text.subject, values).replace(/[\r\n]+/g, ' '),
      body: fillPlaceholders(text.body, values),
      unsubscribeUrl: unsubscribe ? `${deps.config.publicUrl}/u/${unsubscribeToken(deps.config.secret, r.id)}` : null,
    },
  };
}

const usesLinks = (content: MessageInput['content']) =>
  Object.values(content).some((c) => c && LINK_PLACEHOLDERS.some((p) => c.body.includes(`{${p}}`) || c.subject.includes(`{${p}}`)));

/** Sample previews per language, as the confirmation page shows them (links are placeholders, never tokens). */
export function previewMessage(deps: Deps, event: Event, input: MessageInput, locale: Locale): { mail: RenderedMail; fallback: boolean } {
  const sample: Recipient = { id: 'preview', name: 'Alex Example', email: 'alex@example.com', locale, party_size: 2, seats: 2, status: 'confirmed' };
  const { fallback } = textFor(input.content, event.defaultLocale, locale);
  const p = mailParams(deps, event, { content: input.content, fallback: event.defaultLocale }, sample, 'preview-link', true);
  p.params.unsubscribeUrl = `${deps.config.publicUrl}/u/…`;
  return { mail: renderTemplate({ name: 'organizer.message', locale: p.locale, params: p.params }), fallback };
}

async function loadEvent(deps: Deps, eventId: string): Promise<Event> {
  const event = await findEventById(deps.database.db, eventId);
  if (!event) throw new AppError('event.not_found');
  return event;
}

/**
 * Stores a message (to be sent at sendAt, or now) and, when it is due, queues it at once. Returns its id and
 * how many mails were queued now (null when it waits for its time).
 */
export async function createMessage(deps: Deps, actorId: string, eventId: string, input: MessageInput): Promise<{ id: string; queued: number | null }> {
  const event = await loadEvent(deps, eventId);
  const now = deps.clock.now();
  const errors = validateMessage(event, input, now);
  if (errors.length) throw new AppError('validation.failed', { fields: errors });
  const id = nextId(deps);
  const nowIso = now.toISOString();
  const sendAt = input.sendAt && input.sendAt > nowIso ? input.sendAt : nowIso;
  await deps.database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('messages')
      .values({
        id,
        event_id: eventId,
        created_by: actorId,
        created_at: nowIso,
        segment: JSON.stringify(input.segment),
        content: JSON.stringify(input.content),
        fallback_locale: event.defaultLocale,
        send_at: sendAt,
        status: 'scheduled',
        recipients: null,
        queued_at: null,
      })
      .execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: actorId, action: 'message.created', eventId, subjectId: id, data: { segment: input.segment, sendAt } });
  });
  const queued = sendAt <= nowIso ? await queueMessage(deps, id) : null;
  return { id, queued };
}

/**
 * Expands a due message into one outbox row per recipient, in ONE transaction that first moves the message from
 * scheduled to queued with a conditional UPDATE: of several instances (or a retry after a crash) exactly one
 * expands it, and either every recipient's mail is queued or none is. The outbox then sends each row once
 * (ADR 0013). Returns the number of mails queued, or null when the message was not (or no longer) due.
 */
export async function queueMessage(deps: Deps, messageId: string): Promise<number | null> {
  const nowIso = deps.clock.now().toISOString();
  const out = await deps.database.db.transaction().execute(async (trx) => {
    const won = await trx
      .updateTable('messages')
      .set({ status: 'queued', queued_at: nowIso })
      .where('id', '=', messageId)
      .where('status', '=', 'scheduled')
      .where('send_at', '<=', nowIso)
      .executeTakeFirst();
    if (Number(won.numUpdatedRows) !== 1) return null;
    const m = await trx.selectFrom('messages').selectAll().where('id', '=', messageId).executeTakeFirstOrThrow();
    const event = await findEventById(trx, m.event_id);
    if (!event) return null;
    const content = JSON.parse(m.content) as MessageInput['content'];
    const fallback = (isLocale(m.fallback_locale) ? m.fallback_locale : event.defaultLocale) as Locale;
    const links = usesLinks(content);
    const recipients = (await segmentQuery(trx, event, JSON.parse(m.segment) as Segment)
      .select(['applications.id', 'name', 'email', 'locale', 'party_size', 'seats', 'status'])
      .orderBy('applications.id')
      .execute()) as Recipient[];
    for (let i = 0; i < recipients.length; i += WRITE_BATCH) {
      const chunk = recipients.slice(i, i + WRITE_BATCH);
      const tokens = chunk.map(() => (links ? newToken(deps.random) : null));
      if (links) {
        await trx
          .insertInto('application_links')
          .values(chunk.map((r, j) => ({ token_hash: hashToken(tokens[j]!), application_id: r.id, created_at: nowIso })))
          .execute();
      }
      await trx
        .insertInto('outbox')
        .values(
          chunk.map((r, j) => {
            const p = mailParams(deps, event, { content, fallback }, r, tokens[j], true);
            return {
              ...outboxRow({ id: nextId(deps), kind: 'message', to: r.email, eventId: event.id, now: nowIso, template: { name: 'organizer.message', locale: p.locale, params: p.params } }),
              message_id: m.id,
              application_id: r.id,
            };
          }),
        )
        .execute();
    }
    await trx.updateTable('messages').set({ recipients: recipients.length }).where('id', '=', m.id).execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: 'system', action: 'message.queued', eventId: event.id, subjectId: m.id, data: { recipients: recipients.length } });
    return recipients.length;
  });
  if (out) deps.afterCommit?.mailEnqueued();
  return out;
}

/** The scheduler's job: queue every message whose time has come. */
export async function queueDueMessages(deps: Deps): Promise<number> {
  const due = await deps.database.db
    .selectFrom('messages')
    .select('id')
    .where('status', '=', 'scheduled')
    .where('send_at', '<=', deps.clock.now().toISOString())
    .orderBy('send_at')
    .limit(100)
    .execute();
  let n = 0;
  for (const m of due) n += (await queueMessage(deps, m.id)) ?? 0;
  return n;
}

/** A scheduled message that has not gone out yet is cancelled (nothing was queued). */
export async function cancelMessage(deps: Deps, actorId: string, eventId: string, messageId: string): Promise<boolean> {
  const nowIso = deps.clock.now().toISOString();
  return deps.database.db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('messages').set({ status: 'cancelled' }).where('id', '=', messageId).where('event_id', '=', eventId).where('status', '=', 'scheduled').executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: actorId, action: 'message.cancelled', eventId, subjectId: messageId });
    return true;
  });
}

/** The test send: the message as a confirmed guest would get it, to the organizer's own address, in one language. */
export async function sendTestMessage(deps: Deps, user: { id: string; name: string; email: string }, eventId: string, input: MessageInput, locale: Locale): Promise<void> {
  const event = await loadEvent(deps, eventId);
  const errors = validateMessage(event, { ...input, sendAt: null }, deps.clock.now());
  if (errors.length) throw new AppError('validation.failed', { fields: errors });
  const nowIso = deps.clock.now().toISOString();
  const me: Recipient = { id: user.id, name: user.name, email: user.email, locale, party_size: 1, seats: 1, status: 'confirmed' };
  const p = mailParams(deps, event, { content: input.content, fallback: event.defaultLocale }, me, null, false);
  p.params.subject = `[TEST] ${p.params.subject}`;
  await deps.database.db.transaction().execute(async (trx) => {
    await trx.insertInto('outbox').values(outboxRow({ id: nextId(deps), kind: 'message.test', to: user.email, eventId, now: nowIso, template: { name: 'organizer.message', locale: p.locale, params: p.params } })).execute();
    await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: user.id, action: 'message.test_sent', eventId, data: { locale } });
  });
  deps.afterCommit?.mailEnqueued();
}

export interface MessageLogEntry {
  id: string;
  createdAt: string;
  createdBy: string;
  sendAt: string;
  status: string;
  subject: string;
  segment: Segment;
  recipients: number | null;
  delivered: number;
  bounced: number;
  suppressed: number;
  failed: number;
  pending: number;
}

/** The event's messages, newest first, with delivery counts from the outbox (one grouped query). */
export async function messageLog(db: Queryable, eventId: string, limit = 100): Promise<MessageLogEntry[]> {
  const rows = await db
    .selectFrom('messages')
    .leftJoin('users', 'users.id', 'messages.created_by')
    .select(['messages.id', 'messages.created_at', 'messages.send_at', 'messages.status', 'messages.content', 'messages.fallback_locale', 'messages.segment', 'messages.recipients', 'users.name as author'])
    .where('messages.event_id', '=', eventId)
    .orderBy('messages.created_at', 'desc')
    .limit(limit)
    .execute();
  if (!rows.length) return [];
  const counts = await db
    .selectFrom('outbox')
    .select(['message_id', 'status', (eb) => eb.fn.countAll<number | string>().as('n'), (eb) => eb.fn.count<number | string>('bounced_at').as('bounced')])
    .where('message_id', 'in', rows.map((r) => r.id))
    .groupBy(['message_id', 'status'])
    .execute();
  return rows.map((r) => {
    const c = counts.filter((x) => x.message_id === r.id);
    const n = (s: string) => c.filter((x) => x.status === s).reduce((a, x) => a + Number(x.n), 0);
    const bounced = c.reduce((a, x) => a + Number(x.bounced), 0);
    const content = JSON.parse(r.content) as MessageInput['content'];
    return {
      id: r.id,
      createdAt: r.created_at,
      createdBy: r.author ?? '',
      sendAt: r.send_at,
      status: r.status,
      subject: content[r.fallback_locale as Locale]?.subject ?? '',
      segment: JSON.parse(r.segment) as Segment,
      recipients: r.recipients,
      delivered: n('sent') - bounced,
      bounced,
      suppressed: n('suppressed'),
      failed: n('failed'),
      pending: n('pending'),
    };
  });
}

export interface ApplicationMail {
  id: string;
  kind: string;
  status: string;
  createdAt: string;
  sentAt: string | null;
  bouncedAt: string | null;
  messageId: string | null;
  /** Who it went to: the applicant, or one of the party's guests at their own address. */
  to: 'applicant' | 'guest';
}

/** Mails that go to a guest's own address (ADR 0014); other mails to that address are not this party's. */
const GUEST_KINDS = ['ticket.guest', 'event.revealed', 'event.details_updated', 'event.reminder', 'event.thanks'];

/**
 * Every mail the outbox holds about one application (its page), newest first: what, when and whether it arrived —
 * the rows tied to it (organizer messages) and the event's mails to its addresses: the applicant's (verification,
 * offers, reminders, confirmation, tickets, …) and its guests' own (their tickets, reveal, reminders). Never the
 * body or the params: they hold capability links (ADR 0007).
 */
export async function mailsOfApplication(db: Queryable, app: { id: string; eventId: string; email: string }): Promise<ApplicationMail[]> {
  const guests = (await db.selectFrom('tickets').select('holder_email').where('application_id', '=', app.id).where('holder_email', 'is not', null).execute())
    .map((r) => r.holder_email!)
    .filter((e) => e !== app.email);
  const columns = ['id', 'kind', 'status', 'created_at', 'sent_at', 'bounced_at', 'message_id', 'to_address'] as const;
  const [linked, applicant, guest] = await Promise.all([
    db.selectFrom('outbox').select(columns).where('application_id', '=', app.id).orderBy('id', 'desc').limit(100).execute(),
    db.selectFrom('outbox').select(columns).where('event_id', '=', app.eventId).where('to_address', '=', app.email).where('kind', '!=', 'message.test').orderBy('id', 'desc').limit(100).execute(),
    guests.length
      ? db.selectFrom('outbox').select(columns).where('event_id', '=', app.eventId).where('to_address', 'in', guests).where('kind', 'in', GUEST_KINDS).orderBy('id', 'desc').limit(100).execute()
      : Promise.resolve([]),
  ]);
  const byId = new Map([...linked, ...applicant, ...guest].map((r) => [r.id, r]));
  return [...byId.values()]
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, 100)
    .map((r) => ({
      id: r.id,
      kind: r.kind,
      status: r.status,
      createdAt: r.created_at,
      sentAt: r.sent_at,
      bouncedAt: r.bounced_at ?? null,
      messageId: r.message_id ?? null,
      to: r.to_address === app.email ? 'applicant' : 'guest',
    }));
}

export interface UnreachableParty {
  id: string;
  name: string;
  email: string;
  status: string;
  reason: string;
  offerExpiresAt: string | null;
}

/**
 * Who cannot be reached: applications of this event whose address is on the suppression list (a hard bounce for
 * every mail, or an unsubscribe from this event's optional mails). Offered parties first — they may miss their deadline.
 */
export async function unreachableParties(db: Queryable, eventId: string, limit = 200): Promise<UnreachableParty[]> {
  const rows = await db
    .selectFrom('applications')
    .innerJoin('mail_suppressions as s', 's.email_normalized', 'applications.email_normalized')
    .select(['applications.id', 'name', 'email', 'status', 's.reason', 'offer_expires_at'])
    .where('applications.event_id', '=', eventId)
    .where('erased_at', 'is', null)
    .where('status', '!=', 'withdrawn')
    .where((eb) => eb.or([eb('s.scope', '=', ''), eb('s.scope', '=', eventId)]))
    .orderBy(sql`case status when 'offered' then 0 when 'confirmed' then 1 else 2 end`)
    .orderBy('offer_expires_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, email: r.email, status: r.status, reason: r.reason, offerExpiresAt: r.offer_expires_at }));
}
