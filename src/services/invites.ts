import { requireEventById } from './events.ts';
import type { Guest } from '../domain/application.ts';
import { isEmail, normalizeEmail } from '../domain/email.ts';
import { hasControlCharacters } from '../domain/application.ts';
import type { Event } from '../domain/event.ts';
import { isLocale, type Locale } from '../domain/locales.ts';
import { searchColumns } from '../domain/search.ts';
import { AppError, type FieldError } from '../errors.ts';
import type { Queryable } from '../db/connect.ts';
import { findApplicationByEmail, findApplicationById, type Application } from '../db/repositories/applications.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { t } from '../i18n/index.ts';
import { hashToken, newToken } from '../platform/random.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';
import { assertSeatsAvailable, makeOffer, SEAT_HOLDING_STATUSES } from './offers.ts';

/**
 * Direct invites (VIPs, press, staff, partners): the organizer names the person and the party
 * size; the invitee gets an offer like a drawn party (makeOffer source 'invite'), so invites use
 * seats of the same capacity and follow the same confirm-by-deadline rules.
 */

export const INVITE_CATEGORIES = ['vip', 'press', 'staff', 'partner'] as const;
export type InviteCategory = (typeof INVITE_CATEGORIES)[number];
export const MAX_INVITE_PARTY = 20;
/** Unknown region (CLDR "ZZ"): invitees are not asked for their country; they are never drawn. */
export const INVITE_COUNTRY = 'ZZ';

export interface InviteInput {
  name: string;
  email: string;
  partySize: number;
  category: string;
  locale?: string;
  /** This invite's own confirm deadline (UTC ISO); default: the event's invite window (domain/deadlines.ts). */
  confirmBy?: string | null;
}

export interface InviteResult {
  applicationId: string;
  /** A new application row was created (false: an existing application became the invite). */
  created: boolean;
  /** An offer was made (false: the party already held seats). */
  offered: boolean;
}

/** Field errors for one invite (form field names). */
export function validateInvite(input: InviteInput): FieldError[] {
  const errors: FieldError[] = [];
  const name = input.name.trim();
  if (!name) errors.push({ field: 'name', code: 'required' });
  else if (hasControlCharacters(name)) errors.push({ field: 'name', code: 'control_characters' });
  else if (name.length > 120) errors.push({ field: 'name', code: 'too_long', params: { max: 120 } });
  if (hasControlCharacters(input.email)) errors.push({ field: 'email', code: 'control_characters' });
  else if (!isEmail(input.email.trim())) errors.push({ field: 'email', code: 'invalid_email' });
  if (!Number.isInteger(input.partySize) || input.partySize < 1 || input.partySize > MAX_INVITE_PARTY) {
    errors.push({ field: 'party_size', code: 'out_of_range', params: { min: 1, max: MAX_INVITE_PARTY } });
  }
  if (!(INVITE_CATEGORIES as readonly string[]).includes(input.category)) errors.push({ field: 'category', code: 'invalid_category' });
  if (input.confirmBy != null && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(input.confirmBy)) errors.push({ field: 'confirm_by', code: 'invalid_datetime' });
  return errors;
}

const csvLineError = (line: number): FieldError => ({ field: 'csv', code: 'invalid_csv_line', params: { line } });

/** Placeholder guests ("Guest 1", …) the invitee can rename later on the status page. */
export function placeholderGuests(locale: Locale, partySize: number): Guest[] {
  return Array.from({ length: partySize - 1 }, (_, i) => ({ name: t(locale, 'selection.guest_placeholder', { n: i + 1 }), relation: 'other' as const }));
}

/**
 * Bulk add from CSV text: `name,email,party_size,category` per line; a header line and blank lines
 * are skipped; fields may be double-quoted ("Doe, Jane"). Returns rows and per-line errors.
 */
export function parseInviteCsv(text: string): { rows: InviteInput[]; errors: FieldError[] } {
  const rows: InviteInput[] = [];
  const errors: FieldError[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    const cells = splitCsvLine(raw).map((c) => c.trim());
    if (i === 0 && /^name$/i.test(cells[0] ?? '') && /e-?mail/i.test(cells[1] ?? '')) return; // header
    const [name = '', email = '', size = '', category = ''] = cells;
    const input: InviteInput = { name, email, partySize: /^\d+$/.test(size) ? Number(size) : size === '' ? 1 : Number.NaN, category: category.toLowerCase() };
    if (cells.length > 4 || validateInvite(input).length) errors.push(csvLineError(line));
    else rows.push(input);
  });
  return { rows, errors };
}

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',' || c === ';' || c === '\t') (out.push(cur), (cur = ''));
    else cur += c;
  }
  out.push(cur);
  return out;
}


/** One invite. See inviteGuests. */
export async function inviteGuest(deps: Deps, actor: string, eventId: string, input: InviteInput): Promise<InviteResult> {
  const errors = validateInvite(input);
  if (errors.length) throw new AppError('validation.failed', { fields: errors });
  const [r] = await inviteGuests(deps, actor, eventId, [input]);
  return r;
}

/**
 * Invites several people in ONE transaction (all or nothing). If an address already applied to the
 * event, that application becomes the invite (its party as entered by the applicant); if it already
 * holds seats, it is only marked as an invite.
 */
export async function inviteGuests(deps: Deps, actor: string, eventId: string, inputs: readonly InviteInput[]): Promise<InviteResult[]> {
  const errors = inputs.flatMap((input, i) => (validateInvite(input).length ? [csvLineError(i + 1)] : []));
  if (errors.length) throw new AppError('validation.failed', { fields: errors });
  const { db } = deps.database;
  const event = await requireEventById(db, eventId);
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  if (inputs.some((i) => i.confirmBy && i.confirmBy <= nowIso)) throw new AppError('validation.failed', { fields: [{ field: 'confirm_by', code: 'not_later' }] });
  const seen = new Set<string>();
  const unique = inputs.filter((i) => {
    const k = normalizeEmail(i.email);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });

  const results = await db.transaction().execute(async (trx) => {
    const plans = await Promise.all(unique.map(async (input) => ({ input, existing: await findApplicationByEmail(trx, event.id, normalizeEmail(input.email)) })));
    const needed = plans.reduce((s, p) => s + (p.existing ? (isHolding(p.existing) ? 0 : p.existing.partySize) : p.input.partySize), 0);
    await assertSeatsAvailable(trx, event, needed);

    const out: InviteResult[] = [];
    for (const { input, existing } of plans) {
      const app = existing ? await convertToInvite(trx, existing, input.category, nowIso) : await insertInvite(trx, deps, event, input, nowIso);
      const offer = isHolding(app) ? null : await makeOffer(trx, deps, app, 'invite', now, { event, actor, expiresAt: input.confirmBy });
      await appendAudit(trx, {
        id: nextId(deps),
        at: nowIso,
        actor,
        action: 'application.invited',
        eventId: event.id,
        subjectId: app.id,
        data: { category: input.category, partySize: app.partySize, existing: !!existing },
      });
      out.push({ applicationId: app.id, created: !existing, offered: !!offer });
    }
    return out;
  });
  deps.afterCommit?.mailEnqueued();
  return results;
}

const isHolding = (a: Application) => (SEAT_HOLDING_STATUSES as readonly string[]).includes(a.status);

async function insertInvite(trx: Queryable, deps: Deps, event: Event, input: InviteInput, nowIso: string): Promise<Application> {
  const locale: Locale = isLocale(input.locale) ? input.locale : event.defaultLocale;
  const id = nextId(deps);
  await trx
    .insertInto('applications')
    .values({
      id,
      event_id: event.id,
      status: 'submitted',
      name: input.name.trim(),
      email: input.email.trim(),
      email_normalized: normalizeEmail(input.email),
      // Placeholder guest names are not searchable; the invited person is.
      ...searchColumns({ name: input.name.trim(), email: input.email, guests: [] }),
      country: INVITE_COUNTRY,
      locale,
      party_size: input.partySize,
      guests: JSON.stringify(placeholderGuests(locale, input.partySize)),
      answers: '{}',
      consent_at: nowIso,
      // The row's own token is never mailed; makeOffer mails a fresh link (application_links).
      token_hash: hashToken(newToken(deps.random)),
      verified: 1,
      created_at: nowIso,
      updated_at: nowIso,
      verified_at: nowIso,
      withdrawn_at: null,
      kind: 'invite',
      category: input.category,
    })
    .execute();
  return (await findApplicationById(trx, id))!;
}

async function convertToInvite(trx: Queryable, app: Application, category: string, nowIso: string): Promise<Application> {
  await trx
    .updateTable('applications')
    .set({ kind: 'invite', category, verified: 1, verified_at: app.verifiedAt ?? nowIso, updated_at: nowIso })
    .where('id', '=', app.id)
    .execute();
  return { ...app, kind: 'invite', category, verified: true, verifiedAt: app.verifiedAt ?? nowIso };
}
