import { AppError } from '../errors.ts';
import { type ApplicationInput, validateApplication } from '../domain/application.ts';
import { normalizeEmail } from '../domain/email.ts';
import { contentFor, intakeState, type Event } from '../domain/event.ts';
import { searchColumns } from '../domain/search.ts';
import type { Queryable } from '../db/connect.ts';
import { type Application, findApplicationBySplitToken, findApplicationByTokenHash } from '../db/repositories/applications.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { findEventById, findEventBySlug } from '../db/repositories/events.ts';
import type { PreparedApplication } from '../intake/application-batch.ts';
import { IDEMPOTENCY_TTL_HOURS, idempotencyKeyHash, requestHash, type StoredResponse } from '../intake/idempotency.ts';
import { intakeFor } from '../intake/intake.ts';
import { forgetIntakeKeys } from '../intake/forget.ts';
import { intakeKeys } from '../intake/keys.ts';
import { dayInZone } from '../intake/stats.ts';
import { removeMailFiles } from '../mail/files.ts';
import { enqueueMail, outboxRow } from '../mail/outbox.ts';
import { groupBy } from '../platform/group-by.ts';
import { hashToken, newToken } from '../platform/random.ts';
import { newSplitToken, parseSplitToken, storedSplitToken } from '../platform/split-token.ts';
import type { Deps } from './deps.ts';
import { nextId } from './ids.ts';
import { voidTickets } from './tickets.ts';
import { promoteLocked, withSeatLock } from './waitlist.ts';

export interface SubmitResult {
  /** Receipt id. Equal to the application id for a new application; see submitApplication. */
  id: string;
  status: 'pending_verification';
}

export const statusUrl = (deps: Deps, token: string): string => `${deps.config.publicUrl}/a/${token}`;

export async function requireEvent(db: Queryable, slug: string): Promise<Event> {
  const event = await findEventBySlug(db, slug);
  if (!event || event.status === 'draft') throw new AppError('event.not_found');
  return event;
}

/** While the intake queue is full, refuse at once (503 + Retry-After) — before any other work. */
export function assertAcceptingApplications(deps: Deps): void {
  intakeFor(deps.database).assertAccepting();
}

/** Like requireEvent, through the intake's short-lived cache (the hot path of applying). */
export async function requirePublishedEvent(deps: Deps, slug: string): Promise<Event> {
  const cached = await intakeFor(deps.database).event(slug);
  if (!cached) throw new AppError('event.not_found');
  return cached.event;
}

export function assertIntakeOpen(event: Event, now: Date): void {
  const state = intakeState(event, now);
  if (state === 'not_open') throw new AppError('event.not_open');
  if (state === 'closed') throw new AppError('event.closed');
}

export interface SubmitOptions {
  /**
   * Idempotency-Key (API) or one-time form token: the same key with the same body gets the same answer and
   * never a second application. onMismatch: a different body under a used key is an error (API) or simply
   * gets the first answer (a form re-posted after its answer was lost).
   */
  idempotency?: Idempotency;
}

export interface Idempotency {
  channel: 'api' | 'form';
  key: string;
  body: unknown;
  onMismatch: 'error' | 'replay';
  /** The caller already looked for an earlier answer (findEarlierAnswer) just now. */
  checked?: boolean;
}

/**
 * The answer already given to this idempotency key, if any — looked up before the captcha (a replayed
 * request carries a used captcha solution) and before the queue. With waitInFlight, a submission with the
 * same key still running in this process is awaited first (the second click of a double click).
 */
export async function findEarlierAnswer(deps: Deps, slug: string, idem: Idempotency, waitInFlight = false): Promise<SubmitResult | null> {
  const intake = intakeFor(deps.database);
  const keyHash = idempotencyKeyHash(idem.channel, slug, idem.key);
  if (waitInFlight) await intake.settled(keyHash);
  const stored = await intake.storedResponse(keyHash);
  return stored ? storedAnswer(stored, requestHash(idem.body), idem.onMismatch) : null;
}

/**
 * Takes an application. The answer is the same whether or not the address already applied
 * (no email enumeration): a repeat gets a mail "you already applied" with a fresh link to the
 * existing application instead of a second row.
 *
 * Validation and rendering happen here; the rows then queue for a group commit (src/intake, ADR 0004)
 * and this resolves only after the transaction that holds them committed.
 */
export async function submitApplication(deps: Deps, slug: string, input: ApplicationInput, opts: SubmitOptions = {}): Promise<SubmitResult> {
  const intake = intakeFor(deps.database);
  let idempotency: PreparedApplication['idempotency'];
  const idem = opts.idempotency;
  if (idem) {
    const keyHash = idempotencyKeyHash(idem.channel, slug, idem.key);
    const hash = requestHash(idem.body);
    const stored = idem.checked ? null : await intake.storedResponse(keyHash);
    if (stored) return storedAnswer(stored, hash, idem.onMismatch);
    idempotency = { keyHash, requestHash: hash, statusCode: 202, response: '', expiresAt: '' };
  }
  const cached = await intake.event(slug);
  if (!cached) throw new AppError('event.not_found');
  const { event, row: eventRow } = cached;
  const now = deps.clock.now();
  assertIntakeOpen(event, now);
  const { value, errors } = validateApplication(event, input);
  if (!value) throw new AppError('validation.failed', { fields: errors });

  const nowIso = now.toISOString();
  const id = nextId(deps);
  // `<id>-<secret>`: the row's unique token column then grows at its right edge (platform/split-token.ts).
  const token = newSplitToken(id, deps.random);
  const url = statusUrl(deps, token);
  // Used only if the address turns out to have applied already: a fresh link to the existing application.
  const repeatToken = newSplitToken(nextId(deps), deps.random);
  const result: SubmitResult = { id, status: 'pending_verification' };
  if (idempotency) {
    idempotency.response = JSON.stringify(result);
    idempotency.expiresAt = new Date(now.getTime() + IDEMPOTENCY_TTL_HOURS * 3_600_000).toISOString();
  }
  const partySize = 1 + value.guests.length;
  const outcome = await intake.submit({
    eventId: event.id,
    eventRow,
    now,
    value,
    application: {
      id,
      event_id: event.id,
      status: 'submitted',
      name: value.name,
      email: value.email,
      email_normalized: normalizeEmail(value.email),
      ...searchColumns(value),
      country: value.country,
      locale: value.locale,
      party_size: partySize,
      guests: JSON.stringify(value.guests),
      answers: JSON.stringify(value.answers),
      consent_at: nowIso,
      token_hash: storedSplitToken(parseSplitToken(token)!),
      verified: 0,
      created_at: nowIso,
      updated_at: nowIso,
      verified_at: null,
      withdrawn_at: null,
    },
    verifyMail: outboxRow({
      id: nextId(deps),
      kind: 'application.verify',
      to: value.email,
      eventId: event.id,
      now: nowIso,
      // Rendered when it is sent (src/mail/templates.ts): the intake only stores the parameters.
      template: { name: 'application.verify', locale: value.locale, params: { name: value.name, eventTitle: contentFor(event, value.locale).title, url } },
    }),
    audit: {
      id: nextId(deps),
      at: nowIso,
      actor: 'applicant',
      action: 'application.submitted',
      event_id: event.id,
      subject_id: id,
      data: JSON.stringify({ partySize, country: value.country }),
    },
    keys: intakeKeys(deps.config.secret, value),
    day: dayInZone(now, event.timezone),
    repeatLink: { token: repeatToken, url: statusUrl(deps, repeatToken) },
    locale: value.locale,
    spareIds: [nextId(deps), nextId(deps)],
    idempotency,
  });
  if (outcome.kind === 'replayed') {
    const stored = await intake.storedResponse(outcome.keyHash);
    if (!stored) throw new AppError('service.unavailable', { details: { retryAfter: 1 } });
    return storedAnswer(stored, idempotency!.requestHash, idem!.onMismatch);
  }
  deps.afterCommit?.mailEnqueued();
  return result;
}

function storedAnswer(stored: StoredResponse, hash: string, onMismatch: 'error' | 'replay'): SubmitResult {
  if (stored.requestHash !== hash && onMismatch === 'error') throw new AppError('idempotency.mismatch');
  return stored.body as SubmitResult;
}

export async function findApplicationByToken(deps: Deps, token: string): Promise<Application> {
  const split = parseSplitToken(token);
  const app = split
    ? await findApplicationBySplitToken(deps.database.db, split)
    : token.length >= 20
      ? await findApplicationByTokenHash(deps.database.db, hashToken(token))
      : null;
  if (!app) throw new AppError('application.not_found');
  return app;
}

/** Following the mailed link proves the address: the application then counts. Idempotent. */
export async function verifyApplication(deps: Deps, token: string): Promise<Application> {
  const app = await findApplicationByToken(deps, token);
  if (app.verified) return app;
  const nowIso = deps.clock.now().toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('applications')
      .set({ verified: 1, verified_at: nowIso, updated_at: nowIso })
      .where('id', '=', app.id)
      .where('verified', '=', 0)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 1) {
      await appendAudit(trx, { id: nextId(deps), at: nowIso, actor: 'applicant', action: 'application.verified', eventId: app.eventId, subjectId: app.id });
    }
  });
  return { ...app, verified: true, verifiedAt: nowIso };
}

/** Edit while the event takes applications; the email address (the identity) cannot change. */
export async function editApplication(deps: Deps, token: string, input: ApplicationInput): Promise<Application> {
  const { db } = deps.database;
  const app = await findApplicationByToken(deps, token);
  if (app.status === 'withdrawn') throw new AppError('application.withdrawn');
  const event = await findEventByIdOrThrow(db, app.eventId);
  if (intakeState(event, deps.clock.now()) !== 'open' || app.status !== 'submitted') throw new AppError('application.not_editable');
  // Consent was given when applying (consent_at) and still holds: the edit form does not ask again.
  const { value, errors } = validateApplication(event, { ...input, email: app.email, consent: true });
  if (!value) throw new AppError('validation.failed', { fields: errors });
  const nowIso = deps.clock.now().toISOString();
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('applications')
      .set({
        name: value.name,
        country: value.country,
        locale: value.locale,
        party_size: 1 + value.guests.length,
        guests: JSON.stringify(value.guests),
        answers: JSON.stringify(value.answers),
        ...searchColumns({ name: value.name, email: app.email, guests: value.guests }),
        updated_at: nowIso,
      })
      .where('id', '=', app.id)
      .where('status', '=', 'submitted')
      .execute();
    await appendAudit(trx, {
      id: nextId(deps),
      at: nowIso,
      actor: 'applicant',
      action: 'application.edited',
      eventId: app.eventId,
      subjectId: app.id,
      data: { partySize: 1 + value.guests.length, country: value.country },
    });
  });
  return { ...app, ...value, partySize: 1 + value.guests.length, updatedAt: nowIso };
}

/** Withdraw at any time. Idempotent: withdrawing twice changes nothing. */
export async function withdrawApplication(deps: Deps, token: string): Promise<Application> {
  const app = await findApplicationByToken(deps, token);
  if (app.status === 'withdrawn') return app;
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  let withdrawn = false;
  // A party holding seats gives them back: under the seat lock, re-check, write (ADR 0003),
  // void its tickets and let the waitlist move up in the same transaction.
  await withSeatLock(deps, app.id, async (trx, event, current) => {
    if (current.status === 'withdrawn') return;
    const res = await trx
      .updateTable('applications')
      .set({ status: 'withdrawn', withdrawn_at: nowIso, updated_at: nowIso })
      .where('id', '=', app.id)
      .where('status', '=', current.status)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return;
    withdrawn = true;
    const heldSeats = current.status === 'offered' || current.status === 'confirmed';
    await enqueueMail(trx, {
      id: nextId(deps),
      kind: 'application.withdrawn',
      to: app.email,
      eventId: app.eventId,
      now: nowIso,
      template: { name: 'application.withdrawn', locale: app.locale, params: { name: app.name, eventTitle: contentFor(event, app.locale).title } },
    });
    await appendAudit(trx, {
      id: nextId(deps),
      at: nowIso,
      actor: 'applicant',
      action: 'application.withdrawn',
      eventId: app.eventId,
      subjectId: app.id,
      data: heldSeats ? { was: current.status, seats: current.seats } : {},
    });
    if (heldSeats) {
      await voidTickets(trx, app.id, nowIso);
      await promoteLocked(trx, deps, event, now);
    }
  });
  if (withdrawn) deps.afterCommit?.mailEnqueued();
  return { ...app, status: 'withdrawn', withdrawnAt: nowIso };
}

async function findEventByIdOrThrow(db: Queryable, id: string): Promise<Event> {
  const e = await findEventById(db, id);
  if (!e) throw new AppError('event.not_found');
  return e;
}

/**
 * Retention: an application whose address was never verified does not count and is erased
 * after unverifiedTtlHours. Returns how many were erased.
 */
export async function purgeUnverifiedApplications(deps: Deps): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - deps.config.unverifiedTtlHours * 3_600_000).toISOString();
  const { db } = deps.database;
  const mailIds: string[] = [];
  const n = await db.transaction().execute(async (trx) => {
    // Their review lookup keys go too (src/intake/keys.ts): recomputed from the rows, deleted by primary key.
    const doomed = await trx
      .selectFrom('applications')
      .select(['id', 'event_id', 'name', 'email', 'country', 'guests'])
      .where('verified', '=', 0)
      .where('created_at', '<', cutoff)
      .execute();
    await forgetIntakeKeys(trx, deps.config.secret, doomed);
    // The mails to them (the verification link, "already applied") hold the name and address too.
    for (const [eventId, apps] of groupBy(doomed, (a) => a.event_id)) {
      const emails = apps.map((a) => a.email);
      for (let i = 0; i < emails.length; i += 500) {
        const mails = await trx.deleteFrom('outbox').where('event_id', '=', eventId).where('to_address', 'in', emails.slice(i, i + 500)).returning('id').execute();
        for (const m of mails) mailIds.push(m.id);
      }
    }
    const res = await trx.deleteFrom('applications').where('verified', '=', 0).where('created_at', '<', cutoff).executeTakeFirst();
    const n = Number(res.numDeletedRows);
    if (n > 0) {
      await appendAudit(trx, { id: nextId(deps), at: deps.clock.now().toISOString(), actor: 'system', action: 'application.purged_unverified', data: { count: n, cutoff } });
    }
    return n;
  });
  await removeMailFiles(deps.config.dataDir, mailIds);
  return n;
}
