import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.ts';
import { intakeState } from '../../../domain/event.ts';
import { wallTimeToUtc } from '../../../domain/wall-time.ts';
import { applicationFromRow } from '../../../db/repositories/applications.ts';
import { seatsBySource } from '../../../db/repositories/draws.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import type { Deps } from '../../../services/deps.ts';
import { commitDraw, freezeDraw, publicDrawState, runDraw, type GroupInput } from '../../../services/draw.ts';
import { inviteGuest, inviteGuests, parseInviteCsv } from '../../../services/invites.ts';
import { reviewApplication, type ReviewDecision } from '../../../services/review.ts';
import { formValues, type FormValues } from '../../form-input.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requirePermission } from '../../plugins/auth.ts';
import { formErrors } from '../../views/form.ts';
import { selectionPage, type SelectionPageData } from '../../views/admin/selection.ts';

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

/**
 * The organizer's selection page: seats, the draw (commit → freeze → draw), invites one by one or
 * from CSV. Review decisions are posted from the application page.
 */
export default async function selectionAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const db = deps.database.db;
  const manage = { preHandler: [requirePermission('manageEvents'), app.csrfProtection] };

  async function render(req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, o: Partial<SelectionPageData> & { status?: number } = {}) {
    const event = await findEventById(db, req.params.id);
    if (!event) throw new AppError('event.not_found');
    const [bySource, draw, inviteRows] = await Promise.all([
      seatsBySource(db, event.id),
      publicDrawState(deps, event.id),
      db.selectFrom('applications').selectAll().where('event_id', '=', event.id).where('kind', '=', 'invite').orderBy('id', 'desc').limit(500).execute(),
    ]);
    const sum = (f: (r: (typeof bySource)[number]) => boolean) => bySource.filter(f).reduce((s, r) => s + r.seats, 0);
    const held = sum(() => true);
    const seats = {
      capacity: event.capacity,
      invite: sum((r) => r.source === 'invite'),
      review: sum((r) => r.source === 'review'),
      draw: sum((r) => r.source === 'draw' || r.source === 'waitlist'),
      confirmed: sum((r) => r.status === 'confirmed'),
      free: Math.max(0, event.capacity - held),
    };
    const ctx = pageContext(req, reply);
    const body = selectionPage(ctx, {
      event,
      intake: intakeState(event, deps.clock.now()),
      seats,
      draw,
      invites: inviteRows.map(applicationFromRow),
      values: o.values ?? {},
      errors: o.errors ?? new Map(),
      errorForm: o.errorForm,
      notice: o.notice,
    });
    return sendPage(reply, ctx, req.t('selection.title'), body, { status: o.status, wide: true });
  }

  /**
   * Runs an action, then redirects (POST–redirect–GET) with a done-message; a coded error is shown on
   * the page with its explanation (and form errors next to their fields) instead of a bare error page.
   */
  async function act(req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, fn: () => Promise<Done>, form?: SelectionPageData['errorForm']) {
    try {
      const done = await fn();
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
    { preHandler: requirePermission('manageEvents') },
    (req, reply) => {
      const done = DONE.find((d) => d === req.query.done);
      return render(req, reply, done ? { notice: { kind: 'done', key: `selection.done_${done}`, params: { n: Number(req.query.n) || 0 } } } : {});
    },
  );

  app.post<{ Params: { id: string } }>('/admin/events/:id/selection/commit', manage, (req, reply) =>
    act(req, reply, async () => {
      await commitDraw(deps, req.user!.id, req.params.id, { publicRandomnessLabel: formValues(req.body).publicRandomnessLabel });
      return { key: 'committed' };
    }),
  );

  app.post<{ Params: { id: string } }>('/admin/events/:id/selection/freeze', manage, (req, reply) =>
    act(
      req,
      reply,
      async () => {
        await freezeDraw(deps, req.user!.id, req.params.id, { groups: groupsFromForm(formValues(req.body)) }).catch((err) => {
          throw err instanceof AppError ? freezeFormError(err) : err;
        });
        return { key: 'frozen' };
      },
      'freeze',
    ),
  );

  app.post<{ Params: { id: string } }>('/admin/events/:id/selection/draw', manage, (req, reply) =>
    act(req, reply, async () => {
      await runDraw(deps, req.user!.id, req.params.id, { publicRandomnessValue: formValues(req.body).publicRandomnessValue });
      return { key: 'drawn' };
    }),
  );

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
    { preHandler: [requirePermission('reviewApplications'), app.csrfProtection] },
    async (req, reply) => {
      const v = formValues(req.body);
      await reviewApplication(deps, req.user!.id, req.params.id, v.decision as ReviewDecision, v.note ?? '');
      return reply.redirect(`/admin/applications/${req.params.id}`, 303);
    },
  );
}
