import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.ts';
import { intakeState } from '../../../domain/event.ts';
import { isLocale, type Locale } from '../../../domain/locales.ts';
import { applicationFromRow, countApplicationsByStatus, findApplicationById } from '../../../db/repositories/applications.ts';
import { offerPreviews, waitlistedPreviews } from '../../../mail/previews.ts';
import { seatOverview } from '../../../services/event-overview.ts';
import { wallTimeToUtc } from '../../../domain/wall-time.ts';
import { seatsBySource } from '../../../db/repositories/draws.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import type { Deps } from '../../../services/deps.ts';
import {
  checkFreezeGroups,
  commitDraw,
  countHeld,
  entriesByLocale,
  freezeDraw,
  publicDrawState,
  runDraw,
  type GroupInput,
  type RandomnessChoice,
} from '../../../services/draw.ts';
import { BeaconFormatError, parseBeacon, parseStrictJson, StrictJsonError, type Beacon } from '../../../domain/draw/index.ts';
import { inviteGuest, inviteGuests, parseInviteCsv } from '../../../services/invites.ts';
import { reviewApplication, type ReviewDecision } from '../../../services/review.ts';
import { formValues, type FormValues } from '../../form-input.ts';
import { pageContext, sendPage } from '../../page.ts';
import { eventOfApplication, requireEventPermission, requirePermission } from '../../plugins/auth.ts';
import { listQueryString } from './applications.ts';
import { formErrors } from '../../views/form.ts';
import { drawConfirmPage } from '../../views/admin/draw-confirm.ts';
import type { MailPreview } from '../../views/admin/mail-preview.ts';
import { selectionPage, type SelectionPageData } from '../../views/admin/selection.ts';
import { eventTabs } from '../../views/admin/event-tabs.ts';
import { html } from '../../views/html.ts';
import { withEventMailTexts } from '../../../services/mail-texts.ts';

type Done = { key: (typeof DONE)[number]; n?: number };
const DONE = ['committed', 'frozen', 'drawn', 'invited'] as const;

const GROUP_KEYS = ['preferred', 'other'] as const;
const PARAM_FIELD: Record<string, string> = { weight: 'weight', minBasisPoints: 'min', maxBasisPoints: 'max' };

/** Percent text ("12.5", "12,5", "") → basis points; anything else is passed on for the engine to refuse. */
function basisPoints(v: string | undefined): number | null {
  const s = (v ?? '').trim().replace(',', '.');
  if (!s) return null;
  const n = Number(s);
  return Number.isFinite(n) ? Math.round(n * 100) : Number.NaN;
}

function groupsFromForm(v: FormValues): GroupInput[] {
  return GROUP_KEYS.map((key) => ({
    key,
    weight: Number(v[`weight_${key}`]),
    minBasisPoints: basisPoints(v[`min_${key}`]),
    maxBasisPoints: basisPoints(v[`max_${key}`]),
  }));
}

/** Engine paths (parameters.groups[1].maxBasisPoints) → the freeze form's fields (max_other). */
function freezeFormError(err: AppError): AppError {
  if (err.code !== 'draw.invalid') return err;
  const fields = err.fields.map((f) => {
    const m = f.field.match(/groups\[(\d+)\]\.(weight|minBasisPoints|maxBasisPoints)$/);
    const key = m ? GROUP_KEYS[Number(m[1])] : undefined;
    return { ...f, field: m && key ? `${PARAM_FIELD[m[2]]}_${key}` : 'min_preferred' };
  });
  return new AppError('draw.invalid', { fields });
}

/** A drand round pasted as JSON ({"round": …, "signature": "…"}), read strictly; its signature is checked by runDraw. */
function pastedBeacon(text: string): Beacon {
  try {
    return parseBeacon(parseStrictJson(text.trim()));
  } catch (err) {
    if (err instanceof StrictJsonError || err instanceof BeaconFormatError) {
      throw new AppError('validation.failed', { fields: [{ field: 'beacon', code: err instanceof StrictJsonError ? 'beacon_json' : `beacon_${err.field}` }] });
    }
    throw err;
  }
}

/**
 * The organizer's selection page: seats, the draw (commit → freeze → draw), invites one by one or
 * from CSV. Review decisions are posted from the application page.
 */
export default async function selectionAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const db = deps.database.db;
  const manage = { preHandler: [requireEventPermission('manageEvents'), app.csrfProtection] };

  async function render(req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, o: Partial<SelectionPageData> & { status?: number } = {}) {
    const event = await findEventById(db, req.params.id);
    if (!event) throw new AppError('event.not_found');
    const [draw, inviteRows, onHold] = await Promise.all([
      publicDrawState(deps, event.id),
      db.selectFrom('applications').selectAll().where('event_id', '=', event.id).where('kind', '=', 'invite').orderBy('id', 'desc').limit(500).execute(),
      countHeld(db, event.id),
    ]);
    const seats = await seatOverview(db, event);
    const ctx = pageContext(req, reply);
    const body = selectionPage(ctx, {
      event,
      intake: intakeState(event, deps.clock.now()),
      seats,
      draw,
      invites: inviteRows.map(applicationFromRow),
      held: onHold,
      values: o.values ?? {},
      errors: o.errors ?? new Map(),
      errorForm: o.errorForm,
      notice: o.notice,
    });
    return sendPage(reply, ctx, req.t('selection.title'), html`${eventTabs(req.t, event, 'selection', req.user!.role)}${body}`, { status: o.status, wide: true });
  }

  /**
   * Runs an action, then redirects (POST–redirect–GET) with a done-message; a coded error is shown on
   * the page with its explanation (and form errors next to their fields) instead of a bare error page.
   */
  async function act(req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, fn: () => Promise<Done | { page: FastifyReply }>, form?: SelectionPageData['errorForm']) {
    try {
      const done = await fn();
      if ('page' in done) return done.page;
      const q = new URLSearchParams({ done: done.key, ...(done.n !== undefined ? { n: String(done.n) } : {}) });
      return reply.redirect(`/admin/events/${req.params.id}/selection?${q}`, 303);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500 || err.code.startsWith('auth.')) throw err;
      const values = formValues(req.body);
      const notice = err.code === 'validation.failed' ? undefined : ({ kind: 'problem', code: err.code } as const);
      if (err.fields.length && form) return render(req, reply, { values, errors: formErrors(req.t, err.fields), errorForm: form, notice, status: err.status });
      return render(req, reply, { values, notice: { kind: 'problem', code: err.code }, status: err.status });
    }
  }

  app.get<{ Params: { id: string }; Querystring: { done?: string; n?: string } }>(
    '/admin/events/:id/selection',
    { preHandler: requireEventPermission('manageEvents') },
    (req, reply) => {
      const done = DONE.find((d) => d === req.query.done);
      return render(req, reply, done ? { notice: { kind: 'done', key: `selection.done_${done}`, params: { n: Number(req.query.n) || 0 } } } : {});
    },
  );

  /**
   * The commitment fixes everything the result depends on (ADR 0011): the public randomness (a drand round at or
   * after the chosen time, or an explicitly unverified source), weights and quotas, and the seats.
   */
  app.post<{ Params: { id: string } }>('/admin/events/:id/selection/commit', manage, (req, reply) =>
    act(
      req,
      reply,
      async () => {
        const v = formValues(req.body);
        const event = await findEventById(db, req.params.id);
        if (!event) throw new AppError('event.not_found');
        const drawAt = (v.draw_at ?? '').trim();
        const randomness: RandomnessChoice =
          v.randomness === 'unverified'
            ? { kind: 'unverified', label: v.publicRandomnessLabel ?? '' }
            : { kind: 'drand', drawAt: drawAt ? (wallTimeToUtc(drawAt, event.timezone) ?? 'invalid') : null };
        await commitDraw(deps, req.user!.id, req.params.id, { randomness, groups: groupsFromForm(v) }).catch((err) => {
          throw err instanceof AppError ? freezeFormError(err) : err;
        });
        return { key: 'committed' };
      },
      'commit',
    ),
  );

  /**
   * The freeze and the draw cannot be undone (and the draw mails everyone): posted without confirm=yes they
   * change nothing and show the confirmation page — counts, applications on hold with the explicit choice to
   * leave them out, every mail in each language — whose form posts the same fields with confirm=yes.
   */
  async function confirmPage(req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, step: 'freeze' | 'draw', fields: Record<string, string>) {
    const event = await findEventById(db, req.params.id);
    if (!event) throw new AppError('event.not_found');
    const [state, heldCount, heldRows, counts, seatsTaken] = await Promise.all([
      publicDrawState(deps, event.id),
      countHeld(db, event.id),
      db.selectFrom('applications').selectAll().where('event_id', '=', event.id).where('status', '=', 'held').orderBy('id', 'desc').limit(20).execute(),
      countApplicationsByStatus(db, event.id),
      seatsBySource(db, event.id),
    ]);
    if (step === 'freeze' && state.status !== 'committed') throw new AppError(state.status === 'none' ? 'draw.not_committed' : 'draw.already_frozen');
    if (step === 'draw' && state.status !== 'frozen') throw new AppError(state.status === 'drawn' ? 'draw.already_drawn' : 'draw.not_frozen');
    const entries =
      step === 'freeze' ? counts.filter((c) => c.status === 'submitted' && c.verified === 1).reduce((s, c) => s + c.n, 0) : state.frozen!.entries;
    const seats = step === 'freeze' ? Math.max(0, event.capacity - seatsTaken.reduce((s, r) => s + r.seats, 0)) : state.frozen!.seats;
    let previews: MailPreview[] = [];
    if (step === 'draw') {
      const groups = (await entriesByLocale(db, event.id)).map((g) => ({ locale: (isLocale(g.locale) ? g.locale : event.defaultLocale) as Locale, count: g.n, seats: g.seats }));
      previews = (
        await withEventMailTexts(db, event.id, [...offerPreviews(event, groups, 'draw', deps.clock.now(), deps.config.publicUrl), ...waitlistedPreviews(event, groups, deps.config.publicUrl)])
      ).map((p) => ({
        ...p,
        label: req.t(`review.mail_${p.kind.replace('.', '_')}`),
        upTo: true,
      }));
    }
    const ctx = pageContext(req, reply);
    const body = drawConfirmPage(ctx, { event, step, entries, seats, heldCount, held: heldRows.map(applicationFromRow), previews, fields });
    return sendPage(reply, ctx, req.t(`review.${step}_confirm_title`), body, { wide: true });
  }

  app.post<{ Params: { id: string } }>('/admin/events/:id/selection/freeze', manage, (req, reply) => {
    const v = formValues(req.body);
    if (v.confirm !== 'yes') {
      return act(
        req,
        reply,
        async () => {
          const hasGroups = v.weight_preferred !== undefined;
          try {
            if (hasGroups) checkFreezeGroups(groupsFromForm(v));
          } catch (err) {
            throw err instanceof AppError ? freezeFormError(err) : err;
          }
          const fields = hasGroups ? Object.fromEntries(GROUP_KEYS.flatMap((k) => ['weight', 'min', 'max'].map((f) => [`${f}_${k}`, v[`${f}_${k}`] ?? '']))) : {};
          return { page: await confirmPage(req, reply, 'freeze', fields) };
        },
        'freeze',
      );
    }
    return act(
      req,
      reply,
      async () => {
        const groups = v.weight_preferred !== undefined ? groupsFromForm(v) : undefined;
        await freezeDraw(deps, req.user!.id, req.params.id, { groups, excludeHeld: v.exclude_held === 'yes' }).catch((err) => {
          throw err instanceof AppError ? freezeFormError(err) : err;
        });
        return { key: 'frozen' };
      },
      'freeze',
    );
  });

  app.post<{ Params: { id: string } }>('/admin/events/:id/selection/draw', manage, (req, reply) => {
    const v = formValues(req.body);
    const fields: Record<string, string> = {};
    if (v.publicRandomnessValue !== undefined) fields.publicRandomnessValue = v.publicRandomnessValue;
    if (v.beacon !== undefined) fields.beacon = v.beacon;
    if (v.confirm !== 'yes') {
      return act(
        req,
        reply,
        async () => {
          if (v.beacon !== undefined) pastedBeacon(v.beacon); // a malformed paste is shown on the form, before the confirmation
          return { page: await confirmPage(req, reply, 'draw', fields) };
        },
        'draw',
      );
    }
    return act(
      req,
      reply,
      async () => {
        const beacon = v.beacon !== undefined ? pastedBeacon(v.beacon) : undefined;
        await runDraw(deps, req.user!.id, req.params.id, { publicRandomnessValue: v.publicRandomnessValue, beacon, excludeHeld: v.exclude_held === 'yes' });
        return { key: 'drawn' };
      },
      'draw',
    );
  });

  app.post<{ Params: { id: string } }>('/admin/events/:id/selection/invite', manage, (req, reply) =>
    act(
      req,
      reply,
      async () => {
        const v = formValues(req.body);
        const size = (v.party_size ?? '').trim();
        // This invite's own deadline, typed in the event's zone (empty: the event's rules for invites).
        const confirmBy = (v.confirm_by ?? '').trim();
        const zone = confirmBy ? (await findEventById(deps.database.db, req.params.id))?.timezone : undefined;
        await inviteGuest(deps, req.user!.id, req.params.id, {
          name: v.name ?? '',
          email: v.email ?? '',
          partySize: /^\d+$/.test(size) ? Number(size) : Number.NaN,
          category: v.category ?? '',
          locale: v.locale,
          confirmBy: confirmBy ? ((zone && wallTimeToUtc(confirmBy, zone)) || confirmBy) : null,
        });
        return { key: 'invited', n: 1 };
      },
      'invite',
    ),
  );

  app.post<{ Params: { id: string } }>('/admin/events/:id/selection/invites-csv', manage, (req, reply) =>
    act(
      req,
      reply,
      async () => {
        const { rows, errors } = parseInviteCsv(formValues(req.body).csv ?? '');
        if (errors.length || rows.length === 0) throw new AppError('validation.failed', { fields: errors.length ? errors : [{ field: 'csv', code: 'required' }] });
        const done = await inviteGuests(deps, req.user!.id, req.params.id, rows);
        return { key: 'invited', n: done.filter((r) => r.offered).length };
      },
      'csv',
    ),
  );

  app.post<{ Params: { id: string } }>(
    '/admin/applications/:id/review',
    { preHandler: [requireEventPermission('reviewApplications', eventOfApplication), app.csrfProtection] },
    async (req, reply) => {
      const v = formValues(req.body);
      await reviewApplication(deps, req.user!.id, req.params.id, v.decision as ReviewDecision, v.note ?? '', { sendMail: v.send_mail === 'yes' });
      const list = listQueryString(Object.fromEntries(new URLSearchParams(v.list ?? '')));
      return reply.redirect(`/admin/applications/${req.params.id}${list ? `?list=${encodeURIComponent(list)}` : ''}`, 303);
    },
  );
}
